package access

import "slices"

// Market carries the facts about a public market that the policy needs.
type Market struct {
	Territory      string
	BuyerOrgID     string
	FacilitatorOrg string
	// CompanyOrgIDs are the companies awarded the market; PartnerOrgIDs the
	// SIAE, ETT or GEIQ they work with on it.
	CompanyOrgIDs []string
	PartnerOrgIDs []string
}

// companyKinds are the kinds of organisations that work on markets: companies and insertion structures.
var companyKinds = []string{"employer", "siae", "geiq"}

// companyRoles are the roles that act for a company or an SIAE on its markets.
var companyRoles = []Role{RoleEmployer, RoleSIAEStaff, RoleOrgAdmin}

// CanMarket reports whether the actor may perform act on a market of the
// insertion clauses: its buyer and its facilitators manage it, the
// département's managers read their territory's, the companies awarded it and
// their partner structures read it.
func CanMarket(a Actor, m Market, act Action) bool {
	switch {
	case !a.Authenticated():
		return false
	case a.System:
		return true
	case a.Has(RolePublicBuyer):
		return a.OrgID == m.BuyerOrgID
	case a.Has(RoleFacilitator) && a.OrgID == m.FacilitatorOrg:
		return true
	case IsDeptManager(a) && a.Territory == m.Territory:
		return act == Read
	case a.HasAny(companyRoles...) && (slices.Contains(m.CompanyOrgIDs, a.OrgID) || slices.Contains(m.PartnerOrgIDs, a.OrgID)):
		return act == Read
	}
	return false
}

// CanCreateOperation reports whether the actor may open an operation or a
// market: the facilitators (for their own organisation) and the system.
func CanCreateOperation(a Actor) bool {
	return a.Authenticated() && (a.System || a.Has(RoleFacilitator))
}

// Declaration carries the facts about a month of hours declared on a market.
type Declaration struct {
	Market       Market
	CompanyOrgID string
	// ViaOrgID is the SIAE, ETT or GEIQ that placed the participant, if any.
	ViaOrgID string
}

// CanDeclaration reports whether the actor may read or write a line of hours,
// with the participant's name: the market's facilitators, the company that
// declares it, the structure that placed the person; the département's
// managers read. Buyers see aggregates only.
func CanDeclaration(a Actor, d Declaration, act Action) bool {
	switch {
	case !a.Authenticated():
		return false
	case a.System:
		return true
	case a.Has(RolePublicBuyer):
		return false
	case a.Has(RoleFacilitator) && a.OrgID == d.Market.FacilitatorOrg:
		return true
	case IsDeptManager(a) && a.Territory == d.Market.Territory:
		return act == Read
	case a.HasAny(companyRoles...) && a.OrgID != "" && (a.OrgID == d.CompanyOrgID || a.OrgID == d.ViaOrgID):
		return true
	}
	return false
}

// ClauseScope describes, for list queries and reports, which markets and
// declarations an actor sees; stores turn it into SQL that agrees with
// CanMarket and CanDeclaration.
type ClauseScope struct {
	All bool
	// Territory is set for the département's managers.
	Territory string
	// FacilitatorOrgID selects the markets the actor's organisation facilitates.
	FacilitatorOrgID string
	// BuyerOrgID selects a buyer's own markets (aggregates only).
	BuyerOrgID string
	// CompanyOrgID selects the markets awarded to the organisation, or on
	// which it places people, and its own declarations.
	CompanyOrgID string
	// Names is true when the actor may see the participants' names.
	Names bool
	None  bool
}

// ScopeForClauses returns the list scope of an actor on the insertion clauses.
func ScopeForClauses(a Actor) ClauseScope {
	switch {
	case !a.Authenticated():
		return ClauseScope{None: true}
	case a.System && a.Territory != "":
		// An operator's command names its territory.
		return ClauseScope{Territory: a.Territory, Names: true}
	case a.System:
		return ClauseScope{All: true, Names: true}
	case a.Has(RolePublicBuyer):
		return ClauseScope{BuyerOrgID: a.OrgID}
	case a.Has(RoleFacilitator):
		return ClauseScope{FacilitatorOrgID: a.OrgID, Names: true}
	case IsDeptManager(a):
		return ClauseScope{Territory: a.Territory, Names: true}
	case a.HasAny(companyRoles...) && a.OrgID != "" && slices.Contains(companyKinds, a.OrgKind):
		return ClauseScope{CompanyOrgID: a.OrgID, Names: true}
	}
	return ClauseScope{None: true}
}
