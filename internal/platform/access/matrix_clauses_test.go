package access_test

import (
	"tremplin/internal/platform/access"
)

// The insertion clauses' rows of the access matrix: markets seen by their
// companies and partners, lines of hours, and who opens operations.

// awarded62 is a market of the territory awarded to an employer, which works with an SIAE.
var awarded62 = access.Market{Territory: "62", BuyerOrgID: buyer62, FacilitatorOrg: plie62,
	CompanyOrgIDs: []string{emp62}, PartnerOrgIDs: []string{"org-siae-62"}}

func declarationDo(company, via string, act access.Action) object {
	d := access.Declaration{Market: awarded62, CompanyOrgID: company, ViaOrgID: via}
	return object{"hours of " + company + " " + string(act), func(a access.Actor) bool { return access.CanDeclaration(a, d, act) }}
}

var operationCreation = object{"operation creation", access.CanCreateOperation}

// clauseLists is whether the actor's clause lists are what want says (an actor seeing none never is).
func clauseLists(want func(access.ClauseScope) bool) object {
	return object{"clause lists", func(a access.Actor) bool { s := access.ScopeForClauses(a); return !s.None && want(s) }}
}

func anyScope(access.ClauseScope) bool { return true }

var clausesMatrix = []matrixRow{
	// Markets seen by the companies awarded them and their partner structures.
	{"the company awarded the market reads it", "employer with consent", marketDo(awarded62, access.Read), true, ""},
	{"the company awarded the market may not change it", "employer with consent", marketDo(awarded62, access.Write), false, ""},
	{"another company does not see the market", "employer without consent", marketDo(awarded62, access.Read), false, ""},
	{"the partner SIAE reads the market", "SIAE staff in the group", marketDo(awarded62, access.Read), true, ""},
	{"the partner SIAE may not change the market", "SIAE staff in the group", marketDo(awarded62, access.Write), false, ""},
	{"a référent still does not see an awarded market", "référent", marketDo(awarded62, access.Read), false, ""},

	// Lines of hours, with the participants' names.
	{"the company declares its own hours", "employer with consent", declarationDo(emp62, "", access.Write), true, ""},
	{"a company may not declare for another", "employer without consent", declarationDo(emp62, "", access.Write), false, ""},
	{"a company may not read another's lines", "employer without consent", declarationDo(emp62, "", access.Read), false, ""},
	{"the SIAE declares the people it placed", "SIAE staff in the group", declarationDo(emp62, "org-siae-62", access.Write), true, ""},
	{"the SIAE does not read lines it did not place", "SIAE staff in the group", declarationDo(emp62, "", access.Read), false, ""},
	{"the facilitator of the market writes its lines", "facilitator 62", declarationDo(emp62, "", access.Write), true, ""},
	{"a facilitator of another PLIE reads no line", "facilitator 59", declarationDo(emp62, "", access.Read), false, ""},
	{"the département's manager reads the lines", "manager 62", declarationDo(emp62, "", access.Read), true, ""},
	{"the département's manager does not declare", "manager 62", declarationDo(emp62, "", access.Write), false, ""},
	{"another département's manager reads no line", "manager 59", declarationDo(emp62, "", access.Read), false, ""},
	{"the buyer reads no named line: aggregates only", "public buyer 62", declarationDo(emp62, "", access.Read), false, ""},
	{"a référent reads no line", "référent", declarationDo(emp62, "", access.Read), false, ""},
	{"a request without a user reads no line", "roles without a user", declarationDo(emp62, "", access.Read), false, ""},
	{"the system writes lines", "system", declarationDo(emp62, "", access.Write), true, ""},

	// Opening operations.
	{"a facilitator opens an operation", "facilitator 62", operationCreation, true, ""},
	{"a buyer does not open an operation", "public buyer 62", operationCreation, false, ""},
	{"the département's manager does not open an operation", "manager 62", operationCreation, false, ""},
	{"an employer does not open an operation", "employer with consent", operationCreation, false, ""},

	// List scopes agree with the rules above.
	{"a buyer's lists are its markets, without names", "public buyer 62", clauseLists(func(s access.ClauseScope) bool { return s.BuyerOrgID == buyer62 && !s.Names }), true, ""},
	{"a facilitator's lists are its PLIE's markets", "facilitator 62", clauseLists(func(s access.ClauseScope) bool { return s.FacilitatorOrgID == plie62 && s.Names }), true, ""},
	{"the département's lists are its territory", "manager 62", clauseLists(func(s access.ClauseScope) bool { return s.Territory == "62" && s.Names }), true, ""},
	{"a company's lists are its own", "employer with consent", clauseLists(func(s access.ClauseScope) bool { return s.CompanyOrgID == emp62 }), true, ""},
	{"a référent has no clause list", "référent", clauseLists(anyScope), false, ""},
	{"an association's administrator has no clause list", "org admin of another org", clauseLists(anyScope), false, ""},
	{"an unauthenticated actor has no clause list", "unauthenticated", clauseLists(anyScope), false, ""},
}

func init() { matrix = append(matrix, clausesMatrix...) }
