// Package orgs holds the organisations of an insertion territory: the
// département, France Travail agencies, missions locales, SIAE, employers,
// public buyers and the other partners whose staff use Tremplin.
package orgs

import (
	"strings"
	"time"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/validate"
)

// Kind is what an organisation is.
type Kind string

// The organisation kinds.
const (
	KindDepartement   Kind = "departement"
	KindFranceTravail Kind = "france_travail"
	KindMissionLocale Kind = "mission_locale"
	KindCapEmploi     Kind = "cap_emploi"
	KindPLIE          Kind = "plie"
	KindCCAS          Kind = "ccas"
	KindAssociation   Kind = "association"
	KindSIAE          Kind = "siae"
	KindGEIQ          Kind = "geiq"
	KindEmployer      Kind = "employer"
	KindPublicBuyer   Kind = "public_buyer"
	KindTraining      Kind = "training"
)

// Kinds lists the organisation kinds with their French labels, in display order.
var Kinds = []struct {
	Kind  Kind
	Label string
}{
	{KindDepartement, "Département"},
	{KindFranceTravail, "Agence France Travail"},
	{KindMissionLocale, "Mission locale"},
	{KindCapEmploi, "Cap emploi"},
	{KindPLIE, "PLIE"},
	{KindCCAS, "CCAS"},
	{KindAssociation, "Association"},
	{KindSIAE, "Structure d'insertion par l'activité économique (SIAE)"},
	{KindGEIQ, "GEIQ"},
	{KindEmployer, "Employeur"},
	{KindPublicBuyer, "Acheteur public (donneur d'ordre)"},
	{KindTraining, "Organisme de formation"},
}

// SIAEKinds lists the kinds of insertion structures.
var SIAEKinds = []string{"EI", "AI", "ACI", "ETTI", "EITI"}

// KindLabel returns the French label of a kind.
func KindLabel(k Kind) string {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.Label
		}
	}
	return string(k)
}

func validKind(k Kind) bool {
	for _, x := range Kinds {
		if x.Kind == k {
			return true
		}
	}
	return false
}

// Organisation is a partner structure.
type Organisation struct {
	ID          string
	Name        string
	Kind        Kind
	SIAEKind    string
	Territory   string
	SIRET       string
	Address     string
	PostalCode  string
	CommuneCode string
	CommuneName string
	CreatedAt   time.Time
}

// KindLabel returns the French label of the organisation's kind, with the SIAE kind.
func (o Organisation) KindLabel() string {
	if o.Kind == KindSIAE && o.SIAEKind != "" {
		return "SIAE (" + o.SIAEKind + ")"
	}
	return KindLabel(o.Kind)
}

// Normalize trims the fields and checks them, returning field errors in French.
func (o *Organisation) Normalize() error {
	fe := errs.FieldErrors{}
	o.Name = strings.TrimSpace(o.Name)
	o.Territory = strings.ToUpper(strings.TrimSpace(o.Territory))
	o.Address = strings.TrimSpace(o.Address)
	o.PostalCode = strings.TrimSpace(o.PostalCode)
	o.CommuneCode = strings.ToUpper(strings.TrimSpace(o.CommuneCode))
	o.SIAEKind = strings.ToUpper(strings.TrimSpace(o.SIAEKind))
	if o.Name == "" || len(o.Name) > 200 {
		fe.Add("name", "Indiquez le nom de la structure (200 caractères au plus).")
	}
	if !validKind(o.Kind) {
		fe.Add("kind", "Choisissez le type de structure.")
	}
	o.checkSIAEKind(fe)
	if !validTerritory(o.Territory) {
		fe.Add("territory", "Indiquez le code du département (par exemple 62, 2A ou 974).")
	}
	if o.SIRET != "" {
		s, err := validate.NormalizeSIRET(o.SIRET)
		if err != nil {
			fe.Add("siret", err.Error())
		}
		o.SIRET = s
	}
	if o.PostalCode != "" {
		if err := validate.PostalCode(o.PostalCode); err != nil {
			fe.Add("postal_code", err.Error())
		}
	}
	if o.CommuneCode != "" {
		if err := validate.INSEECode(o.CommuneCode); err != nil {
			fe.Add("commune_code", err.Error())
		}
	}
	return fe.Err()
}

func (o *Organisation) checkSIAEKind(fe errs.FieldErrors) {
	if o.Kind != KindSIAE {
		o.SIAEKind = ""
		return
	}
	for _, k := range SIAEKinds {
		if o.SIAEKind == k {
			return
		}
	}
	fe.Add("siae_kind", "Choisissez le type de SIAE : EI, AI, ACI, ETTI ou EITI.")
}

// validTerritory accepts a département code: 01–95, 2A, 2B, 971–976.
func validTerritory(t string) bool {
	switch {
	case t == "2A" || t == "2B":
		return true
	case len(t) == 2 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9':
		return t != "00" && t != "20" && t < "96"
	case len(t) == 3 && strings.HasPrefix(t, "97"):
		return t[2] >= '1' && t[2] <= '6'
	}
	return false
}
