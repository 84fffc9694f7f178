// Package people is the registry of the people Tremplin helps: identity,
// contact, address and the follow-up group that governs who may see a file.
package people

import (
	"slices"
	"strings"
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
	// Orientation is the current orientation, loaded on reads; nil before the first.
	Orientation *Orientation
	// DeclaredPublics are the publics partners declared (lists they import),
	// which the registry's own data cannot derive.
	DeclaredPublics []Public
	// CandidateOnly marks the view an employer has of a candidate: identity,
	// commune and contact details, no social file.
	CandidateOnly bool
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

// The publics derived from the registry's data.
const (
	PublicBRSA    Public = "brsa"
	PublicUnder26 Public = "moins_26"
	Public50Plus  Public = "50_plus"
)

// The publics partners declare, which neither the flow nor the registry's
// data give.
const (
	PublicASE          Public = "ase"
	PublicDELD         Public = "deld"
	PublicDETLD        Public = "detld"
	PublicRQTH         Public = "rqth"
	PublicQPV          Public = "qpv"
	PublicSingleParent Public = "parent_isole"
)

// DeclarablePublics lists the declared publics in the order they are shown and stored.
var DeclarablePublics = []Public{PublicASE, PublicDELD, PublicDETLD, PublicRQTH, PublicQPV, PublicSingleParent}

var publicNames = map[Public]string{
	PublicBRSA: "Bénéficiaire du RSA", PublicUnder26: "Moins de 26 ans", Public50Plus: "50 ans et plus",
	PublicASE: "Jeune sorti de l'ASE", PublicDELD: "Demandeur d'emploi de longue durée (DELD)",
	PublicDETLD: "Demandeur d'emploi de très longue durée (DETLD)", PublicRQTH: "Travailleur handicapé (RQTH)",
	PublicQPV: "Résident d'un QPV", PublicSingleParent: "Parent isolé",
}

// PublicLabel gives the French name of a public.
func PublicLabel(p Public) string { return publicNames[p] }

// parsePublics reads the stored comma-separated codes, keeping the known ones.
func parsePublics(s string) []Public {
	var out []Public
	for _, code := range strings.Split(s, ",") {
		if p := Public(strings.TrimSpace(code)); slices.Contains(DeclarablePublics, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// formatPublics writes declared publics as stored: known codes, in the order
// of DeclarablePublics, each once.
func formatPublics(ps []Public) string {
	var codes []string
	for _, p := range DeclarablePublics {
		if slices.Contains(ps, p) {
			codes = append(codes, string(p))
		}
	}
	return strings.Join(codes, ",")
}

// Publics gives the publics a person belongs to on the day of today: BRSA
// while the household's right is open (states 2, 3 and 4) for the applicant
// and the partner, the age groups from the birth date, then the publics
// partners declared, each once.
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
	for _, d := range DeclarablePublics {
		if slices.Contains(p.DeclaredPublics, d) && !slices.Contains(out, d) {
			out = append(out, d)
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
