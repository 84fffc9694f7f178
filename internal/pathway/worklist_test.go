package pathway_test

import (
	"slices"
	"testing"

	"tremplin/internal/pathway"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

// situation sets up one file in a given state and names the alerts it must raise.
type situation struct {
	name  string
	setup func(w *world, id string)
	want  []pathway.AlertKind
}

func (w *world) orient(id string, daysAgo int, org string) {
	w.exec(`INSERT INTO orientations (id, person_id, track, organisation_id, rights_date, decided_on, decided_by, created_at)
		VALUES ($1,$2,'professionnel',$3,(SELECT hh.request_date FROM households hh JOIN persons p ON p.household_id = hh.id WHERE p.id = $2),$4,$5,$6)`,
		db.NewID(), id, w.orgs[org].ID, w.day(-daysAgo), w.users["ori"].ID, db.Now())
	w.exec(`UPDATE persons SET oriented_org_id = $1 WHERE id = $2`, w.orgs[org].ID, id)
}

func (w *world) referent(id, user, org string, daysAgo int) {
	w.exec(`INSERT INTO follow_up_members (id, person_id, user_id, organisation_id, role, start_date, created_at) VALUES ($1,$2,$3,$4,'referent',$5,$6)`,
		db.NewID(), id, w.users[user].ID, w.orgs[org].ID, w.day(-daysAgo), db.Now())
}

// step records a step that started and ended the given days ago (end < 0: open).
func (w *world) step(id, kind, outcome string, startAgo, endAgo int) string {
	sid := db.NewID()
	var end any
	if endAgo >= 0 {
		end = w.day(-endAgo)
	}
	w.exec(`INSERT INTO steps (id, person_id, kind, title, organisation_id, author_id, start_date, end_date, outcome, created_at, updated_at)
		VALUES ($1,$2,$3,'Étape',$4,$5,$6,$7,$8,$9,$9)`, sid, id, kind, w.orgs["ft62"].ID, w.users["pro"].ID, w.day(-startAgo), end, outcome, db.Now())
	return sid
}

func (w *world) contract(id string, startAgo, endIn int, signed bool) {
	var on any
	if signed {
		on = w.day(-startAgo)
	}
	w.exec(`INSERT INTO contracts (id, person_id, kind, organisation_id, start_date, end_date, weekly_minutes, action_plan, signed_on, created_by, created_at, updated_at)
		VALUES ($1,$2,'engagement',$3,$4,$5,900,'Plan',$6,$7,$8,$8)`, db.NewID(), id, w.orgs["ft62"].ID, w.day(-startAgo), w.day(endIn), on, w.users["pro"].ID, db.Now())
}

var situations = []situation{
	{"rights opened 50 days ago and not oriented: orientation overdue", nil, []pathway.AlertKind{pathway.AlertOrientationLate}},
	{"rights opened 30 days ago: still within the 6 weeks", func(w *world, id string) {
		w.exec(`UPDATE households SET request_date = $1 WHERE id = (SELECT household_id FROM persons WHERE id = $2)`, w.day(-30), id)
	}, nil},
	{"oriented 40 days ago, nobody named, no contract", func(w *world, id string) { w.orient(id, 40, "ft62") },
		[]pathway.AlertKind{pathway.AlertNoReferent, pathway.AlertContractMissing}},
	{"oriented 10 days ago with a référent: on time", func(w *world, id string) {
		w.orient(id, 10, "ft62")
		w.referent(id, "pro", "ft62", 10)
	}, nil},
	{"followed for 200 days, last appointment 100 days ago: no contact", func(w *world, id string) {
		w.orient(id, 200, "ft62")
		w.referent(id, "pro", "ft62", 200)
		w.contract(id, 190, 100, true)
		w.step(id, "appointment", "seen", 100, 100)
	}, []pathway.AlertKind{pathway.AlertNoContact}},
	{"a no-show 20 days ago is no contact either", func(w *world, id string) {
		w.orient(id, 200, "ft62")
		w.referent(id, "pro", "ft62", 200)
		w.contract(id, 190, 100, true)
		w.step(id, "appointment", "no_show", 20, 20)
	}, []pathway.AlertKind{pathway.AlertNoContact}},
	{"appointment 3 days ago without outcome", func(w *world, id string) {
		w.orient(id, 200, "ft62")
		w.referent(id, "pro", "ft62", 200)
		w.contract(id, 190, 100, true)
		w.step(id, "appointment", "", 3, 3)
	}, []pathway.AlertKind{pathway.AlertOutcomeMissing}},
	{"signed contract ending in 10 days", func(w *world, id string) {
		w.orient(id, 200, "ft62")
		w.referent(id, "pro", "ft62", 200)
		w.contract(id, 170, 10, true)
		w.step(id, "appointment", "seen", 5, 5)
	}, []pathway.AlertKind{pathway.AlertContractExpiring}},
	{"immersion ended 40 days ago with nothing after: step gap", func(w *world, id string) {
		w.orient(id, 200, "ft62")
		w.referent(id, "pro", "ft62", 200)
		w.contract(id, 190, 100, true)
		w.step(id, "appointment", "seen", 5, 5)
		w.step(id, "pmsmp", "", 60, 40)
	}, []pathway.AlertKind{pathway.AlertStepGap}},
	{"immersion followed by a training: no gap", func(w *world, id string) {
		w.orient(id, 200, "ft62")
		w.referent(id, "pro", "ft62", 200)
		w.contract(id, 190, 100, true)
		w.step(id, "appointment", "seen", 5, 5)
		w.step(id, "pmsmp", "", 60, 40)
		w.step(id, "training", "", 20, -1)
	}, nil},
	{"back to work, the one-month check-in is due", func(w *world, id string) {
		w.orient(id, 200, "ft62")
		w.referent(id, "pro", "ft62", 200)
		w.contract(id, 190, 100, true)
		w.step(id, "appointment", "seen", 5, 5)
		job := w.step(id, "job", "", 32, -1)
		w.exec(`INSERT INTO checkins (id, person_id, step_id, months, due_date, created_at) VALUES ($1,$2,$3,1,$4,$5)`, db.NewID(), id, job, w.day(-2), db.Now())
		w.exec(`INSERT INTO checkins (id, person_id, step_id, months, due_date, created_at) VALUES ($1,$2,$3,3,$4,$5)`, db.NewID(), id, job, w.day(60), db.Now())
	}, []pathway.AlertKind{pathway.AlertCheckinDue}},
}

func TestWorklistRaisesEachSituationOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ids := map[string]string{}
		for i, s := range situations {
			id := w.beneficiary("Personne"+string(rune('A'+i)), 50)
			ids[s.name] = id
			if s.setup != nil {
				s.setup(w, id)
			}
		}
		wl := ok(w.svc.Worklist(w.ctx, w.as("man"), pathway.WorklistFilter{}))(t)
		got := map[string][]pathway.AlertKind{}
		for _, al := range wl.Items {
			got[al.PersonID] = append(got[al.PersonID], al.Kind)
			if al.Name == "" || al.Detail == "" || al.Since.IsZero() {
				t.Errorf("alert without name, detail or date: %+v", al)
			}
		}
		total := 0
		for _, s := range situations {
			kinds := got[ids[s.name]]
			slices.Sort(kinds)
			want := slices.Clone(s.want)
			slices.Sort(want)
			if !slices.Equal(kinds, want) {
				t.Errorf("%s: alerts %v, want %v", s.name, kinds, want)
			}
			total += len(s.want)
		}
		if wl.Total != total {
			t.Errorf("total = %d, want %d", wl.Total, total)
		}
		for i := 1; i < len(wl.Items); i++ {
			if wl.Items[i].Since.Before(wl.Items[i-1].Since) {
				t.Fatalf("items not oldest first: %v then %v", wl.Items[i-1].Since, wl.Items[i].Since)
			}
		}

		// The référent sees the files they lead; others of the territory see nothing.
		mine := ok(w.svc.Worklist(w.ctx, w.as("pro"), pathway.WorklistFilter{}))(t)
		if mine.Total != 6 || len(mine.ByReferent) != 1 || mine.ByReferent[0].Count != 6 {
			t.Errorf("référent's worklist: total %d, by référent %+v", mine.Total, mine.ByReferent)
		}
		for _, who := range []string{"outsider", "man59", "employer"} {
			if other := ok(w.svc.Worklist(w.ctx, w.as(who), pathway.WorklistFilter{}))(t); other.Total != 0 {
				t.Errorf("%s sees %d alerts of files they may not see", who, other.Total)
			}
		}

		kind := ok(w.svc.Worklist(w.ctx, w.as("man"), pathway.WorklistFilter{Kind: pathway.AlertNoContact}))(t)
		if kind.Total != 2 || kind.ByKind[pathway.AlertOrientationLate] != 1 {
			t.Errorf("filtered on no_contact: total %d, counts %v", kind.Total, kind.ByKind)
		}
		_, err := w.svc.Worklist(w.ctx, w.as("man"), pathway.WorklistFilter{Kind: "bogus"})
		wantCode(t, err, errs.Invalid, "kind")
		page := ok(w.svc.Worklist(w.ctx, w.as("man"), pathway.WorklistFilter{Limit: 2, Offset: 2}))(t)
		if len(page.Items) != 2 || page.Items[0] != wl.Items[2] {
			t.Errorf("second page = %+v", page.Items)
		}
	})
}
