package steps_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/pathway/steps"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

func TestStepsFollowTheRulesOfTheirKind(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		cases := []struct {
			name string
			in   steps.StepInput
			// field is the field named by the refusal; "" when the step is accepted.
			field string
		}{
			{"an unknown kind is refused", steps.StepInput{Kind: "visit", Title: "Visite", StartDate: "2025-03-01"}, "kind"},
			{"a step needs a title", steps.StepInput{Kind: "training", StartDate: "2025-03-01"}, "title"},
			{"a title of more than 200 characters is refused", steps.StepInput{Kind: "training", Title: strings.Repeat("a", 201), StartDate: "2025-03-01"}, "title"},
			{"a step needs a start date", steps.StepInput{Kind: "training", Title: "CAP cuisine"}, "start_date"},
			{"a start date must be a date", steps.StepInput{Kind: "training", Title: "CAP cuisine", StartDate: "31/02/2025"}, "start_date"},
			{"an end before the start is refused", steps.StepInput{Kind: "training", Title: "CAP cuisine", StartDate: "2025-03-01", EndDate: "2025-02-28"}, "end_date"},
			{"a training without end date is accepted", steps.StepInput{Kind: "training", Title: "CAP cuisine", StartDate: "2025-03-01"}, ""},
			{"French dates are accepted", steps.StepInput{Kind: "event", Title: "Forum emploi", StartDate: "14/03/2025"}, ""},
			{"a kind without subtype refuses one", steps.StepInput{Kind: "aid", Subtype: "cdi", Title: "Aide au permis", StartDate: "2025-03-01"}, "subtype"},

			{"an appointment needs its date and time", steps.StepInput{Kind: "appointment", Subtype: "physical", Title: "Suivi", StartDate: "2025-03-01"}, "scheduled_at"},
			{"an appointment needs its channel", steps.StepInput{Kind: "appointment", Title: "Suivi", ScheduledAt: "2025-03-01T10:00"}, "subtype"},
			{"an appointment has no end date", steps.StepInput{Kind: "appointment", Subtype: "phone", Title: "Suivi", ScheduledAt: "2025-03-01T10:00", EndDate: "2025-03-02"}, "end_date"},
			{"an appointment's start date is its day", steps.StepInput{Kind: "appointment", Subtype: "phone", Title: "Suivi", ScheduledAt: "2025-03-01T10:00", StartDate: "2025-03-02"}, "start_date"},
			{"an appointment by video", steps.StepInput{Kind: "appointment", Subtype: "video", Title: "Suivi", ScheduledAt: "2025-03-01T10:00"}, ""},
			{"only an appointment has a time", steps.StepInput{Kind: "training", Title: "CAP", StartDate: "2025-03-01", ScheduledAt: "2025-03-01T10:00"}, "scheduled_at"},

			{"an immersion needs an end date", steps.StepInput{Kind: "pmsmp", Subtype: "discover", Title: "Découverte", StartDate: "2025-01-01", SIRET: hostSIRET}, "end_date"},
			{"an immersion of 30 days is accepted", steps.StepInput{Kind: "pmsmp", Subtype: "discover", Title: "Découverte", StartDate: "2025-01-01", EndDate: "2025-01-30", SIRET: hostSIRET}, ""},
			{"an immersion of 31 days is refused", steps.StepInput{Kind: "pmsmp", Subtype: "discover", Title: "Découverte", StartDate: "2025-01-01", EndDate: "2025-01-31", SIRET: hostSIRET}, "end_date"},
			{"an immersion's object is one of three", steps.StepInput{Kind: "pmsmp", Subtype: "holiday", Title: "Découverte", StartDate: "2025-01-01", EndDate: "2025-01-10", SIRET: hostSIRET}, "subtype"},
			{"an immersion needs its object", steps.StepInput{Kind: "pmsmp", Title: "Découverte", StartDate: "2025-01-01", EndDate: "2025-01-10", SIRET: hostSIRET}, "subtype"},
			{"an immersion needs its host's SIRET", steps.StepInput{Kind: "pmsmp", Subtype: "confirm", Title: "Boulangerie", StartDate: "2025-01-01", EndDate: "2025-01-10"}, "siret"},
			{"an immersion's SIRET must be valid", steps.StepInput{Kind: "pmsmp", Subtype: "confirm", Title: "Boulangerie", StartDate: "2025-01-01", EndDate: "2025-01-10", SIRET: "12345678901234"}, "siret"},
			{"an immersion's SIRET may be in its detail", steps.StepInput{Kind: "pmsmp", Subtype: "recruit", Title: "Boulangerie", Detail: "Hôte : SIRET 732 829 320 00074", StartDate: "2025-01-01", EndDate: "2025-01-10"}, ""},
			{"an ETTI may not prescribe an immersion", steps.StepInput{Kind: "pmsmp", Subtype: "recruit", Title: "Boulangerie", SIRET: hostSIRET, StartDate: "2025-01-01", EndDate: "2025-01-10", OrganisationID: w.orgs["Intérim d'insertion"].ID}, "organisation_id"},
			{"an ETTI records its own CDDI", steps.StepInput{Kind: "iae", Subtype: "ETTI", Title: "Mission", StartDate: "2025-01-01", OrganisationID: w.orgs["Intérim d'insertion"].ID}, ""},
			{"an invalid number in the title is no SIRET", steps.StepInput{Kind: "pmsmp", Subtype: "recruit", Title: "Boulangerie 12345678901234", StartDate: "2025-01-01", EndDate: "2025-01-10"}, "siret"},

			{"a CDDI needs its structure kind", steps.StepInput{Kind: "iae", Title: "Chantier espaces verts", StartDate: "2025-01-01"}, "subtype"},
			{"a CDDI of 4 months is accepted", steps.StepInput{Kind: "iae", Subtype: "ACI", Title: "Chantier espaces verts", StartDate: "2025-01-01", EndDate: "2025-04-30"}, ""},
			{"a CDDI of less than 4 months is refused", steps.StepInput{Kind: "iae", Subtype: "ACI", Title: "Chantier espaces verts", StartDate: "2025-01-01", EndDate: "2025-04-29"}, "end_date"},
			{"a CDDI of 24 months is accepted", steps.StepInput{Kind: "iae", Subtype: "EI", Title: "Blanchisserie", StartDate: "2025-01-01", EndDate: "2026-12-31"}, ""},
			{"a CDDI of more than 24 months is refused", steps.StepInput{Kind: "iae", Subtype: "EI", Title: "Blanchisserie", StartDate: "2025-01-01", EndDate: "2027-01-01"}, "end_date"},
			{"an IAE structure kind is one of five", steps.StepInput{Kind: "iae", Subtype: "GEIQ", Title: "Chantier", StartDate: "2025-01-01"}, "subtype"},

			{"a job needs its contract", steps.StepInput{Kind: "job", Title: "Agent de propreté", StartDate: "2025-01-01"}, "subtype"},
			{"an interim job", steps.StepInput{Kind: "job", Subtype: "interim", Title: "Cariste", StartDate: "2025-01-01", EndDate: "2025-01-31"}, ""},
			{"an employer's SIRET must be valid", steps.StepInput{Kind: "job", Subtype: "cdi", Title: "Cariste", StartDate: "2025-01-01", SIRET: "123"}, "siret"},
			{"an aided contract is a PEC or a CIE", steps.StepInput{Kind: "aided_contract", Subtype: "cdi", Title: "Agent d'accueil", StartDate: "2025-01-01"}, "subtype"},
			{"a PEC", steps.StepInput{Kind: "aided_contract", Subtype: "pec", Title: "Agent d'accueil", StartDate: "2025-01-01"}, ""},
			{"an unknown organisation is refused", steps.StepInput{Kind: "event", Title: "Forum", StartDate: "2025-01-01", OrganisationID: db.NewID()}, "organisation_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				st, err := w.svc.CreateStep(w.ctx, w.as("referent"), w.person.ID, tc.in)
				if tc.field == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					org := w.orgs["Mission locale"].ID
					if tc.in.OrganisationID != "" {
						org = tc.in.OrganisationID
					}
					if st.OrgID != org || st.AuthorID != w.users["referent"].ID {
						t.Errorf("the step belongs to the structure named, else the actor's, and to its author: %+v", st)
					}
					return
				}
				if _, ok := errs.FieldsOf(err)[tc.field]; !ok || !errs.Is(err, errs.Invalid) {
					t.Fatalf("want a field error on %s, got %v (%v)", tc.field, err, errs.FieldsOf(err))
				}
			})
		}
	})
}

func TestStepFieldsAreStoredAsGiven(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		imm := w.step(steps.StepInput{Kind: "pmsmp", Subtype: "recruit", Title: "Boulangerie", Detail: "SIRET 732 829 320 00074",
			StartDate: "2025-01-06", EndDate: "2025-01-17", OrganisationID: w.orgs["Chantier d'insertion"].ID})
		if imm.SIRET != hostSIRET || imm.OrgName != "Chantier d'insertion" || imm.End == nil || imm.End.Format(time.DateOnly) != "2025-01-17" {
			t.Errorf("immersion: %+v", imm)
		}
		// 23:30 in Paris in winter is 22:30 UTC: the appointment stays on its Paris day.
		rdv := w.step(steps.StepInput{Kind: "appointment", Subtype: "physical", Title: "Suivi", ScheduledAt: "2025-01-06T23:30"})
		if rdv.ScheduledAt == nil || !rdv.ScheduledAt.Equal(time.Date(2025, 1, 6, 22, 30, 0, 0, time.UTC)) || rdv.Start.Format(time.DateOnly) != "2025-01-06" {
			t.Errorf("appointment: at %v on %v", rdv.ScheduledAt, rdv.Start)
		}
	})
}

func TestTheTimelineShowsEveryStructureLatestFirst(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.step(steps.StepInput{Kind: "training", Title: "Formation", StartDate: "2025-02-01"})
		if _, err := w.svc.CreateStep(w.ctx, w.as("siae"), w.person.ID, steps.StepInput{Kind: "iae", Subtype: "ACI", Title: "Chantier", StartDate: "2025-03-01"}); err != nil {
			t.Fatal(err)
		}
		w.step(steps.StepInput{Kind: "appointment", Subtype: "phone", Title: "Matin", ScheduledAt: "2025-02-01T09:00"})
		w.step(steps.StepInput{Kind: "appointment", Subtype: "phone", Title: "Après-midi", ScheduledAt: "2025-02-01T15:00"})
		list, total, err := w.svc.Timeline(w.ctx, w.as("manager"), w.person.ID, steps.TimelineFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var titles, structures []string
		for _, s := range list {
			titles, structures = append(titles, s.Title), append(structures, s.OrgName)
		}
		if want := []string{"Chantier", "Après-midi", "Matin", "Formation"}; total != 4 || !slices.Equal(titles, want) {
			t.Errorf("timeline %v (total %d), want %v", titles, total, want)
		}
		if structures[0] != "Chantier d'insertion" || structures[3] != "Mission locale" {
			t.Errorf("each step shows its structure: %v", structures)
		}
		page, total, err := w.svc.Timeline(w.ctx, w.as("referent"), w.person.ID, steps.TimelineFilter{Kind: "appointment", Limit: 1, Offset: 1})
		if err != nil || total != 2 || len(page) != 1 || page[0].Title != "Matin" {
			t.Errorf("filtered page: %v, total %d, %v", page, total, err)
		}
		if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'pathway.steps.read' AND person_id = $1`, w.person.ID); n != 2 {
			t.Errorf("each read of the timeline is traced: %d", n)
		}
	})
}

func TestAReturnToWorkSchedulesCheckinsAt1_3And6Months(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		cases := []struct {
			name string
			in   steps.StepInput
			due  []string
		}{
			{"a job on the 15th", steps.StepInput{Kind: "job", Subtype: "cdi", Title: "Agent de propreté", StartDate: "2025-01-15"},
				[]string{"2025-02-15", "2025-04-15", "2025-07-15"}},
			{"a job on the 31st of January ends its months on their last day", steps.StepInput{Kind: "job", Subtype: "cdd", Title: "Vendeur", StartDate: "2025-01-31"},
				[]string{"2025-02-28", "2025-04-30", "2025-07-31"}},
			{"in a leap year, February has 29 days", steps.StepInput{Kind: "job", Subtype: "interim", Title: "Cariste", StartDate: "2024-01-31"},
				[]string{"2024-02-29", "2024-04-30", "2024-07-31"}},
			{"over the new year", steps.StepInput{Kind: "job", Subtype: "apprenticeship", Title: "Apprenti", StartDate: "2024-08-31"},
				[]string{"2024-09-30", "2024-11-30", "2025-02-28"}},
			{"a CDDI", steps.StepInput{Kind: "iae", Subtype: "ETTI", Title: "Mission", StartDate: "2025-03-03"},
				[]string{"2025-04-03", "2025-06-03", "2025-09-03"}},
			{"an aided contract", steps.StepInput{Kind: "aided_contract", Subtype: "cie", Title: "Accueil", StartDate: "2025-05-10"},
				[]string{"2025-06-10", "2025-08-10", "2025-11-10"}},
			{"a training is no return to work", steps.StepInput{Kind: "training", Title: "CACES", StartDate: "2025-05-10"}, nil},
			{"an immersion is no return to work", steps.StepInput{Kind: "pmsmp", Subtype: "discover", Title: "Boulangerie", SIRET: hostSIRET, StartDate: "2025-05-10", EndDate: "2025-05-20"}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				st := w.step(tc.in)
				rows, err := d.QueryContext(w.ctx, `SELECT months, due_date FROM checkins WHERE step_id = $1 ORDER BY months`, st.ID)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var months []int
				var due []string
				for rows.Next() {
					var m int
					var d time.Time
					if err := rows.Scan(&m, &d); err != nil {
						t.Fatal(err)
					}
					months, due = append(months, m), append(due, d.Format(time.DateOnly))
				}
				if !slices.Equal(due, tc.due) || (tc.due != nil && !slices.Equal(months, []int{1, 3, 6})) {
					t.Errorf("check-ins at %v on %v, want %v", months, due, tc.due)
				}
			})
		}
	})
}

func TestCheckinsAreUniquePerStepAndMonths(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		st := w.step(steps.StepInput{Kind: "job", Subtype: "cdi", Title: "Cariste", StartDate: "2025-01-15"})
		_, err := d.ExecContext(w.ctx, `INSERT INTO checkins (id, person_id, step_id, months, due_date, created_at) VALUES ($1,$2,$3,1,'2025-02-15',$4)`,
			db.NewID(), w.person.ID, st.ID, db.Now())
		if !db.IsUniqueViolation(err) {
			t.Fatalf("a second 1-month check-in for the same step: %v", err)
		}
	})
}

func TestRecordingACheckin(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.step(steps.StepInput{Kind: "job", Subtype: "cdd", Title: "Vendeur", StartDate: day(-100)})
		list, err := w.svc.Checkins(w.ctx, w.as("referent"), w.person.ID)
		if err != nil || len(list) != 3 {
			t.Fatalf("check-ins: %v, %v", list, err)
		}
		first := list[0]
		if first.Months != 1 || first.State(steps.Today()) != steps.CheckinOverdue || list[2].State(steps.Today()) != steps.CheckinUpcoming {
			t.Fatalf("the 1-month check-in is overdue, the 6-month one to come: %+v", list)
		}
		yes, no := true, false
		cases := []struct {
			name  string
			in    steps.CheckinInput
			field string
		}{
			{"whether still in work is required", steps.CheckinInput{DoneOn: day(0)}, "in_work"},
			{"a departure needs its reason", steps.CheckinInput{InWork: &no, DoneOn: day(0)}, "reason"},
			{"a reason is one of the list", steps.CheckinInput{InWork: &no, Reason: "vacances", DoneOn: day(0)}, "reason"},
			{"the reason « autre » needs its words", steps.CheckinInput{InWork: &no, Reason: "autre", DoneOn: day(0)}, "reason_detail"},
			{"the date is required", steps.CheckinInput{InWork: &yes}, "done_on"},
			{"the date is not in the future", steps.CheckinInput{InWork: &yes, DoneOn: day(1)}, "done_on"},
			{"the date is not before the return to work", steps.CheckinInput{InWork: &yes, DoneOn: day(-101)}, "done_on"},
			{"a departure at the end of the contract", steps.CheckinInput{InWork: &no, Reason: "fin_de_contrat", ReasonDetail: "CDD non renouvelé", DoneOn: day(-1)}, ""},
			{"a correction: still in work, the reasons are dropped", steps.CheckinInput{InWork: &yes, Reason: "demission", DoneOn: day(0)}, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c, err := w.svc.RecordCheckin(w.ctx, w.as("siae"), first.ID, "", tc.in)
				if tc.field != "" {
					if _, ok := errs.FieldsOf(err)[tc.field]; !ok {
						t.Fatalf("want a field error on %s, got %v", tc.field, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if c.DoneOn == nil || c.DoneOn.Format(time.DateOnly) != tc.in.DoneOn || *c.InWork != *tc.in.InWork ||
					c.RecordedBy != w.users["siae"].ID || c.State(steps.Today()) != steps.CheckinDone {
					t.Errorf("recorded %+v", c)
				}
				if *tc.in.InWork && (c.Reason != "" || c.ReasonDetail != "") {
					t.Errorf("a person in work has no reason to leave: %q %q", c.Reason, c.ReasonDetail)
				}
				if !*tc.in.InWork && (c.Reason != tc.in.Reason || c.ReasonDetail != tc.in.ReasonDetail) {
					t.Errorf("reason %q %q", c.Reason, c.ReasonDetail)
				}
			})
		}
		var detail string
		if err := d.QueryRowContext(w.ctx, `SELECT detail FROM audit_log WHERE action = 'checkin.record' ORDER BY seq LIMIT 1`).Scan(&detail); err != nil || detail != "échéance: 1 mois" {
			t.Errorf("the trail names the check-in, never the answer: %q %v", detail, err)
		}
	})
}

func TestRecordingAnOutcome(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		past := w.step(steps.StepInput{Kind: "appointment", Subtype: "physical", Title: "Suivi", ScheduledAt: day(-2) + "T10:00"})
		future := w.step(steps.StepInput{Kind: "appointment", Subtype: "video", Title: "Bilan", ScheduledAt: day(3) + "T14:00"})
		immersion := w.step(steps.StepInput{Kind: "pmsmp", Subtype: "recruit", Title: "Boulangerie", SIRET: hostSIRET, StartDate: day(-20), EndDate: day(-6)})
		training := w.step(steps.StepInput{Kind: "training", Title: "CACES", StartDate: day(-5)})
		cases := []struct {
			name    string
			step    steps.Step
			outcome string
			field   string
		}{
			{"an appointment that took place was honoured", past, "seen", ""},
			{"a correction: the person did not come", past, "no_show", ""},
			{"an appointment's outcome is one of four", past, "job", "outcome"},
			{"a future appointment may not be honoured yet", future, "seen", "outcome"},
			{"a future appointment may be cancelled", future, "cancelled", ""},
			{"an immersion that led to a hire", immersion, "job", ""},
			{"an immersion's outcome is a hire or not", immersion, "seen", "outcome"},
			{"a training takes no outcome", training, "seen", "outcome"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				st, err := w.svc.RecordOutcome(w.ctx, w.as("referent"), steps.OutcomeInput{StepID: tc.step.ID, Outcome: tc.outcome})
				if tc.field != "" {
					if _, ok := errs.FieldsOf(err)[tc.field]; !ok {
						t.Fatalf("want a field error on %s, got %v", tc.field, err)
					}
					return
				}
				if err != nil || st.Outcome != tc.outcome {
					t.Fatalf("outcome %q, %v", st.Outcome, err)
				}
			})
		}
		if _, err := w.svc.RecordOutcome(w.ctx, w.as("referent"), steps.OutcomeInput{StepID: past.ID, PersonID: w.other.ID, Outcome: "seen"}); !errs.Is(err, errs.NotFound) {
			t.Errorf("a step reached through another person is not found: %v", err)
		}
	})
}

func TestTheActionPlan(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ref := w.as("referent")
		if _, err := w.svc.CreateObjective(w.ctx, ref, w.person.ID, steps.ObjectiveInput{Theme: "loisirs", Title: "x"}); errs.FieldsOf(err)["theme"] == "" {
			t.Errorf("an unknown theme is refused: %v", err)
		}
		if _, err := w.svc.CreateObjective(w.ctx, ref, w.person.ID, steps.ObjectiveInput{Theme: "mobilite"}); errs.FieldsOf(err)["title"] == "" {
			t.Errorf("an objective needs a title: %v", err)
		}
		if _, err := w.svc.CreateObjective(w.ctx, ref, w.person.ID, steps.ObjectiveInput{Theme: "mobilite", Title: "Permis", ContractID: db.NewID()}); errs.FieldsOf(err)["contract_id"] == "" {
			t.Errorf("an objective ties to a contract of the person only: %v", err)
		}
		permis, err := w.svc.CreateObjective(w.ctx, ref, w.person.ID, steps.ObjectiveInput{Theme: "mobilite", Title: "Obtenir le permis B"})
		if err != nil || permis.Status != "en_cours" {
			t.Fatalf("objective: %+v %v", permis, err)
		}
		otherObjective, err := w.svc.CreateObjective(w.ctx, w.as("manager"), w.other.ID, steps.ObjectiveInput{Theme: "logement", Title: "Logement"})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			in    steps.ActionInput
			field string
		}{
			{"an action needs its objective", steps.ActionInput{Title: "S'inscrire"}, "objective_id"},
			{"the objective is one of the person's", steps.ActionInput{ObjectiveID: otherObjective.ID, Title: "S'inscrire"}, "objective_id"},
			{"an action needs a title", steps.ActionInput{ObjectiveID: permis.ID}, "title"},
			{"the owner is a professional of the group", steps.ActionInput{ObjectiveID: permis.ID, Title: "S'inscrire", OwnerID: w.users["outsider"].ID}, "owner_id"},
			{"the due date is a date", steps.ActionInput{ObjectiveID: permis.ID, Title: "S'inscrire", DueDate: "demain"}, "due_date"},
			{"an action owned by the SIAE staff member", steps.ActionInput{ObjectiveID: permis.ID, Title: "Inscription à l'auto-école", OwnerID: w.users["siae"].ID, DueDate: "2025-04-30"}, ""},
			{"an action owned by nobody", steps.ActionInput{ObjectiveID: permis.ID, Title: "Code de la route"}, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a, err := w.svc.CreateAction(w.ctx, ref, w.person.ID, tc.in)
				if tc.field != "" {
					if _, ok := errs.FieldsOf(err)[tc.field]; !ok {
						t.Fatalf("want a field error on %s, got %v", tc.field, err)
					}
					return
				}
				if err != nil || a.Status != "a_faire" || a.OwnerID != tc.in.OwnerID {
					t.Fatalf("action %+v, %v", a, err)
				}
				if tc.in.OwnerID != "" && (a.OwnerOrgID != w.orgs["Chantier d'insertion"].ID || a.OwnerName != "Prénom siae") {
					t.Errorf("the owner's structure and name: %+v", a)
				}
			})
		}
		plan, err := w.svc.Plan(w.ctx, ref, w.person.ID)
		if err != nil || len(plan.Objectives) != 1 || len(plan.Objectives[0].Actions) != 2 || plan.Objectives[0].Actions[0].Title != "Inscription à l'auto-école" {
			t.Fatalf("plan: %+v %v", plan, err)
		}
		act := plan.Objectives[0].Actions[0]
		if _, err := w.svc.SetActionStatus(w.ctx, ref, steps.StatusInput{ID: act.ID, Status: "perdu"}); errs.FieldsOf(err)["status"] == "" {
			t.Errorf("an unknown status is refused: %v", err)
		}
		if a, err := w.svc.SetActionStatus(w.ctx, ref, steps.StatusInput{ID: act.ID, Status: "fait"}); err != nil || a.Status != "fait" {
			t.Errorf("action done: %+v %v", a, err)
		}
		if o, err := w.svc.SetObjectiveStatus(w.ctx, ref, steps.StatusInput{ID: permis.ID, Status: "atteint"}); err != nil || o.Status != "atteint" {
			t.Errorf("objective reached: %+v %v", o, err)
		}
		for _, action := range []string{"plan.objective.create", "plan.action.create", "plan.action.status", "plan.objective.status", "pathway.plan.read"} {
			if n := w.count(`SELECT count(*) FROM audit_log WHERE action = $1`, action); n == 0 {
				t.Errorf("%s is not traced", action)
			}
		}
	})
}

func TestOnlyTheGroupReachesThePathway(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		st := w.step(steps.StepInput{Kind: "job", Subtype: "cdi", Title: "Cariste", StartDate: day(-40)})
		obj, err := w.svc.CreateObjective(w.ctx, w.as("referent"), w.person.ID, steps.ObjectiveInput{Theme: "emploi", Title: "Trouver un emploi"})
		if err != nil {
			t.Fatal(err)
		}
		act, err := w.svc.CreateAction(w.ctx, w.as("referent"), w.person.ID, steps.ActionInput{ObjectiveID: obj.ID, Title: "CV"})
		if err != nil {
			t.Fatal(err)
		}
		checkins, err := w.svc.Checkins(w.ctx, w.as("referent"), w.person.ID)
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		ops := map[string]func(user string) error{
			"read the timeline": func(u string) error {
				_, _, err := w.svc.Timeline(w.ctx, w.as(u), w.person.ID, steps.TimelineFilter{})
				return err
			},
			"read the plan": func(u string) error { _, err := w.svc.Plan(w.ctx, w.as(u), w.person.ID); return err },
			"read the check-ins": func(u string) error {
				_, err := w.svc.Checkins(w.ctx, w.as(u), w.person.ID)
				return err
			},
			"add a step": func(u string) error {
				_, err := w.svc.CreateStep(w.ctx, w.as(u), w.person.ID, steps.StepInput{Kind: "event", Title: "Forum", StartDate: day(0)})
				return err
			},
			"record an outcome by step id": func(u string) error {
				_, err := w.svc.RecordOutcome(w.ctx, w.as(u), steps.OutcomeInput{StepID: st.ID, Outcome: "seen"})
				if errs.FieldsOf(err)["outcome"] != "" {
					// Reached the step: a job takes no outcome.
					return nil
				}
				return err
			},
			"record a check-in by id": func(u string) error {
				_, err := w.svc.RecordCheckin(w.ctx, w.as(u), checkins[0].ID, "", steps.CheckinInput{InWork: &yes, DoneOn: day(0)})
				return err
			},
			"add an objective": func(u string) error {
				_, err := w.svc.CreateObjective(w.ctx, w.as(u), w.person.ID, steps.ObjectiveInput{Theme: "sante", Title: "Bilan"})
				return err
			},
			"change an objective by id": func(u string) error {
				_, err := w.svc.SetObjectiveStatus(w.ctx, w.as(u), steps.StatusInput{ID: obj.ID, Status: "en_cours"})
				return err
			},
			"change an action by id": func(u string) error {
				_, err := w.svc.SetActionStatus(w.ctx, w.as(u), steps.StatusInput{ID: act.ID, Status: "en_cours"})
				return err
			},
		}
		cases := []struct {
			name, user string
			allowed    bool
		}{
			{"the référent of the group", "referent", true},
			{"the SIAE staff member of the group", "siae", true},
			{"the département manager of the territory", "manager", true},
			{"a référent outside the group", "outsider", false},
			{"an employer", "employer", false},
		}
		for _, tc := range cases {
			for op, do := range ops {
				t.Run(tc.name+" may "+op, func(t *testing.T) {
					err := do(tc.user)
					if tc.allowed && err != nil {
						t.Fatalf("refused: %v", err)
					}
					if !tc.allowed && !errs.Is(err, errs.NotFound) {
						t.Fatalf("want not found, got %v", err)
					}
				})
			}
		}
		if n := w.count(`SELECT count(*) FROM steps WHERE person_id = $1`, w.person.ID); n != 1+3 {
			t.Errorf("the three allowed actors added one step each, the others none: %d steps", n)
		}
	})
}

func TestThePathwayLoadsInAFixedNumberOfQueries(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		queries := func() int64 {
			before := d.QueryCount()
			if _, err := w.svc.Pathway(w.ctx, w.as("referent"), w.person.ID, 50, 0); err != nil {
				t.Fatal(err)
			}
			return d.QueryCount() - before
		}
		add := func(n int) {
			for i := range n {
				w.step(steps.StepInput{Kind: "job", Subtype: "cdi", Title: "Emploi", StartDate: day(-i)})
				o, err := w.svc.CreateObjective(w.ctx, w.as("referent"), w.person.ID, steps.ObjectiveInput{Theme: "emploi", Title: "Objectif"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.CreateAction(w.ctx, w.as("referent"), w.person.ID, steps.ActionInput{ObjectiveID: o.ID, Title: "Action"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		add(1)
		few := queries()
		add(20)
		if many := queries(); many != few {
			t.Errorf("the page costs %d queries with 21 steps, objectives and actions, %d with one of each", many, few)
		}
	})
}
