package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tremplin/internal/app"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/config"
	"tremplin/internal/platform/tabular"
)

func TestImportPeopleCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, dir, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ml, err := a.Orgs.Create(context.Background(), access.System("test"), orgs.Organisation{Name: "Mission locale de l'Artois", Kind: orgs.KindMissionLocale, Territory: "62"})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list := file("jeunes.csv", "Nom;Prénom;Date de naissance;QPV\nLefèvre;Zoé;02/03/1995;oui\nPetit;Hugo;12/12/2000;\nNowak;Sami;31/02/2001;\n")
	byHand := file("autre.csv", "Nom,Prénom,Naiss.\nBernard,Lina,2006-01-01\n")
	rejected := filepath.Join(dir, "rejets.csv")
	// A list whose end cannot be read: it is refused, with no file of rejected rows.
	broken := file("casse.csv", "Nom;Prénom;Date de naissance\nNowak;Sami;31/02/2001\n"+strings.Repeat(";", tabular.MaxColumns+1)+"\n")
	brokenRejected := filepath.Join(dir, "rejets-casse.csv")
	steps := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"the organisation is required", []string{"import", "people", list}, 2, ""},
		{"keeping the valid rows needs a file for the others", []string{"import", "people", list, "--org", ml.ID, "--keep-valid"}, 2, ""},
		{"an unknown field in the mapping", []string{"import", "people", list, "--org", ml.ID, "--map", "shoe=Pointure"}, 1, ""},
		{"an unknown organisation", []string{"import", "people", list, "--org", "01900000-0000-7000-8000-000000000000"}, 1, ""},
		{"one invalid row refuses the list", []string{"import", "people", list, "--org", ml.ID}, 1, "line 4 birth_date: cette date n'existe pas"},
		{"a list that cannot be read to its end", []string{"import", "people", broken, "--org", ml.ID, "--keep-valid", "--rejected", brokenRejected}, 1, "List refused: nothing written."},
		{"a dry run keeping the valid rows", []string{"import", "people", "--dry-run", "--json", list, "--org", ml.ID, "--keep-valid", "--rejected", rejected}, 0,
			`{"rows":3,"created":2,"updated":0,"unchanged":0,"rejected":1,"errors":[{"line":4,"field":"birth_date","message":"cette date n'existe pas"}],"conflicts":[],"dry_run":true`},
		{"the valid rows", []string{"import", "people", list, "--org", ml.ID, "--keep-valid", "--rejected", rejected}, 0,
			"List " + list + ": 3 rows; 2 created, 0 updated, 0 unchanged, 1 rejected.\nList imported, except the rejected rows."},
		{"the same list again", []string{"import", "people", "--json", list, "--org", ml.ID, "--keep-valid", "--rejected", rejected}, 0, `"created":0,"updated":0,"unchanged":2,"rejected":1`},
		{"a column mapped by hand", []string{"import", "people", byHand, "--org", ml.ID, "--map", "birth_date=Naiss.", "--json"}, 0, `"created":1`},
	}
	for _, st := range steps {
		code, out, errOut := cli(t, dir, "", st.args...)
		if code != st.code || !strings.Contains(out, st.want) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", st.name, code, st.code, out, errOut)
		}
	}
	if _, err := os.Stat(brokenRejected); !os.IsNotExist(err) {
		t.Errorf("a refused list left a file of rejected rows: %v", err)
	}
	if spools, _ := filepath.Glob(filepath.Join(dir, ".rejets-*")); len(spools) > 0 {
		t.Errorf("temporary files of rejected rows left behind: %v", spools)
	}
	got, err := os.ReadFile(rejected)
	if err != nil || !strings.Contains(string(got), "Nom;Prénom;Date de naissance;QPV;erreur\r\nNowak;Sami;31/02/2001;;ligne 4 : Date de naissance : cette date n'existe pas\r\n") {
		t.Fatalf("rejected rows: %q %v", got, err)
	}
	a, err = app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var held, total int
	err = a.DB.QueryRowContext(context.Background(), `SELECT count(*), sum(CASE WHEN holding_org_id = $1 AND territory = '62' THEN 1 ELSE 0 END) FROM persons`, ml.ID).Scan(&total, &held)
	if err != nil || total != 3 || held != 3 {
		t.Fatalf("%d people, %d held by the organisation of --org: %v", total, held, err)
	}
}
