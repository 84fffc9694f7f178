package review_test

import (
	"context"
	"testing"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/pathway/review"
	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/secret"
)

// world is a small territory: the organiser is a référent of an association
// who follows most of the files and organises groups of professionals; a
// chargé d'orientation of France Travail sits in reviews; a référent of a
// CCAS does not; the département's manager oversees the territory and, with
// the département's chargé d'orientation, convenes the équipe
// pluridisciplinaire.
type world struct {
	d       *db.DB
	svc     *review.Service
	people  *people.Service
	actors  map[string]access.Actor
	orgs    map[string]string
	persons map[string]string
	// day is today in Paris at midnight UTC.
	day time.Time
}

const password = "correct horse battery"

// newWorld builds the world over a fresh database, with the services the
// tests call directly.
func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ps := people.NewService(d, box)
	w := &world{d: d, svc: review.NewService(d, ps), people: ps, day: steps.Today()}
	w.populate(t, orgs.NewService(d), auth.NewService(d, auth.DefaultSettings()))
	return w
}

// populate creates the organisations, the accounts and the files.
func (w *world) populate(t *testing.T, orgSvc *orgs.Service, authSvc *auth.Service) {
	t.Helper()
	ctx := context.Background()
	sys := access.System("test")
	w.orgs = map[string]string{}
	for name, kind := range map[string]orgs.Kind{"dept": orgs.KindDepartement, "asso": orgs.KindAssociation,
		"ft": orgs.KindFranceTravail, "ccas": orgs.KindCCAS} {
		o, err := orgSvc.Create(ctx, sys, orgs.Organisation{Name: "Structure " + name, Kind: kind, Territory: "62"})
		if err != nil {
			t.Fatal(err)
		}
		w.orgs[name] = o.ID
	}
	w.actors = map[string]access.Actor{}
	for _, u := range []struct {
		name, email, org string
		role             access.Role
	}{
		{"organiser", "organisatrice@asso.fr", "asso", access.RoleReferent},
		{"participant", "orientation@ft.fr", "ft", access.RoleOrientation},
		{"outsider", "referente@ccas.fr", "ccas", access.RoleReferent},
		{"manager", "responsable@dept.fr", "dept", access.RoleManager},
		{"convener", "orientation@dept.fr", "dept", access.RoleOrientation},
	} {
		acc, err := authSvc.CreateUser(ctx, sys, auth.NewUser{Email: u.email, FirstName: "Prénom", LastName: u.name, Password: password,
			Memberships: []auth.NewMembership{authtest.Member(w.orgs[u.org], u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		w.actors[u.name] = acc.ActorIn("", "")
	}
	w.persons = map[string]string{}
	for _, p := range []struct {
		name, holder string
		followed     bool
	}{
		{"Absent", "dept", true}, {"Progress", "dept", true}, {"Obstacles", "dept", true},
		{"Stale", "dept", true}, {"Recovered", "dept", true}, {"Hidden", "ccas", false},
	} {
		id := db.NewID()
		err := people.Insert(ctx, w.d, people.Person{ID: id, Territory: "62", HoldingOrgID: w.orgs[p.holder], FirstName: "Camille",
			LastName: p.name, CreatedAt: db.Now()}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		w.persons[p.name] = id
		if p.followed {
			org := w.actors["organiser"]
			m := people.GroupMember{ID: db.NewID(), UserID: org.UserID, OrgID: org.OrgID, Role: "referent", Start: w.day.AddDate(-1, 0, 0)}
			if err := people.InsertGroupMember(ctx, w.d, id, m, db.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// step records a step of a person directly in the steps table, days ago.
func (w *world) step(t *testing.T, person, kind, outcome string, daysAgo int) {
	t.Helper()
	_, err := w.d.ExecContext(context.Background(), `INSERT INTO steps (id, person_id, kind, organisation_id, author_id, start_date, outcome, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)`, db.NewID(), w.persons[person], kind, w.orgs["asso"], w.actors["organiser"].UserID,
		w.day.AddDate(0, 0, -daysAgo).Format(time.DateOnly), outcome, db.Now())
	if err != nil {
		t.Fatal(err)
	}
}

// diagnostic records a version of a person's diagnostic with its number of obstacles.
func (w *world) diagnostic(t *testing.T, person string, version, obstacles int) {
	t.Helper()
	_, err := w.d.ExecContext(context.Background(), `INSERT INTO diagnostics (id, person_id, version, organisation_id, author_id, content, obstacle_count, created_at)
		VALUES ($1,$2,$3,$4,$5,'{}',$6,$7)`, db.NewID(), w.persons[person], version, w.orgs["asso"], w.actors["organiser"].UserID, obstacles, db.Now())
	if err != nil {
		t.Fatal(err)
	}
}

// pathways gives each file of the world its history.
func (w *world) pathways(t *testing.T) {
	t.Helper()
	w.step(t, "Absent", "appointment", "no_show", 20)
	w.step(t, "Absent", "appointment", "no_show", 60)
	w.step(t, "Absent", "appointment", "seen", 90)
	w.step(t, "Progress", "training", "", 30)
	w.step(t, "Progress", "appointment", "no_show", 10)
	w.diagnostic(t, "Obstacles", 1, 1)
	w.diagnostic(t, "Obstacles", 2, 4)
	w.step(t, "Obstacles", "appointment", "seen", 15)
	w.step(t, "Stale", "pmsmp", "", 250)
	w.diagnostic(t, "Recovered", 1, 5)
	w.diagnostic(t, "Recovered", 2, 1)
	w.step(t, "Recovered", "job", "", 40)
	for _, ago := range []int{5, 25, 45} {
		w.step(t, "Hidden", "appointment", "no_show", ago)
	}
}

// review organises a review of that kind a week from now, as who.
func (w *world) review(t *testing.T, who string, kind review.Kind) review.Review {
	t.Helper()
	r, err := w.svc.Create(context.Background(), w.actors[who], review.NewReview{Kind: kind, Title: "Commission de mars",
		HeldOn: w.day.AddDate(0, 0, 7).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
