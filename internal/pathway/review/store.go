package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

var (
	errNotFound     = errs.New(errs.NotFound, "Commission introuvable.")
	errItemNotFound = errs.New(errs.NotFound, "Point de l'ordre du jour introuvable.")
)

// day is a DATE column or aggregate read back on either engine: SQLite hands
// back text for an aggregate, PostgreSQL a time.
type day struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (d *day) Scan(v any) error {
	var s string
	switch x := v.(type) {
	case nil:
		*d = day{}
		return nil
	case time.Time:
		*d = day{Time: time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("date: unexpected %T", v)
	}
	if len(s) < 10 {
		return fmt.Errorf("date: unexpected %q", s)
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	*d = day{Time: t, Valid: err == nil}
	return err
}

const reviewColumns = `r.id, r.territory, r.organisation_id, o.name, r.kind, r.title, r.held_on, r.status,
	r.created_by, u.first_name || ' ' || u.last_name, r.created_at`

const reviewFrom = ` FROM case_reviews r JOIN organisations o ON o.id = r.organisation_id JOIN users u ON u.id = r.created_by`

func scanReview(s interface{ Scan(...any) error }, extra ...any) (Review, error) {
	var r Review
	var held day
	err := s.Scan(append([]any{&r.ID, &r.Territory, &r.OrgID, &r.OrgName, &r.Kind, &r.Title, &held, &r.Status,
		&r.CreatedBy, &r.CreatedByName, &r.CreatedAt}, extra...)...)
	r.HeldOn = held.Time
	r.CreatedByName = strings.TrimSpace(r.CreatedByName)
	return r, err
}

// insertReview stores a new review.
func insertReview(ctx context.Context, q db.Querier, r Review) error {
	_, err := q.ExecContext(ctx, `INSERT INTO case_reviews (id, territory, organisation_id, kind, title, held_on, status, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		r.ID, r.Territory, r.OrgID, string(r.Kind), r.Title, r.HeldOn.Format(time.DateOnly), r.Status, r.CreatedBy, r.CreatedAt)
	return err
}

// getReview loads a review with its participants.
func getReview(ctx context.Context, q db.Querier, id string) (Review, error) {
	r, err := scanReview(q.QueryRowContext(ctx, `SELECT `+reviewColumns+reviewFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNotFound
	}
	if err != nil {
		return r, err
	}
	r.Participants, err = participantsOf(ctx, q, id)
	return r, err
}

// participantsOf lists the participants of a review by organisation and name.
func participantsOf(ctx context.Context, q db.Querier, reviewID string) ([]Participant, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.user_id, u.first_name || ' ' || u.last_name, u.email, p.organisation_id, o.name
		FROM case_review_participants p JOIN users u ON u.id = p.user_id JOIN organisations o ON o.id = p.organisation_id
		WHERE p.review_id = $1 ORDER BY o.name, u.last_name, u.first_name, u.id`, reviewID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Participant
	for rows.Next() {
		var p Participant
		if err := rows.Scan(&p.UserID, &p.Name, &p.Email, &p.OrgID, &p.OrgName); err != nil {
			return nil, err
		}
		p.Name = strings.TrimSpace(p.Name)
		if p.Name == "" {
			p.Name = p.Email
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// insertParticipant seats a professional in a review; seating them twice changes nothing.
func insertParticipant(ctx context.Context, q db.Querier, reviewID, userID, orgID string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO case_review_participants (review_id, user_id, organisation_id) VALUES ($1,$2,$3)
		ON CONFLICT (review_id, user_id) DO NOTHING`, reviewID, userID, orgID)
	return err
}

// reviewScopeSQL turns a review scope into a condition that agrees with access.CanCaseReview.
func reviewScopeSQL(s access.ReviewScope, w *db.Where) string {
	if s.All {
		return "1=1"
	}
	if s.None {
		return "1=0"
	}
	arg := w.Arg
	var ors []string
	if s.Territory != "" {
		ors = append(ors, "r.territory = "+arg(s.Territory))
	}
	if s.OrgID != "" {
		ors = append(ors, "r.organisation_id = "+arg(s.OrgID))
	}
	if s.CreatorID != "" {
		ors = append(ors, "(r.created_by = "+arg(s.CreatorID)+" AND r.organisation_id = "+arg(s.CreatorOrgID)+")")
	}
	if s.ParticipantID != "" {
		ors = append(ors, "r.id IN (SELECT cp.review_id FROM case_review_participants cp WHERE cp.user_id = "+arg(s.ParticipantID)+
			" AND cp.organisation_id = "+arg(s.ParticipantOrgID)+")")
	}
	if len(ors) == 0 {
		return "1=0"
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// listReviews returns a page of the reviews in scope, latest first, with
// the number of points on each agenda.
func listReviews(ctx context.Context, q db.Querier, s access.ReviewScope, f Filter) ([]Review, int, error) {
	var w db.Where
	w.Raw(reviewScopeSQL(s, &w))
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM case_reviews r`+w.String(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	where := w.String()
	rows, err := q.QueryContext(ctx, `SELECT `+reviewColumns+`, (SELECT count(*) FROM case_review_items i WHERE i.review_id = r.id)`+
		reviewFrom+where+` ORDER BY r.held_on DESC, r.created_at DESC, r.id`+w.Page(f.Limit, f.Offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		var n int
		r, err := scanReview(rows, &n)
		if err != nil {
			return nil, 0, err
		}
		r.ItemCount = n
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// setStatus changes the status of a review.
func setStatus(ctx context.Context, q db.Querier, id, status string) error {
	_, err := q.ExecContext(ctx, `UPDATE case_reviews SET status = $1 WHERE id = $2`, status, id)
	return err
}

const itemColumns = `i.id, i.review_id, i.person_id, p.last_name || ' ' || p.first_name, i.kind, i.reasons, i.added_by,
	i.decision, i.decided_at, i.decided_by, i.sanction_rate, i.sanction_months, i.sanction_outcome, i.heard, i.heard_note, i.created_at`

const itemFrom = ` FROM case_review_items i JOIN persons p ON p.id = i.person_id`

func scanItem(s interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var decided sql.NullTime
	err := s.Scan(&it.ID, &it.ReviewID, &it.PersonID, &it.PersonName, &it.Kind, &it.Reasons, &it.AddedBy,
		&it.Decision, &decided, &it.DecidedBy, &it.SanctionRate, &it.SanctionMonths, &it.SanctionOutcome, &it.Heard, &it.HeardNote, &it.CreatedAt)
	if decided.Valid {
		t := decided.Time.UTC()
		it.DecidedAt = &t
	}
	return it, err
}

// itemsOf loads the agenda of a review with the actions of its decisions.
func itemsOf(ctx context.Context, q db.Querier, reviewID string) ([]Item, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.review_id = $1 ORDER BY i.created_at, i.id`, reviewID)
	if err != nil {
		return nil, err
	}
	var out []Item
	index := map[string]int{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[it.ID] = len(out)
		out = append(out, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	actions, err := actionsOf(ctx, q, `i.review_id = $1`, reviewID)
	for itemID, list := range actions {
		out[index[itemID]].Actions = list
	}
	return out, err
}

// getItem loads one agenda item with its actions.
func getItem(ctx context.Context, q db.Querier, id string) (Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, errItemNotFound
	}
	if err != nil {
		return it, err
	}
	actions, err := actionsOf(ctx, q, `i.id = $1`, id)
	it.Actions = actions[id]
	return it, err
}

// actionsOf loads the plan actions born from the items matching cond, by item.
func actionsOf(ctx context.Context, q db.Querier, cond string, arg string) (map[string][]Action, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.review_item_id, a.id, a.person_id, a.title, a.owner_id,
		COALESCE(u.first_name || ' ' || u.last_name, ''), a.owner_org_id, COALESCE(o.name, ''), a.due_date, a.status
		FROM plan_actions a JOIN case_review_items i ON i.id = a.review_item_id
		LEFT JOIN users u ON u.id = a.owner_id LEFT JOIN organisations o ON o.id = a.owner_org_id
		WHERE `+cond+` AND a.review_item_id <> '' ORDER BY a.due_date, a.created_at, a.id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Action{}
	for rows.Next() {
		var itemID string
		var a Action
		var due day
		if err := rows.Scan(&itemID, &a.ID, &a.PersonID, &a.Title, &a.OwnerID, &a.OwnerName, &a.OwnerOrgID, &a.OwnerOrg, &due, &a.Status); err != nil {
			return nil, err
		}
		a.OwnerName, a.DueDate = strings.TrimSpace(a.OwnerName), due.Time
		out[itemID] = append(out[itemID], a)
	}
	return out, rows.Err()
}

// insertItem adds a point to an agenda; a person already there for the same
// kind of point is a conflict.
func insertItem(ctx context.Context, q db.Querier, it Item) error {
	_, err := q.ExecContext(ctx, `INSERT INTO case_review_items (id, review_id, person_id, kind, reasons, added_by,
		sanction_rate, sanction_months, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		it.ID, it.ReviewID, it.PersonID, string(it.Kind), it.Reasons, it.AddedBy, it.SanctionRate, it.SanctionMonths, it.CreatedAt)
	if db.IsUniqueViolation(err) {
		return errs.FieldErrors{"person_id": "Cette personne est déjà à l'ordre du jour pour ce type de point."}.Err()
	}
	return err
}

// errDecided refuses a change to an item whose decision is recorded.
var errDecided = errs.New(errs.Conflict, "La décision sur ce point est déjà enregistrée.")

// updateOpenItem sets columns of an item still without decision; args hold
// the values of set's placeholders, the item's id comes last.
func updateOpenItem(ctx context.Context, q db.Querier, itemID, set string, args ...any) error {
	args = append(args, itemID)
	res, err := q.ExecContext(ctx, `UPDATE case_review_items SET `+set+` WHERE id = $`+strconv.Itoa(len(args))+` AND decided_at IS NULL`, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errDecided
	}
	return nil
}

// recordDecision writes the decision on an item still open.
func recordDecision(ctx context.Context, q db.Querier, itemID string, d Decision, by string, at time.Time) error {
	return updateOpenItem(ctx, q, itemID, `decision = $1, decided_at = $2, decided_by = $3, sanction_outcome = $4`,
		d.Text, at, by, string(d.Outcome))
}

// insertAction writes an action of the person's plan born from a decision.
func insertAction(ctx context.Context, q db.Querier, a Action, itemID, by string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO plan_actions (id, person_id, objective_id, title, owner_id, owner_org_id, due_date,
		status, review_item_id, created_by, created_at, updated_at) VALUES ($1,$2,'',$3,$4,$5,$6,$7,$8,$9,$10,$10)`,
		a.ID, a.PersonID, a.Title, a.OwnerID, a.OwnerOrgID, a.DueDate.Format(time.DateOnly), a.Status, itemID, by, at)
	return err
}

// staffRoles are the roles of the professionals who may sit in a review.
var staffRoles = []string{string(access.RoleReferent), string(access.RoleOrientation), string(access.RoleSIAEStaff),
	string(access.RoleFacilitator), string(access.RoleOrgAdmin), string(access.RoleManager)}

// staffFilter narrows the professionals of a territory to one account.
type staffFilter struct {
	Email  string
	UserID string
	OrgID  string
}

// staffOf lists the active professionals of a territory's organisations,
// each once per organisation, by organisation and name.
func staffOf(ctx context.Context, q db.Querier, territory string, f staffFilter, limit int) ([]StaffMember, error) {
	var w db.Where
	w.Add("o.territory = $%d", territory)
	roles := make([]string, 0, len(staffRoles))
	for _, r := range staffRoles {
		roles = append(roles, w.Arg(r))
	}
	w.Raw("m.role IN (" + strings.Join(roles, ",") + ")")
	w.Raw("u.disabled_at IS NULL AND o.disabled_at IS NULL")
	if f.Email != "" {
		w.Add("u.email = $%d", strings.ToLower(strings.TrimSpace(f.Email)))
	}
	if f.UserID != "" {
		w.Add("u.id = $%d", f.UserID)
	}
	if f.OrgID != "" {
		w.Add("o.id = $%d", f.OrgID)
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT u.id, u.first_name || ' ' || u.last_name, u.email, o.id, o.name, u.last_name, u.first_name
		FROM memberships m JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.organisation_id`+w.String()+`
		ORDER BY o.name, u.last_name, u.first_name, u.id, o.id LIMIT `+w.Arg(limit), w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StaffMember
	for rows.Next() {
		var m StaffMember
		var last, first string
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.OrgID, &m.OrgName, &last, &first); err != nil {
			return nil, err
		}
		m.Name = strings.TrimSpace(m.Name)
		if m.Name == "" {
			m.Name = m.Email
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// The thresholds that put a situation on the list of suggestions.
const (
	staleMonths  = 6
	minObstacles = 3
	minNoShows   = 2
)

// candidate is a file in scope with the facts that make it a hard situation.
type candidate struct {
	PersonID, Name string
	NoShows        int
	Obstacles      int
	LastStep       day
	Began          day
}

// stale reports whether the person has been oriented or followed for the
// whole period without any step forward since cutoff.
func (c candidate) stale(cutoff time.Time) bool {
	return c.Began.Valid && !c.Began.Time.After(cutoff) && (!c.LastStep.Valid || c.LastStep.Time.Before(cutoff))
}

// hardSituations lists up to limit files in scope that meet at least one
// criterion, those meeting the most first. A step counts as progress when it
// started between cutoff and today, a missed appointment excepted.
func hardSituations(ctx context.Context, q db.Querier, a access.Actor, reviewID string, today, cutoff time.Time, limit int) ([]candidate, error) {
	var w db.Where
	t, c := w.Arg(today.Format(time.DateOnly)), w.Arg(cutoff.Format(time.DateOnly))
	scope, err := people.ScopeSQL(ctx, q, a, today, &w)
	if err != nil {
		return nil, err
	}
	w.Raw(scope)
	w.Raw(`p.id NOT IN (SELECT ri.person_id FROM case_review_items ri WHERE ri.review_id = ` + w.Arg(reviewID) + `)`)
	noShows, obstacles := w.Arg(minNoShows), w.Arg(minObstacles)
	stale := `(c.began IS NOT NULL AND c.began <= ` + c + ` AND (c.last_step IS NULL OR c.last_step < ` + c + `))`
	query := `SELECT c.id, c.name, c.no_shows, c.obstacles, c.last_step, c.began FROM (
		SELECT p.id, p.last_name, p.first_name, p.last_name || ' ' || p.first_name AS name,
			(SELECT count(*) FROM steps s WHERE s.person_id = p.id AND s.kind = 'appointment' AND s.outcome = 'no_show'
				AND s.start_date >= ` + c + ` AND s.start_date <= ` + t + `) AS no_shows,
			COALESCE((SELECT d.obstacle_count FROM diagnostics d WHERE d.person_id = p.id ORDER BY d.version DESC LIMIT 1), 0) AS obstacles,
			(SELECT max(s.start_date) FROM steps s WHERE s.person_id = p.id AND s.start_date <= ` + t + `
				AND NOT (s.kind = 'appointment' AND s.outcome = 'no_show')) AS last_step,
			(SELECT min(x.d) FROM (SELECT o.decided_on AS d FROM orientations o WHERE o.person_id = p.id
				UNION ALL SELECT f.start_date FROM follow_up_members f WHERE f.person_id = p.id AND f.start_date <= ` + t + `
					AND (f.end_date IS NULL OR f.end_date >= ` + t + `)) x) AS began
		FROM persons p` + w.String() + `) c
		WHERE c.no_shows >= ` + noShows + ` OR c.obstacles >= ` + obstacles + ` OR ` + stale + `
		ORDER BY (CASE WHEN c.no_shows >= ` + noShows + ` THEN 1 ELSE 0 END) + (CASE WHEN c.obstacles >= ` + obstacles + ` THEN 1 ELSE 0 END)
			+ (CASE WHEN ` + stale + ` THEN 1 ELSE 0 END) DESC, c.no_shows DESC, c.obstacles DESC, c.last_name, c.first_name, c.id
		LIMIT ` + w.Arg(limit)
	rows, err := q.QueryContext(ctx, query, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var k candidate
		if err := rows.Scan(&k.PersonID, &k.Name, &k.NoShows, &k.Obstacles, &k.LastStep, &k.Began); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
