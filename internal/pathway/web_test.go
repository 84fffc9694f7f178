package pathway_test

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
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/webtest"
)

// TestPathwayPagesFromQueueToContract drives the pages as staff would, with
// their forms: the group, the joint diagnostic, the orientation, the
// contract and its PDF, then the point de situation.
func TestPathwayPagesFromQueueToContract(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, nil)
	sys := access.System("test")
	org := func(name string, kind orgs.Kind) orgs.Organisation {
		o, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: name, Kind: kind, Territory: "62"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	dept, ft, asso := org("Département du Pas-de-Calais", orgs.KindDepartement), org("France Travail Arras", orgs.KindFranceTravail), org("Association Rebond", orgs.KindAssociation)
	const pw = "correct horse battery"
	users := map[string]auth.User{}
	for _, u := range []struct {
		email string
		org   orgs.Organisation
		role  access.Role
		qual  access.Qualification
	}{
		{"ori@test.fr", dept, access.RoleOrientation, ""},
		{"soc@test.fr", asso, access.RoleReferent, access.QualSocial},
		{"pro@test.fr", ft, access.RoleReferent, access.QualProfessional},
		{"outsider@test.fr", asso, access.RoleReferent, access.QualProfessional},
	} {
		created, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: u.email, FirstName: "Prénom", LastName: strings.Split(u.email, "@")[0], Password: pw,
			Memberships: []auth.NewMembership{{OrgID: u.org.ID, Role: u.role, Qualification: u.qual}}})
		if err != nil {
			t.Fatal(err)
		}
		users[u.email] = created
	}
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept.ID, FirstName: "Léa", LastName: "Dupont", CreatedAt: db.Now()}
	if err := people.Insert(ctx, a.DB, p, "", ""); err != nil {
		t.Fatal(err)
	}
	hh := db.NewID()
	rights := time.Now().UTC().AddDate(0, 0, -50).Format(time.DateOnly)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO households (id, territory, fonorg, numorg, matricule, request_date, rsa_state, droits_devoirs, created_at, updated_at)
			VALUES ($1, '62', 'CAF', '621', '1234567', $2, '2', TRUE, $3, $3)`, []any{hh, rights, db.Now()}},
		{`UPDATE persons SET household_id = $1, household_role = 'DEM', droits_devoirs = TRUE WHERE id = $2`, []any{hh, p.ID}},
	} {
		if _, err := a.DB.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	srv := apptest.Serve(t, a)
	browser := func(email string) *webtest.Browser {
		b := webtest.NewBrowser(t, srv.URL)
		if status, _, _ := b.Login(email, pw, "/"); status != 303 {
			t.Fatalf("login %s: %d", email, status)
		}
		return b
	}
	base := "/personnes/" + p.ID
	expect := func(b *webtest.Browser, method, path string, form url.Values, status int, want ...string) string {
		t.Helper()
		got, _, page := b.Do(method, path, form)
		if got != status {
			t.Fatalf("%s %s: status %d, want %d\n%s", method, path, got, status, page)
		}
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Fatalf("%s %s: page lacks %q", method, path, w)
			}
		}
		return page
	}
	// follow posts a form that succeeds with a redirect, and reads the page it leads to.
	follow := func(b *webtest.Browser, path string, form url.Values, want ...string) string {
		t.Helper()
		got, to, page := b.Do("POST", path, form)
		if got != 303 {
			t.Fatalf("POST %s: status %d, want a redirect\n%s", path, got, page)
		}
		return expect(b, "GET", to, nil, 200, want...)
	}

	ori, soc, pro := browser("ori@test.fr"), browser("soc@test.fr"), browser("pro@test.fr")
	expect(ori, "GET", "/orientation", nil, 200, "Dupont Léa", "en retard de 8 jour(s)")
	follow(ori, base+"/groupe", url.Values{"staff": {users["soc@test.fr"].ID + "|" + asso.ID}, "role": {"referent"}}, "Le groupe de suivi est à jour.")
	follow(ori, base+"/groupe", url.Values{"staff": {users["pro@test.fr"].ID + "|" + ft.ID}, "role": {"member"}}, "Référent", "Membre")
	expect(ori, "POST", base+"/groupe", url.Values{"staff": {"nobody|" + ft.ID}, "role": {"member"}}, 422, "Choisissez un professionnel de la liste.")

	diag := url.Values{"work_situation": {"Sans emploi"}, "worked_last_2_years": {"1"}, "education_level": {"3"}, "projection": {"oui"},
		"target_jobs": {"ZZ999"}, "mobility_km": {"25"}, "obstacle_mobilite": {"1"}}
	expect(soc, "POST", base+"/diagnostic", diag, 422, "Code ROME inconnu : ZZ999.")
	diag.Set("target_jobs", "")
	follow(soc, base+"/diagnostic", diag, "Nouvelle version du diagnostic enregistrée", "Professionnel (emploi)", "Mobilité : Frein léger")
	page := expect(soc, "GET", base+"/diagnostic", nil, 200, "Signer cette version")
	sign := regexp.MustCompile(`action="(/personnes/[^"]+/signature)"`).FindStringSubmatch(page)
	if sign == nil {
		t.Fatal("no signature form")
	}
	follow(soc, sign[1], nil, "la seconde signature doit venir")
	follow(pro, sign[1], nil, "le diagnostic est validé")

	orgField := url.Values{"track": {"social"}, "organisation_id": {ft.ID}}
	expect(ori, "POST", base+"/orientation", orgField, 422, "indiquez pourquoi")
	orgField.Set("track", "professionnel")
	follow(ori, base+"/orientation", orgField, "Orientation enregistrée.", "France Travail Arras")
	expect(ori, "GET", "/orientation", nil, 200, "Personne n'attend d'orientation.")

	contract := url.Values{"kind": {"engagement"}, "start": {time.Now().UTC().Format(time.DateOnly)}, "end": {time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)},
		"weekly_hours": {"10"}, "action_plan": {"Remise à niveau puis immersion en logistique."}}
	expect(pro, "POST", base+"/contrats", contract, 422, "au moins 15 heures par semaine")
	contract.Set("adjustment", "reduite")
	contract.Set("adjust_reason", "sante")
	page = follow(pro, base+"/contrats", contract, "Contrat établi", "10.0 h / semaine", "À signer")
	pdfLink := regexp.MustCompile(`href="(/personnes/[^"]+/pdf)"`).FindStringSubmatch(page)
	status, _, body := pro.Do("GET", pdfLink[1], nil)
	if status != 200 || !strings.HasPrefix(body, "%PDF-1.4") || !strings.Contains(body, "Dupont") || !strings.Contains(body, "motif : sant\xe9") {
		t.Fatalf("contract PDF: status %d, %.200q", status, body)
	}
	signURL := regexp.MustCompile(`action="(/personnes/[^"]+/contrats/[^"]+/signature)"`).FindStringSubmatch(page)
	// A page of another file never signs this file's contract, even for someone who may act on both.
	other := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept.ID, FirstName: "Marc", LastName: "Autre", CreatedAt: db.Now()}
	if err := people.Insert(ctx, a.DB, other, "", ""); err != nil {
		t.Fatal(err)
	}
	expect(ori, "POST", strings.Replace(signURL[1], p.ID, other.ID, 1), url.Values{"signed_on": {time.Now().UTC().Format(time.DateOnly)}, "person_signed": {"1"}}, 404)
	expect(pro, "GET", base+"/orientation", nil, 200, "À signer")
	follow(pro, signURL[1], url.Values{"signed_on": {time.Now().UTC().Format(time.DateOnly)}, "person_signed": {"1"}}, "Signature du contrat enregistrée.", "Signé le")

	expect(pro, "GET", "/point-de-situation", nil, 200, "Point de situation", "Sans rendez-vous depuis longtemps")

	// Outside the group, every page of the file is not found.
	outsider := browser("outsider@test.fr")
	for _, path := range []string{base + "/diagnostic", base + "/orientation", base + "/groupe", pdfLink[1]} {
		expect(outsider, "GET", path, nil, 404, "Page introuvable")
	}
	expect(outsider, "POST", sign[1], nil, 404)
	expect(outsider, "GET", "/orientation", nil, 403)
}
