package pathway

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/errs"
)

// Ratio is a share with its parts, so a report can say "12 of 40".
type Ratio struct {
	Num, Den int
}

// Percent is the share in percent, 0 when there is nothing to count.
func (r Ratio) Percent() float64 {
	if r.Den == 0 {
		return 0
	}
	return 100 * float64(r.Num) / float64(r.Den)
}

// Caseload is the number of people a référent leads.
type Caseload struct {
	UserID, Name, OrgName string
	People                int
}

// Figures are the steering figures of the shared pathway over a period.
type Figures struct {
	Territory string
	From, To  time.Time
	// OrientedInTime counts first orientations of the period decided within 6 weeks of the rights.
	OrientedInTime Ratio
	// ContractInTime counts orientations of the period followed by a signed contract within a month.
	ContractInTime Ratio
	// MedianStepGapDays is the median wait between the end of a step and the start of the next.
	MedianStepGapDays float64
	StepGaps          int
	// NoShows counts appointments of the period missed without excuse, out of those with an outcome.
	NoShows Ratio
	// Retention6Months counts 6-month check-ins of the period where the person was still in work.
	Retention6Months Ratio
	Caseloads        []Caseload
	MeanCaseload     float64
	// Evaluation: links answered out of links issued in the period, and the mean overall score.
	EvaluationResponse Ratio
	EvaluationMean     float64
	Evaluations        int
}

// ComputeFigures returns the figures of a territory for the actor: the
// département's managers (and the system) only, as they are published.
func (s *Service) ComputeFigures(ctx context.Context, a access.Actor, territory string, from, to time.Time) (Figures, error) {
	switch {
	case !a.Authenticated():
		return Figures{}, errs.New(errs.Unauthorized, "Connexion requise.")
	case !a.System && !access.IsDeptManager(a):
		return Figures{}, errs.New(errs.Forbidden, "Les chiffres du parcours sont réservés aux responsables du département.")
	case !a.System:
		territory = a.Territory
	}
	if to.Before(from) {
		return Figures{}, errs.FieldErrors{"to": "La fin de période précède son début."}.Err()
	}
	f := Figures{Territory: territory, From: from, To: to}
	for _, step := range []func(context.Context, *Figures) error{s.orientationFigures, s.stepGapFigures, s.appointmentFigures, s.retentionFigures, s.caseloadFigures, s.evaluationFigures} {
		if err := step(ctx, &f); err != nil {
			return Figures{}, err
		}
	}
	return f, audit.Log(ctx, s.db, a, audit.Event{Action: "pathway.figures", ObjectType: "territory", ObjectID: territory})
}

// orientationFigures counts the first orientations of the period on time, and their contracts.
func (s *Service) orientationFigures(ctx context.Context, f *Figures) error {
	rows, err := s.db.QueryContext(ctx, `SELECT o.rights_date, o.decided_on, o.track,
		(SELECT MIN(c.signed_on) FROM contracts c WHERE c.person_id = o.person_id AND c.signed_on IS NOT NULL AND c.signed_on >= o.decided_on)
		FROM orientations o JOIN persons p ON p.id = o.person_id
		WHERE p.territory = $1 AND o.request_id = '' AND o.decided_on >= $2 AND o.decided_on <= $3
		AND o.decided_on = (SELECT MIN(o2.decided_on) FROM orientations o2 WHERE o2.person_id = o.person_id)`, f.Territory, day(f.From), day(f.To))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rights sql.NullTime
		var decided time.Time
		var track Track
		var signed any
		if err := rows.Scan(&rights, &decided, &track, &signed); err != nil {
			return err
		}
		if rights.Valid {
			f.OrientedInTime.Den++
			if !decided.After(OrientationDeadline(rights.Time)) {
				f.OrientedInTime.Num++
			}
		}
		f.ContractInTime.Den++
		if d := asDay(signed); !d.IsZero() && !d.After(ContractDeadline(decided.UTC(), track)) {
			f.ContractInTime.Num++
		}
	}
	return rows.Err()
}

// stepGapFigures measures the waits between consecutive lasting steps that end in the period.
func (s *Service) stepGapFigures(ctx context.Context, f *Figures) error {
	rows, err := s.db.QueryContext(ctx, `SELECT st.person_id, st.start_date, st.end_date FROM steps st JOIN persons p ON p.id = st.person_id
		WHERE p.territory = $1 AND st.kind IN `+durationKinds+` AND st.start_date <= $2
		ORDER BY st.person_id, st.start_date`, f.Territory, day(f.To))
	if err != nil {
		return err
	}
	defer rows.Close()
	var gaps []float64
	var person string
	var lastEnd *time.Time
	for rows.Next() {
		var id string
		var start time.Time
		var end sql.NullTime
		if err := rows.Scan(&id, &start, &end); err != nil {
			return err
		}
		if id != person {
			person, lastEnd = id, nil
		}
		if lastEnd != nil && !lastEnd.Before(f.From) && !lastEnd.After(f.To) {
			// A step that starts before the previous one ends follows it without a wait.
			gaps = append(gaps, max(0, start.Sub(*lastEnd).Hours()/24))
		}
		switch {
		case !end.Valid:
			lastEnd = nil
		case lastEnd == nil || end.Time.After(*lastEnd):
			e := end.Time.UTC()
			lastEnd = &e
		}
	}
	f.StepGaps, f.MedianStepGapDays = len(gaps), median(gaps)
	return rows.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func (s *Service) appointmentFigures(ctx context.Context, f *Figures) error {
	return s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN st.outcome = 'no_show' THEN 1 ELSE 0 END), 0), count(*)
		FROM steps st JOIN persons p ON p.id = st.person_id
		WHERE p.territory = $1 AND st.kind = 'appointment' AND st.outcome IN ('seen', 'no_show', 'excused')
		AND st.start_date >= $2 AND st.start_date <= $3`, f.Territory, day(f.From), day(f.To)).Scan(&f.NoShows.Num, &f.NoShows.Den)
}

func (s *Service) retentionFigures(ctx context.Context, f *Figures) error {
	return s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN ck.in_work THEN 1 ELSE 0 END), 0), count(*)
		FROM checkins ck JOIN persons p ON p.id = ck.person_id
		WHERE p.territory = $1 AND ck.months = 6 AND ck.done_on IS NOT NULL AND ck.in_work IS NOT NULL
		AND ck.due_date >= $2 AND ck.due_date <= $3`, f.Territory, day(f.From), day(f.To)).Scan(&f.Retention6Months.Num, &f.Retention6Months.Den)
}

// caseloadFigures counts the people each référent leads on the last day of the period.
func (s *Service) caseloadFigures(ctx context.Context, f *Figures) error {
	rows, err := s.db.QueryContext(ctx, `SELECT m.user_id, u.first_name || ' ' || u.last_name, o.name, count(*)
		FROM follow_up_members m JOIN persons p ON p.id = m.person_id JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.organisation_id
		WHERE p.territory = $1 AND m.role = 'referent' AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2)
		GROUP BY m.user_id, u.first_name, u.last_name, o.name`, f.Territory, day(f.To))
	if err != nil {
		return err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var c Caseload
		if err := rows.Scan(&c.UserID, &c.Name, &c.OrgName, &c.People); err != nil {
			return err
		}
		total += c.People
		f.Caseloads = append(f.Caseloads, c)
	}
	slices.SortFunc(f.Caseloads, func(x, y Caseload) int { return cmp.Or(cmp.Compare(y.People, x.People), cmp.Compare(x.Name, y.Name)) })
	if len(f.Caseloads) > 0 {
		f.MeanCaseload = float64(total) / float64(len(f.Caseloads))
	}
	return rows.Err()
}

// evaluationFigures reads the people's evaluations of the period, aggregated
// over the territory: answers hold no person, only a month.
func (s *Service) evaluationFigures(ctx context.Context, f *Figures) error {
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN used_at IS NOT NULL THEN 1 ELSE 0 END), 0), count(*)
		FROM evaluation_links WHERE territory = $1 AND created_at >= $2 AND created_at < $3`,
		f.Territory, f.From, f.To.AddDate(0, 0, 1)).Scan(&f.EvaluationResponse.Num, &f.EvaluationResponse.Den)
	if err != nil {
		return err
	}
	var mean sql.NullFloat64
	err = s.db.QueryRowContext(ctx, `SELECT AVG(overall * 1.0), count(*) FROM evaluation_answers WHERE territory = $1 AND period >= $2 AND period <= $3`,
		f.Territory, f.From.Format("2006-01"), f.To.Format("2006-01")).Scan(&mean, &f.Evaluations)
	if f.Evaluations >= minEvaluations {
		f.EvaluationMean = mean.Float64
	}
	return err
}

// Indicator is one published figure, as the report and the page list them.
type Indicator struct {
	Label  string
	Value  string
	Detail string
	// Percent is set for shares, to draw their bar.
	Percent float64
	Share   bool
}

// Indicators lists the figures in the order the département publishes them.
func (f Figures) Indicators() []Indicator {
	share := func(label string, r Ratio, of string) Indicator {
		return Indicator{Label: label, Value: fmt.Sprintf("%.0f %%", r.Percent()), Detail: fmt.Sprintf("%d sur %d %s", r.Num, r.Den, of), Percent: r.Percent(), Share: true}
	}
	return []Indicator{
		share("Orientés dans les 6 semaines", f.OrientedInTime, "premières orientations"),
		share("Contrat signé dans le mois", f.ContractInTime, "orientations"),
		{Label: "Délai médian entre deux étapes", Value: fmt.Sprintf("%.0f jours", f.MedianStepGapDays), Detail: fmt.Sprintf("%d enchaînements", f.StepGaps)},
		{Label: "Personnes par référent (moyenne)", Value: fmt.Sprintf("%.1f", f.MeanCaseload), Detail: fmt.Sprintf("%d référents", len(f.Caseloads))},
		share("Absences aux rendez-vous", f.NoShows, "rendez-vous renseignés"),
		share("Toujours en emploi à 6 mois", f.Retention6Months, "suivis à 6 mois"),
		share("Taux de réponse aux avis", f.EvaluationResponse, "liens envoyés"),
		f.evaluationMean(),
	}
}

// BarWidth is the length of the share's bar on a 200-pixel scale.
func (i Indicator) BarWidth() int { return int(i.Percent*2 + 0.5) }

// minEvaluations is the fewest answers whose mean is shown: below, one
// answer could be read from the difference between two periods.
const minEvaluations = 5

func (f Figures) evaluationMean() Indicator {
	in := Indicator{Label: "Note moyenne donnée par les personnes", Value: "moins de 5 avis", Detail: fmt.Sprintf("%d avis", f.Evaluations)}
	if f.Evaluations >= minEvaluations {
		in.Value = fmt.Sprintf("%.1f / 10", f.EvaluationMean)
	}
	return in
}
