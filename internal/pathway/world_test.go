package pathway_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/pathway"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/secret"
)

var system = access.System("test")

// day0 is the day the tests' clock shows.
var day0 = time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)

// world is a département with its partners, their staff and a new RSA beneficiary.
type world struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	svc    *pathway.Service
	people *people.Service
	orgs   map[string]orgs.Organisation
	users  map[string]auth.User
	today  time.Time
}

// staff is the cast: who works where, with which role and qualification.
var staff = []struct {
	name string
	org  string
	role access.Role
	qual access.Qualification
}{
	{"ori", "dep62", access.RoleOrientation, ""},
	{"man", "dep62", access.RoleManager, ""},
	{"soc", "asso62", access.RoleReferent, access.QualSocial},
	{"soc2", "asso62", access.RoleReferent, access.QualSocial},
	{"pro", "ft62", access.RoleReferent, access.QualProfessional},
	{"adminft", "ft62", access.RoleOrgAdmin, ""},
	{"outsider", "asso62", access.RoleReferent, access.QualProfessional},
	{"man59", "dep59", access.RoleManager, ""},
	{"employer", "emp62", access.RoleEmployer, ""},
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	key, err := secret.ParseKey(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: context.Background(), d: d, people: people.NewService(d, box), orgs: map[string]orgs.Organisation{},
		users: map[string]auth.User{}, today: day0}
	w.svc = pathway.NewService(d, w.people, pathway.DefaultSettings())
	w.svc.SetClock(func() time.Time { return w.today.Add(10 * time.Hour) })
	for _, o := range []orgs.Organisation{
		{Name: "dep62", Kind: orgs.KindDepartement, Territory: "62"},
		{Name: "dep59", Kind: orgs.KindDepartement, Territory: "59"},
		{Name: "ft62", Kind: orgs.KindFranceTravail, Territory: "62"},
		{Name: "asso62", Kind: orgs.KindAssociation, Territory: "62"},
		{Name: "emp62", Kind: orgs.KindEmployer, Territory: "62"},
	} {
		o.ID, o.CreatedAt = db.NewID(), db.Now()
		if err := orgs.Insert(w.ctx, d, o); err != nil {
			t.Fatal(err)
		}
		w.orgs[o.Name] = o
	}
	a := auth.NewService(d, auth.DefaultSettings())
	for _, s := range staff {
		u, err := a.CreateUser(w.ctx, system, auth.NewUser{Email: s.name + "@example.org", FirstName: "Prénom", LastName: strings.ToUpper(s.name),
			Memberships: []auth.NewMembership{{OrgID: w.orgs[s.org].ID, Role: s.role, Qualification: s.qual}}})
		if err != nil {
			t.Fatal(err)
		}
		w.users[s.name] = u
	}
	return w
}

// as returns the actor of a cast member in their organisation.
func (w *world) as(name string) access.Actor {
	for _, s := range staff {
		if s.name == name {
			return w.users[name].ActorIn(w.orgs[s.org].ID, "192.0.2.1")
		}
	}
	w.t.Fatalf("no cast member %q", name)
	return access.Actor{}
}

// beneficiary inserts a person held by the département whose RSA right opened
// rightsAgo days before today, subject to rights and duties.
func (w *world) beneficiary(last string, rightsAgo int) string {
	w.t.Helper()
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: w.orgs["dep62"].ID, FirstName: "Léa", LastName: last, CreatedAt: db.Now()}
	if err := people.Insert(w.ctx, w.d, p, "", ""); err != nil {
		w.t.Fatal(err)
	}
	hh := db.NewID()
	w.exec(`INSERT INTO households (id, territory, fonorg, numorg, matricule, request_date, rsa_state, droits_devoirs, created_at, updated_at)
		VALUES ($1, '62', 'CAF', '621', $2, $3, '2', TRUE, $4, $4)`, hh, "M"+p.ID[len(p.ID)-7:], w.day(-rightsAgo), db.Now())
	w.exec(`UPDATE persons SET household_id = $1, household_role = 'DEM', droits_devoirs = TRUE WHERE id = $2`, hh, p.ID)
	return p.ID
}

// day is today plus offset days, as a DATE value.
func (w *world) day(offset int) string { return w.today.AddDate(0, 0, offset).Format(time.DateOnly) }

func (w *world) exec(query string, args ...any) {
	w.t.Helper()
	if _, err := w.d.ExecContext(w.ctx, query, args...); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
}

// ok returns a result for a test that fails on its error: ok(f())(t).
func ok[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantCode checks that err carries code (and, for field errors, the field).
func wantCode(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if field != "" {
		var e *errs.Error
		if !errors.As(err, &e) || e.Fields[field] == "" {
			t.Fatalf("want an error on field %q, got %v", field, err)
		}
	}
}
