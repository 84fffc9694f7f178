package notify

import (
	"embed"
	"net/http"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves a staff member's notifications.
type Web struct {
	DB *db.DB
	R  *web.Renderer
}

// Register adds the routes and the navigation entry.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /notifications", web.RequireUser(h.list))
	mux.HandleFunc("POST /notifications/lues", web.RequireUser(h.readAll))
	h.R.AddNav(web.NavItem{Label: "Notifications", Href: "/notifications",
		Hint: "Ce qui a changé pour les personnes que vous suivez : candidatures, recrutements.", Visible: staff})
}

// staff reports whether the actor is a signed-in staff member, who may receive notifications.
func staff(a access.Actor) bool { return a.Authenticated() && !a.System }

const pageSize = 100

func (h Web) list(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	items, unread, err := List(r.Context(), h.DB, a.UserID, pageSize)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	data := struct {
		Items  []Notification
		Unread int
	}{items, unread}
	h.R.Render(w, r, http.StatusOK, templates, "templates/notifications.html", web.Page{Title: "Notifications", Data: data})
}

func (h Web) readAll(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	if err := MarkAllRead(r.Context(), h.DB, a.UserID, db.Now()); err != nil {
		h.R.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/notifications", "Notifications marquées comme lues.")
}
