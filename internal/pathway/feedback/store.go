package feedback

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// errGone is the one answer for an unknown, used or expired link: which of
// the three it is stays untold.
var errGone = errs.New(errs.NotFound, "Ce lien ne fonctionne plus.")

// linkRow is a link as stored.
type linkRow struct {
	hash, personID, orgID, territory, issuedBy string
	createdAt, expiresAt                       time.Time
}

// insertLink stores a link, first removing the person's unused and unexpired
// link of the same organisation, which it replaces; replaced tells whether
// there was one.
func insertLink(ctx context.Context, q db.Querier, l linkRow) (replaced bool, err error) {
	res, err := q.ExecContext(ctx, `DELETE FROM evaluation_links
		WHERE person_id = $1 AND organisation_id = $2 AND used_at IS NULL AND expires_at > $3`, l.personID, l.orgID, l.createdAt)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO evaluation_links
		(token_hash, person_id, organisation_id, territory, issued_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.hash, l.personID, l.orgID, l.territory, l.issuedBy, l.createdAt, l.expiresAt)
	return n > 0, err
}

// personLinks lists the links issued for a person, newest first, with
// whether each was used: never what was answered.
func personLinks(ctx context.Context, q db.Querier, personID string) ([]Link, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.name, u.first_name, u.last_name, l.created_at, l.expires_at, l.used_at
		FROM evaluation_links l
		JOIN organisations o ON o.id = l.organisation_id
		JOIN users u ON u.id = l.issued_by
		WHERE l.person_id = $1 ORDER BY l.created_at DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		var first, last string
		var used sql.NullTime
		if err := rows.Scan(&l.OrgName, &first, &last, &l.CreatedAt, &l.ExpiresAt, &used); err != nil {
			return nil, err
		}
		l.IssuedBy, l.Used = first+" "+last, used.Valid
		out = append(out, l)
	}
	return out, rows.Err()
}

// openLink returns the organisation a working link asks about.
func openLink(ctx context.Context, q db.Querier, hash string, now time.Time) (orgName string, err error) {
	err = q.QueryRowContext(ctx, `SELECT o.name FROM evaluation_links l JOIN organisations o ON o.id = l.organisation_id
		WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2`, hash, now).Scan(&orgName)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errGone
	}
	return orgName, err
}

// useLink marks a working link used and returns its organisation and
// territory; the condition in the UPDATE makes two concurrent answers with
// one link record only one.
func useLink(ctx context.Context, q db.Querier, hash string, now time.Time) (orgID, terr string, err error) {
	err = q.QueryRowContext(ctx, `UPDATE evaluation_links SET used_at = $1
		WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
		RETURNING organisation_id, territory`, now, hash).Scan(&orgID, &terr)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errGone
	}
	return orgID, terr, err
}

// insertAnswer stores an answer with nothing that points to a person, a link or a time.
func insertAnswer(ctx context.Context, q db.Querier, orgID, terr, period string, a Answer) error {
	cols, vals := "", ""
	args := []any{answerID(), orgID, terr, period, a.Useful, a.Listened, a.Clear, a.Overall, a.Comment}
	if q.Dialect() == db.SQLite {
		// SQLite numbers rows in insertion order behind the primary key: a
		// random rowid keeps the table from listing answers in the order the
		// links were used.
		cols, vals = "rowid, ", "$10, "
		args = append(args, rand.Int64())
	}
	_, err := q.ExecContext(ctx, `INSERT INTO evaluation_answers
		(`+cols+`id, organisation_id, territory, period, useful, listened, clear, overall, comment)
		VALUES (`+vals+`$1, $2, $3, $4, $5, $6, $7, $8, $9)`, args...)
	return err
}

// resultScope selects the answers and links a report covers: a territory,
// an organisation, or an organisation within a territory.
type resultScope struct {
	territory, orgID string
}

func (s resultScope) where(w *db.Where, alias string) {
	if s.territory != "" {
		w.Add(alias+".territory = $%d", s.territory)
	}
	if s.orgID != "" {
		w.Add(alias+".organisation_id = $%d", s.orgID)
	}
}

// loadRaw reads the answers (grouped by organisation, month and score) and
// the links of the months from…to, and the comments when asked.
func loadRaw(ctx context.Context, q db.Querier, s resultScope, from, to string, withComments bool) (*raw, error) {
	r := newRaw()
	if err := loadTallies(ctx, q, s, from, to, r); err != nil {
		return nil, err
	}
	if err := loadLinks(ctx, q, s, from, to, r); err != nil {
		return nil, err
	}
	if withComments {
		if err := loadComments(ctx, q, s, from, to, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func loadTallies(ctx context.Context, q db.Querier, s resultScope, from, to string, r *raw) error {
	w := &db.Where{}
	pos := w.Arg(positive)
	s.where(w, "a")
	w.Add("a.period >= $%d", from)
	w.Add("a.period <= $%d", to)
	rows, err := q.QueryContext(ctx, `SELECT a.organisation_id, o.name, a.period, a.overall, count(*),
		sum(CASE WHEN a.useful >= `+pos+` THEN 1 ELSE 0 END),
		sum(CASE WHEN a.listened >= `+pos+` THEN 1 ELSE 0 END),
		sum(CASE WHEN a.clear >= `+pos+` THEN 1 ELSE 0 END)
		FROM evaluation_answers a JOIN organisations o ON o.id = a.organisation_id`+w.String()+`
		GROUP BY a.organisation_id, o.name, a.period, a.overall`, w.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var org, name, month string
		var overall int
		var t tally
		if err := rows.Scan(&org, &name, &month, &overall, &t.answers, &t.useful, &t.listened, &t.clear); err != nil {
			return err
		}
		if overall < 0 || overall > 10 {
			continue
		}
		t.overallSum, t.dist[overall] = overall*t.answers, t.answers
		r.names[org] = name
		r.addAnswers(org, month, t)
	}
	return rows.Err()
}

func loadLinks(ctx context.Context, q db.Querier, s resultScope, from, to string, r *raw) error {
	w := &db.Where{}
	s.where(w, "l")
	w.Add("l.created_at >= $%d", monthStart(from))
	w.Add("l.created_at < $%d", monthStart(nextMonth(to)))
	// Months are counted in Paris, which neither engine computes alike: the
	// rows are grouped here. A year of a département's links stays small.
	rows, err := q.QueryContext(ctx, `SELECT l.organisation_id, o.name, l.created_at, l.used_at
		FROM evaluation_links l JOIN organisations o ON o.id = l.organisation_id`+w.String(), w.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var org, name string
		var created time.Time
		var used sql.NullTime
		if err := rows.Scan(&org, &name, &created, &used); err != nil {
			return err
		}
		r.names[org] = name
		r.addLink(org, monthOf(created), used.Valid)
	}
	return rows.Err()
}

func loadComments(ctx context.Context, q db.Querier, s resultScope, from, to string, r *raw) error {
	w := &db.Where{}
	s.where(w, "a")
	w.Add("a.period >= $%d", from)
	w.Add("a.period <= $%d", to)
	w.Raw("a.comment <> ''")
	rows, err := q.QueryContext(ctx, `SELECT a.organisation_id, a.period, a.comment FROM evaluation_answers a`+w.String(), w.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var org, month, text string
		if err := rows.Scan(&org, &month, &text); err != nil {
			return err
		}
		r.addComment(org, month, text)
	}
	return rows.Err()
}

// Summary gives the steering reports the territory's figures over the months
// from…to (YYYY-MM, inclusive): links issued, answers received and the mean
// overall score. meanOverall is 0 when there are fewer than MinAnswers
// answers: the report then says "moins de 5 réponses".
func Summary(ctx context.Context, q db.Querier, territory string, from, to string) (issued, answered int, meanOverall float64, err error) {
	if !validMonth(from) || !validMonth(to) || from > to {
		return 0, 0, 0, errs.New(errs.Invalid, "Période invalide : mois attendus au format AAAA-MM, le premier avant le second.")
	}
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM evaluation_links
		WHERE territory = $1 AND created_at >= $2 AND created_at < $3`,
		territory, monthStart(from), monthStart(nextMonth(to))).Scan(&issued)
	if err != nil {
		return 0, 0, 0, err
	}
	var sum sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT count(*), sum(overall) FROM evaluation_answers
		WHERE territory = $1 AND period >= $2 AND period <= $3`, territory, from, to).Scan(&answered, &sum)
	if err != nil {
		return 0, 0, 0, err
	}
	if answered >= MinAnswers {
		meanOverall = float64(sum.Int64) / float64(answered)
	}
	return issued, answered, meanOverall, nil
}
