package auth_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

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
