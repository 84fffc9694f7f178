package match

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// testToday is the date of the tests' clock.
var testToday = time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)

// fixedClock returns an engine option with the tests' clock.
func fixedClock() Option { return WithClock(func() time.Time { return testToday }) }

// area is a latitude-longitude rectangle random points are drawn in.
type area struct{ lat0, lat1, lon0, lon1 float64 }

// pasDeCalais is about the département's extent (some 6,700 km²).
var pasDeCalais = area{50.0, 50.9, 1.6, 3.1}

// towns are centres around which most generated people and offers live.
var towns = [][2]float64{
	{50.29, 2.78}, {50.43, 2.83}, {50.53, 2.64}, {50.72, 1.61}, {50.75, 2.25}, {50.37, 3.06},
	{50.48, 2.55}, {50.40, 2.95}, {50.20, 2.45}, {50.58, 1.95}, {50.62, 2.37}, {50.14, 1.83},
}

// gen draws random offers and candidates.
type gen struct {
	r       *rand.Rand
	a       area
	fiches  []string
	quals   []string
	shifts  []string
	clumped bool // most points around towns, as in a real département
	// offerQuals and candQuals are the chances that an offer asks for, and a
	// person holds, each qualification.
	offerQuals, candQuals float64
}

// newGen returns a generator of the given seed drawing in a, with ROME fiches
// spread over grands domaines × domaines per grand × fiches per domaine.
func newGen(seed uint64, a area, grands, domaines, fiches int) *gen {
	g := &gen{
		r:          rand.New(rand.NewPCG(seed, 0x7e3b)),
		a:          a,
		quals:      []string{"CACES R489", "SST", "HACCP", "Habilitation électrique", "BAFA", "caces r489 "},
		shifts:     []string{"matin", "soir", "nuit", "week-end", "coupure"},
		offerQuals: 0.12, candQuals: 0.2,
	}
	for l := 0; l < grands; l++ {
		for d := 1; d <= domaines; d++ {
			for f := 1; f <= fiches; f++ {
				g.fiches = append(g.fiches, fmt.Sprintf("%c%d%d%02d", 'A'+l, 1+d/10, d%10, f))
			}
		}
	}
	return g
}

// point draws a position, around a town when clumped.
func (g *gen) point() (float64, float64) {
	if g.clumped && g.r.Float64() < 0.7 {
		t := towns[g.r.IntN(len(towns))]
		lat := t[0] + g.r.NormFloat64()*0.03
		lon := t[1] + g.r.NormFloat64()*0.045
		return clamp(lat, g.a.lat0, g.a.lat1), clamp(lon, g.a.lon0, g.a.lon1)
	}
	return g.a.lat0 + g.r.Float64()*(g.a.lat1-g.a.lat0), g.a.lon0 + g.r.Float64()*(g.a.lon1-g.a.lon0)
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// fiche draws a ROME fiche, the first ones more often (some jobs are common).
func (g *gen) fiche() string {
	i := int(float64(len(g.fiches)) * math.Pow(g.r.Float64(), 1.6))
	return g.fiches[min(i, len(g.fiches)-1)]
}

// some draws each value of vs with chance p.
func (g *gen) some(vs []string, p float64) []string {
	var out []string
	for _, v := range vs {
		if g.r.Float64() < p {
			out = append(out, v)
		}
	}
	return out
}

// date draws a date around testToday, zero a third of the time.
func (g *gen) date() time.Time {
	if g.r.IntN(3) == 0 {
		return time.Time{}
	}
	return testToday.AddDate(0, 0, g.r.IntN(120)-40)
}

// manyQualifications makes the generator draw among 90 qualifications, more
// than the 64 labels scoring compares by bits.
func (g *gen) manyQualifications() {
	g.quals = nil
	for i := range 90 {
		g.quals = append(g.quals, fmt.Sprintf("Qualification %d", i))
	}
	g.offerQuals, g.candQuals = 0.03, 0.08
}

// offer draws an offer.
func (g *gen) offer(id string) Offer {
	lat, lon := g.point()
	o := Offer{
		ID: id, Lat: lat, Lon: lon, ROME: g.fiche(), Start: g.date(),
		NeedsLicence: g.r.IntN(4) == 0, NeedsVehicle: g.r.IntN(8) == 0,
		Qualifications: g.some(g.quals, g.offerQuals), Shifts: g.some(g.shifts, 0.15),
	}
	if g.r.IntN(4) > 0 {
		o.WeeklyMinutes = 60 * (10 + g.r.IntN(30))
	}
	return o
}

// candidate draws a candidate with one to five target jobs, the others
// often close to the first.
func (g *gen) candidate(id string) Candidate {
	lat, lon := g.point()
	c := Candidate{
		ID: id, Lat: lat, Lon: lon, RadiusKm: float64(g.r.IntN(41)), AvailableFrom: g.date(),
		Licence: g.r.IntN(2) == 0, Vehicle: g.r.IntN(3) == 0,
		Qualifications: g.some(g.quals, g.candQuals), ExcludedShifts: g.some(g.shifts, 0.2),
	}
	first := g.fiche()
	c.ROMEs = []string{first}
	more := g.r.IntN(3)
	if g.r.IntN(10) == 0 {
		more += 2 // more target jobs than the terms in the trees hold
	}
	for n := more; n > 0; n-- {
		if g.r.IntN(2) == 0 {
			c.ROMEs = append(c.ROMEs, first[:3]+fmt.Sprintf("%02d", 1+g.r.IntN(9)))
		} else {
			c.ROMEs = append(c.ROMEs, g.fiche())
		}
	}
	for _, m := range []Means{Car, Transit, Bike, Foot} {
		if g.r.IntN(3) == 0 {
			c.Means = append(c.Means, m)
		}
	}
	if g.r.IntN(2) == 0 {
		c.MinutesMin = 60 * g.r.IntN(25)
	}
	if g.r.IntN(2) == 0 {
		c.MinutesMax = c.MinutesMin + 60*g.r.IntN(20)
	}
	return c
}

// data is a generated département: offers and candidates.
type data struct {
	offers []Offer
	cands  []Candidate
}

// build draws n offers and m candidates; dup is the share placed exactly on
// an earlier point.
func (g *gen) build(n, m int, dup float64) data {
	var d data
	for i := range n {
		o := g.offer(fmt.Sprintf("o%05d", i))
		if i > 0 && g.r.Float64() < dup {
			p := d.offers[g.r.IntN(i)]
			o.Lat, o.Lon = p.Lat, p.Lon
		}
		d.offers = append(d.offers, o)
	}
	for i := range m {
		c := g.candidate(fmt.Sprintf("c%05d", i))
		if i > 0 && g.r.Float64() < dup {
			p := d.cands[g.r.IntN(i)]
			c.Lat, c.Lon = p.Lat, p.Lon
		}
		d.cands = append(d.cands, c)
	}
	return d
}

// engine loads d into a new engine with the tests' clock.
func (d data) engine() *Engine {
	e := NewEngine(fixedClock())
	for _, o := range d.offers {
		if err := e.UpsertOffer(o); err != nil {
			panic(err)
		}
	}
	for _, c := range d.cands {
		if err := e.UpsertCandidate(c); err != nil {
			panic(err)
		}
	}
	return e
}
