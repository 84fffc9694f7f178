package people_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/secret"
	"tremplin/internal/platform/validate"
)

var system = access.System("test")

// today is the UTC day the policy judges memberships on.
func today(offset int) time.Time {
	return db.Now().Truncate(24*time.Hour).AddDate(0, 0, offset)
}

// nir returns a valid NIR (with its key) for a 13-character body.
func nir(t testing.TB, body string) string {
	t.Helper()
	key, err := validate.NIRKey(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + key
}

// world is a registry with organisations in two territories, staff with
// every kind of link to the files, and files followed in every way.
type world struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	box    *secret.Box
	svc    *people.Service
	auth   *auth.Service
	orgs   map[string]orgs.Organisation
	users  map[string]auth.User
	people map[string]people.Person // by last name
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
	w := &world{t: t, ctx: context.Background(), d: d, box: box, svc: people.NewService(d, box),
		auth: auth.NewService(d, auth.DefaultSettings()),
		orgs: map[string]orgs.Organisation{}, users: map[string]auth.User{}, people: map[string]people.Person{}}
	for _, o := range []orgs.Organisation{
		{Name: "dep62", Kind: orgs.KindDepartement, Territory: "62"},
		{Name: "dep59", Kind: orgs.KindDepartement, Territory: "59"},
		{Name: "ft62", Kind: orgs.KindFranceTravail, Territory: "62"},
		{Name: "ft59", Kind: orgs.KindFranceTravail, Territory: "59"},
		{Name: "asso62", Kind: orgs.KindAssociation, Territory: "62"},
		{Name: "emp62", Kind: orgs.KindEmployer, Territory: "62"},
	} {
		o.ID, o.CreatedAt = db.NewID(), db.Now()
		if err := orgs.Insert(w.ctx, d, o); err != nil {
			t.Fatal(err)
		}
		w.orgs[o.Name] = o
	}
	// Accounts without password: no hashing, the tests stay fast.
	for _, u := range []struct {
		name  string
		admin bool
		ms    []auth.NewMembership
	}{
		{"ref", false, []auth.NewMembership{w.member("asso62", access.RoleReferent), w.member("ft62", access.RoleReferent)}},
		{"refold", false, []auth.NewMembership{w.member("asso62", access.RoleReferent)}},
		{"colleague", false, []auth.NewMembership{w.member("asso62", access.RoleReferent)}},
		{"man62", false, []auth.NewMembership{w.member("dep62", access.RoleManager)}},
		{"man59", false, []auth.NewMembership{w.member("dep59", access.RoleManager)}},
		{"manft", false, []auth.NewMembership{w.member("ft62", access.RoleManager)}},
		{"adminft", false, []auth.NewMembership{w.member("ft62", access.RoleOrgAdmin)}},
		{"adminasso", false, []auth.NewMembership{w.member("asso62", access.RoleOrgAdmin)}},
		{"orift", false, []auth.NewMembership{w.member("ft62", access.RoleOrientation)}},
		{"employer", false, []auth.NewMembership{w.member("emp62", access.RoleEmployer)}},
		{"padmin", true, nil},
	} {
		created, err := w.auth.CreateUser(w.ctx, system, auth.NewUser{Email: u.name + "@example.org", FirstName: "Prénom",
			LastName: strings.ToUpper(u.name), PlatformAdmin: u.admin, Memberships: u.ms})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = created
	}
	return w
}

func (w *world) member(org string, r access.Role) auth.NewMembership {
	return authtest.Member(w.orgs[org].ID, r)
}

// actor is a user acting in one of their organisations ("" for the first).
func (w *world) actor(user, org string) access.Actor {
	u := w.users[user]
	orgID := ""
	if org != "" {
		orgID = w.orgs[org].ID
	}
	return u.ActorIn(orgID, "192.0.2.1")
}

// follow is a membership of a follow-up group, in days from today.
type follow struct {
	user, org, role string
	start           int
	end             *int
}

func ended(days int) *int { return &days }

// person inserts a file as an import would, sealing its NIR.
func (w *world) person(p people.Person, clearNIR string, group ...follow) people.Person {
	w.t.Helper()
	p.ID, p.CreatedAt = db.NewID(), db.Now()
	if p.FirstName == "" {
		p.FirstName = "Jean"
	}
	sealed, match := "", ""
	if clearNIR != "" {
		sealed, match = w.box.Seal(clearNIR), w.box.Match(clearNIR[:13])
	}
	if err := people.Insert(w.ctx, w.d, p, sealed, match); err != nil {
		w.t.Fatal(err)
	}
	for _, g := range group {
		m := people.GroupMember{ID: db.NewID(), UserID: w.users[g.user].ID, OrgID: w.orgs[g.org].ID, Role: g.role, Start: today(g.start)}
		if g.end != nil {
			end := today(*g.end)
			m.End = &end
		}
		if err := people.InsertGroupMember(w.ctx, w.d, p.ID, m, db.Now()); err != nil {
			w.t.Fatal(err)
		}
	}
	w.people[p.LastName] = p
	return p
}

const martinNIRBody = "1850562041123"

// files fills the registry with the files of the visibility table.
func (w *world) files() {
	birth := time.Date(1985, 5, 14, 0, 0, 0, 0, time.UTC)
	w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Martin", BirthDate: &birth, CAFMatricule: "1234567"},
		nir(w.t, martinNIRBody),
		follow{"ref", "asso62", "referent", -100, nil},
		follow{"refold", "asso62", "referent", -400, ended(-1)})
	w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["asso62"].ID, LastName: "Bernard", BirthName: "Lefebvre", FirstName: "Anne"}, "")
	w.person(people.Person{Territory: "59", HoldingOrgID: w.orgs["ft59"].ID, LastName: "Petit"}, "",
		follow{"ref", "asso62", "referent", -5, nil})
	w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Durand"}, "",
		follow{"ref", "ft62", "referent", -50, nil})
	w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Leroy"}, "",
		follow{"ref", "asso62", "referent", 1, nil})
	w.person(people.Person{Territory: "59", HoldingOrgID: w.orgs["ft59"].ID, LastName: "Moreau"}, "",
		follow{"ref", "asso62", "referent", -30, ended(0)})
	w.person(people.Person{Territory: "59", HoldingOrgID: w.orgs["ft59"].ID, LastName: "Fournier", CAFMatricule: "7654321"},
		nir(w.t, "2900759123456"))
}

// visibility is the need-to-know table the registry must implement: who sees which files.
var visibility = []struct {
	name      string
	user, org string // user "" is the system
	sees      []string
}{
	{"référent sees the files whose group holds them in that structure", "ref", "asso62", []string{"Martin", "Moreau", "Petit"}},
	{"the same référent acting for another structure sees that structure's files", "ref", "ft62", []string{"Durand"}},
	{"référent whose membership ended sees nothing", "refold", "", nil},
	{"colleague of the référent outside the groups sees nothing", "colleague", "", nil},
	{"département manager sees the files of the territory", "man62", "", []string{"Bernard", "Durand", "Leroy", "Martin"}},
	{"département manager of another territory sees that territory", "man59", "", []string{"Fournier", "Moreau", "Petit"}},
	{"manager of a non-département org sees only the groups holding them", "manft", "", nil},
	{"org admin sees the files held by the organisation", "adminft", "", []string{"Durand", "Leroy", "Martin"}},
	{"org admin of the association sees its file", "adminasso", "", []string{"Bernard"}},
	{"chargé d'orientation sees the files held by the organisation", "orift", "", []string{"Durand", "Leroy", "Martin"}},
	{"employer sees no file without a consented positioning", "employer", "", nil},
	{"platform admin has no need to know", "padmin", "", nil},
	{"system sees every file", "", "", []string{"Bernard", "Durand", "Fournier", "Leroy", "Martin", "Moreau", "Petit"}},
}

func lastNames(list []people.Person) []string {
	out := []string{}
	for _, p := range list {
		out = append(out, p.LastName)
	}
	return out
}

func TestListAndGetAgreeWithThePolicy(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.files()
		// The facts of every file, as the system loads them.
		facts := map[string]access.Person{}
		for name, p := range w.people {
			got, group, err := w.svc.Get(w.ctx, system, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			facts[name] = people.Facts(got, group)
		}
		for _, row := range visibility {
			t.Run(row.name, func(t *testing.T) {
				a := system
				if row.user != "" {
					a = w.actor(row.user, row.org)
				}
				list, total, err := w.svc.List(w.ctx, a, people.Filter{Limit: 200})
				if err != nil {
					t.Fatal(err)
				}
				listed := lastNames(list)
				want := row.sees
				if want == nil {
					want = []string{}
				}
				// The list is sorted by name: the expected names are written sorted.
				if !slices.Equal(listed, want) || total != len(want) {
					t.Errorf("listed %v (total %d), want %v", listed, total, want)
				}
				for _, name := range slices.Sorted(maps.Keys(w.people)) {
					p := w.people[name]
					got, _, err := w.svc.Get(w.ctx, a, p.ID)
					can := access.CanPerson(a, facts[name], access.Read, db.Now())
					inList := slices.Contains(listed, name)
					if (err == nil) != can || inList != can {
						t.Errorf("%s: Get error %v, listed %v, CanPerson %v: all three must agree", name, err, inList, can)
					}
					if err != nil {
						// Invisible files do not exist, for this actor.
						if !errs.Is(err, errs.NotFound) || errs.HTTPStatus(err) != 404 {
							t.Errorf("%s: got %v, want not found (404, never forbidden)", name, err)
						}
						continue
					}
					if got.ID != p.ID || got.LastName != name {
						t.Errorf("%s: got %+v", name, got)
					}
				}
			})
		}
		for _, id := range []string{"", "42", "not-an-id", db.NewID()} {
			if _, _, err := w.svc.Get(w.ctx, system, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("Get(%q): %v, want not found", id, err)
			}
		}
		if _, _, err := w.svc.List(w.ctx, access.Actor{}, people.Filter{}); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("unauthenticated List: %v, want unauthorized", err)
		}
		if _, _, err := w.svc.Get(w.ctx, access.Actor{}, w.people["Martin"].ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("unauthenticated Get: %v, want not found", err)
		}
	})
}

func TestGetLoadsTheFileAndItsGroup(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.files()
		p, group, err := w.svc.Get(w.ctx, w.actor("ref", "asso62"), w.people["Martin"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.BirthDate == nil || !p.BirthDate.Equal(time.Date(1985, 5, 14, 0, 0, 0, 0, time.UTC)) || p.HoldingOrg != "ft62" ||
			p.Name() != "Martin Jean" || p.CAFMatricule != "1234567" || p.Territory != "62" {
			t.Errorf("file %+v", p)
		}
		// The current référent is the open referent membership; past ones stay in the group.
		if p.Referent == nil || p.Referent.UserID != w.users["ref"].ID || p.Referent.OrgName != "asso62" || p.Referent.Name != "Prénom REF" {
			t.Errorf("référent %+v", p.Referent)
		}
		if len(group) != 2 || group[0].UserID != w.users["refold"].ID || group[0].End == nil || group[1].End != nil {
			t.Errorf("group %+v, want the former référent then the current one", group)
		}
		// Persons without a référent have none.
		if b, _, _ := w.svc.Get(w.ctx, system, w.people["Bernard"].ID); b.Referent != nil {
			t.Errorf("Bernard has référent %+v", b.Referent)
		}
	})
}

// A file whose group holds two open référent memberships (a hand-over in
// progress) is still one file.
func TestAFileIsListedOnce(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Handover"}, "",
			follow{"ref", "asso62", "referent", -100, nil},
			follow{"colleague", "asso62", "referent", -1, nil})
		list, total, err := w.svc.List(w.ctx, system, people.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != total {
			t.Fatalf("regression of a fixed bug: the file is listed %d times for a total of %d (personFrom joins every open referent)", len(list), total)
		}
		if total != 1 {
			t.Errorf("total %d, want 1", total)
		}
	})
}

func TestReadsAndSearchesAreAudited(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.files()
		ref, colleague := w.actor("ref", "asso62"), w.actor("colleague", "")
		martin := w.people["Martin"]
		search := func(f audit.Filter) []audit.Entry {
			t.Helper()
			f.Limit = 500
			entries, _, err := audit.Search(w.ctx, d, system, f)
			if err != nil {
				t.Fatal(err)
			}
			return entries
		}

		if _, _, err := w.svc.Get(w.ctx, ref, martin.ID); err != nil {
			t.Fatal(err)
		}
		reads := search(audit.Filter{Action: "person.read", UserID: ref.UserID})
		if len(reads) != 1 || reads[0].PersonID != martin.ID || reads[0].ObjectID != martin.ID || reads[0].ObjectType != "person" || reads[0].OrgID != ref.OrgID {
			t.Errorf("person.read entries %+v", reads)
		}
		// A refused read is no read of the file.
		if _, _, err := w.svc.Get(w.ctx, colleague, martin.ID); !errs.Is(err, errs.NotFound) {
			t.Fatal(err)
		}
		if got := search(audit.Filter{Action: "person.read", UserID: colleague.UserID}); len(got) != 0 {
			t.Errorf("a refused read is recorded as a read: %+v", got)
		}

		searches := []struct {
			name   string
			filter people.Filter
			terms  []string
		}{
			{"a plain list", people.Filter{}, nil},
			{"a search by name", people.Filter{Query: "Martin"}, []string{"Martin", "martin"}},
			{"a search by NIR", people.Filter{NIR: nir(t, martinNIRBody)}, []string{martinNIRBody}},
			{"a search by matricule", people.Filter{Matricule: "1234567"}, []string{"1234567"}},
		}
		for i, s := range searches {
			list, _, err := w.svc.List(w.ctx, ref, s.filter)
			if err != nil {
				t.Fatal(err)
			}
			entries := search(audit.Filter{Action: "person.search", UserID: ref.UserID})
			if len(entries) != i+1 {
				t.Fatalf("%s: %d person.search entries, want %d", s.name, len(entries), i+1)
			}
			e := entries[0]
			if e.ObjectType != "person" || e.OrgID != ref.OrgID || !strings.Contains(e.Detail, fmt.Sprint(len(list))) {
				t.Errorf("%s: entry %+v for %d results", s.name, e, len(list))
			}
			// The trail keeps no search terms: they are personal data.
			for _, term := range s.terms {
				if strings.Contains(fmt.Sprintf("%+v", e), term) {
					t.Errorf("%s: the audit entry holds the search term %q: %+v", s.name, term, e)
				}
			}
		}
		if _, err := audit.Verify(w.ctx, d); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestTheNIRIsSealedAndShownMasked(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.files()
		martin := w.people["Martin"]
		clear := nir(t, martinNIRBody)

		// No column of the row holds the NIR, whole or as its 13 first characters.
		rows, err := d.QueryContext(w.ctx, `SELECT * FROM persons WHERE id = $1`, martin.ID)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		if !rows.Next() {
			t.Fatal("row not found")
		}
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		for i, v := range values {
			if s := fmt.Sprintf("%s", v); strings.Contains(s, martinNIRBody) || strings.Contains(s, clear) {
				t.Errorf("column %s holds the NIR in clear: %q", cols[i], s)
			}
		}
		var sealed string
		if err := d.QueryRowContext(w.ctx, `SELECT nir_sealed FROM persons WHERE id = $1`, martin.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if opened, err := w.box.Open(sealed); err != nil || opened != clear {
			t.Errorf("the sealed NIR opens to %q, %v", opened, err)
		}

		p, _, err := w.svc.Get(w.ctx, w.actor("ref", "asso62"), martin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.NIRMasked != "1 85 05 •• ••• ••• ••" {
			t.Errorf("masked NIR %q", p.NIRMasked)
		}
		if b, _, _ := w.svc.Get(w.ctx, system, w.people["Bernard"].ID); b.NIRMasked != "" {
			t.Errorf("a file without NIR shows %q", b.NIRMasked)
		}
		// Lists never load the NIR.
		list, _, _ := w.svc.List(w.ctx, system, people.Filter{})
		for _, p := range list {
			if p.NIRMasked != "" {
				t.Errorf("listing shows the NIR of %s: %q", p.LastName, p.NIRMasked)
			}
		}
		// A registry opened with another key shows nothing rather than garbage.
		otherKey, _ := secret.ParseKey(secret.NewKey())
		otherBox, _ := secret.NewBox(otherKey)
		if p, _, err := people.NewService(d, otherBox).Get(w.ctx, system, martin.ID); err != nil || p.NIRMasked != "" {
			t.Errorf("with the wrong key: %q, %v", p.NIRMasked, err)
		}
	})
}

func TestSearch(t *testing.T) {
	t.Parallel()
	spaced := func(n string) string {
		return n[0:1] + " " + n[1:3] + " " + n[3:5] + " " + n[5:7] + " " + n[7:10] + " " + n[10:13] + " " + n[13:]
	}
	cases := []struct {
		name   string
		user   string // "" for the system
		org    string
		filter func(t *testing.T) people.Filter
		want   []string
		field  string // a field error is expected on it
		bug    string
	}{
		{"by NIR", "", "", func(t *testing.T) people.Filter { return people.Filter{NIR: nir(t, martinNIRBody)} }, []string{"Martin"}, "", ""},
		{"by NIR written with spaces", "", "", func(t *testing.T) people.Filter { return people.Filter{NIR: spaced(nir(t, martinNIRBody))} }, []string{"Martin"}, "", ""},
		{"by NIR of another person", "", "", func(t *testing.T) people.Filter { return people.Filter{NIR: nir(t, "2900759123456")} }, []string{"Fournier"}, "", ""},
		{"by a NIR nobody has", "", "", func(t *testing.T) people.Filter { return people.Filter{NIR: nir(t, "1991275000001")} }, []string{}, "", ""},
		{"by NIR does not bypass need-to-know", "colleague", "", func(t *testing.T) people.Filter { return people.Filter{NIR: nir(t, martinNIRBody)} }, []string{}, "", ""},
		{"by NIR within the actor's files", "ref", "asso62", func(t *testing.T) people.Filter { return people.Filter{NIR: nir(t, martinNIRBody)} }, []string{"Martin"}, "", ""},
		{"a NIR with a wrong key is refused", "", "", func(t *testing.T) people.Filter { return people.Filter{NIR: martinNIRBody + "00"} }, nil, "nir", ""},
		{"a NIR without its key is refused", "", "", func(t *testing.T) people.Filter { return people.Filter{NIR: martinNIRBody} }, nil, "nir", ""},
		{"by matricule", "", "", func(*testing.T) people.Filter { return people.Filter{Matricule: "1234567"} }, []string{"Martin"}, "", ""},
		{"by matricule does not bypass need-to-know", "ref", "asso62", func(*testing.T) people.Filter { return people.Filter{Matricule: "7654321"} }, []string{}, "", ""},
		{"by name prefix", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "mar"} }, []string{"Martin"}, "", ""},
		{"by name prefix in capitals", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "  MART "} }, []string{"Martin"}, "", ""},
		{"not by the middle of a name", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "artin"} }, []string{}, "", ""},
		{"by first name", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "ann"} }, []string{"Bernard"}, "", ""},
		{"by birth name", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "lefeb"} }, []string{"Bernard"}, "", ""},
		{"every word must match", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "martin jean"} }, []string{"Martin"}, "", ""},
		{"every word must match, or nothing", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "martin anne"} }, []string{}, "", ""},
		{"by name within the actor's files", "ref", "ft62", func(*testing.T) people.Filter { return people.Filter{Query: "d"} }, []string{"Durand"}, "", ""},
		{"name and matricule combine", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "fou", Matricule: "1234567"} }, []string{}, "", ""},
		{"an accented initial matches whatever its case", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "élo"} }, []string{"Élodie"}, "",
			"SQLite lower() and LIKE fold ASCII only"},
		{"a percent sign is no wildcard", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "%"} }, []string{}, "",
			"LIKE wildcards in the search are not escaped"},
		{"an underscore is no wildcard", "", "", func(*testing.T) people.Filter { return people.Filter{Query: "_"} }, []string{}, "",
			"LIKE wildcards in the search are not escaped"},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.files()
		w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Élodie", FirstName: "Zoé"}, "")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a := system
				if tc.user != "" {
					a = w.actor(tc.user, tc.org)
				}
				list, total, err := w.svc.List(w.ctx, a, tc.filter(t))
				if tc.field != "" {
					if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[tc.field] == "" {
						t.Errorf("got %v, want a field error on %q", err, tc.field)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := lastNames(list)
				if !slices.Equal(got, tc.want) || total != len(tc.want) {
					if tc.bug != "" {
						t.Fatalf("regression of a fixed bug on %s: %s (got %v)", d.Dialect(), tc.bug, got)
					}
					t.Errorf("found %v (total %d), want %v", got, total, tc.want)
				}
			})
		}
	})
}

func TestListPages(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for i := range 50 {
			w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: fmt.Sprintf("Nom%02d", 49-i)}, "",
				follow{"ref", "asso62", "referent", -1, nil})
		}
		ref := w.actor("ref", "asso62")
		seen := map[string]bool{}
		var order []string
		for offset := 0; offset < 60; offset += 20 {
			page, total, err := w.svc.List(w.ctx, ref, people.Filter{Limit: 20, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			if total != 50 || len(page) != min(20, max(0, 50-offset)) {
				t.Errorf("page at %d: %d files of %d", offset, len(page), total)
			}
			for _, p := range page {
				if seen[p.ID] {
					t.Errorf("%s listed on two pages", p.LastName)
				}
				seen[p.ID] = true
				order = append(order, p.LastName)
			}
		}
		if len(seen) != 50 || !slices.IsSorted(order) {
			t.Errorf("pages hold %d files, sorted %v", len(seen), slices.IsSorted(order))
		}
		limits := []struct {
			name  string
			f     people.Filter
			count int
		}{
			{"no limit gives the default page", people.Filter{}, 50},
			{"a huge limit gives the default page", people.Filter{Limit: 100000}, 50},
			{"a negative offset starts at the beginning", people.Filter{Limit: 5, Offset: -10}, 5},
		}
		for _, l := range limits {
			page, _, err := w.svc.List(w.ctx, ref, l.f)
			if err != nil || len(page) != l.count {
				t.Errorf("%s: %d files, %v; want %d", l.name, len(page), err, l.count)
			}
		}
	})
}

// TestListCostsAConstantNumberOfQueries is the N+1 guard: a page costs the
// same number of statements whatever the number of files and group members.
func TestListCostsAConstantNumberOfQueries(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		add := func(n int) {
			for range n {
				w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Nom" + db.NewID()[:8]}, "",
					follow{"ref", "asso62", "referent", -10, nil},
					follow{"refold", "asso62", "siae_staff", -100, ended(-50)},
					follow{"colleague", "asso62", "orientation", -3, nil})
			}
		}
		actors := map[string]access.Actor{
			"system":                system,
			"référent":              w.actor("ref", "asso62"),
			"orientation":           w.actor("orift", ""),
			"département manager":   w.actor("man62", ""),
			"someone seeing none":   w.actor("employer", ""),
			"search by name":        w.actor("ref", "asso62"),
			"search with matricule": w.actor("orift", ""),
		}
		filters := map[string]people.Filter{
			"search by name":        {Query: "nom", Limit: 200},
			"search with matricule": {Matricule: "1", Query: "nom", Limit: 200},
		}
		cost := func(name string) (int64, int) {
			f, ok := filters[name]
			if !ok {
				f = people.Filter{Limit: 200}
			}
			before := d.QueryCount()
			list, _, err := w.svc.List(w.ctx, actors[name], f)
			if err != nil {
				t.Fatal(err)
			}
			return d.QueryCount() - before, len(list)
		}
		add(5)
		small := map[string]int64{}
		for name := range actors {
			small[name], _ = cost(name)
		}
		add(45)
		for name := range actors {
			big, n := cost(name)
			if big != small[name] {
				t.Errorf("%s: %d statements for %d files, %d with 5 files", name, big, n, small[name])
			}
			if big > 8 {
				t.Errorf("%s: %d statements for one page", name, big)
			}
		}

		// Reading a file costs the same whatever the size of its group.
		getCost := func(id string) int64 {
			before := d.QueryCount()
			if _, _, err := w.svc.Get(w.ctx, system, id); err != nil {
				t.Fatal(err)
			}
			return d.QueryCount() - before
		}
		lone := w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Seul"}, "")
		crowd := w.person(people.Person{Territory: "62", HoldingOrgID: w.orgs["ft62"].ID, LastName: "Entouré"}, "",
			follow{"ref", "asso62", "referent", -10, nil}, follow{"colleague", "asso62", "orientation", -10, nil},
			follow{"man62", "dep62", "manager", -10, nil}, follow{"orift", "ft62", "orientation", -10, nil},
			follow{"refold", "asso62", "siae_staff", -100, ended(-50)})
		if a, b := getCost(lone.ID), getCost(crowd.ID); a != b {
			t.Errorf("Get costs %d statements for a file without group, %d with five members", a, b)
		}
	})
}
