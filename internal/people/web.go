package people

import (
	"embed"
	"net/http"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the people pages.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// SeesPeople reports whether the navigation offers the people list to the
// actor: professionals and managers, not employers, who will see their
// candidates on their offers instead.
func SeesPeople(a access.Actor) bool {
	s := access.ScopeForPeople(a)
	return !s.None && (s.All || s.Territory != "" || s.HoldingOrgID != "" || s.GroupUserID != "")
}

// Register adds the routes and the navigation entry.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /personnes", web.RequireUser(h.list))
	mux.HandleFunc("GET /personnes/{id}", web.RequireUser(h.show))
	h.R.AddNav(web.NavItem{Label: "Personnes accompagnées", Href: "/personnes",
		Hint: "Les dossiers des personnes que vous accompagnez ou dont votre structure a la charge.", Visible: SeesPeople})
	h.registerImport(mux)
	h.registerListImport(mux)
	h.registerMerge(mux)
}

type listData struct {
	People []Person
	Pager  web.Pager
}

func (h Web) list(w http.ResponseWriter, r *http.Request) {
	pager := web.NewPager(r, 50)
	q := r.URL.Query()
	list, total, err := h.Svc.List(r.Context(), web.Actor(r.Context()), Filter{Query: q.Get("q"), Matricule: q.Get("matricule"), Limit: pager.Limit, Offset: pager.Offset})
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	h.R.Render(w, r, http.StatusOK, templates, "templates/people_list.html", web.Page{Title: "Personnes accompagnées", Data: listData{People: list, Pager: pager}})
}

type showData struct {
	Person  Person
	Group   []GroupMember
	Publics []string
	Tabs    []web.Tab
	// Absorbed are the duplicate files merged into this one.
	Absorbed []Absorbed
}

func (h Web) show(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), web.Actor(r.Context())
	p, group, err := h.Svc.Get(ctx, a, r.PathValue("id"))
	if errs.Is(err, errs.NotFound) {
		// A link to a file absorbed by a merge leads to the file it went into.
		if keep, ok, kerr := h.Svc.KeptFile(ctx, a, r.PathValue("id")); kerr == nil && ok {
			http.Redirect(w, r, "/personnes/"+keep, http.StatusSeeOther)
			return
		}
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if p.CandidateOnly {
		// An employer reads a candidate, not a social file: the candidate's CV page.
		http.Redirect(w, r, "/personnes/"+p.ID+"/cv", http.StatusSeeOther)
		return
	}
	absorbed, err := absorbedInto(ctx, h.Svc.db, p.ID)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/people_show.html", web.Page{Title: p.FirstName + " " + p.LastName,
		Data: showData{Person: p, Group: group, Publics: publicLabels(p), Tabs: Tabs(p.ID, "dossier"), Absorbed: absorbed}})
}

func publicLabels(p Person) []string {
	var out []string
	for _, pub := range Publics(p, time.Now()) {
		out = append(out, PublicLabel(pub))
	}
	return out
}
