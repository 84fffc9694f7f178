// Package caf reads the CAF/MSA "flux RSA bénéficiaires" (schema vrsb0801):
// it streams the windows-1252 XML file, validates every element against
// tables generated from the XSD, and hands over one household at a time.
package caf

import "time"

// Header is the IdentificationFlux block of a flow.
type Header struct {
	Application   string    // APPLIEME, "CRI"
	Version       string    // NUMVERSIONAPPLIEME
	Type          string    // TYPEFLUX: "M" monthly, "I" infra-monthly
	Nature        string    // NATFLUX
	CreatedOn     time.Time // DTCREAFLUX
	CreatedAt     string    // HEUCREAFLUX, as given (hh:mm:ss.ffff)
	ReferenceDate time.Time // DTREF
}

// Totals holds the control totals of TransmissionFlux and what was actually read.
type Totals struct {
	DeclaredHouseholds int // NBTOTDOSRSATRANSM
	DeclaredAnomalies  int // NBTOTDOSRSATRANSMANO
	Households         int // InfosFoyerRSA blocks read
	Persons            int // Personne blocks read
	WithAnomaly        int // households carrying at least one Anomalie block
}

// Household is one InfosFoyerRSA block: an RSA file (dossier) and its members.
type Household struct {
	Line            int          // line of the <InfosFoyerRSA> start tag
	Organism        Organism     // IdentificationRSA/Organisme
	Partner         Partner      // IdentificationRSA/Partenaire
	Request         Request      // IdentificationRSA/DemandeRSA
	Persons         []Person     // Personne, in file order
	FamilySituation string       // DonneesAdministratives/SituationFamille/SITFAM
	Addresses       []Address    // DonneesAdministratives/Adresse (1 to 3)
	RSA             RSASituation // PrestationRSA
	Anomalies       int          // number of Anomalie blocks
}

// Organism identifies the paying body and the household file number.
type Organism struct {
	Function  string // FONORG: "CAF" or "MSA"
	Number    string // NUMORG
	Matricule string // MATRICULE, digits as given (leading zeros kept)
}

// Partner is the receiving partner, normally the département.
type Partner struct {
	Type string // TYPEPARTE, e.g. "CG " (padding kept)
	ID   string // IDEPARTE, the département number, e.g. "062"
}

// Request is the RSA application (DemandeRSA).
type Request struct {
	Date   time.Time // DTDEMRSA
	Number string    // NUMDEMRSA
}

// Person is one Personne block.
type Person struct {
	Line      int       // line of the <Personne> start tag
	Title     string    // Identification/QUAL: "MR", "MME"…
	LastName  string    // Identification/NOM
	BirthName string    // Identification/NOMNAI
	FirstName string    // Identification/PRENOM
	BirthDate time.Time // Identification/DTNAI
	NIR       string    // Identification/NIR, 13 characters without key; may be empty
	Sex       string    // Identification/SEXE: "1" or "2"
	// RSARole is ROLEPERS of the Prestations block whose NATPREST is "RSA": "DEM", "CJT", "ENF"…
	RSARole string
	// Benefits lists every Prestations block (NATPREST, ROLEPERS).
	Benefits []Benefit
	// RightsAndDutiesKnown tells whether MontantCalculDroitRSAPersonne was present.
	RightsAndDutiesKnown bool
	// RightsAndDuties is TOPPERSDRODEVORSA: the person is "soumis aux droits et devoirs".
	RightsAndDuties bool
	FranceTravailID string // DossierPoleEmploi/IDASSEDIC
}

// Benefit is one Prestations block of a person.
type Benefit struct {
	Nature string // NATPREST: "RSA", "PFA"…
	Role   string // ROLEPERS
}

// Address is one Adresse block; French addresses fill the street fields, others Lines.
type Address struct {
	Rank        string    // TroncCommunAdresse/RGADR, "01" is the current address
	MovedIn     time.Time // DTEMM, zero if absent
	Country     string    // PAYS, e.g. "FRA"
	Type        string    // TYPEADR
	State       string    // ETATADR
	Complement1 string    // AdresseDetailleeFrance/COMPLIDEADR (identification complement)
	Complement2 string    // COMPLADR (address complement)
	Number      string    // NUMVOIE
	StreetType  string    // LIBTYPEVOIE
	StreetName  string    // NOMVOIE
	Locality    string    // LIEUDIST
	INSEECode   string    // NUMCOM, the commune's INSEE code
	PostalCode  string    // CODEPOS
	City        string    // NOMCOM
	Lines       []string  // AdresseHorsFrance/LIBLIG2ADR…LIBLIG7ADR
}

// RSASituation is the PrestationRSA block: state of the file and its rights.
type RSASituation struct {
	State              string       // SituationDossierRSA/EtatDossierRSA/ETATDOSRSA, "0"…"6"
	RefusalDate        time.Time    // Refus/DTREFURSA
	RefusalReason      string       // Refus/MOTIREFURSA
	RightSuspensions   []Suspension // SuspensionDroit (MOTISUSDRORSA, DDSUSDRORSA)
	PaymentSuspensions []Suspension // SuspensionVersement (MOTISUSVERSRSA, DDSUSVERSRSA)
	Closure            Closure      // FinDroit (MOTICLORSA, DTCLORSA)
	EarlierClosure     Closure      // FinDroitMoisAnterieur (MOTICLORSA, DTCLORSA)
	NoFixedAbode       bool         // DetailDroitRSA/TroncCommunDroitRSA/TOPSANSDOMFIXE
	Origin             string       // TroncCommunDroitRSA/ORIDEMRSA
	OriginDate         time.Time    // TroncCommunDroitRSA/DTORIDEMRSA, zero if absent
	// HouseholdRightsAndDutiesKnown tells whether TOPFOYDRODEVORSA was present.
	HouseholdRightsAndDutiesKnown bool
	// HouseholdRightsAndDuties is TOPFOYDRODEVORSA: the household is subject to rights and duties.
	HouseholdRightsAndDuties bool
}

// Suspension is a suspension of the right or of the payment, with its reason code.
type Suspension struct {
	Reason string    // MOTISUSDRORSA or MOTISUSVERSRSA
	Since  time.Time // DDSUSDRORSA or DDSUSVERSRSA
}

// Closure is the end of the right; Reason is empty when the block is absent.
type Closure struct {
	Reason string    // MOTICLORSA
	Date   time.Time // DTCLORSA
}
