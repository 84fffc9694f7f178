package access_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/platform/access"
)

// The access matrix: every capability states here, as named rows, who may do
// what with its objects. Adding a kind of object is adding a constructor like
// personRead and rows that use it; adding an actor is adding it to the world
// below, and the scope test then checks it against every person of the world.

// now is the instant every row is judged at.
var now = time.Date(2025, 3, 12, 10, 30, 0, 0, time.UTC)

func day(offset int) time.Time {
	return time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC).AddDate(0, 0, offset)
}

// The organisations of the world.
const (
	dep62    = "org-departement-62"
	dep59    = "org-departement-59"
	ft62     = "org-france-travail-62"
	asso62   = "org-association-62"
	other62  = "org-ccas-62"
	emp62    = "org-employer-62"
	emp62bis = "org-employer-62-bis"
	buyer62  = "org-buyer-62"
	buyer59  = "org-buyer-59"
	plie62   = "org-plie-62"
	plie59   = "org-plie-59"
)

func actor(user, org, kind, territory string, roles ...access.Role) access.Actor {
	return access.Actor{UserID: user, Email: user + "@example.org", OrgID: org, OrgKind: kind, Territory: territory, Roles: roles}
}

// The actors of the world, by name.
var actors = map[string]access.Actor{
	"référent":                     actor("u-ref", asso62, "association", "62", access.RoleReferent),
	"same référent in another org": actor("u-ref", other62, "ccas", "62", access.RoleReferent),
	"former référent":              actor("u-ref-old", asso62, "association", "62", access.RoleReferent),
	"future référent":              actor("u-ref-next", asso62, "association", "62", access.RoleReferent),
	"référent leaving today":       actor("u-ref-last", asso62, "association", "62", access.RoleReferent),
	"référent starting today":      actor("u-ref-first", asso62, "association", "62", access.RoleReferent),
	"colleague of the référent":    actor("u-colleague", asso62, "association", "62", access.RoleReferent),
	"référent of another org":      actor("u-other", other62, "ccas", "62", access.RoleReferent),
	"SIAE staff in the group":      actor("u-siae", "org-siae-62", "siae", "62", access.RoleSIAEStaff),
	"manager 62":                   actor("u-man62", dep62, "departement", "62", access.RoleManager),
	"manager 59":                   actor("u-man59", dep59, "departement", "59", access.RoleManager),
	"orientation of the dept":      actor("u-ori-dep", dep62, "departement", "62", access.RoleOrientation),
	"manager of France Travail":    actor("u-manft", ft62, "france_travail", "62", access.RoleManager),
	"org admin of the holder":      actor("u-adm-ft", ft62, "france_travail", "62", access.RoleOrgAdmin),
	"org admin of another org":     actor("u-adm-asso", asso62, "association", "62", access.RoleOrgAdmin),
	"orientation of the holder":    actor("u-ori-ft", ft62, "france_travail", "62", access.RoleOrientation),
	"orientation of another org":   actor("u-ori-other", other62, "ccas", "62", access.RoleOrientation),
	"employer with consent":        actor("u-emp", emp62, "employer", "62", access.RoleEmployer),
	"employer without consent":     actor("u-emp-bis", emp62bis, "employer", "62", access.RoleEmployer),
	"employer not positioned":      actor("u-emp-none", "org-employer-none", "employer", "62", access.RoleEmployer),
	"public buyer 62":              actor("u-buy62", buyer62, "public_buyer", "62", access.RolePublicBuyer),
	"public buyer 59":              actor("u-buy59", buyer59, "public_buyer", "59", access.RolePublicBuyer),
	"facilitator 62":               actor("u-fac62", plie62, "plie", "62", access.RoleFacilitator),
	"facilitator 59":               actor("u-fac59", plie59, "plie", "59", access.RoleFacilitator),
	"manager of the association":   actor("u-man-asso", asso62, "association", "62", access.RoleManager),
	"platform admin":               {UserID: "u-padm", Email: "padm@example.org", PlatformAdmin: true},
	"system":                       access.System("test"),
	"unauthenticated":              {},
	// A request that lost its user but kept its organisation must still get nothing.
	"roles without a user": {OrgID: ft62, OrgKind: "france_travail", Territory: "62",
		Roles: []access.Role{access.RoleOrgAdmin, access.RoleManager, access.RoleOrientation}},
}

// The persons of the world, by name.
var persons = map[string]access.Person{
	// Held by France Travail 62, followed by the référent of the association.
	"file": {
		Territory: "62", HoldingOrgID: ft62,
		Group: []access.GroupMember{
			{UserID: "u-ref", OrgID: asso62, Start: day(-100)},
			{UserID: "u-ref-old", OrgID: asso62, Start: day(-400), End: day(-1)},
			{UserID: "u-ref-next", OrgID: asso62, Start: day(1)},
			{UserID: "u-ref-last", OrgID: asso62, Start: day(-30), End: day(0)},
			{UserID: "u-ref-first", OrgID: asso62, Start: day(0)},
			{UserID: "u-siae", OrgID: "org-siae-62", Start: day(-10)},
		},
		Positionings: []access.Positioning{
			{EmployerOrgID: emp62, Consented: true},
			{EmployerOrgID: emp62bis, Consented: false},
		},
	},
	// A file of the Nord, followed by the same référent from the Pas-de-Calais.
	"file in 59": {
		Territory: "59", HoldingOrgID: "org-france-travail-59",
		Group: []access.GroupMember{{UserID: "u-ref", OrgID: asso62, Start: day(-5)}},
	},
	// A file nobody follows, held by the association.
	"unfollowed file": {Territory: "62", HoldingOrgID: asso62},
	// A file held by the département and oriented to France Travail, whose référent is not named yet.
	"oriented file": {Territory: "62", HoldingOrgID: dep62, OrientedOrgID: ft62},
}

// object is one kind of object with one action, as the policy judges it.
type object struct {
	kind  string
	check func(access.Actor) bool
}

func personDo(name string, act access.Action) object {
	p, ok := persons[name]
	if !ok {
		panic("unknown person " + name)
	}
	return object{"person " + name + " " + string(act), func(a access.Actor) bool { return access.CanPerson(a, p, act, now) }}
}

func personRead(name string) object  { return personDo(name, access.Read) }
func personWrite(name string) object { return personDo(name, access.Write) }

var market62 = access.Market{Territory: "62", BuyerOrgID: buyer62, FacilitatorOrg: plie62}

func marketDo(m access.Market, act access.Action) object {
	return object{"market " + string(act), func(a access.Actor) bool { return access.CanMarket(a, m, act) }}
}

func orgDo(id, territory string, act access.Action) object {
	o := access.Organisation{ID: id, Territory: territory}
	return object{"organisation " + string(act), func(a access.Actor) bool { return access.CanOrganisation(a, o, act) }}
}

// auditOf is searching the audit entries recorded in an organisation.
func auditOf(orgID string) object {
	return object{"audit of " + orgID, func(a access.Actor) bool {
		scope, ok := access.AuditScope(a)
		return ok && (scope == "" || scope == orgID)
	}}
}

// review62 is a case review organised by the association, created by the
// colleague of the référent, with the référent and France Travail's chargé
// d'orientation sitting in it.
var review62 = access.CaseReview{Territory: "62", OrgID: asso62, CreatedBy: "u-colleague",
	Participants: []access.ReviewParticipant{{UserID: "u-ref", OrgID: asso62}, {UserID: "u-ori-ft", OrgID: ft62}}}

func reviewDo(act access.Action) object {
	return object{"case review " + string(act), func(a access.Actor) bool { return access.CanCaseReview(a, review62, act) }}
}

// convene is the right to organise an équipe pluridisciplinaire.
var convene = object{"équipe pluridisciplinaire creation", access.CanConveneEP}

type matrixRow struct {
	name    string
	actor   string
	object  object
	allowed bool
	// bug names a known defect of the policy: the row states the right
	// behaviour and is skipped while the code still gets it wrong.
	bug string
}

var matrix = []matrixRow{
	// Person files: the follow-up group.
	{"référent of the follow-up group reads the file", "référent", personRead("file"), true, ""},
	{"référent of the follow-up group writes the file", "référent", personWrite("file"), true, ""},
	{"référent follows a file of another territory", "référent", personRead("file in 59"), true, ""},
	{"référent whose membership ended may not read", "former référent", personRead("file"), false, ""},
	{"référent whose membership ended may not write", "former référent", personWrite("file"), false, ""},
	{"référent whose membership starts tomorrow may not read yet", "future référent", personRead("file"), false, ""},
	{"référent whose membership ends today still reads", "référent leaving today", personRead("file"), true, ""},
	{"référent whose membership starts today reads", "référent starting today", personRead("file"), true, ""},
	{"référent of another structure may not read", "référent of another org", personRead("file"), false, ""},
	{"member of the group acting for another of their structures may not read", "same référent in another org", personRead("file"), false, ""},
	{"colleague of the référent outside the group may not read", "colleague of the référent", personRead("file"), false, ""},
	{"référent may not read a file nobody follows", "référent", personRead("unfollowed file"), false, ""},
	{"SIAE staff of the group reads the file", "SIAE staff in the group", personRead("file"), true, ""},
	// Person files: the département.
	{"département manager of the territory reads", "manager 62", personRead("file"), true, ""},
	{"département manager of the territory writes", "manager 62", personWrite("file"), true, ""},
	{"département manager reads a file nobody follows", "manager 62", personRead("unfollowed file"), true, ""},
	{"département manager of another territory may not", "manager 59", personRead("file"), false, ""},
	{"département manager reads the files of the own territory only", "manager 62", personRead("file in 59"), false, ""},
	{"manager of a non-département org may not", "manager of France Travail", personRead("file"), false, ""},
	// Person files: the holding organisation.
	{"org admin of the holding org reads", "org admin of the holder", personRead("file"), true, ""},
	{"org admin of the holding org writes", "org admin of the holder", personWrite("file"), true, ""},
	{"org admin of another org may not read", "org admin of another org", personRead("file"), false, ""},
	{"org admin of the association reads the unfollowed file the association holds", "org admin of another org", personRead("unfollowed file"), true, ""},
	{"chargé d'orientation of the holding org reads", "orientation of the holder", personRead("file"), true, ""},
	{"chargé d'orientation of another org may not read", "orientation of another org", personRead("file"), false, ""},
	// Person files: the organisation the person is oriented to.
	{"org admin of the organisation the file is oriented to reads, to name the référent", "org admin of the holder", personRead("oriented file"), true, ""},
	{"org admin of the organisation the file is oriented to writes", "org admin of the holder", personWrite("oriented file"), true, ""},
	{"chargé d'orientation of the organisation oriented to may not read before a référent is named", "orientation of the holder", personRead("oriented file"), false, ""},
	{"manager of the organisation oriented to may not read", "manager of France Travail", personRead("oriented file"), false, ""},
	{"org admin of another org may not read an oriented file", "org admin of another org", personRead("oriented file"), false, ""},
	// Person files: employers.
	{"employer with consented positioning reads", "employer with consent", personRead("file"), true, ""},
	{"employer without consent may not", "employer without consent", personRead("file"), false, ""},
	{"employer not positioned may not", "employer not positioned", personRead("file"), false, ""},
	{"employer may not write", "employer with consent", personWrite("file"), false, ""},
	// Person files: everyone else.
	{"public buyer has no access to files", "public buyer 62", personRead("file"), false, ""},
	{"facilitator outside the group has no access to files", "facilitator 62", personRead("file"), false, ""},
	{"platform admin has no need to know a file", "platform admin", personRead("file"), false, ""},
	{"system reads every file", "system", personRead("file"), true, ""},
	{"system writes every file", "system", personWrite("file"), true, ""},
	{"unauthenticated actor may not read a file", "unauthenticated", personRead("file"), false, ""},
	{"unauthenticated actor may not write a file", "unauthenticated", personWrite("file"), false, ""},
	{"roles without a user may not read a file", "roles without a user", personRead("file"), false, ""},

	// Markets of the insertion clauses.
	{"public buyer reads its own market", "public buyer 62", marketDo(market62, access.Read), true, ""},
	{"public buyer writes its own market", "public buyer 62", marketDo(market62, access.Write), true, ""},
	{"public buyer may not read another buyer's market", "public buyer 59", marketDo(market62, access.Read), false, ""},
	{"facilitator of the market's PLIE reads", "facilitator 62", marketDo(market62, access.Read), true, ""},
	{"facilitator of the market's PLIE writes", "facilitator 62", marketDo(market62, access.Write), true, ""},
	{"facilitator of another PLIE may not read", "facilitator 59", marketDo(market62, access.Read), false, ""},
	{"département manager reads a market of the territory", "manager 62", marketDo(market62, access.Read), true, ""},
	{"département manager reads but may not write a market", "manager 62", marketDo(market62, access.Write), false, ""},
	{"département manager of another territory may not read a market", "manager 59", marketDo(market62, access.Read), false, ""},
	{"référent may not read a market", "référent", marketDo(market62, access.Read), false, ""},
	{"employer may not read a market", "employer with consent", marketDo(market62, access.Read), false, ""},
	{"system writes a market", "system", marketDo(market62, access.Write), true, ""},
	{"unauthenticated actor may not read a market", "unauthenticated", marketDo(market62, access.Read), false, ""},

	// Organisations.
	{"org admin writes its organisation", "org admin of the holder", orgDo(ft62, "62", access.Write), true, ""},
	{"org admin may not write another organisation of the territory", "org admin of the holder", orgDo(asso62, "62", access.Write), false, ""},
	{"partners of a territory read each other", "référent", orgDo(ft62, "62", access.Read), true, ""},
	{"referent may not write its own organisation", "référent", orgDo(asso62, "62", access.Write), false, ""},
	{"organisation of another territory may not be read", "référent", orgDo(dep59, "59", access.Read), false, ""},
	{"org admin may not read an organisation of another territory", "org admin of the holder", orgDo(dep59, "59", access.Read), false, ""},
	{"département manager may not write an organisation it is not admin of", "manager 62", orgDo(ft62, "62", access.Write), false, ""},
	{"platform admin reads any organisation", "platform admin", orgDo(dep59, "59", access.Read), true, ""},
	{"platform admin writes any organisation", "platform admin", orgDo(dep59, "59", access.Write), true, ""},
	{"system writes any organisation", "system", orgDo(dep59, "59", access.Write), true, ""},
	{"unauthenticated actor may not read an organisation", "unauthenticated", orgDo(ft62, "62", access.Read), false, ""},
	{"roles without a user may not write an organisation", "roles without a user", orgDo(ft62, "62", access.Write), false, ""},

	// Case reviews (groups of professionals, équipe pluridisciplinaire).
	{"participant reads the case review", "référent", reviewDo(access.Read), true, ""},
	{"participant may not write the case review", "référent", reviewDo(access.Write), false, ""},
	{"participant of another structure reads the case review", "orientation of the holder", reviewDo(access.Read), true, ""},
	{"participant acting for another of their structures may not read the review", "same référent in another org", reviewDo(access.Read), false, ""},
	{"creator of the case review writes it", "colleague of the référent", reviewDo(access.Write), true, ""},
	{"org admin of the organiser writes the case review", "org admin of another org", reviewDo(access.Write), true, ""},
	{"manager of the organiser reads the case review", "manager of the association", reviewDo(access.Read), true, ""},
	{"manager of the organiser may not write the case review", "manager of the association", reviewDo(access.Write), false, ""},
	{"département manager of the territory writes the case review", "manager 62", reviewDo(access.Write), true, ""},
	{"département manager of another territory may not read the case review", "manager 59", reviewDo(access.Read), false, ""},
	{"manager of a non-organising structure may not read the case review", "manager of France Travail", reviewDo(access.Read), false, ""},
	{"org admin of another structure may not read the case review", "org admin of the holder", reviewDo(access.Read), false, ""},
	{"référent outside the case review may not read it", "référent of another org", reviewDo(access.Read), false, ""},
	{"employer may not read a case review", "employer with consent", reviewDo(access.Read), false, ""},
	{"platform admin has no need to know a case review", "platform admin", reviewDo(access.Read), false, ""},
	{"system writes a case review", "system", reviewDo(access.Write), true, ""},
	{"unauthenticated actor may not read a case review", "unauthenticated", reviewDo(access.Read), false, ""},
	{"roles without a user may not read a case review", "roles without a user", reviewDo(access.Read), false, ""},
	{"référent organises a case review", "référent", object{"case review creation", access.CanCreateCaseReview}, true, ""},
	{"employer may not organise a case review", "employer with consent", object{"case review creation", access.CanCreateCaseReview}, false, ""},
	{"département manager convenes the équipe pluridisciplinaire", "manager 62", convene, true, ""},
	{"chargé d'orientation of the département convenes the équipe pluridisciplinaire", "orientation of the dept", convene, true, ""},
	{"référent of an association may not convene the équipe pluridisciplinaire", "référent", convene, false, ""},
	{"manager of an association may not convene the équipe pluridisciplinaire", "manager of the association", convene, false, ""},
	{"org admin of France Travail may not convene the équipe pluridisciplinaire", "org admin of the holder", convene, false, ""},
	{"employer may not convene the équipe pluridisciplinaire", "employer with consent", convene, false, ""},
	{"roles without a user may not convene the équipe pluridisciplinaire", "roles without a user", convene, false, ""},
	// The audit trail.
	{"platform admin searches the trail of any organisation", "platform admin", auditOf(asso62), true, ""},
	{"system searches the trail of any organisation", "system", auditOf(asso62), true, ""},
	{"org admin searches the trail of its organisation", "org admin of the holder", auditOf(ft62), true, ""},
	{"org admin may not search the trail of another organisation", "org admin of the holder", auditOf(asso62), false, ""},
	{"référent may not search the trail", "référent", auditOf(asso62), false, ""},
	{"département manager may not search the trail", "manager 62", auditOf(dep62), false, ""},
	{"unauthenticated actor may not search the trail", "unauthenticated", auditOf(ft62), false, ""},
	{"roles without a user may not search the trail", "roles without a user", auditOf(ft62), false,
		"AuditScope does not check Authenticated, unlike the other policies"},
}

func TestAccessMatrix(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range matrix {
		if seen[row.name] {
			t.Errorf("two rows are named %q", row.name)
		}
		seen[row.name] = true
		t.Run(row.name, func(t *testing.T) {
			a, ok := actors[row.actor]
			if !ok {
				t.Fatalf("unknown actor %q", row.actor)
			}
			got := row.object.check(a)
			switch {
			case got != row.allowed && row.bug != "":
				t.Fatalf("regression of a fixed bug: %s (got allowed=%v)", row.bug, got)
			case got != row.allowed:
				t.Errorf("%s → %s: allowed = %v, want %v", row.actor, row.object.kind, got, row.allowed)
			}
		})
	}
}

// TestUnauthenticatedActorGetsNothing judges the anonymous actor on every
// object of the matrix, including those of rows written for other actors.
func TestUnauthenticatedActorGetsNothing(t *testing.T) {
	for _, row := range matrix {
		if row.object.check(access.Actor{}) {
			t.Errorf("unauthenticated actor allowed: %s", row.object.kind)
		}
	}
	if s := access.ScopeForPeople(access.Actor{}); !s.None {
		t.Errorf("unauthenticated actor's scope %+v lists files", s)
	}
}

// TestEveryActorIsInTheMatrix keeps the world and the matrix together: an
// actor nobody judges is a hole in the specification.
func TestEveryActorIsInTheMatrix(t *testing.T) {
	used := map[string]bool{}
	for _, row := range matrix {
		used[row.actor] = true
	}
	for name := range actors {
		if !used[name] {
			t.Errorf("actor %q appears in no row of the matrix", name)
		}
	}
}

// inScope is how a store must read a PersonScope: a file is listed when any
// of the set fields selects it. The SQL of the people store is checked
// against CanPerson by its own tests; this checks the scope itself.
func inScope(s access.PersonScope, p access.Person, at time.Time) bool {
	if s.None {
		return false
	}
	if s.All {
		return true
	}
	if s.Territory != "" && s.Territory == p.Territory {
		return true
	}
	if s.HoldingOrgID != "" && s.HoldingOrgID == p.HoldingOrgID {
		return true
	}
	if s.OrientedOrgID != "" && s.OrientedOrgID == p.OrientedOrgID {
		return true
	}
	if s.GroupUserID != "" {
		today := at.UTC().Truncate(24 * time.Hour)
		for _, m := range p.Group {
			started := m.Start.IsZero() || !m.Start.After(today)
			open := m.End.IsZero() || !m.End.Before(today)
			if m.UserID == s.GroupUserID && m.OrgID == s.GroupOrgID && started && open {
				return true
			}
		}
	}
	if s.EmployerOrgID != "" {
		for _, pos := range p.Positionings {
			if pos.EmployerOrgID == s.EmployerOrgID && pos.Consented {
				return true
			}
		}
	}
	return false
}

func TestScopeForPeopleAgreesWithCanPerson(t *testing.T) {
	// Extra actors holding several roles at once, where scopes combine.
	all := map[string]access.Actor{
		"référent and org admin of the holder": actor("u-ref", ft62, "france_travail", "62", access.RoleReferent, access.RoleOrgAdmin),
		"manager and employer":                 actor("u-man62", emp62, "departement", "62", access.RoleManager, access.RoleEmployer),
		"platform admin with a referent role":  {UserID: "u-ref", OrgID: asso62, Territory: "62", PlatformAdmin: true, Roles: []access.Role{access.RoleReferent}},
	}
	for name, a := range actors {
		all[name] = a
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		a := all[name]
		t.Run(name, func(t *testing.T) {
			s := access.ScopeForPeople(a)
			checkScopeShape(t, a, s)
			for pname, p := range persons {
				// The scope is judged at several instants: group memberships open and close.
				for _, at := range []time.Time{now, day(-1), day(1).Add(time.Hour), day(-200)} {
					can := access.CanPerson(a, p, access.Read, at)
					if got := inScope(s, p, at); got != can {
						t.Errorf("person %q at %s: scope %+v lists it = %v, CanPerson read = %v",
							pname, at.Format(time.DateOnly), s, got, can)
					}
				}
			}
		})
	}
}

// checkScopeShape checks that the fields of a scope are the actor's own and
// that None is set exactly when no other field is.
func checkScopeShape(t *testing.T, a access.Actor, s access.PersonScope) {
	t.Helper()
	set := s.All || s.Territory != "" || s.HoldingOrgID != "" || s.OrientedOrgID != "" || s.GroupUserID != "" || s.EmployerOrgID != ""
	if s.None == set {
		t.Errorf("scope %+v: None = %v but some field set = %v", s, s.None, set)
	}
	if s.All && !a.System {
		t.Errorf("scope %+v: only the system sees every file", s)
	}
	for field, v := range map[string]string{"Territory": s.Territory, "HoldingOrgID": s.HoldingOrgID, "OrientedOrgID": s.OrientedOrgID, "GroupOrgID": s.GroupOrgID, "EmployerOrgID": s.EmployerOrgID} {
		want := a.OrgID
		if field == "Territory" {
			want = a.Territory
		}
		if v != "" && v != want {
			t.Errorf("scope %+v: %s = %q, want the actor's %q", s, field, v, want)
		}
	}
	if (s.GroupUserID == "") != (s.GroupOrgID == "") || (s.GroupUserID != "" && s.GroupUserID != a.UserID) {
		t.Errorf("scope %+v: the group selection must name the actor %q in its organisation", s, a.UserID)
	}
}

// TestMatrixNamesAreSpecifications guards the style of the matrix: each row
// name says who, and the expected outcome matches the wording.
func TestMatrixNamesAreSpecifications(t *testing.T) {
	for _, row := range matrix {
		negative := false
		for _, w := range []string{"may not", "no access", "no need", "nothing"} {
			negative = negative || strings.Contains(row.name, w)
		}
		if negative && row.allowed {
			t.Errorf("row %q reads as a refusal but is allowed", row.name)
		}
	}
}

// inReviewScope is how a store must read a ReviewScope: a review is listed
// when any of the set fields selects it.
func inReviewScope(s access.ReviewScope, r access.CaseReview) bool {
	switch {
	case s.None:
		return false
	case s.All:
		return true
	case s.Territory != "" && s.Territory == r.Territory:
		return true
	case s.OrgID != "" && s.OrgID == r.OrgID:
		return true
	case s.CreatorID != "" && s.CreatorID == r.CreatedBy && s.CreatorOrgID == r.OrgID:
		return true
	}
	for _, p := range r.Participants {
		if s.ParticipantID != "" && p.UserID == s.ParticipantID && p.OrgID == s.ParticipantOrgID {
			return true
		}
	}
	return false
}

func TestScopeForCaseReviewsAgreesWithCanCaseReview(t *testing.T) {
	reviews := map[string]access.CaseReview{
		"review of the association": review62,
		"review of France Travail":  {Territory: "62", OrgID: ft62, CreatedBy: "u-ori-ft"},
		"review in 59":              {Territory: "59", OrgID: dep59, CreatedBy: "u-man59", Participants: []access.ReviewParticipant{{UserID: "u-ref", OrgID: asso62}}},
	}
	for name, a := range actors {
		s := access.ScopeForCaseReviews(a)
		for rname, r := range reviews {
			if got, want := inReviewScope(s, r), access.CanCaseReview(a, r, access.Read); got != want {
				t.Errorf("%s, %s: scope %+v lists it = %v, CanCaseReview read = %v", name, rname, s, got, want)
			}
		}
	}
}
