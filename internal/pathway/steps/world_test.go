package steps_test

import (
	"context"
	"testing"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/secret"
)

// A valid SIRET (Luhn on SIREN and SIRET) for hosts and employers.
const hostSIRET = "73282932000074"

// world is a territory with a followed person: a référent of the mission
// locale and a SIAE staff member in the group, a référent of an association
// outside it, a département manager and an employer.
type world struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	svc    *steps.Service
	orgs   map[string]orgs.Organisation
	users  map[string]auth.User
	person people.Person
	// other is a file of the same territory nobody of the group follows.
	other people.Person
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: context.Background(), d: d, svc: steps.NewService(d, people.NewService(d, box)),
		orgs: map[string]orgs.Organisation{}, users: map[string]auth.User{}}
	for _, o := range []orgs.Organisation{
		{Name: "Département", Kind: orgs.KindDepartement, Territory: "62"},
		{Name: "Mission locale", Kind: orgs.KindMissionLocale, Territory: "62"},
		{Name: "Association", Kind: orgs.KindAssociation, Territory: "62"},
		{Name: "Chantier d'insertion", Kind: orgs.KindSIAE, SIAEKind: "ACI", Territory: "62"},
		{Name: "Intérim d'insertion", Kind: orgs.KindSIAE, SIAEKind: "ETTI", Territory: "62"},
		{Name: "Employeur", Kind: orgs.KindEmployer, Territory: "62"},
	} {
		o.ID, o.CreatedAt = db.NewID(), db.Now()
		if err := orgs.Insert(w.ctx, d, o); err != nil {
			t.Fatal(err)
		}
		w.orgs[o.Name] = o
	}
	auths := auth.NewService(d, auth.DefaultSettings())
	for _, u := range []struct {
		name, org string
		role      access.Role
	}{
		{"referent", "Mission locale", access.RoleReferent},
		{"siae", "Chantier d'insertion", access.RoleSIAEStaff},
		{"outsider", "Association", access.RoleReferent},
		{"manager", "Département", access.RoleManager},
		{"employer", "Employeur", access.RoleEmployer},
	} {
		created, err := auths.CreateUser(w.ctx, access.System("test"), auth.NewUser{Email: u.name + "@example.org",
			FirstName: "Prénom", LastName: u.name, Memberships: []auth.NewMembership{authtest.Member(w.orgs[u.org].ID, u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = created
	}
	w.person = w.insertPerson("Martin")
	w.other = w.insertPerson("Bernard")
	w.follow(w.person, "referent", "Mission locale", "referent")
	w.follow(w.person, "siae", "Chantier d'insertion", "member")
	return w
}

func (w *world) insertPerson(last string) people.Person {
	w.t.Helper()
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: w.orgs["Département"].ID, FirstName: "Julie", LastName: last, CreatedAt: db.Now()}
	if err := people.Insert(w.ctx, w.d, p, "", ""); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) follow(p people.Person, user, org, role string) {
	w.t.Helper()
	m := people.GroupMember{ID: db.NewID(), UserID: w.users[user].ID, OrgID: w.orgs[org].ID, Role: role, Start: time.Now().AddDate(0, -2, 0)}
	if err := people.InsertGroupMember(w.ctx, w.d, p.ID, m, db.Now()); err != nil {
		w.t.Fatal(err)
	}
}

// as is a user acting in their organisation.
func (w *world) as(user string) access.Actor { return w.users[user].ActorIn("", "192.0.2.1") }

// step records a valid step or fails the test.
func (w *world) step(in steps.StepInput) steps.Step {
	w.t.Helper()
	st, err := w.svc.CreateStep(w.ctx, w.as("referent"), w.person.ID, in)
	if err != nil {
		w.t.Fatalf("create %s step: %v", in.Kind, err)
	}
	return st
}

// count returns the rows of a table matching a condition on one argument.
func (w *world) count(query string, arg any) int {
	w.t.Helper()
	var n int
	if err := w.d.QueryRowContext(w.ctx, query, arg).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// day formats a day relative to today (Paris) as the API takes it.
func day(offset int) string { return steps.Today().AddDate(0, 0, offset).Format(time.DateOnly) }
