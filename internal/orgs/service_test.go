package orgs_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

// luhnKey returns the digit that makes digits+key pass the Luhn checksum.
func luhnKey(digits string) string {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 { // doubled once the key is appended
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return fmt.Sprint((10 - sum%10) % 10)
}

// siret builds a valid SIRET from 8 SIREN digits and 4 establishment digits.
func siret(siren8, nic4 string) string {
	siren := siren8 + luhnKey(siren8)
	return siren + nic4 + luhnKey(siren+nic4)
}

// breakKey changes the last digit of a valid SIRET so that its Luhn check fails.
func breakKey(s string) string {
	last := s[len(s)-1] - '0'
	return s[:len(s)-1] + fmt.Sprint((last+1)%10)
}

var (
	system      = access.System("test")
	platform    = access.Actor{UserID: "u-platform", PlatformAdmin: true}
	manager62   = access.Actor{UserID: "u-man62", OrgID: "dep62", OrgKind: "departement", Territory: "62", Roles: []access.Role{access.RoleManager}}
	manager59   = access.Actor{UserID: "u-man59", OrgID: "dep59", OrgKind: "departement", Territory: "59", Roles: []access.Role{access.RoleManager}}
	managerFT62 = access.Actor{UserID: "u-manft", OrgID: "ft62", OrgKind: "france_travail", Territory: "62", Roles: []access.Role{access.RoleManager}}
	referent62  = access.Actor{UserID: "u-ref62", OrgID: "asso62", OrgKind: "association", Territory: "62", Roles: []access.Role{access.RoleReferent}}
	nobody      = access.Actor{}
)

func orgAdminOf(o orgs.Organisation) access.Actor {
	return access.Actor{UserID: "u-admin-" + o.Name, OrgID: o.ID, OrgKind: string(o.Kind), Territory: o.Territory,
		Roles: []access.Role{access.RoleOrgAdmin}}
}

func mustCreate(t *testing.T, s *orgs.Service, a access.Actor, o orgs.Organisation) orgs.Organisation {
	t.Helper()
	got, err := s.Create(context.Background(), a, o)
	if err != nil {
		t.Fatalf("create %q: %v", o.Name, err)
	}
	return got
}

func TestCreateValidatesTheOrganisation(t *testing.T) {
	good := siret("73282932", "0007")
	spaced := siret("55208131", "0076")
	cases := []struct {
		name  string
		org   orgs.Organisation
		field string // "" when the organisation is accepted
		check func(orgs.Organisation) error
	}{
		{"a complete SIAE is accepted", orgs.Organisation{Name: "Ressourcerie", Kind: orgs.KindSIAE, SIAEKind: "ACI", Territory: "62", SIRET: good, PostalCode: "62000", CommuneCode: "62041"}, "", nil},
		{"the SIRET is stored without spaces", orgs.Organisation{Name: "Espaces", Kind: orgs.KindAssociation, Territory: "62", SIRET: spaced[:3] + " " + spaced[3:6] + "\u00a0" + spaced[6:9] + " " + spaced[9:]}, "",
			func(o orgs.Organisation) error {
				if o.SIRET != spaced {
					return fmt.Errorf("SIRET %q, want %q", o.SIRET, spaced)
				}
				return nil
			}},
		{"the SIRET is optional", orgs.Organisation{Name: "Sans SIRET", Kind: orgs.KindCCAS, Territory: "62"}, "", nil},
		{"the SIAE kind is upper-cased", orgs.Organisation{Name: "Chantier", Kind: orgs.KindSIAE, SIAEKind: " etti ", Territory: "62"}, "",
			func(o orgs.Organisation) error {
				if o.SIAEKind != "ETTI" || o.KindLabel() != "SIAE (ETTI)" {
					return fmt.Errorf("SIAE kind %q, label %q", o.SIAEKind, o.KindLabel())
				}
				return nil
			}},
		{"an SIAE kind is dropped for other kinds", orgs.Organisation{Name: "Asso", Kind: orgs.KindAssociation, SIAEKind: "ACI", Territory: "62"}, "",
			func(o orgs.Organisation) error {
				if o.SIAEKind != "" {
					return fmt.Errorf("SIAE kind %q kept on an association", o.SIAEKind)
				}
				return nil
			}},
		{"Corsica is a territory, in upper case", orgs.Organisation{Name: "Ajaccio", Kind: orgs.KindMissionLocale, Territory: " 2a "}, "",
			func(o orgs.Organisation) error {
				if o.Territory != "2A" {
					return fmt.Errorf("territory %q, want 2A", o.Territory)
				}
				return nil
			}},
		{"an overseas département is a territory", orgs.Organisation{Name: "La Réunion", Kind: orgs.KindDepartement, Territory: "974"}, "", nil},
		{"a SIRET failing the Luhn check is refused", orgs.Organisation{Name: "Typo", Kind: orgs.KindEmployer, Territory: "62", SIRET: breakKey(good)}, "siret", nil},
		{"a SIRET with letters is refused", orgs.Organisation{Name: "Lettres", Kind: orgs.KindEmployer, Territory: "62", SIRET: "7328293200007A"}, "siret", nil},
		{"a SIRET of 13 digits is refused", orgs.Organisation{Name: "Court", Kind: orgs.KindEmployer, Territory: "62", SIRET: good[:13]}, "siret", nil},
		{"an SIAE needs its SIAE kind", orgs.Organisation{Name: "SIAE", Kind: orgs.KindSIAE, Territory: "62"}, "siae_kind", nil},
		{"an unknown SIAE kind is refused", orgs.Organisation{Name: "SIAE", Kind: orgs.KindSIAE, SIAEKind: "SCOP", Territory: "62"}, "siae_kind", nil},
		{"an unknown kind is refused", orgs.Organisation{Name: "Club", Kind: "club", Territory: "62"}, "kind", nil},
		{"a name is required", orgs.Organisation{Name: "   ", Kind: orgs.KindCCAS, Territory: "62"}, "name", nil},
		{"a territory is required", orgs.Organisation{Name: "Nulle part", Kind: orgs.KindCCAS}, "territory", nil},
		{"00 is not a département", orgs.Organisation{Name: "Zéro", Kind: orgs.KindCCAS, Territory: "00"}, "territory", nil},
		{"20 is not a département since 1976", orgs.Organisation{Name: "Corse", Kind: orgs.KindCCAS, Territory: "20"}, "territory", nil},
		{"96 is not a département", orgs.Organisation{Name: "96", Kind: orgs.KindCCAS, Territory: "96"}, "territory", nil},
		{"977 is not a département", orgs.Organisation{Name: "977", Kind: orgs.KindCCAS, Territory: "977"}, "territory", nil},
		{"a commune name is not a territory", orgs.Organisation{Name: "Arras", Kind: orgs.KindCCAS, Territory: "Arras"}, "territory", nil},
		{"a bad postal code is refused", orgs.Organisation{Name: "Poste", Kind: orgs.KindCCAS, Territory: "62", PostalCode: "6200"}, "postal_code", nil},
		{"a bad commune code is refused", orgs.Organisation{Name: "Commune", Kind: orgs.KindCCAS, Territory: "62", CommuneCode: "620"}, "commune_code", nil},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := orgs.NewService(d)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.Create(context.Background(), platform, tc.org)
				if tc.field == "" {
					if err != nil {
						t.Fatalf("refused: %v (fields %v)", err, errs.FieldsOf(err))
					}
					if !db.ValidID(got.ID) || got.CreatedAt.IsZero() {
						t.Errorf("created without id or date: %+v", got)
					}
					if tc.check != nil {
						if err := tc.check(got); err != nil {
							t.Error(err)
						}
					}
					// What Create returns is what Get reads back.
					again, err := s.Get(context.Background(), platform, got.ID)
					if err != nil || again.SIRET != got.SIRET || again.Territory != got.Territory || again.Name != got.Name {
						t.Errorf("read back %+v, %v; created %+v", again, err, got)
					}
					return
				}
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("got %v, want an invalid-form error", err)
				}
				if msg := errs.FieldsOf(err)[tc.field]; msg == "" {
					t.Errorf("no error on field %q: %v", tc.field, errs.FieldsOf(err))
				}
			})
		}
	})
}

func TestDuplicateSIRETIsAConflict(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := orgs.NewService(d)
		n := siret("44306184", "0001")
		first := mustCreate(t, s, platform, orgs.Organisation{Name: "Première", Kind: orgs.KindEmployer, Territory: "62", SIRET: n})
		second := mustCreate(t, s, platform, orgs.Organisation{Name: "Seconde", Kind: orgs.KindEmployer, Territory: "62"})
		// Several organisations without SIRET coexist.
		mustCreate(t, s, platform, orgs.Organisation{Name: "Troisième", Kind: orgs.KindEmployer, Territory: "62"})

		cases := []struct {
			name string
			run  func() error
		}{
			{"creating with the same SIRET", func() error {
				_, err := s.Create(ctx, platform, orgs.Organisation{Name: "Doublon", Kind: orgs.KindEmployer, Territory: "59", SIRET: n})
				return err
			}},
			{"creating with the same SIRET written with spaces", func() error {
				_, err := s.Create(ctx, platform, orgs.Organisation{Name: "Doublon", Kind: orgs.KindEmployer, Territory: "62",
					SIRET: n[:3] + " " + n[3:6] + " " + n[6:9] + " " + n[9:]})
				return err
			}},
			{"updating another organisation to the same SIRET", func() error {
				second.SIRET = n
				_, err := s.Update(ctx, platform, second)
				return err
			}},
		}
		for _, tc := range cases {
			err := tc.run()
			if !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["siret"] == "" {
				t.Errorf("%s: got %v (fields %v), want a conflict on siret", tc.name, err, errs.FieldsOf(err))
			}
		}
		// The first organisation keeps its SIRET, and updating it to itself is no conflict.
		first.Name = "Première renommée"
		if _, err := s.Update(ctx, platform, first); err != nil {
			t.Errorf("update keeping the own SIRET: %v", err)
		}
		all, total, err := s.List(ctx, platform, orgs.Filter{})
		if err != nil || total != 3 || len(all) != 3 {
			t.Errorf("after the refused duplicates: %d organisations (%d listed), %v; want 3", total, len(all), err)
		}
	})
}

// world creates organisations in two territories and returns them by name.
func world(t *testing.T, s *orgs.Service) map[string]orgs.Organisation {
	t.Helper()
	w := map[string]orgs.Organisation{}
	for _, o := range []orgs.Organisation{
		{Name: "Département du Pas-de-Calais", Kind: orgs.KindDepartement, Territory: "62"},
		{Name: "France Travail Arras", Kind: orgs.KindFranceTravail, Territory: "62"},
		{Name: "Association Rebond", Kind: orgs.KindAssociation, Territory: "62"},
		{Name: "Chantier Arras", Kind: orgs.KindSIAE, SIAEKind: "ACI", Territory: "62"},
		{Name: "Département du Nord", Kind: orgs.KindDepartement, Territory: "59"},
		{Name: "France Travail Lille", Kind: orgs.KindFranceTravail, Territory: "59"},
	} {
		w[o.Name] = mustCreate(t, s, system, o)
	}
	return w
}

func names(list []orgs.Organisation) []string {
	var out []string
	for _, o := range list {
		out = append(out, o.Name)
	}
	slices.Sort(out)
	return out
}

func TestGetAndListAreLimitedToTheActorsTerritory(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := orgs.NewService(d)
		w := world(t, s)
		in62 := []string{"Association Rebond", "Chantier Arras", "Département du Pas-de-Calais", "France Travail Arras"}
		in59 := []string{"Département du Nord", "France Travail Lille"}
		everything := append(slices.Clone(in59), in62...)
		slices.Sort(everything)
		lilleAdmin := orgAdminOf(w["France Travail Lille"])

		cases := []struct {
			name   string
			actor  access.Actor
			filter orgs.Filter
			want   []string
		}{
			{"platform admin lists every territory", platform, orgs.Filter{}, everything},
			{"platform admin filters on a territory", platform, orgs.Filter{Territory: "59"}, in59},
			{"système lists every territory", system, orgs.Filter{}, everything},
			{"référent of 62 lists the partners of 62", referent62, orgs.Filter{}, in62},
			{"référent of 62 asking for 59 still gets 62", referent62, orgs.Filter{Territory: "59"}, in62},
			{"département manager of 59 lists the partners of 59", manager59, orgs.Filter{}, in59},
			{"org admin of Lille lists the partners of 59", lilleAdmin, orgs.Filter{}, in59},
			{"filter on kind", referent62, orgs.Filter{Kind: orgs.KindSIAE}, []string{"Chantier Arras"}},
			{"filter on part of the name, any case", platform, orgs.Filter{Query: "FRANCE travail"}, []string{"France Travail Arras", "France Travail Lille"}},
			{"filter on part of the name within the territory", referent62, orgs.Filter{Query: "travail"}, []string{"France Travail Arras"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				list, total, err := s.List(ctx, tc.actor, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if got := names(list); !slices.Equal(got, tc.want) || total != len(tc.want) {
					t.Errorf("listed %v (total %d), want %v", got, total, tc.want)
				}
				if tc.filter != (orgs.Filter{}) {
					return
				}
				// Whatever an actor lists, it may open; whatever it may not open, it does not list.
				for _, o := range w {
					_, err := s.Get(ctx, tc.actor, o.ID)
					if listed := slices.Contains(tc.want, o.Name); listed != (err == nil) {
						t.Errorf("%q: listed = %v but Get gives %v", o.Name, listed, err)
					}
				}
			})
		}

		gets := []struct {
			name  string
			actor access.Actor
			org   string
			ok    bool
		}{
			{"référent reads a partner of the territory", referent62, "France Travail Arras", true},
			{"référent of 62 may not read an organisation of 59", referent62, "France Travail Lille", false},
			{"département manager of 62 may not read the Nord", manager62, "Département du Nord", false},
			{"org admin of Lille may not read Arras", lilleAdmin, "France Travail Arras", false},
			{"org admin reads its own organisation", lilleAdmin, "France Travail Lille", true},
			{"platform admin reads any", platform, "Chantier Arras", true},
			{"unauthenticated actor reads nothing", nobody, "Chantier Arras", false},
		}
		for _, tc := range gets {
			t.Run(tc.name, func(t *testing.T) {
				o, err := s.Get(ctx, tc.actor, w[tc.org].ID)
				if tc.ok && (err != nil || o.ID != w[tc.org].ID) {
					t.Errorf("got %+v, %v; want the organisation", o, err)
				}
				if !tc.ok && !errs.Is(err, errs.NotFound) {
					t.Errorf("got %v, want not found (never forbidden: existence is not revealed)", err)
				}
			})
		}
		for _, id := range []string{"", "not-an-id", "../../etc", db.NewID()} {
			if _, err := s.Get(ctx, platform, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("Get(%q): %v, want not found", id, err)
			}
		}
		if _, _, err := s.List(ctx, nobody, orgs.Filter{}); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("unauthenticated List: %v, want unauthorized", err)
		}
	})
}

// An authenticated account with no membership has no territory: it must not
// list the organisations of every territory, since it may open none of them.
func TestActorWithoutTerritoryListsNothing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := orgs.NewService(d)
		w := world(t, s)
		orphan := access.Actor{UserID: "u-orphan", Email: "orphan@example.org"}
		for _, o := range w {
			if _, err := s.Get(ctx, orphan, o.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("Get %q: %v, want not found", o.Name, err)
			}
		}
		list, total, err := s.List(ctx, orphan, orgs.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 0 || len(list) != 0 {
			t.Fatalf("regression of a fixed bug: orgs.Service.List gives an actor without territory every organisation (%d listed) while Get refuses each", total)
		}
	})
}

func TestCreateIsForPlatformAdminsAndTheDepartementOfTheTerritory(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := orgs.NewService(d)
		w := world(t, s)
		cases := []struct {
			name      string
			actor     access.Actor
			territory string
			ok        bool
		}{
			{"platform admin creates in any territory", platform, "59", true},
			{"system creates in any territory", system, "2B", true},
			{"département manager creates in its territory", manager62, "62", true},
			{"département manager may not create in another territory", manager62, "59", false},
			{"manager of a non-département org may not create", managerFT62, "62", false},
			{"org admin may not create", orgAdminOf(w["France Travail Arras"]), "62", false},
			{"référent may not create", referent62, "62", false},
			{"unauthenticated actor may not create", nobody, "62", false},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				o := orgs.Organisation{Name: fmt.Sprintf("Nouvelle %d", i), Kind: orgs.KindCCAS, Territory: tc.territory}
				got, err := s.Create(ctx, tc.actor, o)
				if tc.ok {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					entries, _, err := audit.Search(ctx, d, system, audit.Filter{Action: "organisation.create", ObjectID: got.ID})
					if err != nil || len(entries) != 1 || entries[0].UserID != tc.actor.UserID {
						t.Errorf("audit of the creation: %+v, %v", entries, err)
					}
					return
				}
				if !errs.Is(err, errs.Forbidden) {
					t.Errorf("got %v, want forbidden", err)
				}
			})
		}
		_, total, _ := s.List(ctx, platform, orgs.Filter{})
		if total != len(w)+3 {
			t.Errorf("%d organisations after the refused creations, want %d", total, len(w)+3)
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestUpdateIsForTheOrgAdminAndPlatformAdmins(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := orgs.NewService(d)
		w := world(t, s)
		arras := w["France Travail Arras"]
		cases := []struct {
			name  string
			actor access.Actor
			edit  func(o *orgs.Organisation)
			code  errs.Code // "" when allowed
			bug   string
		}{
			{"org admin renames its organisation", orgAdminOf(arras), func(o *orgs.Organisation) { o.Name = "France Travail Arras Centre" }, "", ""},
			{"org admin may not move it to another territory", orgAdminOf(arras), func(o *orgs.Organisation) { o.Territory = "59" }, errs.Invalid, ""},
			{"org admin of a partner may not edit it", orgAdminOf(w["Association Rebond"]), func(o *orgs.Organisation) { o.Name = "Pris" }, errs.Forbidden, ""},
			{"département manager may not edit a partner", manager62, func(o *orgs.Organisation) { o.Name = "Pris" }, errs.Forbidden, ""},
			{"référent may not edit it", referent62, func(o *orgs.Organisation) { o.Name = "Pris" }, errs.Forbidden, ""},
			{"org admin of another territory does not see it", orgAdminOf(w["France Travail Lille"]), func(o *orgs.Organisation) { o.Name = "Pris" }, errs.NotFound, ""},
			{"an update is validated", orgAdminOf(arras), func(o *orgs.Organisation) { o.SIRET = "123" }, errs.Invalid, ""},
			{"org admin may not turn its organisation into a département", orgAdminOf(arras), func(o *orgs.Organisation) { o.Kind = orgs.KindDepartement }, errs.Invalid,
				"Update lets an org admin change the kind: its managers would then read every file of the territory"},
			{"platform admin moves it to another territory", platform, func(o *orgs.Organisation) { o.Territory = "59" }, "", ""},
		}
		accepted := 0
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				cur, err := s.Get(ctx, system, arras.ID)
				if err != nil {
					t.Fatal(err)
				}
				next := cur
				tc.edit(&next)
				got, err := s.Update(ctx, tc.actor, next)
				if err == nil {
					accepted++
				}
				if tc.bug != "" && err == nil {
					t.Fatalf("regression of a fixed bug: %s", tc.bug)
				}
				if tc.bug != "" && errs.Is(err, errs.Forbidden) {
					err = errs.New(tc.code, "refused") // either refusal states the rule
				}
				if errs.CodeOf(err) != tc.code {
					t.Fatalf("got %v, want code %q", err, tc.code)
				}
				after, _ := s.Get(ctx, system, arras.ID)
				if tc.code != "" {
					if !same(after, cur) {
						t.Errorf("a refused update changed the organisation: %+v → %+v", cur, after)
					}
					return
				}
				if got.Name != next.Name || got.Territory != next.Territory || !same(after, got) {
					t.Errorf("updated %+v, read back %+v, want %+v", got, after, next)
				}
			})
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		entries, _, _ := audit.Search(ctx, d, system, audit.Filter{Action: "organisation.update", ObjectID: arras.ID})
		if len(entries) != accepted {
			t.Errorf("%d organisation.update entries, want %d (one per accepted update)", len(entries), accepted)
		}
	})
}

// same compares two organisations, dates by instant.
func same(a, b orgs.Organisation) bool {
	ok := a.CreatedAt.Equal(b.CreatedAt)
	a.CreatedAt = b.CreatedAt
	return ok && a == b
}

func TestSearchIgnoresCaseAndAccentsOnBothEngines(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := orgs.NewService(d)
		sys := access.System("test")
		for _, name := range []string{"École de la deuxième chance", "Ecolo Services", "Mission locale de l'Artois"} {
			if _, err := s.Create(ctx, sys, orgs.Organisation{Name: name, Kind: orgs.KindAssociation, Territory: "62"}); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			query string
			want  int
		}{
			{"école", 1}, {"ECOLE", 1}, {"éco", 2}, {"deuxieme", 1}, {"artois", 1}, {"l'artois", 1}, {"%", 0}, {"_", 0}, {"chance école", 1}, {"", 3},
		}
		for _, tc := range cases {
			_, total, err := s.List(ctx, sys, orgs.Filter{Query: tc.query})
			if err != nil || total != tc.want {
				t.Errorf("search %q: %d results (%v), want %d", tc.query, total, err, tc.want)
			}
		}
	})
}
