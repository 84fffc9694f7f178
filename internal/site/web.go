// Package site serves the pages every visitor may reach: the home page that
// adapts to the role, the legal pages, and the health and metrics endpoints.
package site

import (
	"context"
	"crypto/subtle"
	"embed"
	"net"
	"net/http"
	"strings"
	"time"

	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the site pages.
type Web struct {
	R       *web.Renderer
	Ping    func(context.Context) error
	Metrics http.Handler
	// MetricsToken, when set, lets scrapers from other machines read /metrics.
	MetricsToken string
	Version      string
}

// Register adds the pages.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", web.RequireUser(h.home))
	mux.HandleFunc("GET /mentions-legales", h.static("templates/legal.html", "Mentions légales"))
	mux.HandleFunc("GET /donnees-personnelles", h.static("templates/privacy.html", "Données personnelles"))
	mux.HandleFunc("GET /accessibilite", h.static("templates/accessibility.html", "Déclaration d'accessibilité"))
	mux.HandleFunc("/", h.notFound)
}

// RegisterProbes adds the health and metrics endpoints, which need no session.
func (h Web) RegisterProbes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", h.health)
	mux.HandleFunc("GET /metrics", h.metrics)
}

// metrics answers scrapers on this machine, or bearing the metrics token:
// traffic and pool figures are not for everyone.
func (h Web) metrics(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	bearer, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	tokenOK := h.MetricsToken != "" && hasBearer && subtle.ConstantTimeCompare([]byte(bearer), []byte(h.MetricsToken)) == 1
	if !tokenOK && (ip == nil || !ip.IsLoopback() || r.Header.Get("X-Forwarded-For") != "") {
		http.Error(w, "Accès refusé.", http.StatusForbidden)
		return
	}
	h.Metrics.ServeHTTP(w, r)
}

func (h Web) home(w http.ResponseWriter, r *http.Request) {
	h.R.Render(w, r, http.StatusOK, templates, "templates/home.html", web.Page{Title: "Accueil"})
}

func (h Web) static(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.R.Render(w, r, http.StatusOK, templates, name, web.Page{Title: title})
	}
}

func (h Web) notFound(w http.ResponseWriter, r *http.Request) {
	h.R.Render(w, r, http.StatusNotFound, nil, "", web.Page{Title: "Page introuvable", Data: "Cette page n'existe pas ou vous n'y avez pas accès."})
}

func (h Web) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := h.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","database":"unreachable"}` + "\n"))
		return
	}
	w.Write([]byte(`{"status":"ok","database":"ok","version":"` + h.Version + `"}` + "\n"))
}
