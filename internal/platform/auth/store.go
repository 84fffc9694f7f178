package auth

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

const userColumns = `id, email, first_name, last_name, platform_admin, created_at, disabled_at, last_login_at`

func scanUser(s interface{ Scan(...any) error }) (User, error) {
	var u User
	var disabled, lastLogin sql.NullTime
	err := s.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &u.PlatformAdmin, &u.CreatedAt, &disabled, &lastLogin)
	if disabled.Valid {
		u.DisabledAt = &disabled.Time
	}
	if lastLogin.Valid {
		u.LastLoginAt = &lastLogin.Time
	}
	return u, err
}

// userByEmail loads a user and its password hash; NotFound when unknown.
func userByEmail(ctx context.Context, q db.Querier, email string) (User, string, error) {
	var hash string
	u, err := scanUser(withHash{q.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email), &hash})
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", errs.New(errs.NotFound, "Compte introuvable.")
	}
	return u, hash, err
}

// withHash appends the password hash column to a user scan.
type withHash struct {
	row  *sql.Row
	hash *string
}

func (w withHash) Scan(dest ...any) error { return w.row.Scan(append(dest, w.hash)...) }

// userByID loads a user with its memberships.
func userByID(ctx context.Context, q db.Querier, id string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.New(errs.NotFound, "Compte introuvable.")
	}
	if err != nil {
		return u, err
	}
	ms, err := membershipsOf(ctx, q, []string{id})
	u.Memberships = ms[id]
	return u, err
}

// membershipsOf loads the memberships of several users in one query.
func membershipsOf(ctx context.Context, q db.Querier, userIDs []string) (map[string][]Membership, error) {
	out := map[string][]Membership{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT m.user_id, m.organisation_id, o.name, o.kind, o.territory, m.role, m.qualification
		FROM memberships m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.user_id IN (`+db.In(1, len(args))+`) ORDER BY m.created_at, o.name, m.role`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		var m Membership
		if err := rows.Scan(&uid, &m.OrgID, &m.OrgName, &m.OrgKind, &m.Territory, &m.Role, &m.Qualification); err != nil {
			return nil, err
		}
		out[uid] = append(out[uid], m)
	}
	return out, rows.Err()
}

func insertUser(ctx context.Context, q db.Querier, u User, hash string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO users (id, email, first_name, last_name, password_hash, platform_admin, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, u.ID, u.Email, u.FirstName, u.LastName, hash, u.PlatformAdmin, u.CreatedAt)
	if db.IsUniqueViolation(err) {
		return &errs.Error{Code: errs.Conflict, Message: "Un compte existe déjà avec cette adresse.", Fields: map[string]string{"email": "Un compte existe déjà avec cette adresse."}}
	}
	return err
}

func insertMembership(ctx context.Context, q db.Querier, userID string, m NewMembership, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO memberships (user_id, organisation_id, role, qualification, created_at)
		VALUES ($1,$2,$3,$4,$5) ON CONFLICT (user_id, organisation_id, role) DO UPDATE SET qualification = excluded.qualification`,
		userID, m.OrgID, string(m.Role), string(m.Qualification), now)
	return err
}

// orgExists reports whether an organisation exists and returns its territory.
func orgTerritory(ctx context.Context, q db.Querier, orgID string) (string, error) {
	var t string
	err := q.QueryRowContext(ctx, `SELECT territory FROM organisations WHERE id = $1`, orgID).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.New(errs.NotFound, "Structure introuvable.")
	}
	return t, err
}

// UserFilter selects users in a listing.
type UserFilter struct {
	OrgID  string
	Limit  int
	Offset int
}

func listUsers(ctx context.Context, q db.Querier, f UserFilter) ([]User, int, error) {
	where, args := "", []any{}
	if f.OrgID != "" {
		where = ` WHERE id IN (SELECT user_id FROM memberships WHERE organisation_id = $1)`
		args = append(args, f.OrgID)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	query := `SELECT ` + userColumns + ` FROM users` + where + ` ORDER BY email`
	if f.Limit > 0 {
		args = append(args, f.Limit, f.Offset)
		query += ` LIMIT $` + strconv.Itoa(len(args)-1) + ` OFFSET $` + strconv.Itoa(len(args))
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var users []User
	var ids []string
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
		ids = append(ids, u.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	ms, err := membershipsOf(ctx, q, ids)
	for i := range users {
		users[i].Memberships = ms[users[i].ID]
	}
	return users, total, err
}
