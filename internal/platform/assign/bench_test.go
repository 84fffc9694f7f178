package assign

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// towns are centres of Pas-de-Calais around which most candidates live.
var towns = []struct{ lat, lon float64 }{
	{50.291, 2.777}, // Arras
	{50.432, 2.833}, // Lens
	{50.530, 2.640}, // Béthune
	{50.750, 2.252}, // Saint-Omer
	{50.420, 2.950}, // Hénin-Beaumont
	{50.460, 1.900}, // Montreuil area
}

// deptInstance builds, deterministically from seed, n candidates and m sites
// in Pas-de-Calais (lat 50.0–50.9, lon 1.6–3.1): two thirds of the candidates
// around towns, the rest and the sites spread out; capacities vary from half
// to one and a half of the mean and add up to n plus 5 %.
func deptInstance(n, m int, seed uint64) ([]Candidate, []Site) {
	rng := rand.New(rand.NewPCG(seed, 2026))
	clamp := func(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
	cands := make([]Candidate, n)
	for c := range cands {
		lat, lon := 50.0+rng.Float64()*0.9, 1.6+rng.Float64()*1.5
		if rng.IntN(3) > 0 {
			t := towns[rng.IntN(len(towns))]
			lat, lon = clamp(t.lat+rng.NormFloat64()*0.06, 50.0, 50.9), clamp(t.lon+rng.NormFloat64()*0.09, 1.6, 3.1)
		}
		cands[c] = Candidate{ID: fmt.Sprintf("c%04d", c), Lat: lat, Lon: lon}
	}
	sites := make([]Site, m)
	target := n + n/20
	mean := max(1, target/max(m, 1))
	total := 0
	for s := range sites {
		capacity := max(1, mean/2+rng.IntN(mean+1))
		sites[s] = Site{ID: fmt.Sprintf("s%03d", s), Lat: 50.0 + rng.Float64()*0.9, Lon: 1.6 + rng.Float64()*1.5, Capacity: capacity}
		total += capacity
	}
	for i := 0; m > 0 && total < target; i++ {
		sites[i%m].Capacity++
		total++
	}
	return cands, sites
}

func BenchmarkSolve4000x115(b *testing.B) {
	benchmarkPlan(b, Solve, 4000, 115)
}

func BenchmarkNearestFree4000x115(b *testing.B) {
	benchmarkPlan(b, NearestFree, 4000, 115)
}

// benchmarkPlan times plan on a département-size campaign and reports the
// number placed and the total km.
func benchmarkPlan(b *testing.B, plan func([]Candidate, []Site, Options) (Result, error), n, m int) {
	cands, sites := deptInstance(n, m, 1)
	var r Result
	for b.Loop() {
		var err error
		if r, err = plan(cands, sites, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(r.Assignment)), "placed")
	b.ReportMetric(r.TotalKm, "km")
}

// lpSizes are the instances, with the proportions of 4,000 × 115, on which
// the linear program is timed against Solve (bench/assign.sh stops at the
// first that takes more than a minute). Those with more than lpQuickSites
// sites take minutes: they run only when ASSIGN_LP_LARGE is set.
const lpQuickSites = 8

var lpSizes = [][2]int{{35, 1}, {70, 2}, {140, 4}, {210, 6}, {245, 7}, {280, 8}, {315, 9}, {350, 10}, {420, 12}}

// BenchmarkVersusLP times the linear program and Solve on the same instances
// and fails when their optima differ.
func BenchmarkVersusLP(b *testing.B) {
	for _, size := range lpSizes {
		n, m := size[0], size[1]
		cands, sites := deptInstance(n, m, 1)
		b.Run(fmt.Sprintf("%dx%d/lp", n, m), func(b *testing.B) {
			if m > lpQuickSites && os.Getenv("ASSIGN_LP_LARGE") == "" {
				b.Skip("takes minutes: set ASSIGN_LP_LARGE to run it")
			}
			var placed int
			var metres int64
			for b.Loop() {
				var err error
				if placed, metres, err = lpOptimum(cands, sites, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			r, _ := Solve(cands, sites, Options{})
			if p, c := placedAndMetres(r); p != placed || c != metres {
				b.Fatalf("Solve places %d for %d m, the linear program %d for %d m", p, c, placed, metres)
			}
			b.ReportMetric(float64(metres), "metres")
		})
		b.Run(fmt.Sprintf("%dx%d/solve", n, m), func(b *testing.B) {
			var r Result
			for b.Loop() {
				r, _ = Solve(cands, sites, Options{})
			}
			_, metres := placedAndMetres(r)
			b.ReportMetric(float64(metres), "metres")
		})
	}
}
