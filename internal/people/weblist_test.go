package people_test

import (
	"context"
	"encoding/base64"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/webtest"
)

func TestImportingAListFromThePages(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, nil)
	if err := refdata.SeedFor(ctx, a.DB, "62", "59", "80", "75", "92"); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	ml, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Mission locale de l'Artois", Kind: orgs.KindMissionLocale, Territory: "62"})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	for _, u := range []struct {
		email string
		role  access.Role
	}{{"admin@ml.fr", access.RoleOrgAdmin}, {"colleague@ml.fr", access.RoleOrgAdmin}, {"referent@ml.fr", access.RoleReferent}} {
		if _, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: u.email, Password: pw, Memberships: []auth.NewMembership{authtest.Member(ml.ID, u.role)}}); err != nil {
			t.Fatal(err)
		}
	}
	srv := apptest.Serve(t, a)
	referent := webtest.NewBrowser(t, srv.URL)
	referent.Login("referent@ml.fr", pw, "/")
	if status, _, page := referent.Do("GET", "/imports/personnes", nil); status != 404 || strings.Contains(page, "Import de listes") {
		t.Fatalf("a référent may not import lists, nor sees the entry: %d", status)
	}
	b := webtest.NewBrowser(t, srv.URL)
	b.Login("admin@ml.fr", pw, "/")
	if _, _, home := b.Do("GET", "/", nil); !strings.Contains(home, `href="/imports/personnes"`) {
		t.Fatal("the navigation offers the list import to an organisation's administrator")
	}
	status, _, page := b.Upload("/imports/personnes", "fichier", "jeunes.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0})
	if status != 422 || !strings.Contains(page, "Excel 97-2003") {
		t.Fatalf("an old Excel file is refused at once: %d", status)
	}

	list := "Nom;Prénom;Naiss.;RQTH\nLefèvre;Zoé;02/03/1995;oui\nNowak;Sami;31/02/2001;\n"
	status, _, page = b.Upload("/imports/personnes", "fichier", "jeunes.csv", []byte(list))
	step := regexp.MustCompile(`action="(/imports/personnes/[0-9a-f]{32})"`).FindStringSubmatch(page)
	if status != 200 || step == nil {
		t.Fatalf("upload: %d", status)
	}
	for _, want := range []string{"jeunes.csv", "<td>Lefèvre</td>", `<option value="Nom" selected>`, `<option value="RQTH" selected>`} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the mapping step shows %q", want)
		}
	}
	colleague := webtest.NewBrowser(t, srv.URL)
	colleague.Login("colleague@ml.fr", pw, "/")
	if status, _, _ := colleague.Do("POST", step[1], url.Values{"etape": {"verifier"}}); status != 404 {
		t.Fatalf("an upload is its sender's only, even for a colleague who may import: %d", status)
	}

	form := url.Values{"colonne_last_name": {"Nom"}, "colonne_first_name": {"Prénom"}, "colonne_rqth": {"RQTH"}, "etape": {"verifier"}}
	status, _, page = b.Do("POST", step[1], form)
	if status != 422 || !strings.Contains(html.UnescapeString(page), "Date de naissance : choisissez la colonne qui le donne") {
		t.Fatalf("the birth date column is required: %d", status)
	}
	form.Set("colonne_birth_date", "Naiss.")
	status, _, page = b.Do("POST", step[1], form)
	if status != 422 || !strings.Contains(html.UnescapeString(page), "cette date n'existe pas") || strings.Contains(page, `value="importer"`) {
		t.Fatalf("an invalid row stops the whole import: %d", status)
	}
	form.Set("garder", "1")
	status, _, page = b.Do("POST", step[1], form)
	if status != 200 || !strings.Contains(html.UnescapeString(page), "Ce que l'import ferait") || !strings.Contains(page, `value="importer"`) {
		t.Fatalf("keeping the valid rows may be imported: %d", status)
	}
	if n := countPersons(t, a.DB); n != 0 {
		t.Fatalf("checking wrote %d people", n)
	}
	form.Set("etape", "importer")
	status, _, page = b.Do("POST", step[1], form)
	if status != 200 || !strings.Contains(page, "Liste importée") || countPersons(t, a.DB) != 1 {
		t.Fatalf("import: %d, %d people", status, countPersons(t, a.DB))
	}
	link := regexp.MustCompile(`href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)" download="lignes-rejetees.csv"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("the rejected rows are offered for download")
	}
	rejected, _ := base64.StdEncoding.DecodeString(link[1])
	if want := "Nowak;Sami;31/02/2001;;ligne 3 : Date de naissance : cette date n'existe pas"; !strings.Contains(string(rejected), want) {
		t.Errorf("rejected rows %q, want %q", rejected, want)
	}
	if status, _, _ := b.Do("POST", step[1], form); status != 404 {
		t.Fatalf("an imported upload is gone: %d", status)
	}
	_, _, people := b.Do("GET", "/personnes?q=lefevre", nil)
	file := regexp.MustCompile(`href="(/personnes/[0-9a-f-]{36})"`).FindStringSubmatch(people)
	if file == nil {
		t.Fatal("the new file is held by the mission locale, whose administrator sees it")
	}
	if _, _, page := b.Do("GET", file[1], nil); !strings.Contains(html.UnescapeString(page), "Travailleur handicapé (RQTH)") {
		t.Error("the person's page shows the declared public")
	}
}
