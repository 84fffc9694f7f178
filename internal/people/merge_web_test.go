package people_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/webtest"
)

func TestDuplicatesAreComparedAndMergedOnThePages(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, nil)
	sys := access.System("test")
	dept, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Département", Kind: orgs.KindDepartement, Territory: "62"})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	users := map[string]auth.User{}
	for _, u := range []struct {
		email string
		role  access.Role
	}{{"manager@test.fr", access.RoleManager}, {"referent@test.fr", access.RoleReferent}, {"other@test.fr", access.RoleReferent}} {
		created, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: u.email, FirstName: "Léa", LastName: "Morel", Password: pw,
			Memberships: []auth.NewMembership{authtest.Member(dept.ID, u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		users[u.email] = created
	}
	birth := time.Date(1988, 3, 2, 0, 0, 0, 0, time.UTC)
	file := func(phone string) string {
		p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept.ID, FirstName: "Sami", LastName: "Lefebvre", BirthDate: &birth,
			Phone: phone, CreatedAt: db.Now()}
		if err := people.Insert(ctx, a.DB, p, "", ""); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	keep, dup := file("0611111111"), file("")
	// The référent follows the duplicate only: the merge brings them to the kept file.
	m := people.GroupMember{ID: db.NewID(), UserID: users["referent@test.fr"].ID, OrgID: dept.ID, Role: "referent", Start: time.Now().AddDate(0, 0, -7)}
	if err := people.InsertGroupMember(ctx, a.DB, dup, m, db.Now()); err != nil {
		t.Fatal(err)
	}
	srv := apptest.Serve(t, a)
	browser := func(email string) *webtest.Browser {
		b := webtest.NewBrowser(t, srv.URL)
		b.Login(email, pw, "/")
		return b
	}
	manager, referent, other := browser("manager@test.fr"), browser("referent@test.fr"), browser("other@test.fr")
	form := func(keepID, reason string) url.Values {
		return url.Values{"a": {keep}, "b": {dup}, "garder": {keepID}, "reason": {reason}}
	}
	steps := []struct {
		name          string
		b             *webtest.Browser
		method, path  string
		form          url.Values
		status        int
		location      string
		want, notWant string
	}{
		{"the manager's navigation offers the duplicates", manager, "GET", "/", nil, 200, "", `href="/personnes/doublons"`, ""},
		{"a référent's does not", referent, "GET", "/", nil, 200, "", "", `href="/personnes/doublons"`},
		{"a référent may not list duplicates", referent, "GET", "/personnes/doublons", nil, 403, "", "Accès refusé", "Lefebvre"},
		{"the manager sees the pair and why", manager, "GET", "/personnes/doublons", nil, 200, "", "Même nom et même date de naissance",
			""},
		{"the comparison shows both files side by side", manager, "GET", "/personnes/doublons/fusion?garder=" + keep + "&absorber=" + dup, nil, 200, "",
			"0611111111", ""},
		{"a référent may not compare", referent, "GET", "/personnes/doublons/fusion?garder=" + keep + "&absorber=" + dup, nil, 403, "", "", "0611111111"},
		{"a reason is required", manager, "POST", "/personnes/doublons/fusion", form(keep, ""), 422, "", "5 caractères", ""},
		{"the file to keep is one of the two", manager, "POST", "/personnes/doublons/fusion", form(db.NewID(), "Même personne"), 422, "",
			"Choisissez le dossier à conserver", ""},
		{"the merge leads to the kept file", manager, "POST", "/personnes/doublons/fusion", form(keep, "Même personne saisie deux fois"), 303,
			"/personnes/" + keep, "", ""},
		{"the kept file says what it absorbed", manager, "GET", "/personnes/" + keep, nil, 200, "", "Même personne saisie deux fois", ""},
		{"a link to the absorbed file leads to the kept one", manager, "GET", "/personnes/" + dup, nil, 303, "/personnes/" + keep, "", ""},
		{"for the référent, who now follows the kept file", referent, "GET", "/personnes/" + dup, nil, 303, "/personnes/" + keep, "", ""},
		{"the référent reads the kept file", referent, "GET", "/personnes/" + keep, nil, 200, "", "0611111111", ""},
		{"who may not read the kept file finds nothing", other, "GET", "/personnes/" + dup, nil, 404, "", "Page introuvable", ""},
		{"the absorbed file is no longer listed", manager, "GET", "/personnes", nil, 200, "", "/personnes/" + keep, "/personnes/" + dup},
		{"the pair is gone", manager, "GET", "/personnes/doublons", nil, 200, "", "Aucun doublon probable", ""},
		{"merging it again is refused", manager, "POST", "/personnes/doublons/fusion", form(keep, "Même personne"), 409, "", "déjà été fusionné", ""},
	}
	for _, st := range steps {
		status, location, page := st.b.Do(st.method, st.path, st.form)
		if status != st.status || location != st.location || !strings.Contains(page, st.want) || (st.notWant != "" && strings.Contains(page, st.notWant)) {
			t.Fatalf("%s: status %d at %q, want %d at %q with %q and without %q", st.name, status, location, st.status, st.location, st.want, st.notWant)
		}
	}
}
