package clauses_test

import (
	"testing"

	"tremplin/internal/clauses"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

// reportWorld holds two markets of one operation and a market of another
// buyer: Alice works on both tram lots, Bruno is hired on the first, Chloé is
// trained in 2025, and one company never starts.
func reportWorld(t *testing.T, d *db.DB) (*world, clauses.Operation, clauses.Market, clauses.Market) {
	w := newWorld(t, d)
	tram := w.operation("Tramway", false)
	lot1 := w.market(tram, "T-01", 1607, "2026-01-01", "2026-12-31")
	lot2 := w.market(tram, "T-02", 800, "2026-01-01", "2026-06-30")
	w.award(lot1, "Bâtir SA", 1000, "")
	w.award(lot1, "Voies ferrées SAS", 607, "Intérim Insertion")
	w.award(lot2, "Bâtir SA", 800, "")
	old := w.market(w.operation("Gymnase", false), "G-01", 300, "2025-01-01", "2025-12-31")
	w.award(old, "Bâtir SA", 300, "")

	alice := person("Alice", "Durand", "BRSA", "1990-05-02")
	bruno := &clauses.ParticipantInput{FirstName: "Bruno", LastName: "Petit", Public: "JEUNE_26", BirthDate: "2004-03-01", Sex: "M", QPV: true}
	chloe := person("Chloé", "Roux", "RQTH", "1970-01-01")
	w.declare("company", lot1, "Bâtir SA", alice, "2026-01", 100, "CDD", "EMBAUCHE_DIRECTE")
	w.declare("company", lot1, "Bâtir SA", alice, "2026-02", 100, "CDD", "EMBAUCHE_DIRECTE")
	w.declare("company", lot2, "Bâtir SA", alice, "2026-02", 50.5, "CDD", "EMBAUCHE_DIRECTE")
	w.declare("company", lot1, "Bâtir SA", bruno, "2026-02", 140, "CDI", "EMBAUCHE_DIRECTE")
	w.declare("company", old, "Bâtir SA", chloe, "2025-11", 70, "FORMATION", "FORMATION")
	w.declare("company", lot1, "Bâtir SA", chloe, "2026-03", 20, "FORMATION", "FORMATION")
	return w, tram, lot1, lot2
}

func TestTheClauseReportCountsThePeriodForEachReader(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w, tram, _, _ := reportWorld(t, d)
		cases := []struct {
			name, user, from, to, operation string
			hours                           clauses.Hours
			participants, markets           int
			concerned, started, hires       int
			required                        clauses.Hours
			byPublic                        map[string]int
		}{
			{"the département's year 2026", "manager", "2026-01-01", "2026-12-31", "", 41050, 3, 2, 2, 1, 2,
				240700, map[string]int{"BRSA": 1, "JEUNE_26": 1, "RQTH": 1, "DELD": 0}},
			{"January only", "manager", "2026-01-01", "2026-01-31", "", 10000, 1, 2, 2, 1, 1, 240700, map[string]int{"BRSA": 1, "JEUNE_26": 0}},
			{"2025: the gymnasium, started by then", "manager", "2025-01-01", "2025-12-31", "", 7000, 1, 1, 1, 1, 0, 30000, map[string]int{"RQTH": 1}},
			{"the facilitator's tramway over all years", "facilitator", "2020-01-01", "2030-12-31", tram.ID, 41050, 3, 2, 2, 1, 2,
				240700, map[string]int{"BRSA": 1}},
			{"the buyer sees its own markets", "buyer", "2026-01-01", "2026-12-31", "", 41050, 3, 2, 2, 1, 2, 240700, nil},
			{"another buyer sees nothing", "other buyer", "2026-01-01", "2026-12-31", "", 0, 0, 0, 0, 0, 0, 0, map[string]int{"BRSA": 0}},
			{"the rail company has no hours of its own", "rail company", "2026-01-01", "2026-12-31", "", 0, 0, 1, 2, 1, 0, 160700, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r, err := w.svc.Report(w.ctx, w.as(tc.user), clauses.ReportFilter{From: date(tc.from), To: date(tc.to), OperationID: tc.operation})
				if err != nil {
					t.Fatal(err)
				}
				if r.Hours != tc.hours || r.Participants != tc.participants || r.Markets != tc.markets || r.CompaniesConcerned != tc.concerned ||
					r.CompaniesStarted != tc.started || r.Hires != tc.hires || r.RequiredHours != tc.required || r.ETPDivisor != 1607 {
					t.Fatalf("report %+v", r)
				}
				for pub, n := range tc.byPublic {
					if r.ParticipantsByPublic[pub] != n {
						t.Errorf("%s: %d participants, want %d", pub, r.ParticipantsByPublic[pub], n)
					}
				}
				if len(r.ParticipantsByPublic) != len(clauses.Publics) {
					t.Errorf("every public is answered, even at zero: %v", r.ParticipantsByPublic)
				}
			})
		}
		r, _ := w.svc.Report(w.ctx, w.as("manager"), clauses.ReportFilter{From: date("2026-01-01"), To: date("2026-12-31")})
		if r.HoursByPublic["BRSA"] != 25050 || r.ParticipantsBySex["M"] != 1 || r.ParticipantsQPV != 1 || r.ParticipantsByAge["moins_26"] != 1 ||
			r.Contracts != 4 || r.ContractsByType["FORMATION"] != 1 || r.ContractsByPublic["BRSA"] != 2 || r.ContractsByPublic["RQTH"] != 1 {
			t.Errorf("breakdowns %+v", r)
		}
		if want := 410.5 / 1607; r.ETP < want-1e-9 || r.ETP > want+1e-9 {
			t.Errorf("ETP %v, want %v", r.ETP, want)
		}
		t.Run("refusals", func(t *testing.T) {
			if _, err := w.svc.Report(w.ctx, w.as("referent"), clauses.ReportFilter{From: date("2026-01-01"), To: date("2026-12-31")}); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a référent got a report: %v", err)
			}
			if _, err := w.svc.Report(w.ctx, w.as("other buyer"), clauses.ReportFilter{From: date("2026-01-01"), To: date("2026-12-31"), OperationID: tram.ID}); !errs.Is(err, errs.NotFound) {
				t.Errorf("another buyer got the tramway: %v", err)
			}
			if _, err := w.svc.Report(w.ctx, w.as("manager"), clauses.ReportFilter{From: date("2026-12-31"), To: date("2026-01-01")}); errs.FieldsOf(err)["to"] == "" {
				t.Errorf("a reversed period: %v", err)
			}
		})
	})
}

func TestProgressFlagsLateAndSilentCompanies(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w, tram, lot1, _ := reportWorld(t, d)
		w.today = date("2026-07-01") // half of lot 1, all of lot 2
		p, err := w.svc.OperationProgress(w.ctx, w.as("facilitator"), tram.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Required != 240700 || p.Done != 41050 {
			t.Fatalf("operation %v of %v", p.Done, p.Required)
		}
		kinds := map[string]int{}
		for _, a := range p.Alerts {
			kinds[a.Kind+" "+a.Reference+" "+a.CompanyName]++
		}
		want := map[string]int{
			"silent T-01 Voies ferrées SAS": 1, // awarded 6 months ago, no hours
			"late T-01 Bâtir SA":            1, // 360 h done, about 500 h expected at half time
			"late T-02 Bâtir SA":            1, // 50.5 h of 800
			"market_late T-01 ":             1,
			"market_late T-02 ":             1,
		}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("alert %q: %d, want %d (all: %v)", k, kinds[k], n, kinds)
			}
		}
		if len(kinds) != len(want) {
			t.Errorf("alerts %v", kinds)
		}
		if _, err := w.svc.RecordOutcome(w.ctx, w.as("facilitator"), clauses.OutcomeInput{ParticipantID: p.Markets[0].Market.ID, OperationID: tram.ID,
			Stage: "end", Outcome: "cdi", ObservedOn: "2026-06-30"}); !errs.Is(err, errs.NotFound) {
			t.Errorf("an outcome for a market id: %v", err)
		}
		page, _ := w.svc.ListDeclarations(w.ctx, w.as("facilitator"), clauses.HoursFilter{MarketID: lot1.ID, ContractType: "CDI"})
		o, err := w.svc.RecordOutcome(w.ctx, w.as("facilitator"), clauses.OutcomeInput{ParticipantID: page.Lines[0].ParticipantID, OperationID: tram.ID,
			Stage: "end", Outcome: "cdi", ObservedOn: "2026-06-30"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.RecordOutcome(w.ctx, w.as("company"), clauses.OutcomeInput{ParticipantID: o.ParticipantID, OperationID: tram.ID,
			Stage: "six_months", Outcome: "cdi", ObservedOn: "2026-12-30"}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a company recorded an outcome: %v", err)
		}
		p, _ = w.svc.OperationProgress(w.ctx, w.as("buyer"), tram.ID)
		if p.Outcomes["end"]["cdi"] != 1 || p.Figures.Participants != 3 {
			t.Errorf("the buyer's progress %+v", p.Outcomes)
		}
		pooled := w.operation("Rénovation", true)
		m := w.market(pooled, "R-01", 100, "2026-01-01", "2026-12-31")
		w.award(m, "Bâtir SA", 100, "")
		if p, _ := w.svc.OperationProgress(w.ctx, w.as("facilitator"), pooled.ID); len(p.Alerts) != 1 || p.Alerts[0].Kind != "silent" || p.Alerts[0].MarketID != "" {
			t.Errorf("pooled alerts are judged on the operation: %+v", p.Alerts)
		}
	})
}

func TestProgressCountsPeopleOnceAndJudgesEachReaderOnWhatItOwes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w, tram, lot1, _ := reportWorld(t, d)
		// Voies ferrées owes 607 h on lot 1 and declared January's pro-rata; at the end of
		// February its February hours are not due yet.
		w.declare("rail company", lot1, "Voies ferrées SAS", person("Dina", "Leroy", "DELD", "1985-02-03"), "2026-01", 52, "CDD", "EMBAUCHE_DIRECTE")
		w.today = date("2026-02-28")
		p, err := w.svc.OperationProgress(w.ctx, w.as("facilitator"), tram.ID)
		if err != nil {
			t.Fatal(err)
		}
		people := map[string]int{}
		for _, c := range p.Companies {
			people[c.CompanyName] = c.Participants
			if c.CompanyName == "Voies ferrées SAS" && (c.Late || c.Silent) {
				t.Errorf("a company on its monthly pro-rata is flagged: %+v", c)
			}
		}
		// Alice works on both lots of Bâtir SA: Alice, Bruno and Chloé.
		if people["Bâtir SA"] != 3 || people["Voies ferrées SAS"] != 1 {
			t.Errorf("participants per company %v, want Bâtir SA 3 and Voies ferrées SAS 1", people)
		}

		// The rail company sees lot 1 measured against its own share, not the market's 1,607 h.
		mp, _, err := w.svc.MarketProgress(w.ctx, w.as("rail company"), lot1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if mp.Owed != clauses.HoursOf(607) || mp.Done != clauses.HoursOf(52) || mp.Late || mp.Percent < 8.5 || mp.Percent > 8.6 {
			t.Errorf("the rail company's lot 1: owed %v, done %v, %.2f %%, late %v; want 607 h, 52 h, 8.57 %%, not late",
				mp.Owed, mp.Done, mp.Percent, mp.Late)
		}
		op, err := w.svc.OperationProgress(w.ctx, w.as("rail company"), tram.ID)
		if err != nil {
			t.Fatal(err)
		}
		if op.Required != clauses.HoursOf(607) || op.Done != clauses.HoursOf(52) || len(op.Alerts) != 0 {
			t.Errorf("the rail company's operation: %v of %v, alerts %+v", op.Done, op.Required, op.Alerts)
		}
	})
}

func TestLinesWithoutNamesDoNotComeInTheOrderOfTheNames(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		lot := w.market(w.operation("Gymnase", false), "G-01", 300, "2026-01-01", "2026-12-31")
		w.award(lot, "Bâtir SA", 300, "")
		// Zeller (10 h) is declared first; Abel (20 h) comes first by name.
		w.declare("company", lot, "Bâtir SA", person("Zoé", "Zeller", "BRSA", "1990-01-01"), "2026-03", 10, "CDD", "EMBAUCHE_DIRECTE")
		w.declare("company", lot, "Bâtir SA", person("Adam", "Abel", "DELD", "1991-01-01"), "2026-03", 20, "CDD", "EMBAUCHE_DIRECTE")
		cases := []struct {
			reader string
			first  clauses.Hours
		}{
			{"facilitator", clauses.HoursOf(20)}, // names: Abel then Zeller
			{"buyer", clauses.HoursOf(10)},       // no names: the order of the lines
		}
		for _, tc := range cases {
			page, err := w.svc.ListDeclarations(w.ctx, w.as(tc.reader), clauses.HoursFilter{MarketID: lot.ID})
			if err != nil || len(page.Lines) != 2 {
				t.Fatalf("%s: %v lines (%v)", tc.reader, len(page.Lines), err)
			}
			if page.Lines[0].Hours != tc.first {
				t.Errorf("%s: the first line has %v h, want %v h", tc.reader, page.Lines[0].Hours, tc.first)
			}
		}
	})
}

func TestListsRefuseFiltersThatCannotMatch(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		may, jan := date("2026-05-01"), date("2026-01-01")
		cases := []struct {
			name, field string
			list        func() error
		}{
			{"markets of a reversed period", "to", func() error {
				_, err := w.svc.ListMarkets(w.ctx, w.as("facilitator"), clauses.MarketFilter{From: &may, To: &jan})
				return err
			}},
			{"lines of a reversed period", "to", func() error {
				_, err := w.svc.ListDeclarations(w.ctx, w.as("facilitator"), clauses.HoursFilter{From: "2026-05", To: "2026-01"})
				return err
			}},
			{"lines of an unknown mode", "mode", func() error {
				_, err := w.svc.ListDeclarations(w.ctx, w.as("facilitator"), clauses.HoursFilter{Mode: "FOO"})
				return err
			}},
			{"lines of an unknown contract type", "contract_type", func() error {
				_, err := w.svc.ListDeclarations(w.ctx, w.as("facilitator"), clauses.HoursFilter{ContractType: "CDX"})
				return err
			}},
		}
		for _, tc := range cases {
			if err := tc.list(); errs.FieldsOf(err)[tc.field] == "" {
				t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
			}
		}
	})
}
