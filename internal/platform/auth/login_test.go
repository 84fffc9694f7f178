package auth_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		alice := f.alice()
		bob := f.user("bob@example.org", bobPassword, member(f.orgA, access.RoleReferent))
		if err := f.s.DisableUser(f.ctx, system, bob.ID); err != nil {
			t.Fatal(err)
		}
		f.user("carol@example.org", "", member(f.orgA, access.RoleReferent))

		cases := []struct {
			name            string
			email, password string
			ok              bool
		}{
			{"the right password opens a session", "alice@example.org", alicePassword, true},
			{"the address is case and space insensitive", "  Alice@EXAMPLE.org ", alicePassword, true},
			{"a wrong password is refused", "alice@example.org", "wrong horse battery", false},
			{"the password is case sensitive", "alice@example.org", strings.ToUpper(alicePassword), false},
			{"an unknown account gets the same answer as a wrong password", "nobody@example.org", alicePassword, false},
			{"a disabled account gets the same answer, even with its password", "bob@example.org", bobPassword, false},
			{"an account without password may not sign in with an empty one", "carol@example.org", "", false},
			{"an empty address is refused the same way", "", "", false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				secret, u, err := f.s.Login(f.ctx, tc.email, tc.password, ip)
				if !tc.ok {
					// One answer for all: nothing tells an unknown account from a wrong password.
					if !errors.Is(err, auth.ErrBadCredentials) {
						t.Errorf("got %v, want ErrBadCredentials", err)
					}
					sameError(t, "refused login", err, auth.ErrBadCredentials)
					if secret != "" || u.ID != "" || u.Email != "" {
						t.Errorf("a refused login leaks a session or an account: %q, %+v", secret, u)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if secret == "" || u.ID != alice.ID {
					t.Fatalf("session %q for %+v", secret, u)
				}
				if stored, _ := f.s.User(f.ctx, system, alice.ID); stored.LastLoginAt == nil || !stored.LastLoginAt.Equal(f.clock.Now()) {
					t.Errorf("last login at %v, want %v", stored.LastLoginAt, f.clock.Now())
				}
				a, su, err := f.s.SessionActor(f.ctx, secret, "198.51.100.7")
				if err != nil {
					t.Fatal(err)
				}
				// The session acts in the first organisation of the account.
				if a.UserID != alice.ID || a.OrgID != f.orgA.ID || a.Territory != "62" || a.OrgKind != "association" ||
					!slices.Equal(a.Roles, []access.Role{access.RoleReferent}) || a.IP != "198.51.100.7" || su.ID != alice.ID {
					t.Errorf("session actor %+v", a)
				}
				// The database keeps a hash of the session secret, never the secret.
				var n int
				if err := d.QueryRowContext(f.ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, secret).Scan(&n); err != nil || n != 0 {
					t.Errorf("session secret stored in clear (%d rows, %v)", n, err)
				}
			})
		}
		// Unknown account and wrong password: identical errors, as values.
		_, _, errUnknown := f.s.Login(f.ctx, "ghost@example.org", "whatever password", "203.0.113.1")
		_, _, errWrong := f.s.Login(f.ctx, "alice@example.org", "whatever password", "203.0.113.1")
		if errUnknown == nil || errUnknown.Error() != errWrong.Error() || errs.HTTPStatus(errUnknown) != errs.HTTPStatus(errWrong) {
			t.Errorf("unknown account %v and wrong password %v differ", errUnknown, errWrong)
		}
		if got := f.actions(alice.ID); !slices.Contains(got, "session.login") {
			t.Errorf("audit of alice: %v, want a session.login", got)
		}
		f.verifyAudit()
	})
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	const window = 15 * time.Minute
	throttled := func(t *testing.T, err error) {
		t.Helper()
		if !errs.Is(err, errs.TooManyRequests) {
			t.Fatalf("got %v, want too many requests", err)
		}
	}
	// The scenarios share a database: each uses its own accounts and addresses.
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		base := newFixture(t, d, nil)
		tuned := func(t *testing.T, accounts, addresses int) *fixture {
			return base.tuned(t, func(c *auth.Settings) {
				c.MaxFailAccount, c.MaxFailAddress, c.ThrottleWindow = accounts, addresses, window
			})
		}

		t.Run("per account", func(t *testing.T) {
			f := tuned(t, 5, 1000)
			f.user("acc@example.org", alicePassword)
			addr := func(i int) string { return fmt.Sprintf("203.0.113.%d", i) }
			for i := range 5 {
				_, _, err := f.s.Login(f.ctx, "acc@example.org", "wrong password "+addr(i), addr(i))
				sameError(t, fmt.Sprintf("failure %d", i+1), err, auth.ErrBadCredentials)
			}
			// After five failures, even the right password from a fresh address is refused.
			_, _, err := f.s.Login(f.ctx, "ACC@example.org", alicePassword, addr(100))
			throttled(t, err)
			if errs.MessageOf(err) == auth.ErrBadCredentials.Message {
				t.Errorf("throttling answers like a wrong password")
			}
			// Once the window has passed, the right password works again.
			f.clock.Advance(window + time.Second)
			f.login("acc@example.org", alicePassword)
		})

		t.Run("an unknown account is throttled like a known one", func(t *testing.T) {
			// Throttling must tell no account apart: same limit, same answers.
			f := tuned(t, 2, 1000)
			f.user("known@example.org", alicePassword)
			for _, email := range []string{"known@example.org", "ghost@example.org"} {
				var got []errs.Code
				for range 3 {
					_, _, err := f.s.Login(f.ctx, email, "wrong password", "203.0.113.150")
					got = append(got, errs.CodeOf(err))
				}
				want := []errs.Code{errs.Unauthorized, errs.Unauthorized, errs.TooManyRequests}
				if !slices.Equal(got, want) {
					t.Errorf("%s: answers %v, want %v", email, got, want)
				}
			}
		})

		// With a limit of 2 to keep the test fast.
		t.Run("the window slides", func(t *testing.T) {
			f := tuned(t, 2, 1000)
			f.user("slide@example.org", alicePassword)
			fail := func(n int) {
				for range n {
					if _, _, err := f.s.Login(f.ctx, "slide@example.org", "wrong password", "203.0.113.200"); !errs.Is(err, errs.Unauthorized) {
						t.Fatalf("failure: got %v", err)
					}
				}
			}
			fail(1)
			f.clock.Advance(10 * time.Minute)
			fail(1)
			_, _, err := f.s.Login(f.ctx, "slide@example.org", alicePassword, "203.0.113.200")
			throttled(t, err)
			// The first failure leaves the window; the second still counts, alone.
			f.clock.Advance(6 * time.Minute)
			f.login("slide@example.org", alicePassword)
		})

		t.Run("a success clears the account's failures", func(t *testing.T) {
			f := tuned(t, 3, 1000)
			f.user("clear@example.org", alicePassword)
			for range 2 {
				for range 2 {
					f.s.Login(f.ctx, "clear@example.org", "wrong password", "203.0.113.201")
				}
				f.login("clear@example.org", alicePassword)
			}
		})

		t.Run("per address", func(t *testing.T) {
			f := tuned(t, 5, 3)
			f.user("victim@example.org", alicePassword)
			const attacker = "203.0.113.66"
			// One failure on each of three accounts: no account reaches its limit, the address does.
			for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
				_, _, err := f.s.Login(f.ctx, email, "password123456", attacker)
				sameError(t, email, err, auth.ErrBadCredentials)
			}
			_, _, err := f.s.Login(f.ctx, "victim@example.org", alicePassword, attacker)
			throttled(t, err)
			// A password reset request from that address is throttled too.
			throttled(t, f.s.RequestReset(f.ctx, "victim@example.org", attacker))
			if len(f.mail.all()) != 0 {
				t.Errorf("a throttled reset request sent mail")
			}
			// Other addresses are not affected.
			f.login("victim@example.org", alicePassword)
			f.clock.Advance(window + time.Second)
			if _, _, err := f.s.Login(f.ctx, "victim@example.org", alicePassword, attacker); err != nil {
				t.Errorf("after the window: %v", err)
			}
		})

		t.Run("can be disabled", func(t *testing.T) {
			f := base.tuned(t, func(c *auth.Settings) { c.MaxFailAccount, c.MaxFailAddress, c.DisableThrottle = 1, 1, true })
			f.user("free@example.org", alicePassword)
			for range 2 {
				f.s.Login(f.ctx, "free@example.org", "wrong password", ip)
			}
			f.login("free@example.org", alicePassword)
		})
	})
}
