package match

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
)

// Records that cannot be placed are refused with an Invalid error naming
// them, and the engine keeps what it had.
func TestUpsertRefusesInvalidRecords(t *testing.T) {
	okOffer := Offer{ID: "o1", Lat: 50.3, Lon: 2.8, ROME: "K2204"}
	okCand := Candidate{ID: "p1", Lat: 50.3, Lon: 2.8, ROMEs: []string{"K2204"}}
	points := []struct {
		name     string
		lat, lon float64
	}{
		{"unknown coordinates left at (0, 0)", 0, 0},
		{"latitude NaN", math.NaN(), 2.8},
		{"longitude NaN", 50.3, math.NaN()},
		{"latitude over 90", 90.5, 2.8},
		{"latitude under -90", -91, 2.8},
		{"longitude over 180", 50.3, 180.01},
		{"longitude infinite", 50.3, math.Inf(-1)},
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			e := NewEngine(fixedClock())
			mustUpsert(t, e, okOffer, okCand)
			o := okOffer
			o.Lat, o.Lon = p.lat, p.lon
			c := okCand
			c.Lat, c.Lon = p.lat, p.lon
			for what, err := range map[string]error{"offer": e.UpsertOffer(o), "candidate": e.UpsertCandidate(c)} {
				if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), map[string]string{"offer": "o1", "candidate": "p1"}[what]) {
					t.Errorf("%s: got %v, want an Invalid error naming it", what, err)
				}
			}
			if items, total, err := e.OffersFor("p1", 10, 10); err != nil || total != 1 || items[0].DistanceKm != 0 {
				t.Errorf("the refused updates changed the engine: %v, %d, %v", items, total, err)
			}
		})
	}
	others := []struct {
		name  string
		offer func(*Offer)
		cand  func(*Candidate)
	}{
		{name: "offer without identifier", offer: func(o *Offer) { o.ID = " " }},
		{name: "ROME code of the wrong shape", offer: func(o *Offer) { o.ROME = "K220" }},
		{name: "ROME letter beyond N", offer: func(o *Offer) { o.ROME = "Z1101" }},
		{name: "missing ROME code", offer: func(o *Offer) { o.ROME = "" }},
		{name: "negative weekly time", offer: func(o *Offer) { o.WeeklyMinutes = -1 }},
		{name: "candidate without identifier", cand: func(c *Candidate) { c.ID = "" }},
		{name: "a target job of the wrong shape", cand: func(c *Candidate) { c.ROMEs = []string{"K2204", "cuisinier"} }},
		{name: "unknown means", cand: func(c *Candidate) { c.Means = []Means{"plane"} }},
		{name: "negative radius", cand: func(c *Candidate) { c.RadiusKm = -1 }},
		{name: "radius NaN", cand: func(c *Candidate) { c.RadiusKm = math.NaN() }},
		{name: "minimum hours over the maximum", cand: func(c *Candidate) { c.MinutesMin, c.MinutesMax = 35*60, 20*60 }},
	}
	for _, tt := range others {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(fixedClock())
			var err error
			if tt.offer != nil {
				o := okOffer
				tt.offer(&o)
				err = e.UpsertOffer(o)
			} else {
				c := okCand
				tt.cand(&c)
				err = e.UpsertCandidate(c)
			}
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("got %v, want Invalid", err)
			}
		})
	}
}

// Queries check their parameters and the record they start from.
func TestQueryErrors(t *testing.T) {
	e := NewEngine(fixedClock())
	mustUpsert(t, e, Offer{ID: "o1", Lat: 50.3, Lon: 2.8, ROME: "K2204"}, Candidate{ID: "p1", Lat: 50.3, Lon: 2.8})
	tests := []struct {
		name   string
		id     string
		radius float64
		limit  int
		code   errs.Code
	}{
		{"unknown record", "nobody", 10, 20, errs.NotFound},
		{"no radius", "p1", 0, 20, errs.Invalid},
		{"radius NaN", "p1", math.NaN(), 20, errs.Invalid},
		{"radius over the maximum", "p1", MaxRadiusKm + 1, 20, errs.Invalid},
		{"no result asked", "p1", 10, 0, errs.Invalid},
		{"more than the maximum", "p1", 10, MaxLimit + 1, errs.Invalid},
		{"the maximum radius and limit", "p1", MaxRadiusKm, MaxLimit, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.id
			_, _, err := e.OffersFor(id, tt.radius, tt.limit)
			if errs.CodeOf(err) != tt.code {
				t.Errorf("OffersFor: %v, want %q", err, tt.code)
			}
			if id == "p1" {
				id = "o1"
			}
			_, _, err = e.CandidatesFor(id, tt.radius, tt.limit)
			if errs.CodeOf(err) != tt.code {
				t.Errorf("CandidatesFor: %v, want %q", err, tt.code)
			}
		})
	}
}

// A query returns every offer within the radius, the one exactly on it
// included, best first and cut at the limit, with the total of all of them;
// removed offers go, moved ones are found at their new place.
func TestOffersForRadiusLimitAndChanges(t *testing.T) {
	e := NewEngine(fixedClock())
	c := Candidate{ID: "p1", Lat: home.Lat, Lon: home.Lon, ROMEs: []string{"K2204"}, Means: []Means{Car}, Licence: true}
	var offers []Offer
	for i, km := range []float64{1, 2, 3, 3, 5, 8, 10, 10.0001, 30} {
		at := north(km)
		offers = append(offers, Offer{ID: fmt.Sprintf("o%d", i), Lat: at.Lat, Lon: at.Lon, ROME: "K2204"})
	}
	mustUpsert(t, e, offers, c)
	edge := geo.Distance(home, geo.Point{Lat: offers[6].Lat, Lon: offers[6].Lon}) // o6 lies on the radius

	expect := func(limit int, ids string, total int) {
		t.Helper()
		items, n, err := e.OffersFor("p1", edge, limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range items {
			got = append(got, m.ID)
		}
		if strings.Join(got, " ") != ids || n != total {
			t.Errorf("limit %d: got %v of %d, want %s of %d", limit, got, n, ids, total)
		}
	}
	expect(MaxLimit, "o0 o1 o2 o3 o4 o5 o6", 7)
	expect(3, "o0 o1 o2", 7) // o2 and o3 tie on score and distance: the smaller ID first
	e.RemoveOffer("o1")
	e.RemoveOffer("o1") // removing twice is harmless
	expect(3, "o0 o2 o3", 6)
	moved := north(0.5)
	mustUpsert(t, e, Offer{ID: "o8", Lat: moved.Lat, Lon: moved.Lon, ROME: "K2204"})
	expect(2, "o8 o0", 7)
	mustUpsert(t, e, Offer{ID: "o0", Lat: moved.Lat, Lon: moved.Lon, ROME: "N1103"}) // still near, other job
	expect(3, "o8 o2 o3", 7)
	e.RemoveCandidate("p1")
	if _, _, err := e.OffersFor("p1", 10, 10); !errs.Is(err, errs.NotFound) {
		t.Errorf("removed candidate: %v", err)
	}
}

// Searches and updates may run at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	g := newGen(7, area{50.0, 50.3, 2.4, 2.9}, 2, 2, 3)
	d := g.build(200, 200, 0.05)
	e := d.engine()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			g := newGen(uint64(100+w), area{50.0, 50.3, 2.4, 2.9}, 2, 2, 3)
			for i := range 150 {
				o, c := d.offers[(w*37+i)%len(d.offers)], d.cands[(w*53+i)%len(d.cands)]
				switch i % 5 {
				case 0:
					o.Lat, o.Lon = g.point()
					if err := e.UpsertOffer(o); err != nil {
						t.Error(err)
					}
				case 1:
					c.Lat, c.Lon = g.point()
					if err := e.UpsertCandidate(c); err != nil {
						t.Error(err)
					}
				case 2:
					e.RemoveOffer(o.ID)
					if err := e.UpsertOffer(o); err != nil {
						t.Error(err)
					}
				default:
					checkSorted(t, e.OffersFor, c.ID)
					checkSorted(t, e.CandidatesFor, o.ID)
				}
			}
		})
	}
	wg.Wait()
	checkTrees(t, e)
	for _, c := range d.cands {
		got, total, _ := e.OffersFor(c.ID, 15, 10)
		want, wantTotal, _ := e.BruteOffersFor(c.ID, 15, 10)
		if total != wantTotal || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: after the concurrent updates the index and the brute force disagree", c.ID)
		}
	}
}

func checkSorted(t *testing.T, query func(string, float64, int) ([]Match, int, error), id string) {
	items, total, err := query(id, 15, 10)
	if errs.Is(err, errs.NotFound) {
		return // removed for a moment by another goroutine
	}
	if err != nil {
		t.Error(err)
		return
	}
	if total < len(items) {
		t.Errorf("%s: total %d under %d items", id, total, len(items))
	}
	for i := 1; i < len(items); i++ {
		a, b := items[i-1], items[i]
		if a.Score < b.Score || a.Score == b.Score && (a.DistanceKm > b.DistanceKm || a.DistanceKm == b.DistanceKm && a.ID > b.ID) {
			t.Errorf("%s: %v before %v", id, a, b)
		}
	}
}

// mustUpsert puts offers and candidates (values or slices of them) in e.
func mustUpsert(t *testing.T, e *Engine, records ...any) {
	t.Helper()
	for _, r := range records {
		var err error
		switch r := r.(type) {
		case Offer:
			err = e.UpsertOffer(r)
		case Candidate:
			err = e.UpsertCandidate(r)
		case []Offer:
			mustUpsert(t, e, anys(r)...)
		case []Candidate:
			mustUpsert(t, e, anys(r)...)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func anys[S ~[]E, E any](s S) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
