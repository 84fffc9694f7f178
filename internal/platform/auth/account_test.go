package auth_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

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
			err := f.s.SetPassword(f.ctx, me, tc.current, tc.next, "")
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[tc.field] == "" {
				t.Errorf("%s: got %v (fields %v), want a field error on %q", tc.name, err, errs.FieldsOf(err), tc.field)
			}
		}
		if err := f.s.ResetPasswordAdmin(f.ctx, system, alice.ID, "too short"); errs.FieldsOf(err)["password"] == "" {
			t.Errorf("admin reset with a short password: %v", err)
		}
		if err := f.s.SetPassword(f.ctx, me, alicePassword, newPassword, ""); err != nil {
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
		must("set password", f.s.SetPassword(f.ctx, me, alicePassword, newPassword, ""))
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
