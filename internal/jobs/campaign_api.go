package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	"tremplin/internal/platform/api"
	"tremplin/internal/platform/assign"
	"tremplin/internal/platform/errs"
)

// Limits of the stateless solve; the solver also bounds candidates × sites.
const (
	AssignmentMaxCandidates = 20_000
	AssignmentMaxSites      = assign.MaxSites
	// assignmentMaxBody fits 20,000 candidates with long identifiers: the
	// API's usual bound (api.MaxBody) is for forms, far smaller.
	assignmentMaxBody = 4 << 20
)

// CampaignAPI serves the mass-recruitment endpoints.
type CampaignAPI struct{ Svc *Campaigns }

// Register adds the routes to the API mux.
func (h CampaignAPI) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/assignments/solve", h.solve)
	mux.HandleFunc("GET /api/v1/campaigns/{id}/plan", h.plan)
}

// AssignmentRequestJSON is a stateless assignment problem.
type AssignmentRequestJSON struct {
	Candidates []AssignmentCandidateJSON `json:"candidates"`
	Sites      []AssignmentSiteJSON      `json:"sites"`
	// Objective is "distance" (the default): place as many candidates as
	// possible with the least total great-circle distance.
	Objective string   `json:"objective"`
	MaxKm     *float64 `json:"max_km"`
}

// AssignmentCandidateJSON is a candidate to place.
type AssignmentCandidateJSON struct {
	ID  string   `json:"id"`
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
}

// AssignmentSiteJSON is a site with its places.
type AssignmentSiteJSON struct {
	ID       string   `json:"id"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Capacity *int     `json:"capacity"`
}

// AssignmentResultJSON is the plan the solver found.
type AssignmentResultJSON struct {
	Assignment []AssignmentPairJSON     `json:"assignment"`
	TotalKm    float64                  `json:"total_km"`
	Unassigned []AssignmentUnplacedJSON `json:"unassigned"`
}

// AssignmentPairJSON is a candidate placed on a site.
type AssignmentPairJSON struct {
	Candidate  string  `json:"candidate"`
	Site       string  `json:"site"`
	DistanceKm float64 `json:"distance_km"`
}

// AssignmentUnplacedJSON is a candidate left without a site, and why.
type AssignmentUnplacedJSON struct {
	Candidate string `json:"candidate"`
	Reason    string `json:"reason"`
}

// campaignDecode reads a JSON body like api.Decode (unknown fields and
// trailing data refused) with a bound of max bytes.
func campaignDecode(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return errs.Newf(errs.Invalid, "Corps de requête trop volumineux : %d Mo au plus.", limit>>20)
		case errors.Is(err, io.EOF):
			return errs.New(errs.Invalid, "Corps de requête JSON attendu.")
		}
		return errs.Wrap(errs.Invalid, "Corps de requête JSON invalide (champ inconnu ou type incorrect) : voir le document OpenAPI.", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return errs.New(errs.Invalid, "Le corps de la requête doit contenir un seul objet JSON.")
	}
	return nil
}

// fieldError is an invalid error on one field of a request.
func campaignFieldError(field, msg string) error {
	return &errs.Error{Code: errs.Invalid, Message: msg, Fields: map[string]string{field: msg}}
}

// problem checks a request and turns it into the solver's input.
func (b AssignmentRequestJSON) problem() ([]assign.Candidate, []assign.Site, assign.Options, error) {
	var opt assign.Options
	switch {
	case b.Objective != "" && b.Objective != "distance":
		return nil, nil, opt, campaignFieldError("objective", fmt.Sprintf("Objectif « %s » inconnu : seul « distance » est pris en charge.", b.Objective))
	case len(b.Candidates) > AssignmentMaxCandidates:
		return nil, nil, opt, campaignFieldError("candidates", fmt.Sprintf("Trop de candidats (%d) : %d au plus.", len(b.Candidates), AssignmentMaxCandidates))
	case len(b.Sites) > AssignmentMaxSites:
		return nil, nil, opt, campaignFieldError("sites", fmt.Sprintf("Trop de sites (%d) : %d au plus.", len(b.Sites), AssignmentMaxSites))
	}
	if b.MaxKm != nil {
		opt.MaxKm = *b.MaxKm
	}
	cands := make([]assign.Candidate, len(b.Candidates))
	for i, c := range b.Candidates {
		if c.Lat == nil || c.Lon == nil {
			return nil, nil, opt, campaignFieldError("candidates", fmt.Sprintf("Candidat « %s » (n° %d) : latitude ou longitude manquante.", c.ID, i+1))
		}
		cands[i] = assign.Candidate{ID: c.ID, Lat: *c.Lat, Lon: *c.Lon}
	}
	sites := make([]assign.Site, len(b.Sites))
	for i, s := range b.Sites {
		if s.Lat == nil || s.Lon == nil || s.Capacity == nil {
			return nil, nil, opt, campaignFieldError("sites", fmt.Sprintf("Site « %s » (n° %d) : latitude, longitude ou capacité manquante.", s.ID, i+1))
		}
		sites[i] = assign.Site{ID: s.ID, Lat: *s.Lat, Lon: *s.Lon, Capacity: *s.Capacity}
	}
	return cands, sites, opt, nil
}

// campaignRoundKm rounds a distance to the metre.
func campaignRoundKm(km float64) float64 { return math.Round(km*1000) / 1000 }

func (h CampaignAPI) solve(w http.ResponseWriter, r *http.Request) {
	if !api.Actor(r.Context()).Authenticated() {
		api.Error(w, errs.New(errs.Unauthorized, "Connexion requise."))
		return
	}
	var b AssignmentRequestJSON
	if err := campaignDecode(w, r, &b, assignmentMaxBody); err != nil {
		api.Error(w, err)
		return
	}
	cands, sites, opt, err := b.problem()
	if err != nil {
		api.Error(w, err)
		return
	}
	res, err := assign.Solve(cands, sites, opt)
	if err != nil {
		api.Error(w, err)
		return
	}
	out := AssignmentResultJSON{Assignment: []AssignmentPairJSON{}, TotalKm: campaignRoundKm(res.TotalKm), Unassigned: []AssignmentUnplacedJSON{}}
	for _, p := range res.Assignment {
		out.Assignment = append(out.Assignment, AssignmentPairJSON{Candidate: p.Candidate, Site: p.Site, DistanceKm: campaignRoundKm(p.DistanceKm)})
	}
	for _, u := range res.Unassigned {
		out.Unassigned = append(out.Unassigned, AssignmentUnplacedJSON(u))
	}
	api.JSON(w, http.StatusOK, out)
}

func (h CampaignAPI) plan(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.Get(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, CampaignPlanToJSON(p))
}

// CampaignPlanJSON is a campaign's plan, for a map script or another tool.
type CampaignPlanJSON struct {
	Campaign CampaignJSON       `json:"campaign"`
	Totals   CampaignTotalsJSON `json:"totals"`
	// NearestFree, SavedKm and SavedPercent compare the plan with "nearest
	// free site first"; null until the plan is computed.
	NearestFree  *CampaignTotalsJSON `json:"nearest_free"`
	SavedKm      *float64            `json:"saved_km"`
	SavedPercent *float64            `json:"saved_percent"`
	Sites        []CampaignSiteJSON  `json:"sites"`
	Lines        []CampaignLineJSON  `json:"lines"`
}

// CampaignJSON is a campaign's settings.
type CampaignJSON struct {
	ID             string     `json:"id"`
	OrganisationID string     `json:"organisation_id"`
	Title          string     `json:"title"`
	JobTitle       string     `json:"job_title"`
	ROME           string     `json:"rome"`
	MaxKm          float64    `json:"max_km"`
	SolvedAt       *time.Time `json:"solved_at"`
}

// CampaignTotalsJSON sums up a plan.
type CampaignTotalsJSON struct {
	Placed    int     `json:"placed"`
	Unplaced  int     `json:"unplaced"`
	TotalKm   float64 `json:"total_km"`
	AverageKm float64 `json:"average_km"`
}

// CampaignSiteJSON is a site with the places the plan takes.
type CampaignSiteJSON struct {
	ID          string   `json:"id"`
	Number      int      `json:"number"`
	Name        string   `json:"name"`
	CommuneCode string   `json:"commune_code"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	Approximate bool     `json:"approximate"`
	Capacity    int      `json:"capacity"`
	Assigned    int      `json:"assigned"`
}

// CampaignLineJSON is a candidate and their line. A registry person the
// caller may not read keeps the label "Candidat n°k", no person_id and no
// coordinates (only the commune).
type CampaignLineJSON struct {
	CandidateID string     `json:"candidate_id"`
	Number      int        `json:"number"`
	Candidate   string     `json:"candidate"`
	PersonID    string     `json:"person_id"`
	CommuneCode string     `json:"commune_code"`
	Lat         *float64   `json:"lat"`
	Lon         *float64   `json:"lon"`
	Approximate bool       `json:"approximate"`
	SiteID      *string    `json:"site_id"`
	DistanceKm  *float64   `json:"distance_km"`
	Source      *string    `json:"source"`
	Reason      string     `json:"reason"`
	DecidedAt   *time.Time `json:"decided_at"`
}

func campaignTotalsJSON(t CampaignTotals) CampaignTotalsJSON {
	return CampaignTotalsJSON{Placed: t.Placed, Unplaced: t.Unplaced, TotalKm: campaignRoundKm(t.TotalKm), AverageKm: campaignRoundKm(t.AverageKm())}
}

// CampaignPlanToJSON converts a plan for the API and the map.
func CampaignPlanToJSON(p CampaignPlan) CampaignPlanJSON {
	c := p.Campaign
	out := CampaignPlanJSON{
		Campaign: CampaignJSON{ID: c.ID, OrganisationID: c.OrgID, Title: c.Title, JobTitle: c.JobTitle, ROME: c.ROME, MaxKm: c.MaxKm, SolvedAt: c.SolvedAt},
		Totals:   campaignTotalsJSON(p.Totals), Sites: []CampaignSiteJSON{}, Lines: []CampaignLineJSON{},
	}
	if c.Solved() {
		nf := campaignTotalsJSON(p.NearestFree)
		saved, pct := campaignRoundKm(p.SavedKm()), math.Round(p.SavedPercent()*10)/10
		out.NearestFree, out.SavedKm, out.SavedPercent = &nf, &saved, &pct
	}
	for _, s := range p.Sites {
		out.Sites = append(out.Sites, CampaignSiteJSON{ID: s.ID, Number: s.Number, Name: s.Name, CommuneCode: s.CommuneCode,
			Lat: s.Lat, Lon: s.Lon, Approximate: s.Approximate, Capacity: s.Capacity, Assigned: s.Assigned})
	}
	for _, l := range p.Lines {
		out.Lines = append(out.Lines, campaignLineJSON(l))
	}
	return out
}

func campaignLineJSON(l CampaignPlanLine) CampaignLineJSON {
	c := l.Candidate
	j := CampaignLineJSON{CandidateID: c.ID, Number: c.Number, Candidate: c.Name, CommuneCode: c.CommuneCode, Approximate: c.Approximate}
	if c.Visible {
		j.PersonID, j.Lat, j.Lon = c.PersonID, c.Lat, c.Lon
	}
	if l.Line == nil {
		return j
	}
	src := l.Line.Source
	j.Source, j.Reason = &src, l.Line.Reason
	if l.Site != nil {
		id, d := l.Site.ID, campaignRoundKm(l.Line.DistanceKm)
		j.SiteID, j.DistanceKm = &id, &d
	}
	if l.Line.Overridden() {
		at := l.Line.DecidedAt
		j.DecidedAt = &at
	}
	return j
}
