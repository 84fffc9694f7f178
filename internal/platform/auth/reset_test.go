package auth_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

var linkRE = regexp.MustCompile(`https://tremplin\.example\.org/mot-de-passe/nouveau\?jeton=([A-Za-z0-9_-]+)`)

// resetLink asks for a reset and returns the secret mailed to the user.
func (f *fixture) resetLink(email string) string {
	f.t.Helper()
	before := len(f.mail.all())
	err := f.s.RequestReset(f.ctx, email, ip)
	f.s.Flush()
	if err != nil {
		f.t.Fatal(err)
	}
	sent := f.mail.all()
	if len(sent) != before+1 {
		f.t.Fatalf("%d messages sent, want one", len(sent)-before)
	}
	m := linkRE.FindStringSubmatch(sent[len(sent)-1].body)
	if m == nil {
		f.t.Fatalf("no reset link in %q", sent[len(sent)-1].body)
	}
	return m[1]
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		alice := f.alice()
		session, _ := f.login("alice@example.org", alicePassword)

		secret := f.resetLink("  ALICE@example.org")
		if m := f.mail.all()[0]; m.to != "alice@example.org" || strings.Contains(m.body, alicePassword) {
			t.Errorf("mail %+v", m)
		}
		var n int
		d.QueryRowContext(f.ctx, `SELECT count(*) FROM password_resets WHERE token_hash = $1`, secret).Scan(&n)
		if n != 0 {
			t.Errorf("the reset secret is stored in clear")
		}

		// A weak password is refused before the link is spent.
		err := f.s.ResetPassword(f.ctx, secret, "short", ip)
		if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["password"] == "" {
			t.Errorf("short password: %v", err)
		}
		if err := f.s.ResetPassword(f.ctx, secret, newPassword, ip); err != nil {
			t.Fatalf("reset: %v", err)
		}
		// The link works once.
		if err := f.s.ResetPassword(f.ctx, secret, "yet another passphrase", ip); !errors.Is(err, auth.ErrBadResetLink) {
			t.Errorf("second use: %v, want ErrBadResetLink", err)
		}
		// The new password works, the old one no longer, and open sessions are closed.
		if _, _, err := f.s.SessionActor(f.ctx, session, ip); !errors.Is(err, auth.ErrSessionExpired) {
			t.Errorf("session opened before the reset: %v, want closed", err)
		}
		if _, _, err := f.s.Login(f.ctx, "alice@example.org", alicePassword, ip); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("old password: %v", err)
		}
		f.login("alice@example.org", newPassword)

		// An expired link fails.
		late := f.resetLink("alice@example.org")
		f.clock.Advance(time.Hour + time.Second)
		if err := f.s.ResetPassword(f.ctx, late, "too late passphrase", ip); !errors.Is(err, auth.ErrBadResetLink) {
			t.Errorf("expired link: %v, want ErrBadResetLink", err)
		}
		// A link just before expiry works.
		inTime := f.resetLink("alice@example.org")
		f.clock.Advance(59 * time.Minute)
		if err := f.s.ResetPassword(f.ctx, inTime, "just in time passphrase", ip); err != nil {
			t.Errorf("link used within the hour: %v", err)
		}
		if err := f.s.ResetPassword(f.ctx, "made-up", "made up passphrase", ip); !errors.Is(err, auth.ErrBadResetLink) {
			t.Errorf("made-up link: %v", err)
		}

		// Unknown, disabled and malformed addresses: nil, and no mail.
		bob := f.user("bob@example.org", "", member(f.orgA, access.RoleReferent))
		if err := f.s.DisableUser(f.ctx, system, bob.ID); err != nil {
			t.Fatal(err)
		}
		sent := len(f.mail.all())
		for _, email := range []string{"nobody@example.org", "bob@example.org", "not an address", ""} {
			err := f.s.RequestReset(f.ctx, email, ip)
			f.s.Flush()
			if err != nil {
				t.Errorf("reset for %q: %v, want nil", email, err)
			}
		}
		if got := len(f.mail.all()); got != sent {
			t.Errorf("%d messages sent for addresses without an active account", got-sent)
		}
		if got := f.actions(alice.ID); !slices.Contains(got, "password.reset_request") || !slices.Contains(got, "password.reset") {
			t.Errorf("audit of alice: %v", got)
		}
		f.verifyAudit()
	})
}

func TestPasswordResetUnlocksTheAccount(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		f.alice()
		secret := f.resetLink("alice@example.org")
		for range 5 {
			f.s.Login(f.ctx, "alice@example.org", "wrong password", ip)
		}
		if _, _, err := f.s.Login(f.ctx, "alice@example.org", alicePassword, ip); !errs.Is(err, errs.TooManyRequests) {
			t.Fatalf("not throttled: %v", err)
		}
		// The owner who proves control of the mailbox gets the account back at once.
		if err := f.s.ResetPassword(f.ctx, secret, newPassword, ip); err != nil {
			t.Fatal(err)
		}
		f.login("alice@example.org", newPassword)
	})
}

// A reset link is single-use even when two requests race with it.
func TestPasswordResetLinkIsSingleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		f.alice()
		secret := f.resetLink("alice@example.org")
		const n = 3
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range n {
			wg.Go(func() { results[i] = f.s.ResetPassword(f.ctx, secret, fmt.Sprintf("racing passphrase %d", i), ip) })
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, auth.ErrBadResetLink):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok > 1 {
			t.Fatalf("regression of a fixed bug: the reset link was used %d times concurrently (%s)", ok, d.Dialect())
		}
		if ok != 1 {
			t.Errorf("the link was used %d times, want once", ok)
		}
	})
}
