package admin_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/webtest"
)

const password = "correct horse battery"

// territory has a mission locale with its admin and a référent, and another
// structure with its own admin.
type territory struct {
	srv             *httptest.Server
	mlID, otherID   string
	referentID      string
	otherReferentID string
}

func newTerritory(t *testing.T) territory {
	t.Helper()
	ctx := context.Background()
	a := apptest.New(t, nil)
	sys := access.System("test")
	org := func(name string) string {
		o, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: name, Kind: orgs.KindMissionLocale, Territory: "62"})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	tr := territory{mlID: org("Mission locale de Lens"), otherID: org("Mission locale d'Arras")}
	user := func(email, orgID string, role access.Role) string {
		u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: email, Password: password, Memberships: []auth.NewMembership{authtest.Member(orgID, role)}})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	user("admin@lens.fr", tr.mlID, access.RoleOrgAdmin)
	tr.referentID = user("referent@lens.fr", tr.mlID, access.RoleReferent)
	user("admin@arras.fr", tr.otherID, access.RoleOrgAdmin)
	tr.otherReferentID = user("referent@arras.fr", tr.otherID, access.RoleReferent)
	tr.srv = apptest.Serve(t, a)
	return tr
}

func (tr territory) as(t *testing.T, email string) *webtest.Browser {
	b := webtest.NewBrowser(t, tr.srv.URL)
	if status, _, _ := b.Login(email, password, "/"); status != 303 {
		t.Fatalf("login %s: %d", email, status)
	}
	return b
}

func TestAccountsPageShowsOnlyTheOrganisationsMembers(t *testing.T) {
	tr := newTerritory(t)
	cases := []struct {
		who, path     string
		status        int
		want, notWant string
	}{
		{"admin@lens.fr", "/admin/comptes", 200, "referent@lens.fr", "referent@arras.fr"},
		{"admin@arras.fr", "/admin/comptes", 200, "referent@arras.fr", "referent@lens.fr"},
		{"referent@lens.fr", "/admin/comptes", 404, "Page introuvable", "admin@lens.fr"},
		{"referent@lens.fr", "/admin/journal", 404, "Page introuvable", "session.login"},
		{"admin@lens.fr", "/admin/journal", 200, "session.login", ""},
	}
	for _, tc := range cases {
		t.Run(tc.who+" "+tc.path, func(t *testing.T) {
			status, _, page := tr.as(t, tc.who).Do("GET", tc.path, nil)
			if status != tc.status || !strings.Contains(page, tc.want) || (tc.notWant != "" && strings.Contains(page, tc.notWant)) {
				t.Fatalf("status %d, want %d with %q and without %q", status, tc.status, tc.want, tc.notWant)
			}
		})
	}
}

func TestCreatingAnAccountFromTheForm(t *testing.T) {
	tr := newTerritory(t)
	b := tr.as(t, "admin@lens.fr")
	status, _, form := b.Do("GET", "/admin/comptes/nouveau", nil)
	if status != 200 || !strings.Contains(form, "Mission locale de Lens") || strings.Contains(form, "Mission locale d&#39;Arras") {
		t.Fatalf("an org admin chooses only its own organisation (%d)", status)
	}
	qual := map[string]string{"referent": "social"}
	post := func(email, pw, orgID, role string) (int, string) {
		s, _, page := b.Do("POST", "/admin/comptes", url.Values{"email": {email}, "first_name": {"Lina"}, "last_name": {"Roux"},
			"password": {pw}, "organisation": {orgID}, "role": {strings.TrimSuffix(role, "-unqualified")}, "qualification": {qual[role]}})
		return s, page
	}
	cases := []struct {
		name, email, pw, org, role string
		status                     int
		contains                   string
	}{
		{"malformed address", "lina", password, tr.mlID, "referent", 422, `href="#email"`},
		{"short password", "lina@lens.fr", "short", tr.mlID, "referent", 422, "12 caractères"},
		{"référent without qualification", "lina@lens.fr", password, tr.mlID, "referent-unqualified", 422, "qualification sociale ou professionnelle"},
		{"missing password", "lina@lens.fr", "", tr.mlID, "referent", 422, "mot de passe provisoire"},
		{"another organisation", "lina@lens.fr", password, tr.otherID, "referent", 403, "votre structure"},
		{"platform admin role", "lina@lens.fr", password, tr.mlID, "platform_admin", 403, "votre structure"},
		{"created", "lina@lens.fr", password, tr.mlID, "referent", 303, ""},
		{"address taken", "LINA@lens.fr", password, tr.mlID, "referent", 409, "existe déjà"},
	}
	for _, tc := range cases {
		status, page := post(tc.email, tc.pw, tc.org, tc.role)
		if status != tc.status || !strings.Contains(page, tc.contains) {
			t.Fatalf("%s: status %d, want %d with %q", tc.name, status, tc.status, tc.contains)
		}
	}
	if status, _, _ := webtest.NewBrowser(t, tr.srv.URL).Login("lina@lens.fr", password, "/"); status != 303 {
		t.Fatal("the new account must be able to sign in")
	}
}

func TestDisablingAnAccount(t *testing.T) {
	tr := newTerritory(t)
	referent := tr.as(t, "referent@lens.fr")
	admin := tr.as(t, "admin@lens.fr")
	if status, _, _ := admin.Do("POST", "/admin/comptes/"+tr.otherReferentID+"/desactiver", url.Values{}); status != 404 {
		t.Fatalf("an account of another organisation must be not found, got %d", status)
	}
	_, _, page := admin.Do("GET", "/admin/comptes", nil)
	if !regexp.MustCompile(`/admin/comptes/` + tr.referentID + `/desactiver`).MatchString(page) {
		t.Fatal("the list offers to disable the référent")
	}
	if status, loc, _ := admin.Do("POST", "/admin/comptes/"+tr.referentID+"/desactiver", url.Values{}); status != 303 || loc != "/admin/comptes" {
		t.Fatalf("disable: %d %s", status, loc)
	}
	if status, loc, _ := referent.Do("GET", "/", nil); status != 303 || !strings.HasPrefix(loc, "/connexion") {
		t.Fatalf("the disabled référent's session must be closed: %d %s", status, loc)
	}
	_, _, journal := admin.Do("GET", "/admin/journal?action=user.disable", nil)
	if !strings.Contains(journal, tr.referentID) {
		t.Fatal("the journal shows who was disabled")
	}
}
