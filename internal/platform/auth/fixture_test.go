package auth_test

import (
	"context"
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
