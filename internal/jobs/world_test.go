package jobs_test

import (
	"context"
	"testing"
	"time"

	"tremplin/internal/jobs"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// Places of the Pas-de-Calais the tests put people and offers at.
var (
	arras    = geo.Point{Lat: 50.29301, Lon: 2.78186}
	lens     = geo.Point{Lat: 50.43302, Lon: 2.82791} // about 16 km north of Arras
	calais   = geo.Point{Lat: 50.95129, Lon: 1.85868} // about 100 km away
	arrasINS = "62041"
	lensINS  = "62498"
)

// world is a territory with an employer, another employer, the people's
// professionals and two located people: Martin, followed by the mission
// locale's référent, and Bernard, followed by the association's référent.
type world struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	svc    *jobs.Service
	ppl    *people.Service
	orgs   map[string]orgs.Organisation
	users  map[string]auth.User
	martin people.Person
	bernad people.Person
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	if err := refdata.SeedFor(ctx, d, "62", "80"); err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ppl := people.NewService(d, box)
	w := &world{t: t, ctx: ctx, d: d, ppl: ppl, svc: jobs.NewService(d, ppl, geo.NewOffline(d)),
		orgs: map[string]orgs.Organisation{}, users: map[string]auth.User{}}
	for _, o := range []orgs.Organisation{
		{Name: "Département", Kind: orgs.KindDepartement, Territory: "62"},
		{Name: "Mission locale", Kind: orgs.KindMissionLocale, Territory: "62"},
		{Name: "Association", Kind: orgs.KindAssociation, Territory: "62"},
		{Name: "Propreté du Nord", Kind: orgs.KindEmployer, Territory: "62", SIRET: "73282932000074"},
		{Name: "Autre employeur", Kind: orgs.KindEmployer, Territory: "62"},
		{Name: "Employeur de la Somme", Kind: orgs.KindEmployer, Territory: "80"},
	} {
		o.ID, o.CreatedAt = db.NewID(), db.Now()
		if err := orgs.Insert(ctx, d, o); err != nil {
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
		{"outsider", "Association", access.RoleReferent},
		{"manager", "Département", access.RoleManager},
		{"employer", "Propreté du Nord", access.RoleEmployer},
		{"rival", "Autre employeur", access.RoleEmployer},
	} {
		created, err := auths.CreateUser(ctx, access.System("test"), auth.NewUser{Email: u.name + "@example.org",
			FirstName: "Prénom", LastName: u.name, Memberships: []auth.NewMembership{authtest.Member(w.orgs[u.org].ID, u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = created
	}
	w.martin = w.insertPerson("Martin", arras, arrasINS)
	w.bernad = w.insertPerson("Bernard", lens, lensINS)
	w.follow(w.martin, "referent", "Mission locale")
	w.follow(w.bernad, "outsider", "Association")
	return w
}

func (w *world) insertPerson(last string, at geo.Point, commune string) people.Person {
	w.t.Helper()
	lat, lon := at.Lat, at.Lon
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: w.orgs["Département"].ID, FirstName: "Julie", LastName: last,
		CommuneCode: commune, Lat: &lat, Lon: &lon, Phone: "0601020304", CreatedAt: db.Now()}
	if err := people.Insert(w.ctx, w.d, p, "", ""); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) follow(p people.Person, user, org string) {
	w.t.Helper()
	m := people.GroupMember{ID: db.NewID(), UserID: w.users[user].ID, OrgID: w.orgs[org].ID, Role: "referent", Start: time.Now().AddDate(0, -2, 0)}
	if err := people.InsertGroupMember(w.ctx, w.d, p.ID, m, db.Now()); err != nil {
		w.t.Fatal(err)
	}
}

// as is a user acting in their organisation.
func (w *world) as(user string) access.Actor { return w.users[user].ActorIn("", "192.0.2.1") }

// offer publishes a valid offer of the first employer at a commune, or fails the test.
func (w *world) offer(title, rome, commune string, mod func(*jobs.OfferInput)) jobs.Offer {
	w.t.Helper()
	in := jobs.OfferInput{Title: title, ROME: rome, Contract: "CDI", Hours: "35", Positions: 1, CommuneCode: commune}
	if mod != nil {
		mod(&in)
	}
	o, err := w.svc.CreateOffer(w.ctx, w.as("employer"), in)
	if err != nil {
		w.t.Fatalf("create offer %q: %v", title, err)
	}
	return o
}

// onlineCV saves an online CV looking for the given jobs, or fails the test.
func (w *world) onlineCV(user string, p people.Person, romes ...string) {
	w.t.Helper()
	in := jobs.CVInput{Headline: "Agent d'entretien", ROMEs: romes, RadiusKm: 30, Means: []string{"car"}, Licence: true, Vehicle: true, Online: true}
	if _, err := w.svc.SaveCV(w.ctx, w.as(user), p.ID, in); err != nil {
		w.t.Fatalf("save CV: %v", err)
	}
}

// count returns the rows of a query with one argument.
func (w *world) count(query string, arg any) int {
	w.t.Helper()
	var n int
	if err := w.d.QueryRowContext(w.ctx, query, arg).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}
