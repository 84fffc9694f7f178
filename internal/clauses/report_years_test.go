package clauses_test

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"tremplin/internal/clauses"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/migrations"
	"tremplin/internal/platform/tabular"
)

func TestOnlyAWholeTerritorysCalendarYearReadsTheYearlyTotals(t *testing.T) {
	territory := access.ClauseScope{Territory: "62", Names: true}
	year := clauses.ReportFilter{From: date("2025-01-01"), To: date("2025-12-31")}
	cases := []struct {
		name  string
		scope access.ClauseScope
		f     clauses.ReportFilter
		want  bool
	}{
		{"the département's year", territory, year, true},
		{"a year ending a day early", territory, clauses.ReportFilter{From: date("2025-01-01"), To: date("2025-12-30")}, false},
		{"a year starting in February", territory, clauses.ReportFilter{From: date("2025-02-01"), To: date("2026-01-31")}, false},
		{"two years", territory, clauses.ReportFilter{From: date("2024-01-01"), To: date("2025-12-31")}, false},
		{"one operation", territory, clauses.ReportFilter{From: year.From, To: year.To, OperationID: "op"}, false},
		{"one market", territory, clauses.ReportFilter{From: year.From, To: year.To, MarketID: "m"}, false},
		{"a facilitator", access.ClauseScope{FacilitatorOrgID: "plie", Names: true}, year, false},
		{"a buyer", access.ClauseScope{BuyerOrgID: "buyer"}, year, false},
		{"a company", access.ClauseScope{CompanyOrgID: "company", Names: true}, year, false},
		{"every territory", access.ClauseScope{All: true, Names: true}, year, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := clauses.TerritoryYear(tc.scope, tc.f); got != tc.want {
				t.Errorf("read from the yearly totals: %v, want %v", got, tc.want)
			}
		})
	}
}

// TestTheYearlyTotalsAnswerWhatTheLinesAnswer writes lines every way the
// application does (declarations, corrections, a change of mode, an import,
// an update of the participant) and checks that the département's annual
// reports read from the yearly totals equal the same reports computed from
// the lines, and that rebuilding the totals from scratch changes nothing.
func TestTheYearlyTotalsAnswerWhatTheLinesAnswer(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w, _, lot1, lot2 := reportWorld(t, d)
		alice := person("Alice", "Durand", "BRSA", "1990-05-02")
		// A correction of the hours and a change of mode on existing keys.
		first := w.declare("company", lot1, "Bâtir SA", alice, "2026-01", 120, "CDD", "EMBAUCHE_DIRECTE")
		w.declare("company", lot2, "Bâtir SA", alice, "2026-02", 50.5, "CDD", "COTRAITANCE")
		// The same contract worked in two modes over two months counts once.
		bruno := &clauses.ParticipantInput{FirstName: "Bruno", LastName: "Petit", Public: "JEUNE_26", BirthDate: "2004-03-01", Sex: "M", QPV: true}
		w.declare("company", lot1, "Bâtir SA", bruno, "2026-03", 35, "CDI", "COTRAITANCE")
		// A person placed by the ETTI, and a person without birth date nor sex.
		w.declare("rail company", lot1, "Voies ferrées SAS", person("Dina", "Leroy", "DELD", "1968-12-31"), "2026-04", 60, "INTERIM", "MISE_A_DISPOSITION")
		w.declare("facilitator", lot1, "Bâtir SA", &clauses.ParticipantInput{FirstName: "Éli", LastName: "Sans", Public: "AUTRE",
			PublicReason: "Sortant de détention"}, "2026-05", 12, "CDD", "EMBAUCHE_DIRECTE")
		// Training paid by the company is not a hire.
		w.declare("company", lot1, "Bâtir SA", person("Fanny", "Caron", "SIAE", "1985-06-15"), "2026-06", 30, "FORMATION", "EMBAUCHE_DIRECTE")
		// An import adds a person and replaces a line.
		rep, err := w.impHours(w.as("facilitator"), impFile(impHoursHeader,
			"T-01;"+impBatir+";;Martin;Julie;2000-12-31;F;62041;RQTH;2026-06;151,67;APPRENTISSAGE;EMBAUCHE_DIRECTE",
			"G-01;"+impBatir+";;Martin;Julie;2000-12-31;F;62041;RQTH;2025-12;10;APPRENTISSAGE;EMBAUCHE_DIRECTE",
			"T-01;"+impBatir+";;Durand;Alice;1990-05-02;F;;BRSA;2026-02;99;CDD;EMBAUCHE_DIRECTE",
		), clauses.ImportOptions{})
		if err != nil {
			t.Fatalf("import: %v (%+v)", err, rep)
		}
		// The participant's facts change after their lines are written.
		p, err := w.svc.GetParticipant(w.ctx, w.as("facilitator"), first.ParticipantID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.UpdateParticipant(w.ctx, w.as("facilitator"), p.ID, clauses.ParticipantInput{FirstName: p.FirstName,
			LastName: p.LastName, BirthDate: "2001-01-01", Sex: "M", QPV: true, Public: "DELD"}); err != nil {
			t.Fatalf("update participant: %v", err)
		}

		manager := w.as("manager")
		for _, year := range []string{"2025", "2026"} {
			f := clauses.ReportFilter{From: date(year + "-01-01"), To: date(year + "-12-31")}
			fromTotals, err := w.svc.Report(w.ctx, manager, f)
			if err != nil {
				t.Fatal(err)
			}
			fromLines, err := w.svc.ReportFromLines(w.ctx, manager, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromTotals, fromLines) {
				t.Errorf("%s: the yearly totals give\n%+v\nthe lines give\n%+v", year, fromTotals, fromLines)
			}
		}

		// Alice (lot 1 corrected then replaced by the import, lot 2 in another mode), Bruno (one CDI in two
		// modes), Chloé (training), Dina, Éli, Fanny (training) and Julie; Julie turns 26 on the last day, Dina is 58.
		want := map[string]any{"participants": 7, "contracts": 8, "hires": 4,
			"hours":         clauses.HoursOf(120 + 99 + 50.5 + 140 + 35 + 20 + 60 + 12 + 30 + 151.67),
			"contracts CDI": 1, "contracts CDD": 3, "participants DELD": 2, "age moins_26": 2, "age 26_44": 2, "age 55_plus": 2,
			"age inconnu": 1, "sex inconnu": 1, "qpv": 2}
		r, err := w.svc.Report(w.ctx, manager, clauses.ReportFilter{From: date("2026-01-01"), To: date("2026-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]any{"participants": r.Participants, "contracts": r.Contracts, "hires": r.Hires, "hours": r.Hours,
			"contracts CDI": r.ContractsByType["CDI"], "contracts CDD": r.ContractsByType["CDD"], "participants DELD": r.ParticipantsByPublic["DELD"],
			"age moins_26": r.ParticipantsByAge["moins_26"], "age 26_44": r.ParticipantsByAge["26_44"], "age 55_plus": r.ParticipantsByAge["55_plus"],
			"age inconnu": r.ParticipantsByAge["inconnu"],
			"sex inconnu": r.ParticipantsBySex["inconnu"], "qpv": r.ParticipantsQPV}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("2026 figures %v, want %v", got, want)
		}

		before := yearTotals(t, d)
		if err := clauses.RebuildYearTotals(w.ctx, d); err != nil {
			t.Fatal(err)
		}
		if after := yearTotals(t, d); after != before {
			t.Errorf("the totals kept with the lines\n%s\ndiffer from the totals rebuilt from them\n%s", before, after)
		}

		// The migration fills the totals of the lines written before it the same way.
		if err := refillAsTheMigration(t, d); err != nil {
			t.Fatal(err)
		}
		if migrated := yearTotals(t, d); migrated != before {
			t.Errorf("the totals kept with the lines\n%s\ndiffer from the totals the migration computes\n%s", before, migrated)
		}

		// The annual report does read the totals: altering them shows.
		if _, err := d.ExecContext(w.ctx, `UPDATE clause_year_people SET centihours = centihours + 1 WHERE year = '2026'`); err != nil {
			t.Fatal(err)
		}
		if again, err := w.svc.Report(w.ctx, manager, clauses.ReportFilter{From: date("2026-01-01"), To: date("2026-12-31")}); err != nil ||
			again.Hours != r.Hours+clauses.Hours(r.Participants) {
			t.Errorf("after altering the totals the report gives %v hours (%v), want %v", again.Hours, err, r.Hours+clauses.Hours(r.Participants))
		}
	})
}

// yearTotals lists the rows of both yearly-total tables in key order.
func yearTotals(t *testing.T, d *db.DB) string {
	t.Helper()
	var out strings.Builder
	for _, q := range []string{
		`SELECT territory, year, participant_id, public, sex, birth_date, qpv, centihours, contracts, hires
			FROM clause_year_people ORDER BY territory, year, participant_id`,
		`SELECT territory, year, contract_type, mode, participant_id, centihours, contracts
			FROM clause_year_contracts ORDER BY territory, year, contract_type, mode, participant_id`,
	} {
		rows, err := d.QueryContext(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&out, vals)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.String()
}

// refillAsTheMigration empties the yearly totals and runs the statements by
// which migration 00015 fills them from the existing lines.
func refillAsTheMigration(t *testing.T, d *db.DB) error {
	t.Helper()
	all, err := migrations.List(d.Dialect())
	if err != nil {
		return err
	}
	i := slices.IndexFunc(all, func(m migrations.Migration) bool { return m.Version == 15 })
	_, fill, ok := strings.Cut(all[i].SQL, "-- The lines written before this migration.")
	if !ok {
		return fmt.Errorf("migration 15 has no filling statements")
	}
	stmts := []string{"DELETE FROM clause_year_people", "DELETE FROM clause_year_contracts"}
	for _, stmt := range strings.Split(fill, ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			stmts = append(stmts, stmt)
		}
	}
	for _, stmt := range stmts {
		if _, err := d.ExecContext(t.Context(), stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// TestConcurrentWritesKeepTheYearlyTotals imports months of the same person
// at the same moment: every import succeeds and the totals equal the lines.
// SQLite has one writer; on PostgreSQL the imports run side by side.
func TestConcurrentWritesKeepTheYearlyTotals(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w, _, _, _ := reportWorld(t, d)
		var files []*tabular.Table
		for month := 1; month <= 6; month++ {
			files = append(files, impTable(t, "heures.csv", impFile(impHoursHeader,
				fmt.Sprintf("T-01;%s;;Durand;Alice;1990-05-02;F;;BRSA;2026-%02d;10;CDD;EMBAUCHE_DIRECTE", impBatir, month))))
		}
		errs := make(chan error, len(files))
		for _, file := range files {
			go func() {
				_, err := w.svc.ImportHours(w.ctx, w.as("facilitator"), file, clauses.ImportOptions{})
				errs <- err
			}()
		}
		for range files {
			if err := <-errs; err != nil {
				t.Errorf("import: %v", err)
			}
		}
		before := yearTotals(t, d)
		if err := clauses.RebuildYearTotals(w.ctx, d); err != nil {
			t.Fatal(err)
		}
		if after := yearTotals(t, d); after != before {
			t.Errorf("the totals kept by concurrent imports\n%s\ndiffer from the totals of their lines\n%s", before, after)
		}
	})
}
