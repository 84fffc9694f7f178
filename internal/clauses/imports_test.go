package clauses_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"tremplin/internal/clauses"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/validate"
	"tremplin/internal/platform/xlsx"
)

const (
	impMarketsHeader = "operation;reference;intitule;donneur_ordre;type_clause;heures_requises;date_debut;date_fin;siret_attributaire;heures_attributaire"
	impHoursHeader   = "reference_marche;siret;participant;nom;prenom;date_naissance;sexe;commune;public;mois;heures;type_contrat;mode"
	// The companies of the world: Bâtir SA and Voies ferrées SAS.
	impBatir = "73282932000074"
	impVoies = "35600000000048"
)

// impSIRET returns the n-th valid SIRET of companies the world does not know.
func impSIRET(n int) string {
	for d := range 10 {
		siren := fmt.Sprintf("4%07d%d", n, d)
		if validate.SIREN(siren) != nil {
			continue
		}
		for k := range 10 {
			if s := fmt.Sprintf("%s0001%d", siren, k); validate.SIRET(s) == nil {
				return s
			}
		}
	}
	panic("no SIRET")
}

// impNew is the company the markets file brings.
var impNew = impSIRET(1)

// impMarketRows are two markets of two operations: the tramway lot of two
// known companies, and the collèges' market of a company to create, bought
// by the département itself.
var impMarketRows = []string{
	"Tramway T9;T9-LOT1;Génie civil;Syndicat des transports;execution;1200;2025-01-06;2026-12-31;" + impBatir + ";800",
	"Tramway T9;T9-LOT1;Génie civil;Syndicat des transports;execution;1200;2025-01-06;2026-12-31;" + impVoies + ";400",
	"Collèges;COL-2025;Entretien des collèges;Département;marche_insertion;5000;01/01/2025;31/12/2025;" + impNew + ";5000",
}

// impHoursRows are four lines of two participants: Julie Martin by the
// facilitator's identifier, Karim Dupont by name and birth date, on two markets.
var impHoursRows = []string{
	"T9-LOT1;" + impBatir + ";P-001;Martin;Julie;1990-04-12;F;62041;BRSA;2025-03;151,67;CDDI;MISE_A_DISPOSITION",
	"T9-LOT1;" + impBatir + ";P-001;Martin;Julie;1990-04-12;F;62041;BRSA;2025-04;140;CDDI;MISE_A_DISPOSITION",
	"T9-LOT1;" + impVoies + ";;Dupont;Karim;12/05/2001;M;Arras;JEUNE_26;2025-03;35.5;INTERIM;MISE_A_DISPOSITION",
	"COL-2025;" + impNew + ";;Dupont;Karim;12/05/2001;M;;JEUNE_26;2025-03;20;CDDI;EMBAUCHE_DIRECTE",
}

func impFile(header string, rows ...string) []byte {
	return []byte(header + "\n" + strings.Join(rows, "\n") + "\n")
}

func impTable(t testing.TB, name string, data []byte) *tabular.Table {
	t.Helper()
	tab, err := tabular.Open(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return tab
}

func (w *world) impMarkets(a access.Actor, data []byte, opt clauses.ImportOptions) (clauses.ImportReport, error) {
	return w.svc.ImportMarkets(w.ctx, a, impTable(w.t, "marches.csv", data), opt)
}

func (w *world) impHours(a access.Actor, data []byte, opt clauses.ImportOptions) (clauses.ImportReport, error) {
	return w.svc.ImportHours(w.ctx, a, impTable(w.t, "heures.csv", data), opt)
}

// impWorld is the world with the markets file imported by the facilitator.
func impWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	w := newWorld(t, d)
	if _, err := w.impMarkets(w.as("facilitator"), impFile(impMarketsHeader, impMarketRows...), clauses.ImportOptions{}); err != nil {
		t.Fatalf("import markets: %v", err)
	}
	return w
}

// impCounts counts the rows of every table an import writes to.
func impCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"organisations", "clause_operations", "clause_markets", "clause_awards", "clause_participants",
		"clause_hours", "clause_hours_history", "audit_log"} {
		var n int
		if err := d.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func impMarketByRef(t *testing.T, w *world, ref string) clauses.Market {
	t.Helper()
	ms, err := w.svc.ListMarkets(w.ctx, access.System("test"), clauses.MarketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Reference == ref {
			return m
		}
	}
	t.Fatalf("no market %s", ref)
	return clauses.Market{}
}

func TestImportMarketsCreatesWhatTheRowsName(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		f := w.as("facilitator")
		rep, err := w.impMarkets(f, impFile(impMarketsHeader, impMarketRows...), clauses.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := clauses.ImportReport{Kind: "markets", Rows: 3, Operations: clauses.ImportCount{Created: 2},
			Buyers: clauses.ImportCount{Unchanged: 2}, Companies: clauses.ImportCount{Created: 1, Unchanged: 2},
			Markets: clauses.ImportCount{Created: 2}, Awards: clauses.ImportCount{Created: 3}, Errors: []clauses.ImportError{}}
		if fmt.Sprint(rep) != fmt.Sprint(want) {
			t.Fatalf("report\n got %+v\nwant %+v", rep, want)
		}
		t9 := impMarketByRef(t, w, "T9-LOT1")
		if t9.OperationName != "Tramway T9" || t9.BuyerOrgID != w.orgs["Syndicat des transports"].ID || t9.Required != 120000 ||
			t9.ClauseType != "execution" || t9.Start.Format("2006-01-02") != "2025-01-06" || t9.FacilitatorOrgID != w.orgs["PLIE de l'Artois"].ID {
			t.Errorf("tramway lot: %+v", t9)
		}
		roles := map[string]string{}
		for _, aw := range t9.Awards {
			roles[aw.CompanySIRET] = aw.Role + " " + aw.Share.String()
		}
		if roles[impBatir] != "holder 800" || roles[impVoies] != "cocontractor 400" {
			t.Errorf("the first company is the holder, the next a co-contractor, each with its share: %v", roles)
		}
		col := impMarketByRef(t, w, "COL-2025")
		if col.BuyerOrgID != w.orgs["Département"].ID || col.ClauseType != "marche_insertion" || col.End.Format("2006-01-02") != "2025-12-31" ||
			len(col.Awards) != 1 || col.Awards[0].CompanyName != "Entreprise "+impNew || col.Awards[0].Role != "holder" {
			t.Errorf("the collèges' market is bought by the département from a company created by SIRET: %+v", col)
		}
		var kind, territory string
		if err := d.QueryRowContext(w.ctx, `SELECT kind, territory FROM organisations WHERE siret = $1`, impNew).Scan(&kind, &territory); err != nil ||
			kind != string(orgs.KindEmployer) || territory != "62" {
			t.Errorf("the new company: %s %s %v", kind, territory, err)
		}

		t.Run("the same file again changes nothing", func(t *testing.T) {
			before := impCounts(t, d)
			rep, err := w.impMarkets(f, impFile(impMarketsHeader, impMarketRows...), clauses.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Operations != (clauses.ImportCount{Unchanged: 2}) || rep.Markets != (clauses.ImportCount{Unchanged: 2}) ||
				rep.Awards != (clauses.ImportCount{Unchanged: 3}) || rep.Companies != (clauses.ImportCount{Unchanged: 3}) {
				t.Errorf("report %+v", rep)
			}
			after := impCounts(t, d)
			after["audit_log"]--
			if fmt.Sprint(before) != fmt.Sprint(after) {
				t.Errorf("rows written: %v → %v (only the import's own trace is expected)", before, after)
			}
		})
		t.Run("a changed title and share update the market and the award, keeping the company's position", func(t *testing.T) {
			rows := slices.Clone(impMarketRows[:2])
			for i := range rows {
				rows[i] = strings.Replace(rows[i], "Génie civil", "Génie civil et voirie", 1)
			}
			rows[0] = strings.Replace(rows[0], ";800", ";850", 1)
			rows[0], rows[1] = rows[1], rows[0]
			rep, err := w.impMarkets(f, impFile(impMarketsHeader, rows...), clauses.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Markets != (clauses.ImportCount{Updated: 1}) || rep.Awards != (clauses.ImportCount{Updated: 1, Unchanged: 1}) {
				t.Errorf("report %+v", rep)
			}
			t9 := impMarketByRef(t, w, "T9-LOT1")
			if t9.Title != "Génie civil et voirie" || t9.Awards[0].CompanySIRET != impBatir || t9.Awards[0].Role != "holder" || t9.Awards[0].Share != 85000 {
				t.Errorf("market %+v", t9)
			}
		})
		t.Run("a dry run writes nothing", func(t *testing.T) {
			before := impCounts(t, d)
			rows := []string{"Réhabilitation;REHA-1;Logements;Office HLM;reserve;300;2025-02-01;2025-12-31;" + impSIRET(2) + ";300"}
			rep, err := w.impMarkets(f, impFile(impMarketsHeader, rows...), clauses.ImportOptions{DryRun: true})
			if err != nil || !rep.DryRun || rep.Markets.Created != 1 || rep.Buyers.Created != 1 || rep.Companies.Created != 1 || rep.Operations.Created != 1 {
				t.Errorf("dry run: %+v %v", rep, err)
			}
			if after := impCounts(t, d); fmt.Sprint(before) != fmt.Sprint(after) {
				t.Errorf("a dry run wrote: %v → %v", before, after)
			}
		})
	})
}

// impBad is a bad line a report must list.
type impBad struct {
	line     int
	column   string
	contains string
}

// impRefused checks that an import was refused whole, listing exactly the bad lines.
func impRefused(t *testing.T, rep clauses.ImportReport, err error, want []impBad) {
	t.Helper()
	if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), "rien n'a été importé") {
		t.Errorf("the file is not refused: %v", err)
	}
	if len(rep.Errors) != len(want) {
		t.Fatalf("errors %+v, want %+v", rep.Errors, want)
	}
	lines := map[int]bool{}
	for i, w := range want {
		got := rep.Errors[i]
		lines[w.line] = true
		if got.Line != w.line || got.Column != w.column || !strings.Contains(got.Message, w.contains) {
			t.Errorf("error %d: %+v, want line %d column %q containing %q", i, got, w.line, w.column, w.contains)
		}
	}
	if rep.Rejected != len(lines) || rep.Lines != (clauses.LineCount{}) || rep.Markets != (clauses.ImportCount{}) {
		t.Errorf("a refused file counts its bad lines and nothing written: %+v", rep)
	}
}

func TestImportHoursRefusesAFileWithABadRowWhole(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := impWorld(t, d)
		good := impHoursRows[0]
		with := func(col int, v string) string {
			cells := strings.Split(good, ";")
			cells[col] = v
			return strings.Join(cells, ";")
		}
		cases := []struct {
			name string
			rows []string
			want []impBad
		}{
			{"an unknown market", []string{good, with(0, "T9-LOT9")}, []impBad{{3, "reference_marche", "marché inconnu « T9-LOT9 »"}}},
			{"an unknown company", []string{good, with(1, impSIRET(3))}, []impBad{{3, "siret", "entreprise inconnue"}}},
			{"a SIRET with a typo", []string{with(1, "73282932000075")}, []impBad{{2, "siret", "SIRET incorrect"}}},
			{"a company the market was not awarded to", []string{with(1, impNew)}, []impBad{{2, "siret", "n'est pas attributaire du marché « T9-LOT1 »"}}},
			{"a month written 03-2025", []string{with(9, "03-2025")}, []impBad{{2, "mois", "AAAA-MM"}}},
			{"a thirteenth month", []string{with(9, "2025-13")}, []impBad{{2, "mois", "AAAA-MM"}}},
			{"a day instead of a month", []string{with(9, "2025-03-15")}, []impBad{{2, "mois", "AAAA-MM"}}},
			{"a month before the market started", []string{with(9, "2024-12")}, []impBad{{2, "mois", "précède le début du marché"}}},
			{"hours that are not a number", []string{with(10, "beaucoup")}, []impBad{{2, "heures", "nombre d'heures attendu"}}},
			{"hours with a unit", []string{with(10, "35h")}, []impBad{{2, "heures", "nombre d'heures attendu"}}},
			{"no hours", []string{with(10, "")}, []impBad{{2, "heures", "obligatoires"}}},
			{"negative hours", []string{with(10, "-4")}, []impBad{{2, "heures", "négatives"}}},
			{"more hours than a month holds", []string{with(10, "301")}, []impBad{{2, "heures", "300 heures"}}},
			{"an unknown public", []string{with(8, "CHOMEUR")}, []impBad{{2, "public", "public inconnu « CHOMEUR »"}}},
			{"an unknown contract and mode", []string{with(11, "CDX"), with(12, "AUTRE")},
				[]impBad{{2, "type_contrat", "type de contrat inconnu"}, {3, "mode", "modalité inconnue"}}},
			{"the same key twice", []string{good, impHoursRows[1], strings.Replace(good, "151,67", "150", 1)},
				[]impBad{{2, "", "lignes 2 et 4"}, {4, "", "lignes 2 et 4"}}},
			{"a participant without identifier nor birth date", []string{with(2, ""), strings.Replace(with(2, ""), "1990-04-12", "", 1)},
				[]impBad{{3, "participant", "sans identifiant"}}},
			{"a new participant without public", []string{with(8, "")}, []impBad{{2, "public", "obligatoire pour un nouveau participant"}}},
			{"a public AUTRE without the facilitator's reason", []string{with(8, "autre")}, []impBad{{2, "motif_public", "avis motivé"}}},
			{"a sex that is neither F nor M", []string{with(6, "X")}, []impBad{{2, "sexe", "F ou M"}}},
			{"an impossible birth date", []string{with(5, "31/02/1990")}, []impBad{{2, "date_naissance", "date de naissance attendue"}}},
			{"an unknown commune", []string{with(7, "Gotham")}, []impBad{{2, "commune", "commune inconnue « Gotham »"}}},
			{"an unknown INSEE code", []string{with(7, "62999")}, []impBad{{2, "commune", "inconnu « 62999 »"}}},
			{"a postal code serving two communes", []string{with(7, "62000")}, []impBad{{2, "commune", "dessert 2 communes"}}},
			{"a new participant described otherwise on a later line", []string{good, strings.Replace(impHoursRows[1], "BRSA", "RQTH", 1)},
				[]impBad{{3, "public", "décrit autrement ligne 2"}}},
			{"every bad line is listed", []string{good, with(0, "T9-LOT9"), impHoursRows[2], with(10, "-1"), with(8, "CHOMEUR")},
				[]impBad{{3, "reference_marche", "marché inconnu"}, {5, "heures", "négatives"}, {6, "public", "public inconnu"}}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := impCounts(t, d)
				rep, err := w.impHours(w.as("facilitator"), impFile(impHoursHeader, tc.rows...), clauses.ImportOptions{})
				impRefused(t, rep, err, tc.want)
				if after := impCounts(t, d); fmt.Sprint(before) != fmt.Sprint(after) {
					t.Errorf("a refused file wrote: %v → %v", before, after)
				}
			})
		}
	})
}

func TestImportMarketsRefusesAFileWithABadRowWhole(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		good := impMarketRows[0]
		with := func(row string, col int, v string) string {
			cells := strings.Split(row, ";")
			cells[col] = v
			return strings.Join(cells, ";")
		}
		cases := []struct {
			name string
			rows []string
			want []impBad
		}{
			{"an unknown clause type", []string{with(good, 4, "sociale")}, []impBad{{2, "type_clause", "type de clause inconnu « sociale »"}}},
			{"a date that does not exist", []string{with(good, 6, "30/02/2025")}, []impBad{{2, "date_debut", "AAAA-MM-JJ"}}},
			{"an end before the start", []string{with(good, 7, "2024-12-31")}, []impBad{{2, "date_fin", "précède son début"}}},
			{"a SIRET with a typo", []string{with(good, 8, "12345678901234")}, []impBad{{2, "siret_attributaire", "SIRET incorrect"}}},
			{"negative hours owed", []string{with(good, 5, "-5")}, []impBad{{2, "heures_requises", "négatives"}}},
			{"hours owed that are not a number", []string{with(good, 5, "mille")}, []impBad{{2, "heures_requises", "nombre d'heures attendu"}}},
			{"a share without a company", []string{with(good, 8, "")}, []impBad{{2, "siret_attributaire", "indiquez le SIRET"}}},
			{"no reference", []string{with(good, 1, "")}, []impBad{{2, "reference", "obligatoire"}}},
			{"names made of punctuation", []string{with(with(good, 0, "—"), 3, "?")},
				[]impBad{{2, "operation", "lettres ou des chiffres"}, {2, "donneur_ordre", "lettres ou des chiffres"}}},
			{"rows of one market that disagree", []string{good, with(impMarketRows[1], 2, "Voirie")},
				[]impBad{{3, "intitule", "décrit autrement ligne 2"}}},
			{"a company twice on a market", []string{good, impMarketRows[2], with(good, 9, "10")},
				[]impBad{{2, "siret_attributaire", "lignes 2 et 4"}, {4, "siret_attributaire", "lignes 2 et 4"}}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := impCounts(t, d)
				rep, err := w.impMarkets(w.as("facilitator"), impFile(impMarketsHeader, tc.rows...), clauses.ImportOptions{})
				impRefused(t, rep, err, tc.want)
				if after := impCounts(t, d); fmt.Sprint(before) != fmt.Sprint(after) {
					t.Errorf("a refused file wrote: %v → %v", before, after)
				}
			})
		}
	})
}

func TestImportsCheckTheHeaderAndWhoImports(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := impWorld(t, d)
		t.Run("a missing column is named with the expected header", func(t *testing.T) {
			_, err := w.impHours(w.as("facilitator"), impFile(strings.Replace(impHoursHeader, ";mois", "", 1), "x"), clauses.ImportOptions{})
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), "absentes de l'en-tête : mois") ||
				!strings.Contains(errs.MessageOf(err), impHoursHeader) {
				t.Errorf("got %v", err)
			}
		})
		t.Run("participants need an identifier or names and birth date", func(t *testing.T) {
			h := strings.Replace(impHoursHeader, "participant;nom;prenom;date_naissance;", "nom;prenom;", 1)
			if _, err := w.impHours(w.as("facilitator"), impFile(h, "x"), clauses.ImportOptions{}); !errs.Is(err, errs.Invalid) ||
				!strings.Contains(errs.MessageOf(err), "date_naissance") {
				t.Errorf("got %v", err)
			}
		})
		t.Run("a column twice", func(t *testing.T) {
			_, err := w.impMarkets(w.as("facilitator"), impFile(impMarketsHeader+";Référence", "x"), clauses.ImportOptions{})
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), "deux fois") {
				t.Errorf("got %v", err)
			}
		})
		for _, who := range []string{"buyer", "company", "manager", "referent"} {
			t.Run(who+" may not import markets", func(t *testing.T) {
				if _, err := w.impMarkets(w.as(who), impFile(impMarketsHeader, impMarketRows...), clauses.ImportOptions{}); !errs.Is(err, errs.Forbidden) {
					t.Errorf("got %v", err)
				}
			})
		}
		for _, who := range []string{"buyer", "manager", "referent"} {
			t.Run(who+" may not import hours", func(t *testing.T) {
				if _, err := w.impHours(w.as(who), impFile(impHoursHeader, impHoursRows...), clauses.ImportOptions{}); !errs.Is(err, errs.Forbidden) {
					t.Errorf("got %v", err)
				}
			})
		}
		t.Run("another facilitator of the territory may not change the PLIE's markets", func(t *testing.T) {
			other := access.Actor{UserID: db.NewID(), OrgID: w.orgs["Mission locale"].ID, OrgKind: "mission_locale", Territory: "62",
				Roles: []access.Role{access.RoleFacilitator}}
			rep, err := w.impMarkets(other, impFile(impMarketsHeader, impMarketRows[0]), clauses.ImportOptions{})
			impRefused(t, rep, err, []impBad{{2, "operation", "suivie par une autre structure"}, {2, "reference", "suivi par une autre structure"}})
		})
		t.Run("a company declares its own hours only", func(t *testing.T) {
			rep, err := w.impHours(w.as("company"), impFile(impHoursHeader, impHoursRows[0], impHoursRows[2]), clauses.ImportOptions{})
			impRefused(t, rep, err, []impBad{{3, "siret", "vous ne pouvez pas déclarer"}})
			rep, err = w.impHours(w.as("company"), impFile(impHoursHeader, impHoursRows[:2]...), clauses.ImportOptions{})
			if err != nil || rep.Lines.Created != 2 {
				t.Errorf("the company's own lines: %+v %v", rep, err)
			}
		})
		t.Run("a company of another département finds its market by reference", func(t *testing.T) {
			away := w.as("rail company")
			away.Territory = "59"
			rep, err := w.impHours(away, impFile(impHoursHeader, impHoursRows[2]), clauses.ImportOptions{})
			if err != nil || rep.Lines.Created != 1 {
				t.Errorf("got %+v %v", rep, err)
			}
		})
	})
}

func TestImportHoursRecordsParticipantsAndReplacesTheirLines(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := impWorld(t, d)
		f := w.as("facilitator")
		rep, err := w.impHours(f, impFile(impHoursHeader, impHoursRows...), clauses.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Participants != (clauses.ImportCount{Created: 2}) || rep.Lines != (clauses.LineCount{Created: 4}) || rep.Rows != 4 || rep.Rejected != 0 {
			t.Fatalf("report %+v", rep)
		}
		page, err := w.svc.ListDeclarations(w.ctx, f, clauses.HoursFilter{})
		if err != nil || page.Total != 4 || page.Hours != 34717 {
			t.Fatalf("declared: %d lines, %v h, %v", page.Total, page.Hours, err)
		}
		people, _, err := w.svc.ListParticipants(w.ctx, f, clauses.ParticipantFilter{})
		if err != nil || len(people) != 2 {
			t.Fatalf("participants %+v %v", people, err)
		}
		got := map[string]string{}
		for _, p := range people {
			got[p.LastName] = fmt.Sprintf("%s %s %s %s %s", p.ExternalID, p.Public, p.Sex, p.CommuneCode, p.BirthDate.Format("2006-01-02"))
		}
		if got["Martin"] != "P-001 BRSA F 62041 1990-04-12" || got["Dupont"] != " JEUNE_26 M 62041 2001-05-12" {
			t.Errorf("participants as the file describes them (Arras found by its name): %v", got)
		}

		t.Run("the same file again adds nothing", func(t *testing.T) {
			before := impCounts(t, d)
			rep, err := w.impHours(f, impFile(impHoursHeader, impHoursRows...), clauses.ImportOptions{})
			if err != nil || rep.Participants != (clauses.ImportCount{Unchanged: 2}) || rep.Lines != (clauses.LineCount{Unchanged: 4}) {
				t.Fatalf("report %+v %v", rep, err)
			}
			after := impCounts(t, d)
			after["audit_log"]--
			if fmt.Sprint(before) != fmt.Sprint(after) {
				t.Errorf("rows written: %v → %v", before, after)
			}
		})
		t.Run("a corrected line replaces its key and keeps its history", func(t *testing.T) {
			rows := slices.Clone(impHoursRows)
			rows[0] = strings.Replace(rows[0], "151,67", "150", 1)
			rep, err := w.impHours(f, impFile(impHoursHeader, rows...), clauses.ImportOptions{})
			if err != nil || rep.Lines != (clauses.LineCount{Replaced: 1, Unchanged: 3}) {
				t.Fatalf("report %+v %v", rep, err)
			}
			page, err := w.svc.ListDeclarations(w.ctx, f, clauses.HoursFilter{From: "2025-03", To: "2025-03", Public: "BRSA"})
			if err != nil || page.Total != 1 || page.Lines[0].Hours != 15000 || page.Lines[0].Source != "import" {
				t.Fatalf("the line: %+v %v", page, err)
			}
			_, history, err := w.svc.GetDeclaration(w.ctx, f, page.Lines[0].ID)
			if err != nil || len(history) != 2 || history[0].Before != nil || history[1].Before == nil || *history[1].Before != 15167 ||
				history[1].After != 15000 || history[1].Source != "import" {
				t.Errorf("history %+v %v", history, err)
			}
		})
		t.Run("an identifier naming a participant recorded under another name", func(t *testing.T) {
			row := strings.Replace(impHoursRows[0], "Martin;Julie", "Durand;Léa", 1)
			rep, err := w.impHours(f, impFile(impHoursHeader, row), clauses.ImportOptions{})
			impRefused(t, rep, err, []impBad{{2, "participant", "enregistré sous un autre nom"}})
			if strings.Contains(rep.Errors[0].Message, "Martin") {
				t.Errorf("the message tells the recorded name: %s", rep.Errors[0].Message)
			}
		})
		t.Run("a known participant needs only the identifier", func(t *testing.T) {
			row := "T9-LOT1;" + impBatir + ";P-001;;;;;;;2025-05;70;CDDI;MISE_A_DISPOSITION"
			rep, err := w.impHours(f, impFile(impHoursHeader, row), clauses.ImportOptions{})
			if err != nil || rep.Participants != (clauses.ImportCount{Unchanged: 1}) || rep.Lines.Created != 1 {
				t.Errorf("report %+v %v", rep, err)
			}
		})
	})
}

func TestImportAcceptValidKeepsTheGoodRowsAndWritesTheRejected(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := impWorld(t, d)
		rows := []string{impHoursRows[0], strings.Replace(impHoursRows[1], ";140;", ";=1+1;", 1), impHoursRows[2], strings.Replace(impHoursRows[3], "COL-2025", "COL-2099", 1)}
		var rejected bytes.Buffer
		before := impCounts(t, d)
		rep, err := w.impHours(w.as("facilitator"), impFile(impHoursHeader, rows...), clauses.ImportOptions{AcceptValid: true, DryRun: true, Rejected: &rejected})
		if err != nil || rep.Lines.Created != 2 || rep.Rejected != 2 || rejected.Len() != 0 {
			t.Fatalf("dry run: %+v %v %q", rep, err, rejected.String())
		}
		if after := impCounts(t, d); fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("a dry run wrote: %v → %v", before, after)
		}
		rep, err = w.impHours(w.as("facilitator"), impFile(impHoursHeader, rows...), clauses.ImportOptions{AcceptValid: true, Rejected: &rejected})
		if err != nil || rep.Lines.Created != 2 || rep.Participants.Created != 2 || rep.Rejected != 2 || len(rep.Errors) != 2 ||
			rep.Errors[0].Line != 3 || rep.Errors[1].Line != 5 {
			t.Fatalf("report %+v %v", rep, err)
		}
		want := impHoursHeader + ";erreur\n" +
			"T9-LOT1;" + impBatir + ";P-001;Martin;Julie;1990-04-12;F;62041;BRSA;2025-04;'=1+1;CDDI;MISE_A_DISPOSITION;ligne 3 : heures : nombre d'heures attendu (par exemple 151,67 ou 151.67), lu « =1+1 ».\n" +
			"COL-2099;" + impNew + ";;Dupont;Karim;12/05/2001;M;;JEUNE_26;2025-03;20;CDDI;EMBAUCHE_DIRECTE;ligne 5 : reference_marche : marché inconnu « COL-2099 ».\n"
		if got := strings.ReplaceAll(rejected.String(), "\r\n", "\n"); got != want {
			t.Errorf("rejected rows\n got %s\nwant %s", got, want)
		}
		page, err := w.svc.ListDeclarations(w.ctx, w.as("facilitator"), clauses.HoursFilter{})
		if err != nil || page.Total != 2 {
			t.Errorf("lines written: %d %v", page.Total, err)
		}
		t.Run("markets too", func(t *testing.T) {
			rows := []string{strings.Replace(impMarketRows[2], "COL-2025", "COL-2026", 1), strings.Replace(impMarketRows[2], "COL-2025;", "COL-2027;", 1) + "x"}
			rep, err := w.impMarkets(w.as("facilitator"), impFile(impMarketsHeader, rows...), clauses.ImportOptions{AcceptValid: true})
			if err != nil || rep.Markets.Created != 1 || rep.Rejected != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Column != "heures_attributaire" {
				t.Errorf("report %+v %v", rep, err)
			}
		})
	})
}

func TestImportsOnAFreshDatabaseCreateBuyersCompaniesAndParticipants(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := clauses.NewService(d, nil, clauses.Settings{})
		a := access.System("test")
		a.Territory = "62"
		a1, a2, a3 := impSIRET(11), impSIRET(12), impSIRET(13)
		markets := impFile(impMarketsHeader,
			"Tramway;T9-1;Voirie;Syndicat mixte;execution;1000;2025-01-01;2025-12-31;"+a1+";600",
			"Tramway;T9-1;Voirie;Syndicat mixte;execution;1000;2025-01-01;2025-12-31;"+a2+";400",
			"Château d'Hardelot;CH-1;Restauration;Ville de Condette;reserve;300;2025-01-01;2025-12-31;"+a3+";300")
		rep, err := svc.ImportMarkets(ctx, a, impTable(t, "m.csv", markets), clauses.ImportOptions{})
		if err != nil || rep.Buyers.Created != 2 || rep.Companies.Created != 3 || rep.Operations.Created != 2 || rep.Markets.Created != 2 {
			t.Fatalf("markets: %+v %v", rep, err)
		}
		hours := impFile(impHoursHeader,
			"T9-1;"+a1+";;Martin;Julie;1990-04-12;F;62041;BRSA;2025-03;151,67;CDDI;MISE_A_DISPOSITION",
			"CH-1;"+a3+";;Martin;Julie;1990-04-12;F;62041;BRSA;2025-03;10;CDD;EMBAUCHE_DIRECTE",
			"T9-1;"+a2+";Q7;Petit;Hugo;2003-01-02;M;62498;JEUNE_26;2025-03;70;APPRENTISSAGE;EMBAUCHE_DIRECTE")
		rep, err = svc.ImportHours(ctx, a, impTable(t, "h.csv", hours), clauses.ImportOptions{})
		if err != nil || rep.Participants.Created != 2 || rep.Lines.Created != 3 {
			t.Fatalf("hours: %+v %v", rep, err)
		}
		var buyers, companies int
		if err := d.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM organisations WHERE kind = 'public_buyer' AND territory = '62'),
			(SELECT COUNT(*) FROM organisations WHERE kind = 'employer' AND territory = '62' AND name LIKE 'Entreprise %')`).Scan(&buyers, &companies); err != nil {
			t.Fatal(err)
		}
		if buyers != 2 || companies != 3 {
			t.Errorf("buyers %d, companies %d", buyers, companies)
		}
	})
}

// impVariants are the same hours as French spreadsheets save them.
func impVariants(t testing.TB) map[string][]byte {
	t.Helper()
	semicolon := []byte("\ufeff" + impHoursHeader + "\r\n" + strings.Join(impHoursRows, "\r\n") + "\r\n")
	var comma strings.Builder
	comma.WriteString(strings.ReplaceAll(impHoursHeader, ";", ",") + "\n")
	for _, r := range impHoursRows {
		cells := strings.Split(r, ";")
		for i, c := range cells {
			if strings.Contains(c, ",") {
				cells[i] = `"` + c + `"`
			}
		}
		comma.WriteString(strings.Join(cells, ",") + "\n")
	}
	accents := []byte("RÉFÉRENCE_MARCHÉ;Siret;Participant;Nom;Prénom;Date_Naissance;Sexe;Commune;Public;Mois;Heures;Type_Contrat;Mode;Remarque\n" +
		strings.Join(impHoursRows, ";à revoir\n") + ";\n")
	wb := xlsx.New()
	sh := wb.Sheet("Heures")
	header := strings.Split(impHoursHeader, ";")
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = xlsx.Bold(h)
	}
	sh.Row(cells...)
	for _, r := range impHoursRows {
		vals := strings.Split(r, ";")
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = v
		}
		h, _ := clauses.ParseHours(vals[10])
		row[10] = h.Float()
		sh.Row(row...)
	}
	var book bytes.Buffer
	if _, err := wb.WriteTo(&book); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"heures.csv": semicolon, "heures-virgules.csv": []byte(comma.String()), "heures-accents.csv": accents, "heures.xlsx": book.Bytes()}
}

func TestImportHoursReadsWhatFrenchSpreadsheetsSave(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := impWorld(t, d)
		for name, data := range impVariants(t) {
			t.Run(name, func(t *testing.T) {
				rep, err := w.svc.ImportHours(w.ctx, w.as("facilitator"), impTable(t, name, data), clauses.ImportOptions{DryRun: true})
				if err != nil || rep.Rows != 4 || rep.Participants != (clauses.ImportCount{Created: 2}) || rep.Lines != (clauses.LineCount{Created: 4}) {
					t.Errorf("report %+v %v", rep, err)
				}
			})
		}
		t.Run("the workbook imported", func(t *testing.T) {
			data := impVariants(t)["heures.xlsx"]
			if _, err := w.svc.ImportHours(w.ctx, w.as("facilitator"), impTable(t, "heures.xlsx", data), clauses.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			page, err := w.svc.ListDeclarations(w.ctx, w.as("facilitator"), clauses.HoursFilter{})
			if err != nil || page.Total != 4 || page.Hours != 34717 {
				t.Errorf("declared %d lines, %v h, %v", page.Total, page.Hours, err)
			}
		})
		t.Run("a month typed in a spreadsheet cell", func(t *testing.T) {
			row := strings.Replace(impHoursRows[0], "2025-03", "2025-06-01", 1)
			rep, err := w.impHours(w.as("facilitator"), impFile(impHoursHeader, row), clauses.ImportOptions{DryRun: true})
			if err != nil || rep.Lines.Created != 1 {
				t.Errorf("report %+v %v", rep, err)
			}
		})
		t.Run("a commune by its only postal code", func(t *testing.T) {
			row := strings.Replace(strings.Replace(impHoursRows[0], "62041", "62210", 1), "P-001", "P-002", 1)
			if _, err := w.impHours(w.as("facilitator"), impFile(impHoursHeader, row), clauses.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			people, _, err := w.svc.ListParticipants(w.ctx, w.as("facilitator"), clauses.ParticipantFilter{})
			found := false
			for _, p := range people {
				found = found || p.ExternalID == "P-002" && p.CommuneCode == "62065"
			}
			if err != nil || !found {
				t.Errorf("62210 is Avion's postal code: %+v %v", people, err)
			}
		})
	})
}

func TestImportMarketsReadsWhatFrenchSpreadsheetsSave(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		wb := xlsx.New()
		sh := wb.Sheet("Marchés")
		header := strings.Split(impMarketsHeader, ";")
		cells := make([]any, len(header))
		for i, h := range header {
			cells[i] = h
		}
		sh.Row(cells...)
		for _, r := range impMarketRows {
			vals := strings.Split(r, ";")
			row := make([]any, len(vals))
			for i, v := range vals {
				row[i] = v
			}
			row[5], row[9] = 1200.0, 400.5
			sh.Row(row...)
		}
		var book bytes.Buffer
		if _, err := wb.WriteTo(&book); err != nil {
			t.Fatal(err)
		}
		crlf := []byte("\ufeff" + strings.ReplaceAll(string(impFile(impMarketsHeader, impMarketRows...)), "\n", "\r\n"))
		for name, data := range map[string][]byte{"marches.xlsx": book.Bytes(), "marches.csv": crlf} {
			rep, err := w.svc.ImportMarkets(w.ctx, w.as("facilitator"), impTable(t, name, data), clauses.ImportOptions{DryRun: true})
			if err != nil || rep.Markets.Created != 2 || rep.Awards.Created != 3 {
				t.Errorf("%s: %+v %v", name, rep, err)
			}
		}
	})
}
