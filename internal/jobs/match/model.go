package match

import (
	"strings"
	"time"

	"tremplin/internal/platform/errs"
)

// Means is a way a person travels to work.
type Means string

// The means of travel the engine knows.
const (
	Car     Means = "car"
	Transit Means = "transit"
	Bike    Means = "bike"
	Foot    Means = "foot"
)

// Limits of a query.
const (
	// MaxLimit is the largest number of items a query returns.
	MaxLimit = 1000
	// MaxRadiusKm is the largest search radius.
	MaxRadiusKm = 200
)

// Offer is an open job offer as the engine sees it; only open offers belong
// in the engine.
type Offer struct {
	ID string
	// Lat and Lon place the workplace (WGS 84 degrees); never (0, 0) for unknown.
	Lat, Lon float64
	// ROME is the offer's fiche, e.g. "K2204".
	ROME string
	// WeeklyMinutes is the weekly working time, 0 when unknown.
	WeeklyMinutes int
	// Start is the first day of work, zero for as soon as possible.
	Start time.Time
	// NeedsLicence asks for a driving licence (permis B), NeedsVehicle for a vehicle.
	NeedsLicence, NeedsVehicle bool
	// Qualifications asked for, e.g. "CACES R489", compared case-insensitively.
	Qualifications []string
	// Shifts the job includes, e.g. "nuit", "week-end", "matin", "soir".
	Shifts []string
}

// Candidate is a person looking for work as the engine sees them.
type Candidate struct {
	ID string
	// Lat and Lon place the person's home (WGS 84 degrees); never (0, 0) for unknown.
	Lat, Lon float64
	// ROMEs are the fiches of the jobs the person looks for.
	ROMEs []string
	// RadiusKm is the person's mobility radius, 0 when unknown.
	RadiusKm float64
	// Means are how the person can travel; empty means unknown.
	Means []Means
	// AvailableFrom is the first day the person can work, zero for now.
	AvailableFrom time.Time
	// MinutesMin and MinutesMax bound the weekly working time wanted, 0 for no bound.
	MinutesMin, MinutesMax int
	// Licence is a driving licence (permis B), Vehicle a vehicle of one's own.
	Licence, Vehicle bool
	// Qualifications the person holds.
	Qualifications []string
	// ExcludedShifts are the shifts the person cannot work.
	ExcludedShifts []string
}

// Match is one ranked answer: an offer for a person or a candidate for an offer.
type Match struct {
	// ID is the offer's or the candidate's.
	ID string
	// DistanceKm is the great-circle distance, unrounded.
	DistanceKm float64
	// TravelMinutes estimates the trip by the person's fastest means.
	TravelMinutes int
	// Score is out of 100, one decimal.
	Score float64
	// Reasons explain the score in French.
	Reasons []string
}

// checkPoint refuses coordinates that cannot place a record: NaN, infinite,
// out of range or (0, 0), which is what unknown coordinates often become.
func checkPoint(what, id string, lat, lon float64) error {
	ok := lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0)
	if !ok { // NaN fails every comparison
		return errs.Newf(errs.Invalid, "%s %s : coordonnées absentes ou invalides, impossible de la localiser.", what, id)
	}
	return nil
}

// checkID refuses an empty identifier.
func checkID(what, id string) error {
	if strings.TrimSpace(id) == "" {
		return errs.Newf(errs.Invalid, "%s sans identifiant.", what)
	}
	return nil
}

// validMeans reports whether m is a known means of travel.
func validMeans(m Means) bool { return m == Car || m == Transit || m == Bike || m == Foot }

// checkQuery refuses a radius or a limit out of bounds.
func checkQuery(radiusKm float64, limit int) error {
	if !(radiusKm > 0 && radiusKm <= MaxRadiusKm) {
		return errs.Newf(errs.Invalid, "Le rayon doit être compris entre 0 et %d km.", MaxRadiusKm)
	}
	if limit < 1 || limit > MaxLimit {
		return errs.Newf(errs.Invalid, "Le nombre de résultats doit être compris entre 1 et %d.", MaxLimit)
	}
	return nil
}
