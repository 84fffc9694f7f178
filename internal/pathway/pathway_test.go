package pathway_test

import (
	"testing"
	"time"

	"tremplin/internal/pathway"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

// grid is a diagnostic grid of a person ready for work.
func grid() pathway.Grid {
	return pathway.Grid{WorkSituation: "Sans emploi depuis 8 mois", WorkedLast2Years: true, EducationLevel: "3", Projection: "oui",
		MobilityKm: 20, Obstacles: map[string]int{"mobilite": 1}}
}

// TestTheSharedPathwayFromQueueToContract follows a new beneficiary through
// the pathway: the orientation queue, a group, the joint diagnostic, the
// orientation, the référent and the contract.
func TestTheSharedPathwayFromQueueToContract(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		id := w.beneficiary("Dupont", 50)

		queue, total, err := w.svc.Queue(w.ctx, w.as("ori"), 50, 0)
		if err != nil || total != 1 || queue[0].PersonID != id || queue[0].DaysLeft != -8 {
			t.Fatalf("queue = %+v (total %d), want Dupont 8 days late", queue, total)
		}
		_, _, err = w.svc.Queue(w.ctx, w.as("soc"), 50, 0)
		wantCode(t, err, errs.Forbidden, "")

		// The chargé d'orientation forms the group for the joint diagnostic.
		ok(w.svc.AddMember(w.ctx, w.as("ori"), id, pathway.MemberInput{UserID: w.users["soc"].ID, OrgID: w.orgs["asso62"].ID, Role: "referent"}))(t)
		ok(w.svc.AddMember(w.ctx, w.as("ori"), id, pathway.MemberInput{UserID: w.users["pro"].ID, OrgID: w.orgs["ft62"].ID, Role: "member"}))(t)
		_, err = w.svc.AddMember(w.ctx, w.as("pro"), id, pathway.MemberInput{UserID: w.users["outsider"].ID, OrgID: w.orgs["asso62"].ID, Role: "member"})
		wantCode(t, err, errs.Forbidden, "")

		v1 := ok(w.svc.SaveDiagnostic(w.ctx, w.as("soc"), id, grid()))(t)
		if v1.Version != 1 || v1.SuggestedTrack != pathway.TrackProfessional {
			t.Fatalf("first version = %d suggesting %s", v1.Version, v1.SuggestedTrack)
		}
		_, err = w.svc.SaveDiagnostic(w.ctx, w.as("outsider"), id, grid())
		wantCode(t, err, errs.NotFound, "")

		signed := ok(w.svc.SignDiagnostic(w.ctx, w.as("soc"), v1.ID))(t)
		if signed.ValidatedAt != nil {
			t.Fatal("one signature validated the diagnostic")
		}
		_, err = w.svc.SignDiagnostic(w.ctx, w.as("soc2"), v1.ID)
		wantCode(t, err, errs.NotFound, "") // not in the group
		_, err = w.svc.SignDiagnostic(w.ctx, w.as("soc"), v1.ID)
		wantCode(t, err, errs.Conflict, "")
		signed = ok(w.svc.SignDiagnostic(w.ctx, w.as("pro"), v1.ID))(t)
		if signed.ValidatedAt == nil || len(signed.Signatures) != 2 {
			t.Fatalf("social + professional signatures did not validate: %+v", signed)
		}

		g := grid()
		g.Obstacles = map[string]int{"sante": 2, "logement": 2}
		v2 := ok(w.svc.SaveDiagnostic(w.ctx, w.as("pro"), id, g))(t)
		versions := ok(w.svc.Diagnostics(w.ctx, w.as("soc"), id))(t)
		if v2.Version != 2 || len(versions) != 2 || versions[1].ValidatedAt == nil || versions[0].ValidatedAt != nil {
			t.Fatalf("versions after a change: %+v", versions)
		}
		_, err = w.svc.SignDiagnostic(w.ctx, w.as("soc"), v2.ID)
		if err != nil {
			t.Fatal(err)
		}

		// The validated version suggests the professional track: departing from it needs a reason.
		in := pathway.OrientationInput{Track: pathway.TrackSocial, OrgID: w.orgs["asso62"].ID}
		_, err = w.svc.Orient(w.ctx, w.as("ori"), id, in)
		wantCode(t, err, errs.Invalid, "reason")
		_, err = w.svc.Orient(w.ctx, w.as("soc"), id, pathway.OrientationInput{Track: pathway.TrackProfessional, OrgID: w.orgs["ft62"].ID})
		wantCode(t, err, errs.Forbidden, "")
		o := ok(w.svc.Orient(w.ctx, w.as("ori"), id, pathway.OrientationInput{Track: pathway.TrackProfessional, OrgID: w.orgs["ft62"].ID}))(t)
		if o.SuggestedTrack != pathway.TrackProfessional || o.RightsDate == nil || o.RightsDate.Format("2006-01-02") != w.day(-50) {
			t.Fatalf("orientation = %+v", o)
		}
		_, err = w.svc.Orient(w.ctx, w.as("ori"), id, pathway.OrientationInput{Track: pathway.TrackProfessional, OrgID: w.orgs["asso62"].ID})
		wantCode(t, err, errs.Invalid, "reason") // changing an orientation is motivated
		if _, total, _ := w.svc.Queue(w.ctx, w.as("ori"), 50, 0); total != 0 {
			t.Fatalf("an oriented person stays in the queue")
		}

		// Ten days later the file follows France Travail: its administrator names the référent.
		w.today = w.today.AddDate(0, 0, 10)
		ok(w.svc.AddMember(w.ctx, w.as("adminft"), id, pathway.MemberInput{UserID: w.users["pro"].ID, OrgID: w.orgs["ft62"].ID, Role: "referent"}))(t)
		_, group, err := w.svc.Group(w.ctx, w.as("pro"), id)
		if err != nil {
			t.Fatal(err)
		}
		referents := 0
		for _, m := range group {
			if m.Role == "referent" && (m.End == nil || !m.End.Before(w.today)) {
				referents++
			}
		}
		if referents != 1 || len(group) != 3 {
			t.Fatalf("group after a change of référent: %+v", group)
		}

		c := ok(w.svc.CreateContract(w.ctx, w.as("pro"), id, pathway.ContractInput{Kind: pathway.ContractEngagement,
			Start: w.day(0), End: w.day(180), ActionPlan: "Recherche d'emploi accompagnée, 15 heures par semaine."}))(t)
		if c.WeeklyMinutes != 15*60 {
			t.Fatalf("default weekly activity = %d minutes", c.WeeklyMinutes)
		}
		_, err = w.svc.SignContract(w.ctx, w.as("pro"), c.ID, w.day(0), false)
		wantCode(t, err, errs.Invalid, "person_signed")
		c = ok(w.svc.SignContract(w.ctx, w.as("pro"), c.ID, w.day(0), true))(t)
		if !c.Signed() || c.SignerName == "" {
			t.Fatalf("signed contract = %+v", c)
		}
		_, err = w.svc.SignContract(w.ctx, w.as("pro"), c.ID, w.day(0), true)
		wantCode(t, err, errs.Conflict, "")
		_, err = w.svc.Contract(w.ctx, w.as("outsider"), c.ID)
		wantCode(t, err, errs.NotFound, "")
		renewed := ok(w.svc.RenewContract(w.ctx, w.as("pro"), c.ID, w.day(360)))(t)
		if renewed.RenewsID != c.ID || renewed.Start.Format("2006-01-02") != w.day(181) {
			t.Fatalf("renewal = %+v", renewed)
		}
	})
}

func TestDeadlinesCountCalendarMonths(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		name     string
		oriented string
		track    pathway.Track
		want     string
	}{
		{"a month later", "2025-03-10", pathway.TrackProfessional, "2025-04-10"},
		{"the end of a shorter month", "2025-01-31", pathway.TrackProfessional, "2025-02-28"},
		{"a leap year", "2024-01-31", pathway.TrackProfessional, "2024-02-29"},
		{"a social CER had two months", "2024-06-15", pathway.TrackSocial, "2024-08-15"},
		{"the contrat d'engagement has one month whatever the track", "2025-06-15", pathway.TrackSocial, "2025-07-15"},
		{"over the new year", "2025-12-31", pathway.TrackSocioProfessio, "2026-01-31"},
	}
	for _, c := range cases {
		if got := pathway.ContractDeadline(day(c.oriented), c.track).Format(time.DateOnly); got != c.want {
			t.Errorf("%s: contract due %s, want %s", c.name, got, c.want)
		}
	}
	if got := pathway.OrientationDeadline(day("2025-01-20")).Format(time.DateOnly); got != "2025-03-03" {
		t.Errorf("orientation due %s, want six weeks later, 2025-03-03", got)
	}
}
