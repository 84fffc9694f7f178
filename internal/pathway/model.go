// Package pathway is the shared pathway of the Service Public de l'Insertion
// et de l'Emploi: the joint diagnostic, the orientation, the contract, the
// follow-up group and the point de situation (worklist) that keeps everyone
// moving. Steps, case reviews and the people's evaluation live in its
// sub-packages.
package pathway

import (
	"strings"
	"time"

	"tremplin/internal/pathway/steps"
	"tremplin/internal/platform/errs"
)

// Track is one of the three orientation tracks of the arrêté of 21 November 2024.
type Track string

// The orientation tracks.
const (
	TrackProfessional   Track = "professionnel"
	TrackSocioProfessio Track = "socio_professionnel"
	TrackSocial         Track = "social"
)

// Tracks lists the tracks in the order forms show them.
var Tracks = []Track{TrackProfessional, TrackSocioProfessio, TrackSocial}

// TrackLabel gives the French name of a track.
func TrackLabel(t Track) string {
	switch t {
	case TrackProfessional:
		return "Professionnel (emploi)"
	case TrackSocioProfessio:
		return "Socio-professionnel"
	case TrackSocial:
		return "Social (remobilisation)"
	}
	return string(t)
}

// ValidTrack reports whether t is a known track.
func ValidTrack(t Track) bool {
	return t == TrackProfessional || t == TrackSocioProfessio || t == TrackSocial
}

// Theme is a theme of obstacles to employment in the diagnostic grid.
type Theme struct {
	Key, Label string
}

// Themes are the obstacle themes of the diagnostic grid, in form order.
var Themes = []Theme{
	{"logement", "Logement"},
	{"sante", "Santé"},
	{"mobilite", "Mobilité"},
	{"garde", "Garde d'enfants et famille"},
	{"francais", "Maîtrise du français"},
	{"numerique", "Usages numériques"},
	{"finances", "Finances"},
	{"administratif", "Démarches administratives"},
}

// Obstacle levels in the grid.
const (
	ObstacleNone  = 0
	ObstacleLight = 1
	ObstacleMajor = 2
)

// Education levels of the national nomenclature (2019), as the grid records them.
var EducationLevels = []struct{ Key, Label string }{
	{"", "Non renseigné"},
	{"sans", "Sans diplôme"},
	{"3", "Niveau 3 (CAP, BEP)"},
	{"4", "Niveau 4 (baccalauréat)"},
	{"5", "Niveau 5 (bac + 2)"},
	{"6", "Niveau 6 et plus (licence, master…)"},
}

// Projection is the person's own ability to project themselves into work.
var Projections = []struct{ Key, Label string }{
	{"oui", "Oui, un projet professionnel se dessine"},
	{"partiel", "En partie"},
	{"non", "Non, pas pour le moment"},
}

// Grid is the one diagnostic grid every structure fills in.
type Grid struct {
	WorkSituation string `json:"work_situation"`
	// WorkedLast2Years is the first national criterion of orientation.
	WorkedLast2Years bool     `json:"worked_last_2_years"`
	WorkHistory      string   `json:"work_history"`
	EducationLevel   string   `json:"education_level"`
	Qualifications   string   `json:"qualifications"`
	TargetJobs       []string `json:"target_jobs"` // ROME codes
	MobilityKm       int      `json:"mobility_km"`
	HoursWanted      string   `json:"hours_wanted"`    // temps_plein, temps_partiel, indifferent
	ContractWanted   string   `json:"contract_wanted"` // cdi, cdd, interim, indifferent
	DrivingLicence   bool     `json:"driving_licence"`
	Vehicle          bool     `json:"vehicle"`
	Projection       string   `json:"projection"`
	// Obstacles maps a theme key to its level (0 none, 1 light, 2 major).
	Obstacles    map[string]int    `json:"obstacles"`
	ObstacleNote map[string]string `json:"obstacle_notes"`
	Strengths    string            `json:"strengths"`
}

// Validate checks a grid and normalises its ROME codes; romeKnown reports
// whether a code exists in the reference data.
func (g *Grid) Validate(romeKnown func(string) bool) error {
	fe := errs.FieldErrors{}
	if strings.TrimSpace(g.WorkSituation) == "" {
		fe.Add("work_situation", "Décrivez la situation professionnelle actuelle.")
	}
	if !oneOf(g.EducationLevel, "", "sans", "3", "4", "5", "6") {
		fe.Add("education_level", "Choisissez un niveau de formation de la liste.")
	}
	if !oneOf(g.Projection, "oui", "partiel", "non") {
		fe.Add("projection", "Indiquez si la personne se projette dans l'emploi.")
	}
	if g.MobilityKm < 0 || g.MobilityKm > 300 {
		fe.Add("mobility_km", "Le rayon de mobilité doit être compris entre 0 et 300 km.")
	}
	if !oneOf(g.HoursWanted, "", "temps_plein", "temps_partiel", "indifferent") {
		fe.Add("hours_wanted", "Choisissez une durée de travail de la liste.")
	}
	if !oneOf(g.ContractWanted, "", "cdi", "cdd", "interim", "indifferent") {
		fe.Add("contract_wanted", "Choisissez un type de contrat de la liste.")
	}
	var jobs []string
	for _, code := range g.TargetJobs {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" {
			continue
		}
		if !romeKnown(code) {
			fe.Add("target_jobs", "Code ROME inconnu : "+code+".")
			continue
		}
		jobs = append(jobs, code)
	}
	g.TargetJobs = jobs
	for theme, level := range g.Obstacles {
		if !knownTheme(theme) || level < ObstacleNone || level > ObstacleMajor {
			fe.Add("obstacles", "Niveau de frein inconnu pour le thème "+theme+".")
		}
	}
	for _, f := range []*string{&g.WorkHistory, &g.Qualifications, &g.Strengths} {
		*f = strings.TrimSpace(*f)
	}
	if len(g.WorkHistory) > 4000 || len(g.Qualifications) > 4000 || len(g.Strengths) > 4000 {
		fe.Add("strengths", "Un texte dépasse 4 000 caractères.")
	}
	return fe.Err()
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func knownTheme(key string) bool {
	for _, t := range Themes {
		if t.Key == key {
			return true
		}
	}
	return false
}

// ObstacleCount is the number of themes where the person meets an obstacle.
func (g Grid) ObstacleCount() int {
	n := 0
	for _, level := range g.Obstacles {
		if level > ObstacleNone {
			n++
		}
	}
	return n
}

// majorObstacles is the number of themes with a major obstacle.
func (g Grid) majorObstacles() int {
	n := 0
	for _, level := range g.Obstacles {
		if level >= ObstacleMajor {
			n++
		}
	}
	return n
}

// Suggest applies the national criteria (work in the last two years, ability
// to project oneself, qualification, obstacles) to suggest a track; the
// chargé d'orientation confirms or overrides it with a reason.
func Suggest(g Grid) Track {
	major := g.majorObstacles()
	qualified := g.EducationLevel != "" && g.EducationLevel != "sans" || strings.TrimSpace(g.Qualifications) != ""
	switch {
	case major >= 2 || (g.Projection == "non" && major >= 1):
		// Several major obstacles come first: work is not the next step.
		return TrackSocial
	case major == 0 && g.Projection != "non" && (g.WorkedLast2Years || (qualified && g.Projection == "oui")):
		return TrackProfessional
	}
	return TrackSocioProfessio
}

// Diagnostic is one version of a person's diagnostic with its signatures.
type Diagnostic struct {
	ID             string
	PersonID       string
	Version        int
	OrgID, OrgName string
	AuthorID       string
	AuthorName     string
	Grid           Grid
	SuggestedTrack Track
	ValidatedAt    *time.Time
	CreatedAt      time.Time
	Signatures     []Signature
}

// Signature is a professional's signature of a diagnostic version.
type Signature struct {
	UserID        string
	Name          string
	OrgName       string
	Qualification string
	SignedAt      time.Time
}

// Signed reports whether the qualification q has signed the version.
func (d Diagnostic) Signed(q string) bool {
	for _, s := range d.Signatures {
		if s.Qualification == q {
			return true
		}
	}
	return false
}

// Orientation is an orientation decision; the latest one is current.
type Orientation struct {
	ID             string
	PersonID       string
	Track          Track
	OrgID, OrgName string
	SuggestedTrack Track
	Reason         string
	DiagnosticID   string
	// RightsDate is the day the RSA rights were opened as the CAF flow gives it;
	// the 6-week deadline runs from it.
	RightsDate  *time.Time
	DecidedOn   time.Time
	DecidedBy   string
	DeciderName string
	RequestID   string
	CreatedAt   time.Time
}

// Overridden reports whether the decision departs from the suggested track.
func (o Orientation) Overridden() bool { return o.SuggestedTrack != "" && o.SuggestedTrack != o.Track }

// OrientationDeadline is the day by which a new beneficiary must be oriented:
// 6 weeks from the opening of rights (décret 2024-1244).
func OrientationDeadline(rights time.Time) time.Time { return rights.AddDate(0, 0, 42) }

// ContractDeadline is the day by which the contract must be signed: one month
// from the orientation (loi 2023-1196); before 2025, a CER followed a social
// orientation within two months (CASF L262-36).
func ContractDeadline(oriented time.Time, track Track) time.Time {
	months := 1
	if track == TrackSocial && oriented.Before(engagementSince) {
		months = 2
	}
	return steps.AddMonths(oriented, months)
}

// ReorientationRequest is a référent's request to change a person's track.
type ReorientationRequest struct {
	ID              string
	PersonID        string
	PersonName      string
	RequestedBy     string
	RequesterName   string
	RequesterOrg    string
	Track           Track
	OrgID, OrgName  string
	Reason          string
	Status          string // pending, accepted, refused
	DecidedBy       string
	DecidedAt       *time.Time
	DecisionReason  string
	CreatedAt       time.Time
	CurrentTrack    Track
	CurrentOrgName  string
	DaysWaiting     int
	RequesterOrgID  string
	DeciderName     string
	OrientationID   string
	PersonTerritory string
}

// ContractKind distinguishes the contrat d'engagement from the former CER.
type ContractKind string

// The contract kinds.
const (
	ContractEngagement ContractKind = "engagement"
	ContractCER        ContractKind = "cer"
)

// ContractKindLabel gives the French name of a contract kind.
func ContractKindLabel(k ContractKind) string {
	if k == ContractCER {
		return "Contrat d'engagement réciproque (CER)"
	}
	return "Contrat d'engagement"
}

// engagementSince is the day the contrat d'engagement replaced the CER.
var engagementSince = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultWeeklyHours is the normal activity of a contrat d'engagement.
const DefaultWeeklyHours = 15

// Hours adjustments and their reasons (loi 2023-1196).
var (
	Adjustments       = []struct{ Key, Label string }{{"", "Durée normale"}, {"reduite", "Durée réduite"}, {"dispense", "Dispense"}}
	AdjustmentReasons = []struct{ Key, Label string }{
		{"sante", "Santé"}, {"handicap", "Handicap"}, {"parent_isole", "Parent isolé sans solution de garde"}, {"aidant", "Proche aidant"},
	}
)

// Contract is a contrat d'engagement or a CER.
type Contract struct {
	ID             string
	PersonID       string
	Kind           ContractKind
	OrientationID  string
	OrgID, OrgName string
	Start, End     time.Time
	WeeklyMinutes  int
	Adjustment     string
	AdjustReason   string
	ActionPlan     string
	SignedBy       string
	SignerName     string
	SignedOn       *time.Time
	PersonSigned   bool
	RenewsID       string
	CreatedBy      string
	CreatedAt      time.Time
	Objectives     []Objective
}

// WeeklyHours is the weekly activity in hours.
func (c Contract) WeeklyHours() float64 { return float64(c.WeeklyMinutes) / 60 }

// Signed reports whether the contract was signed.
func (c Contract) Signed() bool { return c.SignedOn != nil }

// Objective is an objective of the action plan, possibly tied to a contract.
type Objective struct {
	ID, Theme, Title, Status, ContractID string
}

// Validate checks a contract before it is stored.
func (c *Contract) Validate() error {
	fe := errs.FieldErrors{}
	switch c.Kind {
	case ContractEngagement:
		if !c.Start.IsZero() && c.Start.Before(engagementSince) {
			fe.Add("start", "Le contrat d'engagement existe depuis le 1er janvier 2025 : avant, choisissez un CER.")
		}
	case ContractCER:
		if !c.Start.IsZero() && !c.Start.Before(engagementSince) {
			fe.Add("start", "Depuis le 1er janvier 2025, le CER est remplacé par le contrat d'engagement.")
		}
	default:
		fe.Add("kind", "Choisissez le type de contrat.")
	}
	if c.Start.IsZero() {
		fe.Add("start", "Indiquez la date de début.")
	}
	if c.End.IsZero() {
		fe.Add("end", "Indiquez la date de fin.")
	} else if !c.Start.IsZero() && !c.End.After(c.Start) {
		fe.Add("end", "La date de fin doit suivre la date de début.")
	} else if !c.Start.IsZero() && c.End.After(c.Start.AddDate(2, 0, 0)) {
		fe.Add("end", "Un contrat dure au plus deux ans ; renouvelez-le ensuite.")
	}
	c.validateHours(fe)
	c.ActionPlan = strings.TrimSpace(c.ActionPlan)
	if c.ActionPlan == "" {
		fe.Add("action_plan", "Décrivez le plan d'action que la personne s'engage à suivre.")
	}
	return fe.Err()
}

func (c *Contract) validateHours(fe errs.FieldErrors) {
	if c.Kind != ContractEngagement {
		c.Adjustment, c.AdjustReason = "", ""
		return
	}
	switch c.Adjustment {
	case "":
		if c.WeeklyMinutes < DefaultWeeklyHours*60 {
			fe.Add("weekly_hours", "La durée normale est d'au moins 15 heures par semaine ; en dessous, indiquez une réduction et son motif.")
		}
		c.AdjustReason = ""
		return
	case "reduite":
		if c.WeeklyMinutes <= 0 || c.WeeklyMinutes >= DefaultWeeklyHours*60 {
			fe.Add("weekly_hours", "Une durée réduite est comprise entre 0 et 15 heures par semaine.")
		}
	case "dispense":
		c.WeeklyMinutes = 0
	default:
		fe.Add("adjustment", "Choisissez durée normale, réduite ou dispense.")
	}
	if !oneOf(c.AdjustReason, "sante", "handicap", "parent_isole", "aidant") {
		fe.Add("adjust_reason", "Une réduction ou une dispense doit être motivée : santé, handicap, parent isolé ou proche aidant.")
	}
}

// Label gives the French name of the track.
func (t Track) Label() string { return TrackLabel(t) }

// Label gives the French name of the contract kind.
func (k ContractKind) Label() string { return ContractKindLabel(k) }

// Label gives the French label of the alert kind.
func (k AlertKind) Label() string { return AlertLabel(k) }

// ThemeLabel gives the French name of an obstacle theme.
func ThemeLabel(key string) string {
	for _, t := range Themes {
		if t.Key == key {
			return t.Label
		}
	}
	return key
}

// EducationLabel gives the French name of an education level.
func EducationLabel(key string) string {
	for _, l := range EducationLevels {
		if l.Key == key {
			return l.Label
		}
	}
	return key
}

// ObstacleLevelLabel names an obstacle level.
func ObstacleLevelLabel(level int) string {
	return [...]string{"Aucun", "Frein léger", "Frein important"}[max(0, min(level, 2))]
}

// EducationLabel gives the French name of the grid's education level.
func (g Grid) EducationLabel() string { return EducationLabel(g.EducationLevel) }

// ProjectionLabel gives the French answer on the ability to project oneself.
func (g Grid) ProjectionLabel() string {
	for _, p := range Projections {
		if p.Key == g.Projection {
			return p.Label
		}
	}
	return g.Projection
}

// ObstacleLine is an obstacle of the grid as pages list it.
type ObstacleLine struct{ Theme, Level, Note string }

// ObstacleLines lists the themes where the person meets an obstacle, in grid order.
func (g Grid) ObstacleLines() []ObstacleLine {
	var out []ObstacleLine
	for _, t := range Themes {
		if lvl := g.Obstacles[t.Key]; lvl > ObstacleNone {
			out = append(out, ObstacleLine{Theme: t.Label, Level: ObstacleLevelLabel(lvl), Note: g.ObstacleNote[t.Key]})
		}
	}
	return out
}

// ObstacleLevels are the levels a form offers for each theme.
var ObstacleLevels = []struct{ Key, Label string }{{"0", "Aucun"}, {"1", "Frein léger"}, {"2", "Frein important"}}
