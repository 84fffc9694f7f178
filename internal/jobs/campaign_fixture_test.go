package jobs_test

import (
	"bytes"
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
	"tremplin/internal/platform/tabular"
)

// campaignWorld is the Pas-de-Calais with the département, which recruits
// maintenance agents for its collèges; an association whose référente
// follows the people it holds; a CCAS; an employer that runs campaigns of
// its own.
type campaignWorld struct {
	d       *db.DB
	svc     *jobs.Campaigns
	people  *people.Service
	actors  map[string]access.Actor
	orgs    map[string]string
	persons map[string]string
}

// campaignPassword is the password of every account of the world.
const campaignPassword = "correct horse battery"

// newCampaignWorld builds the world over a fresh database with the reference data.
func newCampaignWorld(t *testing.T, d *db.DB) *campaignWorld {
	t.Helper()
	ctx := context.Background()
	if err := refdata.SeedFor(ctx, d, "62", "80"); err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ps := people.NewService(d, box)
	w := &campaignWorld{d: d, people: ps, svc: jobs.NewCampaigns(d, ps, geo.NewOffline(d))}
	w.populate(t, orgs.NewService(d), auth.NewService(d, auth.DefaultSettings()))
	return w
}

// populate creates the organisations, the accounts and the files.
func (w *campaignWorld) populate(t *testing.T, orgSvc *orgs.Service, authSvc *auth.Service) {
	t.Helper()
	ctx := context.Background()
	sys := access.System("test")
	w.orgs = map[string]string{}
	for name, kind := range map[string]orgs.Kind{"dept": orgs.KindDepartement, "asso": orgs.KindAssociation,
		"ccas": orgs.KindCCAS, "employer": orgs.KindEmployer} {
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
		{"manager", "responsable@dept.fr", "dept", access.RoleManager},
		{"admin", "admin@dept.fr", "dept", access.RoleOrgAdmin},
		{"referent", "referente@asso.fr", "asso", access.RoleReferent},
		{"outsider", "referente@ccas.fr", "ccas", access.RoleReferent},
		{"employer", "rh@employeur.fr", "employer", access.RoleEmployer},
	} {
		acc, err := authSvc.CreateUser(ctx, sys, auth.NewUser{Email: u.email, FirstName: "Prénom", LastName: u.name, Password: campaignPassword,
			Memberships: []auth.NewMembership{authtest.Member(w.orgs[u.org], u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		w.actors[u.name] = acc.ActorIn("", "")
	}
	w.persons = map[string]string{}
	lat, lon := 50.5250, 2.6500
	for _, p := range []struct {
		name, commune string
		lat, lon      *float64
	}{
		{"Durand", "62119", &lat, &lon}, // Béthune, at home
		{"Petit", "62041", nil, nil},    // Arras, the commune only
		{"Sans", "", nil, nil},          // no address at all
	} {
		id := db.NewID()
		err := people.Insert(ctx, w.d, people.Person{ID: id, Territory: "62", HoldingOrgID: w.orgs["asso"], FirstName: "Camille",
			LastName: p.name, CommuneCode: p.commune, Lat: p.lat, Lon: p.lon, CreatedAt: db.Now()}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		w.persons[p.name] = id
		ref := w.actors["referent"]
		m := people.GroupMember{ID: db.NewID(), UserID: ref.UserID, OrgID: ref.OrgID, Role: "referent", Start: time.Now().AddDate(-1, 0, 0)}
		if err := people.InsertGroupMember(ctx, w.d, id, m, db.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// campaign creates a campaign as who.
func (w *campaignWorld) campaign(t *testing.T, who string, in jobs.CampaignInput) jobs.Campaign {
	t.Helper()
	c, err := w.svc.Create(context.Background(), w.actors[who], in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// campaignTable opens a CSV text as an uploaded table.
func campaignTable(t testing.TB, text string) *tabular.Table {
	t.Helper()
	tab, err := tabular.Open(bytes.NewReader([]byte(text)), int64(len(text)), "table.csv")
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// The sites and candidates of the small campaign: four places for five
// candidates, two of them people of the registry.
const (
	campaignSitesCSV = "nom;commune;latitude;longitude;capacite\n" +
		"Collège Jean Moulin;62041;50,2950;2,7700;1\n" +
		"Collège Lens;Lens;;;1\n" +
		"Collège Béthune;62119;50.5300;2.6400;2\n"
	campaignCandidatesCSV = "nom;commune;latitude;longitude\n" +
		"Alice Martin;Arras;50,2900;2,7800\n" +
		"Bruno Leroy;62498;50,4300;2,8300\n" +
		"Chloé Roux;Béthune;;\n"
)

// countRows counts the rows of a table matching a condition, for checks on what was stored.
func campaignCountRows(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
