package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"tremplin/internal/app"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/config"
	"tremplin/internal/platform/db"
)

func TestPeopleMergeCommand(t *testing.T) {
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
	ctx := context.Background()
	dept, err := a.Orgs.Create(ctx, access.System("test"), orgs.Organisation{Name: "Département du Pas-de-Calais", Kind: orgs.KindDepartement, Territory: "62"})
	if err != nil {
		t.Fatal(err)
	}
	birth := time.Date(1992, 4, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for range 2 {
		p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept.ID, FirstName: "Inès", LastName: "Carpentier", BirthDate: &birth, CreatedAt: db.Now()}
		if err := people.Insert(ctx, a.DB, p, "", ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	a.Close()
	keep, dup := ids[0], ids[1]
	steps := []struct {
		name         string
		args         []string
		code         int
		stdout, text string
	}{
		{"a subcommand is required", []string{"people"}, 2, "", "people: say merge"},
		{"both files and a reason are required", []string{"people", "merge", "--keep", keep}, 2, "", "--reason TEXT are required"},
		{"the pair is listed", []string{"people", "duplicates"}, 0, keep + "  " + dup + "  name", ""},
		{"a reason of 5 characters at least", []string{"people", "merge", "--keep", keep, "--duplicate", dup, "--reason", "dbl"}, 1, "", "5 caractères"},
		{"a file is not merged into itself", []string{"people", "merge", "--keep", keep, "--duplicate", keep, "--reason", "Même personne"}, 1, "", "lui-même"},
		{"the merge", []string{"people", "merge", "--keep", keep, "--duplicate", dup, "--reason", "Même personne saisie deux fois"}, 0,
			"File " + dup + " merged into " + keep, ""},
		{"an absorbed file is not merged again", []string{"people", "merge", "--keep", keep, "--duplicate", dup, "--reason", "Même personne"}, 1, "", "déjà été fusionné"},
		{"no pair is left", []string{"people", "duplicates"}, 0, "0 pair(s) of possible duplicates.", ""},
	}
	for _, st := range steps {
		code, out, errOut := cli(t, dir, "", st.args...)
		if code != st.code || !strings.Contains(out, st.stdout) || !strings.Contains(errOut, st.text) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", st.name, code, st.code, out, errOut)
		}
	}
}
