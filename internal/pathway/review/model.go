// Package review holds the case reviews of the shared follow-up: groups of
// professionals from several structures who look together at the hardest
// situations, and the équipe pluridisciplinaire, which the département
// convenes (CASF L262-39) and which also gives its opinion on proposed
// suspension-remobilisation sanctions (décret 2025-478). Its agenda is
// suggested from the files the organiser may see; its decisions become
// actions of the person's action plan. Days are those of Paris.
package review

import (
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

// Kind is the kind of a case review.
type Kind string

// The kinds of case review.
const (
	KindGroup Kind = "groupe"
	KindEP    Kind = "ep"
)

// Kinds lists the kinds in the order forms show them.
var Kinds = []Kind{KindGroup, KindEP}

// KindsFor lists the kinds the actor may organise, in the order forms show
// them: the équipe pluridisciplinaire is the département's alone.
func KindsFor(a access.Actor) []Kind {
	if access.CanConveneEP(a) {
		return Kinds
	}
	return []Kind{KindGroup}
}

// KindLabel gives the French name of a kind.
func KindLabel(k Kind) string {
	switch k {
	case KindGroup:
		return "Groupe de professionnels"
	case KindEP:
		return "Équipe pluridisciplinaire"
	}
	return string(k)
}

// Label gives the French name of the kind.
func (k Kind) Label() string { return KindLabel(k) }

// The statuses of a review.
const (
	StatusPlanned = "planned"
	StatusHeld    = "held"
)

// ItemKind says what an agenda item is about.
type ItemKind string

// The kinds of agenda item: a situation to look at, or a sanction to give an
// opinion on (équipe pluridisciplinaire only).
const (
	ItemSituation ItemKind = "situation"
	ItemSanction  ItemKind = "sanction"
)

// Label gives the French name of the item kind.
func (k ItemKind) Label() string {
	if k == ItemSanction {
		return "Sanction (suspension-remobilisation)"
	}
	return "Situation"
}

// Hearing is how the person used their right to be heard before a sanction.
type Hearing string

// The hearing outcomes; each one means the person was at least convoqué.
const (
	HeardNone     Hearing = ""
	HeardInvited  Hearing = "convoque"
	HeardHeard    Hearing = "entendu"
	HeardWritten  Hearing = "observations"
	HeardNoReason Hearing = "absent"
)

// Hearings lists the recorded hearing outcomes in the order forms show them.
var Hearings = []Hearing{HeardInvited, HeardHeard, HeardWritten, HeardNoReason}

// Label gives the French name of a hearing outcome.
func (h Hearing) Label() string {
	switch h {
	case HeardInvited:
		return "Convoqué(e)"
	case HeardHeard:
		return "Entendu(e)"
	case HeardWritten:
		return "Observations écrites"
	case HeardNoReason:
		return "Absent(e) sans motif"
	}
	return "Non convoqué(e)"
}

// Outcome is the équipe pluridisciplinaire's opinion on a proposed sanction.
type Outcome string

// The opinions on a sanction.
const (
	OutcomeFavorable   Outcome = "favorable"
	OutcomeUnfavorable Outcome = "defavorable"
)

// Label gives the French name of an opinion.
func (o Outcome) Label() string {
	switch o {
	case OutcomeFavorable:
		return "Avis favorable à la suspension-remobilisation"
	case OutcomeUnfavorable:
		return "Avis défavorable : pas de suspension"
	}
	return ""
}

// The bounds of a suspension-remobilisation (décret 2025-478): at least 30 %
// of the allowance, for one or two months.
const (
	MinSanctionRate = 30
	MaxSanctionRate = 100
)

// Review is a case review with, when loaded whole, its participants and agenda.
type Review struct {
	ID            string
	Territory     string
	OrgID         string
	OrgName       string
	Kind          Kind
	Title         string
	HeldOn        time.Time
	Status        string
	CreatedBy     string
	CreatedByName string
	CreatedAt     time.Time
	// ItemCount is the number of points on the agenda, filled by listings.
	ItemCount    int
	Participants []Participant
	Items        []Item
}

// Held reports whether the review took place.
func (r Review) Held() bool { return r.Status == StatusHeld }

// Facts returns what the access policy needs to know about a review.
func (r Review) Facts() access.CaseReview {
	f := access.CaseReview{Territory: r.Territory, OrgID: r.OrgID, CreatedBy: r.CreatedBy}
	for _, p := range r.Participants {
		f.Participants = append(f.Participants, access.ReviewParticipant{UserID: p.UserID, OrgID: p.OrgID})
	}
	return f
}

// Participant is a professional sitting in a review for one organisation.
type Participant struct {
	UserID  string
	Name    string
	Email   string
	OrgID   string
	OrgName string
}

// Item is one point of the agenda: a person, why they are there, and what was decided.
type Item struct {
	ID              string
	ReviewID        string
	PersonID        string
	PersonName      string
	Kind            ItemKind
	Reasons         string
	AddedBy         string
	Decision        string
	DecidedAt       *time.Time
	DecidedBy       string
	SanctionRate    int
	SanctionMonths  int
	SanctionOutcome Outcome
	Heard           Hearing
	HeardNote       string
	CreatedAt       time.Time
	Actions         []Action
}

// Decided reports whether a decision was recorded.
func (it Item) Decided() bool { return it.DecidedAt != nil }

// Action is an action of a person's plan that a decision created.
type Action struct {
	ID         string
	PersonID   string
	Title      string
	OwnerID    string
	OwnerName  string
	OwnerOrgID string
	OwnerOrg   string
	DueDate    time.Time
	Status     string
}

// StatusLabel gives the French name of the action's status, as the plan shows it.
func (a Action) StatusLabel() string {
	switch a.Status {
	case "a_faire":
		return "À faire"
	case "en_cours":
		return "En cours"
	case "fait":
		return "Fait"
	case "abandonne":
		return "Abandonnée"
	}
	return a.Status
}

// NewReview is what organising a review takes.
type NewReview struct {
	Kind   Kind
	Title  string
	HeldOn string
	// Participants are the email addresses of professionals to invite at once.
	Participants []string
}

// validate checks a new review and returns its date.
func (n NewReview) validate(today time.Time) (time.Time, error) {
	fe := errs.FieldErrors{}
	if n.Kind != KindGroup && n.Kind != KindEP {
		fe.Add("kind", "Choisissez le type de commission.")
	}
	if t := strings.TrimSpace(n.Title); t == "" {
		fe.Add("title", "Indiquez un intitulé.")
	} else if len([]rune(t)) > 200 {
		fe.Add("title", "L'intitulé ne doit pas dépasser 200 caractères.")
	}
	held, err := parseDay(n.HeldOn)
	switch {
	case err != nil:
		fe.Add("held_on", "Indiquez la date au format AAAA-MM-JJ.")
	case held.Before(today.AddDate(-1, 0, 0)) || held.After(today.AddDate(2, 0, 0)):
		fe.Add("held_on", "La date doit être comprise entre il y a un an et dans deux ans.")
	}
	return held, fe.Err()
}

// NewItem is what adding a point to the agenda takes.
type NewItem struct {
	PersonID string
	Kind     ItemKind
	Reasons  string
	// SanctionRate and SanctionMonths are the proposed suspension, for a sanction item.
	SanctionRate   int
	SanctionMonths int
}

// validate checks a new item for a review of kind k.
func (n *NewItem) validate(k Kind) error {
	fe := errs.FieldErrors{}
	if n.Kind == "" {
		n.Kind = ItemSituation
	}
	n.Reasons = strings.TrimSpace(n.Reasons)
	switch n.Kind {
	case ItemSituation:
	case ItemSanction:
		if k != KindEP {
			fe.Add("kind", "Seule une équipe pluridisciplinaire examine les sanctions.")
		} else {
			checkSanction(n.SanctionRate, n.SanctionMonths, fe)
		}
	default:
		fe.Add("kind", "Choisissez le type de point.")
	}
	if n.Reasons == "" {
		fe.Add("reasons", "Indiquez pourquoi la situation est examinée.")
	} else if len([]rune(n.Reasons)) > 2000 {
		fe.Add("reasons", "Le motif ne doit pas dépasser 2 000 caractères.")
	}
	return fe.Err()
}

// checkSanction checks a proposed suspension against décret 2025-478.
func checkSanction(rate, months int, fe errs.FieldErrors) {
	if rate < MinSanctionRate || rate > MaxSanctionRate {
		fe.Add("sanction_rate", "Le taux de suspension-remobilisation va de 30 % à 100 % de l'allocation.")
	}
	if months != 1 && months != 2 {
		fe.Add("sanction_months", "La suspension-remobilisation dure 1 ou 2 mois.")
	}
}

// Decision is what the review decided for one item, with the actions that follow.
type Decision struct {
	Text string
	// Outcome is the opinion on a sanction; only for sanction items.
	Outcome Outcome
	Actions []NewAction
}

// NewAction is an action a decision adds to the person's plan.
type NewAction struct {
	Title   string
	OwnerID string
	DueDate string
}

// empty reports whether a form row of actions was left blank.
func (n NewAction) empty() bool {
	return strings.TrimSpace(n.Title) == "" && n.OwnerID == "" && strings.TrimSpace(n.DueDate) == ""
}

// validate checks a decision for item it of review r and returns the due
// dates of its actions; owners must sit in the review.
func (d *Decision) validate(r Review, it Item) ([]time.Time, error) {
	fe := errs.FieldErrors{}
	d.Text = strings.TrimSpace(d.Text)
	if d.Text == "" {
		fe.Add("decision", "Indiquez la décision.")
	} else if len([]rune(d.Text)) > 4000 {
		fe.Add("decision", "La décision ne doit pas dépasser 4 000 caractères.")
	}
	if it.Kind == ItemSanction {
		if it.Heard == HeardNone {
			fe.Add("heard", "La personne doit au moins avoir été convoquée pour être entendue avant l'avis sur une sanction.")
		}
		checkSanction(it.SanctionRate, it.SanctionMonths, fe)
		if d.Outcome != OutcomeFavorable && d.Outcome != OutcomeUnfavorable {
			fe.Add("outcome", "Indiquez l'avis de l'équipe sur la sanction.")
		}
	} else {
		d.Outcome = ""
	}
	var kept []NewAction
	var dues []time.Time
	for i, a := range d.Actions {
		if a.empty() {
			continue
		}
		// Errors name the row as the form or the request numbers it.
		n := strconv.Itoa(i + 1)
		a.Title = strings.TrimSpace(a.Title)
		if a.Title == "" || len([]rune(a.Title)) > 300 {
			fe.Add("action_title_"+n, "Indiquez l'action (300 caractères au plus).")
		}
		if !sitsIn(r, a.OwnerID) {
			fe.Add("action_owner_"+n, "Choisissez un professionnel qui participe à la commission.")
		}
		due, err := parseDay(a.DueDate)
		switch {
		case err != nil:
			fe.Add("action_due_"+n, "Indiquez l'échéance au format AAAA-MM-JJ.")
		case due.Before(r.HeldOn) || due.After(r.HeldOn.AddDate(3, 0, 0)):
			fe.Add("action_due_"+n, "L'échéance doit suivre la date de la commission (3 ans au plus).")
		}
		kept = append(kept, a)
		dues = append(dues, due)
	}
	d.Actions = kept
	return dues, fe.Err()
}

// sitsIn reports whether the user is a participant of the review.
func sitsIn(r Review, userID string) bool {
	return participant(r, userID) != nil
}

// participant returns the participant with that user, or nil.
func participant(r Review, userID string) *Participant {
	for i := range r.Participants {
		if r.Participants[i].UserID == userID {
			return &r.Participants[i]
		}
	}
	return nil
}

// parisDay returns the day of t in Paris, where the users live, as midnight
// UTC: the form the review's dates are parsed, stored and compared in.
func parisDay(t time.Time) time.Time {
	y, m, d := t.In(web.Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseDay reads a "2006-01-02" date as midnight UTC.
func parseDay(s string) (time.Time, error) {
	return time.Parse(time.DateOnly, strings.TrimSpace(s))
}

// Suggestion is a file the organiser may see whose situation calls for a
// review, with the reasons in French.
type Suggestion struct {
	PersonID string
	Name     string
	Reasons  []string
}

// ReasonsText joins the reasons as an agenda item stores them.
func (s Suggestion) ReasonsText() string { return strings.Join(s.Reasons, " ; ") }

// StaffMember is a professional of the territory who may sit in a review.
type StaffMember struct {
	UserID  string
	Name    string
	Email   string
	OrgID   string
	OrgName string
}

// Filter selects reviews in a listing.
type Filter struct {
	Limit  int
	Offset int
}
