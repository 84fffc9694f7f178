package pathway_test

import (
	"math"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

func TestFiguresCountWhatTheDepartementPublishes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		onTime, late := w.beneficiary("Alpha", 100), w.beneficiary("Beta", 100)
		w.orient(onTime, 70, "ft62") // 30 days after the rights
		w.orient(late, 40, "ft62")   // 60 days after
		w.exec(`INSERT INTO contracts (id, person_id, kind, organisation_id, start_date, end_date, weekly_minutes, action_plan, signed_on, created_by, created_at, updated_at)
			VALUES ($1,$2,'engagement',$3,$4,$5,900,'Plan',$4,$6,$7,$7)`, db.NewID(), onTime, w.orgs["ft62"].ID, w.day(-50), w.day(100), w.users["pro"].ID, db.Now())
		for _, id := range []string{onTime, late} {
			w.referent(id, "pro", "ft62", 70)
		}
		w.step(onTime, "pmsmp", "", 60, 50)
		w.step(onTime, "training", "", 40, -1) // 10 days after the immersion
		w.step(late, "pmsmp", "", 80, 70)
		job := w.step(late, "job", "", 50, -1) // 20 days after
		w.step(onTime, "appointment", "seen", 30, 30)
		w.step(onTime, "appointment", "no_show", 20, 20)
		w.step(onTime, "appointment", "excused", 10, 10)
		w.step(onTime, "appointment", "", 5, 5)
		for i, inWork := range []bool{true, false} {
			w.exec(`INSERT INTO checkins (id, person_id, step_id, months, due_date, done_on, in_work, created_at) VALUES ($1,$2,$3,$4,$5,$5,$6,$7)`,
				db.NewID(), late, job, 6-i, w.day(-5+i), inWork, db.Now())
		}
		w.exec(`INSERT INTO checkins (id, person_id, step_id, months, due_date, done_on, in_work, created_at) VALUES ($1,$2,$3,6,$4,$4,FALSE,$5)`,
			db.NewID(), onTime, w.step(onTime, "job", "", 200, 190), w.day(-3), db.Now())

		f := ok(w.svc.ComputeFigures(w.ctx, w.as("man"), "", w.today.AddDate(0, 0, -120), w.today))(t)
		checks := []struct {
			name      string
			got, want float64
		}{
			{"share oriented within 6 weeks", f.OrientedInTime.Percent(), 50},
			{"orientations counted", float64(f.OrientedInTime.Den), 2},
			{"share with a contract within a month", f.ContractInTime.Percent(), 50},
			{"median delay between steps", f.MedianStepGapDays, 15},
			{"no-show rate over appointments with an outcome", f.NoShows.Percent(), 100.0 / 3},
			{"retention at 6 months", f.Retention6Months.Percent(), 50},
			{"mean caseload", f.MeanCaseload, 2},
		}
		for _, c := range checks {
			if math.Abs(c.got-c.want) > 0.01 {
				t.Errorf("%s = %.2f, want %.2f", c.name, c.got, c.want)
			}
		}
		if len(f.Caseloads) != 1 || f.Caseloads[0].People != 2 {
			t.Errorf("caseloads = %+v", f.Caseloads)
		}
		_, err := w.svc.ComputeFigures(w.ctx, w.as("pro"), "62", w.today.AddDate(0, 0, -120), w.today)
		wantCode(t, err, errs.Forbidden, "")
		other := ok(w.svc.ComputeFigures(w.ctx, w.as("man59"), "62", w.today.AddDate(0, 0, -120), w.today))(t)
		if other.Territory != "59" || other.OrientedInTime.Den != 0 {
			t.Errorf("a manager of the Nord read the Pas-de-Calais: %+v", other)
		}
	})
}
