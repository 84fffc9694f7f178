package jobs

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

// OfferInput is an offer as a form, the API or an import row gives it.
type OfferInput struct {
	EmployerID     string   `json:"employer_id"`
	SiteID         string   `json:"site_id"`
	Reference      string   `json:"reference"`
	Title          string   `json:"title"`
	ROME           string   `json:"rome"`
	Contract       string   `json:"contract"`
	ContractMonths int      `json:"contract_months"`
	Hours          string   `json:"hours_per_week"`
	Positions      int      `json:"positions"`
	StartDate      string   `json:"start_date"`
	CommuneCode    string   `json:"commune_code"`
	NeedsLicence   bool     `json:"needs_licence"`
	NeedsVehicle   bool     `json:"needs_vehicle"`
	Qualifications []string `json:"qualifications"`
	Shifts         []string `json:"shifts"`
	Description    string   `json:"description"`
	InTension      bool     `json:"in_tension"`
	ClauseLinked   bool     `json:"clause_linked"`
	ClauseMarket   string   `json:"clause_market"`
	Status         string   `json:"status"`
}

var romePattern = regexp.MustCompile(`^[A-N][0-9]{4}$`)

// NormalizeROME upper-cases a ROME fiche code and checks its form (K2204).
func NormalizeROME(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s, romePattern.MatchString(s)
}

// ParseHours reads weekly hours written "35", "17,5", "17.5" or "17h30" into minutes.
func ParseHours(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, true
	}
	if h, m, ok := strings.Cut(s, "h"); ok {
		hh, err1 := strconv.Atoi(strings.TrimSpace(h))
		mm := 0
		var err2 error
		if m = strings.TrimSpace(m); m != "" {
			mm, err2 = strconv.Atoi(m)
		}
		if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm >= 60 {
			return 0, false
		}
		return hh*60 + mm, true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return int(math.Round(f * 60)), true
}

// parseDay reads "YYYY-MM-DD" or "DD/MM/YYYY"; "" is no date.
func parseDay(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006"} {
		if d, err := time.Parse(layout, s); err == nil && d.Year() >= 1900 && d.Year() <= 2200 {
			return &d, true
		}
	}
	return nil, false
}

// cleanList trims the items of a list, dropping empty ones and duplicates.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !containsFold(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// splitLines splits a text area into its non-empty lines.
func splitLines(s string) []string { return cleanList(strings.Split(s, "\n")) }

// splitCodes splits comma- or semicolon-separated codes.
func splitCodes(s string) []string {
	return cleanList(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }))
}

// checkOffer normalises an offer's fields, reporting every field error at once.
func checkOffer(in OfferInput) (Offer, error) {
	fe := errs.FieldErrors{}
	o := Offer{
		SiteID: strings.TrimSpace(in.SiteID), Reference: strings.TrimSpace(in.Reference),
		Title: strings.TrimSpace(in.Title), Contract: contractCode(in.Contract),
		ContractMonths: in.ContractMonths, Positions: in.Positions, CommuneCode: strings.ToUpper(strings.TrimSpace(in.CommuneCode)),
		NeedsLicence: in.NeedsLicence, NeedsVehicle: in.NeedsVehicle, Qualifications: cleanList(in.Qualifications),
		Description: strings.TrimSpace(in.Description), InTension: in.InTension, ClauseLinked: in.ClauseLinked,
		ClauseMarket: strings.TrimSpace(in.ClauseMarket), Status: statusCode(in.Status),
	}
	if o.Title == "" || len(o.Title) > 200 {
		fe.Add("title", "Indiquez l'intitulé du poste (200 caractères au plus).")
	}
	if len(o.Reference) > 60 {
		fe.Add("reference", "La référence tient en 60 caractères au plus.")
	}
	var ok bool
	if o.ROME, ok = NormalizeROME(in.ROME); !ok {
		fe.Add("rome", "Indiquez le code ROME du métier : une lettre et quatre chiffres, par exemple K2204.")
	}
	if !hasOption(Contracts, o.Contract) {
		fe.Add("contract", "Choisissez le type de contrat : CDI, CDD, INTERIM, APPRENTISSAGE, PROFESSIONNALISATION, CDDI ou SAISONNIER.")
	}
	if o.ContractMonths < 0 || o.ContractMonths > 120 {
		fe.Add("contract_months", "La durée du contrat va de 0 à 120 mois.")
	}
	if o.WeeklyMinutes, ok = ParseHours(in.Hours); !ok || o.WeeklyMinutes > 48*60 {
		fe.Add("hours_per_week", "Indiquez les heures par semaine, de 0 à 48 (par exemple 35 ou 17,5).")
	}
	if o.Positions == 0 {
		o.Positions = 1
	}
	if o.Positions < 1 || o.Positions > 1000 {
		fe.Add("positions", "Le nombre de postes va de 1 à 1 000.")
	}
	if o.Start, ok = parseDay(in.StartDate); !ok {
		fe.Add("start_date", "Indiquez la date de début au format JJ/MM/AAAA.")
	}
	for _, s := range in.Shifts {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !hasOption(Shifts, s) {
			fe.Add("shifts", "Horaire inconnu : "+s+".")
			continue
		}
		if !containsFold(o.Shifts, s) {
			o.Shifts = append(o.Shifts, s)
		}
	}
	if len(o.Qualifications) > 20 {
		fe.Add("qualifications", "20 qualifications au plus.")
	}
	if len(o.Description) > 5000 {
		fe.Add("description", "La description tient en 5 000 caractères au plus.")
	}
	if o.Status == "" {
		o.Status = StatusOpen
	}
	if !hasOption(Statuses, o.Status) {
		fe.Add("status", "Choisissez le statut de l'offre : open (ouverte), filled (pourvue) ou closed (fermée).")
	}
	if o.ClauseMarket != "" {
		o.ClauseLinked = true
	}
	return o, fe.Err()
}

// SiteInput is an employer's site as a form or the API gives it.
type SiteInput struct {
	Name        string `json:"name"`
	Address     string `json:"address"`
	PostalCode  string `json:"postal_code"`
	CommuneCode string `json:"commune_code"`
}

// ContactInput is an employer's contact as a form or the API gives it.
type ContactInput struct {
	Name     string `json:"name"`
	JobTitle string `json:"job_title"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
}

// contractCode reads a contract type as files write it: "CDI", "intérim",
// "Apprentissage"…
func contractCode(s string) string {
	return strings.ToUpper(strings.ReplaceAll(refdata.Fold(strings.TrimSpace(s)), " ", ""))
}

// statusCode reads an offer's status, in English codes or in French.
func statusCode(s string) string {
	s = strings.TrimSpace(s)
	switch refdata.Fold(s) {
	case "ouverte":
		return StatusOpen
	case "pourvue":
		return StatusFilled
	case "fermee":
		return StatusClosed
	}
	return s
}
