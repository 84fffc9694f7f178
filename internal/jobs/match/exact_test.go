package match

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"

	"tremplin/internal/platform/geo"
)

// universe is generated data kept in step with an engine while it changes.
type universe struct {
	g      *gen
	e      *Engine
	offers map[string]Offer
	cands  map[string]Candidate
	next   int
}

func newUniverse(g *gen, d data) *universe {
	u := &universe{g: g, e: d.engine(), offers: map[string]Offer{}, cands: map[string]Candidate{}}
	for _, o := range d.offers {
		u.offers[o.ID] = o
	}
	for _, c := range d.cands {
		u.cands[c.ID] = c
	}
	return u
}

// anyOffer and anyCandidate pick an existing record in a reproducible way.
func (u *universe) anyOffer() Offer         { return u.offers[pick(u.g, u.offers)] }
func (u *universe) anyCandidate() Candidate { return u.cands[pick(u.g, u.cands)] }

func pick[V any](g *gen, m map[string]V) string {
	keys := slices.Sorted(maps.Keys(m))
	return keys[g.r.IntN(len(keys))]
}

// churn applies n random changes: new records, moves (onto another record's
// point at times), changes of ROME and requirements, removals.
func (u *universe) churn(t *testing.T, n int) {
	t.Helper()
	for range n {
		switch op := u.g.r.IntN(8); {
		case op == 0 || len(u.offers) < 5:
			u.next++
			u.putOffer(t, u.g.offer(fmt.Sprintf("n%05d", u.next)))
		case op == 1 || len(u.cands) < 5:
			u.next++
			u.putCandidate(t, u.g.candidate(fmt.Sprintf("m%05d", u.next)))
		case op == 2:
			o := u.anyOffer()
			o.Lat, o.Lon = u.g.point()
			u.putOffer(t, o)
		case op == 3:
			c := u.anyCandidate()
			other := u.anyCandidate()
			c.Lat, c.Lon = other.Lat, other.Lon
			u.putCandidate(t, c)
		case op == 4:
			id := u.anyOffer().ID
			u.putOffer(t, u.g.offer(id))
		case op == 5:
			id := u.anyCandidate().ID
			u.putCandidate(t, u.g.candidate(id))
		case op == 6:
			id := u.anyOffer().ID
			u.e.RemoveOffer(id)
			delete(u.offers, id)
		default:
			id := u.anyCandidate().ID
			u.e.RemoveCandidate(id)
			delete(u.cands, id)
		}
	}
}

func (u *universe) putOffer(t *testing.T, o Offer) {
	t.Helper()
	if err := u.e.UpsertOffer(o); err != nil {
		t.Fatal(err)
	}
	u.offers[o.ID] = o
}

func (u *universe) putCandidate(t *testing.T, c Candidate) {
	t.Helper()
	if err := u.e.UpsertCandidate(c); err != nil {
		t.Fatal(err)
	}
	u.cands[c.ID] = c
}

// coverage counts what the comparisons went through, so that the test can
// show it exercised what it claims to.
type coverage struct {
	queries, cut, onEdge, ties int
	fits                       [4]int
}

// radius draws a search radius: often exactly the distance to another
// record, which then lies on the edge.
func (u *universe) radius(from geo.Point, to geo.Point) (float64, bool) {
	if u.g.r.IntN(3) == 0 {
		if d := geo.Distance(from, to); d > 0 && d <= MaxRadiusKm {
			return d, true
		}
	}
	return 0.5 + u.g.r.Float64()*40, false
}

var limits = []int{1, 2, 3, 5, 10, 20, 50, MaxLimit}

// compare asks n random queries of each kind and fails on any difference
// between the index and the brute force: items, scores, order, reasons, total.
func (u *universe) compare(t *testing.T, n int, cov *coverage) {
	t.Helper()
	for range n {
		c, o := u.anyCandidate(), u.anyOffer()
		limit := limits[u.g.r.IntN(len(limits))]
		r, edge := u.radius(geo.Point{Lat: c.Lat, Lon: c.Lon}, geo.Point{Lat: o.Lat, Lon: o.Lon})
		got, total, err := u.e.OffersFor(c.ID, r, limit)
		want, wantTotal, werr := u.e.BruteOffersFor(c.ID, r, limit)
		u.same(t, fmt.Sprintf("OffersFor(%s, %v, %d)", c.ID, r, limit), got, total, err, want, wantTotal, werr, cov, edge)
		for _, m := range got {
			cov.fits[u.fitOfPair(c, u.offers[m.ID])]++
		}

		c, o = u.anyCandidate(), u.anyOffer()
		r, edge = u.radius(geo.Point{Lat: o.Lat, Lon: o.Lon}, geo.Point{Lat: c.Lat, Lon: c.Lon})
		got, total, err = u.e.CandidatesFor(o.ID, r, limit)
		want, wantTotal, werr = u.e.BruteCandidatesFor(o.ID, r, limit)
		u.same(t, fmt.Sprintf("CandidatesFor(%s, %v, %d)", o.ID, r, limit), got, total, err, want, wantTotal, werr, cov, edge)
	}
}

func (u *universe) same(t *testing.T, q string, got []Match, total int, err error, want []Match, wantTotal int, werr error, cov *coverage, edge bool) {
	t.Helper()
	if err != nil || werr != nil {
		t.Fatalf("%s: errors %v / %v", q, err, werr)
	}
	if total != wantTotal || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: index gives %d in all\n%v\nbrute force %d in all\n%v", q, total, ids(got), wantTotal, ids(want))
	}
	cov.queries++
	if total > len(got) {
		cov.cut++
	}
	if edge {
		cov.onEdge++
	}
	for i := 1; i < len(got); i++ {
		if got[i].Score == got[i-1].Score {
			cov.ties++
		}
	}
}

func (u *universe) fitOfPair(c Candidate, o Offer) fit {
	var fs []rome
	for _, s := range c.ROMEs {
		r, _ := parseROME("", "", s)
		fs = append(fs, r)
	}
	r, _ := parseROME("", "", o.ROME)
	f, _ := fitOf(fs, r)
	return f
}

func ids(ms []Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%s %.1f %.6f", m.ID, m.Score, m.DistanceKm)
	}
	return out
}

// The index answers exactly as the brute force on random data: few ROME
// codes so that every tier is common, points shared by several records,
// radii landing exactly on a record, every limit, and again after random
// additions, moves, changes and removals.
func TestIndexAgreesWithBruteForce(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 6
	}
	var cov coverage
	for seed := range seeds {
		g := newGen(uint64(seed), area{50.35, 50.85, 2.0, 2.7}, 3, 3, 3) // across a root cell edge (50.625°)
		g.clumped = seed%2 == 0
		if seed%3 == 1 {
			g.manyQualifications()
		}
		u := newUniverse(g, g.build(300+seed*10, 300, 0.1))
		u.compare(t, 40, &cov)
		for range 4 {
			u.churn(t, 150)
			checkTrees(t, u.e)
			u.compare(t, 25, &cov)
		}
	}
	t.Logf("%+v", cov)
	if cov.cut < cov.queries/4 || cov.onEdge < cov.queries/5 || cov.ties < cov.queries {
		t.Errorf("the random data did not exercise enough cut lists, radii on a record or ties: %+v", cov)
	}
	for f, n := range cov.fits {
		if n < cov.queries {
			t.Errorf("fit %d seldom in the results (%d): %+v", f, n, cov)
		}
	}
}

// Exactness holds anywhere on Earth: near the poles, across the
// antimeridian, on root cell edges, with radii up to the maximum.
func TestIndexAgreesWithBruteForceWorldwide(t *testing.T) {
	centres := [][2]float64{{89.95, 10}, {-89.9, -120}, {0.1, 179.95}, {-10, -179.9}, {50.625, 11.25}, {0, 0.3}, {45, -0.2}}
	for seed, ctr := range centres {
		g := newGen(uint64(100+seed), area{}, 2, 2, 3)
		d := g.build(250, 250, 0.05)
		for i := range d.offers {
			d.offers[i].Lat, d.offers[i].Lon = around(g, ctr)
		}
		for i := range d.cands {
			d.cands[i].Lat, d.cands[i].Lon = around(g, ctr)
		}
		u := newUniverse(g, d)
		var cov coverage
		for range 40 {
			c, o := u.anyCandidate(), u.anyOffer()
			r := 1 + g.r.Float64()*(MaxRadiusKm-1)
			got, total, err := u.e.OffersFor(c.ID, r, 20)
			want, wantTotal, werr := u.e.BruteOffersFor(c.ID, r, 20)
			u.same(t, "OffersFor "+c.ID, got, total, err, want, wantTotal, werr, &cov, false)
			got, total, err = u.e.CandidatesFor(o.ID, r, 20)
			want, wantTotal, werr = u.e.BruteCandidatesFor(o.ID, r, 20)
			u.same(t, "CandidatesFor "+o.ID, got, total, err, want, wantTotal, werr, &cov, false)
		}
		if cov.cut == 0 {
			t.Errorf("centre %v: no query found more than it returned", ctr)
		}
	}
}

// around draws a point within about 150 km of ctr, wrapping longitudes.
func around(g *gen, ctr [2]float64) (float64, float64) {
	lat := clamp(ctr[0]+g.r.NormFloat64()*0.7, -90, 90)
	lon := ctr[1] + g.r.NormFloat64()*0.7/math.Max(0.05, math.Cos(lat*math.Pi/180))
	lon = math.Mod(lon+540, 360) - 180
	if lat == 0 && lon == 0 {
		lon = 1e-9
	}
	return lat, lon
}

// checkTrees verifies the trees' invariants: counts add up, every item sits
// in its cell, every record is in the trees of its fiches and no other.
func checkTrees(t *testing.T, e *Engine) {
	t.Helper()
	e.mu.RLock()
	defer e.mu.RUnlock()
	checkIndex(t, "offers", &e.offerIx, len(e.offers))
	checkIndex(t, "candidates", &e.candIx, len(e.cands))
	checkGrid(t, &e.offerIx.counts, len(e.offers), func(o *offerEntry) geo.Point { return o.pt })
	checkGrid(t, &e.candIx.counts, len(e.cands), func(c *candEntry) geo.Point { return c.pt })
	for _, o := range e.offerList {
		if e.offers[o.id] != o {
			t.Fatalf("offer list and map disagree on %s", o.id)
		}
	}
	for _, c := range e.candList {
		if e.cands[c.id] != c {
			t.Fatalf("candidate list and map disagree on %s", c.id)
		}
	}
}

func checkIndex[T comparable, P any](t *testing.T, side string, ix *index[T, P], n int) {
	t.Helper()
	if got := checkTree(t, ix.all); got != n {
		t.Fatalf("%s: the tree of all holds %d items, want %d", side, got, n)
	}
	for _, m := range []map[int32]*tree[T, P]{ix.fiche, ix.domaine, ix.grand} {
		for k, tr := range m {
			if checkTree(t, tr) == 0 {
				t.Fatalf("%s: empty tree kept for key %d", side, k)
			}
		}
	}
}

func checkTree[T comparable, P any](t *testing.T, tr *tree[T, P]) int {
	t.Helper()
	total := 0
	for i, r := range tr.rootList {
		total += checkNode(t, r)
		if tr.list[i].count != r.count {
			t.Fatalf("searches start from a cell of %d items below a root of %d", tr.list[i].count, r.count)
		}
	}
	if len(tr.list) != len(tr.roots) || len(tr.rootList) != len(tr.roots) {
		t.Fatalf("%d and %d roots listed, %d in the map", len(tr.list), len(tr.rootList), len(tr.roots))
	}
	return total
}

func checkNode[T comparable, P any](t *testing.T, n *node[T, P]) int {
	t.Helper()
	count := 0
	if !n.inner {
		if len(n.ps) != len(n.items) || len(n.ts) != len(n.items) {
			t.Fatalf("leaf of %d points, %d terms and %d items", len(n.ps), len(n.ts), len(n.items))
		}
		for i, it := range n.items {
			pt := it.pt
			if pt.Lat < n.lat0 || pt.Lat > n.lat1 || pt.Lon < n.lon0 || pt.Lon > n.lon1 {
				t.Fatalf("item at %v outside its cell %v–%v, %v–%v", pt, n.lat0, n.lat1, n.lon0, n.lon1)
			}
			if n.ps[i] != pointOf(toVec(pt)) || math.Sqrt(n.own.c.dist2(toVec(pt))) > float64(n.own.rc) {
				t.Fatalf("item at %v misplaced or outside its cell's sphere", pt)
			}
		}
		count = len(n.items)
	} else {
		for i, k := range n.kids {
			if k == nil {
				if n.kn[i] != 0 {
					t.Fatalf("missing quarter counted %d", n.kn[i])
				}
				continue
			}
			if k.own != n.ks[i] || k.count != n.kn[i] {
				t.Fatalf("quarter's sphere or count not mirrored in its parent")
			}
			count += checkNode(t, k)
		}
	}
	if int32(count) != n.count {
		t.Fatalf("cell counts %d items, holds %d", n.count, count)
	}
	return count
}

// checkGrid verifies the counting grid: running counts agree with the
// items, every item sits in its cell, and the grid holds n items.
func checkGrid[T comparable](t *testing.T, g *grid[T], n int, pointOf func(T) geo.Point) {
	t.Helper()
	total := 0
	for key, tl := range g.tiles {
		for r, row := range tl.rows {
			if row == nil {
				continue
			}
			if len(row.vs) == 0 || len(row.ps) != len(row.vs) || int(row.ends[tileCols-1]) != len(row.vs) {
				t.Fatalf("row of %d points, %d items, counted %d", len(row.ps), len(row.vs), row.ends[tileCols-1])
			}
			for c := range tileCols {
				for i := row.start(c); i < row.ends[c]; i++ {
					pt := pointOf(row.vs[i])
					if k, rr, cc, _, _ := cellOf(pt); k != key || rr != r || cc != c {
						t.Fatalf("item at %v kept in cell %d/%d/%d, belongs to %d/%d/%d", pt, key, r, c, k, rr, cc)
					}
				}
			}
			total += len(row.vs)
		}
	}
	if total != n {
		t.Fatalf("the grid holds %d items, want %d", total, n)
	}
}

// Points on the radius and a metre either side of it, all around the
// circle, are counted and ranked as geo.Distance places them, whether the
// cells they fall in are judged whole or point by point.
func TestEdgeOfRadius(t *testing.T) {
	from := geo.Point{Lat: 50.4, Lon: 2.5}
	for _, radius := range []float64{0.8, 7.3, 25, 40} {
		e := NewEngine(fixedClock())
		mustUpsert(t, e, Candidate{ID: "p", Lat: from.Lat, Lon: from.Lon, ROMEs: []string{"K2204"}})
		on := 0
		for i := range 720 {
			bearing := float64(i) / 2
			for j, km := range []float64{edgeKm(from, bearing, radius), radius - 0.001, radius + 0.001} {
				p := destination(from, bearing, km)
				mustUpsert(t, e, Offer{ID: fmt.Sprintf("o%d-%d", i, j), Lat: p.Lat, Lon: p.Lon, ROME: "K2204"})
				if geo.Distance(from, p) <= radius {
					on++
				}
			}
		}
		got, total, err := e.OffersFor("p", radius, MaxLimit)
		want, wantTotal, _ := e.BruteOffersFor("p", radius, MaxLimit)
		if err != nil || total != on || wantTotal != on || !reflect.DeepEqual(got, want) {
			t.Errorf("radius %v: index %d, brute force %d, want %d (%v)", radius, total, wantTotal, on, err)
		}
	}
}

// destination returns the point km kilometres from p along a bearing in degrees.
func destination(p geo.Point, bearing, km float64) geo.Point {
	d := km / earthRadiusKm
	la, lo, b := p.Lat*math.Pi/180, p.Lon*math.Pi/180, bearing*math.Pi/180
	la2 := math.Asin(math.Sin(la)*math.Cos(d) + math.Cos(la)*math.Sin(d)*math.Cos(b))
	lo2 := lo + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(la), math.Cos(d)-math.Sin(la)*math.Sin(la2))
	return geo.Point{Lat: la2 * 180 / math.Pi, Lon: lo2 * 180 / math.Pi}
}

// edgeKm returns the farthest distance along a bearing that geo.Distance
// still puts within radius.
func edgeKm(p geo.Point, bearing, radius float64) float64 {
	lo, hi := radius-0.01, radius+0.01
	for range 60 {
		mid := (lo + hi) / 2
		if geo.Distance(p, destination(p, bearing, mid)) <= radius {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// The grid judges whole cells against the radius: radii passing a few
// metres, or a hair, either side of the corners of cells, with items in
// the cells' corners, are where a wrong judgement would show.
func TestRadiusThroughCellCorners(t *testing.T) {
	from := geo.Point{Lat: 50.4, Lon: 2.5}
	g := newGen(5, area{}, 1, 1, 1)
	const cell = 1.0 / cellsPerDegree
	for range 300 {
		// a cell corner within 40 km, on the grid of the root cell of from
		corner := geo.Point{
			Lat: 50.625 - cell*float64(1+g.r.IntN(40)),
			Lon: 2.25 + cell*float64(g.r.IntN(80)),
		}
		for _, delta := range []float64{-0.005, -1e-6, 0, 1e-6, 0.005} {
			radius := geo.Distance(from, corner) + delta
			e := NewEngine(fixedClock())
			mustUpsert(t, e, Candidate{ID: "p", Lat: from.Lat, Lon: from.Lon})
			n := 0
			for _, dLat := range []float64{-cell, 0, cell} {
				for _, dLon := range []float64{-cell, 0, cell} {
					for _, nudge := range [][2]float64{{1e-9, 1e-9}, {1e-9, -1e-9}, {-1e-9, 1e-9}, {-1e-9, -1e-9}} {
						n++
						mustUpsert(t, e, Offer{ID: fmt.Sprint(n), Lat: corner.Lat + dLat + nudge[0], Lon: corner.Lon + dLon + nudge[1], ROME: "K2204"})
					}
				}
			}
			got, total, _ := e.OffersFor("p", radius, MaxLimit)
			want, wantTotal, _ := e.BruteOffersFor("p", radius, MaxLimit)
			if total != wantTotal || !reflect.DeepEqual(got, want) {
				t.Fatalf("corner %v, radius %v: index %d, brute force %d", corner, radius, total, wantTotal)
			}
		}
	}
}
