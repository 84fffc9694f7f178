package jobs

import (
	"encoding/json"
	"strings"
	"time"

	"tremplin/internal/platform/errs"
)

// CV is a person's online CV: what matching reads and, with the person's
// consent, what employers see.
type CV struct {
	PersonID       string
	Headline       string
	Summary        string
	Skills         []string
	ROMEs          []string
	RadiusKm       int
	Means          []string
	AvailableFrom  *time.Time
	MinutesMin     int
	MinutesMax     int
	ExcludedShifts []string
	Licence        bool
	Vehicle        bool
	Qualifications []string
	Online         bool
	Experiences    []Experience
	// Consent is the consent in force, nil when there is none.
	Consent   *Consent
	Consents  []Consent
	CreatedAt time.Time
	UpdatedAt time.Time
	// Exists is false for a CV drafted from the diagnostic, not saved yet.
	Exists bool
}

// Shared reports whether employers may see the CV: online with a consent in force.
func (c CV) Shared() bool { return c.Online && c.Consent != nil }

// MeansLabels returns the French labels of the means of travel.
func (c CV) MeansLabels() []string { return labels(Means, c.Means) }

// ExcludedShiftLabels returns the French labels of the excluded shifts.
func (c CV) ExcludedShiftLabels() []string { return labels(Shifts, c.ExcludedShifts) }

// HoursMin and HoursMax write the wanted weekly hours.
func (c CV) HoursMin() string { return FormatHours(c.MinutesMin) }

// HoursMax writes the most weekly hours wanted.
func (c CV) HoursMax() string { return FormatHours(c.MinutesMax) }

// Experience is a past job or placement on a CV.
type Experience struct {
	ID          string
	Title       string
	Employer    string
	Start       *time.Time
	End         *time.Time
	Description string
}

// Consent methods.
const (
	ConsentOral    = "oral"
	ConsentWritten = "written"
)

// ConsentMethods are how a consent was collected.
var ConsentMethods = []Option{{ConsentOral, "Accord oral recueilli en entretien"}, {ConsentWritten, "Accord écrit signé"}}

// Consent is the person's agreement to share the CV with employers.
type Consent struct {
	ID        string
	Method    string
	GivenAt   time.Time
	GivenBy   string
	RevokedAt *time.Time
	RevokedBy string
}

// MethodLabel returns the French label of the collection method.
func (c Consent) MethodLabel() string { return labelOf(ConsentMethods, c.Method) }

// CVInput is a CV as a form or the API gives it.
type CVInput struct {
	Headline       string            `json:"headline"`
	Summary        string            `json:"summary"`
	Skills         []string          `json:"skills"`
	ROMEs          []string          `json:"romes"`
	RadiusKm       int               `json:"radius_km"`
	Means          []string          `json:"means"`
	AvailableFrom  string            `json:"available_from"`
	HoursMin       string            `json:"hours_min"`
	HoursMax       string            `json:"hours_max"`
	ExcludedShifts []string          `json:"excluded_shifts"`
	Licence        bool              `json:"licence"`
	Vehicle        bool              `json:"vehicle"`
	Qualifications []string          `json:"qualifications"`
	Online         bool              `json:"online"`
	Experiences    []ExperienceInput `json:"experiences"`
}

// ExperienceInput is one experience of a CV.
type ExperienceInput struct {
	Title       string `json:"title"`
	Employer    string `json:"employer"`
	Start       string `json:"start_date"`
	End         string `json:"end_date"`
	Description string `json:"description"`
}

// checkCV normalises a CV, reporting every field error at once; romeKnown
// tells whether a ROME fiche exists.
func checkCV(in CVInput, romeKnown func(string) bool) (CV, error) {
	fe := errs.FieldErrors{}
	c := CV{Headline: strings.TrimSpace(in.Headline), Summary: strings.TrimSpace(in.Summary), Skills: cleanList(in.Skills),
		RadiusKm: in.RadiusKm, Licence: in.Licence, Vehicle: in.Vehicle, Qualifications: cleanList(in.Qualifications), Online: in.Online}
	if len(c.Headline) > 200 {
		fe.Add("headline", "Le titre tient en 200 caractères au plus.")
	}
	if len(c.Summary) > 3000 {
		fe.Add("summary", "La présentation tient en 3 000 caractères au plus.")
	}
	if len(c.Skills) > 40 {
		fe.Add("skills", "40 compétences au plus.")
	}
	for _, code := range cleanList(in.ROMEs) {
		rome, ok := NormalizeROME(code)
		if !ok || !romeKnown(rome) {
			fe.Add("romes", "Code ROME inconnu : "+code+".")
			continue
		}
		if !containsFold(c.ROMEs, rome) {
			c.ROMEs = append(c.ROMEs, rome)
		}
	}
	if len(c.ROMEs) > 5 {
		fe.Add("romes", "Cinq métiers recherchés au plus.")
	}
	if c.Online && len(c.ROMEs) == 0 {
		fe.Add("romes", "Un CV en ligne indique au moins un métier recherché (code ROME).")
	}
	if c.RadiusKm == 0 {
		c.RadiusKm = 20
	}
	if c.RadiusKm < 1 || c.RadiusKm > 200 {
		fe.Add("radius_km", "Le rayon de mobilité va de 1 à 200 km.")
	}
	c.Means = checkChoices(fe, "means", in.Means, Means, "Moyen de déplacement inconnu : ")
	c.ExcludedShifts = checkChoices(fe, "excluded_shifts", in.ExcludedShifts, Shifts, "Horaire inconnu : ")
	var ok bool
	if c.AvailableFrom, ok = parseDay(in.AvailableFrom); !ok {
		fe.Add("available_from", "Indiquez la date de disponibilité au format JJ/MM/AAAA.")
	}
	if c.MinutesMin, ok = ParseHours(in.HoursMin); !ok || c.MinutesMin > 48*60 {
		fe.Add("hours_min", "Indiquez un nombre d'heures par semaine de 0 à 48.")
	}
	if c.MinutesMax, ok = ParseHours(in.HoursMax); !ok || c.MinutesMax > 48*60 {
		fe.Add("hours_max", "Indiquez un nombre d'heures par semaine de 0 à 48.")
	} else if c.MinutesMax > 0 && c.MinutesMax < c.MinutesMin {
		fe.Add("hours_max", "Le maximum d'heures est inférieur au minimum.")
	}
	if c.Vehicle && !c.Licence && containsFold(c.Means, "car") {
		fe.Add("licence", "Un déplacement en voiture avec son véhicule suppose le permis.")
	}
	c.Experiences = checkExperiences(fe, in.Experiences)
	return c, fe.Err()
}

func checkChoices(fe errs.FieldErrors, field string, in []string, opts []Option, unknown string) []string {
	var out []string
	for _, v := range cleanList(in) {
		if !hasOption(opts, v) {
			fe.Add(field, unknown+v+".")
			continue
		}
		out = append(out, v)
	}
	return out
}

func checkExperiences(fe errs.FieldErrors, in []ExperienceInput) []Experience {
	var out []Experience
	for _, e := range in {
		x := Experience{Title: strings.TrimSpace(e.Title), Employer: strings.TrimSpace(e.Employer), Description: strings.TrimSpace(e.Description)}
		if x.Title == "" && x.Employer == "" && strings.TrimSpace(e.Start) == "" {
			continue
		}
		if x.Title == "" || len(x.Title) > 200 {
			fe.Add("experiences", "Chaque expérience indique un intitulé (200 caractères au plus).")
		}
		var ok1, ok2 bool
		x.Start, ok1 = parseDay(e.Start)
		x.End, ok2 = parseDay(e.End)
		if !ok1 || !ok2 {
			fe.Add("experiences", "Les dates d'une expérience s'écrivent JJ/MM/AAAA.")
		} else if x.Start != nil && x.End != nil && x.End.Before(*x.Start) {
			fe.Add("experiences", "Une expérience finit avant d'avoir commencé : "+x.Title+".")
		}
		out = append(out, x)
	}
	if len(out) > 30 {
		fe.Add("experiences", "30 expériences au plus.")
	}
	return out
}

// diagnosticGrid is the part of the joint diagnostic a CV starts from.
type diagnosticGrid struct {
	Qualifications string   `json:"qualifications"`
	TargetJobs     []string `json:"target_jobs"`
	MobilityKm     int      `json:"mobility_km"`
	HoursWanted    string   `json:"hours_wanted"`
	DrivingLicence bool     `json:"driving_licence"`
	Vehicle        bool     `json:"vehicle"`
	Strengths      string   `json:"strengths"`
	WorkHistory    string   `json:"work_history"`
}

// draftFromDiagnostic drafts a CV from the latest diagnostic's content, so
// that the professional and the person start from what was said there.
func draftFromDiagnostic(personID, content string) CV {
	c := CV{PersonID: personID, RadiusKm: 20}
	var g diagnosticGrid
	if content == "" || json.Unmarshal([]byte(content), &g) != nil {
		return c
	}
	c.ROMEs = cleanList(g.TargetJobs)
	if g.MobilityKm > 0 {
		c.RadiusKm = g.MobilityKm
	}
	c.Licence, c.Vehicle = g.DrivingLicence, g.Vehicle
	if g.Vehicle {
		c.Means = []string{"car"}
	}
	switch g.HoursWanted {
	case "temps_plein":
		c.MinutesMin, c.MinutesMax = 35*60, 39*60
	case "temps_partiel":
		c.MinutesMin, c.MinutesMax = 10*60, 30*60
	}
	c.Qualifications = splitLines(g.Qualifications)
	c.Skills = splitLines(g.Strengths)
	c.Summary = strings.TrimSpace(g.WorkHistory)
	return c
}
