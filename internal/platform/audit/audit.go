// Package audit keeps the append-only trail of who read or changed what.
// Each entry is chained to the previous one by a SHA-256 hash, so that any
// change to a stored entry is detected by Verify; old entries are purged with
// an anchor that keeps the rest of the chain verifiable.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Entry is one line of the audit trail.
type Entry struct {
	Seq        int64
	At         time.Time
	UserID     string
	OrgID      string
	Action     string
	ObjectType string
	ObjectID   string
	PersonID   string
	IP         string
	// Detail is free text that must never hold personal data.
	Detail   string
	PrevHash string
	Hash     string
	// UserEmail and OrgName name the account and its organisation, filled by Search for display.
	UserEmail string
	OrgName   string
}

// Event is what a service records: the action and its object.
type Event struct {
	Action     string
	ObjectType string
	ObjectID   string
	PersonID   string
	Detail     string
}

// Log records an event by the actor in its own transaction.
func Log(ctx context.Context, d *db.DB, a access.Actor, ev Event) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return LogTx(ctx, tx, a, ev) })
}

// LogTx records an event inside the caller's transaction, so that the change
// and its trace are committed together or not at all.
func LogTx(ctx context.Context, tx *db.Tx, a access.Actor, ev Event) error {
	return LogBatchTx(ctx, tx, a, []Event{ev})
}

// LogBatchTx records several events of one request (say, every file a list
// page shows) in the caller's transaction, reading the chain head once.
func LogBatchTx(ctx context.Context, tx *db.Tx, a access.Actor, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if tx.Dialect() == db.Postgres {
		// Entries are chained: one writer at a time extends the chain.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727101)`); err != nil {
			return fmt.Errorf("lock audit chain: %w", err)
		}
	}
	seq, hash, err := last(ctx, tx)
	if err != nil {
		return err
	}
	at := db.Now()
	// One multi-row statement: a list page traces its rows at a constant cost.
	var values strings.Builder
	args := make([]any, 0, 12*len(events))
	for i, ev := range events {
		e := Entry{
			Seq: seq + 1, At: at, UserID: a.UserID, OrgID: a.OrgID, IP: a.IP,
			Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID, PersonID: ev.PersonID,
			Detail: ev.Detail, PrevHash: hash,
		}
		e.Hash = e.computeHash()
		if i > 0 {
			values.WriteByte(',')
		}
		values.WriteString("(" + db.Params(tx.Dialect(), len(args)+1, 12) + ")")
		args = append(args, e.Seq, e.At, e.UserID, e.OrgID, e.Action, e.ObjectType, e.ObjectID, e.PersonID, e.IP, e.Detail, e.PrevHash, e.Hash)
		seq, hash = e.Seq, e.Hash
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log
		(seq, at, user_id, organisation_id, action, object_type, object_id, person_id, ip, detail, prev_hash, hash)
		VALUES `+values.String(), args...)
	if err != nil {
		return fmt.Errorf("write audit entries: %w", err)
	}
	return nil
}

// last returns the sequence and hash the next entry chains to.
func last(ctx context.Context, q db.Querier) (int64, string, error) {
	var seq int64
	var hash string
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_anchor WHERE id = 1`).Scan(&seq, &hash)
	}
	if err != nil {
		return 0, "", fmt.Errorf("read audit chain head: %w", err)
	}
	return seq, hash, nil
}

// computeHash hashes the previous hash and every field of the entry.
func (e Entry) computeHash() string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.UserID, e.OrgID,
		e.Action, e.ObjectType, e.ObjectID, e.PersonID, e.IP, e.Detail,
	} {
		// Length prefixes keep field boundaries unambiguous.
		fmt.Fprintf(h, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyResult reports what Verify checked.
type VerifyResult struct {
	Checked int64
	// FirstSeq is the first entry checked (after the purge anchor).
	FirstSeq int64
}

// Verify walks the whole chain from the purge anchor and returns an error
// naming the first entry whose hash or link does not match.
func Verify(ctx context.Context, d *db.DB) (VerifyResult, error) {
	var res VerifyResult
	var anchorSeq int64
	var prevHash string
	if err := d.QueryRowContext(ctx, `SELECT seq, hash FROM audit_anchor WHERE id = 1`).Scan(&anchorSeq, &prevHash); err != nil {
		return res, fmt.Errorf("read audit anchor: %w", err)
	}
	rows, err := d.QueryContext(ctx, `SELECT seq, at, user_id, organisation_id, action, object_type, object_id,
		person_id, ip, detail, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq`, anchorSeq)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	expectSeq := anchorSeq + 1
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return res, err
		}
		if res.Checked == 0 {
			res.FirstSeq = e.Seq
		}
		if err := checkLink(e, expectSeq, prevHash); err != nil {
			return res, err
		}
		prevHash, expectSeq = e.Hash, e.Seq+1
		res.Checked++
	}
	return res, rows.Err()
}

func checkLink(e Entry, expectSeq int64, prevHash string) error {
	switch {
	case e.Seq != expectSeq:
		return fmt.Errorf("audit entry %d: expected entry %d (entries missing)", e.Seq, expectSeq)
	case e.PrevHash != prevHash:
		return fmt.Errorf("audit entry %d: link to the previous entry broken", e.Seq)
	case e.computeHash() != e.Hash:
		return fmt.Errorf("audit entry %d: content does not match its hash (entry altered)", e.Seq)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(s scanner) (Entry, error) {
	var e Entry
	err := s.Scan(&e.Seq, &e.At, &e.UserID, &e.OrgID, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.PersonID, &e.IP, &e.Detail, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, err
}

// Purge deletes the entries recorded before cutoff, moving the anchor to the
// last deleted entry so that Verify still checks everything that remains.
func Purge(ctx context.Context, d *db.DB, cutoff time.Time) (int64, error) {
	var n int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727101)`); err != nil {
				return err
			}
		}
		var seq int64
		var hash string
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1`, cutoff.UTC()).Scan(&seq, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_anchor SET seq = $1, hash = $2, purged_at = $3 WHERE id = 1`, seq, hash, db.Now()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE seq <= $1`, seq)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Filter selects entries for the search page; empty fields match everything.
type Filter struct {
	OrgID      string
	UserID     string
	PersonID   string
	ObjectType string
	ObjectID   string
	Action     string
	From, To   time.Time
	Limit      int
	Offset     int
}

// Search returns the entries the actor may see that match f, newest first, and their total.
func Search(ctx context.Context, d *db.DB, a access.Actor, f Filter) ([]Entry, int, error) {
	orgID, ok := access.AuditScope(a)
	if !ok {
		return nil, 0, errs.New(errs.NotFound, "Page introuvable.")
	}
	if orgID != "" {
		f.OrgID = orgID
	}
	w := f.where()
	where := w.String()
	var total int
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM audit_log l`+where, w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := d.QueryContext(ctx, `SELECT l.seq, l.at, l.user_id, l.organisation_id, l.action, l.object_type, l.object_id,
		l.person_id, l.ip, l.detail, l.prev_hash, l.hash, COALESCE(u.email, ''), COALESCE(o.name, '')
		FROM audit_log l LEFT JOIN users u ON u.id = l.user_id LEFT JOIN organisations o ON o.id = l.organisation_id`+where+` ORDER BY l.seq DESC`+w.Page(limit, f.Offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.UserID, &e.OrgID, &e.Action, &e.ObjectType, &e.ObjectID,
			&e.PersonID, &e.IP, &e.Detail, &e.PrevHash, &e.Hash, &e.UserEmail, &e.OrgName); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func (f Filter) where() *db.Where {
	w := &db.Where{}
	for _, c := range []struct {
		cond  string
		value string
	}{
		{"l.organisation_id = $%d", f.OrgID}, {"l.user_id = $%d", f.UserID}, {"l.person_id = $%d", f.PersonID},
		{"l.object_type = $%d", f.ObjectType}, {"l.object_id = $%d", f.ObjectID}, {"l.action = $%d", f.Action},
	} {
		if c.value != "" {
			w.Add(c.cond, c.value)
		}
	}
	if !f.From.IsZero() {
		w.Add("l.at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.Add("l.at < $%d", f.To.UTC())
	}
	return w
}
