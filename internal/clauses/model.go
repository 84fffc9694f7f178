// Package clauses follows the insertion clauses of public procurement:
// operations grouping markets, the companies awarded them, the participants
// and the hours they work every month, progress against the hours owed,
// outcomes, and reports for facilitators, buyers and the département.
package clauses

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Hours is a number of hours in hundredths, so that sums are exact on both engines.
type Hours int64

// ParseHours reads a French or English decimal ("151,67", "151.5", "12") of at most two decimals.
func ParseHours(s string) (Hours, error) {
	s = strings.TrimSpace(strings.NewReplacer("\u00a0", "", "\u202f", "", " ", "").Replace(s))
	s = strings.Replace(s, ",", ".", 1)
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" && frac == "" || strings.HasPrefix(whole, "+") {
		return 0, fmt.Errorf("not hours")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	if whole == "" && strings.Trim(frac, "0") == "" && !strings.Contains(s, "0") {
		return 0, fmt.Errorf("not hours")
	}
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 9 || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("not hours")
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	h := Hours(w*100 + f)
	if neg {
		h = -h
	}
	return h, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// MaxMarketHours bounds the hours owed on one market: ten million hours is
// thousands of full-time years, far beyond any market.
const MaxMarketHours = Hours(10_000_000 * 100)

// HoursOf converts a float number of hours, rounded to the hundredth.
func HoursOf(f float64) Hours {
	if f < 0 {
		return -Hours(-f*100 + 0.5)
	}
	return Hours(f*100 + 0.5)
}

// MarshalJSON writes hours as a JSON number with at most two decimals.
func (h Hours) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(h.Float(), 'f', -1, 64)), nil
}

// UnmarshalJSON reads hours from a JSON number or a decimal string ("151,67").
func (h *Hours) UnmarshalJSON(b []byte) error {
	v, err := ParseHours(strings.Trim(string(b), `"`))
	if err != nil {
		// The decoder adds the field's name to a type error.
		return &json.UnmarshalTypeError{Value: "hours", Type: reflect.TypeFor[Hours]()}
	}
	*h = v
	return nil
}

// Float returns the hours as a float.
func (h Hours) Float() float64 { return float64(h) / 100 }

// String writes the hours the French way: "1 234,5" without trailing zeros.
func (h Hours) String() string { return FormatDecimal(h.Float(), 2) }

// FormatDecimal writes a number with a comma, thin spaces between thousands and at most prec decimals.
func FormatDecimal(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if prec > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("," + frac)
	}
	return b.String()
}

// Month is a calendar month written YYYY-MM, which sorts as text.
type Month string

// ParseMonth reads YYYY-MM (also accepting MM/YYYY, as spreadsheets write it).
func ParseMonth(s string) (Month, error) {
	s = strings.TrimSpace(s)
	if m, y, ok := strings.Cut(s, "/"); ok && len(y) == 4 && len(m) <= 2 {
		s = y + "-" + fmt.Sprintf("%02s", m)
		s = strings.ReplaceAll(s, " ", "0")
	}
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return "", fmt.Errorf("not a month")
	}
	return Month(t.Format("2006-01")), nil
}

// MonthOf returns the month of a date.
func MonthOf(t time.Time) Month { return Month(t.Format("2006-01")) }

// Start returns the first day of the month.
func (m Month) Start() time.Time {
	t, _ := time.Parse("2006-01", string(m))
	return t
}

// Label writes the month in French, "mars 2026".
func (m Month) Label() string {
	t := m.Start()
	return monthNames[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

var monthNames = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// Option is a coded value with its French label.
type Option struct {
	Code, Label string
}

// labelOf returns the label of a code in a list of options, or the code itself.
func labelOf(opts []Option, code string) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}

// valid reports whether code is one of the options.
func valid(opts []Option, code string) bool {
	for _, o := range opts {
		if o.Code == code {
			return true
		}
	}
	return false
}

// codes lists the codes of options, for error messages.
func codes(opts []Option) string {
	c := make([]string, len(opts))
	for i, o := range opts {
		c[i] = o.Code
	}
	return strings.Join(c, ", ")
}

// ClauseTypes are the legal bases of a clause.
var ClauseTypes = []Option{
	{"execution", "Condition d'exécution (art. L2112-2)"},
	{"reserve", "Marché réservé (art. L2113-12/13)"},
	{"attribution", "Critère d'attribution"},
	{"marche_insertion", "Marché d'insertion (qualification et insertion)"},
}

// HoursRules are the ways the hours owed are set.
var HoursRules = []Option{
	{"fixed", "Nombre d'heures fixé par l'acheteur"},
	{"labour_share", "Part des heures de main-d'œuvre estimées (%)"},
	{"per_euro", "Heures par tranche de 1 000 € facturés"},
}

// AwardRoles are the positions of a company in a market.
var AwardRoles = []Option{
	{"holder", "Titulaire"},
	{"cocontractor", "Cotraitant"},
	{"subcontractor", "Sous-traitant"},
}

// Fulfilments are the ways a company fulfils its share of the hours.
var Fulfilments = []Option{
	{"direct_hire", "Embauche directe"},
	{"placement", "Mise à disposition (ETTI, ETT, AI, GEIQ)"},
	{"subcontracting", "Sous-traitance à une SIAE"},
	{"cocontracting", "Cotraitance avec une SIAE"},
	{"training", "Heures de formation"},
}

// Publics are the eligible publics of the clauses.
var Publics = []Option{
	{"BRSA", "Bénéficiaire du RSA"},
	{"DELD", "Demandeur d'emploi de longue durée"},
	{"JEUNE_26", "Jeune de moins de 26 ans sans qualification"},
	{"RQTH", "Travailleur handicapé (RQTH)"},
	{"MINIMA_SOCIAUX", "Bénéficiaire de minima sociaux (ASS, AAH…)"},
	{"SIAE", "Salarié d'une SIAE"},
	{"AUTRE", "Autre, validé par le facilitateur sur avis motivé"},
}

// ContractTypes are the contracts under which hours are worked.
var ContractTypes = []Option{
	{"CDI", "CDI"},
	{"CDD", "CDD"},
	{"INTERIM", "Intérim"},
	{"CDDI", "CDDI (SIAE)"},
	{"APPRENTISSAGE", "Contrat d'apprentissage"},
	{"PROFESSIONNALISATION", "Contrat de professionnalisation"},
	{"FORMATION", "Formation"},
}

// Modes are how the hours were obtained.
var Modes = []Option{
	{"EMBAUCHE_DIRECTE", "Embauche directe"},
	{"MISE_A_DISPOSITION", "Mise à disposition"},
	{"SOUS_TRAITANCE", "Sous-traitance"},
	{"COTRAITANCE", "Cotraitance"},
	{"FORMATION", "Formation"},
}

// Sexes are the values of a participant's sex.
var Sexes = []Option{{"F", "Femme"}, {"M", "Homme"}}

// OutcomeStages are the moments an outcome is observed.
var OutcomeStages = []Option{
	{"end", "À la fin de la mission"},
	{"six_months", "Six mois après"},
}

// Outcomes are what became of a participant.
var Outcomes = []Option{
	{"cdi", "CDI"},
	{"cdd6", "CDD de 6 mois ou plus"},
	{"interim", "Intérim"},
	{"training", "Formation"},
	{"qualification", "Qualification obtenue (titre professionnel…)"},
	{"none", "Sans solution"},
}

// Operation groups the markets of one programme of works or services.
type Operation struct {
	ID                 string    `json:"id"`
	Territory          string    `json:"territory"`
	Name               string    `json:"name"`
	Description        string    `json:"description,omitempty"`
	FacilitatorOrgID   string    `json:"facilitator_org_id"`
	FacilitatorOrgName string    `json:"facilitator_org_name,omitempty"`
	FacilitatorUserID  string    `json:"facilitator_user_id,omitempty"`
	Pooled             bool      `json:"pooled"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Market is one market (or lot) carrying an insertion clause.
type Market struct {
	ID                string    `json:"id"`
	OperationID       string    `json:"operation_id"`
	OperationName     string    `json:"operation_name"`
	Territory         string    `json:"territory"`
	BuyerOrgID        string    `json:"buyer_org_id"`
	BuyerName         string    `json:"buyer_name"`
	Reference         string    `json:"reference"`
	Title             string    `json:"title"`
	AmountCents       int64     `json:"amount_cents"`
	Start             time.Time `json:"start_date"`
	End               time.Time `json:"end_date"`
	ClauseType        string    `json:"clause_type"`
	HoursRule         string    `json:"hours_rule"`
	RuleBase          float64   `json:"rule_base"`
	RuleRate          float64   `json:"rule_rate"`
	Required          Hours     `json:"required_hours"`
	FacilitatorOrgID  string    `json:"facilitator_org_id"`
	FacilitatorUserID string    `json:"facilitator_user_id,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	// Awards are loaded by GetMarket.
	Awards []Award `json:"awards"`
}

// ClauseTypeLabel returns the French label of the clause type.
func (m Market) ClauseTypeLabel() string { return labelOf(ClauseTypes, m.ClauseType) }

// RequiredByRule computes the hours owed from the market's rule; fixed keeps Required.
func (m Market) RequiredByRule() Hours {
	switch m.HoursRule {
	case "labour_share":
		return HoursOf(m.RuleBase * m.RuleRate / 100)
	case "per_euro":
		return HoursOf(m.RuleBase / 1000 * m.RuleRate)
	}
	return m.Required
}

// Award is a company awarded a market, with its share of the hours.
type Award struct {
	ID           string   `json:"id"`
	MarketID     string   `json:"market_id"`
	CompanyOrgID string   `json:"company_org_id"`
	CompanyName  string   `json:"company_name"`
	CompanySIRET string   `json:"company_siret,omitempty"`
	Role         string   `json:"role"`
	Share        Hours    `json:"share_hours"`
	Fulfilment   []string `json:"fulfilment"`
	PartnerOrgID string   `json:"partner_org_id,omitempty"`
	PartnerName  string   `json:"partner_name,omitempty"`
}

// RoleLabel returns the French label of the company's position.
func (a Award) RoleLabel() string { return labelOf(AwardRoles, a.Role) }

// Participant is a person working under a clause; linked to the registry when known.
type Participant struct {
	ID           string     `json:"id"`
	Territory    string     `json:"territory"`
	PersonID     string     `json:"person_id,omitempty"`
	ExternalID   string     `json:"external_id,omitempty"`
	FirstName    string     `json:"first_name"`
	LastName     string     `json:"last_name"`
	BirthDate    *time.Time `json:"birth_date,omitempty"`
	Sex          string     `json:"sex,omitempty"`
	CommuneCode  string     `json:"commune_code,omitempty"`
	QPV          bool       `json:"qpv"`
	Public       string     `json:"public"`
	PublicReason string     `json:"public_reason,omitempty"`
	ProofDate    *time.Time `json:"proof_date,omitempty"`
	ValidatedBy  string     `json:"validated_by,omitempty"`
	ValidatedAt  *time.Time `json:"validated_at,omitempty"`
	// CreatedByOrg is the organisation that recorded the participant: it may correct the record.
	CreatedByOrg string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Name returns "First LAST".
func (p Participant) Name() string {
	return strings.TrimSpace(p.FirstName + " " + strings.ToUpper(p.LastName))
}

// PublicLabel returns the French label of the participant's public.
func (p Participant) PublicLabel() string { return labelOf(Publics, p.Public) }

// Declaration is the hours one participant worked for a company on a market in a month.
type Declaration struct {
	ID              string    `json:"id"`
	Territory       string    `json:"-"`
	MarketID        string    `json:"market_id"`
	MarketReference string    `json:"market_reference"`
	CompanyOrgID    string    `json:"company_org_id"`
	CompanyName     string    `json:"company_name"`
	ParticipantID   string    `json:"participant_id"`
	ParticipantName string    `json:"participant_name,omitempty"`
	Public          string    `json:"public"`
	Month           Month     `json:"month"`
	ContractType    string    `json:"contract_type"`
	Mode            string    `json:"mode"`
	Hours           Hours     `json:"hours"`
	ViaOrgID        string    `json:"via_org_id,omitempty"`
	Source          string    `json:"source"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Correction is one change of a declared line.
type Correction struct {
	Before     *Hours    `json:"before_hours,omitempty"`
	After      Hours     `json:"after_hours"`
	BeforeMode string    `json:"before_mode,omitempty"`
	AfterMode  string    `json:"after_mode"`
	Source     string    `json:"source"`
	ChangedBy  string    `json:"changed_by,omitempty"`
	ChangedAt  time.Time `json:"changed_at"`
}

// Outcome is what became of a participant of an operation.
type Outcome struct {
	ID            string    `json:"id"`
	ParticipantID string    `json:"participant_id"`
	OperationID   string    `json:"operation_id"`
	Stage         string    `json:"stage"`
	Outcome       string    `json:"outcome"`
	Detail        string    `json:"detail,omitempty"`
	ObservedOn    time.Time `json:"observed_on"`
}

// Settings are the département's choices for counting and alerting.
type Settings struct {
	// ETPDivisor is the hours of one full-time equivalent (1,607 by default: the legal working year).
	ETPDivisor float64
	// SilentMonths flags a company without any hours this many months after its market started.
	SilentMonths int
	// LateRatio flags a company whose hours are under this share of the pro-rata of its share.
	LateRatio float64
}

// DefaultSettings are the settings when nothing is configured.
var DefaultSettings = Settings{ETPDivisor: 1607, SilentMonths: 3, LateRatio: 0.8}

// ETP converts hours to full-time equivalents.
func (s Settings) ETP(h Hours) float64 {
	if s.ETPDivisor <= 0 {
		return 0
	}
	return h.Float() / s.ETPDivisor
}
