package review_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/pathway/review"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

func TestAgendaSuggestsTheHardestSituationsTheOrganiserMaySee(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.pathways(t)
		r := w.review(t, "organiser", review.KindGroup)
		suggested := func(who string) map[string]review.Suggestion {
			t.Helper()
			list, err := w.svc.Suggestions(ctx, w.actors[who], r)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]review.Suggestion{}
			for _, s := range list {
				out[s.PersonID] = s
			}
			return out
		}
		got := suggested("organiser")
		cases := []struct {
			person    string
			suggested bool
			reason    string
		}{
			{"Absent", true, "2 rendez-vous manqués en 6 mois"},
			{"Obstacles", true, "4 freins relevés au dernier diagnostic"},
			{"Stale", true, "ucune avancée depuis plus de 6 mois (dernière étape le " + w.day.AddDate(0, 0, -250).Format("02/01/2006") + ")"},
			{"Progress", false, "a recent training counts as progress, one missed appointment is not repeated"},
			{"Recovered", false, "only the latest diagnostic counts"},
			{"Hidden", false, "a file the organiser may not see is never suggested"},
		}
		for _, tc := range cases {
			s, ok := got[w.persons[tc.person]]
			if ok != tc.suggested {
				t.Errorf("%s suggested = %v, want %v (%s)", tc.person, ok, tc.suggested, tc.reason)
				continue
			}
			if ok && !strings.Contains(s.ReasonsText(), tc.reason) {
				t.Errorf("%s reasons %q, want %q", tc.person, s.ReasonsText(), tc.reason)
			}
		}
		if s := got[w.persons["Absent"]]; len(s.Reasons) != 1 || s.Name != "Absent Camille" {
			t.Errorf("Absent is suggested for the no-shows alone: %+v", s)
		}
		if _, ok := suggested("manager")[w.persons["Hidden"]]; !ok {
			t.Error("the département's manager sees every file of the territory and gets Hidden suggested")
		}

		if _, err := w.svc.AddItem(ctx, w.actors["organiser"], r.ID, review.NewItem{PersonID: w.persons["Absent"], Reasons: got[w.persons["Absent"]].ReasonsText()}); err != nil {
			t.Fatal(err)
		}
		if _, ok := suggested("organiser")[w.persons["Absent"]]; ok {
			t.Error("a person already on the agenda is no longer suggested")
		}
		if _, err := w.svc.Suggestions(ctx, w.actors["participant"], r); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a participant who may not write gets no suggestions: %v", err)
		}
		var traced int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'case_review.suggest' AND person_id = $1`, w.persons["Stale"]).Scan(&traced); err != nil || traced < 2 {
			t.Errorf("each suggestion shown is traced with its person: %d, %v", traced, err)
		}
	})
}

func TestDecisionsBecomeActionsOfThePersonsPlan(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		org := w.actors["organiser"]
		r := w.review(t, "organiser", review.KindGroup)
		p, err := w.svc.AddParticipant(ctx, org, r.ID, review.StaffMember{Email: "  Orientation@FT.fr "})
		if err != nil || p.OrgID != w.orgs["ft"] {
			t.Fatalf("participant by email: %+v, %v", p, err)
		}
		if _, err := w.svc.AddParticipant(ctx, org, r.ID, review.StaffMember{Email: "inconnu@ailleurs.fr"}); errs.FieldsOf(err)["email"] == "" {
			t.Errorf("an address nobody of the territory has is a field error: %v", err)
		}
		it, err := w.svc.AddItem(ctx, org, r.ID, review.NewItem{PersonID: w.persons["Stale"], Reasons: "Aucune avancée"})
		if err != nil {
			t.Fatal(err)
		}
		due := w.day.AddDate(0, 1, 0).Format(time.DateOnly)
		bad := []struct {
			name  string
			d     review.Decision
			field string
		}{
			{"no decision text", review.Decision{}, "decision"},
			{"owner outside the review", review.Decision{Text: "x", Actions: []review.NewAction{{Title: "Appeler", OwnerID: w.actors["outsider"].UserID, DueDate: due}}}, "action_owner_1"},
			{"due date before the review", review.Decision{Text: "x", Actions: []review.NewAction{{}, {Title: "Appeler", OwnerID: org.UserID, DueDate: w.day.AddDate(0, 0, -1).Format(time.DateOnly)}}}, "action_due_2"},
			{"due date not a date", review.Decision{Text: "x", Actions: []review.NewAction{{Title: "Appeler", OwnerID: org.UserID, DueDate: "demain"}}}, "action_due_1"},
		}
		for _, tc := range bad {
			if _, err := w.svc.Decide(ctx, org, r.ID, it.ID, tc.d); errs.FieldsOf(err)[tc.field] == "" {
				t.Errorf("%s: want a field error on %s, got %v", tc.name, tc.field, err)
			}
		}
		decided, err := w.svc.Decide(ctx, org, r.ID, it.ID, review.Decision{Text: "Proposer une immersion et un bilan de santé.", Actions: []review.NewAction{
			{Title: "Proposer une PMSMP", OwnerID: w.actors["participant"].UserID, DueDate: due},
			{},
			{Title: "Orienter vers le bilan de santé", OwnerID: org.UserID, DueDate: due},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !decided.Decided() || len(decided.Actions) != 2 || decided.DecidedBy != org.UserID {
			t.Fatalf("decision: %+v", decided)
		}
		rows, err := d.QueryContext(ctx, `SELECT person_id, owner_id, owner_org_id, due_date, status, title FROM plan_actions WHERE review_item_id = $1 ORDER BY title`, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		want := []struct{ owner, org, title string }{
			{org.UserID, w.orgs["asso"], "Orienter vers le bilan de santé"},
			{w.actors["participant"].UserID, w.orgs["ft"], "Proposer une PMSMP"},
		}
		n := 0
		for ; rows.Next(); n++ {
			var person, owner, ownerOrg, status, title string
			var dueOn time.Time
			if err := rows.Scan(&person, &owner, &ownerOrg, &dueOn, &status, &title); err != nil {
				t.Fatal(err)
			}
			if n >= len(want) || person != w.persons["Stale"] || owner != want[n].owner || ownerOrg != want[n].org ||
				dueOn.Format(time.DateOnly) != due || status != "a_faire" || title != want[n].title {
				t.Errorf("action %d: %s %s %s %s %s %s", n, person, owner, ownerOrg, dueOn, status, title)
			}
		}
		if n != 2 {
			t.Fatalf("%d actions written to the plan, want 2", n)
		}
		if _, err := w.svc.Decide(ctx, org, r.ID, it.ID, review.Decision{Text: "Autre"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second decision on the same item is a conflict: %v", err)
		}
		if err := w.svc.MarkHeld(ctx, org, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddItem(ctx, org, r.ID, review.NewItem{PersonID: w.persons["Absent"], Reasons: "x"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("the agenda of a review held is closed: %v", err)
		}
	})
}

func TestSanctionsFollowTheDecreeAndTheRightToBeHeard(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		// The département's manager writes both: the association's group and the équipe it convenes.
		org := w.actors["manager"]
		group, ep := w.review(t, "organiser", review.KindGroup), w.review(t, "manager", review.KindEP)
		sanction := func(rate, months int) review.NewItem {
			return review.NewItem{PersonID: w.persons["Absent"], Kind: review.ItemSanction, Reasons: "Rendez-vous non honorés", SanctionRate: rate, SanctionMonths: months}
		}
		refused := []struct {
			name   string
			review review.Review
			item   review.NewItem
			field  string
		}{
			{"a group of professionals does not review sanctions", group, sanction(30, 1), "kind"},
			{"a rate under 30 % is refused", ep, sanction(29, 1), "sanction_rate"},
			{"a rate over 100 % is refused", ep, sanction(101, 1), "sanction_rate"},
			{"three months is too long", ep, sanction(50, 3), "sanction_months"},
			{"no reason given", ep, review.NewItem{PersonID: w.persons["Absent"], Kind: review.ItemSanction, SanctionRate: 30, SanctionMonths: 1}, "reasons"},
		}
		for _, tc := range refused {
			if _, err := w.svc.AddItem(ctx, org, tc.review.ID, tc.item); errs.FieldsOf(err)[tc.field] == "" {
				t.Errorf("%s: want a field error on %s, got %v", tc.name, tc.field, err)
			}
		}
		it, err := w.svc.AddItem(ctx, org, ep.ID, sanction(30, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ProposeSanction(ctx, org, ep.ID, it.ID, 20, 1); errs.FieldsOf(err)["sanction_rate"] == "" {
			t.Errorf("the proposal cannot be lowered under 30 %%: %v", err)
		}
		if it, err = w.svc.ProposeSanction(ctx, org, ep.ID, it.ID, 50, 2); err != nil || it.SanctionRate != 50 || it.SanctionMonths != 2 {
			t.Fatalf("proposal: %+v, %v", it, err)
		}
		opinion := review.Decision{Text: "Suspension-remobilisation de 50 % pendant 2 mois.", Outcome: review.OutcomeFavorable}
		if _, err := w.svc.Decide(ctx, org, ep.ID, it.ID, opinion); errs.FieldsOf(err)["heard"] == "" {
			t.Errorf("an opinion on a sanction without the person convoqué is refused: %v", err)
		}
		if _, err := w.svc.RecordHearing(ctx, org, ep.ID, it.ID, "peut-etre", ""); errs.FieldsOf(err)["heard"] == "" {
			t.Errorf("an unknown hearing outcome is refused: %v", err)
		}
		if _, err := w.svc.RecordHearing(ctx, org, ep.ID, it.ID, review.HeardNoReason, "Convocation du 3 mars restée sans réponse"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(ctx, org, ep.ID, it.ID, review.Decision{Text: "x"}); errs.FieldsOf(err)["outcome"] == "" {
			t.Errorf("the opinion on the sanction must be given: %v", err)
		}
		decided, err := w.svc.Decide(ctx, org, ep.ID, it.ID, opinion)
		if err != nil || decided.SanctionOutcome != review.OutcomeFavorable || decided.Heard != review.HeardNoReason {
			t.Fatalf("opinion: %+v, %v", decided, err)
		}
		if _, err := w.svc.RecordHearing(ctx, org, ep.ID, it.ID, review.HeardHeard, ""); !errs.Is(err, errs.Conflict) {
			t.Errorf("the hearing is frozen once the opinion is given: %v", err)
		}
		situation, err := w.svc.AddItem(ctx, org, ep.ID, review.NewItem{PersonID: w.persons["Absent"], Reasons: "Situation"})
		if err != nil {
			t.Fatalf("the same person may be on the agenda for a situation too: %v", err)
		}
		if _, err := w.svc.RecordHearing(ctx, org, ep.ID, situation.ID, review.HeardHeard, ""); errs.FieldsOf(err)["heard"] == "" {
			t.Errorf("the hearing belongs to sanction items: %v", err)
		}
	})
}

func TestCaseReviewsFollowNeedToKnow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		org := w.actors["organiser"]
		r := w.review(t, "organiser", review.KindGroup)
		if _, err := w.svc.AddParticipant(ctx, org, r.ID, review.StaffMember{UserID: w.actors["participant"].UserID, OrgID: w.orgs["ft"]}); err != nil {
			t.Fatal(err)
		}
		it, err := w.svc.AddItem(ctx, org, r.ID, review.NewItem{PersonID: w.persons["Stale"], Reasons: "Aucune avancée"})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			who        string
			read       errs.Code
			write      errs.Code
			listedSize int
		}{
			{"organiser", "", "", 1},
			{"participant", "", errs.Forbidden, 1},
			{"manager", "", "", 1},
			{"outsider", errs.NotFound, errs.NotFound, 0},
			{"convener", errs.NotFound, errs.NotFound, 0},
		}
		for _, tc := range cases {
			a := w.actors[tc.who]
			got, err := w.svc.Get(ctx, a, r.ID)
			if errs.CodeOf(err) != tc.read {
				t.Errorf("%s reads: %v, want %q", tc.who, err, tc.read)
			}
			if err == nil && (len(got.Items) != 1 || got.Items[0].PersonName != "Stale Camille") {
				t.Errorf("%s sees the agenda with names: %+v", tc.who, got.Items)
			}
			if _, _, err := w.svc.Item(ctx, a, r.ID, it.ID); errs.CodeOf(err) != tc.read {
				t.Errorf("%s reads the item: %v, want %q", tc.who, err, tc.read)
			}
			_, err = w.svc.Decide(ctx, a, "", it.ID, review.Decision{})
			if want := tc.write; (want == "" && errs.FieldsOf(err)["decision"] == "") || (want != "" && errs.CodeOf(err) != want) {
				t.Errorf("%s writes: %v, want %q", tc.who, err, tc.write)
			}
			list, total, err := w.svc.List(ctx, a, review.Filter{})
			if err != nil || total != tc.listedSize || len(list) != tc.listedSize {
				t.Errorf("%s lists %d reviews (%v), want %d", tc.who, total, err, tc.listedSize)
			}
		}
		if _, _, err := w.svc.Item(ctx, org, db.NewID(), it.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("an item read through another review is not found: %v", err)
		}
		if _, err := w.svc.AddItem(ctx, org, r.ID, review.NewItem{PersonID: w.persons["Hidden"], Reasons: "x"}); errs.FieldsOf(err)["person_id"] == "" {
			t.Errorf("the organiser may not put on the agenda a file it may not read: %v", err)
		}
		if _, err := w.svc.AddItem(ctx, w.actors["manager"], r.ID, review.NewItem{PersonID: w.persons["Hidden"], Reasons: "x"}); err != nil {
			t.Errorf("the département's manager reads every file of the territory and adds it: %v", err)
		}
		if _, err := w.svc.Create(ctx, access.Actor{UserID: "u", OrgID: w.orgs["asso"], Roles: []access.Role{access.RoleEmployer}}, review.NewReview{}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("an employer may not organise a review: %v", err)
		}
		var traced int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'case_review.read' AND person_id = $1 AND user_id = $2`,
			w.persons["Stale"], w.actors["participant"].UserID).Scan(&traced); err != nil || traced != 2 {
			t.Errorf("the participant's reads of the review and of the item are traced with the person: %d, %v", traced, err)
		}
	})
}

func TestOnlyTheDepartementConvenesTheEquipePluridisciplinaire(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		cases := []struct {
			name string
			who  string
			kind review.Kind
			want errs.Code
		}{
			{"the département's manager convenes an équipe pluridisciplinaire", "manager", review.KindEP, ""},
			{"the département's chargé d'orientation convenes one too", "convener", review.KindEP, ""},
			{"an association's référent may not convene one", "organiser", review.KindEP, errs.Forbidden},
			{"France Travail's chargé d'orientation may not convene one", "participant", review.KindEP, errs.Forbidden},
			{"an association's référent organises a group of professionals", "organiser", review.KindGroup, ""},
			{"the département organises groups of professionals too", "manager", review.KindGroup, ""},
		}
		for _, tc := range cases {
			a := w.actors[tc.who]
			r, err := w.svc.Create(ctx, a, review.NewReview{Kind: tc.kind, Title: "Commission", HeldOn: w.day.Format(time.DateOnly)})
			if errs.CodeOf(err) != tc.want {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
				continue
			}
			if err != nil {
				if msg := errs.MessageOf(err); !strings.Contains(msg, "Seul le département convoque l'équipe pluridisciplinaire") {
					t.Errorf("%s: the refusal says why, in French: %q", tc.name, msg)
				}
				continue
			}
			if r.Kind != tc.kind || r.OrgID != a.OrgID || r.CreatedBy != a.UserID {
				t.Errorf("%s: created %+v", tc.name, r)
			}
		}
		offered := map[string][]review.Kind{
			"manager":     {review.KindGroup, review.KindEP},
			"convener":    {review.KindGroup, review.KindEP},
			"organiser":   {review.KindGroup},
			"participant": {review.KindGroup},
		}
		for who, want := range offered {
			if got := review.KindsFor(w.actors[who]); !slices.Equal(got, want) {
				t.Errorf("the form offers %s the kinds %v, want %v", who, got, want)
			}
		}
		var eps int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM case_reviews WHERE kind = 'ep' AND organisation_id <> $1`, w.orgs["dept"]).Scan(&eps); err != nil || eps != 0 {
			t.Errorf("a refused équipe pluridisciplinaire is not written: %d, %v", eps, err)
		}
	})
}

func TestTodayIsTheDayInParis(t *testing.T) {
	w := newWorld(t, dbtest.SQLite(t))
	winter := time.Date(2026, 1, 14, 23, 30, 0, 0, time.UTC)  // 00:30 on 15 January in Paris (UTC+1)
	summer := time.Date(2026, 7, 14, 22, 30, 0, 0, time.UTC)  // 00:30 on 15 July in Paris (UTC+2)
	evening := time.Date(2026, 7, 14, 21, 30, 0, 0, time.UTC) // 23:30 on 14 July in Paris
	cases := []struct {
		name   string
		now    time.Time
		heldOn string
		ok     bool
	}{
		{"winter, 23:30 UTC: one year before the 15th is the earliest date", winter, "2025-01-15", true},
		{"winter, 23:30 UTC: one year before the 14th is too early", winter, "2025-01-14", false},
		{"winter, 23:30 UTC: two years after the 15th is the latest date", winter, "2028-01-15", true},
		{"summer, 22:30 UTC: two years after the 15th is the latest date", summer, "2028-07-15", true},
		{"summer, 22:30 UTC: one year before the 14th is too early", summer, "2025-07-14", false},
		{"summer, 21:30 UTC: still the 14th in Paris", evening, "2025-07-14", true},
		{"summer, 21:30 UTC: two years after the 15th is too late", evening, "2028-07-15", false},
	}
	for _, tc := range cases {
		w.svc.SetClock(func() time.Time { return tc.now })
		_, err := w.svc.Create(context.Background(), w.actors["organiser"], review.NewReview{Kind: review.KindGroup, Title: "x", HeldOn: tc.heldOn})
		if tc.ok != (err == nil) || (err != nil && errs.FieldsOf(err)["held_on"] == "") {
			t.Errorf("%s: held on %s gives %v", tc.name, tc.heldOn, err)
		}
	}
}

func TestNewReviewIsValidated(t *testing.T) {
	w := newWorld(t, dbtest.SQLite(t))
	cases := []struct {
		name  string
		n     review.NewReview
		field string
	}{
		{"unknown kind", review.NewReview{Kind: "comite", Title: "x", HeldOn: w.day.Format(time.DateOnly)}, "kind"},
		{"no title", review.NewReview{Kind: review.KindEP, Title: "  ", HeldOn: w.day.Format(time.DateOnly)}, "title"},
		{"date in French", review.NewReview{Kind: review.KindEP, Title: "x", HeldOn: "12/03/2026"}, "held_on"},
		{"date far away", review.NewReview{Kind: review.KindEP, Title: "x", HeldOn: w.day.AddDate(3, 0, 0).Format(time.DateOnly)}, "held_on"},
	}
	for _, tc := range cases {
		if _, err := w.svc.Create(context.Background(), w.actors["manager"], tc.n); errs.FieldsOf(err)[tc.field] == "" {
			t.Errorf("%s: want a field error on %s, got %v", tc.name, tc.field, err)
		}
	}
}
