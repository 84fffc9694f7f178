// Package notify keeps the in-app notifications of staff members: a
// candidate hired, a positioning refused, a proposal to review. Messages name
// no one beyond what the recipient may already see in their files.
package notify

import (
	"context"
	"database/sql"
	"time"

	"tremplin/internal/platform/db"
)

// Notification is one message to a staff member.
type Notification struct {
	ID        string
	Kind      string
	Message   string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Unread reports whether the notification has not been read yet.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// Send records a notification for each user, in the caller's transaction.
func Send(ctx context.Context, q db.Querier, userIDs []string, kind, message, link string, at time.Time) error {
	seen := map[string]bool{}
	for _, u := range userIDs {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		if _, err := q.ExecContext(ctx, `INSERT INTO notifications (id, user_id, kind, message, link, created_at)
			VALUES ($1,$2,$3,$4,$5,$6)`, db.NewID(), u, kind, message, link, at); err != nil {
			return err
		}
	}
	return nil
}

// List returns a user's latest notifications, newest first, and how many are unread.
func List(ctx context.Context, q db.Querier, userID string, limit int) ([]Notification, int, error) {
	var unread int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&unread); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, kind, message, link, created_at, read_at FROM notifications
		WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2`, userID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.Kind, &n.Message, &n.Link, &n.CreatedAt, &read); err != nil {
			return nil, 0, err
		}
		if read.Valid {
			t := read.Time
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	return out, unread, rows.Err()
}

// MarkAllRead marks every notification of a user as read.
func MarkAllRead(ctx context.Context, q db.Querier, userID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`, userID, at)
	return err
}
