package jobs

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"tremplin/internal/platform/db"
)

const positioningColumns = `ps.id, ps.offer_id, f.title, ps.employer_org_id, o.name, ps.person_id, p.last_name || ' ' || p.first_name,
	ps.state, ps.reason, ps.proposed_by, ps.proposed_by_org, ps.step_id, ps.sent_at, ps.created_at, ps.updated_at`

const positioningFrom = ` FROM positionings ps JOIN offers f ON f.id = ps.offer_id
	JOIN organisations o ON o.id = ps.employer_org_id JOIN persons p ON p.id = ps.person_id`

func scanPositioning(sc interface{ Scan(...any) error }) (Positioning, error) {
	var p Positioning
	var sent sql.NullTime
	err := sc.Scan(&p.ID, &p.OfferID, &p.OfferTitle, &p.EmployerOrgID, &p.EmployerName, &p.PersonID, &p.PersonName,
		&p.State, &p.Reason, &p.ProposedBy, &p.ProposedByOrg, &p.StepID, &sent, &p.CreatedAt, &p.UpdatedAt)
	p.SentAt = db.TimePtr(sent)
	return p, err
}

func insertPositioning(ctx context.Context, q db.Querier, p Positioning) error {
	_, err := q.ExecContext(ctx, `INSERT INTO positionings (id, offer_id, person_id, employer_org_id, state, reason, proposed_by,
		proposed_by_org, step_id, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)`,
		p.ID, p.OfferID, p.PersonID, p.EmployerOrgID, p.State, p.Reason, p.ProposedBy, p.ProposedByOrg, p.StepID, p.CreatedAt)
	return err
}

// movePositioning changes the state if it is still from: a concurrent move
// makes it report false rather than overwrite.
func movePositioning(ctx context.Context, q db.Querier, id, from, to, reason, stepID string, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE positionings SET state = $3, reason = $4, step_id = CASE WHEN $5 = '' THEN step_id ELSE $5 END,
		sent_at = CASE WHEN $3 = 'sent' AND sent_at IS NULL THEN $6 ELSE sent_at END, updated_at = $6
		WHERE id = $1 AND state = $2`, id, from, to, reason, stepID, at)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func insertEvent(ctx context.Context, q db.Querier, positioningID, from, to, reason, note, userID, orgID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO positioning_events (id, positioning_id, from_state, to_state, reason, note, user_id, organisation_id, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, db.NewID(), positioningID, from, to, reason, note, userID, orgID, at)
	return err
}

func getPositioning(ctx context.Context, q db.Querier, id string) (Positioning, bool, error) {
	p, err := scanPositioning(q.QueryRowContext(ctx, `SELECT `+positioningColumns+positioningFrom+` WHERE ps.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Positioning{}, false, nil
	}
	return p, err == nil, err
}

func eventsOf(ctx context.Context, q db.Querier, positioningID string) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.organisation_id, e.from_state, e.to_state, e.reason, e.note, COALESCE(u.first_name || ' ' || u.last_name, ''),
		COALESCE(o.name, ''), e.at FROM positioning_events e LEFT JOIN users u ON u.id = e.user_id
		LEFT JOIN organisations o ON o.id = e.organisation_id WHERE e.positioning_id = $1 ORDER BY e.at, e.id`, positioningID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.OrgID, &e.From, &e.To, &e.Reason, &e.Note, &e.UserName, &e.OrgName, &e.At); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// positioningsWhere lists positionings matching a condition built on ps, f and p.
func positioningsWhere(ctx context.Context, q db.Querier, w *db.Where, limit int) ([]Positioning, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+positioningColumns+positioningFrom+w.String()+
		` ORDER BY ps.updated_at DESC, ps.id`+w.Page(limit, 0), w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Positioning{}
	for rows.Next() {
		p, err := scanPositioning(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// referentsOf returns the users who follow a person today as référents.
func referentsOf(ctx context.Context, q db.Querier, personID string, today string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT user_id FROM follow_up_members WHERE person_id = $1 AND role = 'referent'
		AND start_date <= $2 AND (end_date IS NULL OR end_date >= $2)`, personID, today)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// reopenPositioning proposes again a candidacy of the same person on the
// same offer that ended in a refusal or a withdrawal: it returns its id and
// former state, or "" when there is none to reopen. It is no longer sent.
func reopenPositioning(ctx context.Context, q db.Querier, p Positioning) (string, string, error) {
	var id, state string
	err := q.QueryRowContext(ctx, `SELECT id, state FROM positionings WHERE offer_id = $1 AND person_id = $2`, p.OfferID, p.PersonID).Scan(&id, &state)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && state != StateRefused && state != StateWithdrawn) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	_, err = q.ExecContext(ctx, `UPDATE positionings SET state = 'proposed', reason = '', sent_at = NULL, proposed_by = $2,
		proposed_by_org = $3, updated_at = $4 WHERE id = $1 AND state = $5`, id, p.ProposedBy, p.ProposedByOrg, p.CreatedAt, state)
	return id, state, err
}
