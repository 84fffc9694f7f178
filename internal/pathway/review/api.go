package review

import (
	"net/http"
	"time"

	"tremplin/internal/platform/api"
)

// ReviewSummaryJSON is a case review as listings show it.
type ReviewSummaryJSON struct {
	ID               string `json:"id"`
	Kind             Kind   `json:"kind"`
	Title            string `json:"title"`
	HeldOn           string `json:"held_on"`
	Status           string `json:"status"`
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
	Territory        string `json:"territory"`
	ItemCount        int    `json:"item_count"`
}

// ReviewJSON is a case review with its participants and agenda.
type ReviewJSON struct {
	ReviewSummaryJSON
	Participants []ParticipantJSON `json:"participants"`
	Items        []ItemJSON        `json:"items"`
}

// ParticipantJSON is a professional sitting in a review.
type ParticipantJSON struct {
	UserID           string `json:"user_id"`
	Name             string `json:"name"`
	Email            string `json:"email"`
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
}

// ItemJSON is a point of the agenda.
type ItemJSON struct {
	ID         string        `json:"id"`
	ReviewID   string        `json:"review_id"`
	PersonID   string        `json:"person_id"`
	PersonName string        `json:"person_name"`
	Kind       ItemKind      `json:"kind"`
	Reasons    string        `json:"reasons"`
	Decision   string        `json:"decision"`
	DecidedAt  *time.Time    `json:"decided_at"`
	Sanction   *SanctionJSON `json:"sanction"`
	Actions    []ActionJSON  `json:"actions"`
}

// SanctionJSON is the proposed suspension-remobilisation, the hearing and the opinion.
type SanctionJSON struct {
	Rate      int     `json:"rate"`
	Months    int     `json:"months"`
	Heard     Hearing `json:"heard"`
	HeardNote string  `json:"heard_note"`
	Outcome   Outcome `json:"outcome"`
}

// ActionJSON is an action of the person's plan born from a decision.
type ActionJSON struct {
	ID           string `json:"id"`
	PersonID     string `json:"person_id"`
	Title        string `json:"title"`
	OwnerID      string `json:"owner_id"`
	OwnerName    string `json:"owner_name"`
	OwnerOrgID   string `json:"owner_organisation_id"`
	OwnerOrgName string `json:"owner_organisation_name"`
	DueDate      string `json:"due_date"`
	Status       string `json:"status"`
}

func summaryJSON(r Review) ReviewSummaryJSON {
	return ReviewSummaryJSON{ID: r.ID, Kind: r.Kind, Title: r.Title, HeldOn: r.HeldOn.Format(time.DateOnly), Status: r.Status,
		OrganisationID: r.OrgID, OrganisationName: r.OrgName, Territory: r.Territory, ItemCount: r.ItemCount}
}

func reviewJSON(r Review) ReviewJSON {
	out := ReviewJSON{ReviewSummaryJSON: summaryJSON(r), Participants: []ParticipantJSON{}, Items: []ItemJSON{}}
	out.ItemCount = len(r.Items)
	for _, p := range r.Participants {
		out.Participants = append(out.Participants, ParticipantJSON{UserID: p.UserID, Name: p.Name, Email: p.Email, OrganisationID: p.OrgID, OrganisationName: p.OrgName})
	}
	for _, it := range r.Items {
		out.Items = append(out.Items, itemJSON(it))
	}
	return out
}

func itemJSON(it Item) ItemJSON {
	out := ItemJSON{ID: it.ID, ReviewID: it.ReviewID, PersonID: it.PersonID, PersonName: it.PersonName, Kind: it.Kind, Reasons: it.Reasons,
		Decision: it.Decision, DecidedAt: it.DecidedAt, Actions: []ActionJSON{}}
	if it.Kind == ItemSanction {
		out.Sanction = &SanctionJSON{Rate: it.SanctionRate, Months: it.SanctionMonths, Heard: it.Heard, HeardNote: it.HeardNote, Outcome: it.SanctionOutcome}
	}
	for _, a := range it.Actions {
		out.Actions = append(out.Actions, ActionJSON{ID: a.ID, PersonID: a.PersonID, Title: a.Title, OwnerID: a.OwnerID, OwnerName: a.OwnerName,
			OwnerOrgID: a.OwnerOrgID, OwnerOrgName: a.OwnerOrg, DueDate: a.DueDate.Format(time.DateOnly), Status: a.Status})
	}
	return out
}

// API serves the case review endpoints.
type API struct{ Svc *Service }

// Register adds the routes to the API mux.
func (h API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/case-reviews", h.list)
	mux.HandleFunc("POST /api/v1/case-reviews", h.create)
	mux.HandleFunc("GET /api/v1/case-reviews/{id}", h.get)
	mux.HandleFunc("POST /api/v1/case-reviews/{id}/items", h.addItem)
	mux.HandleFunc("POST /api/v1/case-review-items/{id}/hearing", h.hearing)
	mux.HandleFunc("POST /api/v1/case-review-items/{id}/decision", h.decide)
}

func (h API) list(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	list, total, err := h.Svc.List(r.Context(), api.Actor(r.Context()), Filter{Limit: limit, Offset: offset})
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, total, summaryJSON)
}

type createBody struct {
	Kind         Kind     `json:"kind"`
	Title        string   `json:"title"`
	HeldOn       string   `json:"held_on"`
	Participants []string `json:"participants"`
}

func (h API) create(w http.ResponseWriter, r *http.Request) {
	var b createBody
	if err := api.Decode(w, r, &b); err != nil {
		api.Error(w, err)
		return
	}
	ctx, a := r.Context(), api.Actor(r.Context())
	created, err := h.Svc.Create(ctx, a, NewReview{Kind: b.Kind, Title: b.Title, HeldOn: b.HeldOn, Participants: b.Participants})
	if err == nil {
		created, err = h.Svc.Get(ctx, a, created.ID)
	}
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, reviewJSON(created))
}

func (h API) get(w http.ResponseWriter, r *http.Request) {
	rev, err := h.Svc.Get(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, reviewJSON(rev))
}

type itemBody struct {
	PersonID       string   `json:"person_id"`
	Kind           ItemKind `json:"kind"`
	Reasons        string   `json:"reasons"`
	SanctionRate   int      `json:"sanction_rate"`
	SanctionMonths int      `json:"sanction_months"`
}

func (h API) addItem(w http.ResponseWriter, r *http.Request) {
	var b itemBody
	if err := api.Decode(w, r, &b); err != nil {
		api.Error(w, err)
		return
	}
	it, err := h.Svc.AddItem(r.Context(), api.Actor(r.Context()), r.PathValue("id"), NewItem(b))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, itemJSON(it))
}

type hearingBody struct {
	Heard     Hearing `json:"heard"`
	HeardNote string  `json:"heard_note"`
}

func (h API) hearing(w http.ResponseWriter, r *http.Request) {
	var b hearingBody
	if err := api.Decode(w, r, &b); err != nil {
		api.Error(w, err)
		return
	}
	it, err := h.Svc.RecordHearing(r.Context(), api.Actor(r.Context()), "", r.PathValue("id"), b.Heard, b.HeardNote)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, itemJSON(it))
}

type decisionBody struct {
	Decision string  `json:"decision"`
	Outcome  Outcome `json:"outcome"`
	Actions  []struct {
		Title   string `json:"title"`
		OwnerID string `json:"owner_id"`
		DueDate string `json:"due_date"`
	} `json:"actions"`
}

func (h API) decide(w http.ResponseWriter, r *http.Request) {
	var b decisionBody
	if err := api.Decode(w, r, &b); err != nil {
		api.Error(w, err)
		return
	}
	d := Decision{Text: b.Decision, Outcome: b.Outcome}
	for _, a := range b.Actions {
		d.Actions = append(d.Actions, NewAction{Title: a.Title, OwnerID: a.OwnerID, DueDate: a.DueDate})
	}
	it, err := h.Svc.Decide(r.Context(), api.Actor(r.Context()), "", r.PathValue("id"), d)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, itemJSON(it))
}
