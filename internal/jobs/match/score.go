package match

import "math"

// Points of each part of the score (see the package documentation).
const (
	pointsFiche          = 50
	pointsDomaine        = 35
	pointsGrand          = 20
	pointsTravel         = 20
	pointsLicence        = 5
	pointsVehicle        = 5
	pointsQualifications = 6
	pointsShifts         = 4
	pointsStart          = 5
	pointsHours          = 5
)

// Travel estimates.
const (
	// detourFactor turns a great-circle distance into a distance on roads and paths.
	detourFactor = 1.3
	// travelCapMinutes is the trip from which travel earns no point.
	travelCapMinutes = 60
	// transitAccessMinutes is the time to reach a stop and wait.
	transitAccessMinutes = 10
	// lateCapDays is the delay after the start date from which availability earns no point.
	lateCapDays = 60
	// outsideRadiusFactor multiplies travel points beyond the person's mobility radius.
	outsideRadiusFactor = 0.5
)

// minutesPerKm returns the minutes one great-circle kilometre takes by m.
func minutesPerKm(m means) float64 {
	switch m {
	case byCar:
		return detourFactor * 60 / 50
	case byTransit:
		return detourFactor * 60 / 25
	case byBike:
		return detourFactor * 60 / 15
	default:
		return detourFactor * 60 / 5
	}
}

// accessMinutes returns the fixed time a trip by m takes on top of the distance.
func accessMinutes(m means) float64 {
	if m == byTransit {
		return transitAccessMinutes
	}
	return 0
}

// termsFit returns the ROME fit of a candidate's terms with an offer's
// fiche, reaching the candidate's entry only when they look for more jobs
// than their terms hold.
func termsFit(c *candTerms, entry *candEntry, o rome) fit {
	fs := c.first[:min(int(c.nFiches), len(c.first))]
	if int(c.nFiches) > len(c.first) {
		fs = entry.fiches
	}
	f, _ := fitOf(fs, o)
	return f
}

// fitPoints returns the points of a ROME fit.
func fitPoints(f fit) float64 {
	return [...]float64{fitNone: 0, fitGrand: pointsGrand, fitDomaine: pointsDomaine, fitFiche: pointsFiche}[f]
}

// travel returns the minutes of the trip over d km by the person's fastest
// means, and that means: their fastest means without access time (car, bike,
// foot), or public transport when it is quicker at that distance.
func (c *candTerms) travel(d float64) (float64, means) {
	t, by := math.Inf(1), c.direct
	if by != byNone {
		t = d * c.kDirect
	}
	if c.transit {
		if tt := d*minutesPerKm(byTransit) + accessMinutes(byTransit); tt < t {
			t, by = tt, byTransit
		}
	}
	return t, by
}

// setMeans records how c travels: m, or public transport when m is empty.
func (c *candTerms) setMeans(ms []Means) {
	c.direct, c.kDirect, c.transit, c.noMeans = byNone, 0, false, len(ms) == 0
	if c.noMeans {
		ms = []Means{Transit}
	}
	for _, x := range ms {
		switch m := meansOf(x); {
		case m == byTransit:
			c.transit = true
		case c.direct == byNone || minutesPerKm(m) < c.kDirect:
			c.direct, c.kDirect = m, minutesPerKm(m)
		}
	}
}

// travelPoints returns the travel part of the score at d km; it never grows
// with d, which the searches' bounds rely on.
func (c *candTerms) travelPoints(d float64) float64 {
	t, _ := c.travel(d)
	p := pointsTravel * max(0, 1-t/travelCapMinutes)
	if c.radiusKm > 0 && d > c.radiusKm {
		p *= outsideRadiusFactor
	}
	return p
}

// anyone is the fastest person there could be: every means, no radius. Its
// travel points at a distance bound every candidate's.
var anyone = func() *candTerms {
	c := &candTerms{}
	c.setMeans([]Means{Car, Transit, Bike, Foot})
	return c
}()

// requirementPoints returns the requirements part: licence, vehicle,
// qualifications held and shifts not excluded. The entries are read only
// when both sides hold labels beyond the masks, and may be nil otherwise.
func requirementPoints(c *candTerms, o *offerTerms, ce *candEntry, oe *offerEntry) float64 {
	lic, veh := float64(pointsLicence), float64(pointsVehicle)
	if o.licence && !c.licence {
		lic = 0
	}
	if o.vehicle && !c.vehicle {
		veh = 0
	}
	qual := float64(pointsQualifications)
	if n := o.quals.n; n > 0 {
		k, ok := held(o.quals, c.quals)
		if !ok {
			k = countHeld(oe.qualSet, ce.qualSet)
		}
		qual = pointsQualifications * float64(k) / float64(n)
	}
	sh := float64(pointsShifts)
	if n := o.shifts.n; n > 0 {
		k, ok := held(o.shifts, c.excluded)
		if !ok {
			k = countHeld(oe.shiftSet, ce.excludedSet)
		}
		sh = pointsShifts * float64(int(n)-k) / float64(n)
	}
	return sum4(lic, veh, qual, sh)
}

// availabilityPoints returns the availability part: start date and weekly hours.
func availabilityPoints(c *candTerms, o *offerTerms, today int32) float64 {
	start := float64(pointsStart)
	if late := lateDays(c, o, today); late > 0 {
		start = pointsStart * max(0, 1-float64(late)/lateCapDays)
	}
	hours := float64(pointsHours)
	if hoursOutside(c, o) != 0 {
		hours = 0
	}
	return start + hours
}

// lateDays returns how many days after the offer's start the person can begin
// (0 or less: in time); unknown dates count as today.
func lateDays(c *candTerms, o *offerTerms, today int32) int32 {
	return max(c.availDay, today) - max(o.startDay, today)
}

// hoursOutside returns -1 when the offer's weekly time is under the person's
// minimum, 1 when over the maximum, 0 when within or unknown.
func hoursOutside(c *candTerms, o *offerTerms) int {
	switch {
	case o.minutes == 0:
		return 0
	case c.minMin > 0 && o.minutes < c.minMin:
		return -1
	case c.minMax > 0 && o.minutes > c.minMax:
		return 1
	}
	return 0
}

// maxRest is the requirements and availability parts at their best, summed
// as rest sums them so that bounds stay bounds in floating point.
var maxRest = sum4(pointsLicence, pointsVehicle, pointsQualifications, pointsShifts) + (float64(pointsStart) + float64(pointsHours))

func sum4(a, b, c, d float64) float64 { return a + b + c + d }

// rest returns the parts of a pair's score that do not depend on distance:
// requirements and availability (entries as for requirementPoints).
func rest(c *candTerms, o *offerTerms, ce *candEntry, oe *offerEntry, today int32) float64 {
	return requirementPoints(c, o, ce, oe) + availabilityPoints(c, o, today)
}

// total adds the parts and rounds to one decimal. Every step is monotone, so
// parts at their upper bounds give an upper bound of the score.
func total(rome, rest, travel float64) float64 {
	return math.Round((rome+rest+travel)*10) / 10
}

// score returns the score of a person and an offer d km apart whose ROME fit is f.
func score(c *candEntry, o *offerEntry, f fit, d float64, today int32) float64 {
	return total(fitPoints(f), rest(&c.candTerms, &o.offerTerms, c, o, today), c.travelPoints(d))
}

// scoreBound returns the best score of a pair with fit f whose travel part
// is at most travel.
func scoreBound(f fit, travel float64) float64 {
	return total(fitPoints(f), maxRest, travel)
}
