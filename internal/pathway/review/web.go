package review

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// actionRows is the number of action rows the decision form offers.
const actionRows = 3

// Web serves the case review pages.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// SeesReviews reports whether the navigation offers case reviews to the actor:
// référents, chargés d'orientation, organisation admins and managers.
func SeesReviews(a access.Actor) bool {
	return a.Authenticated() && a.HasAny(access.RoleReferent, access.RoleOrientation, access.RoleOrgAdmin, access.RoleManager)
}

// Register adds the routes and the navigation entry.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /commissions", web.RequireUser(h.list))
	mux.HandleFunc("GET /commissions/nouvelle", web.RequireUser(h.newForm))
	mux.HandleFunc("POST /commissions", web.RequireUser(h.create))
	mux.HandleFunc("GET /commissions/{id}", web.RequireUser(h.show))
	mux.HandleFunc("POST /commissions/{id}/participants", web.RequireUser(h.addParticipant))
	mux.HandleFunc("POST /commissions/{id}/points", web.RequireUser(h.addItem))
	mux.HandleFunc("POST /commissions/{id}/tenue", web.RequireUser(h.markHeld))
	mux.HandleFunc("GET /commissions/{id}/points/{item}", web.RequireUser(h.item))
	mux.HandleFunc("POST /commissions/{id}/points/{item}/audition", web.RequireUser(h.hearing))
	mux.HandleFunc("POST /commissions/{id}/points/{item}/sanction", web.RequireUser(h.sanction))
	mux.HandleFunc("POST /commissions/{id}/points/{item}/decision", web.RequireUser(h.decide))
	h.R.AddNav(web.NavItem{Label: "Commissions de cas", Href: "/commissions",
		Hint:    "Les groupes de professionnels et l'équipe pluridisciplinaire : situations les plus difficiles, décisions, sanctions.",
		Visible: SeesReviews})
}

type listData struct {
	Reviews   []Review
	Pager     web.Pager
	CanCreate bool
}

func (h Web) list(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	pager := web.NewPager(r, 50)
	list, total, err := h.Svc.List(r.Context(), a, Filter{Limit: pager.Limit, Offset: pager.Offset})
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	h.R.Render(w, r, http.StatusOK, templates, "templates/review_list.html", web.Page{Title: "Commissions de cas",
		Data: listData{Reviews: list, Pager: pager, CanCreate: access.CanCreateCaseReview(a)}})
}

// formData offers the kinds the actor may organise; ConvenesEP is false
// outside the département, whose form offers groups of professionals only.
type formData struct {
	Kinds      []Kind
	ConvenesEP bool
}

func newFormData(a access.Actor) formData {
	return formData{Kinds: KindsFor(a), ConvenesEP: access.CanConveneEP(a)}
}

func (h Web) newForm(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	if !access.CanCreateCaseReview(a) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/review_form.html", web.Page{Title: "Nouvelle commission",
		Form: url.Values{"kind": {string(KindGroup)}}, Data: newFormData(a)})
}

func (h Web) create(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f, a := r.PostForm, web.Actor(r.Context())
	created, err := h.Svc.Create(r.Context(), a, NewReview{Kind: Kind(f.Get("kind")), Title: f.Get("title"), HeldOn: f.Get("held_on")})
	if err != nil {
		h.R.FormPage(w, r, templates, "templates/review_form.html", web.Page{Title: "Nouvelle commission", Data: newFormData(a)}, err)
		return
	}
	web.Redirect(w, r, "/commissions/"+created.ID, "Commission créée : invitez les participants et préparez l'ordre du jour.")
}

type showData struct {
	Review      Review
	CanWrite    bool
	Staff       []StaffMember
	Suggestions []Suggestion
	Search      string
	Found       []people.Person
	ItemKinds   []ItemKind
}

func (h Web) show(w http.ResponseWriter, r *http.Request) {
	h.renderShow(w, r, nil)
}

// renderShow renders a review's page, with the errors of a form posted to it when err is set.
func (h Web) renderShow(w http.ResponseWriter, r *http.Request, formErr error) {
	ctx, a := r.Context(), web.Actor(r.Context())
	rev, err := h.Svc.Get(ctx, a, r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	data := showData{Review: rev, CanWrite: CanWrite(a, rev), ItemKinds: []ItemKind{ItemSituation}}
	if rev.Kind == KindEP {
		data.ItemKinds = append(data.ItemKinds, ItemSanction)
	}
	if data.CanWrite {
		err = h.fillWriterData(r, &data)
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	page := web.Page{Title: rev.Title, Data: data}
	if formErr != nil {
		h.R.FormPage(w, r, templates, "templates/review_show.html", page, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/review_show.html", page)
}

// fillWriterData adds what only writers see: the staff to invite, the
// suggested situations and the results of a search for a person.
func (h Web) fillWriterData(r *http.Request, data *showData) error {
	ctx, a := r.Context(), web.Actor(r.Context())
	var err error
	if data.Staff, err = h.Svc.Staff(ctx, a, data.Review); err != nil {
		return err
	}
	if data.Review.Held() {
		return nil
	}
	if data.Suggestions, err = h.Svc.Suggestions(ctx, a, data.Review); err != nil {
		return err
	}
	// After a failed addition the search posted with it is run again, so the form comes back whole.
	data.Search = strings.TrimSpace(r.URL.Query().Get("q"))
	if data.Search == "" {
		data.Search = strings.TrimSpace(r.PostForm.Get("q"))
	}
	data.Found, err = h.Svc.SearchPeople(ctx, a, data.Review, data.Search)
	return err
}

func (h Web) addParticipant(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	who := StaffMember{Email: r.PostForm.Get("email")}
	who.UserID, who.OrgID, _ = strings.Cut(r.PostForm.Get("user"), ":")
	p, err := h.Svc.AddParticipant(r.Context(), web.Actor(r.Context()), r.PathValue("id"), who)
	if err != nil {
		h.renderShow(w, r, err)
		return
	}
	web.Redirect(w, r, "/commissions/"+r.PathValue("id")+"#participants", p.Name+" participe à la commission.")
}

func (h Web) addItem(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	n := NewItem{PersonID: f.Get("person_id"), Kind: ItemKind(f.Get("kind")), Reasons: f.Get("reasons")}
	if n.Kind == ItemSanction {
		n.SanctionRate, n.SanctionMonths = atoi(f.Get("sanction_rate")), atoi(f.Get("sanction_months"))
	}
	it, err := h.Svc.AddItem(r.Context(), web.Actor(r.Context()), r.PathValue("id"), n)
	if err != nil {
		h.renderShow(w, r, err)
		return
	}
	web.Redirect(w, r, "/commissions/"+r.PathValue("id")+"#point-"+it.ID, it.PersonName+" est inscrit(e) à l'ordre du jour.")
}

// atoi reads a whole number from a form; anything else reads as 0, which
// validation then refuses with a message on the field.
func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")))
	if err != nil {
		return 0
	}
	return n
}

func (h Web) markHeld(w http.ResponseWriter, r *http.Request) {
	if err := h.Svc.MarkHeld(r.Context(), web.Actor(r.Context()), r.PathValue("id")); err != nil {
		h.renderShow(w, r, err)
		return
	}
	web.Redirect(w, r, "/commissions/"+r.PathValue("id"), "La commission est indiquée comme tenue : son ordre du jour est clos.")
}

type itemData struct {
	Review   Review
	Item     Item
	CanWrite bool
	Hearings []Hearing
	Outcomes []Outcome
	Rows     []int
}

func (h Web) item(w http.ResponseWriter, r *http.Request) {
	h.renderItem(w, r, nil)
}

// renderItem renders an agenda item's page; after a failed post its forms
// show what was typed, over the item's recorded values.
func (h Web) renderItem(w http.ResponseWriter, r *http.Request, formErr error) {
	a := web.Actor(r.Context())
	rev, it, err := h.Svc.Item(r.Context(), a, r.PathValue("id"), r.PathValue("item"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	form := url.Values{"heard": {string(it.Heard)}, "heard_note": {it.HeardNote}, "outcome": {string(it.SanctionOutcome)}}
	if it.SanctionRate > 0 {
		form.Set("sanction_rate", strconv.Itoa(it.SanctionRate))
		form.Set("sanction_months", strconv.Itoa(it.SanctionMonths))
	}
	for k, v := range r.PostForm {
		form[k] = v
	}
	rows := make([]int, actionRows)
	for i := range rows {
		rows[i] = i + 1
	}
	page := web.Page{Title: it.PersonName + " – " + rev.Title, Form: form, Data: itemData{Review: rev, Item: it, CanWrite: CanWrite(a, rev),
		Hearings: Hearings, Outcomes: []Outcome{OutcomeFavorable, OutcomeUnfavorable}, Rows: rows}}
	if formErr != nil {
		h.R.FormPage(w, r, templates, "templates/review_item.html", page, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/review_item.html", page)
}

// itemURL is the address of an agenda item's page.
func itemURL(r *http.Request) string {
	return "/commissions/" + r.PathValue("id") + "/points/" + r.PathValue("item")
}

func (h Web) hearing(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	_, err := h.Svc.RecordHearing(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("item"),
		Hearing(r.PostForm.Get("heard")), r.PostForm.Get("heard_note"))
	if err != nil {
		h.renderItem(w, r, err)
		return
	}
	web.Redirect(w, r, itemURL(r), "Droit d'être entendu enregistré.")
}

func (h Web) sanction(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	_, err := h.Svc.ProposeSanction(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("item"),
		atoi(r.PostForm.Get("sanction_rate")), atoi(r.PostForm.Get("sanction_months")))
	if err != nil {
		h.renderItem(w, r, err)
		return
	}
	web.Redirect(w, r, itemURL(r), "Proposition de sanction enregistrée.")
}

func (h Web) decide(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	d := Decision{Text: f.Get("decision"), Outcome: Outcome(f.Get("outcome"))}
	for i := 1; i <= actionRows; i++ {
		n := strconv.Itoa(i)
		d.Actions = append(d.Actions, NewAction{Title: f.Get("action_title_" + n), OwnerID: f.Get("action_owner_" + n), DueDate: f.Get("action_due_" + n)})
	}
	it, err := h.Svc.Decide(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("item"), d)
	if err != nil {
		h.renderItem(w, r, err)
		return
	}
	msg := "Décision enregistrée."
	if n := len(it.Actions); n > 0 {
		msg = "Décision enregistrée : " + strconv.Itoa(n) + " action(s) ajoutée(s) au plan d'action de la personne."
	}
	web.Redirect(w, r, "/commissions/"+r.PathValue("id")+"#point-"+it.ID, msg)
}
