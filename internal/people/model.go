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
	FirstName    string
	LastName     string
	BirthName    string
	BirthDate    *time.Time
	Sex          string
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
	f := access.Person{Territory: p.Territory, HoldingOrgID: p.HoldingOrgID}
	for _, m := range group {
		gm := access.GroupMember{UserID: m.UserID, OrgID: m.OrgID, Start: m.Start}
		if m.End != nil {
			gm.End = *m.End
		}
		f.Group = append(f.Group, gm)
	}
	return f
}

// Filter selects people in a listing.
type Filter struct {
	Query     string
	Matricule string
	NIR       string
	Limit     int
	Offset    int
}
