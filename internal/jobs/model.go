// Package jobs connects people with employers: employers' sites and
// contacts, job offers, online CVs shared with the person's consent,
// geolocated two-way matching, positioning of candidates on offers, and the
// optimal assignment of a mass recruitment's candidates to sites.
package jobs

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Option is a value with its French label, for choices in forms.
type Option struct {
	Value string
	Label string
}

func labelOf(opts []Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

func hasOption(opts []Option, v string) bool {
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Value == v })
}

// Offer statuses.
const (
	StatusOpen   = "open"
	StatusFilled = "filled"
	StatusClosed = "closed"
)

// Statuses are the statuses of an offer.
var Statuses = []Option{{StatusOpen, "Ouverte"}, {StatusFilled, "Pourvue"}, {StatusClosed, "Fermée"}}

// Contracts are the contract types of an offer.
var Contracts = []Option{
	{"CDI", "CDI"}, {"CDD", "CDD"}, {"INTERIM", "Intérim"}, {"APPRENTISSAGE", "Contrat d'apprentissage"},
	{"PROFESSIONNALISATION", "Contrat de professionnalisation"}, {"CDDI", "CDDI (insertion)"},
	{"SAISONNIER", "Saisonnier"},
}

// Shifts are the working patterns an offer may ask for and a person may exclude.
var Shifts = []Option{{"matin", "Tôt le matin"}, {"soir", "Le soir"}, {"nuit", "La nuit"},
	{"week-end", "Le week-end"}, {"coupure", "Horaires coupés"}}

// Means are the ways a person travels to work.
var Means = []Option{{"car", "Voiture"}, {"transit", "Transports en commun"}, {"bike", "Vélo"}, {"foot", "À pied"}}

// Offer is a job offer of an employer.
type Offer struct {
	ID             string
	OrgID          string
	EmployerName   string
	Territory      string
	SiteID         string
	SiteName       string
	Reference      string
	Title          string
	ROME           string
	ROMELabel      string
	Contract       string
	ContractMonths int
	WeeklyMinutes  int
	Positions      int
	Start          *time.Time
	CommuneCode    string
	CommuneName    string
	// Lat and Lon are nil when the offer could not be placed on the map.
	Lat, Lon       *float64
	NeedsLicence   bool
	NeedsVehicle   bool
	Qualifications []string
	Shifts         []string
	Description    string
	InTension      bool
	ClauseLinked   bool
	ClauseMarket   string
	Status         string
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       *time.Time
	// Positioned counts the candidates positioned on the offer (lists only).
	Positioned int
}

// StatusLabel returns the French label of the offer's status.
func (o Offer) StatusLabel() string { return labelOf(Statuses, o.Status) }

// ContractLabel returns the French label of the contract type.
func (o Offer) ContractLabel() string { return labelOf(Contracts, o.Contract) }

// Hours returns the weekly hours as a French decimal ("35", "17,5").
func (o Offer) Hours() string { return FormatHours(o.WeeklyMinutes) }

// Located reports whether the offer has coordinates.
func (o Offer) Located() bool { return o.Lat != nil && o.Lon != nil }

// ShiftLabels returns the French labels of the offer's shifts.
func (o Offer) ShiftLabels() []string { return labels(Shifts, o.Shifts) }

func labels(opts []Option, values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, labelOf(opts, v))
	}
	return out
}

// FormatHours writes minutes as hours with a French decimal comma ("17,5"); "" for 0.
func FormatHours(minutes int) string {
	if minutes <= 0 {
		return ""
	}
	h := math.Round(float64(minutes)/60*100) / 100
	return strings.ReplaceAll(strconv.FormatFloat(h, 'f', -1, 64), ".", ",")
}

// Site is a place where an employer's staff work.
type Site struct {
	ID          string
	OrgID       string
	Name        string
	Address     string
	PostalCode  string
	CommuneCode string
	CommuneName string
	Lat, Lon    *float64
	Approximate bool
	CreatedAt   time.Time
}

// Located reports whether the site has coordinates.
func (s Site) Located() bool { return s.Lat != nil && s.Lon != nil }

// Contact is a person to reach at an employer.
type Contact struct {
	ID       string
	OrgID    string
	Name     string
	JobTitle string
	Email    string
	Phone    string
}

// Positioning states.
const (
	StateProposed  = "proposed"
	StateSent      = "sent"
	StateInterview = "interview"
	StateHired     = "hired"
	StateRefused   = "refused"
	StateWithdrawn = "withdrawn"
)

// States are the states of a positioning, in the order of the process.
var States = []Option{
	{StateProposed, "Proposée"}, {StateSent, "Transmise à l'employeur"}, {StateInterview, "Entretien"},
	{StateHired, "Recrutée"}, {StateRefused, "Refusée"}, {StateWithdrawn, "Retirée"},
}

// next lists the states each state may move to.
var next = map[string][]string{
	StateProposed:  {StateSent, StateRefused, StateWithdrawn},
	StateSent:      {StateInterview, StateHired, StateRefused, StateWithdrawn},
	StateInterview: {StateHired, StateRefused, StateWithdrawn},
}

// CanMove reports whether a positioning may go from one state to another.
func CanMove(from, to string) bool { return slices.Contains(next[from], to) }

// Final reports whether a state ends the positioning.
func Final(state string) bool { return len(next[state]) == 0 }

// RefusalReasons are why a positioning was refused.
var RefusalReasons = []Option{
	{"profile", "Profil ne correspondant pas au poste"}, {"experience", "Expérience insuffisante"},
	{"qualification", "Qualification ou diplôme manquant"}, {"mobility", "Difficulté de déplacement"},
	{"availability", "Disponibilité ou horaires incompatibles"}, {"no_show", "Absence à l'entretien"},
	{"candidate_declined", "La personne a décliné l'offre"}, {"position_filled", "Poste déjà pourvu"},
	{"other", "Autre motif"},
}

// Positioning is a candidacy of a person on an offer.
type Positioning struct {
	ID            string
	OfferID       string
	OfferTitle    string
	EmployerOrgID string
	EmployerName  string
	PersonID      string
	PersonName    string
	State         string
	Reason        string
	ProposedBy    string
	ProposedByOrg string
	StepID        string
	// SentAt is when a professional sent the candidacy to the employer.
	SentAt    *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	Events    []Event
}

// employerSees reports whether the employer sees the candidacy (the person's
// consent aside): as people.EmployerSeesPositioning says in SQL.
func (p Positioning) employerSees() bool {
	switch p.State {
	case StateProposed, StateSent, StateInterview, StateHired:
		return p.SentAt != nil || p.ProposedByOrg == p.EmployerOrgID
	}
	return false
}

// StateLabel returns the French label of the state.
func (p Positioning) StateLabel() string { return labelOf(States, p.State) }

// ReasonLabel returns the French label of the refusal reason.
func (p Positioning) ReasonLabel() string { return labelOf(RefusalReasons, p.Reason) }

// Moves returns the states the positioning may go to.
func (p Positioning) Moves() []Option {
	var out []Option
	for _, s := range next[p.State] {
		out = append(out, Option{s, labelOf(States, s)})
	}
	return out
}

// Event is one transition of a positioning.
type Event struct {
	// OrgID is the organisation of who moved the candidacy.
	OrgID    string
	From, To string
	Reason   string
	Note     string
	UserName string
	OrgName  string
	At       time.Time
}

// ToLabel returns the French label of the state reached.
func (e Event) ToLabel() string { return labelOf(States, e.To) }

// ReasonLabel returns the French label of the refusal reason.
func (e Event) ReasonLabel() string { return labelOf(RefusalReasons, e.Reason) }
