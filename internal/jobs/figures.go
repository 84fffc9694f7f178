package jobs

import (
	"context"
	"sort"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Figures are the jobs figures of a territory over a period, for the
// steering report.
type Figures struct {
	Territory string
	From, To  time.Time
	// OffersPublished counts the offers created in the period, Positions their positions.
	OffersPublished int
	Positions       int
	// OpenOffers counts the offers open at the end of the period.
	OpenOffers int
	// CVsOnline counts the online CVs of the territory's people at the time of the report.
	CVsOnline int
	// PositioningsByState counts the candidacies created in the period by their current state.
	PositioningsByState map[string]int
	Positionings        int
	// Hires counts the candidacies that reached hired in the period.
	Hires int
	// MedianDaysToHire is the median time from positioning to hire of those hires.
	MedianDaysToHire float64
}

// CanReadFigures reports whether the actor may read a territory's jobs figures.
func CanReadFigures(a access.Actor, territory string) bool {
	return a.System || (access.IsDeptManager(a) && a.Territory == territory)
}

// ComputeFigures computes the jobs figures of a territory over [from, to].
func (s *Service) ComputeFigures(ctx context.Context, a access.Actor, territory string, from, to time.Time) (Figures, error) {
	if !CanReadFigures(a, territory) {
		return Figures{}, errs.New(errs.Forbidden, "Les chiffres d'un territoire sont réservés à ses responsables.")
	}
	f := Figures{Territory: territory, From: from, To: to, PositioningsByState: map[string]int{}}
	end := to.AddDate(0, 0, 1)
	q := s.db
	if err := q.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(positions), 0) FROM offers
		WHERE territory = $1 AND created_at >= $2 AND created_at < $3`, territory, from, end).Scan(&f.OffersPublished, &f.Positions); err != nil {
		return f, err
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM offers WHERE territory = $1 AND created_at < $2
		AND (closed_at IS NULL OR closed_at >= $2)`, territory, end).Scan(&f.OpenOffers); err != nil {
		return f, err
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM cvs v JOIN persons p ON p.id = v.person_id
		WHERE p.territory = $1 AND v.online AND p.merged_into = ''`, territory).Scan(&f.CVsOnline); err != nil {
		return f, err
	}
	if err := positioningsByState(ctx, q, territory, from, end, f.PositioningsByState); err != nil {
		return f, err
	}
	for _, n := range f.PositioningsByState {
		f.Positionings += n
	}
	days, err := daysToHire(ctx, q, territory, from, end)
	if err != nil {
		return f, err
	}
	f.Hires, f.MedianDaysToHire = len(days), median(days)
	return f, nil
}

func positioningsByState(ctx context.Context, q db.Querier, territory string, from, end time.Time, into map[string]int) error {
	rows, err := q.QueryContext(ctx, `SELECT ps.state, count(*) FROM positionings ps JOIN offers f ON f.id = ps.offer_id
		WHERE f.territory = $1 AND ps.created_at >= $2 AND ps.created_at < $3 GROUP BY ps.state`, territory, from, end)
	if err != nil {
		return err
	}
	defer rows.Close()
	for _, st := range States {
		into[st.Value] = 0
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return err
		}
		into[state] = n
	}
	return rows.Err()
}

// daysToHire returns, for the hires of the period, the days from positioning to hire.
func daysToHire(ctx context.Context, q db.Querier, territory string, from, end time.Time) ([]float64, error) {
	rows, err := q.QueryContext(ctx, `SELECT ps.created_at, e.at FROM positioning_events e
		JOIN positionings ps ON ps.id = e.positioning_id JOIN offers f ON f.id = ps.offer_id
		WHERE e.to_state = 'hired' AND f.territory = $1 AND e.at >= $2 AND e.at < $3`, territory, from, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []float64
	for rows.Next() {
		var created, hired time.Time
		if err := rows.Scan(&created, &hired); err != nil {
			return nil, err
		}
		out = append(out, hired.Sub(created).Hours()/24)
	}
	return out, rows.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	v := s[m]
	if len(s)%2 == 0 {
		v = (s[m-1] + s[m]) / 2
	}
	return float64(int(v*10+0.5)) / 10
}
