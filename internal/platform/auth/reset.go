package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/smtp"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Mailer sends plain-text email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// LogMailer is the development mailer: it logs the message body (which holds
// the reset link) but never the recipient's address.
type LogMailer struct{}

// Send logs the message instead of sending it.
func (LogMailer) Send(_ context.Context, _, subject, body string) error {
	slog.Info("email not sent (no SMTP configured)", "subject", subject, "body", body)
	return nil
}

// SMTPMailer sends email through an SMTP server with PLAIN authentication.
type SMTPMailer struct {
	Addr     string // host:port
	Username string
	Password string
	From     string
}

// Send delivers the message.
func (m SMTPMailer) Send(_ context.Context, to, subject, body string) error {
	host, _, _ := strings.Cut(m.Addr, ":")
	var auth smtp.Auth
	if m.Username != "" {
		auth = smtp.PlainAuth("", m.Username, m.Password, host)
	}
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n%s",
		m.From, to, subject, strings.ReplaceAll(body, "\n", "\r\n"))
	return smtp.SendMail(m.Addr, auth, m.From, []string{to}, []byte(msg))
}

// RequestReset emails a single-use reset link when the address has an
// active account; it answers the same way either way so that it reveals
// nothing about which addresses exist.
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.checkThrottle(ctx, email, ip); err != nil {
		return err
	}
	// Each request counts against the throttle, so nobody can flood an address with emails.
	if err := s.recordAttempt(ctx, email, ip); err != nil {
		return err
	}
	u, _, err := userByEmail(ctx, s.db, email)
	if errs.Is(err, errs.NotFound) || (err == nil && u.Disabled()) {
		return nil
	}
	if err != nil {
		return err
	}
	secret, hash := newSecret()
	now := s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1,$2,$3,$4)`,
			hash, u.ID, now, now.Add(s.cfg.ResetTTL)); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, access.Actor{UserID: u.ID, IP: ip}, audit.Event{Action: "password.reset_request", ObjectType: "user", ObjectID: u.ID})
	})
	if err != nil {
		return err
	}
	link := strings.TrimRight(s.cfg.PublicURL, "/") + "/mot-de-passe/nouveau?jeton=" + secret
	body := fmt.Sprintf("Bonjour,\n\nPour choisir un nouveau mot de passe Tremplin, ouvrez ce lien (valable %d minutes, une seule fois) :\n%s\n\nSi vous n'avez rien demandé, ignorez ce message.\n",
		int(s.cfg.ResetTTL/time.Minute), link)
	s.sendLater(u.Email, "Tremplin : nouveau mot de passe", body)
	return nil
}

// sendLater sends an email in the background: the answer to the request must
// not depend on whether an account exists, neither in content nor in time.
func (s *Service) sendLater(to, subject, body string) {
	s.mail.Add(1)
	go func() {
		defer s.mail.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.cfg.Mailer.Send(ctx, to, subject, body); err != nil {
			slog.Error("send email", "subject", subject, "err", err)
		}
	}()
}

// Flush waits until the emails being sent are gone, at shutdown and in tests.
func (s *Service) Flush() { s.mail.Wait() }

// ErrBadResetLink answers an unknown, used or expired reset link.
var ErrBadResetLink = errs.New(errs.Invalid, "Ce lien n'est plus valable. Demandez-en un nouveau.")

// ResetPassword sets a new password with a reset link's secret, once.
func (s *Service) ResetPassword(ctx context.Context, secret, password, ip string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash := hashSecret(secret)
	now := s.now()
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var userID string
		var expires time.Time
		var used sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1`, hash).Scan(&userID, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) || used.Valid || (err == nil && now.After(expires)) {
			return ErrBadResetLink
		}
		if err != nil {
			return err
		}
		// Spend the link with a condition, so that two concurrent uses cannot both succeed.
		res, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at >= $1`, now, hash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrBadResetLink
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE users SET password_hash = $1 WHERE id = $2`, []any{HashPassword(password), userID}},
			{`DELETE FROM sessions WHERE user_id = $1`, []any{userID}},
			// Whoever forced the reset may have taken tokens or asked for other links.
			{`UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, []any{userID, now}},
			{`UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`, []any{userID, now}},
			{`DELETE FROM login_failures WHERE key IN (SELECT 'account:' || email FROM users WHERE id = $1)`, []any{userID}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return audit.LogTx(ctx, tx, access.Actor{UserID: userID, IP: ip}, audit.Event{Action: "password.reset", ObjectType: "user", ObjectID: userID})
	})
}
