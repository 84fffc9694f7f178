package match

import (
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// The département-size benchmark: 50,000 people and 20,000 open offers over
// the Pas-de-Calais (most of them around twelve towns), ROME codes over 504
// fiches (14 grands domaines × 9 domaines × 4 fiches, some far more common
// than others), radii of 10 to 40 km, top 20.
const (
	deptOffers = 20000
	deptPeople = 50000
	deptTop    = 20
	// deptSample is the number of people the brute force is timed on.
	deptSample = 1000
	// offerSample is the number of offers whose candidates it is timed on.
	offerSample = 200
)

var (
	deptOnce   sync.Once
	deptEngine *Engine
	deptData   data
	deptBuild  time.Duration
)

// dept builds the département once, deterministically.
func dept(b *testing.B) (*Engine, data) {
	b.Helper()
	deptOnce.Do(func() {
		g := newGen(2026, pasDeCalais, 14, 9, 4)
		g.clumped = true
		deptData = g.build(deptOffers, deptPeople, 0.02)
		start := time.Now()
		deptEngine = deptData.engine()
		deptBuild = time.Since(start)
	})
	return deptEngine, deptData
}

// queryRadius is the radius a person's matches are searched in: their
// mobility radius, kept within 10 to 40 km.
func queryRadius(c Candidate) float64 { return clamp(c.RadiusKm, 10, 40) }

// offerRadius is the radius an offer's candidates are searched in, 10 to 40 km.
func offerRadius(i int) float64 { return float64(10 + i*7%31) }

func BenchmarkOffersFor(b *testing.B) {
	e, d := dept(b)
	for i := 0; b.Loop(); i++ {
		c := d.cands[i*7919%len(d.cands)]
		if _, _, err := e.OffersFor(c.ID, queryRadius(c), deptTop); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOffersForBrute(b *testing.B) {
	e, d := dept(b)
	for i := 0; b.Loop(); i++ {
		c := d.cands[i*7919%len(d.cands)]
		if _, _, err := e.BruteOffersFor(c.ID, queryRadius(c), deptTop); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCandidatesFor(b *testing.B) {
	e, d := dept(b)
	for i := 0; b.Loop(); i++ {
		if _, _, err := e.CandidatesFor(d.offers[i*7919%len(d.offers)].ID, offerRadius(i), deptTop); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCandidatesForBrute(b *testing.B) {
	e, d := dept(b)
	for i := 0; b.Loop(); i++ {
		if _, _, err := e.BruteCandidatesFor(d.offers[i*7919%len(d.offers)].ID, offerRadius(i), deptTop); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchingDept is what bench/matching.sh reports; run it once
// (-benchtime 1x). It times the top 20 of every person with the index, and
// the brute force on every 50th person only, extrapolated to all; on those
// people it compares both answers (items, scores, order, reasons, totals)
// and gives the ratio on the same people too. Both are timed in turns, a
// thousand people at a time, so that a change in the machine's load affects
// both alike. Then it times single queries.
func BenchmarkMatchingDept(b *testing.B) {
	e, d := dept(b)
	for b.Loop() {
		var all, brute, index time.Duration
		const chunk = 1000
		for from := 0; from < len(d.cands); from += chunk {
			part := d.cands[from:min(from+chunk, len(d.cands))]
			start := time.Now()
			for _, c := range part {
				if _, _, err := e.OffersFor(c.ID, queryRadius(c), deptTop); err != nil {
					b.Fatal(err)
				}
			}
			all += time.Since(start)
			br, ix := compareOffers(b, e, part)
			brute, index = brute+br, index+ix
		}
		bruteAll := brute.Seconds() * float64(len(d.cands)) / deptSample
		b.ReportMetric(deptBuild.Seconds(), "build-s")
		b.ReportMetric(all.Seconds(), "index-all-s")
		b.ReportMetric(bruteAll, "brute-extrapolated-s")
		b.ReportMetric(bruteAll/all.Seconds(), "speedup")
		b.ReportMetric(brute.Seconds()/index.Seconds(), "speedup-sample")
		b.ReportMetric(deptSample, "people-identical")

		bruteC, indexC := compareCandidates(b, e, d)
		b.ReportMetric(offerSample, "offers-identical")
		b.ReportMetric(bruteC.Seconds()/indexC.Seconds(), "speedup-candidates")

		p50, p99 := latency(2000, func(i int) {
			c := d.cands[i*7919%len(d.cands)]
			e.OffersFor(c.ID, queryRadius(c), deptTop)
		})
		b.ReportMetric(p50, "offersfor-p50-µs")
		b.ReportMetric(p99, "offersfor-p99-µs")
		p50, p99 = latency(2000, func(i int) {
			e.CandidatesFor(d.offers[i*7919%len(d.offers)].ID, offerRadius(i), deptTop)
		})
		b.ReportMetric(p50, "candidatesfor-p50-µs")
		b.ReportMetric(p99, "candidatesfor-p99-µs")
	}
}

// compareOffers runs the brute force and the index on every 50th person of
// people, fails on any difference and returns the time each took.
func compareOffers(b *testing.B, e *Engine, people []Candidate) (brute, index time.Duration) {
	step := deptPeople / deptSample
	for i := 0; i < len(people); i += step {
		c := people[i]
		t0 := time.Now()
		want, wantTotal, err := e.BruteOffersFor(c.ID, queryRadius(c), deptTop)
		t1 := time.Now()
		got, total, err2 := e.OffersFor(c.ID, queryRadius(c), deptTop)
		index += time.Since(t1)
		brute += t1.Sub(t0)
		if err != nil || err2 != nil || total != wantTotal || !reflect.DeepEqual(got, want) {
			b.Fatalf("%s: the index and the brute force disagree", c.ID)
		}
	}
	return brute, index
}

// compareCandidates does the same for the candidates of offerSample offers.
func compareCandidates(b *testing.B, e *Engine, d data) (brute, index time.Duration) {
	step := len(d.offers) / offerSample
	for i := 0; i < len(d.offers); i += step {
		o := d.offers[i]
		t0 := time.Now()
		want, wantTotal, err := e.BruteCandidatesFor(o.ID, offerRadius(i), deptTop)
		t1 := time.Now()
		got, total, err2 := e.CandidatesFor(o.ID, offerRadius(i), deptTop)
		index += time.Since(t1)
		brute += t1.Sub(t0)
		if err != nil || err2 != nil || total != wantTotal || !reflect.DeepEqual(got, want) {
			b.Fatalf("%s: the index and the brute force disagree", o.ID)
		}
	}
	return brute, index
}

// latency times n single queries and returns their median and 99th
// percentile in microseconds.
func latency(n int, query func(i int)) (p50, p99 float64) {
	ts := make([]float64, n)
	for i := range ts {
		t0 := time.Now()
		query(i)
		ts[i] = float64(time.Since(t0).Nanoseconds()) / 1e3
	}
	slices.Sort(ts)
	return ts[n/2], ts[int(math.Ceil(float64(n)*0.99))-1]
}
