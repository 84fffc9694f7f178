package jobs

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"tremplin/internal/platform/api"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// API serves the jobs endpoints: offers, employers, CVs, matching and positionings.
type API struct{ Svc *Service }

// Register adds the routes to an API mux.
func (h API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/offers", h.listOffers)
	mux.HandleFunc("POST /api/v1/offers", h.createOffer)
	mux.HandleFunc("POST /api/v1/imports/offers", h.importOffers)
	mux.HandleFunc("GET /api/v1/offers/{id}", h.getOffer)
	mux.HandleFunc("PUT /api/v1/offers/{id}", h.updateOffer)
	mux.HandleFunc("GET /api/v1/offers/{id}/candidates", h.candidates)
	mux.HandleFunc("GET /api/v1/offers/{id}/positionings", h.offerPositionings)
	mux.HandleFunc("GET /api/v1/people/{id}/matches", h.matches)
	mux.HandleFunc("GET /api/v1/people/{id}/cv", h.getCV)
	mux.HandleFunc("PUT /api/v1/people/{id}/cv", h.saveCV)
	mux.HandleFunc("POST /api/v1/people/{id}/cv/consent", h.giveConsent)
	mux.HandleFunc("DELETE /api/v1/people/{id}/cv/consent", h.revokeConsent)
	mux.HandleFunc("POST /api/v1/positionings", h.propose)
	mux.HandleFunc("GET /api/v1/positionings/{id}", h.getPositioning)
	mux.HandleFunc("POST /api/v1/positionings/{id}/transitions", h.move)
}

// OfferJSON is an offer as the API shows it.
type OfferJSON struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	ROME           string    `json:"rome"`
	EmployerID     string    `json:"employer_id"`
	Employer       string    `json:"employer"`
	SiteID         string    `json:"site_id"`
	Reference      string    `json:"reference"`
	Contract       string    `json:"contract"`
	ContractMonths int       `json:"contract_months"`
	HoursPerWeek   float64   `json:"hours_per_week"`
	Positions      int       `json:"positions"`
	StartDate      *string   `json:"start_date"`
	CommuneCode    string    `json:"commune_code"`
	Lat            *float64  `json:"lat"`
	Lon            *float64  `json:"lon"`
	NeedsLicence   bool      `json:"needs_licence"`
	NeedsVehicle   bool      `json:"needs_vehicle"`
	Qualifications []string  `json:"qualifications"`
	Shifts         []string  `json:"shifts"`
	Description    string    `json:"description"`
	InTension      bool      `json:"in_tension"`
	ClauseLinked   bool      `json:"clause_linked"`
	ClauseMarket   string    `json:"clause_market"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func dayJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := db.Day(*t)
	return &s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func offerJSON(o Offer) OfferJSON {
	return OfferJSON{ID: o.ID, Title: o.Title, ROME: o.ROME, EmployerID: o.OrgID, Employer: o.EmployerName, SiteID: o.SiteID,
		Reference: o.Reference, Contract: o.Contract, ContractMonths: o.ContractMonths,
		HoursPerWeek: math.Round(float64(o.WeeklyMinutes)/60*100) / 100, Positions: o.Positions, StartDate: dayJSON(o.Start),
		CommuneCode: o.CommuneCode, Lat: o.Lat, Lon: o.Lon, NeedsLicence: o.NeedsLicence, NeedsVehicle: o.NeedsVehicle,
		Qualifications: orEmpty(o.Qualifications), Shifts: orEmpty(o.Shifts), Description: o.Description, InTension: o.InTension,
		ClauseLinked: o.ClauseLinked, ClauseMarket: o.ClauseMarket, Status: o.Status, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

func (h API) listOffers(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	q := r.URL.Query()
	f := OfferFilter{Status: q.Get("status"), EmployerID: q.Get("employer_id"), ROME: q.Get("rome"), Query: q.Get("q"), Limit: limit, Offset: offset}
	items, total, err := h.Svc.ListOffers(r.Context(), api.Actor(r.Context()), f)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, items, total, offerJSON)
}

// offerBody is an offer as a client sends it: hours as a number.
type offerBody struct {
	OfferInput
	HoursPerWeek *float64 `json:"hours_per_week"`
}

func (b offerBody) input() OfferInput {
	in := b.OfferInput
	in.Hours = ""
	if b.HoursPerWeek != nil {
		in.Hours = strconv.FormatFloat(*b.HoursPerWeek, 'f', -1, 64)
	}
	return in
}

func (h API) createOffer(w http.ResponseWriter, r *http.Request) {
	var b offerBody
	if err := api.Decode(w, r, &b); err != nil {
		api.Error(w, err)
		return
	}
	o, err := h.Svc.CreateOffer(r.Context(), api.Actor(r.Context()), b.input())
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, offerJSON(o))
}

func (h API) getOffer(w http.ResponseWriter, r *http.Request) {
	o, err := h.Svc.GetOffer(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, offerJSON(o))
}

func (h API) updateOffer(w http.ResponseWriter, r *http.Request) {
	var b offerBody
	if err := api.Decode(w, r, &b); err != nil {
		api.Error(w, err)
		return
	}
	o, err := h.Svc.UpdateOffer(r.Context(), api.Actor(r.Context()), r.PathValue("id"), b.input())
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, offerJSON(o))
}

// matchQuery reads radius_km and limit from the query string.
func matchQuery(r *http.Request) (MatchQuery, error) {
	var q MatchQuery
	v := r.URL.Query()
	if s := v.Get("radius_km"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return q, errs.FieldErrors{"radius_km": "radius_km doit être un nombre de kilomètres entre 1 et 200."}.Err()
		}
		q.RadiusKm = f
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, errs.FieldErrors{"limit": "limit doit être un entier entre 1 et 1000."}.Err()
		}
		q.Limit = n
	}
	return q, nil
}

// MatchJSON is one ranked answer of the matching endpoints.
type MatchJSON struct {
	OfferID       string   `json:"offer_id,omitempty"`
	PersonID      string   `json:"person_id,omitempty"`
	Label         string   `json:"label"`
	DistanceKm    float64  `json:"distance_km"`
	TravelMinutes int      `json:"travel_minutes"`
	Score         float64  `json:"score"`
	Reasons       []string `json:"reasons"`
	Positioned    bool     `json:"positioned"`
}

// MatchListJSON is the answer of the matching endpoints.
type MatchListJSON struct {
	Items    []MatchJSON `json:"items"`
	Total    int         `json:"total"`
	RadiusKm float64     `json:"radius_km"`
}

func roundKm(d float64) float64 { return math.Round(d*100) / 100 }

func (h API) matches(w http.ResponseWriter, r *http.Request) {
	q, err := matchQuery(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	m, err := h.Svc.MatchesForPerson(r.Context(), api.Actor(r.Context()), r.PathValue("id"), q)
	if err != nil {
		api.Error(w, err)
		return
	}
	out := MatchListJSON{Items: []MatchJSON{}, Total: m.Total, RadiusKm: m.RadiusKm}
	for _, it := range m.Items {
		out.Items = append(out.Items, MatchJSON{OfferID: it.Offer.ID, Label: it.Offer.Title + " — " + it.Offer.EmployerName,
			DistanceKm: roundKm(it.DistanceKm), TravelMinutes: it.TravelMinutes, Score: it.Score, Reasons: orEmpty(it.Reasons),
			Positioned: it.Positioned})
	}
	api.JSON(w, http.StatusOK, out)
}

func (h API) candidates(w http.ResponseWriter, r *http.Request) {
	q, err := matchQuery(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	m, err := h.Svc.CandidatesForOffer(r.Context(), api.Actor(r.Context()), r.PathValue("id"), q)
	if err != nil {
		api.Error(w, err)
		return
	}
	out := MatchListJSON{Items: []MatchJSON{}, Total: m.Total, RadiusKm: m.RadiusKm}
	for _, it := range m.Items {
		out.Items = append(out.Items, MatchJSON{PersonID: it.PersonID, Label: it.Label, DistanceKm: roundKm(it.DistanceKm),
			TravelMinutes: it.TravelMinutes, Score: it.Score, Reasons: orEmpty(it.Reasons), Positioned: it.Positioned})
	}
	api.JSON(w, http.StatusOK, out)
}

// CVJSON is a CV as the API shows it.
type CVJSON struct {
	PersonID       string           `json:"person_id"`
	Saved          bool             `json:"saved"`
	Headline       string           `json:"headline"`
	Summary        string           `json:"summary"`
	Skills         []string         `json:"skills"`
	ROMEs          []string         `json:"romes"`
	RadiusKm       int              `json:"radius_km"`
	Means          []string         `json:"means"`
	AvailableFrom  *string          `json:"available_from"`
	HoursMin       float64          `json:"hours_min"`
	HoursMax       float64          `json:"hours_max"`
	ExcludedShifts []string         `json:"excluded_shifts"`
	Licence        bool             `json:"licence"`
	Vehicle        bool             `json:"vehicle"`
	Qualifications []string         `json:"qualifications"`
	Online         bool             `json:"online"`
	Consent        bool             `json:"consent"`
	SharedWithEmp  bool             `json:"shared_with_employers"`
	Experiences    []ExperienceJSON `json:"experiences"`
}

// ExperienceJSON is one experience of a CV.
type ExperienceJSON struct {
	Title       string  `json:"title"`
	Employer    string  `json:"employer"`
	StartDate   *string `json:"start_date"`
	EndDate     *string `json:"end_date"`
	Description string  `json:"description"`
}

func cvJSON(c CV) CVJSON {
	out := CVJSON{PersonID: c.PersonID, Saved: c.Exists, Headline: c.Headline, Summary: c.Summary, Skills: orEmpty(c.Skills),
		ROMEs: orEmpty(c.ROMEs), RadiusKm: c.RadiusKm, Means: orEmpty(c.Means), AvailableFrom: dayJSON(c.AvailableFrom),
		HoursMin: float64(c.MinutesMin) / 60, HoursMax: float64(c.MinutesMax) / 60, ExcludedShifts: orEmpty(c.ExcludedShifts),
		Licence: c.Licence, Vehicle: c.Vehicle, Qualifications: orEmpty(c.Qualifications), Online: c.Online,
		Consent: c.Consent != nil, SharedWithEmp: c.Shared(), Experiences: []ExperienceJSON{}}
	for _, e := range c.Experiences {
		out.Experiences = append(out.Experiences, ExperienceJSON{Title: e.Title, Employer: e.Employer, StartDate: dayJSON(e.Start),
			EndDate: dayJSON(e.End), Description: e.Description})
	}
	return out
}

func (h API) getCV(w http.ResponseWriter, r *http.Request) {
	c, err := h.Svc.GetCV(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, cvJSON(c.CV))
}

func (h API) saveCV(w http.ResponseWriter, r *http.Request) {
	var in CVInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	if _, err := h.Svc.SaveCV(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in); err != nil {
		api.Error(w, err)
		return
	}
	h.getCV(w, r)
}

func (h API) giveConsent(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Method string `json:"method"`
	}
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	if err := h.Svc.GiveConsent(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in.Method); err != nil {
		api.Error(w, err)
		return
	}
	h.getCV(w, r)
}

func (h API) revokeConsent(w http.ResponseWriter, r *http.Request) {
	if err := h.Svc.RevokeConsent(r.Context(), api.Actor(r.Context()), r.PathValue("id")); err != nil {
		api.Error(w, err)
		return
	}
	h.getCV(w, r)
}

// PositioningJSON is a candidacy as the API shows it.
type PositioningJSON struct {
	ID         string      `json:"id"`
	OfferID    string      `json:"offer_id"`
	OfferTitle string      `json:"offer_title"`
	EmployerID string      `json:"employer_id"`
	Employer   string      `json:"employer"`
	PersonID   string      `json:"person_id"`
	State      string      `json:"state"`
	Reason     string      `json:"reason"`
	StepID     string      `json:"step_id"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	Events     []EventJSON `json:"events"`
}

// EventJSON is one transition of a candidacy.
type EventJSON struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
	Note   string    `json:"note"`
	At     time.Time `json:"at"`
}

func positioningJSON(p Positioning) PositioningJSON {
	out := PositioningJSON{ID: p.ID, OfferID: p.OfferID, OfferTitle: p.OfferTitle, EmployerID: p.EmployerOrgID, Employer: p.EmployerName,
		PersonID: p.PersonID, State: p.State, Reason: p.Reason, StepID: p.StepID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Events: []EventJSON{}}
	for _, e := range p.Events {
		out.Events = append(out.Events, EventJSON{From: e.From, To: e.To, Reason: e.Reason, Note: e.Note, At: e.At})
	}
	return out
}

func (h API) propose(w http.ResponseWriter, r *http.Request) {
	var in ProposeInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	p, err := h.Svc.Propose(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, positioningJSON(p))
}

func (h API) getPositioning(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.GetPositioning(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, positioningJSON(p))
}

func (h API) move(w http.ResponseWriter, r *http.Request) {
	var in MoveInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	p, err := h.Svc.Move(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, positioningJSON(p))
}

func (h API) offerPositionings(w http.ResponseWriter, r *http.Request) {
	items, err := h.Svc.OfferPositionings(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, items, len(items), positioningJSON)
}
