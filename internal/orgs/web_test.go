package orgs_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/webtest"
)

func TestOrganisationPages(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, nil)
	sys := access.System("test")
	dept, _ := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Département du Pas-de-Calais", Kind: orgs.KindDepartement, Territory: "62"})
	ml, _ := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Mission locale de Lens", Kind: orgs.KindMissionLocale, Territory: "62"})
	const pw = "correct horse battery"
	for _, u := range []struct {
		email string
		org   string
		role  access.Role
	}{{"manager@test.fr", dept.ID, access.RoleManager}, {"admin@ml.fr", ml.ID, access.RoleOrgAdmin}, {"referent@ml.fr", ml.ID, access.RoleReferent}} {
		if _, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: u.email, Password: pw, Memberships: []auth.NewMembership{authtest.Member(u.org, u.role)}}); err != nil {
			t.Fatal(err)
		}
	}
	srv := apptest.Serve(t, a)
	as := func(email string) *webtest.Browser {
		b := webtest.NewBrowser(t, srv.URL)
		b.Login(email, pw, "/")
		return b
	}
	form := func(name, kind, siret string) url.Values {
		return url.Values{"name": {name}, "kind": {kind}, "territory": {"62"}, "siret": {siret}, "postal_code": {"62300"}, "commune_code": {"62498"}}
	}
	cases := []struct {
		name, who, method, path string
		form                    url.Values
		status                  int
		contains                string
	}{
		{"the manager opens the creation form", "manager@test.fr", "GET", "/structures/nouvelle", nil, 200, "Nouvelle structure"},
		{"a référent may not", "referent@ml.fr", "GET", "/structures/nouvelle", nil, 404, "Page introuvable"},
		{"a wrong SIRET is named and tied to its field", "manager@test.fr", "POST", "/structures", form("Bâti Solidaire", "siae", "73282932000075"), 422, `aria-describedby="siret-aide siret-erreur"`},
		{"an SIAE needs its kind", "manager@test.fr", "POST", "/structures", form("Bâti Solidaire", "siae", ""), 422, `id="siae_kind-erreur"`},
		{"the manager creates an organisation", "manager@test.fr", "POST", "/structures", form("Garage solidaire", "association", "73282932000074"), 303, ""},
		{"the org admin edits its organisation", "admin@ml.fr", "GET", "/structures/" + ml.ID + "/modifier", nil, 200, "Mission locale de Lens"},
		{"the org admin renames it", "admin@ml.fr", "POST", "/structures/" + ml.ID, form("Mission locale de Lens-Liévin", "mission_locale", ""), 303, ""},
		{"the org admin may not change its kind", "admin@ml.fr", "POST", "/structures/" + ml.ID, form("Mission locale", "departement", ""), 422, "type de structure"},
		{"the org admin may not edit another organisation", "admin@ml.fr", "GET", "/structures/" + dept.ID + "/modifier", nil, 404, "Page introuvable"},
		{"a référent may not edit", "referent@ml.fr", "POST", "/structures/" + ml.ID, form("X", "mission_locale", ""), 403, "modifier cette structure"},
		{"the renamed organisation", "referent@ml.fr", "GET", "/structures/" + ml.ID, nil, 200, "Lens-Liévin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, page := as(tc.who).Do(tc.method, tc.path, tc.form)
			if status != tc.status || !strings.Contains(page, tc.contains) {
				t.Fatalf("status %d, want %d with %q", status, tc.status, tc.contains)
			}
		})
	}
}
