// Package steps is the working part of a person's pathway: the action plan
// (themes, objectives, actions), the typed steps that every structure records
// on one shared timeline (appointments, immersions, training, IAE and aided
// contracts, jobs, events, aids) and the check-ins that follow a return to
// work at 1, 3 and 6 months.
package steps

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/validate"
	"tremplin/internal/platform/web"
)

// Option is a code with its French label, as forms and lists show it.
type Option struct {
	Value, Label string
}

// labelOf returns the label of value in opts, or value itself when unknown.
func labelOf(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func hasOption(opts []Option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}

// The kinds of steps.
const (
	KindAppointment   = "appointment"
	KindPMSMP         = "pmsmp"
	KindTraining      = "training"
	KindIAE           = "iae"
	KindAidedContract = "aided_contract"
	KindJob           = "job"
	KindEvent         = "event"
	KindAid           = "aid"
)

// KindInfo describes a kind of step: its label, the subtypes it takes, the
// outcomes that may be recorded on it and whether it is a return to work.
type KindInfo struct {
	Kind  string
	Label string
	// SubtypeLabel names the subtype field for this kind ("Modalité", "Objet"…).
	SubtypeLabel string
	// Subtypes are the allowed subtypes; a kind without any takes none.
	Subtypes []Option
	// Outcomes may be recorded once the step took place; none for most kinds.
	Outcomes []Option
	// Checkins is true for a return to work: check-ins at 1, 3 and 6 months.
	Checkins bool
}

// Kinds lists the kinds of steps in display order with their French labels.
var Kinds = []KindInfo{
	{Kind: KindAppointment, Label: "Rendez-vous", SubtypeLabel: "Modalité",
		Subtypes: []Option{{"physical", "Sur place"}, {"phone", "Téléphone"}, {"video", "Visioconférence"}},
		Outcomes: []Option{{"seen", "Honoré"}, {"no_show", "Absence non excusée"}, {"excused", "Absence excusée"}, {"cancelled", "Annulé"}}},
	{Kind: KindPMSMP, Label: "Immersion en entreprise (PMSMP)", SubtypeLabel: "Objet",
		Subtypes: []Option{{"discover", "Découvrir un métier ou un secteur"}, {"confirm", "Confirmer un projet professionnel"},
			{"recruit", "Initier une démarche de recrutement"}},
		Outcomes: []Option{{"job", "Débouche sur une embauche"}, {"no_job", "Sans embauche"}}},
	{Kind: KindTraining, Label: "Entrée en formation"},
	{Kind: KindIAE, Label: "Contrat d'insertion (IAE, CDDI)", SubtypeLabel: "Type de structure",
		Subtypes: []Option{{"AI", "Association intermédiaire (AI)"}, {"ACI", "Atelier et chantier d'insertion (ACI)"},
			{"EI", "Entreprise d'insertion (EI)"}, {"EITI", "Entreprise d'insertion par le travail indépendant (EITI)"},
			{"ETTI", "Entreprise de travail temporaire d'insertion (ETTI)"}},
		Checkins: true},
	{Kind: KindAidedContract, Label: "Contrat aidé (PEC, CUI)", SubtypeLabel: "Contrat",
		Subtypes: []Option{{"pec", "Parcours emploi compétences (CUI-CAE)"}, {"cie", "Contrat initiative emploi (CUI-CIE)"}},
		Checkins: true},
	{Kind: KindJob, Label: "Emploi", SubtypeLabel: "Contrat",
		Subtypes: []Option{{"cdi", "CDI"}, {"cdd", "CDD"}, {"interim", "Intérim"}, {"apprenticeship", "Contrat d'apprentissage"},
			{"professionalisation", "Contrat de professionnalisation"}, {"creation", "Création d'activité"}},
		Checkins: true},
	{Kind: KindEvent, Label: "Participation à un événement emploi"},
	{Kind: KindAid, Label: "Aide individuelle"},
}

// kindInfo returns the description of a kind and whether it exists.
func kindInfo(kind string) (KindInfo, bool) {
	for _, k := range Kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return KindInfo{}, false
}

// KindLabel returns the French label of a kind of step.
func KindLabel(kind string) string {
	if k, ok := kindInfo(kind); ok {
		return k.Label
	}
	return kind
}

// CheckinMonths are the months after a return to work when the follow-up checks in.
var CheckinMonths = []int{1, 3, 6}

// Themes are the themes of an action plan, the obstacles of the joint diagnostic.
var Themes = []Option{
	{"emploi", "Emploi"}, {"formation", "Formation"}, {"logement", "Logement"}, {"sante", "Santé"},
	{"mobilite", "Mobilité"}, {"famille", "Garde d'enfants et famille"}, {"francais", "Maîtrise du français"},
	{"numerique", "Numérique"}, {"finances", "Finances"}, {"administratif", "Démarches administratives"},
}

// ObjectiveStatuses are the states of an objective.
var ObjectiveStatuses = []Option{{"en_cours", "En cours"}, {"atteint", "Atteint"}, {"abandonne", "Abandonné"}}

// ActionStatuses are the states of an action.
var ActionStatuses = []Option{{"a_faire", "À faire"}, {"en_cours", "En cours"}, {"fait", "Fait"}, {"abandonne", "Abandonnée"}}

// LeaveReasons are why a person is no longer in work at a check-in.
var LeaveReasons = []Option{{"fin_de_contrat", "Fin de contrat"}, {"demission", "Démission"},
	{"licenciement", "Licenciement"}, {"sante", "Santé"}, {"autre", "Autre"}}

// Step is one step of a person's pathway, recorded by a structure.
type Step struct {
	ID       string
	PersonID string
	Kind     string
	Subtype  string
	Title    string
	Detail   string
	// SIRET is the host of an immersion or the employer, when known.
	SIRET      string
	OrgID      string
	OrgName    string
	AuthorID   string
	AuthorName string
	Start      time.Time
	End        *time.Time
	// ScheduledAt is the date and time of an appointment.
	ScheduledAt *time.Time
	Outcome     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// KindLabel returns the French label of the step's kind.
func (s Step) KindLabel() string { return KindLabel(s.Kind) }

// SubtypeLabel returns the French label of the step's subtype.
func (s Step) SubtypeLabel() string {
	k, _ := kindInfo(s.Kind)
	return labelOf(k.Subtypes, s.Subtype)
}

// OutcomeLabel returns the French label of the recorded outcome, "" before one.
func (s Step) OutcomeLabel() string {
	k, _ := kindInfo(s.Kind)
	return labelOf(k.Outcomes, s.Outcome)
}

// TakesOutcome reports whether an outcome may be recorded on the step.
func (s Step) TakesOutcome() bool {
	k, _ := kindInfo(s.Kind)
	return len(k.Outcomes) > 0
}

// Objective is an objective of the action plan, with its actions.
type Objective struct {
	ID         string
	PersonID   string
	Theme      string
	Title      string
	ContractID string
	Status     string
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Actions    []Action
}

// ThemeLabel returns the French label of the objective's theme.
func (o Objective) ThemeLabel() string { return labelOf(Themes, o.Theme) }

// StatusLabel returns the French label of the objective's status.
func (o Objective) StatusLabel() string { return labelOf(ObjectiveStatuses, o.Status) }

// Action is an action of the plan, owned by a professional of the group or nobody.
type Action struct {
	ID          string
	PersonID    string
	ObjectiveID string
	Title       string
	OwnerID     string
	OwnerName   string
	OwnerOrgID  string
	Due         *time.Time
	Status      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// StatusLabel returns the French label of the action's status.
func (a Action) StatusLabel() string { return labelOf(ActionStatuses, a.Status) }

// Overdue reports whether the action is still open after its due day.
func (a Action) Overdue(today time.Time) bool {
	return a.Due != nil && a.Due.Before(today) && (a.Status == "a_faire" || a.Status == "en_cours")
}

// Plan is a person's action plan: objectives with their actions, and the
// actions tied to no objective (decided in a case review, say).
type Plan struct {
	Objectives []Objective
	Other      []Action
}

// Checkin is a check-in after a return to work.
type Checkin struct {
	ID           string
	PersonID     string
	StepID       string
	Months       int
	Due          time.Time
	DoneOn       *time.Time
	InWork       *bool
	Reason       string
	ReasonDetail string
	RecordedBy   string
	// RecordedByName names the professional who recorded it.
	RecordedByName string
	StepKind       string
	StepSubtype    string
	StepTitle      string
	StepStart      time.Time
	CreatedAt      time.Time
}

// The states of a check-in.
const (
	CheckinDone     = "done"
	CheckinOverdue  = "overdue"
	CheckinDue      = "due"
	CheckinUpcoming = "upcoming"
)

// dueWindow is how early a check-in shows as due: the time to reach the person.
const dueWindow = 14

// State tells where a check-in stands on the day today.
func (c Checkin) State(today time.Time) string {
	switch {
	case c.DoneOn != nil:
		return CheckinDone
	case c.Due.Before(today):
		return CheckinOverdue
	case !c.Due.After(today.AddDate(0, 0, dueWindow)):
		return CheckinDue
	}
	return CheckinUpcoming
}

// StateLabel tells in French where a check-in stands on the day today.
func (c Checkin) StateLabel(today time.Time) string {
	return map[string]string{CheckinDone: "Fait", CheckinOverdue: "En retard", CheckinDue: "À faire",
		CheckinUpcoming: "À venir"}[c.State(today)]
}

// InWorkLabel tells in French whether the person was still in work, "" before the check-in.
func (c Checkin) InWorkLabel() string {
	switch {
	case c.InWork == nil:
		return ""
	case *c.InWork:
		return "Toujours en emploi"
	}
	return "Plus en emploi"
}

// ReasonLabel returns the French label of the reason the person left work.
func (c Checkin) ReasonLabel() string { return labelOf(LeaveReasons, c.Reason) }

// StepLabel describes the step a check-in follows: its kind and contract.
func (c Checkin) StepLabel() string {
	s := Step{Kind: c.StepKind, Subtype: c.StepSubtype}
	if c.StepSubtype == "" {
		return s.KindLabel()
	}
	return s.KindLabel() + " (" + s.SubtypeLabel() + ")"
}

// StepInput is a step as a form or the API sends it. Dates are "YYYY-MM-DD"
// (or "DD/MM/YYYY"); ScheduledAt is RFC 3339 or "YYYY-MM-DDTHH:MM" in Paris time.
type StepInput struct {
	Kind           string `json:"kind"`
	Subtype        string `json:"subtype"`
	Title          string `json:"title"`
	Detail         string `json:"detail"`
	OrganisationID string `json:"organisation_id"`
	SIRET          string `json:"siret"`
	StartDate      string `json:"start_date"`
	EndDate        string `json:"end_date"`
	ScheduledAt    string `json:"scheduled_at"`
}

// Limits on free text.
const (
	maxTitle  = 200
	maxDetail = 4000
)

// The rules of immersions and IAE contracts (DOMAIN.md).
const (
	pmsmpMaxDays   = 30
	cddiMinMonths  = 4
	cddiMaxMonths  = 24
	earliestYear   = 1950
	latestYear     = 2100
	dateLayoutFR   = "02/01/2006"
	dateTimeLayout = "2006-01-02T15:04"
)

// checkStep validates a step for its kind and returns it ready to store
// (without identity, author nor organisation name).
func checkStep(in StepInput) (Step, error) {
	fe := errs.FieldErrors{}
	st := Step{Kind: strings.TrimSpace(in.Kind), Subtype: strings.TrimSpace(in.Subtype),
		Title: strings.TrimSpace(in.Title), Detail: strings.TrimSpace(in.Detail), OrgID: strings.TrimSpace(in.OrganisationID)}
	k, ok := kindInfo(st.Kind)
	if !ok {
		fe.Add("kind", "Choisissez le type d'étape.")
		return st, fe.Err()
	}
	checkSubtype(k, st.Subtype, fe)
	checkText(st.Title, st.Detail, fe)
	if k.Kind == KindAppointment {
		checkAppointment(&st, in, fe)
	} else {
		checkPeriod(&st, in, fe)
	}
	switch k.Kind {
	case KindPMSMP:
		checkPMSMP(st, fe)
	case KindIAE:
		checkCDDI(st, fe)
	}
	checkSIRET(&st, in.SIRET, fe)
	return st, fe.Err()
}

func checkSubtype(k KindInfo, subtype string, fe errs.FieldErrors) {
	switch {
	case len(k.Subtypes) == 0 && subtype != "":
		fe.Add("subtype", "Ce type d'étape ne prend pas de précision.")
	case len(k.Subtypes) > 0 && !hasOption(k.Subtypes, subtype):
		fe.Add("subtype", "Choisissez : "+optionList(k.Subtypes)+".")
	}
}

// optionList joins the labels of opts, lower-cased as inside a sentence.
func optionList(opts []Option) string {
	labels := make([]string, len(opts))
	for i, o := range opts {
		labels[i] = o.Label
	}
	return strings.Join(labels, ", ")
}

func checkText(title, detail string, fe errs.FieldErrors) {
	switch {
	case title == "":
		fe.Add("title", "L'intitulé est obligatoire.")
	case utf8.RuneCountInString(title) > maxTitle:
		fe.Add("title", "L'intitulé dépasse 200 caractères.")
	}
	if utf8.RuneCountInString(detail) > maxDetail {
		fe.Add("detail", "Le détail dépasse 4 000 caractères.")
	}
}

// checkAppointment reads the date and time of an appointment; its day is its start date.
func checkAppointment(st *Step, in StepInput, fe errs.FieldErrors) {
	if strings.TrimSpace(in.EndDate) != "" {
		fe.Add("end_date", "Un rendez-vous n'a pas de date de fin.")
	}
	at, err := parseDateTime(in.ScheduledAt)
	if err != nil {
		fe.Add("scheduled_at", err.Error())
		return
	}
	day := dayOf(at.In(web.Paris))
	if s := strings.TrimSpace(in.StartDate); s != "" {
		if start, err := parseDay(s); err != nil || !start.Equal(day) {
			fe.Add("start_date", "La date d'un rendez-vous est celle de son horaire.")
		}
	}
	st.ScheduledAt, st.Start = &at, day
}

// checkPeriod reads the start and end dates of a step that lasts.
func checkPeriod(st *Step, in StepInput, fe errs.FieldErrors) {
	if strings.TrimSpace(in.ScheduledAt) != "" {
		fe.Add("scheduled_at", "Seul un rendez-vous a un horaire.")
	}
	start, err := parseDay(in.StartDate)
	if err != nil {
		fe.Add("start_date", "Date de début : "+err.Error()+".")
		return
	}
	st.Start = start
	if strings.TrimSpace(in.EndDate) == "" {
		if st.Kind == KindPMSMP {
			fe.Add("end_date", "La date de fin d'une immersion est obligatoire.")
		}
		return
	}
	end, err := parseDay(in.EndDate)
	switch {
	case err != nil:
		fe.Add("end_date", "Date de fin : "+err.Error()+".")
	case end.Before(start):
		fe.Add("end_date", "La date de fin précède la date de début.")
	default:
		st.End = &end
	}
}

// checkPMSMP applies the at most 30 calendar days of an immersion (CT L5135-1).
func checkPMSMP(st Step, fe errs.FieldErrors) {
	if st.End == nil {
		return
	}
	if last := st.Start.AddDate(0, 0, pmsmpMaxDays-1); st.End.After(last) {
		fe.Add("end_date", "Une immersion (PMSMP) dure au plus 30 jours calendaires : fin au plus tard le "+last.Format(dateLayoutFR)+".")
	}
}

// checkCDDI applies the 4 to 24 months of an IAE contract, when its end is known.
func checkCDDI(st Step, fe errs.FieldErrors) {
	if st.End == nil {
		return
	}
	first := AddMonths(st.Start, cddiMinMonths).AddDate(0, 0, -1)
	last := AddMonths(st.Start, cddiMaxMonths).AddDate(0, 0, -1)
	switch {
	case st.End.Before(first):
		fe.Add("end_date", "Un CDDI dure au moins 4 mois : fin au plus tôt le "+first.Format(dateLayoutFR)+".")
	case st.End.After(last):
		fe.Add("end_date", "Un CDDI dure au plus 24 mois, renouvellements compris : fin au plus tard le "+last.Format(dateLayoutFR)+".")
	}
}

// siretInText finds a SIRET written in a title or a detail, spaced or not.
var siretInText = regexp.MustCompile(`\b\d{3} ?\d{3} ?\d{3} ?\d{5}\b`)

// checkSIRET checks the SIRET given; an immersion needs its host's, which
// may also be written in its title or detail, as conventions are often copied.
func checkSIRET(st *Step, given string, fe errs.FieldErrors) {
	given = strings.TrimSpace(given)
	if given == "" && st.Kind == KindPMSMP {
		for _, m := range siretInText.FindAllString(st.Title+"\n"+st.Detail, -1) {
			if n, err := validate.NormalizeSIRET(m); err == nil {
				st.SIRET = n
				return
			}
		}
		fe.Add("siret", "Le SIRET de l'entreprise d'accueil est obligatoire pour une immersion.")
		return
	}
	if given == "" {
		return
	}
	n, err := validate.NormalizeSIRET(given)
	if err != nil {
		fe.Add("siret", "SIRET : "+err.Error()+".")
		return
	}
	st.SIRET = n
}

// checkOutcome checks that outcome may be recorded on st on the day today.
func checkOutcome(st Step, outcome string, today time.Time) error {
	k, _ := kindInfo(st.Kind)
	switch {
	case len(k.Outcomes) == 0:
		return errs.FieldErrors{"outcome": "Ce type d'étape n'a pas de résultat à enregistrer."}.Err()
	case !hasOption(k.Outcomes, outcome):
		return errs.FieldErrors{"outcome": "Choisissez : " + optionList(k.Outcomes) + "."}.Err()
	case outcome == "cancelled":
		// An appointment may be cancelled ahead of its day.
		return nil
	case st.Start.After(today):
		return errs.FieldErrors{"outcome": "Le résultat s'enregistre une fois l'étape commencée, à partir du " + st.Start.Format(dateLayoutFR) + "."}.Err()
	}
	return nil
}

// ObjectiveInput is a new objective of the plan.
type ObjectiveInput struct {
	Theme      string `json:"theme"`
	Title      string `json:"title"`
	ContractID string `json:"contract_id"`
}

func (in ObjectiveInput) check() (Objective, errs.FieldErrors) {
	fe := errs.FieldErrors{}
	o := Objective{Theme: strings.TrimSpace(in.Theme), Title: strings.TrimSpace(in.Title), ContractID: strings.TrimSpace(in.ContractID), Status: "en_cours"}
	if !hasOption(Themes, o.Theme) {
		fe.Add("theme", "Choisissez le thème de l'objectif.")
	}
	checkTitle(o.Title, fe)
	return o, fe
}

func checkTitle(title string, fe errs.FieldErrors) {
	switch {
	case title == "":
		fe.Add("title", "L'intitulé est obligatoire.")
	case utf8.RuneCountInString(title) > maxTitle:
		fe.Add("title", "L'intitulé dépasse 200 caractères.")
	}
}

// ActionInput is a new action of the plan.
type ActionInput struct {
	ObjectiveID string `json:"objective_id"`
	Title       string `json:"title"`
	OwnerID     string `json:"owner_id"`
	DueDate     string `json:"due_date"`
}

func (in ActionInput) check() (Action, errs.FieldErrors) {
	fe := errs.FieldErrors{}
	a := Action{ObjectiveID: strings.TrimSpace(in.ObjectiveID), Title: strings.TrimSpace(in.Title), OwnerID: strings.TrimSpace(in.OwnerID), Status: "a_faire"}
	if a.ObjectiveID == "" {
		fe.Add("objective_id", "Choisissez l'objectif de l'action.")
	}
	checkTitle(a.Title, fe)
	if strings.TrimSpace(in.DueDate) != "" {
		due, err := parseDay(in.DueDate)
		if err != nil {
			fe.Add("due_date", "Échéance : "+err.Error()+".")
		} else {
			a.Due = &due
		}
	}
	return a, fe
}

// CheckinInput records a check-in.
type CheckinInput struct {
	InWork       *bool  `json:"in_work"`
	Reason       string `json:"reason"`
	ReasonDetail string `json:"reason_detail"`
	DoneOn       string `json:"done_on"`
}

// checkCheckin validates a check-in's answer for c on the day today.
func checkCheckin(c Checkin, in CheckinInput, today time.Time) (Checkin, error) {
	fe := errs.FieldErrors{}
	c.InWork, c.Reason, c.ReasonDetail = in.InWork, strings.TrimSpace(in.Reason), strings.TrimSpace(in.ReasonDetail)
	switch {
	case in.InWork == nil:
		fe.Add("in_work", "Indiquez si la personne est toujours en emploi.")
	case *in.InWork:
		// The reasons only explain a departure.
		c.Reason, c.ReasonDetail = "", ""
	case !hasOption(LeaveReasons, c.Reason):
		fe.Add("reason", "Choisissez le motif : "+optionList(LeaveReasons)+".")
	case c.Reason == "autre" && c.ReasonDetail == "":
		fe.Add("reason_detail", "Précisez le motif.")
	}
	if utf8.RuneCountInString(c.ReasonDetail) > maxTitle {
		fe.Add("reason_detail", "La précision dépasse 200 caractères.")
	}
	done, err := parseDay(in.DoneOn)
	switch {
	case err != nil:
		fe.Add("done_on", "Date du point : "+err.Error()+".")
	case done.After(today):
		fe.Add("done_on", "La date du point ne peut pas être dans le futur.")
	case done.Before(c.StepStart):
		fe.Add("done_on", "La date du point précède la reprise d'emploi ("+c.StepStart.Format(dateLayoutFR)+").")
	case done.Before(c.Due.AddDate(0, 0, -dueWindow)):
		// A 6-month check-in recorded on the first day would count as retention at 6 months.
		fe.Add("done_on", "Ce point se fait à partir du "+c.Due.AddDate(0, 0, -dueWindow).Format(dateLayoutFR)+", deux semaines avant son échéance.")
	default:
		c.DoneOn = &done
	}
	return c, fe.Err()
}

// AddMonths returns the same day n months later, or the last day of that
// month when it is shorter (31 January + 1 month = 28 or 29 February), as
// contract durations are counted.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// dayOf returns the calendar day of t as midnight UTC, the form dates are compared in.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today returns the current day in Paris as midnight UTC: the day French users live in.
func Today() time.Time { return dayOf(time.Now().In(web.Paris)) }

// parseDay reads "YYYY-MM-DD" or "DD/MM/YYYY".
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, dateError("champ obligatoire")
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		d, err = time.Parse(dateLayoutFR, s)
	}
	if err != nil {
		return time.Time{}, dateError("date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")
	}
	if d.Year() < earliestYear || d.Year() > latestYear {
		return time.Time{}, dateError("année hors des limites")
	}
	return d, nil
}

// parseDateTime reads an RFC 3339 instant, or a local "YYYY-MM-DDTHH:MM" in Paris time.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, dateError("La date et l'heure du rendez-vous sont obligatoires.")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		for _, layout := range []string{dateTimeLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "02/01/2006 15:04"} {
			if t, err = time.ParseInLocation(layout, s, web.Paris); err == nil {
				break
			}
		}
	}
	if err != nil {
		return time.Time{}, dateError("Date et heure invalides, attendu AAAA-MM-JJTHH:MM.")
	}
	if t.Year() < earliestYear || t.Year() > latestYear {
		return time.Time{}, dateError("Date hors des limites (vérifiez l'année).")
	}
	return t.UTC().Truncate(time.Second), nil
}

// dateError is a date problem worded for the user.
type dateError string

func (e dateError) Error() string { return string(e) }
