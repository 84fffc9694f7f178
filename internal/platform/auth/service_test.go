package auth_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

// Hashing a password with argon2id costs tens of milliseconds: the tests
// create few accounts with a password, and the others without one.

const (
	alicePassword = "correct horse battery"
	bobPassword   = "Tr0ub4dor&3-staple"
	newPassword   = "a brand new passphrase"
	ip            = "192.0.2.10"
)

var system = access.System("test")

// clock is the injected time of the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mail is one message the fake mailer received.
type mail struct{ to, subject, body string }

// mailbox is a Mailer that keeps what it is asked to send.
type mailbox struct {
	mu   sync.Mutex
	sent []mail
}

func (m *mailbox) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail{to, subject, body})
	return nil
}

func (m *mailbox) all() []mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// fixture is a fresh database with three organisations and the service under test.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	s     *auth.Service
	clock *clock
	mail  *mailbox
	// orgA and orgB are in the Pas-de-Calais, orgC in the Nord.
	orgA, orgB, orgC orgs.Organisation
}

func newFixture(t *testing.T, d *db.DB, tune func(*auth.Settings)) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), d: d,
		clock: &clock{t: time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC)}, mail: &mailbox{}}
	cfg := auth.DefaultSettings()
	cfg.Now, cfg.Mailer, cfg.PublicURL = f.clock.Now, f.mail, "https://tremplin.example.org/"
	if tune != nil {
		tune(&cfg)
	}
	f.s = auth.NewService(d, cfg)
	f.orgA = orgs.Organisation{Name: "Association Rebond", Kind: orgs.KindAssociation, Territory: "62"}
	f.orgB = orgs.Organisation{Name: "France Travail Arras", Kind: orgs.KindFranceTravail, Territory: "62"}
	f.orgC = orgs.Organisation{Name: "Département du Nord", Kind: orgs.KindDepartement, Territory: "59"}
	for _, o := range []*orgs.Organisation{&f.orgA, &f.orgB, &f.orgC} {
		o.ID, o.CreatedAt = db.NewID(), db.Now()
		if err := orgs.Insert(f.ctx, d, *o); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// tuned returns a fixture over the same database, organisations, clock and
// mailbox, with a service configured by tune.
func (f *fixture) tuned(t *testing.T, tune func(*auth.Settings)) *fixture {
	g := *f
	g.t = t
	cfg := auth.DefaultSettings()
	cfg.Now, cfg.Mailer, cfg.PublicURL = f.clock.Now, f.mail, "https://tremplin.example.org/"
	tune(&cfg)
	g.s = auth.NewService(f.d, cfg)
	return &g
}

// user creates an account as the system; password may be empty (no hashing).
func (f *fixture) user(email, password string, ms ...auth.NewMembership) auth.User {
	f.t.Helper()
	u, err := f.s.CreateUser(f.ctx, system, auth.NewUser{Email: email, FirstName: "Prénom", LastName: strings.ToUpper(email[:1]),
		Password: password, Memberships: ms})
	if err != nil {
		f.t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func member(o orgs.Organisation, r access.Role) auth.NewMembership {
	return authtest.Member(o.ID, r)
}

// alice is a référent of A and the admin of B, with a password.
func (f *fixture) alice() auth.User {
	return f.user("alice@example.org", alicePassword, member(f.orgA, access.RoleReferent), member(f.orgB, access.RoleOrgAdmin))
}

func (f *fixture) login(email, password string) (string, auth.User) {
	f.t.Helper()
	secret, u, err := f.s.Login(f.ctx, email, password, ip)
	if err != nil {
		f.t.Fatalf("login %s: %v", email, err)
	}
	return secret, u
}

// actions returns the audit actions recorded about an object, oldest first.
func (f *fixture) actions(objectID string) []string {
	f.t.Helper()
	entries, _, err := audit.Search(f.ctx, f.d, system, audit.Filter{ObjectID: objectID, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, entries[i].Action)
	}
	return out
}

func (f *fixture) verifyAudit() {
	f.t.Helper()
	if _, err := audit.Verify(f.ctx, f.d); err != nil {
		f.t.Errorf("audit chain: %v", err)
	}
}

// sameError checks that err is exactly want: same code, same message.
func sameError(t *testing.T, what string, err error, want *errs.Error) {
	t.Helper()
	if errs.CodeOf(err) != want.Code || errs.MessageOf(err) != want.Message {
		t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

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

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	const idle, max = 30 * time.Minute, 12 * time.Hour
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, func(c *auth.Settings) { c.SessionIdle, c.SessionMax = idle, max })
		f.alice()
		alive := func(t *testing.T, secret string) error {
			t.Helper()
			_, _, err := f.s.SessionActor(f.ctx, secret, ip)
			if err != nil && !errors.Is(err, auth.ErrSessionExpired) {
				t.Fatalf("session check: %v", err)
			}
			return err
		}
		count := func() int {
			var n int
			if err := d.QueryRowContext(f.ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		t.Run("idle", func(t *testing.T) {
			secret, _ := f.login("alice@example.org", alicePassword)
			steps := []struct {
				name  string
				after time.Duration
				alive bool
			}{
				{"used 29 minutes after signing in", 29 * time.Minute, true},
				{"each use extends the idle delay", 29 * time.Minute, true},
				{"exactly at the idle delay", idle, true},
				{"idle for 31 minutes", 31 * time.Minute, false},
				{"an expired session does not come back", time.Second, false},
			}
			for _, st := range steps {
				f.clock.Advance(st.after)
				if err := alive(t, secret); (err == nil) != st.alive {
					t.Errorf("%s: got %v, want alive = %v", st.name, err, st.alive)
				}
			}
			if n := count(); n != 0 {
				t.Errorf("%d sessions left after expiry, want the expired one deleted", n)
			}
		})

		t.Run("absolute", func(t *testing.T) {
			secret, _ := f.login("alice@example.org", alicePassword)
			var elapsed time.Duration
			for elapsed+25*time.Minute <= max {
				f.clock.Advance(25 * time.Minute)
				elapsed += 25 * time.Minute
				if err := alive(t, secret); err != nil {
					t.Fatalf("active session refused after %v: %v", elapsed, err)
				}
			}
			f.clock.Advance(max - elapsed + time.Second)
			if err := alive(t, secret); err == nil {
				t.Errorf("session still alive %v after signing in, though the maximum is %v", max+time.Second, max)
			}
		})

		t.Run("unknown secrets", func(t *testing.T) {
			for _, secret := range []string{"", "nope", strings.Repeat("A", 43)} {
				if _, _, err := f.s.SessionActor(f.ctx, secret, ip); !errors.Is(err, auth.ErrSessionExpired) {
					t.Errorf("secret %q: %v, want ErrSessionExpired", secret, err)
				}
			}
		})

		t.Run("purge", func(t *testing.T) {
			before := count()
			f.login("alice@example.org", alicePassword)
			f.clock.Advance(idle + time.Minute)
			fresh, _ := f.login("alice@example.org", alicePassword)
			if err := f.s.PurgeSessions(f.ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(); n != 1 || alive(t, fresh) != nil {
				t.Errorf("after the purge: %d sessions (%d before), want only the fresh one", n, before)
			}
		})
	})
}

func TestLogoutAndSwitchOrg(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		alice := f.alice()
		laptop, _ := f.login("alice@example.org", alicePassword)
		phone, _ := f.login("alice@example.org", alicePassword)

		a, u, err := f.s.SessionActor(f.ctx, laptop, ip)
		if err != nil {
			t.Fatal(err)
		}
		switches := []struct {
			name  string
			org   string
			ok    bool
			roles []access.Role
		}{
			{"to another organisation of the user", f.orgB.ID, true, []access.Role{access.RoleOrgAdmin}},
			{"not to an organisation the user is no member of", f.orgC.ID, false, []access.Role{access.RoleOrgAdmin}},
			{"not to an unknown organisation", db.NewID(), false, []access.Role{access.RoleOrgAdmin}},
			{"not to no organisation", "", false, []access.Role{access.RoleOrgAdmin}},
			{"back to the first organisation", f.orgA.ID, true, []access.Role{access.RoleReferent}},
		}
		for _, sw := range switches {
			err := f.s.SwitchOrg(f.ctx, laptop, u, sw.org)
			if sw.ok && err != nil || !sw.ok && !errs.Is(err, errs.NotFound) {
				t.Errorf("switch %s: %v", sw.name, err)
			}
			a, _, err = f.s.SessionActor(f.ctx, laptop, ip)
			if err != nil || !slices.Equal(a.Roles, sw.roles) {
				t.Errorf("after switching %s: actor %+v, %v; want roles %v", sw.name, a, err, sw.roles)
			}
		}
		if err := f.s.SwitchOrg(f.ctx, phone, u, f.orgB.ID); err != nil {
			t.Fatal(err)
		}
		a, _, _ = f.s.SessionActor(f.ctx, phone, ip)
		if a.OrgID != f.orgB.ID || a.Territory != "62" {
			t.Errorf("phone session acts in %q, want B", a.OrgID)
		}

		// Logging out closes that session only.
		if err := f.s.Logout(f.ctx, laptop, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.s.SessionActor(f.ctx, laptop, ip); !errors.Is(err, auth.ErrSessionExpired) {
			t.Errorf("after logout: %v, want ErrSessionExpired", err)
		}
		if _, _, err := f.s.SessionActor(f.ctx, phone, ip); err != nil {
			t.Errorf("the other session was closed too: %v", err)
		}
		if got := f.actions(alice.ID); !slices.Contains(got, "session.logout") {
			t.Errorf("audit of alice: %v, want a session.logout", got)
		}
		f.verifyAudit()
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		alice := f.alice()
		bob := f.user("bob@example.org", "", member(f.orgA, access.RoleReferent))
		inB := alice.ActorIn(f.orgB.ID, ip)

		secret, tok, err := f.s.CreateToken(f.ctx, inB, "  Export mensuel ")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "trp_") || len(secret) < 40 || tok.Prefix != secret[:10] || tok.Name != "Export mensuel" || tok.OrgID != f.orgB.ID {
			t.Fatalf("token %+v for secret %q", tok, secret)
		}

		// The token acts as its user in the organisation it was made in.
		a, err := f.s.TokenActor(f.ctx, secret, "198.51.100.9")
		if err != nil {
			t.Fatal(err)
		}
		if a.UserID != alice.ID || a.OrgID != f.orgB.ID || !slices.Equal(a.Roles, []access.Role{access.RoleOrgAdmin}) || a.IP != "198.51.100.9" {
			t.Errorf("token actor %+v", a)
		}

		// Lists show the prefix, never the secret; the database holds only a hash.
		list, err := f.s.Tokens(f.ctx, inB)
		if err != nil || len(list) != 1 || list[0].Prefix != tok.Prefix || list[0].LastUsedAt == nil || list[0].RevokedAt != nil {
			t.Fatalf("tokens %+v, %v", list, err)
		}
		if dump := fmt.Sprintf("%+v", list); strings.Contains(dump, secret[len(tok.Prefix):]) {
			t.Errorf("the listing shows the secret: %s", dump)
		}
		var n int
		d.QueryRowContext(f.ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = $1 OR name = $1 OR prefix = $1`, secret).Scan(&n)
		if n != 0 {
			t.Errorf("the token secret is stored in clear")
		}
		if others, _ := f.s.Tokens(f.ctx, bob.ActorIn("", ip)); len(others) != 0 {
			t.Errorf("bob sees alice's tokens: %+v", others)
		}

		refusals := []struct {
			name  string
			actor access.Actor
			label string
			code  errs.Code
		}{
			{"a token needs a name", inB, "   ", errs.Invalid},
			{"a token name is at most 100 characters", inB, strings.Repeat("x", 101), errs.Invalid},
			{"the system owns no token", system, "cron", errs.Forbidden},
			{"an unauthenticated actor owns no token", access.Actor{}, "anon", errs.Forbidden},
		}
		for _, r := range refusals {
			if _, _, err := f.s.CreateToken(f.ctx, r.actor, r.label); !errs.Is(err, r.code) {
				t.Errorf("%s: got %v, want %s", r.name, err, r.code)
			}
		}

		// Another user may not revoke it, and it keeps working.
		if err := f.s.RevokeToken(f.ctx, bob.ActorIn("", ip), tok.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("bob revoking alice's token: %v, want not found", err)
		}
		if _, err := f.s.TokenActor(f.ctx, secret, ip); err != nil {
			t.Fatalf("token broken by a refused revocation: %v", err)
		}
		if err := f.s.RevokeToken(f.ctx, inB, tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.s.RevokeToken(f.ctx, inB, tok.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("revoking twice: %v, want not found", err)
		}
		list, _ = f.s.Tokens(f.ctx, inB)
		if len(list) != 1 || list[0].RevokedAt == nil {
			t.Errorf("revoked token listed as %+v", list)
		}

		session, _ := f.login("alice@example.org", alicePassword)
		bad := []struct{ name, secret string }{
			{"a revoked token", secret},
			{"an unknown token", "trp_" + strings.Repeat("A", 43)},
			{"a token without the prefix", secret[len("trp_"):]},
			{"a session secret", session},
			{"no token", ""},
		}
		for _, b := range bad {
			a, err := f.s.TokenActor(f.ctx, b.secret, ip)
			if !errors.Is(err, auth.ErrBadToken) || a.Authenticated() {
				t.Errorf("%s: got %+v, %v; want ErrBadToken", b.name, a, err)
			}
		}
		if got := f.actions(tok.ID); !slices.Equal(got, []string{"token.create", "token.revoke"}) {
			t.Errorf("audit of the token: %v", got)
		}
		f.verifyAudit()
	})
}

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

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		password string
		ok       bool
	}{
		{"empty", "", false},
		{"11 characters", "abcdefghijk", false},
		{"12 characters", "abcdefghijkl", true},
		{"11 accented characters, 22 bytes", strings.Repeat("é", 11), false},
		{"12 accented characters", strings.Repeat("é", 12), true},
		{"a long passphrase", strings.Repeat("mot de passe ", 20), true},
		{"over 1024 bytes", strings.Repeat("x", 1025), false},
	}
	for _, tc := range cases {
		err := auth.CheckPassword(tc.password)
		if tc.ok != (err == nil) || !tc.ok && errs.FieldsOf(err)["password"] == "" {
			t.Errorf("%s: got %v, want accepted = %v with a field error on password", tc.name, err, tc.ok)
		}
	}

	hash := auth.HashPassword(alicePassword)
	if !strings.HasPrefix(hash, "$argon2id$v=19$") || strings.Contains(hash, alicePassword) {
		t.Errorf("hash %q", hash)
	}
	if other := auth.HashPassword(alicePassword); other == hash {
		t.Errorf("two hashes of a password are equal: no salt")
	}
	verify := []struct {
		name, hash, password string
		ok                   bool
	}{
		{"the password", hash, alicePassword, true},
		{"another password", hash, bobPassword, false},
		{"an empty hash", "", "", false},
		{"a bcrypt hash", "$2a$10$abcdefghijklmnopqrstuu", alicePassword, false},
		{"a hash with its key removed", hash[:strings.LastIndex(hash, "$")+1], alicePassword, false},
	}
	for _, v := range verify {
		if got := auth.VerifyPassword(v.hash, v.password); got != v.ok {
			t.Errorf("verify %s: %v, want %v", v.name, got, v.ok)
		}
	}

	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		_, err := f.s.CreateUser(f.ctx, system, auth.NewUser{Email: "short@example.org", Password: "elevenchars", Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent)}})
		if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["password"] == "" {
			t.Errorf("create with a short password: %v", err)
		}
		if _, err := f.s.UserByEmail(f.ctx, system, "short@example.org"); !errs.Is(err, errs.NotFound) {
			t.Errorf("account created despite the refused password: %v", err)
		}
		alice := f.alice()
		me := alice.ActorIn("", ip)
		for _, tc := range []struct {
			name, current, next, field string
		}{
			{"the current password must be right", "wrong password!", newPassword, "current"},
			{"the new password must be long enough", alicePassword, "too short", "password"},
		} {
			err := f.s.SetPassword(f.ctx, me, tc.current, tc.next)
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[tc.field] == "" {
				t.Errorf("%s: got %v (fields %v), want a field error on %q", tc.name, err, errs.FieldsOf(err), tc.field)
			}
		}
		if err := f.s.ResetPasswordAdmin(f.ctx, system, alice.ID, "too short"); errs.FieldsOf(err)["password"] == "" {
			t.Errorf("admin reset with a short password: %v", err)
		}
		if err := f.s.SetPassword(f.ctx, me, alicePassword, newPassword); err != nil {
			t.Fatal(err)
		}
		f.login("alice@example.org", newPassword)
		if got := f.actions(alice.ID); !slices.Contains(got, "user.password") {
			t.Errorf("audit of alice: %v, want user.password", got)
		}
	})
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		adminA := access.Actor{UserID: "u-admin-a", OrgID: f.orgA.ID, OrgKind: "association", Territory: "62", Roles: []access.Role{access.RoleOrgAdmin}}
		referentA := access.Actor{UserID: "u-ref-a", OrgID: f.orgA.ID, OrgKind: "association", Territory: "62", Roles: []access.Role{access.RoleReferent}}
		platform := access.Actor{UserID: "u-platform", PlatformAdmin: true}
		f.user("taken@example.org", "", member(f.orgA, access.RoleReferent))

		cases := []struct {
			name  string
			actor access.Actor
			nu    auth.NewUser
			code  errs.Code // "" when created
			field string
			bug   string
		}{
			{"platform admin creates an account in any organisation", platform,
				auth.NewUser{Email: "p1@example.org", Memberships: []auth.NewMembership{member(f.orgC, access.RoleManager)}}, "", "", ""},
			{"platform admin creates another platform admin", platform,
				auth.NewUser{Email: "p2@example.org", PlatformAdmin: true}, "", "", ""},
			{"org admin creates an account in its organisation", adminA,
				auth.NewUser{Email: "a1@example.org", Memberships: []auth.NewMembership{{OrgID: f.orgA.ID, Role: access.RoleReferent, Qualification: access.QualProfessional}}}, "", "", ""},
			{"a référent needs a qualification", system,
				auth.NewUser{Email: "q1@example.org", Memberships: []auth.NewMembership{{OrgID: f.orgA.ID, Role: access.RoleReferent}}}, errs.Invalid, "qualification", ""},
			{"only référents carry a qualification", system,
				auth.NewUser{Email: "q2@example.org", Memberships: []auth.NewMembership{{OrgID: f.orgA.ID, Role: access.RoleOrientation, Qualification: access.QualSocial}}}, errs.Invalid, "qualification", ""},
			{"org admin may not create an account in another organisation", adminA,
				auth.NewUser{Email: "a2@example.org", Memberships: []auth.NewMembership{member(f.orgB, access.RoleReferent)}}, errs.Forbidden, "", ""},
			{"org admin may not add a membership elsewhere to one in its organisation", adminA,
				auth.NewUser{Email: "a3@example.org", Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent), member(f.orgC, access.RoleManager)}}, errs.Forbidden, "", ""},
			{"org admin may not create a platform admin", adminA,
				auth.NewUser{Email: "a4@example.org", PlatformAdmin: true, Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent)}}, errs.Forbidden, "", ""},
			{"org admin may not grant the platform admin role", adminA,
				auth.NewUser{Email: "a5@example.org", Memberships: []auth.NewMembership{member(f.orgA, access.RolePlatformAdmn)}}, errs.Forbidden, "", ""},
			{"org admin may not create an account outside any organisation", adminA,
				auth.NewUser{Email: "a6@example.org"}, errs.Forbidden, "", "mayGrant accepts an empty membership list from anyone"},
			{"référent may not create an account", referentA,
				auth.NewUser{Email: "r1@example.org", Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent)}}, errs.Forbidden, "", ""},
			{"unauthenticated actor may not create an account", access.Actor{},
				auth.NewUser{Email: "x1@example.org", Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent)}}, errs.Forbidden, "", ""},
			{"unauthenticated actor may not create an account without membership", access.Actor{},
				auth.NewUser{Email: "x2@example.org"}, errs.Forbidden, "", "mayGrant accepts an empty membership list from anyone"},
			{"an address already taken is a conflict, whatever its case", system,
				auth.NewUser{Email: "Taken@Example.org", Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent)}}, errs.Conflict, "email", ""},
			{"a malformed address is refused", system,
				auth.NewUser{Email: "not an address", Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent)}}, errs.Invalid, "email", ""},
			{"an unknown role is refused", system,
				auth.NewUser{Email: "s1@example.org", Memberships: []auth.NewMembership{member(f.orgA, "boss")}}, errs.Invalid, "role", ""},
			{"an unknown qualification is refused", system,
				auth.NewUser{Email: "s2@example.org", Memberships: []auth.NewMembership{{OrgID: f.orgA.ID, Role: access.RoleReferent, Qualification: "medical"}}}, errs.Invalid, "qualification", ""},
			{"a membership of an unknown organisation is not found", system,
				auth.NewUser{Email: "s3@example.org", Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent), {OrgID: db.NewID(), Role: access.RoleReferent, Qualification: access.QualSocial}}}, errs.NotFound, "", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u, err := f.s.CreateUser(f.ctx, tc.actor, tc.nu)
				if errs.CodeOf(err) != tc.code || tc.field != "" && errs.FieldsOf(err)[tc.field] == "" {
					if tc.bug != "" {
						t.Fatalf("regression of a fixed bug: %s (got %v)", tc.bug, err)
					}
					t.Fatalf("got %v (fields %v), want code %q on field %q", err, errs.FieldsOf(err), tc.code, tc.field)
				}
				stored, lookErr := f.s.UserByEmail(f.ctx, system, tc.nu.Email)
				if tc.code != "" {
					if tc.code != errs.Conflict && !errs.Is(lookErr, errs.NotFound) {
						t.Errorf("refused, yet the account exists: %+v", stored)
					}
					return
				}
				if lookErr != nil || stored.ID != u.ID || len(u.Memberships) != len(tc.nu.Memberships) || u.PlatformAdmin != tc.nu.PlatformAdmin {
					t.Errorf("created %+v, stored %+v, %v", u, stored, lookErr)
				}
				for i, m := range u.Memberships {
					if m.OrgID != tc.nu.Memberships[i].OrgID || m.Role != tc.nu.Memberships[i].Role || m.OrgName == "" || m.Qualification != tc.nu.Memberships[i].Qualification {
						t.Errorf("membership %+v, want %+v", m, tc.nu.Memberships[i])
					}
				}
				entries, _, _ := audit.Search(f.ctx, d, system, audit.Filter{Action: "user.create", ObjectID: u.ID})
				if len(entries) != 1 || entries[0].UserID != tc.actor.UserID {
					t.Errorf("audit of the creation: %+v", entries)
				}
			})
		}
		f.verifyAudit()
	})
}

func TestAccountAdministration(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		inA := f.user("ref-a@example.org", "", member(f.orgA, access.RoleReferent))
		inC := f.user("man-c@example.org", "", member(f.orgC, access.RoleManager))
		adminUser := f.user("admin-a@example.org", "", member(f.orgA, access.RoleOrgAdmin))
		adminA := adminUser.ActorIn("", ip)
		refA := inA.ActorIn("", ip)

		users, total, err := f.s.ListUsers(f.ctx, adminA, auth.UserFilter{})
		var emails []string
		for _, u := range users {
			emails = append(emails, u.Email)
		}
		if err != nil || total != 2 || !slices.Equal(emails, []string{"admin-a@example.org", "ref-a@example.org"}) {
			t.Errorf("org admin lists %v (total %d), %v; want the two members of A", emails, total, err)
		}
		if _, total, _ := f.s.ListUsers(f.ctx, system, auth.UserFilter{Limit: 1}); total != 3 {
			t.Errorf("system lists %d accounts, want 3", total)
		}
		if _, _, err := f.s.ListUsers(f.ctx, refA, auth.UserFilter{}); !errs.Is(err, errs.NotFound) {
			t.Errorf("référent lists accounts: %v, want not found", err)
		}
		reads := []struct {
			name  string
			actor access.Actor
			id    string
			ok    bool
		}{
			{"org admin reads a member of its organisation", adminA, inA.ID, true},
			{"org admin may not read an account of another organisation", adminA, inC.ID, false},
			{"a user reads the own account", refA, inA.ID, true},
			{"a référent may not read a colleague's account", refA, adminUser.ID, false},
		}
		for _, r := range reads {
			if _, err := f.s.User(f.ctx, r.actor, r.id); (err == nil) != r.ok || !r.ok && !errs.Is(err, errs.NotFound) {
				t.Errorf("%s: %v", r.name, err)
			}
		}

		if err := f.s.AddMembership(f.ctx, adminA, inC.ID, member(f.orgB, access.RoleReferent)); !errs.Is(err, errs.Forbidden) {
			t.Errorf("org admin granting a role in another organisation: %v, want forbidden", err)
		}
		if err := f.s.AddMembership(f.ctx, adminA, inA.ID, member(f.orgA, access.RoleFacilitator)); err != nil {
			t.Fatalf("org admin granting another role in its organisation: %v", err)
		}
		if err := f.s.AddMembership(f.ctx, system, inC.ID, member(f.orgA, access.RoleReferent)); err != nil {
			t.Fatalf("the platform brings an account of C into A: %v", err)
		}
		if _, err := f.s.User(f.ctx, adminA, inC.ID); err != nil {
			t.Errorf("the new member of A is not administered by A's admin: %v", err)
		}
		if err := f.s.AddMembership(f.ctx, system, db.NewID(), member(f.orgA, access.RoleReferent)); !errs.Is(err, errs.NotFound) {
			t.Errorf("membership of an unknown account: %v, want not found", err)
		}
		if got := f.actions(inC.ID); !slices.Equal(got, []string{"user.create", "membership.add"}) {
			t.Errorf("audit of the account: %v", got)
		}
	})
}

func TestDisableUser(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		alice := f.alice()
		adminA := f.user("admin-a@example.org", "", member(f.orgA, access.RoleOrgAdmin)).ActorIn("", ip)
		adminC := f.user("admin-c@example.org", "", member(f.orgC, access.RoleOrgAdmin)).ActorIn("", ip)
		laptop, _ := f.login("alice@example.org", alicePassword)
		phone, _ := f.login("alice@example.org", alicePassword)
		token, _, err := f.s.CreateToken(f.ctx, alice.ActorIn(f.orgB.ID, ip), "script")
		if err != nil {
			t.Fatal(err)
		}

		refusals := []struct {
			name  string
			actor access.Actor
			id    string
			code  errs.Code
		}{
			{"an admin of another organisation does not see the account", adminC, alice.ID, errs.NotFound},
			{"a user may not disable the own account", alice.ActorIn("", ip), alice.ID, errs.Invalid},
			{"an unknown account is not found", adminA, db.NewID(), errs.NotFound},
			{"an admin of one of the account's organisations may not disable an account working elsewhere too", adminA, alice.ID, errs.Forbidden},
		}
		for _, r := range refusals {
			if err := f.s.DisableUser(f.ctx, r.actor, r.id); !errs.Is(err, r.code) {
				t.Errorf("%s: got %v, want %s", r.name, err, r.code)
			}
		}
		if _, _, err := f.s.SessionActor(f.ctx, laptop, ip); err != nil {
			t.Fatalf("a refused disabling closed a session: %v", err)
		}

		if err := f.s.DisableUser(f.ctx, system, alice.ID); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{laptop, phone} {
			if _, _, err := f.s.SessionActor(f.ctx, s, ip); !errors.Is(err, auth.ErrSessionExpired) {
				t.Errorf("session of a disabled account: %v, want closed", err)
			}
		}
		if _, err := f.s.TokenActor(f.ctx, token, ip); !errors.Is(err, auth.ErrBadToken) {
			t.Errorf("token of a disabled account: %v, want ErrBadToken", err)
		}
		var open int
		if err := d.QueryRowContext(f.ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, alice.ID).Scan(&open); err != nil || open != 0 {
			t.Errorf("%d sessions of the disabled account left in the database (%v)", open, err)
		}
		if toks, _ := f.s.Tokens(f.ctx, alice.ActorIn("", ip)); len(toks) != 1 || toks[0].RevokedAt == nil {
			t.Errorf("tokens of a disabled account: %+v, want revoked", toks)
		}
		_, _, err = f.s.Login(f.ctx, "alice@example.org", alicePassword, ip)
		sameError(t, "login of a disabled account", err, auth.ErrBadCredentials)
		if u, _ := f.s.User(f.ctx, system, alice.ID); !u.Disabled() {
			t.Errorf("account not marked disabled")
		}
		// Disabling twice keeps the first date.
		first, _ := f.s.User(f.ctx, system, alice.ID)
		f.clock.Advance(time.Hour)
		if err := f.s.DisableUser(f.ctx, system, alice.ID); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.s.User(f.ctx, system, alice.ID); again.DisabledAt == nil || !again.DisabledAt.Equal(*first.DisabledAt) {
			t.Errorf("disabled at %v, then %v", first.DisabledAt, again.DisabledAt)
		}
		if got := f.actions(alice.ID); !slices.Contains(got, "user.disable") {
			t.Errorf("audit of alice: %v", got)
		}
		f.verifyAudit()
	})
}

// TestEveryWriteIsAudited runs the life of an account and checks the trail:
// each write appears, by the right actor, and the chain verifies.
func TestEveryWriteIsAudited(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		admin := f.user("admin-b@example.org", "", member(f.orgB, access.RoleOrgAdmin))
		adminB := admin.ActorIn("", ip)
		alice, err := f.s.CreateUser(f.ctx, adminB, auth.NewUser{Email: "alice@example.org", Password: alicePassword,
			Memberships: []auth.NewMembership{member(f.orgB, access.RoleReferent)}})
		if err != nil {
			t.Fatal(err)
		}
		must := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		must("add membership", f.s.AddMembership(f.ctx, adminB, alice.ID, member(f.orgB, access.RoleOrientation)))
		session, _ := f.login("alice@example.org", alicePassword)
		me, _, err := f.s.SessionActor(f.ctx, session, ip)
		must("session", err)
		secret, tok, err := f.s.CreateToken(f.ctx, me, "export")
		must("create token", err)
		must("revoke token", f.s.RevokeToken(f.ctx, me, tok.ID))
		must("set password", f.s.SetPassword(f.ctx, me, alicePassword, newPassword))
		must("logout", f.s.Logout(f.ctx, session, me))
		link := f.resetLink("alice@example.org")
		must("reset", f.s.ResetPassword(f.ctx, link, alicePassword, ip))
		must("admin reset", f.s.ResetPasswordAdmin(f.ctx, adminB, alice.ID, newPassword))
		must("disable", f.s.DisableUser(f.ctx, adminB, alice.ID))

		want := []struct{ action, objectID, userID string }{
			{"user.create", alice.ID, admin.ID},
			{"membership.add", alice.ID, admin.ID},
			{"session.login", alice.ID, alice.ID},
			{"token.create", tok.ID, alice.ID},
			{"token.revoke", tok.ID, alice.ID},
			{"user.password", alice.ID, alice.ID},
			{"session.logout", alice.ID, alice.ID},
			{"password.reset_request", alice.ID, alice.ID},
			{"password.reset", alice.ID, alice.ID},
			{"user.password_set", alice.ID, admin.ID},
			{"user.disable", alice.ID, admin.ID},
		}
		entries, _, err := audit.Search(f.ctx, d, system, audit.Filter{Limit: 500})
		must("search", err)
		slices.Reverse(entries)
		var got []string
		for _, e := range entries {
			if e.Action == "user.create" && e.ObjectID == admin.ID {
				continue
			}
			got = append(got, e.Action)
			for _, s := range []string{alicePassword, newPassword, secret, link, session} {
				if strings.Contains(fmt.Sprintf("%+v", e), s) {
					t.Errorf("audit entry %d holds a password or a secret: %+v", e.Seq, e)
				}
			}
		}
		var wantActions []string
		for _, w := range want {
			wantActions = append(wantActions, w.action)
		}
		if !slices.Equal(got, wantActions) {
			t.Fatalf("audit trail %v\nwant %v", got, wantActions)
		}
		for i, w := range want {
			e := entries[i+1]
			if e.ObjectID != w.objectID || e.UserID != w.userID {
				t.Errorf("%s: object %q by %q, want object %q by %q", w.action, e.ObjectID, e.UserID, w.objectID, w.userID)
			}
		}
		f.verifyAudit()
	})
}

// An organisation admin administers the accounts of its organisation, and
// through them must not reach anything wider: a platform admin, the admin of
// another organisation, or an account it first pulls into its organisation.
func TestOrgAdminDoesNotReachBeyondItsOrganisation(t *testing.T) {
	t.Parallel()
	const takeover = "administered() lets an org admin write any account holding a membership in its organisation, " +
		"and AddMembership lets it add that membership to any account"
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		adminA := f.user("admin-a@example.org", "", member(f.orgA, access.RoleOrgAdmin)).ActorIn("", ip)
		root, err := f.s.CreateUser(f.ctx, system, auth.NewUser{Email: "root@example.org", PlatformAdmin: true,
			Memberships: []auth.NewMembership{member(f.orgA, access.RoleReferent)}})
		if err != nil {
			t.Fatal(err)
		}
		bossC := f.user("boss-c@example.org", "", member(f.orgC, access.RoleOrgAdmin), member(f.orgA, access.RoleReferent))
		outsider := f.user("out-c@example.org", "", member(f.orgC, access.RoleReferent))
		cases := []struct {
			name string
			run  func() error
			bug  string
		}{
			{"org admin may not set the password of an account of another organisation", func() error {
				return f.s.ResetPasswordAdmin(f.ctx, adminA, outsider.ID, newPassword)
			}, ""},
			{"org admin may not disable an account of another organisation", func() error {
				return f.s.DisableUser(f.ctx, adminA, outsider.ID)
			}, ""},
			{"org admin may not set the password of a platform admin", func() error {
				return f.s.ResetPasswordAdmin(f.ctx, adminA, root.ID, newPassword)
			}, takeover},
			{"org admin may not disable a platform admin", func() error {
				return f.s.DisableUser(f.ctx, adminA, root.ID)
			}, takeover},
			{"org admin may not set the password of the admin of another organisation", func() error {
				return f.s.ResetPasswordAdmin(f.ctx, adminA, bossC.ID, newPassword)
			}, takeover},
			{"org admin may not pull an account of another organisation into its own", func() error {
				return f.s.AddMembership(f.ctx, adminA, outsider.ID, member(f.orgA, access.RoleReferent))
			}, takeover},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.run()
				if err == nil && tc.bug != "" {
					t.Fatalf("regression of a fixed bug: %s", tc.bug)
				}
				if !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Forbidden) {
					t.Errorf("got %v, want a refusal (not found or forbidden)", err)
				}
			})
		}
	})
}

// A token is made for one organisation: once its user leaves that
// organisation, it must not act in another one.
func TestATokenActsOnlyInItsOrganisation(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		u := f.user("two-orgs@example.org", "", member(f.orgA, access.RoleReferent), member(f.orgB, access.RoleOrgAdmin))
		secret, _, err := f.s.CreateToken(f.ctx, u.ActorIn(f.orgB.ID, ip), "script")
		if err != nil {
			t.Fatal(err)
		}
		// No service removes a membership yet: do it as a future one would.
		if _, err := d.ExecContext(f.ctx, `DELETE FROM memberships WHERE user_id = $1 AND organisation_id = $2`, u.ID, f.orgB.ID); err != nil {
			t.Fatal(err)
		}
		a, err := f.s.TokenActor(f.ctx, secret, ip)
		if err == nil {
			t.Fatalf("regression of a fixed bug: TokenActor falls back to another organisation of the user (acts in %q with %v)", a.OrgID, a.Roles)
		}
		if !errors.Is(err, auth.ErrBadToken) {
			t.Errorf("got %v, want ErrBadToken", err)
		}
	})
}
