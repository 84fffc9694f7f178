package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/validate"
)

// Settings tune sessions, throttling and password resets.
type Settings struct {
	SessionIdle     time.Duration
	SessionMax      time.Duration
	ThrottleWindow  time.Duration
	MaxFailAccount  int
	MaxFailAddress  int
	ResetTTL        time.Duration
	PublicURL       string
	Mailer          Mailer
	Now             func() time.Time
	DisableThrottle bool
}

// DefaultSettings are the values used when the configuration says nothing.
func DefaultSettings() Settings {
	return Settings{
		SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour,
		ThrottleWindow: 15 * time.Minute, MaxFailAccount: 5, MaxFailAddress: 50,
		ResetTTL: time.Hour, PublicURL: "http://127.0.0.1:8080", Mailer: LogMailer{},
	}
}

// Service is the account use cases.
type Service struct {
	db   *db.DB
	cfg  Settings
	mail *sync.WaitGroup
}

// NewService returns the account service over d.
func NewService(d *db.DB, cfg Settings) *Service {
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	if cfg.Mailer == nil {
		cfg.Mailer = LogMailer{}
	}
	return &Service{db: d, cfg: cfg, mail: &sync.WaitGroup{}}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// ErrBadCredentials is the one answer to an unknown account, a wrong password or a disabled account.
var ErrBadCredentials = errs.New(errs.Unauthorized, "Adresse électronique ou mot de passe incorrect.")

// errThrottled answers too many failed attempts.
var errThrottled = errs.New(errs.TooManyRequests, "Trop de tentatives de connexion. Réessayez dans quelques minutes.")

// Login checks the credentials and opens a session; it returns the session
// secret for the cookie.
func (s *Service) Login(ctx context.Context, email, password, ip string) (string, User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.checkThrottle(ctx, email, ip); err != nil {
		return "", User{}, err
	}
	u, hash, err := userByEmail(ctx, s.db, email)
	if errs.Is(err, errs.NotFound) {
		VerifyPassword(dummyHash, password)
		return "", User{}, s.fail(ctx, email, ip)
	}
	if err != nil {
		return "", User{}, err
	}
	if !VerifyPassword(hash, password) || u.Disabled() {
		return "", User{}, s.fail(ctx, email, ip)
	}
	u, err = userByID(ctx, s.db, u.ID)
	if err != nil {
		return "", User{}, err
	}
	secret, err := s.openSession(ctx, u, ip)
	return secret, u, err
}

func (s *Service) openSession(ctx context.Context, u User, ip string) (string, error) {
	secret, hash := newSecret()
	now := s.now()
	org := ""
	if len(u.Memberships) > 0 {
		org = u.Memberships[0].OrgID
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, organisation_id, created_at, last_seen_at, expires_at)
			VALUES ($1,$2,$3,$4,$4,$5)`, hash, u.ID, org, now, now.Add(s.cfg.SessionMax)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, now, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, "account:"+u.Email); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, u.ActorIn(org, ip), audit.Event{Action: "session.login", ObjectType: "user", ObjectID: u.ID})
	})
	return secret, err
}

func (s *Service) checkThrottle(ctx context.Context, email, ip string) error {
	if s.cfg.DisableThrottle {
		return nil
	}
	since := s.now().Add(-s.cfg.ThrottleWindow)
	var perAccount, perAddress int
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM login_failures WHERE key = $1 AND at > $3),
		(SELECT count(*) FROM login_failures WHERE key = $2 AND at > $3)`,
		"account:"+email, "address:"+ip, since).Scan(&perAccount, &perAddress)
	if err != nil {
		return err
	}
	if perAccount >= s.cfg.MaxFailAccount || perAddress >= s.cfg.MaxFailAddress {
		return errThrottled
	}
	return nil
}

func (s *Service) fail(ctx context.Context, email, ip string) error {
	if err := s.recordAttempt(ctx, email, ip); err != nil {
		return err
	}
	return ErrBadCredentials
}

// recordAttempt counts a failed login or a reset request against the account and the address.
func (s *Service) recordAttempt(ctx context.Context, email, ip string) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1,$3), ($2,$3)`,
		"account:"+email, "address:"+ip, now)
	if err != nil {
		return err
	}
	// Old failures are of no use to the throttle: keep the table small.
	_, err = s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, now.Add(-s.cfg.ThrottleWindow))
	return err
}

// ErrSessionExpired answers a missing, expired or revoked session.
var ErrSessionExpired = errs.New(errs.Unauthorized, "Votre session a expiré. Veuillez vous reconnecter.")

// SessionActor returns the actor of a session secret, extending its idle
// expiry; ErrSessionExpired when the session is unknown or expired.
func (s *Service) SessionActor(ctx context.Context, secret, ip string) (access.Actor, User, error) {
	if secret == "" {
		return access.Actor{}, User{}, ErrSessionExpired
	}
	hash := hashSecret(secret)
	var sess Session
	err := s.db.QueryRowContext(ctx, `SELECT user_id, organisation_id, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1`,
		hash).Scan(&sess.UserID, &sess.OrgID, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Actor{}, User{}, ErrSessionExpired
	}
	if err != nil {
		return access.Actor{}, User{}, err
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.After(sess.LastSeenAt.Add(s.cfg.SessionIdle)) {
		s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash)
		return access.Actor{}, User{}, ErrSessionExpired
	}
	u, err := userByID(ctx, s.db, sess.UserID)
	if err != nil || u.Disabled() {
		return access.Actor{}, User{}, ErrSessionExpired
	}
	// Refresh at most once a minute: a page view should not always cost a write.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, now, hash); err != nil {
			return access.Actor{}, User{}, err
		}
	}
	return u.ActorIn(sess.OrgID, ip), u, nil
}

// Logout closes the session.
func (s *Service) Logout(ctx context.Context, secret string, a access.Actor) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashSecret(secret)); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "session.logout", ObjectType: "user", ObjectID: a.UserID})
	})
}

// SwitchOrg makes orgID the current organisation of the session, if the user is a member.
func (s *Service) SwitchOrg(ctx context.Context, secret string, u User, orgID string) error {
	if !u.hasOrg(orgID) {
		return errs.New(errs.NotFound, "Structure introuvable.")
	}
	_, err := s.db.ExecContext(ctx, `UPDATE sessions SET organisation_id = $1 WHERE token_hash = $2`, orgID, hashSecret(secret))
	return err
}

// PurgeSessions deletes expired sessions.
func (s *Service) PurgeSessions(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`,
		s.now(), s.now().Add(-s.cfg.SessionIdle))
	return err
}

// newSecret returns a random secret and the hash stored in its place.
func newSecret() (secret, hash string) {
	secret = randomSecret()
	return secret, hashSecret(secret)
}

// randomSecret returns 256 random bits, URL-safe.
func randomSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateUser creates an account; only platform admins, organisation admins
// (in their organisation) and the system may.
func (s *Service) CreateUser(ctx context.Context, a access.Actor, nu NewUser) (User, error) {
	u, err := s.validNewUser(nu)
	if err != nil {
		return User{}, err
	}
	if err := s.mayGrant(a, nu); err != nil {
		return User{}, err
	}
	hash := ""
	if nu.Password != "" {
		hash = HashPassword(nu.Password)
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertUser(ctx, tx, u, hash); err != nil {
			return err
		}
		for _, m := range nu.Memberships {
			if _, err := orgTerritory(ctx, tx, m.OrgID); err != nil {
				return err
			}
			if err := insertMembership(ctx, tx, u.ID, m, u.CreatedAt); err != nil {
				return err
			}
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "user.create", ObjectType: "user", ObjectID: u.ID})
	})
	if err != nil {
		return User{}, err
	}
	return userByID(ctx, s.db, u.ID)
}

func (s *Service) validNewUser(nu NewUser) (User, error) {
	fe := errs.FieldErrors{}
	email, err := validate.NormalizeEmail(nu.Email)
	if err != nil {
		fe.Add("email", err.Error())
	}
	if nu.Password != "" {
		if err := CheckPassword(nu.Password); err != nil {
			fe.Add("password", errs.FieldsOf(err)["password"])
		}
	}
	for _, m := range nu.Memberships {
		checkMembership(m, fe)
	}
	if len(strings.TrimSpace(nu.FirstName)) > 100 || len(strings.TrimSpace(nu.LastName)) > 100 {
		fe.Add("last_name", "Le nom est trop long.")
	}
	u := User{ID: db.NewID(), Email: email, FirstName: strings.TrimSpace(nu.FirstName), LastName: strings.TrimSpace(nu.LastName),
		PlatformAdmin: nu.PlatformAdmin, CreatedAt: s.now()}
	return u, fe.Err()
}

// checkMembership checks a role and its qualification: a référent is a social
// or a professional specialist (the joint diagnostic needs one of each), and
// only référents carry a qualification.
func checkMembership(m NewMembership, fe errs.FieldErrors) {
	switch {
	case !access.ValidRole(m.Role):
		fe.Add("role", "Rôle inconnu.")
	case m.Qualification != access.QualNone && m.Qualification != access.QualSocial && m.Qualification != access.QualProfessional:
		fe.Add("qualification", "Qualification inconnue.")
	case m.Role == access.RoleReferent && m.Qualification == access.QualNone:
		fe.Add("qualification", "Indiquez si le référent a une qualification sociale ou professionnelle.")
	case m.Role != access.RoleReferent && m.Qualification != access.QualNone:
		fe.Add("qualification", "Seul un référent a une qualification sociale ou professionnelle.")
	}
}

// mayGrant checks that the actor may create these memberships.
func (s *Service) mayGrant(a access.Actor, nu NewUser) error {
	switch {
	case !a.Authenticated():
		return errs.New(errs.Forbidden, "Connexion requise.")
	case a.System || a.PlatformAdmin:
		return nil
	case len(nu.Memberships) == 0:
		return errs.New(errs.Forbidden, "Un compte créé par une structure appartient à cette structure.")
	}
	if nu.PlatformAdmin {
		return errs.New(errs.Forbidden, "Seul un administrateur de la plateforme peut créer un autre administrateur de la plateforme.")
	}
	for _, m := range nu.Memberships {
		if !(a.Has(access.RoleOrgAdmin) && a.OrgID == m.OrgID) || m.Role == access.RolePlatformAdmn {
			return errs.New(errs.Forbidden, "Vous ne pouvez attribuer des rôles que dans votre structure.")
		}
	}
	return nil
}

// AddMembership grants a role in an organisation to an existing user.
func (s *Service) AddMembership(ctx context.Context, a access.Actor, userID string, m NewMembership) error {
	if err := s.mayGrant(a, NewUser{Memberships: []NewMembership{m}}); err != nil {
		return err
	}
	fe := errs.FieldErrors{}
	checkMembership(m, fe)
	if err := fe.Err(); err != nil {
		return err
	}
	if _, err := s.administeredForWrite(ctx, a, userID); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := orgTerritory(ctx, tx, m.OrgID); err != nil {
			return err
		}
		if err := insertMembership(ctx, tx, userID, m, s.now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "membership.add", ObjectType: "user", ObjectID: userID, Detail: string(m.Role)})
	})
}

// ListUsers lists the accounts the actor administers: all for platform
// admins, the members of their organisation for organisation admins.
func (s *Service) ListUsers(ctx context.Context, a access.Actor, f UserFilter) ([]User, int, error) {
	switch {
	case a.System || a.PlatformAdmin:
	case a.Has(access.RoleOrgAdmin):
		f.OrgID = a.OrgID
	default:
		return nil, 0, errs.New(errs.NotFound, "Page introuvable.")
	}
	return listUsers(ctx, s.db, f)
}

// UserByEmail returns the account with that address, if the actor administers it.
func (s *Service) UserByEmail(ctx context.Context, a access.Actor, email string) (User, error) {
	u, _, err := userByEmail(ctx, s.db, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return User{}, err
	}
	return s.administered(ctx, a, u.ID)
}

// User returns an account the actor administers, or the actor's own.
func (s *Service) User(ctx context.Context, a access.Actor, id string) (User, error) {
	return s.administered(ctx, a, id)
}

func (s *Service) administered(ctx context.Context, a access.Actor, id string) (User, error) {
	u, err := userByID(ctx, s.db, id)
	if err != nil {
		return User{}, err
	}
	if a.System || a.PlatformAdmin || a.UserID == id {
		return u, nil
	}
	if a.Has(access.RoleOrgAdmin) && u.hasOrg(a.OrgID) {
		return u, nil
	}
	return User{}, errs.New(errs.NotFound, "Compte introuvable.")
}

// administeredForWrite returns an account the actor may change: an
// organisation admin changes only accounts that belong to its organisation
// alone, never a platform admin nor someone also working elsewhere.
func (s *Service) administeredForWrite(ctx context.Context, a access.Actor, id string) (User, error) {
	u, err := s.administered(ctx, a, id)
	if err != nil {
		return User{}, err
	}
	if err := writable(a, u); err != nil {
		return User{}, err
	}
	return u, nil
}

// CanChange reports whether the actor may disable the account or set its
// password, so pages offer only the buttons that will work.
func CanChange(a access.Actor, u User) bool {
	return a.UserID != u.ID && writable(a, u) == nil
}

// writable checks the account-takeover rule: an organisation admin changes only
// accounts that belong to its organisation alone.
func writable(a access.Actor, u User) error {
	switch {
	case a.System || a.PlatformAdmin:
		return nil
	case u.PlatformAdmin:
		return errs.New(errs.NotFound, "Compte introuvable.")
	case !a.Has(access.RoleOrgAdmin):
		return errs.New(errs.NotFound, "Compte introuvable.")
	}
	for _, m := range u.Memberships {
		if m.OrgID != a.OrgID {
			return errs.New(errs.Forbidden, "Ce compte travaille aussi pour une autre structure : adressez-vous à l'administrateur de la plateforme.")
		}
	}
	return nil
}

// DisableUser prevents an account from signing in and closes its sessions and tokens.
func (s *Service) DisableUser(ctx context.Context, a access.Actor, id string) error {
	if id == a.UserID {
		return errs.New(errs.Invalid, "Vous ne pouvez pas désactiver votre propre compte.")
	}
	if _, err := s.administeredForWrite(ctx, a, id); err != nil {
		return err
	}
	now := s.now()
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL`, []any{id, now}},
			{`DELETE FROM sessions WHERE user_id = $1`, []any{id}},
			{`UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, []any{id, now}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "user.disable", ObjectType: "user", ObjectID: id})
	})
}

// SetPassword changes the actor's own password after checking the current one.
// Other sessions are closed: only the one whose secret is keep stays open.
func (s *Service) SetPassword(ctx context.Context, a access.Actor, current, next, keep string) error {
	_, hash, err := userByEmail(ctx, s.db, a.Email)
	if err != nil {
		return err
	}
	if !VerifyPassword(hash, current) {
		return errs.FieldErrors{"current": "Mot de passe actuel incorrect."}.Err()
	}
	if err := CheckPassword(next); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, HashPassword(next), a.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, a.UserID, hashSecret(keep)); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "user.password", ObjectType: "user", ObjectID: a.UserID})
	})
}

// ResetPasswordAdmin sets a password for an account, as an operator does from the command line.
func (s *Service) ResetPasswordAdmin(ctx context.Context, a access.Actor, id, password string) error {
	if _, err := s.administeredForWrite(ctx, a, id); err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, HashPassword(password), id); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "user.password_set", ObjectType: "user", ObjectID: id})
	})
}

// HasUsers reports whether any account exists, so the demo seeds only an empty database.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n > 0, err
}
