package people_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/people/caf/caftest"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/webtest"
)

func TestPeoplePagesFollowNeedToKnow(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, nil)
	d, box := a.DB, a.Box
	sys := access.System("test")
	dept, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Département", Kind: orgs.KindDepartement, Territory: "62"})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	user := func(email string, role access.Role) auth.User {
		u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: email, FirstName: "Léa", LastName: "Morel", Password: pw,
			Memberships: []auth.NewMembership{authtest.Member(dept.ID, role)}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	user("manager@test.fr", access.RoleManager)
	ref := user("referent@test.fr", access.RoleReferent)
	birth := time.Date(1988, 3, 2, 0, 0, 0, 0, time.UTC)
	ids := map[string]string{}
	for _, name := range []string{"Lefebvre", "Nowak"} {
		p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept.ID, FirstName: "Sami", LastName: name, BirthDate: &birth,
			Sex: "1", CommuneCode: "62041", PostalCode: "62000", CreatedAt: db.Now()}
		nir := "188036204100" + map[string]string{"Lefebvre": "1", "Nowak": "2"}[name]
		if err := people.Insert(ctx, d, p, box.Seal(nir), box.Match(nir)); err != nil {
			t.Fatal(err)
		}
		ids[name] = p.ID
	}
	m := people.GroupMember{ID: db.NewID(), UserID: ref.ID, OrgID: dept.ID, Role: "referent", Start: time.Now().AddDate(0, 0, -7)}
	if err := people.InsertGroupMember(ctx, d, ids["Lefebvre"], m, db.Now()); err != nil {
		t.Fatal(err)
	}
	srv := apptest.Serve(t, a)

	cases := []struct {
		who, path     string
		status        int
		want, notWant string
	}{
		{"manager@test.fr", "/personnes", 200, "Nowak", ""},
		{"manager@test.fr", "/personnes?q=lef", 200, "Lefebvre", "Nowak"},
		{"manager@test.fr", "/personnes/" + ids["Nowak"], 200, "1 88 03", "1880362041002"},
		{"referent@test.fr", "/personnes", 200, "Lefebvre", "Nowak"},
		{"referent@test.fr", "/personnes/" + ids["Lefebvre"], 200, "Léa Morel", "1880362041001"},
		{"referent@test.fr", "/personnes/" + ids["Nowak"], 404, "Page introuvable", "Nowak"},
		{"referent@test.fr", "/personnes/not-an-id", 404, "Page introuvable", ""},
	}
	for _, tc := range cases {
		t.Run(tc.who+" "+tc.path, func(t *testing.T) {
			b := webtest.NewBrowser(t, srv.URL)
			b.Login(tc.who, pw, "/")
			status, _, page := b.Do("GET", tc.path, nil)
			if status != tc.status || !strings.Contains(page, tc.want) || (tc.notWant != "" && strings.Contains(page, tc.notWant)) {
				t.Fatalf("status %d, want %d with %q and without %q", status, tc.status, tc.want, tc.notWant)
			}
		})
	}
}

func TestUploadingACAFFlowPreviewsThenImports(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, nil)
	if err := refdata.SeedFor(ctx, a.DB, "62", "59", "80", "75", "92"); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	dept, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Département de la Haute-Marne", Kind: orgs.KindDepartement, Territory: "52"})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	for _, u := range []struct {
		email string
		role  access.Role
	}{{"orientation@52.fr", access.RoleOrientation}, {"referent@52.fr", access.RoleReferent}} {
		if _, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: u.email, Password: pw, Memberships: []auth.NewMembership{authtest.Member(dept.ID, u.role)}}); err != nil {
			t.Fatal(err)
		}
	}
	srv := apptest.Serve(t, a)
	referent := webtest.NewBrowser(t, srv.URL)
	referent.Login("referent@52.fr", pw, "/")
	if status, _, _ := referent.Do("GET", "/imports/caf", nil); status != 404 {
		t.Fatalf("a référent may not import: %d", status)
	}
	b := webtest.NewBrowser(t, srv.URL)
	b.Login("orientation@52.fr", pw, "/")
	status, _, page := b.Upload("/imports/caf", "flux", "RSABEI_invalid.xml", caftest.Read(t, "RSABEI_invalid.xml"))
	if status != 422 || !strings.Contains(page, "Ligne 134") || strings.Contains(page, "Confirmer l'import") {
		t.Fatalf("an invalid flow is refused with its line and cannot be confirmed: %d", status)
	}
	status, _, page = b.Upload("/imports/caf", "flux", "RSABEM.xml", caftest.Read(t, "RSABEM.xml"))
	confirm := regexp.MustCompile(`action="(/imports/caf/[0-9a-f]{32})"`).FindStringSubmatch(page)
	if status != 200 || confirm == nil || !strings.Contains(page, "Ce que l'import ferait") {
		t.Fatalf("preview: %d", status)
	}
	if n := countPersons(t, a.DB); n != 0 {
		t.Fatalf("the preview wrote %d people", n)
	}
	status, _, page = b.Do("POST", confirm[1], url.Values{})
	if status != 200 || !strings.Contains(page, "Ce que l'import a fait") || countPersons(t, a.DB) != 3 {
		t.Fatalf("confirm: %d, %d people", status, countPersons(t, a.DB))
	}
	if status, _, _ := b.Do("POST", confirm[1], url.Values{}); status != 404 {
		t.Fatalf("a confirmed upload is gone: %d", status)
	}
	_, _, list := b.Do("GET", "/personnes?matricule=208956400000000", nil)
	link := regexp.MustCompile(`href="(/personnes/[0-9a-f-]{36})"`).FindStringSubmatch(list)
	if link == nil {
		t.Fatal("the imported person is listed for the département's chargé d'orientation")
	}
	_, _, file := b.Do("GET", link[1], nil)
	for _, want := range []string{"Droit ouvert, versement suspendu", "Soumis aux droits et devoirs", "Conjoint", "2 73 07"} {
		if !strings.Contains(file, want) {
			t.Errorf("the file does not show %q", want)
		}
	}
	status, _, report := b.Do("GET", "/imports/caf/rapport", nil)
	if status != 200 || !strings.Contains(report, "Entrées dans le RSA (3)") || !strings.Contains(report, "Bullock") {
		t.Fatalf("the flow report: %d", status)
	}
}

func countPersons(t *testing.T, d *db.DB) int {
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT count(*) FROM persons`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
