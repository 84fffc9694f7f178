package steps

import (
	"net/http"
	"time"

	"tremplin/internal/platform/api"
)

// API serves the pathway endpoints: steps, action plan and check-ins.
type API struct{ Svc *Service }

// Register adds the routes to an API mux.
func (h API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/people/{id}/steps", h.listSteps)
	mux.HandleFunc("POST /api/v1/people/{id}/steps", h.createStep)
	mux.HandleFunc("POST /api/v1/steps/{id}/outcome", h.recordOutcome)
	mux.HandleFunc("GET /api/v1/people/{id}/plan", h.plan)
	mux.HandleFunc("POST /api/v1/people/{id}/plan/objectives", h.createObjective)
	mux.HandleFunc("POST /api/v1/plan/objectives/{id}/status", h.objectiveStatus)
	mux.HandleFunc("POST /api/v1/people/{id}/plan/actions", h.createAction)
	mux.HandleFunc("POST /api/v1/plan/actions/{id}/status", h.actionStatus)
	mux.HandleFunc("GET /api/v1/people/{id}/checkins", h.checkins)
	mux.HandleFunc("POST /api/v1/checkins/{id}", h.recordCheckin)
}

// StepJSON is a step as the API shows it.
type StepJSON struct {
	ID               string     `json:"id"`
	PersonID         string     `json:"person_id"`
	Kind             string     `json:"kind"`
	KindLabel        string     `json:"kind_label"`
	Subtype          string     `json:"subtype"`
	Title            string     `json:"title"`
	Detail           string     `json:"detail"`
	SIRET            string     `json:"siret"`
	OrganisationID   string     `json:"organisation_id"`
	OrganisationName string     `json:"organisation_name"`
	AuthorID         string     `json:"author_id"`
	AuthorName       string     `json:"author_name"`
	StartDate        string     `json:"start_date"`
	EndDate          *string    `json:"end_date"`
	ScheduledAt      *time.Time `json:"scheduled_at"`
	Outcome          string     `json:"outcome"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// dayJSON formats an optional date, null when absent.
func dayJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := day(*t)
	return &s
}

func stepJSON(s Step) StepJSON {
	return StepJSON{ID: s.ID, PersonID: s.PersonID, Kind: s.Kind, KindLabel: s.KindLabel(), Subtype: s.Subtype, Title: s.Title,
		Detail: s.Detail, SIRET: s.SIRET, OrganisationID: s.OrgID, OrganisationName: s.OrgName, AuthorID: s.AuthorID,
		AuthorName: s.AuthorName, StartDate: day(s.Start), EndDate: dayJSON(s.End), ScheduledAt: s.ScheduledAt, Outcome: s.Outcome,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// ActionJSON is an action of the plan as the API shows it.
type ActionJSON struct {
	ID                  string    `json:"id"`
	PersonID            string    `json:"person_id"`
	ObjectiveID         string    `json:"objective_id"`
	Title               string    `json:"title"`
	OwnerID             string    `json:"owner_id"`
	OwnerName           string    `json:"owner_name"`
	OwnerOrganisationID string    `json:"owner_organisation_id"`
	DueDate             *string   `json:"due_date"`
	Status              string    `json:"status"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

func actionJSON(a Action) ActionJSON {
	return ActionJSON{ID: a.ID, PersonID: a.PersonID, ObjectiveID: a.ObjectiveID, Title: a.Title, OwnerID: a.OwnerID,
		OwnerName: a.OwnerName, OwnerOrganisationID: a.OwnerOrgID, DueDate: dayJSON(a.Due), Status: a.Status,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// ObjectiveJSON is an objective of the plan with its actions.
type ObjectiveJSON struct {
	ID         string       `json:"id"`
	PersonID   string       `json:"person_id"`
	Theme      string       `json:"theme"`
	ThemeLabel string       `json:"theme_label"`
	Title      string       `json:"title"`
	ContractID string       `json:"contract_id"`
	Status     string       `json:"status"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	Actions    []ActionJSON `json:"actions"`
}

func objectiveJSON(o Objective) ObjectiveJSON {
	j := ObjectiveJSON{ID: o.ID, PersonID: o.PersonID, Theme: o.Theme, ThemeLabel: o.ThemeLabel(), Title: o.Title,
		ContractID: o.ContractID, Status: o.Status, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Actions: []ActionJSON{}}
	for _, a := range o.Actions {
		j.Actions = append(j.Actions, actionJSON(a))
	}
	return j
}

// PlanJSON is a person's action plan.
type PlanJSON struct {
	Objectives   []ObjectiveJSON `json:"objectives"`
	OtherActions []ActionJSON    `json:"other_actions"`
}

// CheckinJSON is a check-in after a return to work.
type CheckinJSON struct {
	ID           string  `json:"id"`
	PersonID     string  `json:"person_id"`
	StepID       string  `json:"step_id"`
	StepKind     string  `json:"step_kind"`
	StepTitle    string  `json:"step_title"`
	Months       int     `json:"months"`
	DueDate      string  `json:"due_date"`
	State        string  `json:"state"`
	DoneOn       *string `json:"done_on"`
	InWork       *bool   `json:"in_work"`
	Reason       string  `json:"reason"`
	ReasonDetail string  `json:"reason_detail"`
	RecordedBy   string  `json:"recorded_by"`
}

func checkinJSON(c Checkin, today time.Time) CheckinJSON {
	return CheckinJSON{ID: c.ID, PersonID: c.PersonID, StepID: c.StepID, StepKind: c.StepKind, StepTitle: c.StepTitle,
		Months: c.Months, DueDate: day(c.Due), State: c.State(today), DoneOn: dayJSON(c.DoneOn), InWork: c.InWork,
		Reason: c.Reason, ReasonDetail: c.ReasonDetail, RecordedBy: c.RecordedBy}
}

func (h API) listSteps(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	f := TimelineFilter{Kind: r.URL.Query().Get("kind"), Limit: limit, Offset: offset}
	list, total, err := h.Svc.Timeline(r.Context(), api.Actor(r.Context()), r.PathValue("id"), f)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, total, stepJSON)
}

func (h API) createStep(w http.ResponseWriter, r *http.Request) {
	var in StepInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	st, err := h.Svc.CreateStep(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, stepJSON(st))
}

func (h API) recordOutcome(w http.ResponseWriter, r *http.Request) {
	var in OutcomeInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	in.StepID = r.PathValue("id")
	st, err := h.Svc.RecordOutcome(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, stepJSON(st))
}

func (h API) plan(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.Plan(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	out := PlanJSON{Objectives: []ObjectiveJSON{}, OtherActions: []ActionJSON{}}
	for _, o := range p.Objectives {
		out.Objectives = append(out.Objectives, objectiveJSON(o))
	}
	for _, a := range p.Other {
		out.OtherActions = append(out.OtherActions, actionJSON(a))
	}
	api.JSON(w, http.StatusOK, out)
}

func (h API) createObjective(w http.ResponseWriter, r *http.Request) {
	var in ObjectiveInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	o, err := h.Svc.CreateObjective(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, objectiveJSON(o))
}

func (h API) objectiveStatus(w http.ResponseWriter, r *http.Request) {
	var in StatusInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	in.ID = r.PathValue("id")
	o, err := h.Svc.SetObjectiveStatus(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	// The status answer carries the objective alone; GET …/plan gives its actions.
	api.JSON(w, http.StatusOK, objectiveJSON(o))
}

func (h API) createAction(w http.ResponseWriter, r *http.Request) {
	var in ActionInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	a, err := h.Svc.CreateAction(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, actionJSON(a))
}

func (h API) actionStatus(w http.ResponseWriter, r *http.Request) {
	var in StatusInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	in.ID = r.PathValue("id")
	a, err := h.Svc.SetActionStatus(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, actionJSON(a))
}

func (h API) checkins(w http.ResponseWriter, r *http.Request) {
	list, err := h.Svc.Checkins(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	today := h.Svc.today()
	api.WriteList(w, list, len(list), func(c Checkin) CheckinJSON { return checkinJSON(c, today) })
}

func (h API) recordCheckin(w http.ResponseWriter, r *http.Request) {
	var in CheckinInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	c, err := h.Svc.RecordCheckin(r.Context(), api.Actor(r.Context()), r.PathValue("id"), "", in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, checkinJSON(c, h.Svc.today()))
}
