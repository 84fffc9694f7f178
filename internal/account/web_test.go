package account_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/webtest"
)

const password = "correct horse battery"

// outbox captures the emails the service sends.
type outbox struct {
	mu   sync.Mutex
	last string
}

func (o *outbox) Send(_ context.Context, _, _, body string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.last = body
	return nil
}

func (o *outbox) link(t *testing.T) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := regexp.MustCompile(`http://\S+`).FindString(o.last)
	if m == "" {
		t.Fatalf("no link in the last email: %q", o.last)
	}
	return m
}

type site struct {
	srv  *httptest.Server
	mail *outbox
	auth *auth.Service
}

func newSite(t *testing.T) site {
	t.Helper()
	ctx := context.Background()
	a := apptest.New(t, nil)
	mail := &outbox{}
	st := auth.DefaultSettings()
	st.Mailer, st.PublicURL = mail, "http://tremplin.test"
	a.Auth = auth.NewService(a.DB, st)
	sys := access.System("test")
	var orgIDs []string
	for _, name := range []string{"Département du Pas-de-Calais", "Mission locale de Lens"} {
		o, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: name, Kind: orgs.KindDepartement, Territory: "62"})
		if err != nil {
			t.Fatal(err)
		}
		orgIDs = append(orgIDs, o.ID)
	}
	_, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: "claire@test.fr", FirstName: "Claire", Password: password,
		Memberships: []auth.NewMembership{authtest.Member(orgIDs[0], access.RoleReferent), {OrgID: orgIDs[1], Role: access.RoleOrgAdmin}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := apptest.Serve(t, a)
	return site{srv: srv, mail: mail, auth: a.Auth}
}

func (s site) browser(t *testing.T) *browser {
	return &browser{webtest.NewBrowser(t, s.srv.URL)}
}

// browser signs in as the test account.
type browser struct{ *webtest.Browser }

func (b *browser) do(method, path string, form url.Values) (int, string, string) {
	return b.Do(method, path, form)
}

func (b *browser) login(pw, next string) (int, string, string) {
	return b.Login("claire@test.fr", pw, next)
}

func TestLoginSendsBackToTheAskedPageOnly(t *testing.T) {
	s := newSite(t)
	cases := []struct {
		name, password, next string
		status               int
		location, contains   string
	}{
		{"wrong password", "nope nope nope", "/personnes", 401, "", "Adresse électronique ou mot de passe incorrect."},
		{"back to the asked page", password, "/personnes?q=dupont", 303, "/personnes?q=dupont", ""},
		{"no redirection to another site", password, "//evil.example/", 303, "/", ""},
		{"no redirection through a backslash", password, "/\\evil.example", 303, "/", ""},
		{"no redirection through a control character", password, "/\t/evil.example", 303, "/", ""},
		{"no redirection through an escaped slash", password, "/%2F/evil.example", 303, "/", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, loc, page := s.browser(t).login(tc.password, tc.next)
			if status != tc.status || loc != tc.location || !strings.Contains(page, tc.contains) {
				t.Fatalf("status %d location %q; want %d %q containing %q", status, loc, tc.status, tc.location, tc.contains)
			}
		})
	}
}

func TestTokensAreShownOnceAndRevocable(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	b.login(password, "/")
	if status, _, page := b.do("POST", "/compte/jetons", url.Values{"name": {""}}); status != 422 || !strings.Contains(page, "Donnez un nom au jeton") {
		t.Fatalf("a token without a name: %d", status)
	}
	status, _, page := b.do("POST", "/compte/jetons", url.Values{"name": {"Tableau de bord"}})
	secretValue := regexp.MustCompile(`trp_[A-Za-z0-9_-]{20,}`).FindString(page)
	if status != 201 || secretValue == "" {
		t.Fatalf("create token: %d, secret %q", status, secretValue)
	}
	_, _, account := b.do("GET", "/compte", nil)
	if strings.Contains(account, secretValue) || !strings.Contains(account, secretValue[:10]) || !strings.Contains(account, "Tableau de bord") {
		t.Fatal("the account page must list the token by its prefix, never its secret")
	}
	api := func() int {
		req, _ := http.NewRequest("GET", s.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+secretValue)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if api() != 200 {
		t.Fatal("a fresh token must open the API")
	}
	id := regexp.MustCompile(`/compte/jetons/([0-9a-f-]{36})/revoquer`).FindStringSubmatch(account)
	if id == nil {
		t.Fatal("no revoke button")
	}
	if status, _, _ := b.do("POST", "/compte/jetons/"+id[1]+"/revoquer", url.Values{}); status != 303 {
		t.Fatalf("revoke: %d", status)
	}
	if api() != 401 {
		t.Fatal("a revoked token must be refused")
	}
}

func TestPasswordResetByEmailedLinkWorksOnce(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	if status, loc, _ := b.do("POST", "/mot-de-passe/oublie", url.Values{"email": {"nobody@test.fr"}}); status != 303 || loc != "/connexion" {
		t.Fatalf("unknown address must get the same answer: %d %s", status, loc)
	}
	s.auth.Flush()
	if s.mail.last != "" {
		t.Fatal("no email for an unknown address")
	}
	b.do("POST", "/mot-de-passe/oublie", url.Values{"email": {"claire@test.fr"}})
	s.auth.Flush()
	link, _ := url.Parse(s.mail.link(t))
	token := link.Query().Get("jeton")
	if status, _, page := b.do("GET", "/mot-de-passe/nouveau?jeton="+token, nil); status != 200 || !strings.Contains(page, token) {
		t.Fatalf("reset form: %d", status)
	}
	newPassword := "a brand new passphrase"
	steps := []struct {
		name            string
		password, again string
		status          int
		contains        string
	}{
		{"mismatch", newPassword, "other", 422, "ne sont pas identiques"},
		{"too short", "short", "short", 422, "au moins 12 caractères"},
		{"accepted", newPassword, newPassword, 303, ""},
		{"second use", newPassword, newPassword, 422, "Ce lien n&#39;est plus valable"},
	}
	for _, st := range steps {
		status, _, page := b.do("POST", "/mot-de-passe/nouveau", url.Values{"jeton": {token}, "password": {st.password}, "confirm": {st.again}})
		if status != st.status || !strings.Contains(page, st.contains) {
			t.Fatalf("%s: status %d, want %d with %q", st.name, status, st.status, st.contains)
		}
	}
	if status, _, _ := s.browser(t).login(password, "/"); status != 401 {
		t.Fatal("the old password must no longer work")
	}
	if status, _, _ := s.browser(t).login(newPassword, "/"); status != 303 {
		t.Fatal("the new password must work")
	}
}

func TestSwitchingOrganisationChangesTheRoles(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	b.login(password, "/")
	_, _, home := b.do("GET", "/", nil)
	if !strings.Contains(home, "Référent / professionnel") || strings.Contains(home, `href="/admin/comptes"`) {
		t.Fatal("in the first organisation the user is a référent, without account administration")
	}
	_, _, account := b.do("GET", "/compte", nil)
	ids := regexp.MustCompile(`<option value="([0-9a-f-]{36})"`).FindAllStringSubmatch(account, -1)
	if len(ids) != 2 {
		t.Fatalf("want two organisations to choose from, got %d", len(ids))
	}
	if status, _, _ := b.do("POST", "/compte/structure", url.Values{"organisation": {ids[1][1]}}); status != 303 {
		t.Fatalf("switch: %d", status)
	}
	_, _, home = b.do("GET", "/", nil)
	if !strings.Contains(home, "Administrateur de la structure") || !strings.Contains(home, `href="/admin/comptes"`) {
		t.Fatal("after the switch the user administers the mission locale")
	}
	if status, _, _ := b.do("POST", "/compte/structure", url.Values{"organisation": {"01900000-0000-7000-8000-000000000000"}}); status != 404 {
		t.Fatalf("switching to a foreign organisation must answer 404, got %d", status)
	}
}

func TestChangingThePasswordChecksTheCurrentOne(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	b.login(password, "/")
	other := s.browser(t)
	other.login(password, "/")
	cases := []struct {
		name                   string
		current, next, confirm string
		status                 int
		contains               string
	}{
		{"wrong current", "wrong wrong wrong", "another long passphrase", "another long passphrase", 422, "Mot de passe actuel incorrect."},
		{"mismatch", password, "another long passphrase", "different", 422, "ne sont pas identiques"},
		{"changed", password, "another long passphrase", "another long passphrase", 303, ""},
	}
	for _, tc := range cases {
		status, _, page := b.do("POST", "/compte/mot-de-passe", url.Values{"current": {tc.current}, "password": {tc.next}, "confirm": {tc.confirm}})
		if status != tc.status || !strings.Contains(page, tc.contains) {
			t.Fatalf("%s: %d, want %d with %q", tc.name, status, tc.status, tc.contains)
		}
	}
	if status, _, _ := b.do("GET", "/compte", nil); status != 200 {
		t.Fatal("the session that changed the password stays open")
	}
	if status, loc, _ := other.do("GET", "/compte", nil); status != 303 || !strings.HasPrefix(loc, "/connexion") {
		t.Fatalf("the other sessions are closed: %d %s", status, loc)
	}
}
