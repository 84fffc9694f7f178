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

// issueLock serialises the issuing of links on PostgreSQL, so that two
// issued at once for a person replace one another instead of failing on the
// one-open-link index.
const issueLock int64 = 727300

// insertLink stores a link as the person's one open link for the
// organisation (an index guarantees there is never two): an unused and
// unexpired link is deleted, which replaced tells; one that expired unused is
// closed, since it still counts as issued and unanswered.
func insertLink(ctx context.Context, tx *db.Tx, l linkRow) (replaced bool, err error) {
	if err := tx.Serialize(ctx, issueLock); err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM evaluation_links
		WHERE person_id = $1 AND organisation_id = $2 AND used_at IS NULL AND closed_at IS NULL AND expires_at > $3`, l.personID, l.orgID, l.createdAt)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE evaluation_links SET closed_at = $3
		WHERE person_id = $1 AND organisation_id = $2 AND used_at IS NULL AND closed_at IS NULL`, l.personID, l.orgID, l.createdAt); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO evaluation_links
		(token_hash, person_id, organisation_id, territory, issued_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.hash, l.personID, l.orgID, l.territory, l.issuedBy, l.createdAt, l.expiresAt)
	return n > 0, err
}

// personLinks lists the links issued for a person, newest first, with
// whether each was used: never what was answered.
func personLinks(ctx context.Context, q db.Querier, personID string) ([]Link, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.name, u.first_name, u.last_name, l.created_at, l.expires_at, l.used_at, l.closed_at
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
		var used, closed sql.NullTime
		if err := rows.Scan(&l.OrgName, &first, &last, &l.CreatedAt, &l.ExpiresAt, &used, &closed); err != nil {
			return nil, err
		}
		l.IssuedBy, l.Used = first+" "+last, used.Valid
		if closed.Valid && closed.Time.Before(l.ExpiresAt) {
			// A link closed before its time (two files merged) stopped working then.
			l.ExpiresAt = closed.Time
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// openLink returns the organisation a working link asks about.
func openLink(ctx context.Context, q db.Querier, hash string, now time.Time) (orgName string, err error) {
	err = q.QueryRowContext(ctx, `SELECT o.name FROM evaluation_links l JOIN organisations o ON o.id = l.organisation_id
		WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.closed_at IS NULL AND l.expires_at > $2`, hash, now).Scan(&orgName)
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
		WHERE token_hash = $2 AND used_at IS NULL AND closed_at IS NULL AND expires_at > $1
		RETURNING organisation_id, territory`, now, hash).Scan(&orgID, &terr)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errGone
	}
	return orgID, terr, err
}

// insertPending keeps an answer until it is recorded with others (see
// flushGroup): written in the transaction that uses the link, it carries
// nothing that points to a person, a link or a time, under a random id.
func insertPending(ctx context.Context, q db.Querier, orgID, terr, period string, a Answer) error {
	_, err := q.ExecContext(ctx, `INSERT INTO evaluation_answers_pending
		(id, organisation_id, territory, period, useful, listened, clear, overall, comment)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, answerID(), orgID, terr, period, a.Useful, a.Listened, a.Clear, a.Overall, a.Comment)
	return err
}

// pendingGroup is the answers waiting for one organisation and month.
type pendingGroup struct {
	orgID, period string
	n             int
}

// pendingGroups counts the answers waiting, per organisation and month.
func pendingGroups(ctx context.Context, q db.Querier) ([]pendingGroup, error) {
	rows, err := q.QueryContext(ctx, `SELECT organisation_id, period, count(*) FROM evaluation_answers_pending
		GROUP BY organisation_id, period`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pendingGroup
	for rows.Next() {
		var g pendingGroup
		if err := rows.Scan(&g.orgID, &g.period, &g.n); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// flushLock serialises the recording of pending answers on PostgreSQL, so
// that two processes never record the same ones twice.
const flushLock int64 = 727301

// recordedAnswer is an answer with its territory, as moved between tables.
type recordedAnswer struct {
	territory string
	Answer
}

// flushGroup records the pending answers of an organisation and month in
// evaluation_answers, in a transaction of its own, once at least
// pendingBatch of them wait or, monthOver, whatever waits. Once the month is
// over, its answers already recorded are written again with the last ones, so
// that the transaction that wrote them does not set the last few apart. The
// answers are written in random order under new random ids.
func flushGroup(ctx context.Context, tx *db.Tx, orgID, period string, monthOver bool) error {
	if err := tx.Serialize(ctx, flushLock); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM evaluation_answers_pending WHERE organisation_id = $1 AND period = $2`,
		orgID, period).Scan(&n); err != nil {
		return err
	}
	if n == 0 || (!monthOver && n < pendingBatch) {
		return nil
	}
	answers, err := takeAnswers(ctx, tx, "evaluation_answers_pending", orgID, period)
	if err != nil {
		return err
	}
	if monthOver {
		recorded, err := takeAnswers(ctx, tx, "evaluation_answers", orgID, period)
		if err != nil {
			return err
		}
		answers = append(answers, recorded...)
	}
	rand.Shuffle(len(answers), func(i, j int) { answers[i], answers[j] = answers[j], answers[i] })
	for _, a := range answers {
		if err := insertAnswer(ctx, tx, orgID, a.territory, period, a.Answer); err != nil {
			return err
		}
	}
	return nil
}

// takeAnswers deletes the answers of an organisation and month from table
// and returns them: deleting and reading in one statement, no answer
// written meanwhile is deleted unread.
func takeAnswers(ctx context.Context, tx *db.Tx, table, orgID, period string) ([]recordedAnswer, error) {
	rows, err := tx.QueryContext(ctx, `DELETE FROM `+table+` WHERE organisation_id = $1 AND period = $2
		RETURNING territory, useful, listened, clear, overall, comment`, orgID, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recordedAnswer
	for rows.Next() {
		var a recordedAnswer
		if err := rows.Scan(&a.territory, &a.Useful, &a.Listened, &a.Clear, &a.Overall, &a.Comment); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// insertAnswer records an answer with nothing that points to a person, a
// link or a time finer than the month, under a new random id.
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
// from…to (YYYY-MM, inclusive): links issued, answers recorded (not those
// still pending, see Service.Flush) and the mean overall score. meanOverall is 0 when there are fewer than MinAnswers
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
