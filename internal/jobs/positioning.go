package jobs

import (
	"context"
	"strings"
	"time"

	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/notify"
)

// ProposeInput proposes a person on an offer.
type ProposeInput struct {
	OfferID  string `json:"offer_id"`
	PersonID string `json:"person_id"`
	Note     string `json:"note"`
}

// MoveInput moves a positioning to another state; StartDate is the first
// day of work of a hire (the offer's start, else today, when empty).
type MoveInput struct {
	State     string `json:"state"`
	Reason    string `json:"reason"`
	Note      string `json:"note"`
	StartDate string `json:"start_date"`
}

// employerOf reports whether the actor acts as the employer of an offer: its
// recruiters (the employer role), who alone see and move candidacies.
func employerOf(a access.Actor, o Offer) bool {
	return !a.System && a.OrgID == o.OrgID && a.Has(access.RoleEmployer)
}

// Propose positions a person on an open offer: a professional who may write
// the person's file proposes anyone they follow; an employer proposes, on its
// own offers, a person whose CV is online with consent. The référents are notified.
func (s *Service) Propose(ctx context.Context, a access.Actor, in ProposeInput) (Positioning, error) {
	if a.System || a.UserID == "" {
		return Positioning{}, errStaffOnly
	}
	o, err := s.GetOffer(ctx, a, in.OfferID)
	if err != nil {
		return Positioning{}, err
	}
	if o.Status != StatusOpen {
		return Positioning{}, errs.New(errs.Conflict, "L'offre n'est plus ouverte : on ne peut plus y positionner de candidat.")
	}
	note := strings.TrimSpace(in.Note)
	if len(note) > 2000 {
		return Positioning{}, errs.FieldErrors{"note": "Le commentaire tient en 2 000 caractères au plus."}.Err()
	}
	if err := s.checkProposer(ctx, a, o, in.PersonID); err != nil {
		return Positioning{}, err
	}
	now := db.Now()
	p := Positioning{ID: db.NewID(), OfferID: o.ID, PersonID: in.PersonID, EmployerOrgID: o.OrgID, State: StateProposed,
		ProposedBy: a.UserID, ProposedByOrg: a.OrgID, CreatedAt: now}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		from := ""
		reopened, prev, err := reopenPositioning(ctx, tx, p)
		if err != nil {
			return err
		}
		if reopened != "" {
			// A candidacy refused or withdrawn may start again: one row, its history kept.
			p.ID, from = reopened, prev
		} else if err := insertPositioning(ctx, tx, p); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.New(errs.Conflict, "Cette personne est déjà positionnée sur cette offre.")
			}
			return err
		}
		if err := insertEvent(ctx, tx, p.ID, from, StateProposed, "", note, a.UserID, a.OrgID, now); err != nil {
			return err
		}
		if err := s.notifyReferents(ctx, tx, a, p.PersonID, "positioning.proposed",
			"Candidature proposée sur l'offre « "+o.Title+" » ("+o.EmployerName+")", now); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "positioning.create", ObjectType: "positioning", ObjectID: p.ID,
			PersonID: p.PersonID, Detail: "offre " + o.ID})
	})
	if err != nil {
		return Positioning{}, err
	}
	return s.GetPositioning(ctx, a, p.ID)
}

// checkProposer checks that the actor may propose the person on the offer.
func (s *Service) checkProposer(ctx context.Context, a access.Actor, o Offer, personID string) error {
	if !db.ValidID(personID) {
		return errs.FieldErrors{"person_id": "Personne inconnue."}.Err()
	}
	if employerOf(a, o) {
		cv, ok, err := getCV(ctx, s.db, personID)
		if err != nil {
			return err
		}
		consent, err := hasConsent(ctx, s.db, personID)
		if err != nil {
			return err
		}
		if !ok || !cv.Online || !consent {
			return errPersonNotFound
		}
		return nil
	}
	if _, err := s.authorizeWrite(ctx, a, personID); err != nil {
		return err
	}
	return nil
}

// notifyReferents tells the person's référents, except the actor, what happened.
func (s *Service) notifyReferents(ctx context.Context, tx *db.Tx, a access.Actor, personID, kind, message string, now time.Time) error {
	refs, err := referentsOf(ctx, tx, personID, db.Day(s.today()))
	if err != nil {
		return err
	}
	var to []string
	for _, u := range refs {
		if u != a.UserID {
			to = append(to, u)
		}
	}
	var first, last string
	if err := tx.QueryRowContext(ctx, `SELECT first_name, last_name FROM persons WHERE id = $1`, personID).Scan(&first, &last); err != nil {
		return err
	}
	// The référents follow the person: the message names whom it is about.
	message = strings.TrimSuffix(message, ".") + " : " + first + " " + last + "."
	return notify.Send(ctx, tx, to, kind, message, "/personnes/"+personID+"/cv#candidatures", now)
}

// canSeePositioning reports whether the actor may see a candidacy: the
// professionals who may read the person's file, and the offer's employer
// once it was sent to it (or when it proposed the person itself) while the
// person's consent is in force.
func (s *Service) canSeePositioning(ctx context.Context, a access.Actor, p Positioning) (bool, error) {
	if a.Has(access.RoleEmployer) && a.OrgID == p.EmployerOrgID {
		if !p.employerSees() {
			return false, nil
		}
		return hasConsent(ctx, s.db, p.PersonID)
	}
	if _, _, err := s.people.Authorize(ctx, people.StaffOnly(a), p.PersonID, access.Read); err != nil {
		if errs.Is(err, errs.NotFound) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// GetPositioning returns a candidacy the actor may see, with its history.
func (s *Service) GetPositioning(ctx context.Context, a access.Actor, id string) (Positioning, error) {
	if !db.ValidID(id) {
		return Positioning{}, errPositioningNotFound
	}
	p, ok, err := getPositioning(ctx, s.db, id)
	if err != nil {
		return Positioning{}, err
	}
	if !ok {
		return Positioning{}, errPositioningNotFound
	}
	if see, err := s.canSeePositioning(ctx, a, p); err != nil || !see {
		if err != nil {
			return Positioning{}, err
		}
		return Positioning{}, errPositioningNotFound
	}
	if err := s.withEvents(ctx, a, &p); err != nil {
		return Positioning{}, err
	}
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "positioning.read", ObjectType: "positioning", ObjectID: id, PersonID: p.PersonID})
	return p, err
}

// withEvents loads a candidacy's history; an employer does not read the
// professionals' comments, which are theirs and may hold social details.
func (s *Service) withEvents(ctx context.Context, a access.Actor, p *Positioning) error {
	var err error
	if p.Events, err = eventsOf(ctx, s.db, p.ID); err != nil {
		return err
	}
	if a.Has(access.RoleEmployer) && a.OrgID == p.EmployerOrgID && !a.System {
		for i := range p.Events {
			if p.Events[i].OrgID != a.OrgID {
				p.Events[i].Note = ""
			}
		}
	}
	return nil
}

// mayMove reports whether the actor may move a candidacy to a state: the
// professional who may write the file sends, withdraws and records outcomes;
// the employer records the interview, the hire or the refusal of what it received.
func (s *Service) mayMove(ctx context.Context, a access.Actor, p Positioning, to string) (bool, error) {
	if a.Has(access.RoleEmployer) && a.OrgID == p.EmployerOrgID && p.State != StateProposed {
		if to == StateInterview || to == StateHired || to == StateRefused {
			return hasConsent(ctx, s.db, p.PersonID)
		}
	}
	if _, err := s.authorizeWrite(ctx, a, p.PersonID); err != nil {
		if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// AllowedMoves lists the states the actor may move a candidacy to.
func (s *Service) AllowedMoves(ctx context.Context, a access.Actor, p Positioning) ([]Option, error) {
	var out []Option
	for _, m := range p.Moves() {
		ok, err := s.mayMove(ctx, a, p, m.Value)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// Move moves a candidacy to another state, logging the transition. Sending
// to the employer needs the person's consent; a refusal needs a reason from
// the list; a hire adds a job to the person's pathway, schedules the
// back-to-work check-ins and notifies the référents.
func (s *Service) Move(ctx context.Context, a access.Actor, id string, in MoveInput) (Positioning, error) {
	p, err := s.GetPositioning(ctx, a, id)
	if err != nil {
		return Positioning{}, err
	}
	if !CanMove(p.State, in.State) {
		return Positioning{}, errs.FieldErrors{"state": "Passage impossible de « " + p.StateLabel() + " » à « " + labelOf(States, in.State) + " »."}.Err()
	}
	if ok, err := s.mayMove(ctx, a, p, in.State); err != nil || !ok {
		if err != nil {
			return Positioning{}, err
		}
		return Positioning{}, errs.New(errs.Forbidden, "Vous ne pouvez pas faire avancer cette candidature ainsi.")
	}
	reason, note := strings.TrimSpace(in.Reason), strings.TrimSpace(in.Note)
	if err := checkMove(p, in.State, reason, note); err != nil {
		return Positioning{}, err
	}
	if in.State == StateSent {
		if on, err := hasConsent(ctx, s.db, p.PersonID); err != nil || !on {
			if err != nil {
				return Positioning{}, err
			}
			return Positioning{}, errs.New(errs.Conflict, "La personne n'a pas donné son accord pour partager son CV avec les employeurs : recueillez-le sur la page CV avant de transmettre la candidature.")
		}
	}
	o, ok, err := getOffer(ctx, s.db, p.OfferID)
	if err != nil || !ok {
		return Positioning{}, errOfferNotFound
	}
	var hire *steps.StepInput
	if in.State == StateHired {
		h, err := s.hireStep(ctx, o, in.StartDate)
		if err != nil {
			return Positioning{}, err
		}
		hire = &h
	}
	now := db.Now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if in.State == StateHired && tx.Dialect() == db.Postgres {
			// Two hires at once on the last position: the second waits, then counts the first.
			if _, err := tx.ExecContext(ctx, `SELECT id FROM offers WHERE id = $1 FOR UPDATE`, o.ID); err != nil {
				return err
			}
		}
		stepID := ""
		if hire != nil {
			st, err := steps.RecordHire(ctx, tx, a, p.PersonID, *hire, now)
			if err != nil {
				return err
			}
			stepID = st.ID
		}
		moved, err := movePositioning(ctx, tx, p.ID, p.State, in.State, reason, stepID, now)
		if err != nil {
			return err
		}
		if !moved {
			return errs.New(errs.Conflict, "La candidature a changé entre-temps : rechargez la page.")
		}
		if err := insertEvent(ctx, tx, p.ID, p.State, in.State, reason, note, a.UserID, a.OrgID, now); err != nil {
			return err
		}
		if err := s.notifyReferents(ctx, tx, a, p.PersonID, "positioning."+in.State,
			moveMessage(in.State, o), now); err != nil {
			return err
		}
		if in.State == StateHired {
			if err := fillWhenComplete(ctx, tx, a, o, now); err != nil {
				return err
			}
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "positioning." + in.State, ObjectType: "positioning", ObjectID: p.ID,
			PersonID: p.PersonID, Detail: p.State + " → " + in.State})
	})
	if err != nil {
		return Positioning{}, err
	}
	if in.State == StateHired {
		s.matcher.touch()
	}
	// The actor who moved it reads the result, even a refusal that ends an
	// employer's access to the candidacy.
	moved, ok, err := getPositioning(ctx, s.db, p.ID)
	if err != nil || !ok {
		return Positioning{}, errPositioningNotFound
	}
	return moved, s.withEvents(ctx, a, &moved)
}

func checkMove(p Positioning, to, reason, note string) error {
	if len(note) > 2000 {
		return errs.FieldErrors{"note": "Le commentaire tient en 2 000 caractères au plus."}.Err()
	}
	if to == StateRefused {
		if !hasOption(RefusalReasons, reason) {
			return errs.FieldErrors{"reason": "Choisissez le motif du refus dans la liste."}.Err()
		}
		if reason == "other" && note == "" {
			return errs.FieldErrors{"note": "Précisez le motif du refus."}.Err()
		}
		return nil
	}
	if reason != "" {
		return errs.FieldErrors{"reason": "Un motif ne s'indique que pour un refus."}.Err()
	}
	return nil
}

func moveMessage(state string, o Offer) string {
	what := "« " + o.Title + " » (" + o.EmployerName + ")"
	switch state {
	case StateSent:
		return "Candidature transmise à l'employeur pour l'offre " + what + "."
	case StateInterview:
		return "Entretien prévu pour l'offre " + what + "."
	case StateHired:
		return "Recrutement confirmé sur l'offre " + what + " : le suivi dans l'emploi commence."
	case StateRefused:
		return "Candidature refusée pour l'offre " + what + "."
	}
	return "Candidature retirée de l'offre " + what + "."
}

// contractSubtypes maps an offer's contract to the job step's contract.
var contractSubtypes = map[string]string{
	"CDI": "cdi", "CDD": "cdd", "INTERIM": "interim", "APPRENTISSAGE": "apprenticeship",
	"PROFESSIONNALISATION": "professionalisation", "SAISONNIER": "cdd",
}

// hireStep is the step a hire adds to the pathway: a job at the employer,
// or an insertion contract for a CDDI.
func (s *Service) hireStep(ctx context.Context, o Offer, start string) (steps.StepInput, error) {
	d, ok := parseDay(start)
	if !ok {
		return steps.StepInput{}, errs.FieldErrors{"start_date": "Indiquez la date d'embauche au format JJ/MM/AAAA."}.Err()
	}
	if d == nil {
		today := s.today()
		d = &today
		if o.Start != nil && o.Start.After(today) {
			d = o.Start
		}
	}
	in := steps.StepInput{Kind: steps.KindJob, Subtype: contractSubtypes[o.Contract], Title: o.Title,
		OrganisationID: o.OrgID, StartDate: db.Day(*d)}
	if o.Contract == "CDDI" {
		// An insertion contract is an IAE step, typed by the structure that hires.
		var siaeKind string
		if err := s.db.QueryRowContext(ctx, `SELECT siae_kind FROM organisations WHERE id = $1`, o.OrgID).Scan(&siaeKind); err != nil {
			return steps.StepInput{}, err
		}
		in.Subtype = "cdd"
		if siaeKind != "" {
			in.Kind, in.Subtype = steps.KindIAE, siaeKind
		}
	}
	return in, nil
}

// fillWhenComplete marks an offer filled once it has hired for every position.
func fillWhenComplete(ctx context.Context, tx *db.Tx, a access.Actor, o Offer, now time.Time) error {
	var hired int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM positionings WHERE offer_id = $1 AND state = 'hired'`, o.ID).Scan(&hired); err != nil {
		return err
	}
	if hired < o.Positions {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE offers SET status = 'filled', closed_at = $2, updated_at = $2 WHERE id = $1 AND status = 'open'`, o.ID, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return audit.LogTx(ctx, tx, a, audit.Event{Action: "offer.update", ObjectType: "offer", ObjectID: o.ID, Detail: "statut : filled (tous les postes pourvus)"})
}

// personPositionings lists a person's candidacies the actor may see.
func (s *Service) personPositionings(ctx context.Context, a access.Actor, personID string) ([]Positioning, error) {
	var w db.Where
	w.Add("ps.person_id = $%d", personID)
	if a.Has(access.RoleEmployer) && !a.System {
		w.Add("ps.employer_org_id = $%d", a.OrgID)
		w.Raw(people.EmployerSeesPositioning)
	}
	return positioningsWhere(ctx, s.db, &w, 200)
}

// OfferPositionings lists the candidacies on an offer the actor may see: an
// employer sees those sent to it (or it proposed) of people whose consent is
// in force; a professional those of the people whose files they may read.
func (s *Service) OfferPositionings(ctx context.Context, a access.Actor, offerID string) ([]Positioning, error) {
	o, err := s.GetOffer(ctx, a, offerID)
	if err != nil {
		return nil, err
	}
	var w db.Where
	w.Add("ps.offer_id = $%d", o.ID)
	if a.Has(access.RoleEmployer) && !a.System {
		w.Raw(people.EmployerSeesPositioning)
		w.Raw("EXISTS (SELECT 1 FROM cv_consents c WHERE c.person_id = ps.person_id AND c.revoked_at IS NULL)")
		list, err := positioningsWhere(ctx, s.db, &w, 1000)
		if err != nil {
			return nil, err
		}
		return list, s.traceList(ctx, a, positioningPeople(list))
	}
	scope, err := people.ScopeSQL(ctx, s.db, people.StaffOnly(a), s.today(), &w)
	if err != nil {
		return nil, err
	}
	w.Raw(scope)
	list, err := positioningsWhere(ctx, s.db, &w, 1000)
	if err != nil {
		return nil, err
	}
	return list, s.traceList(ctx, a, positioningPeople(list))
}

func positioningPeople(list []Positioning) []string {
	ids := make([]string, len(list))
	for i, p := range list {
		ids[i] = p.PersonID
	}
	return ids
}

// traceList records that the actor saw these people named in a list.
func (s *Service) traceList(ctx context.Context, a access.Actor, personIDs []string) error {
	if len(personIDs) == 0 {
		return nil
	}
	events := make([]audit.Event, len(personIDs))
	for i, id := range personIDs {
		events[i] = audit.Event{Action: "person.list", ObjectType: "person", ObjectID: id, PersonID: id}
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
}
