package steps

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"tremplin/internal/platform/db"
)

// day formats a date the way DATE columns are written on both engines.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// nullDay formats an optional date, NULL when absent.
func nullDay(t *time.Time) any {
	if t == nil {
		return nil
	}
	return day(*t)
}

// timeOf returns a nullable date or timestamp as a *time.Time in UTC.
func timeOf(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

const stepColumns = `s.id, s.person_id, s.kind, s.subtype, s.title, s.detail, s.siret, s.organisation_id, o.name,
	s.author_id, u.first_name || ' ' || u.last_name, s.start_date, s.end_date, s.scheduled_at, s.outcome, s.created_at, s.updated_at`

const stepFrom = ` FROM steps s JOIN organisations o ON o.id = s.organisation_id JOIN users u ON u.id = s.author_id`

// stepOrder puts the latest steps first; on one day, appointments by their hour.
const stepOrder = ` ORDER BY s.start_date DESC, CASE WHEN s.scheduled_at IS NULL THEN 1 ELSE 0 END, s.scheduled_at DESC, s.created_at DESC, s.id DESC`

func scanStep(s interface{ Scan(...any) error }) (Step, error) {
	var st Step
	var end, at sql.NullTime
	err := s.Scan(&st.ID, &st.PersonID, &st.Kind, &st.Subtype, &st.Title, &st.Detail, &st.SIRET, &st.OrgID, &st.OrgName,
		&st.AuthorID, &st.AuthorName, &st.Start, &end, &at, &st.Outcome, &st.CreatedAt, &st.UpdatedAt)
	st.Start = dayOf(st.Start.UTC())
	st.End, st.ScheduledAt = timeOf(end), timeOf(at)
	if st.End != nil {
		*st.End = dayOf(*st.End)
	}
	return st, err
}

func insertStep(ctx context.Context, q db.Querier, st Step) error {
	_, err := q.ExecContext(ctx, `INSERT INTO steps (id, person_id, kind, subtype, title, organisation_id, author_id,
		start_date, end_date, scheduled_at, outcome, detail, siret, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14)`,
		st.ID, st.PersonID, st.Kind, st.Subtype, st.Title, st.OrgID, st.AuthorID, day(st.Start), nullDay(st.End),
		st.ScheduledAt, st.Outcome, st.Detail, st.SIRET, st.CreatedAt)
	return err
}

func getStep(ctx context.Context, q db.Querier, id string) (Step, error) {
	st, err := scanStep(q.QueryRowContext(ctx, `SELECT `+stepColumns+stepFrom+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, errStepNotFound
	}
	return st, err
}

// listSteps returns a page of a person's timeline, latest first, and the total.
func listSteps(ctx context.Context, q db.Querier, personID, kind string, limit, offset int) ([]Step, int, error) {
	var w db.Where
	w.Add("s.person_id = $%d", personID)
	if kind != "" {
		w.Add("s.kind = $%d", kind)
	}
	where := w.String()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM steps s`+where, w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+stepColumns+stepFrom+where+stepOrder+w.Page(limit, offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := collectSteps(rows)
	return out, total, err
}

// awaitingOutcome returns the person's steps that take an outcome and have none yet.
func awaitingOutcome(ctx context.Context, q db.Querier, personID string) ([]Step, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+stepColumns+stepFrom+` WHERE s.person_id = $1 AND s.kind IN ($2, $3) AND s.outcome = ''`+stepOrder,
		personID, KindAppointment, KindPMSMP)
	if err != nil {
		return nil, err
	}
	return collectSteps(rows)
}

func collectSteps(rows *sql.Rows) ([]Step, error) {
	defer rows.Close()
	out := []Step{}
	for rows.Next() {
		st, err := scanStep(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func setOutcome(ctx context.Context, q db.Querier, id, outcome string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE steps SET outcome = $1, updated_at = $2 WHERE id = $3`, outcome, now, id)
	return err
}

func insertCheckins(ctx context.Context, q db.Querier, cs []Checkin) error {
	for _, c := range cs {
		if _, err := q.ExecContext(ctx, `INSERT INTO checkins (id, person_id, step_id, months, due_date, created_at)
			VALUES ($1,$2,$3,$4,$5,$6)`, c.ID, c.PersonID, c.StepID, c.Months, day(c.Due), c.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

const checkinColumns = `c.id, c.person_id, c.step_id, c.months, c.due_date, c.done_on, c.in_work, c.reason, c.reason_detail,
	c.recorded_by, COALESCE(u.first_name || ' ' || u.last_name, ''), s.kind, s.subtype, s.title, s.start_date, c.created_at`

const checkinFrom = ` FROM checkins c JOIN steps s ON s.id = c.step_id LEFT JOIN users u ON u.id = c.recorded_by`

func scanCheckin(s interface{ Scan(...any) error }) (Checkin, error) {
	var c Checkin
	var done sql.NullTime
	var inWork sql.NullBool
	err := s.Scan(&c.ID, &c.PersonID, &c.StepID, &c.Months, &c.Due, &done, &inWork, &c.Reason, &c.ReasonDetail,
		&c.RecordedBy, &c.RecordedByName, &c.StepKind, &c.StepSubtype, &c.StepTitle, &c.StepStart, &c.CreatedAt)
	c.Due, c.StepStart = dayOf(c.Due.UTC()), dayOf(c.StepStart.UTC())
	if c.DoneOn = timeOf(done); c.DoneOn != nil {
		*c.DoneOn = dayOf(*c.DoneOn)
	}
	if inWork.Valid {
		c.InWork = &inWork.Bool
	}
	return c, err
}

// listCheckins returns a person's check-ins, the earliest due first.
func listCheckins(ctx context.Context, q db.Querier, personID string) ([]Checkin, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+checkinColumns+checkinFrom+` WHERE c.person_id = $1 ORDER BY c.due_date, c.months, c.id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Checkin{}
	for rows.Next() {
		c, err := scanCheckin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func getCheckin(ctx context.Context, q db.Querier, id string) (Checkin, error) {
	c, err := scanCheckin(q.QueryRowContext(ctx, `SELECT `+checkinColumns+checkinFrom+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errCheckinNotFound
	}
	return c, err
}

func recordCheckin(ctx context.Context, q db.Querier, c Checkin) error {
	_, err := q.ExecContext(ctx, `UPDATE checkins SET done_on = $1, in_work = $2, reason = $3, reason_detail = $4, recorded_by = $5
		WHERE id = $6`, nullDay(c.DoneOn), *c.InWork, c.Reason, c.ReasonDetail, c.RecordedBy, c.ID)
	return err
}

const objectiveColumns = `id, person_id, theme, title, contract_id, status, created_by, created_at, updated_at`

func scanObjective(s interface{ Scan(...any) error }) (Objective, error) {
	var o Objective
	err := s.Scan(&o.ID, &o.PersonID, &o.Theme, &o.Title, &o.ContractID, &o.Status, &o.CreatedBy, &o.CreatedAt, &o.UpdatedAt)
	return o, err
}

func insertObjective(ctx context.Context, q db.Querier, o Objective) error {
	_, err := q.ExecContext(ctx, `INSERT INTO plan_objectives (id, person_id, theme, title, contract_id, status, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)`, o.ID, o.PersonID, o.Theme, o.Title, o.ContractID, o.Status, o.CreatedBy, o.CreatedAt)
	return err
}

func getObjective(ctx context.Context, q db.Querier, id string) (Objective, error) {
	o, err := scanObjective(q.QueryRowContext(ctx, `SELECT `+objectiveColumns+` FROM plan_objectives WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errObjectiveNotFound
	}
	return o, err
}

func setObjectiveStatus(ctx context.Context, q db.Querier, id, status string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE plan_objectives SET status = $1, updated_at = $2 WHERE id = $3`, status, now, id)
	return err
}

const actionColumns = `a.id, a.person_id, a.objective_id, a.title, a.owner_id, COALESCE(u.first_name || ' ' || u.last_name, ''),
	a.owner_org_id, a.due_date, a.status, a.created_at, a.updated_at`

const actionFrom = ` FROM plan_actions a LEFT JOIN users u ON u.id = a.owner_id`

func scanAction(s interface{ Scan(...any) error }) (Action, error) {
	var a Action
	var due sql.NullTime
	err := s.Scan(&a.ID, &a.PersonID, &a.ObjectiveID, &a.Title, &a.OwnerID, &a.OwnerName, &a.OwnerOrgID, &due, &a.Status, &a.CreatedAt, &a.UpdatedAt)
	if a.Due = timeOf(due); a.Due != nil {
		*a.Due = dayOf(*a.Due)
	}
	return a, err
}

func insertAction(ctx context.Context, q db.Querier, a Action, createdBy string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO plan_actions (id, person_id, objective_id, title, owner_id, owner_org_id, due_date, status,
		created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)`,
		a.ID, a.PersonID, a.ObjectiveID, a.Title, a.OwnerID, a.OwnerOrgID, nullDay(a.Due), a.Status, createdBy, a.CreatedAt)
	return err
}

func getAction(ctx context.Context, q db.Querier, id string) (Action, error) {
	a, err := scanAction(q.QueryRowContext(ctx, `SELECT `+actionColumns+actionFrom+` WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errActionNotFound
	}
	return a, err
}

func setActionStatus(ctx context.Context, q db.Querier, id, status string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE plan_actions SET status = $1, updated_at = $2 WHERE id = $3`, status, now, id)
	return err
}

// loadPlan returns a person's objectives in creation order with their
// actions by due date (undated last), and the actions tied to none.
func loadPlan(ctx context.Context, q db.Querier, personID string) (Plan, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+objectiveColumns+` FROM plan_objectives WHERE person_id = $1 ORDER BY created_at, id`, personID)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Objectives: []Objective{}, Other: []Action{}}
	index := map[string]int{}
	for rows.Next() {
		o, err := scanObjective(rows)
		if err != nil {
			rows.Close()
			return Plan{}, err
		}
		o.Actions = []Action{}
		index[o.ID] = len(plan.Objectives)
		plan.Objectives = append(plan.Objectives, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Plan{}, err
	}
	rows, err = q.QueryContext(ctx, `SELECT `+actionColumns+actionFrom+` WHERE a.person_id = $1
		ORDER BY CASE WHEN a.due_date IS NULL THEN 1 ELSE 0 END, a.due_date, a.created_at, a.id`, personID)
	if err != nil {
		return Plan{}, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return Plan{}, err
		}
		if i, ok := index[a.ObjectiveID]; ok {
			plan.Objectives[i].Actions = append(plan.Objectives[i].Actions, a)
		} else {
			plan.Other = append(plan.Other, a)
		}
	}
	return plan, rows.Err()
}

// stepOrg is what a step needs to know of its organisation.
type stepOrg struct {
	Name, Kind, SIAEKind, Territory string
}

// orgOf returns an enabled organisation, ok false when there is none.
func orgOf(ctx context.Context, q db.Querier, id string) (stepOrg, bool, error) {
	var o stepOrg
	err := q.QueryRowContext(ctx, `SELECT name, kind, siae_kind, territory FROM organisations WHERE id = $1 AND disabled_at IS NULL`, id).
		Scan(&o.Name, &o.Kind, &o.SIAEKind, &o.Territory)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	return o, err == nil, err
}

// Contract is a person's contract as the plan form offers it.
type Contract struct {
	ID         string
	Kind       string
	Start, End time.Time
}

// contractsOf returns a person's contracts, the latest first.
func contractsOf(ctx context.Context, q db.Querier, personID string) ([]Contract, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, start_date, end_date FROM contracts WHERE person_id = $1 ORDER BY start_date DESC, id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Contract
	for rows.Next() {
		var c Contract
		if err := rows.Scan(&c.ID, &c.Kind, &c.Start, &c.End); err != nil {
			return nil, err
		}
		c.Start, c.End = dayOf(c.Start.UTC()), dayOf(c.End.UTC())
		out = append(out, c)
	}
	return out, rows.Err()
}

// contractPerson returns the person a contract belongs to, "" when there is no such contract.
func contractPerson(ctx context.Context, q db.Querier, id string) (string, error) {
	var personID string
	err := q.QueryRowContext(ctx, `SELECT person_id FROM contracts WHERE id = $1`, id).Scan(&personID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return personID, err
}
