package match

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"tremplin/internal/platform/geo"
)

// home is where the people of the score tests live (Arras).
var home = geo.Point{Lat: 50.2910, Lon: 2.7775}

// north returns the point km kilometres north of home.
func north(km float64) geo.Point {
	return geo.Point{Lat: home.Lat + km/(earthRadiusKm*3.141592653589793/180), Lon: home.Lon}
}

// day returns testToday moved by n days.
func day(n int) time.Time { return testToday.AddDate(0, 0, n) }

// The score and its reasons, pair by pair. Unless a case says otherwise the
// person looks for K2204, goes by car, holds permis B, and the offer is
// K2204, 12.4 km north, asks for nothing: 50 (same fiche) + 20
// (requirements) + 10 (availability) + 20 × (1 − 12.4 × 1.56 / 60) = 13.552
// for the 19.3 minutes by car.
func TestScoreAndReasons(t *testing.T) {
	tests := []struct {
		name    string
		cand    func(*Candidate)
		offer   func(*Offer)
		km      float64
		score   float64
		minutes int
		reasons []string
	}{
		{
			name: "same fiche, nothing asked", km: 12.4, score: 93.6, minutes: 19,
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)", "Disponible à la date de début"},
		},
		{
			name: "same domaine professionnel: 35 points instead of 50", km: 12.4, score: 78.6, minutes: 19,
			offer: func(o *Offer) { o.ROME = "K2202" },
			reasons: []string{"À 12,4 km, environ 19 min en voiture",
				"Même domaine professionnel (K22) : K2202 proposé, K2204 recherché", "Disponible à la date de début"},
		},
		{
			name: "same grand domaine: 20 points", km: 12.4, score: 63.6, minutes: 19,
			offer: func(o *Offer) { o.ROME = "K1302" },
			reasons: []string{"À 12,4 km, environ 19 min en voiture",
				"Même grand domaine (K) : K1302 proposé, K2204 recherché", "Disponible à la date de début"},
		},
		{
			name: "no ROME fit: no point", km: 12.4, score: 43.6, minutes: 19,
			offer: func(o *Offer) { o.ROME = "N1103" },
			reasons: []string{"À 12,4 km, environ 19 min en voiture",
				"Métier (N1103) sans lien avec ceux que la personne recherche", "Disponible à la date de début"},
		},
		{
			name: "the best fit among several target jobs counts", km: 12.4, score: 78.6, minutes: 19,
			cand:  func(c *Candidate) { c.ROMEs = []string{"N1103", "k2201 ", "K1302"} },
			offer: func(o *Offer) { o.ROME = "K2202" },
			reasons: []string{"À 12,4 km, environ 19 min en voiture",
				"Même domaine professionnel (K22) : K2202 proposé, K2201 recherché", "Disponible à la date de début"},
		},
		{
			name: "no target job", km: 12.4, score: 43.6, minutes: 19,
			cand: func(c *Candidate) { c.ROMEs = nil },
			reasons: []string{"À 12,4 km, environ 19 min en voiture",
				"Métier proposé (K2204) : la personne n'a pas indiqué de métier recherché", "Disponible à la date de début"},
		},
		{
			name: "permis B asked and missing: 5 points lost", km: 12.4, score: 88.6, minutes: 19,
			cand:  func(c *Candidate) { c.Licence = false },
			offer: func(o *Offer) { o.NeedsLicence = true },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Permis B demandé : la personne ne l'a pas", "Disponible à la date de début"},
		},
		{
			name: "permis B and vehicle asked and held", km: 12.4, score: 93.6, minutes: 19,
			cand:  func(c *Candidate) { c.Vehicle = true },
			offer: func(o *Offer) { o.NeedsLicence, o.NeedsVehicle = true, true },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Permis B demandé : la personne l'a", "Véhicule demandé : la personne en a un", "Disponible à la date de début"},
		},
		{
			name: "vehicle asked and missing", km: 12.4, score: 88.6, minutes: 19,
			offer: func(o *Offer) { o.NeedsVehicle = true },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Véhicule demandé : la personne n'en a pas", "Disponible à la date de début"},
		},
		{
			name: "one qualification of two: 3 of 6 points, compared whatever the case and spaces", km: 12.4, score: 90.6, minutes: 19,
			cand:  func(c *Candidate) { c.Qualifications = []string{"caces  r489", "BAFA"} },
			offer: func(o *Offer) { o.Qualifications = []string{"CACES R489", "SST"} },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Qualification manquante : SST", "Disponible à la date de début"},
		},
		{
			name: "qualifications all held", km: 12.4, score: 93.6, minutes: 19,
			cand:  func(c *Candidate) { c.Qualifications = []string{"SST", "CACES R489"} },
			offer: func(o *Offer) { o.Qualifications = []string{"CACES R489", "SST"} },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Qualifications demandées toutes détenues : CACES R489, SST", "Disponible à la date de début"},
		},
		{
			name: "one excluded shift of two: 2 of 4 points", km: 12.4, score: 91.6, minutes: 19,
			cand:  func(c *Candidate) { c.ExcludedShifts = []string{"nuit"} },
			offer: func(o *Offer) { o.Shifts = []string{"nuit", "week-end"} },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Horaires que la personne exclut : nuit", "Disponible à la date de début"},
		},
		{
			name: "shifts accepted", km: 12.4, score: 93.6, minutes: 19,
			cand:  func(c *Candidate) { c.ExcludedShifts = []string{"soir"} },
			offer: func(o *Offer) { o.Shifts = []string{"matin"} },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Horaires acceptés par la personne : matin", "Disponible à la date de début"},
		},
		{
			name: "available 12 days after the start: 5 × (1 − 12/60) = 4 points", km: 12.4, score: 92.6, minutes: 19,
			cand:  func(c *Candidate) { c.AvailableFrom = day(22) },
			offer: func(o *Offer) { o.Start = day(10) },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Disponible 12 jours après la date de début"},
		},
		{
			name: "a start as soon as possible counts from today", km: 12.4, score: 92.6, minutes: 19,
			cand: func(c *Candidate) { c.AvailableFrom = day(12) },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Disponible 12 jours après la date de début"},
		},
		{
			name: "a start date already past counts as today", km: 12.4, score: 93.6, minutes: 19,
			cand:    func(c *Candidate) { c.AvailableFrom = day(-3) },
			offer:   func(o *Offer) { o.Start = day(-30) },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)", "Disponible à la date de début"},
		},
		{
			name: "available 60 days late or more: no start point", km: 12.4, score: 88.6, minutes: 19,
			cand: func(c *Candidate) { c.AvailableFrom = day(75) },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)",
				"Disponible 75 jours après la date de début"},
		},
		{
			name: "weekly hours over the maximum: 5 points lost", km: 12.4, score: 88.6, minutes: 19,
			cand:  func(c *Candidate) { c.MinutesMin, c.MinutesMax = 20*60, 35*60 },
			offer: func(o *Offer) { o.WeeklyMinutes = 39 * 60 },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)", "Disponible à la date de début",
				"Durée de 39 h par semaine, au-delà des 35 h souhaitées au plus"},
		},
		{
			name: "weekly hours under the minimum", km: 12.4, score: 88.6, minutes: 19,
			cand:  func(c *Candidate) { c.MinutesMin = 24 * 60 },
			offer: func(o *Offer) { o.WeeklyMinutes = 17*60 + 30 },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)", "Disponible à la date de début",
				"Durée de 17,5 h par semaine, en deçà des 24 h souhaitées au moins"},
		},
		{
			name: "weekly hours as wished", km: 12.4, score: 93.6, minutes: 19,
			cand:  func(c *Candidate) { c.MinutesMin, c.MinutesMax = 20*60, 35*60 },
			offer: func(o *Offer) { o.WeeklyMinutes = 24 * 60 },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Même métier (K2204)", "Disponible à la date de début",
				"Durée de 24 h par semaine, comme le souhaite la personne"},
		},
		{
			name: "by public transport: 12.4 × 3.12 + 10 = 48.7 min", km: 12.4, score: 83.8, minutes: 49,
			cand:    func(c *Candidate) { c.Means = []Means{Transit} },
			reasons: []string{"À 12,4 km, environ 49 min en transports en commun", "Même métier (K2204)", "Disponible à la date de début"},
		},
		{
			name: "means unknown: public transport assumed", km: 12.4, score: 83.8, minutes: 49,
			cand: func(c *Candidate) { c.Means = nil },
			reasons: []string{"À 12,4 km, environ 49 min en transports en commun (moyen de déplacement non renseigné)",
				"Même métier (K2204)", "Disponible à la date de début"},
		},
		{
			name: "the fastest means at the distance: by bike rather than bus at 2 km", km: 2, score: 96.5, minutes: 10,
			cand:    func(c *Candidate) { c.Means = []Means{Foot, Transit, Bike} },
			reasons: []string{"À 2 km, environ 10 min à vélo", "Même métier (K2204)", "Disponible à la date de début"},
		},
		{
			name: "an hour away or more: no travel point", km: 4.2, score: 80, minutes: 66,
			cand:    func(c *Candidate) { c.Means = []Means{Foot} },
			reasons: []string{"À 4,2 km, environ 1 h 06 à pied", "Même métier (K2204)", "Disponible à la date de début"},
		},
		{
			name: "beyond the mobility radius: travel points halved", km: 12.4, score: 86.8, minutes: 19,
			cand: func(c *Candidate) { c.RadiusKm = 10 },
			reasons: []string{"À 12,4 km, environ 19 min en voiture", "Au-delà du rayon de mobilité de la personne (10 km)",
				"Même métier (K2204)", "Disponible à la date de début"},
		},
		{
			name: "same place", km: 0, score: 100, minutes: 0,
			reasons: []string{"À 0 km, moins d'une minute en voiture", "Même métier (K2204)", "Disponible à la date de début"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Candidate{ID: "p1", Lat: home.Lat, Lon: home.Lon, ROMEs: []string{"K2204"}, Means: []Means{Car}, Licence: true}
			at := north(tt.km)
			o := Offer{ID: "o1", Lat: at.Lat, Lon: at.Lon, ROME: "K2204"}
			if tt.cand != nil {
				tt.cand(&c)
			}
			if tt.offer != nil {
				tt.offer(&o)
			}
			e := NewEngine(fixedClock())
			if err := e.UpsertCandidate(c); err != nil {
				t.Fatal(err)
			}
			if err := e.UpsertOffer(o); err != nil {
				t.Fatal(err)
			}
			got, total, err := e.OffersFor("p1", 50, 10)
			if err != nil || total != 1 || len(got) != 1 {
				t.Fatalf("OffersFor = %v, %d, %v", got, total, err)
			}
			m := got[0]
			if m.ID != "o1" || m.Score != tt.score || m.TravelMinutes != tt.minutes || !reflect.DeepEqual(m.Reasons, tt.reasons) {
				t.Errorf("got %s score %v, %d min, %q\nwant score %v, %d min, %q", m.ID, m.Score, m.TravelMinutes, m.Reasons, tt.score, tt.minutes, tt.reasons)
			}
			if d := geo.Distance(home, at); m.DistanceKm != d {
				t.Errorf("distance %v, want geo.Distance %v", m.DistanceKm, d)
			}
			back, _, err := e.CandidatesFor("o1", 50, 10)
			want := m
			want.ID = "p1"
			if err != nil || len(back) != 1 || !reflect.DeepEqual(back[0], want) {
				t.Errorf("CandidatesFor gives %+v, want the same pair seen from the offer %+v", back, want)
			}
		})
	}
}

// The score only grows with the ROME fit, whatever the rest, and the ROME
// fit outweighs every other part together minus a margin: the searches'
// early stops rest on both.
func TestScoreWeights(t *testing.T) {
	if got := pointsFiche - pointsDomaine; got < 10 {
		t.Errorf("fiche − domaine = %d", got)
	}
	if maxRest+pointsTravel != 50 {
		t.Errorf("the parts besides the ROME fit add up to %v, want 50", maxRest+pointsTravel)
	}
	if got := scoreBound(fitFiche, pointsTravel); got != 100 {
		t.Errorf("the best score is %v, want 100", got)
	}
	if got := scoreBound(fitNone, anyone.travelPoints(0)); got != 50 {
		t.Errorf("the best score without ROME fit is %v, want 50", got)
	}
}

// Travel points never grow with the distance, for every means and radius:
// the searches bound a cell's items by the points at its nearest distance.
func TestTravelPointsDecrease(t *testing.T) {
	for _, means := range [][]Means{{Car}, {Transit}, {Bike}, {Foot}, {Foot, Transit}, {Bike, Transit}, nil, {Car, Transit, Bike, Foot}} {
		for _, radius := range []float64{0, 3, 10.5} {
			c := &candTerms{radiusKm: radius}
			c.setMeans(means)
			prev := c.travelPoints(0)
			for d := 0.0; d < 80; d += 0.01 {
				p := c.travelPoints(d)
				if p > prev || p > anyone.travelPoints(d) {
					t.Fatalf("means %v radius %v: %v points at %v km, more than %v before or than anyone's %v", means, radius, p, d, prev, anyone.travelPoints(d))
				}
				prev = p
			}
		}
	}
}

// Beyond the first 64 qualifications and shifts the engine has seen, which
// scoring compares as bits, sets are compared label by label.
func TestManyLabels(t *testing.T) {
	e := NewEngine(fixedClock())
	var first []string
	for i := range 70 {
		first = append(first, fmt.Sprintf("Habilitation %d", i))
	}
	at := north(3)
	mustUpsert(t, e,
		Offer{ID: "o0", Lat: at.Lat, Lon: at.Lon, ROME: "A1101", Qualifications: first}, // takes the first 70 keys
		Offer{ID: "o1", Lat: at.Lat, Lon: at.Lon, ROME: "K2204", Qualifications: []string{"CACES R489", "Habilitation 2", "SST"}},
		Candidate{ID: "p1", Lat: home.Lat, Lon: home.Lon, ROMEs: []string{"K2204"}, Means: []Means{Car},
			Qualifications: []string{"sst", "Habilitation 2", "BAFA"}})
	items, _, err := e.OffersFor("p1", 10, 1)
	if err != nil || len(items) != 1 || items[0].ID != "o1" {
		t.Fatalf("got %v, %v", items, err)
	}
	// 2 of 3 qualifications held: 4 of 6 points; 3 km by car is 4.68 min
	want := math.Round((50+(5+5+4+4)+10+20*(1-items[0].DistanceKm*1.56/60))*10) / 10
	if items[0].Score != want || !slices.Contains(items[0].Reasons, "Qualification manquante : CACES R489") {
		t.Errorf("got %v %q, want score %v and CACES R489 missing", items[0].Score, items[0].Reasons, want)
	}
}
