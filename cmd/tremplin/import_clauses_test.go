package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tremplin/internal/app"
	"tremplin/internal/clauses"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/config"
)

func TestImportMarketsThenHoursCommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, dir, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	markets := file("marches.csv", "\ufeffoperation;reference;intitule;donneur_ordre;type_clause;heures_requises;date_debut;date_fin;siret_attributaire;heures_attributaire\r\n"+
		"Tramway T9;T9-LOT1;Génie civil;Syndicat des transports;execution;1200;2025-01-06;2026-12-31;73282932000074;800\r\n"+
		"Tramway T9;T9-LOT1;Génie civil;Syndicat des transports;execution;1200;2025-01-06;2026-12-31;35600000000048;400\r\n")
	const header = "reference_marche;siret;participant;nom;prenom;date_naissance;sexe;commune;public;mois;heures;type_contrat;mode\n"
	julie := "T9-LOT1;73282932000074;P-001;Martin;Julie;1990-04-12;F;62041;BRSA;2025-03;151,67;CDDI;MISE_A_DISPOSITION\n"
	karim := "T9-LOT1;35600000000048;;Dupont;Karim;12/05/2001;M;Arras;JEUNE_26;2025-03;35,5;INTERIM;MISE_A_DISPOSITION\n"
	hours := file("heures.csv", header+julie+karim)
	bad := file("heures-erreurs.csv", header+julie+strings.Replace(karim, "35,5", "-2", 1)+strings.Replace(julie, "T9-LOT1", "T9-LOT9", 1))
	steps := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no territory among the organisations", []string{"import", "markets", markets}, 2, ""},
		{"--rejected without --accept-valid", []string{"import", "hours", hours, "--territory", "62", "--rejected", "x.csv"}, 2, ""},
		{"not a département", []string{"import", "markets", markets, "--territory", "20"}, 2, ""},
		{"a dry run", []string{"import", "markets", "--dry-run", markets, "--territory", "62"}, 0,
			"Markets " + markets + ": 2 rows, 0 rejected.\n  operations:   1 created, 0 updated, 0 unchanged\n  buyers:       1 created, 0 updated, 0 unchanged\n" +
				"  companies:    2 created, 0 updated, 0 unchanged\n  markets:      1 created, 0 updated, 0 unchanged\n  awards:       2 created, 0 updated, 0 unchanged\n" +
				"Markets checked (dry run, nothing written).\n"},
		{"hours before their market", []string{"import", "hours", hours, "--territory", "62"}, 1, "line 2 reference_marche: marché inconnu « T9-LOT1 »."},
		{"the markets", []string{"import", "markets", markets, "--territory", "62", "--json"}, 0, `"markets":{"created":1,"updated":0,"unchanged":0},"awards":{"created":2`},
		{"a refused file lists every bad line", []string{"import", "hours", bad}, 1,
			"Hours refused: nothing written.\n  line 3 heures: les heures ne peuvent pas être négatives.\n  line 4 reference_marche: marché inconnu « T9-LOT9 ».\n"},
		{"a refused file in JSON", []string{"import", "hours", bad, "--json"}, 1,
			`"rejected":2,"errors":[{"line":3,"column":"heures","message":"les heures ne peuvent pas être négatives."},{"line":4,"column":"reference_marche"`},
		{"a dry run keeping the valid rows writes no rejected rows", []string{"import", "hours", bad, "--accept-valid", "--dry-run"}, 0, `Hours checked (dry run, nothing written).`},
		{"the valid rows", []string{"import", "hours", bad, "--accept-valid"}, 0,
			"  lines:        1 created, 0 replaced, 0 unchanged\nHours imported, except the rejected rows.\n"},
		{"the whole file", []string{"import", "hours", hours}, 0, "  participants: 1 created, 0 updated, 1 unchanged\n  lines:        1 created, 0 replaced, 1 unchanged\nHours imported.\n"},
		{"the same file again", []string{"import", "hours", hours, "--json"}, 0, `"lines":{"created":0,"replaced":0,"unchanged":2}`},
		{"the clause figures need their period", []string{"report", "clauses", "--from", "2025-01-01"}, 2, ""},
		{"the clause figures of 2025", []string{"report", "clauses", "--from", "2025-01-01", "--to", "2025-12-31", "--json"}, 0,
			`"hours": 187.17,`},
		{"the clause figures as text", []string{"report", "clauses", "--from", "2025-01-01", "--to", "2025-12-31"}, 0, "Participants"},
	}
	for _, st := range steps {
		code, out, errOut := cli(t, dir, "", st.args...)
		if code != st.code || !strings.Contains(out, st.want) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", st.name, code, st.code, out, errOut)
		}
		if code == 1 && !strings.Contains(errOut, "rien n'a été importé") {
			t.Errorf("%s: stderr %q", st.name, errOut)
		}
		if st.name == "the clause figures of 2025" {
			var r clauses.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil || r.Participants != 2 || r.ETPDivisor != 1607 || r.Markets != 1 ||
				r.CompaniesConcerned != 2 || r.CompaniesStarted != 2 || r.RequiredHours != 120000 || r.Hires != 0 ||
				r.ParticipantsByPublic["BRSA"] != 1 || r.HoursByPublic["JEUNE_26"] != 3550 {
				t.Errorf("%s: %v %s", st.name, err, out)
			}
		}
		if strings.Contains(st.want, `"errors"`) {
			var rep clauses.ImportReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Errors) != 2 {
				t.Errorf("%s: JSON %v %s", st.name, err, out)
			}
		}
	}
	rejected, err := os.ReadFile(filepath.Join(dir, "heures-erreurs.rejets.csv"))
	if err != nil || !strings.Contains(string(rejected), ";erreur\r\n") || !strings.Contains(string(rejected), "ligne 4 : reference_marche : marché inconnu") {
		t.Errorf("rejected rows beside the file: %v\n%s", err, rejected)
	}
	if spools, _ := filepath.Glob(filepath.Join(dir, ".rejets-*")); len(spools) > 0 {
		t.Errorf("temporary files of rejected rows left behind: %v", spools)
	}

	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	plie, err := a.Orgs.Create(context.Background(), sys, orgs.Organisation{Name: "PLIE de l'Artois", Kind: orgs.KindPLIE, Territory: "62"})
	if err == nil {
		_, err = a.Orgs.Create(context.Background(), sys, orgs.Organisation{Name: "PLIE de Lille", Kind: orgs.KindPLIE, Territory: "59"})
	}
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	other := file("autres.csv", "operation;reference;intitule;donneur_ordre;type_clause;heures_requises;date_debut;date_fin;siret_attributaire;heures_attributaire\n"+
		"Collèges;COL-1;Entretien;Département;marche_insertion;500;2025-01-01;2025-12-31;;\n")
	for _, st := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"two territories among the organisations", []string{"import", "markets", other}, 2, ""},
		{"a facilitator of another territory", []string{"import", "markets", other, "--facilitator", plie.ID, "--territory", "59"}, 1, ""},
		{"the facilitator's territory", []string{"import", "markets", other, "--facilitator", plie.ID}, 0, "Markets imported."},
	} {
		code, out, errOut := cli(t, dir, "", st.args...)
		if code != st.code || !strings.Contains(out, st.want) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", st.name, code, st.code, out, errOut)
		}
	}
	a, err = app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ops, err := a.Clauses.ListOperations(context.Background(), sys)
	if err != nil || len(ops) != 2 {
		t.Fatalf("operations %+v %v", ops, err)
	}
	for _, op := range ops {
		if want := map[string]string{"Tramway T9": "", "Collèges": plie.ID}[op.Name]; op.FacilitatorOrgID != want || op.Territory != "62" {
			t.Errorf("operation %s followed by %q in %s", op.Name, op.FacilitatorOrgID, op.Territory)
		}
	}
}
