package e2e_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"tremplin/internal/app"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/config"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// password is the password of every test account.
const password = "un mot de passe assez long"

// account is a staff member created for the tests.
type account struct {
	Email     string
	FirstName string
	User      auth.User
}

// fixture is a running Tremplin over a fresh SQLite database, with a
// département (territory 62) and its manager, a mission locale with its
// organisation admin and a référent.
type fixture struct {
	t   testing.TB
	App *app.App
	Srv *httptest.Server
	// URL is the base address of the server, without a trailing slash.
	URL      string
	Manager  account
	OrgAdmin account
	Referent account
}

// accounts lists the fixture's accounts by role name, for table-driven tests.
func (f *fixture) accounts() map[string]account {
	return map[string]account{"manager": f.Manager, "org_admin": f.OrgAdmin, "referent": f.Referent}
}

// testConfig is the configuration of a test app; change adjusts it before use.
func testConfig(t testing.TB, env map[string]string) config.Config {
	t.Helper()
	base := map[string]string{
		"TREMPLIN_DATABASE_URL": "sqlite:e2e.db", // informational: the database is opened by dbtest
		"TREMPLIN_DATA_KEY":     secret.NewKey(),
		"TREMPLIN_LOG_LEVEL":    "error",
	}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := config.LoadFrom(func(k string) string { return base[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// newFixture starts the whole Tremplin handler on an httptest server. env
// overrides TREMPLIN_* variables of the configuration.
func newFixture(t testing.TB, env map[string]string) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.SQLite(t)
	if err := refdata.SeedFor(ctx, d, "62", "80"); err != nil {
		t.Fatalf("seed reference data: %v", err)
	}
	srv := httptest.NewUnstartedServer(nil)
	baseURL := "http://" + srv.Listener.Addr().String()
	if _, ok := env["TREMPLIN_PUBLIC_URL"]; !ok {
		if env == nil {
			env = map[string]string{}
		}
		env["TREMPLIN_PUBLIC_URL"] = baseURL
	}
	a := newApp(t, d, env)
	f := &fixture{t: t, App: a, Srv: srv, URL: baseURL}
	f.seed(ctx)
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return f
}

// newApp builds an app over an open database with the given configuration overrides.
func newApp(t testing.TB, d *db.DB, env map[string]string) *app.App {
	t.Helper()
	cfg := testConfig(t, env)
	box, err := secret.NewBox(cfg.DataKey)
	if err != nil {
		t.Fatal(err)
	}
	return app.New(d, box, cfg)
}

func (f *fixture) seed(ctx context.Context) {
	t := f.t
	t.Helper()
	sys := access.System("e2e")
	dept, err := f.App.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Département du Pas-de-Calais", Kind: orgs.KindDepartement, Territory: "62"})
	if err != nil {
		t.Fatalf("create département: %v", err)
	}
	ml, err := f.App.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Mission locale de l'Artois", Kind: orgs.KindMissionLocale, Territory: "62"})
	if err != nil {
		t.Fatalf("create mission locale: %v", err)
	}
	mk := func(email, first, last string, m auth.NewMembership) account {
		u, err := f.App.Auth.CreateUser(ctx, sys, auth.NewUser{Email: email, FirstName: first, LastName: last,
			Password: password, Memberships: []auth.NewMembership{m}})
		if err != nil {
			t.Fatalf("create user %s: %v", email, err)
		}
		return account{Email: email, FirstName: first, User: u}
	}
	f.Manager = mk("claire.martin@pasdecalais.example", "Claire", "Martin",
		auth.NewMembership{OrgID: dept.ID, Role: access.RoleManager})
	f.OrgAdmin = mk("paul.durand@ml-artois.example", "Paul", "Durand",
		auth.NewMembership{OrgID: ml.ID, Role: access.RoleOrgAdmin})
	f.Referent = mk("amina.benali@ml-artois.example", "Amina", "Benali",
		auth.NewMembership{OrgID: ml.ID, Role: access.RoleReferent, Qualification: access.QualSocial})
}

// noRedirect is an HTTP client that returns redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// login signs acc in over plain HTTP against baseURL and returns the session cookie.
func login(t testing.TB, baseURL string, acc account) *http.Cookie {
	t.Helper()
	resp, err := noRedirect.PostForm(baseURL+"/connexion", url.Values{"email": {acc.Email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303", acc.Email, resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "tremplin_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie in %q", acc.Email, resp.Header.Values("Set-Cookie"))
	return nil
}

// sessionSetCookie returns the raw Set-Cookie header of the session cookie.
func sessionSetCookie(h http.Header) string {
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, "tremplin_session=") {
			return v
		}
	}
	return ""
}
