package access_test

import (
	"testing"

	"tremplin/internal/platform/access"
)

// The jobs capability's rows of the access matrix: offers and mass-recruitment campaigns.

var (
	offer62    = access.Offer{Territory: "62", EmployerOrgID: emp62}
	offer59    = access.Offer{Territory: "59", EmployerOrgID: "org-employer-59"}
	campaign62 = access.Campaign{Territory: "62", OrgID: dep62}
)

func offerDo(o access.Offer, act access.Action) object {
	return object{"offer " + o.Territory + " " + string(act), func(a access.Actor) bool { return access.CanOffer(a, o, act) }}
}

func campaignDo(c access.Campaign, act access.Action) object {
	return object{"campaign " + string(act), func(a access.Actor) bool { return access.CanCampaign(a, c, act) }}
}

var campaignCreation = object{"campaign creation", access.CanCreateCampaign}

var jobsMatrix = []matrixRow{
	// Offers.
	{"employer manages its own offer", "employer with consent", offerDo(offer62, access.Write), true, ""},
	{"another employer may not read the offer", "employer without consent", offerDo(offer62, access.Read), false, ""},
	{"an employer never sees another employer's offers", "employer not positioned", offerDo(offer62, access.Read), false, ""},
	{"référent reads the territory's offers", "référent", offerDo(offer62, access.Read), true, ""},
	{"référent may not manage an employer's offer", "référent", offerDo(offer62, access.Write), false, ""},
	{"référent may not read another territory's offers", "référent", offerDo(offer59, access.Read), false, ""},
	{"SIAE staff read the territory's offers", "SIAE staff in the group", offerDo(offer62, access.Read), true, ""},
	{"chargé d'orientation reads the territory's offers", "orientation of the holder", offerDo(offer62, access.Read), true, ""},
	{"département manager manages the territory's offers", "manager 62", offerDo(offer62, access.Write), true, ""},
	{"département manager may not manage another territory's offers", "manager 59", offerDo(offer62, access.Write), false, ""},
	{"manager of France Travail reads but does not manage offers", "manager of France Travail", offerDo(offer62, access.Write), false, ""},
	{"facilitator manages the territory's offers", "facilitator 62", offerDo(offer62, access.Write), true, ""},
	{"facilitator of another territory may not", "facilitator 59", offerDo(offer62, access.Read), false, ""},
	{"public buyer may not read offers", "public buyer 62", offerDo(offer62, access.Read), false, ""},
	{"system manages any offer", "system", offerDo(offer59, access.Write), true, ""},
	{"roles without a user may not read offers", "roles without a user", offerDo(offer62, access.Read), false, ""},
	// Mass-recruitment campaigns.
	{"the running organisation's manager runs its campaign", "manager 62", campaignDo(campaign62, access.Write), true, ""},
	{"the chargé d'orientation of the running organisation may not", "orientation of the dept", campaignDo(campaign62, access.Read), false, ""},
	{"another territory's manager may not read a campaign", "manager 59", campaignDo(campaign62, access.Read), false, ""},
	{"a référent may not read a campaign", "référent", campaignDo(campaign62, access.Read), false, ""},
	{"an employer may not read another organisation's campaign", "employer with consent", campaignDo(campaign62, access.Read), false, ""},
	{"an employer starts a campaign for its organisation", "employer with consent", campaignCreation, true, ""},
	{"a référent may not start a campaign", "référent", campaignCreation, false, ""},
	{"a facilitator starts a campaign", "facilitator 62", campaignCreation, true, ""},
}

func init() { matrix = append(matrix, jobsMatrix...) }

// inOfferScope is how a store must read an OfferScope.
func inOfferScope(s access.OfferScope, o access.Offer) bool {
	switch {
	case s.None:
		return false
	case s.All:
		return true
	}
	return (s.Territory != "" && s.Territory == o.Territory) || (s.EmployerOrgID != "" && s.EmployerOrgID == o.EmployerOrgID)
}

func TestScopeForOffersAgreesWithCanOffer(t *testing.T) {
	offers := map[string]access.Offer{"offer 62": offer62, "offer 59": offer59,
		"offer of employer bis": {Territory: "62", EmployerOrgID: emp62bis}, "offer of the dept": {Territory: "62", EmployerOrgID: dep62}}
	for an, a := range actors {
		s := access.ScopeForOffers(a)
		for on, o := range offers {
			if got, want := inOfferScope(s, o), access.CanOffer(a, o, access.Read); got != want {
				t.Errorf("%s, %s: listed %v, readable %v (scope %+v)", an, on, got, want, s)
			}
		}
	}
}
