package orgs

import (
	"embed"
	"net/http"
	"net/url"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the organisation pages.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// Register adds the routes and navigation entry.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /structures", web.RequireUser(h.list))
	mux.HandleFunc("GET /structures/nouvelle", web.RequireUser(h.newForm))
	mux.HandleFunc("POST /structures", web.RequireUser(h.create))
	mux.HandleFunc("GET /structures/{id}", web.RequireUser(h.show))
	mux.HandleFunc("GET /structures/{id}/modifier", web.RequireUser(h.editForm))
	mux.HandleFunc("POST /structures/{id}", web.RequireUser(h.update))
	h.R.AddNav(web.NavItem{Label: "Structures", Href: "/structures",
		Hint:    "Les partenaires du territoire : département, France Travail, missions locales, SIAE, employeurs…",
		Visible: func(a access.Actor) bool { return a.Authenticated() }})
}

type listData struct {
	Orgs      []Organisation
	Pager     web.Pager
	Kinds     any
	CanCreate bool
}

func (h Web) list(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	pager := web.NewPager(r, 50)
	q := r.URL.Query()
	list, total, err := h.Svc.List(r.Context(), a, Filter{Query: q.Get("q"), Kind: Kind(q.Get("type")), Limit: pager.Limit, Offset: pager.Offset})
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	canCreate := CanCreate(a, a.Territory)
	h.R.Render(w, r, http.StatusOK, templates, "templates/orgs_list.html", web.Page{Title: "Structures",
		Data: listData{Orgs: list, Pager: pager, Kinds: Kinds, CanCreate: canCreate}})
}

type showData struct {
	Org     Organisation
	CanEdit bool
}

func (h Web) show(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	o, err := h.Svc.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/orgs_show.html", web.Page{Title: o.Name,
		Data: showData{Org: o, CanEdit: access.CanOrganisation(a, facts(o), access.Write)}})
}

type formData struct {
	ID        string
	Kinds     any
	SIAEKinds []string
}

// formValues fills the form with an organisation's fields.
func formValues(o Organisation) url.Values {
	return url.Values{"name": {o.Name}, "kind": {string(o.Kind)}, "siae_kind": {o.SIAEKind}, "territory": {o.Territory},
		"siret": {o.SIRET}, "address": {o.Address}, "postal_code": {o.PostalCode}, "commune_code": {o.CommuneCode}}
}

// fromForm reads an organisation from a posted form.
func fromForm(f url.Values) Organisation {
	return Organisation{Name: f.Get("name"), Kind: Kind(f.Get("kind")), SIAEKind: f.Get("siae_kind"), Territory: f.Get("territory"),
		SIRET: f.Get("siret"), Address: f.Get("address"), PostalCode: f.Get("postal_code"), CommuneCode: f.Get("commune_code")}
}

func (h Web) editForm(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	o, err := h.Svc.Get(r.Context(), a, r.PathValue("id"))
	if err == nil && !access.CanOrganisation(a, facts(o), access.Write) {
		err = errs.New(errs.NotFound, "Page introuvable.")
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/orgs_form.html", web.Page{Title: "Modifier " + o.Name, Form: formValues(o),
		Data: formData{ID: o.ID, Kinds: Kinds, SIAEKinds: SIAEKinds}})
}

func (h Web) update(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	o := fromForm(r.PostForm)
	o.ID = r.PathValue("id")
	if _, err := h.Svc.Update(r.Context(), web.Actor(r.Context()), o); err != nil {
		h.R.FormPage(w, r, templates, "templates/orgs_form.html", web.Page{Title: "Modifier la structure",
			Data: formData{ID: o.ID, Kinds: Kinds, SIAEKinds: SIAEKinds}}, err)
		return
	}
	web.Redirect(w, r, "/structures/"+o.ID, "Structure modifiée.")
}

func (h Web) newForm(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	if !CanCreate(a, a.Territory) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	form := map[string][]string{"territory": {a.Territory}}
	h.R.Render(w, r, http.StatusOK, templates, "templates/orgs_form.html", web.Page{Title: "Nouvelle structure", Form: form,
		Data: formData{Kinds: Kinds, SIAEKinds: SIAEKinds}})
}

func (h Web) create(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	created, err := h.Svc.Create(r.Context(), web.Actor(r.Context()), fromForm(r.PostForm))
	if err != nil {
		h.R.FormPage(w, r, templates, "templates/orgs_form.html", web.Page{Title: "Nouvelle structure", Data: formData{Kinds: Kinds, SIAEKinds: SIAEKinds}}, err)
		return
	}
	web.Redirect(w, r, "/structures/"+created.ID, "Structure créée.")
}

// OrganisationJSON is an organisation as the API shows it.
type OrganisationJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	SIAEKind    string `json:"siae_kind,omitempty"`
	Territory   string `json:"territory"`
	SIRET       string `json:"siret"`
	Address     string `json:"address"`
	PostalCode  string `json:"postal_code"`
	CommuneCode string `json:"commune_code"`
}

func toJSON(o Organisation) OrganisationJSON {
	return OrganisationJSON{ID: o.ID, Name: o.Name, Kind: string(o.Kind), SIAEKind: o.SIAEKind, Territory: o.Territory,
		SIRET: o.SIRET, Address: o.Address, PostalCode: o.PostalCode, CommuneCode: o.CommuneCode}
}

// API serves the organisation endpoints.
type API struct{ Svc *Service }

// Register adds the routes to the API mux.
func (h API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/organisations", h.list)
	mux.HandleFunc("GET /api/v1/organisations/{id}", h.get)
}

func (h API) list(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	q := r.URL.Query()
	list, total, err := h.Svc.List(r.Context(), api.Actor(r.Context()), Filter{Query: q.Get("q"), Kind: Kind(q.Get("kind")), Limit: limit, Offset: offset})
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, total, toJSON)
}

func (h API) get(w http.ResponseWriter, r *http.Request) {
	o, err := h.Svc.Get(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, toJSON(o))
}
