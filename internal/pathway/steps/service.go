package steps

import (
	"context"
	"slices"
	"strconv"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

var (
	errPersonNotFound    = errs.New(errs.NotFound, "Personne introuvable.")
	errStepNotFound      = errs.New(errs.NotFound, "Étape introuvable.")
	errCheckinNotFound   = errs.New(errs.NotFound, "Point de situation introuvable.")
	errObjectiveNotFound = errs.New(errs.NotFound, "Objectif introuvable.")
	errActionNotFound    = errs.New(errs.NotFound, "Action introuvable.")
	errNoAuthor          = errs.New(errs.Forbidden, "Le parcours s'écrit par un professionnel connecté, au nom de sa structure.")
)

// Service is the use cases of the action plan, the steps and the check-ins.
type Service struct {
	db     *db.DB
	people *people.Service
	// today returns the current day (midnight UTC); tests may fix it.
	today func() time.Time
}

// NewService returns the service; every access goes through the registry's Authorize.
func NewService(d *db.DB, p *people.Service) *Service {
	return &Service{db: d, people: p, today: Today}
}

// file is a person's file the actor may act on, with its follow-up group.
type file struct {
	person people.Person
	group  []people.GroupMember
}

// authorize loads a file the actor may read or write. An employer sees a
// candidate's profile through a consented positioning, never the pathway:
// the check is made again without the employer role. A write needs a staff
// member, who authors the step in the name of their structure.
func (s *Service) authorize(ctx context.Context, a access.Actor, personID string, act access.Action) (file, error) {
	p, group, err := s.people.Authorize(ctx, a, personID, act)
	if err != nil {
		return file{}, err
	}
	if !professional(a, p, group, act) {
		return file{}, errPersonNotFound
	}
	if act == access.Write && a.System {
		return file{}, errNoAuthor
	}
	return file{person: p, group: group}, nil
}

func professional(a access.Actor, p people.Person, group []people.GroupMember, act access.Action) bool {
	if !a.Has(access.RoleEmployer) {
		return true
	}
	pro := a
	pro.Roles = slices.DeleteFunc(slices.Clone(a.Roles), func(r access.Role) bool { return r == access.RoleEmployer })
	return access.CanPerson(pro, people.Facts(p, group), act, db.Now())
}

// mine checks that an object of person ownerID may be reached through
// personID (when the caller names one) and authorizes the actor on it.
func (s *Service) mine(ctx context.Context, a access.Actor, ownerID, personID string, notFound error) (file, error) {
	if personID != "" && personID != ownerID {
		return file{}, notFound
	}
	f, err := s.authorize(ctx, a, ownerID, access.Write)
	if errs.Is(err, errs.NotFound) {
		// The object is as invisible as the person it belongs to.
		return file{}, notFound
	}
	return f, err
}

// readEvent is the trace of a read of part of a person's pathway.
func readEvent(action, personID string) audit.Event {
	return audit.Event{Action: action, ObjectType: "person", ObjectID: personID, PersonID: personID}
}

// TimelineFilter selects a page of a person's steps.
type TimelineFilter struct {
	Kind          string
	Limit, Offset int
}

// Timeline returns a page of the steps of every structure for a person, latest first, and their total.
func (s *Service) Timeline(ctx context.Context, a access.Actor, personID string, f TimelineFilter) ([]Step, int, error) {
	if _, err := s.authorize(ctx, a, personID, access.Read); err != nil {
		return nil, 0, err
	}
	if f.Kind != "" {
		if _, ok := kindInfo(f.Kind); !ok {
			return nil, 0, errs.FieldErrors{"kind": "Type d'étape inconnu."}.Err()
		}
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	list, total, err := listSteps(ctx, s.db, personID, f.Kind, min(f.Limit, 500), max(f.Offset, 0))
	if err != nil {
		return nil, 0, err
	}
	return list, total, audit.Log(ctx, s.db, a, readEvent("pathway.steps.read", personID))
}

// CreateStep records a step on a person's timeline in the name of the
// actor's structure (or of the one named); a return to work schedules its
// check-ins at 1, 3 and 6 months in the same transaction.
func (s *Service) CreateStep(ctx context.Context, a access.Actor, personID string, in StepInput) (Step, error) {
	f, err := s.authorize(ctx, a, personID, access.Write)
	if err != nil {
		return Step{}, err
	}
	st, err := checkStep(in)
	if err != nil {
		return Step{}, err
	}
	if st.OrgID == "" {
		st.OrgID = a.OrgID
	}
	if err := s.checkOrganisation(ctx, &st, f.person.Territory); err != nil {
		return Step{}, err
	}
	now := db.Now()
	st.ID, st.PersonID, st.AuthorID, st.CreatedAt, st.UpdatedAt = db.NewID(), personID, a.UserID, now, now
	checkins := scheduleCheckins(st, now)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertStep(ctx, tx, st); err != nil {
			return err
		}
		if err := insertCheckins(ctx, tx, checkins); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "step.create", ObjectType: "step", ObjectID: st.ID, PersonID: personID,
			Detail: "type: " + st.Kind})
	})
	if err != nil {
		return Step{}, err
	}
	return getStep(ctx, s.db, st.ID)
}

// checkOrganisation checks the structure where the step takes place: one of
// the person's territory, so that the figures by structure stay the
// territory's own.
func (s *Service) checkOrganisation(ctx context.Context, st *Step, territory string) error {
	if st.OrgID == "" {
		return errs.FieldErrors{"organisation_id": "Choisissez la structure de l'étape."}.Err()
	}
	if !db.ValidID(st.OrgID) {
		return errs.FieldErrors{"organisation_id": "Structure inconnue."}.Err()
	}
	o, ok, err := orgOf(ctx, s.db, st.OrgID)
	if err != nil {
		return err
	}
	if !ok || o.Territory != territory {
		return errs.FieldErrors{"organisation_id": "Structure inconnue sur le territoire de la personne."}.Err()
	}
	if st.Kind == KindPMSMP && o.Kind == "siae" && o.SIAEKind == "ETTI" {
		// CT L5135-1: every SIAE may prescribe an immersion, except an ETTI.
		return errs.FieldErrors{"organisation_id": "Une ETTI ne peut pas prescrire d'immersion (PMSMP)."}.Err()
	}
	st.OrgName = o.Name
	return nil
}

// scheduleCheckins returns the check-ins a return to work calls for.
func scheduleCheckins(st Step, now time.Time) []Checkin {
	if k, _ := kindInfo(st.Kind); !k.Checkins {
		return nil
	}
	var out []Checkin
	for _, m := range CheckinMonths {
		out = append(out, Checkin{ID: db.NewID(), PersonID: st.PersonID, StepID: st.ID, Months: m, Due: AddMonths(st.Start, m), CreatedAt: now})
	}
	return out
}

// OutcomeInput records the outcome of a step; PersonID, when set, is the
// person the caller reached the step through.
type OutcomeInput struct {
	StepID   string `json:"-"`
	PersonID string `json:"-"`
	Outcome  string `json:"outcome"`
}

// RecordOutcome records how an appointment went or how an immersion ended;
// a later call corrects it.
func (s *Service) RecordOutcome(ctx context.Context, a access.Actor, in OutcomeInput) (Step, error) {
	if !db.ValidID(in.StepID) {
		return Step{}, errStepNotFound
	}
	st, err := getStep(ctx, s.db, in.StepID)
	if err != nil {
		return Step{}, err
	}
	if _, err := s.mine(ctx, a, st.PersonID, in.PersonID, errStepNotFound); err != nil {
		return Step{}, err
	}
	if err := checkOutcome(st, in.Outcome, s.today()); err != nil {
		return Step{}, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := setOutcome(ctx, tx, st.ID, in.Outcome, db.Now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "step.outcome", ObjectType: "step", ObjectID: st.ID, PersonID: st.PersonID,
			Detail: "type: " + st.Kind})
	})
	if err != nil {
		return Step{}, err
	}
	return getStep(ctx, s.db, st.ID)
}

// Checkins returns a person's check-ins after a return to work, the earliest due first.
func (s *Service) Checkins(ctx context.Context, a access.Actor, personID string) ([]Checkin, error) {
	if _, err := s.authorize(ctx, a, personID, access.Read); err != nil {
		return nil, err
	}
	list, err := listCheckins(ctx, s.db, personID)
	if err != nil {
		return nil, err
	}
	return list, audit.Log(ctx, s.db, a, readEvent("pathway.checkins.read", personID))
}

// RecordCheckin records whether the person is still in work at a check-in,
// and why not; a later call corrects it. PersonID, when set, is the person
// the caller reached the check-in through.
func (s *Service) RecordCheckin(ctx context.Context, a access.Actor, id, personID string, in CheckinInput) (Checkin, error) {
	if !db.ValidID(id) {
		return Checkin{}, errCheckinNotFound
	}
	c, err := getCheckin(ctx, s.db, id)
	if err != nil {
		return Checkin{}, err
	}
	if _, err := s.mine(ctx, a, c.PersonID, personID, errCheckinNotFound); err != nil {
		return Checkin{}, err
	}
	c, err = checkCheckin(c, in, s.today())
	if err != nil {
		return Checkin{}, err
	}
	c.RecordedBy = a.UserID
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := recordCheckin(ctx, tx, c); err != nil {
			return err
		}
		// The answer (in work or not, and why) stays out of the trail: it may speak of health.
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "checkin.record", ObjectType: "checkin", ObjectID: c.ID, PersonID: c.PersonID,
			Detail: "échéance: " + strconv.Itoa(c.Months) + " mois"})
	})
	if err != nil {
		return Checkin{}, err
	}
	return getCheckin(ctx, s.db, c.ID)
}

// Plan returns a person's action plan.
func (s *Service) Plan(ctx context.Context, a access.Actor, personID string) (Plan, error) {
	if _, err := s.authorize(ctx, a, personID, access.Read); err != nil {
		return Plan{}, err
	}
	plan, err := loadPlan(ctx, s.db, personID)
	if err != nil {
		return Plan{}, err
	}
	return plan, audit.Log(ctx, s.db, a, readEvent("pathway.plan.read", personID))
}

// CreateObjective adds an objective to a person's plan, tied to one of the
// person's contracts when ContractID is set.
func (s *Service) CreateObjective(ctx context.Context, a access.Actor, personID string, in ObjectiveInput) (Objective, error) {
	if _, err := s.authorize(ctx, a, personID, access.Write); err != nil {
		return Objective{}, err
	}
	o, fe := in.check()
	if o.ContractID != "" {
		owner := ""
		if db.ValidID(o.ContractID) {
			var err error
			if owner, err = contractPerson(ctx, s.db, o.ContractID); err != nil {
				return Objective{}, err
			}
		}
		if owner != personID {
			fe.Add("contract_id", "Ce contrat n'est pas un contrat de la personne.")
		}
	}
	if err := fe.Err(); err != nil {
		return Objective{}, err
	}
	now := db.Now()
	o.ID, o.PersonID, o.CreatedBy, o.CreatedAt, o.UpdatedAt = db.NewID(), personID, a.UserID, now, now
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertObjective(ctx, tx, o); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "plan.objective.create", ObjectType: "plan_objective", ObjectID: o.ID, PersonID: personID})
	})
	o.Actions = []Action{}
	return o, err
}

// StatusInput changes the status of an objective or an action; PersonID,
// when set, is the person the caller reached it through.
type StatusInput struct {
	ID       string `json:"-"`
	PersonID string `json:"-"`
	Status   string `json:"status"`
}

// SetObjectiveStatus marks an objective in progress, reached or dropped.
func (s *Service) SetObjectiveStatus(ctx context.Context, a access.Actor, in StatusInput) (Objective, error) {
	if !db.ValidID(in.ID) {
		return Objective{}, errObjectiveNotFound
	}
	o, err := getObjective(ctx, s.db, in.ID)
	if err != nil {
		return Objective{}, err
	}
	if _, err := s.mine(ctx, a, o.PersonID, in.PersonID, errObjectiveNotFound); err != nil {
		return Objective{}, err
	}
	if !hasOption(ObjectiveStatuses, in.Status) {
		return Objective{}, errs.FieldErrors{"status": "Choisissez : " + optionList(ObjectiveStatuses) + "."}.Err()
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := setObjectiveStatus(ctx, tx, o.ID, in.Status, db.Now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "plan.objective.status", ObjectType: "plan_objective", ObjectID: o.ID,
			PersonID: o.PersonID, Detail: "statut: " + in.Status})
	})
	if err != nil {
		return Objective{}, err
	}
	return getObjective(ctx, s.db, o.ID)
}

// CreateAction adds an action to an objective of the person's plan, owned
// by a current professional of the follow-up group or by nobody.
func (s *Service) CreateAction(ctx context.Context, a access.Actor, personID string, in ActionInput) (Action, error) {
	f, err := s.authorize(ctx, a, personID, access.Write)
	if err != nil {
		return Action{}, err
	}
	act, fe := in.check()
	if act.ObjectiveID != "" {
		owner, err := s.objectivePerson(ctx, act.ObjectiveID)
		if err != nil {
			return Action{}, err
		}
		if owner != personID {
			fe.Add("objective_id", "Cet objectif n'est pas un objectif de la personne.")
		}
	}
	if act.OwnerID != "" {
		if m, ok := activeMember(f.group, act.OwnerID, s.today()); ok {
			act.OwnerOrgID = m.OrgID
		} else {
			fe.Add("owner_id", "Le responsable est un professionnel du groupe de suivi.")
		}
	}
	if err := fe.Err(); err != nil {
		return Action{}, err
	}
	now := db.Now()
	act.ID, act.PersonID, act.CreatedAt, act.UpdatedAt = db.NewID(), personID, now, now
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertAction(ctx, tx, act, a.UserID); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "plan.action.create", ObjectType: "plan_action", ObjectID: act.ID, PersonID: personID})
	})
	if err != nil {
		return Action{}, err
	}
	return getAction(ctx, s.db, act.ID)
}

// objectivePerson returns the person an objective belongs to, "" when there is no such objective.
func (s *Service) objectivePerson(ctx context.Context, id string) (string, error) {
	if !db.ValidID(id) {
		return "", nil
	}
	o, err := getObjective(ctx, s.db, id)
	if errs.Is(err, errs.NotFound) {
		return "", nil
	}
	return o.PersonID, err
}

// activeOn reports whether a membership of the group is open on day.
func activeOn(m people.GroupMember, day time.Time) bool {
	return !dayOf(m.Start).After(day) && (m.End == nil || !dayOf(*m.End).Before(day))
}

// activeMember returns the membership of a user in the group open on day.
func activeMember(group []people.GroupMember, userID string, day time.Time) (people.GroupMember, bool) {
	for _, m := range group {
		if m.UserID == userID && activeOn(m, day) {
			return m, true
		}
	}
	return people.GroupMember{}, false
}

// Owners returns the professionals of the group who may own an action on day, once each.
func Owners(group []people.GroupMember, day time.Time) []people.GroupMember {
	var out []people.GroupMember
	for _, m := range group {
		if activeOn(m, day) && !slices.ContainsFunc(out, func(o people.GroupMember) bool { return o.UserID == m.UserID }) {
			out = append(out, m)
		}
	}
	return out
}

// SetActionStatus moves an action along: to do, in progress, done or dropped.
func (s *Service) SetActionStatus(ctx context.Context, a access.Actor, in StatusInput) (Action, error) {
	if !db.ValidID(in.ID) {
		return Action{}, errActionNotFound
	}
	act, err := getAction(ctx, s.db, in.ID)
	if err != nil {
		return Action{}, err
	}
	if _, err := s.mine(ctx, a, act.PersonID, in.PersonID, errActionNotFound); err != nil {
		return Action{}, err
	}
	if !hasOption(ActionStatuses, in.Status) {
		return Action{}, errs.FieldErrors{"status": "Choisissez : " + optionList(ActionStatuses) + "."}.Err()
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := setActionStatus(ctx, tx, act.ID, in.Status, db.Now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "plan.action.status", ObjectType: "plan_action", ObjectID: act.ID,
			PersonID: act.PersonID, Detail: "statut: " + in.Status})
	})
	if err != nil {
		return Action{}, err
	}
	return getAction(ctx, s.db, act.ID)
}

// Pathway is everything the pathway page of a person shows.
type Pathway struct {
	Person    people.Person
	Group     []people.GroupMember
	Plan      Plan
	Steps     []Step
	StepTotal int
	// Awaiting are the appointments and immersions without an outcome yet.
	Awaiting  []Step
	Checkins  []Checkin
	Contracts []Contract
	// Orgs are the structures a step may be recorded for: the actor's and the group's.
	Orgs     []Option
	CanWrite bool
	Today    time.Time
}

// Pathway loads a person's whole pathway for its page, traced as one read of each part.
func (s *Service) Pathway(ctx context.Context, a access.Actor, personID string, limit, offset int) (Pathway, error) {
	f, err := s.authorize(ctx, a, personID, access.Read)
	if err != nil {
		return Pathway{}, err
	}
	pw := Pathway{Person: f.person, Group: f.group, Today: s.today()}
	pw.CanWrite = !a.System && access.CanPerson(a, people.Facts(f.person, f.group), access.Write, db.Now())
	if pw.Plan, err = loadPlan(ctx, s.db, personID); err != nil {
		return Pathway{}, err
	}
	if pw.Steps, pw.StepTotal, err = listSteps(ctx, s.db, personID, "", limit, offset); err != nil {
		return Pathway{}, err
	}
	if pw.Awaiting, err = awaitingOutcome(ctx, s.db, personID); err != nil {
		return Pathway{}, err
	}
	if pw.Checkins, err = listCheckins(ctx, s.db, personID); err != nil {
		return Pathway{}, err
	}
	if pw.Contracts, err = contractsOf(ctx, s.db, personID); err != nil {
		return Pathway{}, err
	}
	if pw.Orgs, err = s.stepOrgs(ctx, a, f.group, pw.Today); err != nil {
		return Pathway{}, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.LogBatchTx(ctx, tx, a, []audit.Event{readEvent("pathway.plan.read", personID),
			readEvent("pathway.steps.read", personID), readEvent("pathway.checkins.read", personID), readEvent("pathway.contracts.read", personID)})
	})
	return pw, err
}

// stepOrgs lists the actor's structure first, then those of the current group.
func (s *Service) stepOrgs(ctx context.Context, a access.Actor, group []people.GroupMember, today time.Time) ([]Option, error) {
	var out []Option
	if a.OrgID != "" {
		o, ok, err := orgOf(ctx, s.db, a.OrgID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, Option{a.OrgID, o.Name})
		}
	}
	for _, m := range Owners(group, today) {
		if !slices.ContainsFunc(out, func(o Option) bool { return o.Value == m.OrgID }) {
			out = append(out, Option{m.OrgID, m.OrgName})
		}
	}
	return out, nil
}

// RecordHire adds the job a hire starts to a person's pathway, in the
// caller's transaction, and schedules the back-to-work check-ins. The caller
// has checked that the actor may record the hire (an employer recording the
// hire of a candidate sent to it has no right to write the pathway itself);
// the employer may lie outside the person's territory.
func RecordHire(ctx context.Context, tx *db.Tx, a access.Actor, personID string, in StepInput, now time.Time) (Step, error) {
	st, err := checkStep(in)
	if err != nil {
		return Step{}, err
	}
	o, ok, err := orgOf(ctx, tx, st.OrgID)
	if err != nil {
		return Step{}, err
	}
	if !ok {
		return Step{}, errs.FieldErrors{"organisation_id": "Employeur inconnu."}.Err()
	}
	st.OrgName = o.Name
	st.ID, st.PersonID, st.AuthorID, st.CreatedAt, st.UpdatedAt = db.NewID(), personID, a.UserID, now, now
	if err := insertStep(ctx, tx, st); err != nil {
		return Step{}, err
	}
	if err := insertCheckins(ctx, tx, scheduleCheckins(st, now)); err != nil {
		return Step{}, err
	}
	err = audit.LogTx(ctx, tx, a, audit.Event{Action: "step.create", ObjectType: "step", ObjectID: st.ID, PersonID: personID,
		Detail: "type: " + st.Kind + " (recrutement)"})
	return st, err
}
