package feedback

import (
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the questionnaire, the person's tab and the results page.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// Register adds the routes and the navigation entry. The questionnaire is
// public: the person answering has no account, and the session middleware
// lets anonymous requests through.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /avis/merci", public(h.thanks))
	mux.HandleFunc("GET /avis/{token}", public(h.questionnaire))
	mux.HandleFunc("POST /avis/{token}", public(h.answer))
	mux.HandleFunc("GET /personnes/{id}/avis", web.RequireUser(h.person))
	mux.HandleFunc("POST /personnes/{id}/avis", web.RequireUser(h.issue))
	mux.HandleFunc("GET /avis-resultats", web.RequireUser(h.results))
	h.R.AddNav(web.NavItem{Label: "Avis des personnes", Href: "/avis-resultats",
		Hint: "Ce que les personnes accompagnées pensent de leur accompagnement, en chiffres agrégés.", Visible: CanReadResults})
}

// public marks the questionnaire's pages: never cached, never indexed, and
// the address (which holds the token) never sent to another site.
func public(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex, nofollow")
		w.Header().Set("Referrer-Policy", "no-referrer")
		next(w, r)
	}
}

type questionnaireData struct {
	Token     string
	OrgName   string
	Questions []Question
	Scale     []Choice
	Overall   string
	Scores    []int
	Max       int
}

func (h Web) questionnaireData(token, orgName string) questionnaireData {
	return questionnaireData{Token: token, OrgName: orgName, Questions: Questions, Scale: Scale,
		Overall: OverallQuestion, Scores: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Max: MaxComment}
}

const questionnaireTitle = "Votre avis sur votre accompagnement"

func (h Web) questionnaire(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	orgName, err := h.Svc.Open(r.Context(), token)
	if err != nil {
		h.gone(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/feedback_form.html",
		web.Page{Title: questionnaireTitle, Data: h.questionnaireData(token, orgName)})
}

func (h Web) answer(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	r.ParseForm()
	err := h.Svc.Answer(r.Context(), token, r.PostForm.Get)
	if errs.Is(err, errs.Invalid) {
		orgName, openErr := h.Svc.Open(r.Context(), token)
		if openErr != nil {
			h.gone(w, r, openErr)
			return
		}
		h.R.FormPage(w, r, templates, "templates/feedback_form.html",
			web.Page{Title: questionnaireTitle, Data: h.questionnaireData(token, orgName)}, err)
		return
	}
	if err != nil {
		h.gone(w, r, err)
		return
	}
	http.Redirect(w, r, "/avis/merci", http.StatusSeeOther)
}

// gone answers a link that does not work with one kind page, whatever the
// reason (unknown, used, expired), so that nothing is learnt from it.
func (h Web) gone(w http.ResponseWriter, r *http.Request, err error) {
	if !errs.Is(err, errs.NotFound) {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusNotFound, templates, "templates/feedback_gone.html", web.Page{Title: "Ce lien ne fonctionne plus"})
}

func (h Web) thanks(w http.ResponseWriter, r *http.Request) {
	h.R.Render(w, r, http.StatusOK, templates, "templates/feedback_thanks.html", web.Page{Title: "Merci pour votre avis"})
}

type personData struct {
	Person   people.Person
	Tabs     []web.Tab
	Links    []linkView
	CanIssue bool
	Issued   *Issued
	Validity int
}

// linkView is a link as the person's tab lists it.
type linkView struct {
	Link
	Status string
}

func linkViews(links []Link, now time.Time) []linkView {
	out := make([]linkView, 0, len(links))
	for _, l := range links {
		status := "En attente de réponse"
		switch {
		case l.Used:
			status = "Oui, la personne a répondu"
		case l.Expired(now):
			status = "Non, le lien a expiré"
		}
		out = append(out, linkView{Link: l, Status: status})
	}
	return out
}

func (h Web) person(w http.ResponseWriter, r *http.Request) {
	h.renderPerson(w, r, nil)
}

// renderPerson shows the person's tab, with a just-issued link when there is one.
func (h Web) renderPerson(w http.ResponseWriter, r *http.Request, issued *Issued) {
	p, links, canIssue, err := h.Svc.Links(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/feedback_person.html", web.Page{
		Title: "Avis — " + p.FirstName + " " + p.LastName,
		Data: personData{Person: p, Tabs: people.Tabs(p.ID, "avis"), Links: linkViews(links, db.Now()),
			CanIssue: canIssue, Issued: issued, Validity: int(LinkValidity.Hours() / 24)},
	})
}

// issue creates a link and shows it in the answer itself: the address is
// neither stored nor put in a redirect or a flash cookie.
func (h Web) issue(w http.ResponseWriter, r *http.Request) {
	issued, err := h.Svc.Issue(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.renderPerson(w, r, &issued)
}

type resultsData struct {
	Report      Report
	Territory   []cellView
	Orgs        []orgView
	Years       []int
	Year        int
	Granularity Granularity
	Min         int
	Dept        bool
}

type orgView struct {
	Name  string
	Cells []cellView
}

// cellView is a cell with its figures written in French.
type cellView struct {
	Cell
	Label                      string
	Rate                       string
	Useful, Listened, Clear    string
	Mean                       string
	Few, Complementary, Hidden bool
	Bars                       []Bar
}

func viewCell(c Cell) cellView {
	v := cellView{Cell: c, Label: c.Period.Label(), Rate: "—", Few: c.Suppressed == FewAnswers,
		Complementary: c.Suppressed == Complementary, Hidden: c.Suppressed != Shown}
	if pct, ok := c.ResponseRate(); ok {
		v.Rate = percent(pct)
	}
	if !v.Hidden {
		v.Useful, v.Listened, v.Clear = percent(c.UsefulPct), percent(c.ListenedPct), percent(c.ClearPct)
		v.Mean = decimal(c.OverallMean) + "\u202f/\u202f10"
		v.Bars = c.Bars()
	}
	return v
}

func viewCells(cells []Cell) []cellView {
	out := make([]cellView, 0, len(cells))
	for _, c := range cells {
		out = append(out, viewCell(c))
	}
	return out
}

// percent writes a share in French: "86 %".
func percent(p float64) string { return fmt.Sprintf("%.0f\u202f%%", p) }

// decimal writes a number with one decimal and a decimal comma: "7,4".
func decimal(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1)
}

// granularities maps the page's French parameter to a granularity.
var granularities = map[string]Granularity{"mois": Month, "trimestre": Quarter, "annee": Year}

func (h Web) results(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	q := r.URL.Query()
	now := time.Now().In(paris)
	year, err := strconv.Atoi(q.Get("annee"))
	if err != nil || year < 2000 || year > now.Year() {
		year = now.Year()
	}
	g, ok := granularities[q.Get("pas")]
	if !ok {
		g = Month
	}
	rep, err := h.Svc.Results(r.Context(), a, Request{Range: Period{Year, year, 0}, Granularity: g})
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	data := resultsData{Report: rep, Territory: viewCells(rep.Territory), Year: year, Granularity: g,
		Min: MinAnswers, Dept: isDept(a)}
	for y := now.Year(); y >= now.Year()-4; y-- {
		data.Years = append(data.Years, y)
	}
	for _, o := range rep.Orgs {
		data.Orgs = append(data.Orgs, orgView{Name: o.OrgName, Cells: viewCells(o.Cells)})
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/feedback_results.html", web.Page{Title: "Avis des personnes accompagnées", Data: data})
}

// isDept reports whether the actor reads the results as a département manager.
func isDept(a access.Actor) bool {
	sc, ok := resultsScope(a)
	return ok && sc.dept
}
