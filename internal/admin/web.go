// Package admin serves the administration pages: staff accounts of an
// organisation (or of the whole platform) and the audit trail search.
package admin

import (
	"embed"
	"net/http"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the administration pages.
type Web struct {
	DB   *db.DB
	Auth *auth.Service
	Orgs *orgs.Service
	R    *web.Renderer
}

// administers reports whether the actor manages accounts.
func administers(a access.Actor) bool { return a.PlatformAdmin || a.Has(access.RoleOrgAdmin) }

// Register adds the routes and navigation entries.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/comptes", web.RequireUser(h.users))
	mux.HandleFunc("GET /admin/comptes/nouveau", web.RequireUser(h.newUser))
	mux.HandleFunc("POST /admin/comptes", web.RequireUser(h.createUser))
	mux.HandleFunc("POST /admin/comptes/{id}/desactiver", web.RequireUser(h.disableUser))
	mux.HandleFunc("GET /admin/journal", web.RequireUser(h.auditLog))
	h.R.AddNav(
		web.NavItem{Label: "Comptes", Href: "/admin/comptes", Hint: "Créer et désactiver les comptes des professionnels.", Visible: administers},
		web.NavItem{Label: "Journal d'accès", Href: "/admin/journal", Hint: "Qui a consulté ou modifié quel dossier, quand et d'où.",
			Visible: func(a access.Actor) bool { _, ok := access.AuditScope(a); return ok }},
	)
}

type usersData struct {
	Users []userRow
	Pager web.Pager
}

type userRow struct {
	auth.User
	CanChange bool
}

func (h Web) users(w http.ResponseWriter, r *http.Request) {
	pager := web.NewPager(r, 50)
	users, total, err := h.Auth.ListUsers(r.Context(), web.Actor(r.Context()), auth.UserFilter{Limit: pager.Limit, Offset: pager.Offset})
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	rows := make([]userRow, len(users))
	for i, u := range users {
		// Offer "Désactiver" only where the service would accept it.
		rows[i] = userRow{User: u, CanChange: auth.CanChange(web.Actor(r.Context()), u)}
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/admin_users.html", web.Page{Title: "Comptes", Data: usersData{Users: rows, Pager: pager}})
}

type newUserData struct {
	Orgs  []orgs.Organisation
	Roles []access.Role
}

func (h Web) userForm(w http.ResponseWriter, r *http.Request, status int, err error) {
	a := web.Actor(r.Context())
	if !administers(a) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	var choices []orgs.Organisation
	if a.PlatformAdmin {
		list, _, lerr := h.Orgs.List(r.Context(), a, orgs.Filter{Limit: 500})
		if lerr != nil {
			h.R.Error(w, r, lerr)
			return
		}
		choices = list
	} else if o, gerr := h.Orgs.Get(r.Context(), a, a.OrgID); gerr == nil {
		choices = []orgs.Organisation{o}
	}
	p := web.Page{Title: "Nouveau compte", Data: newUserData{Orgs: choices, Roles: access.Roles}}
	if err != nil {
		h.R.FormPage(w, r, templates, "templates/admin_user_new.html", p, err)
		return
	}
	h.R.Render(w, r, status, templates, "templates/admin_user_new.html", p)
}

func (h Web) newUser(w http.ResponseWriter, r *http.Request) { h.userForm(w, r, http.StatusOK, nil) }

func (h Web) createUser(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	nu := auth.NewUser{Email: f.Get("email"), FirstName: f.Get("first_name"), LastName: f.Get("last_name"), Password: f.Get("password"),
		Memberships: []auth.NewMembership{{OrgID: f.Get("organisation"), Role: access.Role(f.Get("role")), Qualification: access.Qualification(f.Get("qualification"))}}}
	if nu.Password == "" {
		err := errs.FieldErrors{"password": "Choisissez un mot de passe provisoire (12 caractères au moins) ; la personne pourra le changer."}.Err()
		h.userForm(w, r, 0, err)
		return
	}
	if _, err := h.Auth.CreateUser(r.Context(), web.Actor(r.Context()), nu); err != nil {
		h.userForm(w, r, 0, err)
		return
	}
	web.Redirect(w, r, "/admin/comptes", "Compte créé.")
}

func (h Web) disableUser(w http.ResponseWriter, r *http.Request) {
	if err := h.Auth.DisableUser(r.Context(), web.Actor(r.Context()), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/admin/comptes", "Compte désactivé.")
}

type auditData struct {
	Entries []audit.Entry
	Pager   web.Pager
}

func (h Web) auditLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pager := web.NewPager(r, 100)
	f := audit.Filter{PersonID: q.Get("personne"), ObjectType: q.Get("objet"), Action: q.Get("action"), Limit: pager.Limit, Offset: pager.Offset}
	if email := q.Get("compte"); email != "" {
		u, err := h.Auth.UserByEmail(r.Context(), web.Actor(r.Context()), email)
		if err != nil {
			f.UserID = "unknown"
		} else {
			f.UserID = u.ID
		}
	}
	// The page shows Paris times: read the days the same way.
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("du"), web.Paris); err == nil {
		f.From = d
	}
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("au"), web.Paris); err == nil {
		f.To = d.AddDate(0, 0, 1)
	}
	entries, total, err := audit.Search(r.Context(), h.DB, web.Actor(r.Context()), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	h.R.Render(w, r, http.StatusOK, templates, "templates/admin_audit.html", web.Page{Title: "Journal d'accès", Data: auditData{Entries: entries, Pager: pager}})
}
