package clauses_test

import (
	"testing"

	"tremplin/internal/clauses"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

func TestHoursParseAsFrenchSpreadsheetsWriteThem(t *testing.T) {
	cases := []struct {
		in   string
		want clauses.Hours
		ok   bool
	}{
		{"151,67", 15167, true}, {"151.5", 15150, true}, {"12", 1200, true}, {" 1 234,5 ", 123450, true},
		{"0", 0, true}, {"-3", -300, true}, {",5", 50, true},
		{"", 0, false}, {"-", 0, false}, {"-,", 0, false}, {"abc", 0, false}, {"1,234,5", 0, false}, {"1.234", 0, false}, {"1e3", 0, false}, {"+4", 0, false},
	}
	for _, tc := range cases {
		got, err := clauses.ParseHours(tc.in)
		if (err == nil) != tc.ok || tc.ok && got != tc.want {
			t.Errorf("ParseHours(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if s := clauses.Hours(36200000).String(); s != "362\u202f000" {
		t.Errorf("362,000 h written %q", s)
	}
}

func TestMarketsAreOpenedByFacilitatorsAndComputeTheirHours(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		op := w.operation("Tramway ligne T9", false)
		t.Run("a buyer may not open an operation", func(t *testing.T) {
			_, err := w.svc.CreateOperation(w.ctx, w.as("buyer"), clauses.OperationInput{Name: "X"})
			if !errs.Is(err, errs.Forbidden) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("the same name twice is a conflict", func(t *testing.T) {
			_, err := w.svc.CreateOperation(w.ctx, w.as("facilitator"), clauses.OperationInput{Name: "tramway  LIGNE t9"})
			if !errs.Is(err, errs.Conflict) {
				t.Fatalf("got %v", err)
			}
		})
		cases := []struct {
			name  string
			in    clauses.MarketInput
			field string
			hours clauses.Hours
		}{
			{"fixed hours", clauses.MarketInput{Reference: "T9-01", HoursRule: "fixed", RequiredHours: 500000}, "", 500000},
			{"share of the labour hours", clauses.MarketInput{Reference: "T9-02", HoursRule: "labour_share", RuleBase: 200000, RuleRate: 7}, "", 1400000},
			{"hours per 1,000 € invoiced", clauses.MarketInput{Reference: "T9-03", HoursRule: "per_euro", RuleBase: 2_500_000, RuleRate: 2}, "", 500000},
			{"a rule without rate", clauses.MarketInput{Reference: "T9-04", HoursRule: "labour_share", RuleBase: 1000}, "rule_rate", 0},
			{"an unknown clause type", clauses.MarketInput{Reference: "T9-05", ClauseType: "social"}, "clause_type", 0},
			{"an end before the start", clauses.MarketInput{Reference: "T9-06", EndDate: "2025-01-01"}, "end_date", 0},
			{"a reference already used", clauses.MarketInput{Reference: "T9-01"}, "reference", 0},
			{"a buyer that is not a public buyer", clauses.MarketInput{Reference: "T9-07", BuyerOrgID: w.orgs["Bâtir SA"].ID}, "buyer_org_id", 0},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				in.OperationID, in.Title = op.ID, "Lot"
				if in.BuyerOrgID == "" {
					in.BuyerOrgID = w.orgs["Syndicat des transports"].ID
				}
				if in.StartDate == "" {
					in.StartDate = "2026-01-01"
				}
				if in.EndDate == "" {
					in.EndDate = "2026-12-31"
				}
				if in.ClauseType == "" {
					in.ClauseType = "execution"
				}
				m, err := w.svc.CreateMarket(w.ctx, w.as("facilitator"), in)
				if tc.field != "" {
					if errs.FieldsOf(err)[tc.field] == "" {
						t.Fatalf("want an error on %s, got %v", tc.field, err)
					}
					return
				}
				if err != nil || m.Required != tc.hours || m.FacilitatorOrgID != w.orgs["PLIE de l'Artois"].ID {
					t.Fatalf("market %+v, %v; want %v hours", m, err, tc.hours)
				}
			})
		}
	})
}

func TestDeclaredHoursReplaceTheirKeyAndKeepTheirHistory(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m := w.market(w.operation("Tramway", false), "T9-01", 1000, "2026-01-01", "2026-12-31")
		w.award(m, "Bâtir SA", 600, "")
		w.award(m, "Voies ferrées SAS", 400, "Intérim Insertion")
		alice := person("Alice", "Durand", "BRSA", "1990-05-02")
		first := w.declare("company", m, "Bâtir SA", alice, "2026-03", 120, "CDD", "EMBAUCHE_DIRECTE")
		again := w.declare("company", m, "Bâtir SA", alice, "2026-03", 151.67, "CDD", "EMBAUCHE_DIRECTE")
		if again.ID != first.ID || again.Hours != 15167 {
			t.Fatalf("the same key made a new line: %+v then %+v", first, again)
		}
		_, history, err := w.svc.GetDeclaration(w.ctx, w.as("facilitator"), first.ID)
		if err != nil || len(history) != 2 || history[1].Before == nil || *history[1].Before != 12000 || history[1].After != 15167 {
			t.Fatalf("history %+v, %v", history, err)
		}
		page, err := w.svc.ListDeclarations(w.ctx, w.as("facilitator"), clauses.HoursFilter{MarketID: m.ID})
		if err != nil || page.Total != 1 || page.Hours != 15167 {
			t.Fatalf("lines %+v, %v", page, err)
		}
		// Another contract in the same month is another line; the same person is found again.
		other := w.declare("company", m, "Bâtir SA", alice, "2026-03", 10, "FORMATION", "FORMATION")
		if other.ID == first.ID || other.ParticipantID != first.ParticipantID {
			t.Fatalf("contract lines %+v %+v", first, other)
		}

		t.Run("access", func(t *testing.T) {
			cases := []struct {
				name, user, company string
				want                errs.Code
			}{
				{"a company may not declare for another", "company", "Voies ferrées SAS", errs.Forbidden},
				{"the ETTI declares the people it placed for its client", "etti", "Voies ferrées SAS", ""},
				{"the ETTI may not declare for a company it does not work with", "etti", "Bâtir SA", errs.Forbidden},
				{"a buyer may not declare", "buyer", "Bâtir SA", errs.Forbidden},
				{"the département's manager reads but may not declare", "manager", "Bâtir SA", errs.Forbidden},
				{"a facilitator of another territory does not see the market", "foreign facilitator", "Bâtir SA", errs.NotFound},
				{"a référent does not see the market", "referent", "Bâtir SA", errs.NotFound},
				{"a company not awarded is refused", "facilitator", "Intérim Insertion", errs.Invalid},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					_, err := w.svc.Declare(w.ctx, w.as(tc.user), clauses.DeclarationInput{MarketID: m.ID, CompanyOrgID: w.orgs[tc.company].ID,
						Participant: person("Bruno", "Petit", "DELD", "1985-01-01"), Month: "2026-04", Hours: 3500, ContractType: "INTERIM",
						Mode: "MISE_A_DISPOSITION"}, "ui")
					if errs.CodeOf(err) != tc.want {
						t.Fatalf("got %v, want %q", err, tc.want)
					}
				})
			}
			if _, _, err := w.svc.GetDeclaration(w.ctx, w.as("rail company"), first.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("another company read a line: %v", err)
			}
			if _, _, err := w.svc.GetDeclaration(w.ctx, w.as("buyer"), first.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("a buyer read a named line: %v", err)
			}
			page, err := w.svc.ListDeclarations(w.ctx, w.as("buyer"), clauses.HoursFilter{})
			if err != nil || page.Total != 3 || page.Lines[0].ParticipantName != "" || page.Lines[0].ParticipantID != "" {
				t.Errorf("the buyer's lines must come without names: %+v, %v", page, err)
			}
			page, err = w.svc.ListDeclarations(w.ctx, w.as("other buyer"), clauses.HoursFilter{})
			if err != nil || page.Total != 0 {
				t.Errorf("another buyer sees %d lines, %v", page.Total, err)
			}
			page, err = w.svc.ListDeclarations(w.ctx, w.as("rail company"), clauses.HoursFilter{})
			if err != nil || page.Total != 1 {
				t.Errorf("the rail company sees %d lines (its own placed person only), %v", page.Total, err)
			}
		})

		t.Run("bad lines name their field", func(t *testing.T) {
			cases := []struct {
				name  string
				in    clauses.DeclarationInput
				field string
			}{
				{"a month that is not YYYY-MM", clauses.DeclarationInput{Month: "03/2026x"}, "month"},
				{"a month before the market", clauses.DeclarationInput{Month: "2025-12"}, "month"},
				{"negative hours", clauses.DeclarationInput{Hours: -100}, "hours"},
				{"more than 300 hours in a month", clauses.DeclarationInput{Hours: 30100}, "hours"},
				{"an unknown contract", clauses.DeclarationInput{ContractType: "STAGE"}, "contract_type"},
				{"an unknown mode", clauses.DeclarationInput{Mode: "AUTRE"}, "mode"},
				{"an unknown public", clauses.DeclarationInput{Participant: person("Chloé", "Roux", "RSA", "")}, "public"},
				{"another public without its reason", clauses.DeclarationInput{Participant: person("Chloé", "Roux", "AUTRE", "")}, "public_reason"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					in := tc.in
					in.MarketID, in.CompanyOrgID = m.ID, w.orgs["Bâtir SA"].ID
					if in.Month == "" {
						in.Month = "2026-05"
					}
					if in.Hours == 0 {
						in.Hours = 1000
					}
					if in.ContractType == "" {
						in.ContractType = "CDI"
					}
					if in.Mode == "" {
						in.Mode = "EMBAUCHE_DIRECTE"
					}
					if in.Participant == nil {
						in.Participant = alice
					}
					_, err := w.svc.Declare(w.ctx, w.as("company"), in, "ui")
					if errs.FieldsOf(err)[tc.field] == "" {
						t.Fatalf("want an error on %s, got %v", tc.field, err)
					}
				})
			}
		})
	})
}

func TestAnIdentifierDoesNotOpenSomeoneElsesRecord(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m := w.market(w.operation("Tramway", false), "T9-01", 1000, "2026-01-01", "2026-12-31")
		w.award(m, "Bâtir SA", 600, "")
		w.award(m, "Voies ferrées SAS", 400, "Intérim Insertion")
		known := &clauses.ParticipantInput{ExternalID: "PLIE-0042", FirstName: "Alice", LastName: "Durand", Public: "BRSA"}
		first := w.declare("facilitator", m, "Bâtir SA", known, "2026-02", 35, "CDD", "EMBAUCHE_DIRECTE")
		cases := []struct {
			name, user, company string
			p                   *clauses.ParticipantInput
			via                 string
			field               string
		}{
			{"the same identifier and names find the participant", "company", "Bâtir SA",
				&clauses.ParticipantInput{ExternalID: "PLIE-0042", FirstName: "alice", LastName: "DURAND", Public: "BRSA"}, "", ""},
			{"the identifier with other names is refused", "rail company", "Voies ferrées SAS",
				&clauses.ParticipantInput{ExternalID: "PLIE-0042", FirstName: "Marc", LastName: "Leroy", Public: "DELD"}, "", "external_id"},
			{"an SIAE may not name itself the placing structure of another company", "etti", "Bâtir SA",
				person("Marc", "Leroy", "DELD", ""), "Intérim Insertion", "via_org_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := clauses.DeclarationInput{MarketID: m.ID, CompanyOrgID: w.orgs[tc.company].ID, Participant: tc.p, Month: "2026-03",
					Hours: 1000, ContractType: "CDD", Mode: "EMBAUCHE_DIRECTE"}
				if tc.via != "" {
					in.ViaOrgID = w.orgs[tc.via].ID
				}
				got, err := w.svc.Declare(w.ctx, w.as(tc.user), in, "ui")
				if tc.field != "" {
					if errs.FieldsOf(err)[tc.field] == "" && !errs.Is(err, errs.NotFound) {
						t.Fatalf("want an error on %s, got %v", tc.field, err)
					}
					return
				}
				if err != nil || got.ParticipantID != first.ParticipantID {
					t.Fatalf("got %+v, %v", got, err)
				}
			})
		}
	})
}

func TestLinesAndParticipantsStayWithWhoseTheyAre(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m := w.market(w.operation("Tramway", false), "T9-01", 1000, "2026-01-01", "2026-06-30")
		w.award(m, "Bâtir SA", 600, "Intérim Insertion")
		w.award(m, "Voies ferrées SAS", 400, "")
		hired := w.declare("company", m, "Bâtir SA", person("Alice", "Durand", "BRSA", "1990-05-02"), "2026-03", 120, "CDI", "EMBAUCHE_DIRECTE")
		placed := w.declare("company", m, "Bâtir SA", person("Bruno", "Petit", "DELD", "1985-01-01"), "2026-03", 80, "INTERIM", "MISE_A_DISPOSITION")
		recorded, err := w.svc.CreateParticipant(w.ctx, w.as("facilitator"), clauses.ParticipantInput{FirstName: "Chloé", LastName: "Roux", Public: "RQTH", BirthDate: "1970-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("a person the company hired itself is not shown to its partner", func(t *testing.T) {
			if hired.ViaOrgID != "" || placed.ViaOrgID != w.orgs["Intérim Insertion"].ID {
				t.Fatalf("via: hired %q, placed %q", hired.ViaOrgID, placed.ViaOrgID)
			}
			page, err := w.svc.ListDeclarations(w.ctx, w.as("etti"), clauses.HoursFilter{})
			if err != nil || page.Total != 1 || page.Lines[0].ID != placed.ID {
				t.Fatalf("the ETTI sees %+v, %v", page, err)
			}
			if _, _, err := w.svc.GetDeclaration(w.ctx, w.as("etti"), hired.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("the ETTI read the direct hire: %v", err)
			}
		})
		t.Run("only the facilitator and the author correct a participant", func(t *testing.T) {
			in := clauses.ParticipantInput{FirstName: "Chloé", LastName: "Roux", Public: "RQTH", BirthDate: "1970-01-01", Sex: "F"}
			w.declare("rail company", m, "Voies ferrées SAS", &clauses.ParticipantInput{FirstName: "Chloé", LastName: "Roux", Public: "RQTH", BirthDate: "1970-01-01"},
				"2026-04", 35, "CDD", "EMBAUCHE_DIRECTE")
			if _, err := w.svc.UpdateParticipant(w.ctx, w.as("rail company"), recorded.ID, in); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("a company rewrote the facilitator's record: %v", err)
			}
			if _, err := w.svc.UpdateParticipant(w.ctx, w.as("company"), hired.ParticipantID, clauses.ParticipantInput{FirstName: "Alice", LastName: "Durand", Public: "BRSA", BirthDate: "1990-05-02", Sex: "F"}); err != nil {
				t.Fatalf("the author corrects its record: %v", err)
			}
		})
		t.Run("names alone never reach another structure's participant", func(t *testing.T) {
			a := w.declare("company", m, "Bâtir SA", &clauses.ParticipantInput{FirstName: "Jean", LastName: "Dupont", Public: "BRSA"}, "2026-03", 10, "CDD", "EMBAUCHE_DIRECTE")
			again := w.declare("company", m, "Bâtir SA", &clauses.ParticipantInput{FirstName: "Jean", LastName: "Dupont", Public: "BRSA"}, "2026-04", 10, "CDD", "EMBAUCHE_DIRECTE")
			b := w.declare("rail company", m, "Voies ferrées SAS", &clauses.ParticipantInput{FirstName: "Jean", LastName: "Dupont", Public: "RQTH"}, "2026-03", 10, "CDD", "EMBAUCHE_DIRECTE")
			if again.ParticipantID != a.ParticipantID || b.ParticipantID == a.ParticipantID {
				t.Fatalf("Jean Dupont: %s, %s then %s", a.ParticipantID, again.ParticipantID, b.ParticipantID)
			}
			_, err := w.svc.Declare(w.ctx, w.as("rail company"), clauses.DeclarationInput{MarketID: m.ID, CompanyOrgID: w.orgs["Voies ferrées SAS"].ID,
				Participant: &clauses.ParticipantInput{ExternalID: "X", FirstName: "Bruno", LastName: "Petit", Public: "DELD", BirthDate: "1985-01-01"},
				Month:       "2026-04", Hours: 100, ContractType: "CDD", Mode: "EMBAUCHE_DIRECTE"}, "ui")
			if err != nil {
				t.Fatalf("the full identity finds the person: %v", err)
			}
		})
		t.Run("months outside the market or to come are refused", func(t *testing.T) {
			for _, month := range []string{"2026-07", "2026-08"} {
				_, err := w.svc.Declare(w.ctx, w.as("company"), clauses.DeclarationInput{MarketID: m.ID, CompanyOrgID: w.orgs["Bâtir SA"].ID,
					Participant: person("Alice", "Durand", "BRSA", "1990-05-02"), Month: month, Hours: 100, ContractType: "CDI", Mode: "EMBAUCHE_DIRECTE"}, "ui")
				if errs.FieldsOf(err)["month"] == "" {
					t.Errorf("%s: %v", month, err)
				}
			}
			w.today = date("2026-02-10")
			defer func() { w.today = date("2026-07-01") }()
			_, err := w.svc.Declare(w.ctx, w.as("company"), clauses.DeclarationInput{MarketID: m.ID, CompanyOrgID: w.orgs["Bâtir SA"].ID,
				Participant: person("Alice", "Durand", "BRSA", "1990-05-02"), Month: "2026-03", Hours: 100, ContractType: "CDI", Mode: "EMBAUCHE_DIRECTE"}, "ui")
			if errs.FieldsOf(err)["month"] == "" {
				t.Errorf("a month to come: %v", err)
			}
		})
		t.Run("hours owed are bounded and awards go to companies", func(t *testing.T) {
			op := w.operation("Grands travaux", false)
			for _, tc := range []struct {
				hours clauses.Hours
				ok    bool
			}{{clauses.MaxMarketHours, true}, {clauses.MaxMarketHours + 1, false}} {
				_, err := w.svc.CreateMarket(w.ctx, w.as("facilitator"), clauses.MarketInput{OperationID: op.ID, BuyerOrgID: w.orgs["Syndicat des transports"].ID,
					Reference: "GT-" + tc.hours.String(), Title: "Lot", StartDate: "2026-01-01", EndDate: "2026-12-31", ClauseType: "execution", RequiredHours: tc.hours})
				if (err == nil) != tc.ok || !tc.ok && errs.FieldsOf(err)["required_hours"] == "" {
					t.Errorf("%v hours: %v", tc.hours, err)
				}
			}
			_, err := w.svc.SetAward(w.ctx, w.as("facilitator"), m.ID, clauses.AwardInput{CompanyOrgID: w.orgs["Mission locale"].ID, ShareHours: 100})
			if errs.FieldsOf(err)["company_org_id"] == "" {
				t.Errorf("a mission locale awarded a market: %v", err)
			}
		})
	})
}

func TestPooledCompaniesAreJudgedOnTheirOwnLots(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		op := w.operation("Rénovation urbaine", true)
		early := w.market(op, "RU-1", 1000, "2025-01-01", "2026-12-31")
		late := w.market(op, "RU-2", 500, "2026-06-01", "2027-05-31")
		w.award(early, "Bâtir SA", 1000, "")
		w.award(late, "Voies ferrées SAS", 500, "")
		w.declare("company", early, "Bâtir SA", person("Alice", "Durand", "BRSA", "1990-05-02"), "2026-05", 151, "CDI", "EMBAUCHE_DIRECTE")
		p, err := w.svc.OperationProgress(w.ctx, w.as("facilitator"), op.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Alerts {
			if a.CompanyName == "Voies ferrées SAS" {
				t.Errorf("a company whose lot started a month ago is flagged: %+v", a)
			}
		}
		if len(p.Alerts) != 1 || p.Alerts[0].Kind != "late" || p.Alerts[0].CompanyName != "Bâtir SA" {
			t.Errorf("alerts %+v", p.Alerts)
		}
	})
}
