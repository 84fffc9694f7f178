package assign

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
)

// degPerKm converts km along a meridian to degrees of latitude: on a
// meridian, geo.Distance is exactly the difference of latitudes.
const degPerKm = 180 / (math.Pi * 6371.0088)

// onLine places a candidate km kilometres north of 50°N, 2.5°E.
func onLine(id string, km float64) Candidate {
	return Candidate{ID: id, Lat: 50 + km*degPerKm, Lon: 2.5}
}

// siteOnLine places a site km kilometres north of 50°N, 2.5°E.
func siteOnLine(id string, km float64, capacity int) Site {
	return Site{ID: id, Lat: 50 + km*degPerKm, Lon: 2.5, Capacity: capacity}
}

// only allows each candidate (by index) the listed sites (by index).
func only(allowed map[int][]int) func(c, s int) bool {
	return func(c, s int) bool {
		for _, a := range allowed[c] {
			if a == s {
				return true
			}
		}
		return false
	}
}

// plan is a result as a map from candidate id to site id, or to the reason
// they are left unplaced.
type plan map[string]string

func planOf(r Result) plan {
	p := plan{}
	for _, a := range r.Assignment {
		p[a.Candidate] = a.Site
	}
	for _, u := range r.Unassigned {
		p[u.Candidate] = u.Reason
	}
	return p
}

func TestSolveAndNearestFree(t *testing.T) {
	tests := []struct {
		name     string
		cands    []Candidate
		sites    []Site
		opt      Options
		solve    plan
		solveKm  float64
		greedy   plan
		greedyKm float64
	}{
		{
			name:  "crossing: the first candidate takes the site the second needs",
			cands: []Candidate{onLine("c1", 4), onLine("c2", 1)},
			sites: []Site{siteOnLine("A", 0, 1), siteOnLine("B", 10, 1)},
			solve: plan{"c1": "B", "c2": "A"}, solveKm: 6 + 1,
			greedy: plan{"c1": "A", "c2": "B"}, greedyKm: 4 + 9,
		},
		{
			name:  "a chain of three: the last comer pushes the others one site up",
			cands: []Candidate{onLine("c1", 12), onLine("c2", 8), onLine("c3", 1)},
			sites: []Site{siteOnLine("A", 0, 1), siteOnLine("B", 10, 1), siteOnLine("C", 20, 1)},
			solve: plan{"c1": "C", "c2": "B", "c3": "A"}, solveKm: 8 + 2 + 1,
			greedy: plan{"c1": "B", "c2": "A", "c3": "C"}, greedyKm: 2 + 8 + 19,
		},
		{
			name:  "capacity shortage: the nearest candidates get the places",
			cands: []Candidate{onLine("c1", 5), onLine("c2", 1), onLine("c3", 3)},
			sites: []Site{siteOnLine("A", 0, 2)},
			solve: plan{"c1": ReasonNoPlace, "c2": "A", "c3": "A"}, solveKm: 1 + 3,
			greedy: plan{"c1": "A", "c2": "A", "c3": ReasonNoPlace}, greedyKm: 5 + 1,
		},
		{
			name:  "placing one more comes before travelling less",
			cands: []Candidate{onLine("c1", 1), onLine("c2", 3)},
			sites: []Site{siteOnLine("A", 0, 1), siteOnLine("B", 50, 1)},
			opt:   Options{Eligible: only(map[int][]int{0: {0, 1}, 1: {0}})},
			solve: plan{"c1": "B", "c2": "A"}, solveKm: 49 + 3,
			greedy: plan{"c1": "A", "c2": ReasonNoPlace}, greedyKm: 1,
		},
		{
			name:  "MaxKm leaves out the candidate with no site near enough",
			cands: []Candidate{onLine("c1", 5), onLine("c2", 30)},
			sites: []Site{siteOnLine("A", 0, 5)},
			opt:   Options{MaxKm: 10},
			solve: plan{"c1": "A", "c2": ReasonTooFar}, solveKm: 5,
			greedy: plan{"c1": "A", "c2": ReasonTooFar}, greedyKm: 5,
		},
		{
			name:  "MaxKm: a near site the candidate is not eligible for does not count",
			cands: []Candidate{onLine("c1", 1)},
			sites: []Site{siteOnLine("A", 0, 1), siteOnLine("B", 40, 1)},
			opt:   Options{MaxKm: 10, Eligible: only(map[int][]int{0: {1}})},
			solve: plan{"c1": ReasonTooFar}, greedy: plan{"c1": ReasonTooFar},
		},
		{
			name:  "eligibility: a candidate goes to the site they are eligible for, or nowhere",
			cands: []Candidate{onLine("c1", 1), onLine("c2", 2), onLine("c3", 3)},
			sites: []Site{siteOnLine("A", 0, 3), siteOnLine("B", 20, 3)},
			opt:   Options{Eligible: only(map[int][]int{0: {1}, 2: {0, 1}})},
			solve: plan{"c1": "B", "c2": ReasonNoEligibleSite, "c3": "A"}, solveKm: 19 + 3,
			greedy: plan{"c1": "B", "c2": ReasonNoEligibleSite, "c3": "A"}, greedyKm: 19 + 3,
		},
		{
			name:  "a site without capacity takes no one",
			cands: []Candidate{onLine("c1", 1), onLine("c2", 2)},
			sites: []Site{siteOnLine("A", 0, 0), siteOnLine("B", 20, 1)},
			solve: plan{"c1": ReasonNoPlace, "c2": "B"}, solveKm: 18,
			greedy: plan{"c1": "B", "c2": ReasonNoPlace}, greedyKm: 19,
		},
		{
			name:  "ties go to the first candidate and the first site in input order",
			cands: []Candidate{onLine("c1", 5), onLine("c2", 5), onLine("c3", 5)},
			sites: []Site{siteOnLine("A", 0, 1), siteOnLine("B", 10, 1)},
			solve: plan{"c1": "A", "c2": "B", "c3": ReasonNoPlace}, solveKm: 10,
			greedy: plan{"c1": "A", "c2": "B", "c3": ReasonNoPlace}, greedyKm: 10,
		},
		{
			name:  "ties: when one of two equal candidates must move on, the last in input order does",
			cands: []Candidate{onLine("c1", 2), onLine("c2", 2), onLine("c3", -3)},
			sites: []Site{siteOnLine("A", 0, 2), siteOnLine("B", 10, 1)},
			solve: plan{"c1": "A", "c2": "B", "c3": "A"}, solveKm: 2 + 8 + 3,
			greedy: plan{"c1": "A", "c2": "A", "c3": "B"}, greedyKm: 2 + 2 + 13,
		},
		{
			name:  "no candidates",
			sites: []Site{siteOnLine("A", 0, 1)},
			solve: plan{}, greedy: plan{},
		},
		{
			name:  "no sites",
			cands: []Candidate{onLine("c1", 1)},
			solve: plan{"c1": ReasonNoEligibleSite}, greedy: plan{"c1": ReasonNoEligibleSite},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, run := range []struct {
				name  string
				solve func([]Candidate, []Site, Options) (Result, error)
				want  plan
				km    float64
			}{{"Solve", Solve, tt.solve, tt.solveKm}, {"NearestFree", NearestFree, tt.greedy, tt.greedyKm}} {
				r, err := run.solve(tt.cands, tt.sites, tt.opt)
				if err != nil {
					t.Fatalf("%s: %v", run.name, err)
				}
				if got := planOf(r); !reflect.DeepEqual(got, run.want) {
					t.Errorf("%s = %v, want %v", run.name, got, run.want)
				}
				if math.Abs(r.TotalKm-run.km) > 1e-6 {
					t.Errorf("%s: TotalKm = %.6f, want %g", run.name, r.TotalKm, run.km)
				}
				checkResult(t, run.name, tt.cands, tt.sites, tt.opt, r)
			}
		})
	}
}

func TestInvalidInput(t *testing.T) {
	good := []Candidate{{ID: "c1", Lat: 50.3, Lon: 2.8}}
	goodSites := []Site{{ID: "s1", Lat: 50.4, Lon: 2.6, Capacity: 1}}
	tests := []struct {
		name  string
		cands []Candidate
		sites []Site
		opt   Options
		want  string
	}{
		{"candidate without id", []Candidate{good[0], {Lat: 50, Lon: 2}}, goodSites, Options{}, "Candidat n° 2 : identifiant manquant."},
		{"duplicate candidate", []Candidate{good[0], good[0]}, goodSites, Options{}, "Candidat « c1 » : identifiant en double."},
		{"site without id", good, []Site{{Lat: 50, Lon: 2}}, Options{}, "Site n° 1 : identifiant manquant."},
		{"duplicate site", good, []Site{goodSites[0], goodSites[0]}, Options{}, "Site « s1 » : identifiant en double."},
		{"NaN latitude", []Candidate{{ID: "c9", Lat: math.NaN(), Lon: 2}}, goodSites, Options{}, "Candidat « c9 » : coordonnées invalides"},
		{"infinite longitude", good, []Site{{ID: "s9", Lat: 50, Lon: math.Inf(1), Capacity: 1}}, Options{}, "Site « s9 » : coordonnées invalides"},
		{"latitude beyond the pole", []Candidate{{ID: "c9", Lat: 90.5, Lon: 2}}, goodSites, Options{}, "Candidat « c9 » : coordonnées invalides"},
		{"longitude beyond the date line", []Candidate{{ID: "c9", Lat: 50, Lon: -181}}, goodSites, Options{}, "Candidat « c9 » : coordonnées invalides"},
		{"candidate at (0, 0)", []Candidate{good[0], {ID: "c2"}}, goodSites, Options{}, "Candidat « c2 » : coordonnées inconnues (0, 0)."},
		{"site at (0, 0)", good, []Site{{ID: "s2", Capacity: 3}}, Options{}, "Site « s2 » : coordonnées inconnues (0, 0)."},
		{"negative capacity", good, []Site{{ID: "s3", Lat: 50, Lon: 2, Capacity: -1}}, Options{}, "Site « s3 » : capacité négative."},
		{"negative MaxKm", good, goodSites, Options{MaxKm: -5}, "La distance maximale doit être un nombre positif ou nul."},
		{"NaN MaxKm", good, goodSites, Options{MaxKm: math.NaN()}, "La distance maximale doit être un nombre positif ou nul."},
		{"too many sites", good, make([]Site, MaxSites+1), Options{}, "Trop de sites (1001) : la limite est de 1000."},
		{"too many pairs", make([]Candidate, MaxPairs/2+1), make([]Site, 2), Options{}, "Trop de couples candidat-site"},
	}
	for _, tt := range tests {
		for name, solve := range map[string]func([]Candidate, []Site, Options) (Result, error){"Solve": Solve, "NearestFree": NearestFree} {
			_, err := solve(tt.cands, tt.sites, tt.opt)
			if !errs.Is(err, errs.Invalid) || !strings.HasPrefix(errs.MessageOf(err), tt.want) {
				t.Errorf("%s: %s: err = %v, want Invalid starting %q", tt.name, name, err, tt.want)
			}
		}
	}
}

func TestSameIDForACandidateAndASiteIsAllowed(t *testing.T) {
	r, err := Solve([]Candidate{{ID: "x", Lat: 50.3, Lon: 2.8}}, []Site{{ID: "x", Lat: 50.4, Lon: 2.6, Capacity: 1}}, Options{})
	if err != nil || len(r.Assignment) != 1 {
		t.Fatalf("Solve = %+v, %v; want x placed at x", r, err)
	}
}

// checkResult checks that r is a valid placement of the input: every
// candidate once, in input order, placed or with the right reason; capacities,
// eligibility and MaxKm respected; distances and total exact.
func checkResult(t *testing.T, name string, cands []Candidate, sites []Site, opt Options, r Result) {
	t.Helper()
	siteIndex := map[string]int{}
	for s, site := range sites {
		siteIndex[site.ID] = s
	}
	used := make([]int, len(sites))
	var total float64
	seen := map[string]bool{}
	lastPlaced, lastUnplaced := -1, -1
	candIndex := map[string]int{}
	for c, cand := range cands {
		candIndex[cand.ID] = c
	}
	for _, a := range r.Assignment {
		c, s := candIndex[a.Candidate], siteIndex[a.Site]
		if c <= lastPlaced {
			t.Errorf("%s: assignment not in input order at %s", name, a.Candidate)
		}
		lastPlaced = c
		seen[a.Candidate] = true
		used[s]++
		d := geo.Distance(geo.Point{Lat: cands[c].Lat, Lon: cands[c].Lon}, geo.Point{Lat: sites[s].Lat, Lon: sites[s].Lon})
		if a.DistanceKm != d {
			t.Errorf("%s: %s→%s at %.6f km, want %.6f", name, a.Candidate, a.Site, a.DistanceKm, d)
		}
		if !allowed(cands, sites, opt, c, s) {
			t.Errorf("%s: %s placed at %s, not allowed (eligibility or MaxKm)", name, a.Candidate, a.Site)
		}
		total += d
	}
	if math.Abs(total-r.TotalKm) > 1e-6 {
		t.Errorf("%s: TotalKm = %f, sum of the distances %f", name, r.TotalKm, total)
	}
	for s, n := range used {
		if n > sites[s].Capacity {
			t.Errorf("%s: site %s holds %d, capacity %d", name, sites[s].ID, n, sites[s].Capacity)
		}
	}
	for _, u := range r.Unassigned {
		c := candIndex[u.Candidate]
		if c <= lastUnplaced || seen[u.Candidate] {
			t.Errorf("%s: unplaced %s out of order or also placed", name, u.Candidate)
		}
		lastUnplaced = c
		seen[u.Candidate] = true
		if want := expectedReason(cands, sites, opt, used, c); u.Reason != want {
			t.Errorf("%s: %s unplaced because %q, want %q", name, u.Candidate, u.Reason, want)
		}
	}
	if len(seen) != len(cands) {
		t.Errorf("%s: %d candidates in the result, want %d", name, len(seen), len(cands))
	}
}

// allowed reports whether candidate c may go to site s.
func allowed(cands []Candidate, sites []Site, opt Options, c, s int) bool {
	if opt.Eligible != nil && !opt.Eligible(c, s) {
		return false
	}
	return opt.MaxKm == 0 || distanceKm(cands[c], sites[s]) <= opt.MaxKm
}

// expectedReason says why unplaced candidate c is so; when they could reach
// a site, every such site must be full.
func expectedReason(cands []Candidate, sites []Site, opt Options, used []int, c int) string {
	eligible, reachable, full := false, false, true
	for s := range sites {
		if opt.Eligible == nil || opt.Eligible(c, s) {
			eligible = true
		}
		if allowed(cands, sites, opt, c, s) {
			reachable = true
			full = full && used[s] >= sites[s].Capacity
		}
	}
	switch {
	case !eligible:
		return ReasonNoEligibleSite
	case !reachable:
		return ReasonTooFar
	case !full:
		return "(a reachable site still has a free place)"
	}
	return ReasonNoPlace
}

func distanceKm(c Candidate, s Site) float64 {
	return geo.Distance(geo.Point{Lat: c.Lat, Lon: c.Lon}, geo.Point{Lat: s.Lat, Lon: s.Lon})
}
