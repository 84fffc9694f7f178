// Package people is the registry of the people Tremplin helps: identity,
// contact, address and the follow-up group that governs who may see a file.
package people

import (
	"time"

	"tremplin/internal/platform/access"
)

// Person is a person's file as the registry holds it.
type Person struct {
	ID           string
	Territory    string
	HoldingOrgID string
	HoldingOrg   string
	// OrientedOrgID is the organisation the person is oriented to, if any.
	OrientedOrgID string
	FirstName     string
	LastName      string
	BirthName     string
	BirthDate     *time.Time
	Sex           string
	// NIRMasked is the social security number masked for display; the clear
	// value is never loaded into a listing.
	NIRMasked    string
	CAFMatricule string
	FTID         string
	Address      string
	PostalCode   string
	CommuneCode  string
	CommuneName  string
	Lat, Lon     *float64
	Phone        string
	Email        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Referent     *Referent
	// RSA holds the person's RSA rights as the CAF/MSA flow gives them; nil
	// when the person is not in a flow.
	RSA *RSA
}

// RSA is what the CAF/MSA flow says of a person's RSA file, codes as the flow gives them.
type RSA struct {
	StateCode      string // ETATDOSRSA of the household
	DroitsDevoirs  bool   // TOPPERSDRODEVORSA: subject to rights and duties
	SuspensionCode string
	SuspensionDate *time.Time
	ClosureCode    string
	ClosureDate    *time.Time
	RequestDate    *time.Time
	Role           string // DEM applicant, CJT partner, ENF child…
}

// Name returns "Last name First name" as lists show it.
func (p Person) Name() string { return p.LastName + " " + p.FirstName }

// Referent is the professional who leads a person's follow-up.
type Referent struct {
	UserID  string
	Name    string
	OrgID   string
	OrgName string
}

// GroupMember is a professional of a person's follow-up group.
type GroupMember struct {
	ID      string
	UserID  string
	Name    string
	OrgID   string
	OrgName string
	Role    string
	Start   time.Time
	End     *time.Time
}

// Facts returns what the access policy needs to know about a file.
func Facts(p Person, group []GroupMember) access.Person {
	f := access.Person{Territory: p.Territory, HoldingOrgID: p.HoldingOrgID, OrientedOrgID: p.OrientedOrgID}
	for _, m := range group {
		gm := access.GroupMember{UserID: m.UserID, OrgID: m.OrgID, Start: m.Start}
		if m.End != nil {
			gm.End = *m.End
		}
		f.Group = append(f.Group, gm)
	}
	return f
}

// Public is a group of people the insertion policies name.
type Public string

// The publics derived from the registry's data; the others (ASE leavers,
// DELD/DETLD, RQTH, QPV residents, single parents) need data the registry
// does not hold yet.
const (
	PublicBRSA    Public = "brsa"
	PublicUnder26 Public = "moins_26"
	Public50Plus  Public = "50_plus"
)

// PublicLabel gives the French name of a public.
func PublicLabel(p Public) string {
	return map[Public]string{PublicBRSA: "Bénéficiaire du RSA", PublicUnder26: "Moins de 26 ans", Public50Plus: "50 ans et plus"}[p]
}

// Publics derives the publics a person belongs to on the day of today: BRSA
// while the household's right is open (states 2, 3 and 4) for the applicant
// and the partner, and the age groups from the birth date.
func Publics(p Person, today time.Time) []Public {
	var out []Public
	if r := p.RSA; r != nil && (r.StateCode == "2" || r.StateCode == "3" || r.StateCode == "4") && (r.Role == "DEM" || r.Role == "CJT") {
		out = append(out, PublicBRSA)
	}
	if p.BirthDate != nil {
		b := p.BirthDate
		age := today.Year() - b.Year()
		if today.Month() < b.Month() || (today.Month() == b.Month() && today.Day() < b.Day()) {
			age--
		}
		switch {
		case age < 26:
			out = append(out, PublicUnder26)
		case age >= 50:
			out = append(out, Public50Plus)
		}
	}
	return out
}

// Filter selects people in a listing.
type Filter struct {
	Query     string
	Matricule string
	NIR       string
	Limit     int
	Offset    int
}
