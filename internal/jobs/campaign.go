package jobs

// Mass recruitment: a campaign places candidates (people the département
// hires, say, as maintenance agents) on sites with a number of places (the
// collèges), so that as many as the places allow are placed and, among those
// placements, the total travel is the least. The solver lives in
// platform/assign; this file holds the campaign's types and their checks.

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/assign"
	"tremplin/internal/platform/errs"
)

// Limits of a campaign, which bound the work of a solve and the size of a page.
const (
	CampaignMaxCandidates = 20_000
	CampaignMaxSites      = assign.MaxSites
	CampaignMaxExclusions = 100_000
	// campaignMaxKm bounds the maximum distance one may set.
	campaignMaxKm = 1_000
	// campaignMaxCapacity bounds the places of one site.
	campaignMaxCapacity = 10_000
)

// The sources of a line of the plan: the solver's, or a person's decision.
const (
	CampaignSourceSolver   = "solver"
	CampaignSourceOverride = "override"
)

// campaignReasonUnlocated is why a candidate without a position stays unplaced.
const campaignReasonUnlocated = "Position inconnue : le candidat n'a pas de coordonnées."

// Campaign is a mass-recruitment campaign with, in listings, its counts.
type Campaign struct {
	ID        string
	OrgID     string
	OrgName   string
	Territory string
	Title     string
	JobTitle  string
	ROME      string
	// MaxKm is the greatest distance between a candidate and their site; 0: no limit.
	MaxKm     float64
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	SolvedAt  *time.Time
	// Sites, Places and Candidates are counts filled by listings and reads.
	Sites      int
	Places     int
	Candidates int
}

// Facts returns what the access policy needs to know about a campaign.
func (c Campaign) Facts() access.Campaign {
	return access.Campaign{Territory: c.Territory, OrgID: c.OrgID}
}

// Solved reports whether the plan was computed since the last change of the data.
func (c Campaign) Solved() bool { return c.SolvedAt != nil }

// MaxKmText gives the maximum distance as the page shows it.
func (c Campaign) MaxKmText() string {
	if c.MaxKm <= 0 {
		return "Aucune"
	}
	return campaignKm(c.MaxKm)
}

// CampaignInput is what creating or changing a campaign takes, as typed.
type CampaignInput struct {
	Title    string
	JobTitle string
	ROME     string
	MaxKm    string
}

// check validates the input and returns the campaign's fields; romeKnown
// tells whether a ROME code exists.
func (in CampaignInput) check(romeKnown func(string) bool) (Campaign, error) {
	fe := errs.FieldErrors{}
	c := Campaign{Title: strings.TrimSpace(in.Title), JobTitle: strings.TrimSpace(in.JobTitle)}
	switch {
	case c.Title == "":
		fe.Add("title", "Indiquez l'intitulé de la campagne.")
	case utf8.RuneCountInString(c.Title) > 200:
		fe.Add("title", "L'intitulé ne doit pas dépasser 200 caractères.")
	}
	if utf8.RuneCountInString(c.JobTitle) > 200 {
		fe.Add("job_title", "Le métier ne doit pas dépasser 200 caractères.")
	}
	if code := strings.ToUpper(strings.TrimSpace(in.ROME)); code != "" {
		if !campaignROMEPattern(code) || !romeKnown(code) {
			fe.Add("rome", "Code ROME inconnu : une lettre et quatre chiffres, par exemple K2204.")
		}
		c.ROME = code
	}
	if s := strings.TrimSpace(in.MaxKm); s != "" {
		km, ok := campaignParseNumber(s)
		if !ok || km < 0 || km > campaignMaxKm {
			fe.Add("max_km", "La distance maximale est un nombre de kilomètres entre 0 et 1 000 (0 ou vide : sans limite).")
		}
		c.MaxKm = km
	}
	return c, fe.Err()
}

// campaignROMEPattern reports whether s looks like a ROME fiche code (K2204).
func campaignROMEPattern(s string) bool {
	if len(s) != 5 || s[0] < 'A' || s[0] > 'N' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CampaignSite is a place of work of a campaign with its number of places.
type CampaignSite struct {
	ID          string
	Number      int
	Name        string
	CommuneCode string
	CommuneName string
	Lat, Lon    *float64
	// Approximate is true when the site is placed at its commune's centre.
	Approximate bool
	Capacity    int
	// Assigned is the number of candidates the current plan puts there.
	Assigned int
}

// Located reports whether the site has a position.
func (s CampaignSite) Located() bool { return s.Lat != nil && s.Lon != nil }

// Free is the number of places the current plan leaves.
func (s CampaignSite) Free() int { return max(0, s.Capacity-s.Assigned) }

// Commune names the site's commune, by name when the reference data knows it.
func (s CampaignSite) Commune() string { return campaignOr(s.CommuneName, s.CommuneCode) }

// CampaignCandidate is a person to place. A candidate taken from the
// registry (PersonID set) is labelled "Candidat n°k": Name holds the person's
// name only for readers allowed to see the file.
type CampaignCandidate struct {
	ID          string
	Number      int
	PersonID    string
	Label       string
	CommuneCode string
	CommuneName string
	Lat, Lon    *float64
	Approximate bool
	// Name is what the actor may see: the label, or the person's name.
	Name string
	// Visible is true when the actor may read the registry person, or the
	// candidate was typed in and has no file.
	Visible bool
}

// Located reports whether the candidate has a position.
func (c CampaignCandidate) Located() bool { return c.Lat != nil && c.Lon != nil }

// Linked reports whether the candidate is a person of the registry.
func (c CampaignCandidate) Linked() bool { return c.PersonID != "" }

// Commune names the candidate's commune.
func (c CampaignCandidate) Commune() string { return campaignOr(c.CommuneName, c.CommuneCode) }

// campaignLinkedLabel is the label a candidate from the registry carries.
func campaignLinkedLabel(n int) string { return "Candidat n°" + strconv.Itoa(n) }

// CampaignExclusion is a pair a candidate may not be placed on.
type CampaignExclusion struct {
	CandidateID   string
	CandidateName string
	SiteID        string
	SiteName      string
}

// CampaignLine is a stored line of the plan: a candidate's site ("" when left
// unplaced), from the solver or decided by a person with a reason.
type CampaignLine struct {
	CandidateID   string
	SiteID        string
	DistanceKm    float64
	Source        string
	Reason        string
	DecidedBy     string
	DecidedByName string
	DecidedAt     time.Time
}

// Overridden reports whether a person decided the line.
func (l CampaignLine) Overridden() bool { return l.Source == CampaignSourceOverride }

// CampaignPlanLine is a candidate with what the plan does for them.
type CampaignPlanLine struct {
	Candidate CampaignCandidate
	// Site is nil when the candidate is not placed.
	Site *CampaignSite
	// Line is nil before the first solve (and for a candidate added since).
	Line *CampaignLine
}

// Placed reports whether the plan gives the candidate a site.
func (l CampaignPlanLine) Placed() bool { return l.Site != nil }

// DistanceText gives the distance to the site, "" when unplaced.
func (l CampaignPlanLine) DistanceText() string {
	if l.Line == nil || l.Site == nil {
		return ""
	}
	return campaignKm(l.Line.DistanceKm)
}

// SourceLabel says where the line comes from, in French.
func (l CampaignPlanLine) SourceLabel() string {
	switch {
	case l.Line == nil:
		return "Non calculé"
	case l.Line.Overridden():
		return "Modifié à la main"
	}
	return "Calcul"
}

// CampaignTotals sums up a plan.
type CampaignTotals struct {
	Placed   int
	Unplaced int
	TotalKm  float64
}

// AverageKm is the mean distance of the placed candidates.
func (t CampaignTotals) AverageKm() float64 {
	if t.Placed == 0 {
		return 0
	}
	return t.TotalKm / float64(t.Placed)
}

// TotalText gives the total distance as the page shows it.
func (t CampaignTotals) TotalText() string { return campaignKm(t.TotalKm) }

// AverageText gives the mean distance as the page shows it.
func (t CampaignTotals) AverageText() string { return campaignKm(t.AverageKm()) }

// CampaignPlan is a campaign with its sites, candidates and plan, the plan's
// totals and, beside them, those of "nearest free site first".
type CampaignPlan struct {
	Campaign   Campaign
	Sites      []CampaignSite
	Lines      []CampaignPlanLine
	Exclusions []CampaignExclusion
	Totals     CampaignTotals
	// NearestFree is the greedy plan over the same candidates, with the
	// same lines decided by hand.
	NearestFree CampaignTotals
	Overrides   int
}

// SavedKm is the travel the plan saves against nearest free site first.
func (p CampaignPlan) SavedKm() float64 { return p.NearestFree.TotalKm - p.Totals.TotalKm }

// SavedPercent is SavedKm as a share of the greedy plan's travel.
func (p CampaignPlan) SavedPercent() float64 {
	if p.NearestFree.TotalKm <= 0 {
		return 0
	}
	return 100 * p.SavedKm() / p.NearestFree.TotalKm
}

// SavedText gives the travel saved, in km and per cent.
func (p CampaignPlan) SavedText() string {
	return campaignKm(p.SavedKm()) + " (" + campaignDecimal(p.SavedPercent(), 1) + " %)"
}

// MorePlaced is how many more candidates the plan places than the greedy one.
func (p CampaignPlan) MorePlaced() int { return p.Totals.Placed - p.NearestFree.Placed }

// Unplaced lists the lines of candidates the plan leaves without a site.
func (p CampaignPlan) Unplaced() []CampaignPlanLine {
	var out []CampaignPlanLine
	for _, l := range p.Lines {
		if l.Line != nil && l.Site == nil {
			out = append(out, l)
		}
	}
	return out
}

// Places is the total capacity of the sites.
func (p CampaignPlan) Places() int {
	n := 0
	for _, s := range p.Sites {
		n += s.Capacity
	}
	return n
}

// CampaignFilter selects campaigns in a listing.
type CampaignFilter struct {
	Limit  int
	Offset int
}

// campaignKm writes a distance in km with one decimal, the French way.
func campaignKm(km float64) string { return campaignDecimal(km, 1) + " km" }

// campaignDecimal writes x with the given decimals, a decimal comma and
// narrow no-break spaces between thousands.
func campaignDecimal(x float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("-")
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("," + frac)
	}
	return b.String()
}

// campaignParseNumber reads a decimal number written with a point or a comma.
func campaignParseNumber(s string) (float64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func campaignOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// campaignCoord writes a coordinate for a data attribute, "" when unknown.
func campaignCoord(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 6, 64)
}

// campaignPosition describes a position for the page.
func campaignPosition(lat, lon *float64, approximate bool) string {
	switch {
	case lat == nil || lon == nil:
		return "Inconnue"
	case approximate:
		return "Centre de la commune (approximative)"
	}
	return campaignDecimal(*lat, 5) + " ; " + campaignDecimal(*lon, 5)
}

// PositionText describes where the site is.
func (s CampaignSite) PositionText() string { return campaignPosition(s.Lat, s.Lon, s.Approximate) }

// LatAttr and LonAttr give the site's coordinates for a map script.
func (s CampaignSite) LatAttr() string { return campaignCoord(s.Lat) }

// LonAttr gives the site's longitude for a map script.
func (s CampaignSite) LonAttr() string { return campaignCoord(s.Lon) }

// PositionText describes where the candidate is, when the actor may know it.
func (c CampaignCandidate) PositionText() string {
	if !c.Visible {
		return "Commune seulement"
	}
	return campaignPosition(c.Lat, c.Lon, c.Approximate)
}

// LatAttr gives the candidate's latitude for a map script, when the actor may know it.
func (c CampaignCandidate) LatAttr() string {
	if !c.Visible {
		return ""
	}
	return campaignCoord(c.Lat)
}

// LonAttr gives the candidate's longitude for a map script, when the actor may know it.
func (c CampaignCandidate) LonAttr() string {
	if !c.Visible {
		return ""
	}
	return campaignCoord(c.Lon)
}
