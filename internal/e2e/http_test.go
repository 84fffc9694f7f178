package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
)

// scenario is one request to the shell and what its response must be.
type scenario struct {
	name    string
	method  string
	path    string
	headers map[string]string // "{token}" is replaced by the manager's API token
	body    string            // form-encoded for POST
	// as sends the session cookie of that account ("manager", "org_admin",
	// "referent"); empty for an anonymous request.
	as string
	// freshSession logs in anew for this scenario (for requests that end the session).
	freshSession bool

	wantStatus      int
	wantLocation    string            // exact Location header, when set
	wantHeaders     map[string]string // header → substring of its value
	wantContains    []string
	wantNotContains []string
	// wantSession expects the response to open a session (a non-empty session cookie).
	wantSession bool
}

// TestHTTP runs the HTTP checks of the shell, without a browser, against one server.
func TestHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	t.Run("scenarios", func(t *testing.T) { testScenarios(t, f) })
	t.Run("session cookie", func(t *testing.T) { testSessionCookie(t, f) })
	t.Run("expired session", func(t *testing.T) { testExpiredSession(t, f) })
	t.Run("disabled account", func(t *testing.T) { testDisabledAccount(t, f) })
	t.Run("login throttle", func(t *testing.T) { testLoginThrottle(t, f) })
	t.Run("metrics routes", func(t *testing.T) { testMetricsRoutes(t, f) })
	t.Run("metrics routes signed in", func(t *testing.T) { testMetricsSignedIn(t, f) })
	t.Run("health", func(t *testing.T) { testHealth(t, f) })
}

// testScenarios runs the scenario table.
func testScenarios(t *testing.T, f *fixture) {
	token, _, err := f.App.Auth.CreateToken(context.Background(), f.Manager.User.ActorIn("", "test"), "t")
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	good := url.Values{"email": {f.Manager.Email}, "password": {password}}.Encode()
	wrong := url.Values{"email": {f.Manager.Email}, "password": {"pas le bon mot de passe"}}.Encode()
	withNext := func(next string) string {
		return url.Values{"email": {f.Referent.Email}, "password": {password}, "suivant": {next}}.Encode()
	}
	bearer := map[string]string{"Authorization": "Bearer {token}"}
	jsonType := map[string]string{"Content-Type": "application/json"}
	const errorSummary = `<div class="error-summary" role="alert"`

	scenarios := []scenario{
		// Pages everyone may reach.
		{name: "login page", method: "GET", path: "/connexion", wantStatus: 200,
			wantHeaders:     map[string]string{"Content-Type": "text/html; charset=utf-8"},
			wantContains:    []string{`<html lang="fr">`, `<h1>Connexion</h1>`, `name="email"`, `name="password"`, `<a class="skip-link" href="#contenu">`, `<main id="contenu"`},
			wantNotContains: []string{"main-nav", "Se déconnecter"}},
		{name: "legal notice", method: "GET", path: "/mentions-legales", wantStatus: 200, wantContains: []string{"<h1>Mentions légales</h1>"}},
		{name: "privacy", method: "GET", path: "/donnees-personnelles", wantStatus: 200, wantContains: []string{"<h1>Données personnelles</h1>"}},
		{name: "accessibility statement", method: "GET", path: "/accessibilite", wantStatus: 200, wantContains: []string{"<h1>Déclaration d'accessibilité</h1>"}},
		{name: "legal notice signed in", method: "GET", path: "/mentions-legales", as: "referent", wantStatus: 200,
			wantContains: []string{"<h1>Mentions légales</h1>", `<nav class="main-nav"`, "Se déconnecter"}},
		{name: "stylesheet", method: "GET", path: "/static/tremplin.css", wantStatus: 200, wantHeaders: map[string]string{"Content-Type": "text/css"}},
		{name: "unknown page", method: "GET", path: "/nulle-part", wantStatus: 404,
			wantContains:    []string{`<html lang="fr">`, "<title>Page introuvable – Tremplin</title>", "Cette page n&#39;existe pas ou vous n&#39;y avez pas accès."},
			wantNotContains: []string{"404 page not found"}},
		{name: "unknown page signed in", method: "GET", path: "/nulle-part", as: "manager", wantStatus: 404,
			wantContains: []string{"<h1>Page introuvable</h1>", `<nav class="main-nav"`}},
		{name: "health", method: "GET", path: "/healthz", wantStatus: 200, wantHeaders: jsonType,
			wantContains: []string{`"status":"ok"`, `"database":"ok"`}},
		{name: "metrics", method: "GET", path: "/metrics", wantStatus: 200,
			wantContains: []string{"tremplin_http_requests_total", "tremplin_db_open_connections"}},

		// Pages behind the login.
		{name: "home needs login", method: "GET", path: "/", wantStatus: 303, wantLocation: "/connexion?suivant=%2F"},
		{name: "people list needs login keeps the query", method: "GET", path: "/personnes?q=Martin", wantStatus: 303,
			wantLocation: "/connexion?suivant=%2Fpersonnes%3Fq%3DMartin"},
		{name: "accounts admin needs login", method: "GET", path: "/admin/comptes", wantStatus: 303, wantLocation: "/connexion?suivant=%2Fadmin%2Fcomptes"},
		{name: "home signed in", method: "GET", path: "/", as: "manager", wantStatus: 200,
			wantHeaders:  map[string]string{"Cache-Control": "no-store"},
			wantContains: []string{"<h1>Bonjour Claire</h1>", "Département du Pas-de-Calais", "Responsable départemental"}},
		{name: "login page when signed in goes to next", method: "GET", path: "/connexion?suivant=%2Fstructures", as: "manager",
			wantStatus: 303, wantLocation: "/structures"},

		// Login and logout.
		{name: "login", method: "POST", path: "/connexion", body: good, wantStatus: 303, wantLocation: "/", wantSession: true},
		{name: "login back to the page asked for", method: "POST", path: "/connexion", body: withNext("/structures?q=mission"),
			wantStatus: 303, wantLocation: "/structures?q=mission", wantSession: true},
		{name: "login refuses an open redirect", method: "POST", path: "/connexion", body: withNext("//evil.example/"),
			wantStatus: 303, wantLocation: "/", wantSession: true},
		{name: "login refuses an absolute next address", method: "POST", path: "/connexion", body: withNext("https://evil.example/"),
			wantStatus: 303, wantLocation: "/", wantSession: true},
		{name: "login refuses a backslash next address", method: "POST", path: "/connexion", body: withNext(`/\evil.example/`),
			wantStatus: 303, wantLocation: "/", wantSession: true},
		{name: "login ignores the case of the address", method: "POST", path: "/connexion",
			body:       url.Values{"email": {"  " + strings.ToUpper(f.Referent.Email) + " "}, "password": {password}}.Encode(),
			wantStatus: 303, wantLocation: "/", wantSession: true},
		{name: "wrong password", method: "POST", path: "/connexion", body: wrong, wantStatus: 401,
			wantContains: []string{errorSummary, "Adresse électronique ou mot de passe incorrect.", `value="` + f.Manager.Email + `"`, `aria-invalid="true"`}},
		{name: "unknown account", method: "POST", path: "/connexion", body: url.Values{"email": {"personne@nulle-part.example"}, "password": {password}}.Encode(),
			wantStatus: 401, wantContains: []string{"Adresse électronique ou mot de passe incorrect."}},
		{name: "same-origin browser login", method: "POST", path: "/connexion", body: wrong,
			headers: map[string]string{"Sec-Fetch-Site": "same-origin"}, wantStatus: 401},
		{name: "cross-site login refused", method: "POST", path: "/connexion", body: good,
			headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403, wantContains: []string{"autre origine"}},
		{name: "foreign origin login refused", method: "POST", path: "/connexion", body: good,
			headers: map[string]string{"Origin": "https://evil.example"}, wantStatus: 403},
		{name: "cross-site logout refused", method: "POST", path: "/deconnexion", as: "referent",
			headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403},
		{name: "cross-site account creation refused", method: "POST", path: "/admin/comptes", as: "org_admin",
			body: url.Values{"email": {"intrus@evil.example"}}.Encode(), headers: map[string]string{"Origin": "https://evil.example"}, wantStatus: 403},
		{name: "logout", method: "POST", path: "/deconnexion", as: "manager", freshSession: true, wantStatus: 303, wantLocation: "/connexion",
			wantHeaders: map[string]string{"Set-Cookie": "tremplin_session=;"}},

		// API.
		{name: "api without token", method: "GET", path: "/api/v1/people", wantStatus: 401,
			wantHeaders:  map[string]string{"Content-Type": "application/json", "WWW-Authenticate": "Bearer"},
			wantContains: []string{`{"error":{"code":"unauthorized","message":`}},
		{name: "api with a wrong token", method: "GET", path: "/api/v1/people", headers: map[string]string{"Authorization": "Bearer trp_pasunjeton"},
			wantStatus: 401, wantHeaders: jsonType, wantContains: []string{`{"error":{"code":"unauthorized"`}},
		{name: "api with a session cookie only", method: "GET", path: "/api/v1/people", as: "manager",
			wantStatus: 401, wantContains: []string{`{"error":{"code":"unauthorized"`}},
		{name: "api with basic auth", method: "GET", path: "/api/v1/people", headers: map[string]string{"Authorization": "Basic dXNlcjpwdw=="},
			wantStatus: 401, wantContains: []string{`{"error":{"code":"unauthorized"`}},
		{name: "api people empty", method: "GET", path: "/api/v1/people", headers: bearer, wantStatus: 200,
			wantHeaders: map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"}, wantContains: []string{`{"items":[],"total":0}`}},
		{name: "api limit zero", method: "GET", path: "/api/v1/people?limit=0", headers: bearer, wantStatus: 422,
			wantHeaders: jsonType, wantContains: []string{`{"error":{"code":"invalid","message":`, `"fields":{"limit":`}},
		{name: "api limit not a number", method: "GET", path: "/api/v1/people?limit=abc", headers: bearer, wantStatus: 422,
			wantContains: []string{`{"error":{"code":"invalid"`, `"limit"`}},
		{name: "api limit too large", method: "GET", path: "/api/v1/people?limit=501", headers: bearer, wantStatus: 422,
			wantContains: []string{`{"error":{"code":"invalid"`}},
		{name: "api negative offset", method: "GET", path: "/api/v1/people?offset=-1", headers: bearer, wantStatus: 422,
			wantContains: []string{`{"error":{"code":"invalid"`, `"offset"`}},
		{name: "api unknown person", method: "GET", path: "/api/v1/people/nobody", headers: bearer, wantStatus: 404,
			wantContains: []string{`{"error":{"code":"not_found"`}},
		{name: "api unknown path", method: "GET", path: "/api/v1/nulle-part", headers: bearer, wantStatus: 404,
			wantHeaders: jsonType, wantContains: []string{`{"error":{"code":"not_found"`}},
		{name: "api me", method: "GET", path: "/api/v1/me", headers: bearer, wantStatus: 200,
			wantContains: []string{`"email":"` + f.Manager.Email + `"`, `"territory":"62"`, `"roles":["manager"]`}},
		{name: "openapi document", method: "GET", path: "/api/v1/openapi.json", wantStatus: 200, wantHeaders: jsonType,
			wantContains: []string{`"openapi"`}},
	}

	cookies := map[string]*http.Cookie{}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var body io.Reader
			if sc.body != "" {
				body = strings.NewReader(sc.body)
			}
			req, err := http.NewRequest(sc.method, f.URL+sc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if sc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			for k, v := range sc.headers {
				req.Header.Set(k, strings.ReplaceAll(v, "{token}", token))
			}
			if sc.as != "" {
				acc, ok := f.accounts()[sc.as]
				if !ok {
					t.Fatalf("unknown account %q", sc.as)
				}
				c := cookies[sc.as]
				if c == nil || sc.freshSession {
					c = login(t, f.URL, acc)
					if !sc.freshSession {
						cookies[sc.as] = c
					}
				}
				req.AddCookie(c)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := string(b)
			if resp.StatusCode != sc.wantStatus {
				t.Errorf("%s %s: status %d, want %d\n%s", sc.method, sc.path, resp.StatusCode, sc.wantStatus, excerpt(got))
			}
			if sc.wantLocation != "" {
				if loc := resp.Header.Get("Location"); loc != sc.wantLocation {
					t.Errorf("Location = %q, want %q", loc, sc.wantLocation)
				}
			}
			for k, v := range sc.wantHeaders {
				if vals := strings.Join(resp.Header.Values(k), "\n"); !strings.Contains(vals, v) {
					t.Errorf("header %s = %q, want it to contain %q", k, vals, v)
				}
			}
			for _, s := range sc.wantContains {
				if !strings.Contains(got, s) {
					t.Errorf("body does not contain %q\n%s", s, excerpt(got))
				}
			}
			for _, s := range sc.wantNotContains {
				if strings.Contains(got, s) {
					t.Errorf("body contains %q", s)
				}
			}
			opened := false
			for _, c := range resp.Cookies() {
				opened = opened || (c.Name == "tremplin_session" && c.Value != "")
			}
			if opened != sc.wantSession {
				t.Errorf("session opened = %v, want %v (Set-Cookie %q)", opened, sc.wantSession, resp.Header.Values("Set-Cookie"))
			}
			checkSecurityHeaders(t, resp.Header)
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				checkNoInlineCode(t, got)
			}
		})
	}
}

// checkSecurityHeaders checks the headers every response must carry.
func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		t.Error("no Content-Security-Policy")
	}
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			directives[name] = value
		}
	}
	scripts, ok := directives["script-src"]
	if !ok {
		scripts, ok = directives["default-src"]
	}
	if !ok {
		t.Errorf("CSP %q restricts no script source", csp)
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} {
		for _, src := range strings.Fields(scripts) {
			if src == bad {
				t.Errorf("CSP script sources %q allow %s", scripts, bad)
			}
		}
	}
	if fa := directives["frame-ancestors"]; fa != "'none'" {
		t.Errorf("CSP frame-ancestors = %q, want 'none'", fa)
	}
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	switch rp := h.Get("Referrer-Policy"); rp {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("Referrer-Policy = %q, want a policy that keeps paths (which may name people) on the site", rp)
	}
}

var (
	inlineScript = regexp.MustCompile(`(?i)<script(\s[^>]*)?>`)
	inlineStyle  = regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle=|<style[\s>]|\son[a-z]+=`)
)

// checkNoInlineCode checks that a page needs no inline script or style, which the CSP would block.
func checkNoInlineCode(t *testing.T, html string) {
	t.Helper()
	for _, m := range inlineScript.FindAllString(html, -1) {
		if !strings.Contains(m, "src=") {
			t.Errorf("inline script %q would be blocked by the CSP", m)
		}
	}
	if m := inlineStyle.FindString(html); m != "" {
		t.Errorf("inline style or event handler %q would be blocked by the CSP", m)
	}
}

func excerpt(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// testSessionCookie checks the attributes of the session cookie, with and without an https public address.
func testSessionCookie(t *testing.T, f *fixture) {
	secure := httptest.NewServer(newApp(t, f.App.DB, map[string]string{"TREMPLIN_PUBLIC_URL": "https://tremplin.example"}).Handler())
	t.Cleanup(secure.Close)
	for _, tc := range []struct {
		name, url  string
		wantSecure bool
	}{
		{"http public address", f.URL, false},
		{"https public address", secure.URL, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := noRedirect.PostForm(tc.url+"/connexion", url.Values{"email": {f.Referent.Email}, "password": {password}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			raw := sessionSetCookie(resp.Header)
			if raw == "" {
				t.Fatalf("status %d, no session cookie in %q", resp.StatusCode, resp.Header.Values("Set-Cookie"))
			}
			c, err := http.ParseSetCookie(raw)
			if err != nil {
				t.Fatalf("parse %q: %v", raw, err)
			}
			if !c.HttpOnly {
				t.Errorf("session cookie %q is not HttpOnly", raw)
			}
			if c.SameSite != http.SameSiteLaxMode && c.SameSite != http.SameSiteStrictMode {
				t.Errorf("session cookie %q: SameSite is not Lax", raw)
			}
			if c.Path != "/" {
				t.Errorf("session cookie %q: Path = %q, want /", raw, c.Path)
			}
			if c.Secure != tc.wantSecure {
				t.Errorf("session cookie %q: Secure = %v, want %v", raw, c.Secure, tc.wantSecure)
			}
			if c.MaxAge > 0 || !c.Expires.IsZero() {
				t.Errorf("session cookie %q outlives the browser session", raw)
			}
			if len(c.Value) < 40 {
				t.Errorf("session secret %q looks too short", c.Value)
			}
		})
	}
}

// testExpiredSession checks that a session that ended on the server sends the browser back to the login page.
func testExpiredSession(t *testing.T, f *fixture) {
	get := func(t *testing.T, base, path string, c *http.Cookie) *http.Response {
		t.Helper()
		return status(t, "GET", base+path, c, nil, nil)
	}
	wantLogin := func(t *testing.T, resp *http.Response) {
		t.Helper()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/connexion?suivant=%2Fpersonnes" {
			t.Errorf("status %d Location %q, want 303 to /connexion?suivant=%%2Fpersonnes", resp.StatusCode, resp.Header.Get("Location"))
		}
		if c, err := http.ParseSetCookie(sessionSetCookie(resp.Header)); err != nil || c.Value != "" || c.MaxAge >= 0 {
			t.Errorf("the dead session cookie is not cleared: Set-Cookie %q", resp.Header.Values("Set-Cookie"))
		}
	}

	t.Run("session deleted on the server", func(t *testing.T) {
		c := login(t, f.URL, f.Manager)
		if resp := get(t, f.URL, "/personnes", c); resp.StatusCode != http.StatusOK {
			t.Fatalf("live session: status %d, want 200", resp.StatusCode)
		}
		if _, err := f.App.DB.ExecContext(context.Background(), `DELETE FROM sessions WHERE user_id = $1`, f.Manager.User.ID); err != nil {
			t.Fatal(err)
		}
		wantLogin(t, get(t, f.URL, "/personnes", c))
	})

	t.Run("idle timeout", func(t *testing.T) {
		short := httptest.NewServer(newApp(t, f.App.DB, map[string]string{"TREMPLIN_SESSION_IDLE": "50ms"}).Handler())
		t.Cleanup(short.Close)
		c := login(t, short.URL, f.Manager)
		time.Sleep(100 * time.Millisecond)
		wantLogin(t, get(t, short.URL, "/personnes", c))
		// The same cookie stays dead on the normal server: the row is gone.
		wantLogin(t, get(t, f.URL, "/personnes", c))
	})

	t.Run("logout ends the session", func(t *testing.T) {
		c := login(t, f.URL, f.Referent)
		req, _ := http.NewRequest("POST", f.URL+"/deconnexion", nil)
		req.AddCookie(c)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: status %d, want 303", resp.StatusCode)
		}
		// Replaying the old cookie must not work.
		wantLogin(t, get(t, f.URL, "/personnes", c))
	})

	t.Run("cross-site logout keeps the session", func(t *testing.T) {
		c := login(t, f.URL, f.OrgAdmin)
		req, _ := http.NewRequest("POST", f.URL+"/deconnexion", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.AddCookie(c)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site logout: status %d, want 403", resp.StatusCode)
		}
		if resp := get(t, f.URL, "/personnes", c); resp.StatusCode != http.StatusOK {
			t.Errorf("after a refused cross-site logout: status %d, want 200", resp.StatusCode)
		}
	})
}

// extraAccount creates one more référent in the mission locale, for tests that spoil their account.
func extraAccount(t *testing.T, f *fixture, email string) account {
	t.Helper()
	u, err := f.App.Auth.CreateUser(context.Background(), access.System("e2e"), auth.NewUser{
		Email: email, FirstName: "Jeanne", LastName: "Test", Password: password,
		Memberships: []auth.NewMembership{authtest.Member(f.Referent.User.Memberships[0].OrgID, access.RoleReferent)},
	})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return account{Email: email, FirstName: "Jeanne", User: u}
}

// status sends a request with an optional cookie and headers and returns the response, body drained.
func status(t *testing.T, method, u string, c *http.Cookie, headers map[string]string, form url.Values) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if c != nil {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// testDisabledAccount checks that disabling an account ends its sessions and tokens at once.
func testDisabledAccount(t *testing.T, f *fixture) {
	ctx := context.Background()
	acc := extraAccount(t, f, "jeanne.desactivee@ml-artois.example")
	c := login(t, f.URL, acc)
	token, _, err := f.App.Auth.CreateToken(ctx, acc.User.ActorIn("", "test"), "t")
	if err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + token}
	if r := status(t, "GET", f.URL+"/personnes", c, nil, nil); r.StatusCode != 200 {
		t.Fatalf("before: page status %d", r.StatusCode)
	}
	if r := status(t, "GET", f.URL+"/api/v1/people", nil, bearer, nil); r.StatusCode != 200 {
		t.Fatalf("before: API status %d", r.StatusCode)
	}
	if err := f.App.Auth.DisableUser(ctx, access.System("e2e"), acc.User.ID); err != nil {
		t.Fatal(err)
	}
	if r := status(t, "GET", f.URL+"/personnes", c, nil, nil); r.StatusCode != 303 || r.Header.Get("Location") != "/connexion?suivant=%2Fpersonnes" {
		t.Errorf("disabled account's session: status %d Location %q, want the login page", r.StatusCode, r.Header.Get("Location"))
	}
	if r := status(t, "GET", f.URL+"/api/v1/people", nil, bearer, nil); r.StatusCode != 401 {
		t.Errorf("disabled account's token: status %d, want 401", r.StatusCode)
	}
	if r := status(t, "POST", f.URL+"/connexion", nil, nil, url.Values{"email": {acc.Email}, "password": {password}}); r.StatusCode != 401 {
		t.Errorf("disabled account's login: status %d, want 401", r.StatusCode)
	}
}

// testLoginThrottle checks that repeated failures lock the account for a while, even with the right password.
func testLoginThrottle(t *testing.T, f *fixture) {
	acc := extraAccount(t, f, "jeanne.verrouillee@ml-artois.example")
	wrong := url.Values{"email": {acc.Email}, "password": {"pas le bon mot de passe"}}
	for i := range 5 {
		if r := status(t, "POST", f.URL+"/connexion", nil, nil, wrong); r.StatusCode != 401 {
			t.Fatalf("failure %d: status %d, want 401", i+1, r.StatusCode)
		}
	}
	resp, err := noRedirect.PostForm(f.URL+"/connexion", url.Values{"email": {acc.Email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(b), "Trop de tentatives de connexion") {
		t.Errorf("after 5 failures: status %d, want 429 with the French message\n%s", resp.StatusCode, excerpt(string(b)))
	}
	if sessionSetCookie(resp.Header) != "" {
		t.Error("a locked account still got a session")
	}
}

// testMetricsRoutes checks that metrics count requests by route pattern, never by raw path or query.
func testMetricsRoutes(t *testing.T, f *fixture) {
	counters := []string{
		`tremplin_http_requests_total{route="GET /connexion",status="200"}`,
		`tremplin_http_requests_total{route="GET /personnes",status="303"}`,
		`tremplin_http_requests_total{route="GET /structures/{id}",status="303"}`,
	}
	before := scrape(t, f)
	for _, p := range []string{"/connexion", "/personnes?q=Dupont-Secret", "/structures/un-identifiant-secret"} {
		resp, err := noRedirect.Get(f.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	after := scrape(t, f)
	for _, c := range counters {
		if d := counter(after, c) - counter(before, c); d != 1 {
			t.Errorf("%s grew by %d, want 1\n%s", c, d, excerpt(after))
		}
	}

	if !strings.Contains(after, "tremplin_db_open_connections") {
		t.Error("metrics lack tremplin_db_open_connections")
	}
	for _, leak := range []string{"Dupont-Secret", "un-identifiant-secret"} {
		if strings.Contains(after, leak) {
			t.Errorf("metrics leak %q from a URL", leak)
		}
	}
}

// testMetricsSignedIn checks that requests with a session or an API token are
// counted under their own route, like anonymous ones.
func testMetricsSignedIn(t *testing.T, f *fixture) {
	c := login(t, f.URL, f.Manager)
	token, _, err := f.App.Auth.CreateToken(context.Background(), f.Manager.User.ActorIn("", "test"), "metrics")
	if err != nil {
		t.Fatal(err)
	}
	series := func(route string) string {
		return `tremplin_http_requests_total{route="` + route + `",status="200"}`
	}
	var bugs []string
	for _, tc := range []struct {
		path, route string
		cookie      *http.Cookie
		headers     map[string]string
	}{
		{"/personnes", "GET /personnes", c, nil},
		{"/api/v1/people", "GET /api/v1/people", nil, map[string]string{"Authorization": "Bearer " + token}},
	} {
		before := scrape(t, f)
		if r := status(t, "GET", f.URL+tc.path, tc.cookie, tc.headers, nil); r.StatusCode != 200 {
			t.Fatalf("GET %s: status %d", tc.path, r.StatusCode)
		}
		after := scrape(t, f)
		if d := counter(after, series(tc.route)) - counter(before, series(tc.route)); d != 1 {
			grew := ""
			for _, line := range strings.Split(after, "\n") {
				if name, v, ok := strings.Cut(line, " "); ok && strings.HasPrefix(name, "tremplin_http_requests_total{") {
					n, _ := strconv.Atoi(v)
					if n != counter(before, name) && !strings.Contains(name, `route="GET /metrics"`) {
						grew += " " + name
					}
				}
			}
			bugs = append(bugs, fmt.Sprintf("GET %s is counted as%s instead of %s", tc.path, grew, series(tc.route)))
		}
	}
	if len(bugs) > 0 {
		t.Error(strings.Join(bugs, "; "))
	}
}

func scrape(t *testing.T, f *fixture) string {
	t.Helper()
	resp, err := http.Get(f.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: status %d", resp.StatusCode)
	}
	return string(b)
}

// counter returns the value of a series in a Prometheus text exposition, 0 when absent.
func counter(text, series string) int {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// testHealth decodes the health answer.
func testHealth(t *testing.T, f *fixture) {
	resp, err := http.Get(f.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct{ Status, Database, Version string }
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if resp.StatusCode != 200 || h.Status != "ok" || h.Database != "ok" || h.Version == "" {
		t.Errorf("healthz: status %d %+v", resp.StatusCode, h)
	}
}
