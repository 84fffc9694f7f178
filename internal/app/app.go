// Package app assembles Tremplin: it opens the database, migrates it, loads
// the reference data, builds the services and the HTTP handler that the
// serve command and the end-to-end tests run.
package app

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"tremplin/internal/clauses"

	"tremplin/internal/account"
	"tremplin/internal/admin"
	"tremplin/internal/jobs"
	"tremplin/internal/orgs"
	"tremplin/internal/pathway"
	"tremplin/internal/pathway/feedback"
	"tremplin/internal/pathway/review"
	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/config"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/migrations"
	"tremplin/internal/platform/notify"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
	"tremplin/internal/platform/web"
	"tremplin/internal/site"
)

// Version is set at build time with -ldflags "-X tremplin/internal/app.Version=…".
var Version = "dev"

// App is a running Tremplin: its configuration, database and services.
type App struct {
	Cfg     config.Config
	DB      *db.DB
	Box     *secret.Box
	Auth    *auth.Service
	Orgs    *orgs.Service
	People  *people.Service
	Render  *web.Renderer
	Metrics *web.Metrics
	// Geocoder places addresses: the BAN API when configured, else the commune centre.
	Geocoder geo.Geocoder
	// Steps is the action plan, the steps timeline and the back-to-work check-ins of a person.
	Steps *steps.Service
	// Feedback is the people's own evaluation of the support they got.
	Feedback *feedback.Service
	// Reviews are the case reviews: groups of professionals and the équipe pluridisciplinaire.
	Reviews *review.Service
	// Pathway is the diagnostic, orientation, contract, follow-up group and point de situation.
	Pathway *pathway.Service
	// Jobs is the use cases of employers, offers, CVs, matching and positioning.
	Jobs *jobs.Service
	// Campaigns is mass recruitment: candidates assigned to sites with capacities.
	Campaigns *jobs.Campaigns
	// Clauses is the insertion clauses of public procurement.
	Clauses *clauses.Service
}

// Open connects to the database, applies the migrations and loads the
// reference data if it is missing.
func Open(ctx context.Context, cfg config.Config) (*App, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if applied, err := migrations.Apply(ctx, d); err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	} else if len(applied) > 0 {
		slog.Info("database migrated", "versions", applied)
	}
	if err := refdata.Seed(ctx, d); err != nil {
		d.Close()
		return nil, fmt.Errorf("load reference data: %w", err)
	}
	box, err := secret.NewBox(cfg.DataKey)
	if err != nil {
		d.Close()
		return nil, err
	}
	return New(d, box, cfg), nil
}

// New builds the services over an open, migrated database.
func New(d *db.DB, box *secret.Box, cfg config.Config) *App {
	st := auth.DefaultSettings()
	st.SessionIdle, st.SessionMax, st.PublicURL = cfg.SessionIdle, cfg.SessionMax, cfg.PublicURL
	if cfg.SMTPAddr != "" {
		st.Mailer = auth.SMTPMailer{Addr: cfg.SMTPAddr, Username: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
	}
	pools := map[string]*sql.DB{"writer": d.W}
	if d.R != d.W {
		pools["reader"] = d.R
	}
	var geocoder geo.Geocoder = geo.NewOffline(d)
	if cfg.GeocoderURL != "" {
		ban := geo.NewBAN(geo.BANOptions{BaseURL: cfg.GeocoderURL, MinScore: cfg.GeocoderMinScore})
		geocoder = geo.NewChain(ban, geocoder)
	}
	return &App{
		Cfg: cfg, DB: d, Box: box, Geocoder: geocoder,
		Auth:    auth.NewService(d, st),
		Orgs:    orgs.NewService(d),
		People:  people.NewService(d, box),
		Render:  web.NewRenderer().WithMapTiles(web.MapTiles{URL: cfg.MapTiles, Attribution: cfg.MapAttribution}),
		Metrics: web.NewMetrics(pools),
		// Steps authorize every access through the registry (a stateless service).
		Steps: steps.NewService(d, people.NewService(d, box)),
		// The registry service holds no state: feedback gets its own over the same database.
		Feedback: feedback.NewService(d, people.NewService(d, box), cfg.PublicURL),
		// Case reviews check every file of an agenda through the registry.
		Reviews: review.NewService(d, people.NewService(d, box)),
		Pathway: pathway.NewService(d, people.NewService(d, box), pathway.Settings{
			NoContactDays: cfg.NoContactDays, StepGapDays: cfg.StepGapDays, ContractExpiryDays: cfg.ContractWarningDays}),
		Jobs:      jobs.NewService(d, people.NewService(d, box), geocoder),
		Campaigns: jobs.NewCampaigns(d, people.NewService(d, box), geocoder),
		Clauses: clauses.NewService(d, people.NewService(d, box), clauses.Settings{
			ETPDivisor: cfg.ETPDivisor, SilentMonths: cfg.ClauseSilentMonths, LateRatio: cfg.ClauseLateRatio}),
	}
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }

// Handler returns the whole HTTP handler: pages, API, static files, health and metrics.
func (a *App) Handler() http.Handler {
	sessions := web.Sessions{Auth: a.Auth, TrustProxy: a.Cfg.TrustProxy, Secure: strings.HasPrefix(a.Cfg.PublicURL, "https://")}
	siteWeb := site.Web{R: a.Render, Ping: a.DB.Ping, Metrics: a.Metrics, MetricsToken: a.Cfg.MetricsToken, Version: Version}
	// Static files and probes need no session: they skip its lookup.
	root := http.NewServeMux()
	root.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(web.Static())))
	siteWeb.RegisterProbes(root)
	mux := http.NewServeMux()

	people.Web{Svc: a.People, R: a.Render}.Register(mux)
	steps.Web{Svc: a.Steps, R: a.Render}.Register(mux)
	feedback.Web{Svc: a.Feedback, R: a.Render}.Register(mux)
	pathway.Web{Svc: a.Pathway, R: a.Render}.Register(mux)
	review.Web{Svc: a.Reviews, R: a.Render}.Register(mux)
	jobs.Web{Svc: a.Jobs, R: a.Render}.Register(mux)
	jobs.CampaignWeb{Svc: a.Campaigns, R: a.Render}.Register(mux)
	clauses.Web{Svc: a.Clauses, R: a.Render}.Register(mux)
	notify.Web{DB: a.DB, R: a.Render}.Register(mux)
	orgs.Web{Svc: a.Orgs, R: a.Render}.Register(mux)
	admin.Web{DB: a.DB, Auth: a.Auth, Orgs: a.Orgs, R: a.Render}.Register(mux)
	account.Web{Auth: a.Auth, R: a.Render, Sessions: sessions}.Register(mux)
	siteWeb.Register(mux)
	// Daily work first, then imports, figures and administration.
	a.Render.OrderNav("/personnes", "/point-de-situation", "/orientation", "/commissions", "/imports/caf", "/imports/personnes",
		"/personnes/doublons", "/pilotage/parcours", "/avis-resultats", "/offres", "/recrutements", "/employeurs", "/clauses", "/structures", "/notifications")

	apiMux := http.NewServeMux()
	people.API{Svc: a.People}.Register(apiMux)
	steps.API{Svc: a.Steps}.Register(apiMux)
	feedback.API{Svc: a.Feedback}.Register(apiMux)
	pathway.API{Svc: a.Pathway}.Register(apiMux)
	review.API{Svc: a.Reviews}.Register(apiMux)
	jobs.API{Svc: a.Jobs}.Register(apiMux)
	jobs.CampaignAPI{Svc: a.Campaigns}.Register(apiMux)
	clauses.API{Svc: a.Clauses}.Register(apiMux)
	orgs.API{Svc: a.Orgs}.Register(apiMux)
	apiMux.HandleFunc("GET /api/v1/me", a.me)
	apiMux.HandleFunc("/api/v1/", api.NotFound)
	clientIP := func(r *http.Request) string { return web.ClientIP(r, a.Cfg.TrustProxy) }
	mux.Handle("/api/v1/", api.Bearer(a.Auth, clientIP, web.RecordRoute(apiMux)))
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(api.OpenAPI())
	})

	root.Handle("/", sessions.Load(web.RecordRoute(mux)))
	var h http.Handler = web.RecordRoute(root)
	h = web.CrossOrigin(h)
	h = web.SecurityHeaders(sessions.Secure, h, web.TileSource(a.Cfg.MapTiles))
	h = web.Observe(a.Metrics, h)
	return web.Recover(h)
}

// meJSON describes the caller of the API.
type meJSON struct {
	UserID         string   `json:"user_id"`
	Email          string   `json:"email"`
	OrganisationID string   `json:"organisation_id"`
	Territory      string   `json:"territory"`
	Roles          []string `json:"roles"`
}

func (a *App) me(w http.ResponseWriter, r *http.Request) {
	act := api.Actor(r.Context())
	out := meJSON{UserID: act.UserID, Email: act.Email, OrganisationID: act.OrgID, Territory: act.Territory, Roles: []string{}}
	for _, role := range act.Roles {
		out.Roles = append(out.Roles, string(role))
	}
	api.JSON(w, http.StatusOK, out)
}
