package auth_test

import (
	"errors"
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
