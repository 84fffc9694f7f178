package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// tokenPrefix makes Tremplin tokens recognisable by secret scanners.
const tokenPrefix = "trp_"

// ErrBadToken answers a missing, unknown or revoked API token.
var ErrBadToken = errs.New(errs.Unauthorized, "Jeton d'API absent, inconnu ou révoqué.")

// CreateToken issues an API token acting with the actor's rights in its
// current organisation and returns its secret, shown once.
func (s *Service) CreateToken(ctx context.Context, a access.Actor, name string) (string, Token, error) {
	return s.issue(ctx, a, a, name)
}

// IssueToken is CreateToken run by an operator for the user u (`tremplin token
// create`): the token acts as u in its first organisation, and the audit trail
// names the operator.
func (s *Service) IssueToken(ctx context.Context, operator access.Actor, u User, name string) (string, Token, error) {
	if !operator.System && !operator.PlatformAdmin {
		return "", Token{}, errs.New(errs.Forbidden, "Seul un opérateur de la plateforme émet un jeton pour un autre compte.")
	}
	if u.Disabled() {
		return "", Token{}, errs.New(errs.Invalid, "Ce compte est désactivé.")
	}
	return s.issue(ctx, operator, u.ActorIn("", operator.IP), name)
}

func (s *Service) issue(ctx context.Context, by, owner access.Actor, name string) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", Token{}, errs.FieldErrors{"name": "Donnez un nom au jeton (100 caractères au plus)."}.Err()
	}
	if owner.System || !owner.Authenticated() {
		return "", Token{}, errs.New(errs.Forbidden, "Un jeton appartient à un compte.")
	}
	secret := tokenPrefix + randomSecret()
	hash := hashSecret(secret)
	t := Token{ID: db.NewID(), Name: name, Prefix: secret[:len(tokenPrefix)+6], OrgID: owner.OrgID, CreatedAt: s.now()}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, organisation_id, name, token_hash, prefix, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, t.ID, owner.UserID, t.OrgID, t.Name, hash, t.Prefix, t.CreatedAt); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, by, audit.Event{Action: "token.create", ObjectType: "api_token", ObjectID: t.ID, Detail: "user " + owner.UserID})
	})
	return secret, t, err
}

// Tokens lists the actor's own tokens, newest first.
func (s *Service) Tokens(ctx context.Context, a access.Actor) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, prefix, organisation_id, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC`, a.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.OrgID, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of the actor's tokens.
func (s *Service) RevokeToken(ctx context.Context, a access.Actor, id string) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`,
			s.now(), id, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.NotFound, "Jeton introuvable.")
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "token.revoke", ObjectType: "api_token", ObjectID: id})
	})
}

// TokenActor returns the actor an API token acts as.
func (s *Service) TokenActor(ctx context.Context, secret, ip string) (access.Actor, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return access.Actor{}, ErrBadToken
	}
	hash := hashSecret(secret)
	var id, userID, orgID string
	var revoked, used sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT id, user_id, organisation_id, revoked_at, last_used_at FROM api_tokens WHERE token_hash = $1`, hash).
		Scan(&id, &userID, &orgID, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) || revoked.Valid {
		return access.Actor{}, ErrBadToken
	}
	if err != nil {
		return access.Actor{}, err
	}
	u, err := userByID(ctx, s.db, userID)
	// A token acts for one organisation: once the user has left it, the token is void.
	if err != nil || u.Disabled() || (orgID != "" && !u.hasOrg(orgID)) {
		return access.Actor{}, ErrBadToken
	}
	now := s.now()
	if !used.Valid || now.Sub(used.Time).Minutes() > 1 {
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id); err != nil {
			return access.Actor{}, err
		}
	}
	return u.ActorIn(orgID, ip), nil
}
