package clauses_test

import (
	"context"
	"testing"
	"time"

	"tremplin/internal/clauses"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// world is a territory with a PLIE whose facilitator runs the clauses, two
// public buyers, two construction companies, an ETTI, the département's
// manager, and a PLIE of another territory.
type world struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	svc   *clauses.Service
	ppl   *people.Service
	orgs  map[string]orgs.Organisation
	users map[string]auth.User
	today time.Time
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	if err := refdata.SeedFor(ctx, d, "62"); err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ppl := people.NewService(d, box)
	w := &world{t: t, ctx: ctx, d: d, ppl: ppl, svc: clauses.NewService(d, ppl, clauses.Settings{}),
		orgs: map[string]orgs.Organisation{}, users: map[string]auth.User{}, today: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	w.svc.SetToday(func() time.Time { return w.today })
	for _, o := range []orgs.Organisation{
		{Name: "Département", Kind: orgs.KindDepartement, Territory: "62"},
		{Name: "PLIE de l'Artois", Kind: orgs.KindPLIE, Territory: "62"},
		{Name: "PLIE du Nord", Kind: orgs.KindPLIE, Territory: "59"},
		{Name: "Syndicat des transports", Kind: orgs.KindPublicBuyer, Territory: "62"},
		{Name: "Ville d'Arras", Kind: orgs.KindPublicBuyer, Territory: "62"},
		{Name: "Bâtir SA", Kind: orgs.KindEmployer, Territory: "62", SIRET: "73282932000074"},
		{Name: "Voies ferrées SAS", Kind: orgs.KindEmployer, Territory: "62", SIRET: "35600000000048"},
		{Name: "Intérim Insertion", Kind: orgs.KindSIAE, SIAEKind: "ETTI", Territory: "62"},
		{Name: "Mission locale", Kind: orgs.KindMissionLocale, Territory: "62"},
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
		{"facilitator", "PLIE de l'Artois", access.RoleFacilitator},
		{"foreign facilitator", "PLIE du Nord", access.RoleFacilitator},
		{"buyer", "Syndicat des transports", access.RolePublicBuyer},
		{"other buyer", "Ville d'Arras", access.RolePublicBuyer},
		{"company", "Bâtir SA", access.RoleEmployer},
		{"rail company", "Voies ferrées SAS", access.RoleEmployer},
		{"etti", "Intérim Insertion", access.RoleSIAEStaff},
		{"manager", "Département", access.RoleManager},
		{"referent", "Mission locale", access.RoleReferent},
	} {
		created, err := auths.CreateUser(ctx, access.System("test"), auth.NewUser{Email: refdata.Fold(u.name)[:3] + db.NewID()[:8] + "@example.org",
			FirstName: "Prénom", LastName: u.name, Memberships: []auth.NewMembership{authtest.Member(w.orgs[u.org].ID, u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = created
	}
	return w
}

// as is a user acting in their organisation.
func (w *world) as(user string) access.Actor { return w.users[user].ActorIn("", "192.0.2.1") }

// operation opens an operation as the facilitator, or fails the test.
func (w *world) operation(name string, pooled bool) clauses.Operation {
	w.t.Helper()
	o, err := w.svc.CreateOperation(w.ctx, w.as("facilitator"), clauses.OperationInput{Name: name, Pooled: pooled})
	if err != nil {
		w.t.Fatalf("create operation: %v", err)
	}
	return o
}

// market adds a fixed-hours market of the transport syndicate to an operation, or fails the test.
func (w *world) market(op clauses.Operation, ref string, required float64, start, end string) clauses.Market {
	w.t.Helper()
	m, err := w.svc.CreateMarket(w.ctx, w.as("facilitator"), clauses.MarketInput{OperationID: op.ID, BuyerOrgID: w.orgs["Syndicat des transports"].ID,
		Reference: ref, Title: "Lot " + ref, StartDate: start, EndDate: end, ClauseType: "execution", RequiredHours: clauses.HoursOf(required)})
	if err != nil {
		w.t.Fatalf("create market %s: %v", ref, err)
	}
	return m
}

// award gives a market to a company with a share of hours, or fails the test.
func (w *world) award(m clauses.Market, company string, share float64, partner string) {
	w.t.Helper()
	in := clauses.AwardInput{CompanyOrgID: w.orgs[company].ID, ShareHours: clauses.HoursOf(share), Fulfilment: []string{"direct_hire"}}
	if partner != "" {
		in.PartnerOrgID, in.Fulfilment = w.orgs[partner].ID, []string{"placement"}
	}
	if _, err := w.svc.SetAward(w.ctx, w.as("facilitator"), m.ID, in); err != nil {
		w.t.Fatalf("award: %v", err)
	}
}

// person describes a participant by name, public and birth date.
func person(first, last, public, birth string) *clauses.ParticipantInput {
	return &clauses.ParticipantInput{FirstName: first, LastName: last, Public: public, BirthDate: birth, Sex: "F"}
}

// declare records a month of hours as a user, or fails the test.
func (w *world) declare(user string, m clauses.Market, company string, p *clauses.ParticipantInput, month string, hours float64, contract, mode string) clauses.Declaration {
	w.t.Helper()
	d, err := w.svc.Declare(w.ctx, w.as(user), clauses.DeclarationInput{MarketID: m.ID, CompanyOrgID: w.orgs[company].ID, Participant: p,
		Month: month, Hours: clauses.HoursOf(hours), ContractType: contract, Mode: mode}, "ui")
	if err != nil {
		w.t.Fatalf("declare %s %s: %v", month, p.LastName, err)
	}
	return d
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
