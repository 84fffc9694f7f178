package steps

import (
	"embed"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"tremplin/internal/people"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

const pageTemplate = "templates/steps_pathway.html"

// Web serves the pathway page of a person: action plan, timeline and check-ins.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// Register adds the routes.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /personnes/{id}/parcours", web.RequireUser(h.show))
	mux.HandleFunc("POST /personnes/{id}/parcours/objectifs", web.RequireUser(h.createObjective))
	mux.HandleFunc("POST /personnes/{id}/parcours/objectifs/{oid}/statut", web.RequireUser(h.objectiveStatus))
	mux.HandleFunc("POST /personnes/{id}/parcours/actions", web.RequireUser(h.createAction))
	mux.HandleFunc("POST /personnes/{id}/parcours/actions/{aid}/statut", web.RequireUser(h.actionStatus))
	mux.HandleFunc("POST /personnes/{id}/parcours/etapes", web.RequireUser(h.createStep))
	mux.HandleFunc("POST /personnes/{id}/parcours/resultats", web.RequireUser(h.recordOutcome))
	mux.HandleFunc("POST /personnes/{id}/parcours/points", web.RequireUser(h.recordCheckin))
}

// pageData is what the pathway page shows.
type pageData struct {
	Pathway
	Tabs   []web.Tab
	Pager  web.Pager
	Owners []people.GroupMember
	// Kinds, Themes… are the choices of the forms.
	Kinds             []KindInfo
	Themes            []Option
	ObjectiveStatuses []Option
	ActionStatuses    []Option
	LeaveReasons      []Option
	// Pending are the check-ins not recorded yet.
	Pending []Checkin
}

// TodayISO is today as a date input's value.
func (d pageData) TodayISO() string { return day(d.Today) }

const stepsPerPage = 50

// page loads the pathway page of the person of the request.
func (h Web) page(r *http.Request) (web.Page, error) {
	id := r.PathValue("id")
	pager := web.NewPager(r, stepsPerPage)
	pw, err := h.Svc.Pathway(r.Context(), web.Actor(r.Context()), id, pager.Limit, pager.Offset)
	if err != nil {
		return web.Page{}, err
	}
	pager.Total = pw.StepTotal
	d := pageData{Pathway: pw, Tabs: people.Tabs(id, "parcours"), Pager: pager, Owners: Owners(pw.Group, pw.Today),
		Kinds: Kinds, Themes: Themes, ObjectiveStatuses: ObjectiveStatuses, ActionStatuses: ActionStatuses, LeaveReasons: LeaveReasons}
	for _, c := range pw.Checkins {
		if c.DoneOn == nil {
			d.Pending = append(d.Pending, c)
		}
	}
	return web.Page{Title: "Parcours de " + pw.Person.FirstName + " " + pw.Person.LastName, Data: d}, nil
}

func (h Web) show(w http.ResponseWriter, r *http.Request) {
	p, err := h.page(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, pageTemplate, p)
}

// done redirects to the page with a flash, or shows it again with the
// errors of the form whose fields carry prefix.
func (h Web) done(w http.ResponseWriter, r *http.Request, prefix, anchor, flash string, err error) {
	if err == nil {
		web.Redirect(w, r, "/personnes/"+r.PathValue("id")+"/parcours#"+anchor, flash)
		return
	}
	p, loadErr := h.page(r)
	if loadErr != nil {
		h.R.Error(w, r, loadErr)
		return
	}
	h.R.FormPage(w, r, templates, pageTemplate, p, prefixed(err, prefix))
}

// prefixed names the field errors of err after the inputs of one form of
// the page, which share the page with other forms ("title" → "step_title").
func prefixed(err error, prefix string) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = map[string]string{}
	for k, v := range e.Fields {
		out.Fields[prefix+k] = v
	}
	return &out
}

// unprefixed keeps only a form's fields, without their prefix.
func unprefixed(f url.Values, prefix string) url.Values {
	out := url.Values{}
	for k, v := range f {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			out[name] = v
		}
	}
	return out
}

func (h Web) createStep(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := unprefixed(r.PostForm, "step_")
	in := StepInput{Kind: f.Get("kind"), Subtype: f.Get("subtype"), Title: f.Get("title"), Detail: f.Get("detail"),
		OrganisationID: f.Get("organisation_id"), SIRET: f.Get("siret"), StartDate: f.Get("start_date"), EndDate: f.Get("end_date"),
		ScheduledAt: f.Get("scheduled_at")}
	_, err := h.Svc.CreateStep(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	h.done(w, r, "step_", "etapes", "Étape ajoutée au parcours.", err)
}

func (h Web) recordOutcome(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := OutcomeInput{StepID: r.PostForm.Get("outcome_step_id"), PersonID: r.PathValue("id"), Outcome: r.PostForm.Get("outcome_outcome")}
	_, err := h.Svc.RecordOutcome(r.Context(), web.Actor(r.Context()), in)
	h.done(w, r, "outcome_", "etapes", "Résultat enregistré.", err)
}

func (h Web) recordCheckin(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := unprefixed(r.PostForm, "checkin_")
	in := CheckinInput{Reason: f.Get("reason"), ReasonDetail: f.Get("reason_detail"), DoneOn: f.Get("done_on")}
	switch f.Get("in_work") {
	case "oui":
		yes := true
		in.InWork = &yes
	case "non":
		no := false
		in.InWork = &no
	}
	_, err := h.Svc.RecordCheckin(r.Context(), web.Actor(r.Context()), f.Get("id"), r.PathValue("id"), in)
	h.done(w, r, "checkin_", "points", "Point de situation enregistré.", err)
}

func (h Web) createObjective(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := unprefixed(r.PostForm, "objective_")
	in := ObjectiveInput{Theme: f.Get("theme"), Title: f.Get("title"), ContractID: f.Get("contract_id")}
	_, err := h.Svc.CreateObjective(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	h.done(w, r, "objective_", "plan", "Objectif ajouté au plan d'action.", err)
}

func (h Web) createAction(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := unprefixed(r.PostForm, "action_")
	in := ActionInput{ObjectiveID: f.Get("objective_id"), Title: f.Get("title"), OwnerID: f.Get("owner_id"), DueDate: f.Get("due_date")}
	_, err := h.Svc.CreateAction(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	h.done(w, r, "action_", "plan", "Action ajoutée au plan d'action.", err)
}

// A status form is one select on a row: its error is shown in the summary.
func (h Web) objectiveStatus(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := StatusInput{ID: r.PathValue("oid"), PersonID: r.PathValue("id"), Status: r.PostForm.Get("status")}
	_, err := h.Svc.SetObjectiveStatus(r.Context(), web.Actor(r.Context()), in)
	h.done(w, r, "", "plan", "Statut de l'objectif modifié.", summaryOnly(err))
}

func (h Web) actionStatus(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := StatusInput{ID: r.PathValue("aid"), PersonID: r.PathValue("id"), Status: r.PostForm.Get("status")}
	_, err := h.Svc.SetActionStatus(r.Context(), web.Actor(r.Context()), in)
	h.done(w, r, "", "plan", "Statut de l'action modifié.", summaryOnly(err))
}

// summaryOnly turns field errors into one message for the page's summary.
func summaryOnly(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	for _, msg := range e.Fields {
		return errs.New(e.Code, msg)
	}
	return err
}
