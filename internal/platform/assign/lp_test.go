package assign

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"tremplin/internal/platform/geo"
)

// lpOptimum solves the transportation problem as a linear program with
// gonum's simplex, independently of the package. Each placement is rewarded
// by more than the cost of any whole plan (the number of candidates times the
// largest cost), so the optimum places as many as possible first and then
// minimises the cost in metres. The constraint matrix is totally unimodular,
// so the optimum is integral.
func lpOptimum(cands []Candidate, sites []Site, opt Options) (placed int, metres int64, err error) {
	type pair struct{ c, s int }
	var pairs []pair
	var cost []float64
	var largest float64
	for c, cand := range cands {
		for s, site := range sites {
			d := geo.Distance(geo.Point{Lat: cand.Lat, Lon: cand.Lon}, geo.Point{Lat: site.Lat, Lon: site.Lon})
			if (opt.Eligible == nil || opt.Eligible(c, s)) && (opt.MaxKm == 0 || d <= opt.MaxKm) {
				pairs = append(pairs, pair{c, s})
				cost = append(cost, math.Round(d*1000))
				largest = max(largest, math.Round(d*1000))
			}
		}
	}
	if len(pairs) == 0 {
		return 0, 0, nil
	}
	// Standard form: one column per pair, then one slack per candidate row
	// (placed at most once) and per site row (at most its capacity); the
	// slacks are the initial feasible basis (nothing placed).
	n, m, p := len(cands), len(sites), len(pairs)
	rows, cols := n+m, p+n+m
	a := mat.NewDense(rows, cols, nil)
	b := make([]float64, rows)
	objective := make([]float64, cols)
	reward := largest*float64(n) + 1
	for j, pr := range pairs {
		a.Set(pr.c, j, 1)
		a.Set(n+pr.s, j, 1)
		objective[j] = cost[j] - reward
	}
	basic := make([]int, rows)
	for i := range rows {
		a.Set(i, p+i, 1)
		basic[i] = p + i
		b[i] = 1
		if i >= n {
			b[i] = float64(sites[i-n].Capacity)
		}
	}
	_, x, err := lp.Simplex(objective, a, b, 1e-9, basic)
	if err != nil {
		return 0, 0, err
	}
	var count, total float64
	for j := range p {
		count += x[j]
		total += x[j] * cost[j]
	}
	return int(math.Round(count)), int64(math.Round(total)), nil
}

// placedAndMetres returns the number placed and their total cost in whole
// metres, as the solver and the linear program count it.
func placedAndMetres(r Result) (int, int64) {
	var total int64
	for _, a := range r.Assignment {
		total += int64(math.Round(a.DistanceKm * 1000))
	}
	return len(r.Assignment), total
}

// randomInstance draws up to 30 candidates and 8 sites around Arras, some on
// a coarse grid so that distances tie, with scarce or ample capacities, and
// half the time a MaxKm and a random eligibility.
func randomInstance(rng *rand.Rand) ([]Candidate, []Site, Options) {
	n, m := rng.IntN(31), rng.IntN(9)
	spot := func() (float64, float64) {
		lat, lon := 50.0+rng.Float64()*0.6, 2.3+rng.Float64()*0.8
		if rng.IntN(3) == 0 {
			lat, lon = math.Round(lat*20)/20, math.Round(lon*20)/20
		}
		return lat, lon
	}
	cands := make([]Candidate, n)
	for c := range cands {
		lat, lon := spot()
		cands[c] = Candidate{ID: fmt.Sprintf("c%d", c), Lat: lat, Lon: lon}
	}
	perSite := 3
	if m > 0 && rng.IntN(2) == 0 {
		perSite = n/m + 3 // ample
	}
	sites := make([]Site, m)
	for s := range sites {
		lat, lon := spot()
		sites[s] = Site{ID: fmt.Sprintf("s%d", s), Lat: lat, Lon: lon, Capacity: rng.IntN(perSite + 1)}
	}
	var opt Options
	if rng.IntN(2) == 0 {
		opt.MaxKm = 10 + rng.Float64()*30
	}
	if rng.IntN(2) == 0 {
		ok := make([]bool, n*m)
		for i := range ok {
			ok[i] = rng.IntN(4) > 0
		}
		opt.Eligible = func(c, s int) bool { return ok[c*m+s] }
	}
	return cands, sites, opt
}

func TestSolveMatchesTheLinearProgram(t *testing.T) {
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 42))
		cands, sites, opt := randomInstance(rng)
		name := fmt.Sprintf("seed %d (%d×%d, MaxKm %.0f, eligibility %v)", seed, len(cands), len(sites), opt.MaxKm, opt.Eligible != nil)
		compareWithLP(t, name, cands, sites, opt)
	}
}

// The campaign of the press article: 73 RSA beneficiaries hired as
// maintenance agents across the 57 collèges of the département.
func TestSolveMatchesTheLinearProgramOnTheCollegesCampaign(t *testing.T) {
	cands, sites := deptInstance(73, 57, 1)
	compareWithLP(t, "73 × 57 within 25 km", cands, sites, Options{MaxKm: 25})
}

// compareWithLP checks Solve against the linear program and NearestFree, and
// that it is deterministic.
func compareWithLP(t *testing.T, name string, cands []Candidate, sites []Site, opt Options) {
	t.Helper()
	r, err := Solve(cands, sites, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkResult(t, name+": Solve", cands, sites, opt, r)
	wantPlaced, wantMetres, err := lpOptimum(cands, sites, opt)
	if err != nil {
		t.Fatalf("%s: linear program: %v", name, err)
	}
	placed, metres := placedAndMetres(r)
	if placed != wantPlaced || metres != wantMetres {
		t.Errorf("%s: Solve places %d for %d m, the linear program %d for %d m", name, placed, metres, wantPlaced, wantMetres)
	}
	g, err := NearestFree(cands, sites, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkResult(t, name+": NearestFree", cands, sites, opt, g)
	gPlaced, gMetres := placedAndMetres(g)
	if gPlaced > placed || gPlaced == placed && gMetres < metres {
		t.Errorf("%s: NearestFree places %d for %d m, better than Solve's %d for %d m", name, gPlaced, gMetres, placed, metres)
	}
	if again, _ := Solve(cands, sites, opt); !reflect.DeepEqual(again, r) {
		t.Errorf("%s: a second Solve gives a different plan", name)
	}
}

func TestSolveOptimumDoesNotDependOnInputOrder(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		cands, sites, opt := randomInstance(rng)
		r, err := Solve(cands, sites, opt)
		if err != nil {
			t.Fatal(err)
		}
		pc, ps := rng.Perm(len(cands)), rng.Perm(len(sites))
		shuffledCands := make([]Candidate, len(cands))
		for i, c := range pc {
			shuffledCands[i] = cands[c]
		}
		shuffledSites := make([]Site, len(sites))
		for i, s := range ps {
			shuffledSites[i] = sites[s]
		}
		shuffledOpt := Options{MaxKm: opt.MaxKm}
		if opt.Eligible != nil {
			shuffledOpt.Eligible = func(c, s int) bool { return opt.Eligible(pc[c], ps[s]) }
		}
		shuffled, err := Solve(shuffledCands, shuffledSites, shuffledOpt)
		if err != nil {
			t.Fatal(err)
		}
		p1, m1 := placedAndMetres(r)
		p2, m2 := placedAndMetres(shuffled)
		if p1 != p2 || m1 != m2 {
			t.Errorf("seed %d: %d placed for %d m, shuffled %d for %d m", seed, p1, m1, p2, m2)
		}
	}
}
