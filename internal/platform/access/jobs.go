package access

// Offer carries the facts about a job offer that the policy needs.
type Offer struct {
	Territory     string
	EmployerOrgID string
}

// offerReaders are the roles that search offers to position the people they follow.
var offerReaders = []Role{RoleReferent, RoleOrientation, RoleSIAEStaff, RoleFacilitator, RoleOrgAdmin, RoleManager}

// CanOffer reports whether the actor may read or manage a job offer. An
// employer manages its own offers and sees no other employer's; the
// département's managers and the clause facilitators manage the offers of
// their territory for the employers they work with; the professionals of the
// territory read them to position the people they follow.
func CanOffer(a Actor, o Offer, act Action) bool {
	switch {
	case !a.Authenticated():
		return false
	case a.System:
		return true
	case a.OrgID == o.EmployerOrgID && a.HasAny(RoleEmployer, RoleOrgAdmin):
		return true
	case a.HasAny(RoleEmployer, RolePublicBuyer):
		return false
	case a.Territory != o.Territory:
		return false
	case IsDeptManager(a), a.Has(RoleFacilitator):
		return true
	case act == Read:
		return a.HasAny(offerReaders...)
	}
	return false
}

// OfferScope describes, for list queries, which offers an actor sees; stores
// turn it into SQL so that lists agree with CanOffer(…, Read).
type OfferScope struct {
	All bool
	// Territory is set for the professionals of a territory.
	Territory string
	// EmployerOrgID is set for an employer's staff and administrators.
	EmployerOrgID string
	// None is true when the actor sees no offer.
	None bool
}

// ScopeForOffers returns the list scope matching CanOffer(…, Read).
func ScopeForOffers(a Actor) OfferScope {
	switch {
	case !a.Authenticated():
		return OfferScope{None: true}
	case a.System:
		return OfferScope{All: true}
	}
	s := OfferScope{None: true}
	if a.HasAny(RoleEmployer, RoleOrgAdmin) {
		s.EmployerOrgID, s.None = a.OrgID, false
	}
	if !a.HasAny(RoleEmployer, RolePublicBuyer) && (IsDeptManager(a) || a.HasAny(offerReaders...)) {
		s.Territory, s.None = a.Territory, false
	}
	return s
}

// Campaign carries the facts about a mass-recruitment campaign that the policy needs.
type Campaign struct {
	Territory string
	// OrgID is the organisation running the campaign.
	OrgID string
}

// campaignRoles are the roles that run a mass recruitment for their organisation.
var campaignRoles = []Role{RoleManager, RoleOrgAdmin, RoleFacilitator, RoleEmployer}

// CanCampaign reports whether the actor may read or run a mass-recruitment
// campaign: its organisation's managers, administrators, facilitators and
// recruiters, and the département's managers of the territory.
func CanCampaign(a Actor, c Campaign, act Action) bool {
	switch {
	case !a.Authenticated():
		return false
	case a.System:
		return true
	case a.OrgID == c.OrgID && a.HasAny(campaignRoles...):
		return true
	case IsDeptManager(a) && a.Territory == c.Territory:
		return true
	}
	return false
}

// CanCreateCampaign reports whether the actor may start a campaign for its organisation.
func CanCreateCampaign(a Actor) bool {
	return a.Authenticated() && !a.System && a.OrgID != "" && a.HasAny(campaignRoles...)
}
