package people_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/people/caf/caftest"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// marne is the département of the reference flows (IDEPARTE 052).
func marne(t *testing.T, d *db.DB) (*people.Service, access.Actor) {
	t.Helper()
	ctx := context.Background()
	if err := refdata.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	o, err := orgs.NewService(d).Create(ctx, access.System("test"), orgs.Organisation{Name: "Département de la Marne", Kind: orgs.KindDepartement, Territory: "51"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.NewService(d).Create(ctx, access.System("test"), orgs.Organisation{Name: "Département de la Haute-Marne", Kind: orgs.KindDepartement, Territory: "52"}); err != nil {
		t.Fatal(err)
	}
	box, _ := secret.NewBox(make([]byte, secret.KeySize))
	manager := access.Actor{UserID: "u-manager", OrgID: o.ID, OrgKind: "departement", Territory: "52", Roles: []access.Role{access.RoleManager}}
	return people.NewService(d, box), manager
}

func count(t *testing.T, d *db.DB, table string) int {
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportingTheReferenceFlows(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, manager := marne(t, d)
		steps := []struct {
			name                        string
			file                        string
			dryRun                      bool
			households, persons         int
			created, updated, unchanged int
		}{
			{"a dry run reports without writing", "RSABEM.xml", true, 2, 3, 3, 0, 0},
			{"a monthly flow creates the files", "RSABEM.xml", false, 2, 3, 3, 0, 0},
			{"importing it again changes nothing", "RSABEM.xml", false, 2, 3, 0, 0, 3},
			{"a later flow reopens the payment of a known household", "RSABEM-ouvert.xml", false, 1, 1, 0, 1, 0},
		}
		for _, st := range steps {
			rep, err := svc.ImportCAF(ctx, manager, bytes.NewReader(caftest.Read(t, st.file)), st.dryRun)
			if err != nil {
				t.Fatalf("%s: %v (%+v)", st.name, err, rep)
			}
			got := [5]int{rep.Households, rep.Persons, rep.Created, rep.Updated, rep.Unchanged}
			want := [5]int{st.households, st.persons, st.created, st.updated, st.unchanged}
			if got != want || rep.FlowType != "M" || len(rep.Errors) != 0 {
				t.Fatalf("%s: report %+v, want households/persons/created/updated/unchanged %v", st.name, rep, want)
			}
			if st.dryRun && count(t, d, "persons") != 0 {
				t.Fatalf("%s: a dry run wrote people", st.name)
			}
		}
		if n := count(t, d, "persons"); n != 3 {
			t.Fatalf("%d people in the registry, want 3", n)
		}
		var state, suspension string
		var events int
		err := d.QueryRowContext(ctx, `SELECT h.rsa_state, h.suspension_code, (SELECT count(*) FROM rsa_events e WHERE e.household_id = h.id AND e.kind = 'state' AND e.code = '2')
			FROM households h WHERE h.matricule = '208956400000000'`).Scan(&state, &suspension, &events)
		if err != nil || state != "2" || suspension != "" || events != 1 {
			t.Fatalf("reopened household: state %q suspension %q, %d state events (%v)", state, suspension, events, err)
		}
		list, _, err := svc.List(ctx, manager, people.Filter{Matricule: "208956400000000"})
		if err != nil || len(list) != 1 || list[0].LastName != "Bullock" || list[0].FirstName != "Eta" {
			t.Fatalf("the partner of the opened file: %+v, %v", list, err)
		}
		p, _, err := svc.Get(ctx, manager, list[0].ID)
		if err != nil || !strings.HasPrefix(p.NIRMasked, "2 73 07") || p.Territory != "52" {
			t.Fatalf("file read back: %+v, %v", p, err)
		}
		res, err := audit.Verify(ctx, d)
		if err != nil || res.Checked == 0 {
			t.Fatalf("audit chain after imports: %v", err)
		}
	})
}

func TestAFlowThatBreaksTheSchemaWritesNothing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		svc, manager := marne(t, d)
		rep, err := svc.ImportCAF(context.Background(), manager, bytes.NewReader(caftest.Read(t, "RSABEI_invalid.xml")), false)
		if !errs.Is(err, errs.Invalid) || len(rep.Errors) != 1 || rep.Errors[0].Line != 134 || !strings.Contains(rep.Errors[0].Message, "DonneesAdministratives") {
			t.Fatalf("got %v, report %+v", err, rep)
		}
		for _, table := range []string{"persons", "households", "rsa_events", "imports"} {
			if n := count(t, d, table); n != 0 {
				t.Errorf("%s has %d rows after a refused flow", table, n)
			}
		}
	})
}

func TestOnlyTheDepartementImportsItsOwnFlow(t *testing.T) {
	d := dbtest.SQLite(t)
	svc, manager := marne(t, d)
	cases := []struct {
		name  string
		actor access.Actor
		code  errs.Code
	}{
		{"a référent may not import", access.Actor{UserID: "u", OrgKind: "departement", Territory: "52", Roles: []access.Role{access.RoleReferent}}, errs.Forbidden},
		{"a mission locale may not import", access.Actor{UserID: "u", OrgKind: "mission_locale", Territory: "52", Roles: []access.Role{access.RoleManager}}, errs.Forbidden},
		{"another département's flow is refused whole", access.Actor{UserID: "u", OrgKind: "departement", Territory: "62", Roles: []access.Role{access.RoleManager}}, errs.Invalid},
		{"the département imports", manager, ""},
	}
	for _, tc := range cases {
		rep, err := svc.ImportCAF(context.Background(), tc.actor, bytes.NewReader(caftest.Read(t, "RSABEM-ouvert.xml")), false)
		if errs.CodeOf(err) != tc.code {
			t.Fatalf("%s: got %v (%+v)", tc.name, err, rep)
		}
		if tc.code == errs.Invalid && (rep.Rejected != 1 || count(t, d, "persons") != 0) {
			t.Fatalf("%s: rejected %d, and nothing may be written", tc.name, rep.Rejected)
		}
	}
}

func TestTheMonthlyReportListsWhatTheFlowChanged(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, manager := marne(t, d)
		if _, err := svc.ImportCAF(ctx, manager, bytes.NewReader(caftest.Read(t, "RSABEM.xml")), false); err != nil {
			t.Fatal(err)
		}
		rep, err := svc.MonthlyReport(ctx, manager, "")
		if err != nil || rep.FlowDate != "2022-02-28" || len(rep.Flows) != 1 {
			t.Fatalf("report: %+v, %v", rep, err)
		}
		names := func(cs []people.FlowChange) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.LastName)
			}
			return out
		}
		if got := names(rep.Entries); len(got) != 3 || !slices.Contains(got, "Bullock") {
			t.Errorf("entries %v, want the 3 applicants and partners", got)
		}
		if got := names(rep.DroitsDevoirs); !slices.Contains(got, "Bullock") {
			t.Errorf("newly subject to rights and duties: %v", got)
		}
		if len(rep.Suspensions)+len(rep.Closures) != 0 {
			t.Errorf("a first flow reports entries, not changes: %+v %+v", rep.Suspensions, rep.Closures)
		}
		referent := access.Actor{UserID: "u", OrgKind: "departement", Territory: "52", Roles: []access.Role{access.RoleReferent}}
		if _, err := svc.MonthlyReport(ctx, referent, ""); !errs.Is(err, errs.NotFound) {
			t.Errorf("a référent may not read the report: %v", err)
		}
	})
}
