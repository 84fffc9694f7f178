package review

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// MaxSuggestions bounds the situations suggested for an agenda.
const MaxSuggestions = 20

// maxStaff bounds the list of professionals offered as participants.
const maxStaff = 500

var errReadOnly = errs.New(errs.Forbidden, "Seuls l'organisateur de la commission, les administrateurs de sa structure et les responsables du département la modifient.")

var errNotConvener = errs.New(errs.Forbidden, "Seul le département convoque l'équipe pluridisciplinaire, avant toute réduction ou suspension du RSA. Vous pouvez organiser un groupe de professionnels.")

// Service is the case review use cases.
type Service struct {
	db     *db.DB
	people *people.Service
	// now is the clock; tests move it.
	now func() time.Time
}

// NewService returns the case review service; people checks every file an agenda names.
func NewService(d *db.DB, p *people.Service) *Service { return &Service{db: d, people: p, now: db.Now} }

// SetClock replaces the clock, for tests that need a given moment.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// today is the current day in Paris, as midnight UTC.
func (s *Service) today() time.Time { return parisDay(s.now()) }

// authorize loads a review with its participants and checks that the actor
// may act on it: a review the actor may not read is not found, one it reads
// but may not change is forbidden.
func (s *Service) authorize(ctx context.Context, a access.Actor, id string, act access.Action) (Review, error) {
	if !a.Authenticated() {
		return Review{}, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !db.ValidID(id) {
		return Review{}, errNotFound
	}
	r, err := getReview(ctx, s.db, id)
	if err != nil {
		return Review{}, err
	}
	if !access.CanCaseReview(a, r.Facts(), access.Read) {
		return Review{}, errNotFound
	}
	if act == access.Write && !access.CanCaseReview(a, r.Facts(), access.Write) {
		return Review{}, errReadOnly
	}
	return r, nil
}

// authorizeItem loads an item and its review, checked like authorize; when
// reviewID is set, the item must belong to that review.
func (s *Service) authorizeItem(ctx context.Context, a access.Actor, reviewID, itemID string, act access.Action) (Review, Item, error) {
	if !a.Authenticated() {
		return Review{}, Item{}, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !db.ValidID(itemID) {
		return Review{}, Item{}, errItemNotFound
	}
	it, err := getItem(ctx, s.db, itemID)
	if err == nil && reviewID != "" && it.ReviewID != reviewID {
		err = errItemNotFound
	}
	if err != nil {
		return Review{}, Item{}, err
	}
	r, err := s.authorize(ctx, a, it.ReviewID, act)
	if errs.Is(err, errs.NotFound) {
		return Review{}, Item{}, errItemNotFound
	}
	return r, it, err
}

// Create organises a review for the actor's organisation; its creator sits in it.
func (s *Service) Create(ctx context.Context, a access.Actor, n NewReview) (Review, error) {
	if !a.Authenticated() {
		return Review{}, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !access.CanCreateCaseReview(a) {
		return Review{}, errs.New(errs.Forbidden, "Votre rôle ne permet pas d'organiser une commission.")
	}
	if n.Kind == KindEP && !access.CanConveneEP(a) {
		return Review{}, errNotConvener
	}
	held, err := n.validate(s.today())
	if err != nil {
		return Review{}, err
	}
	invited, err := s.invitees(ctx, a, n.Participants)
	if err != nil {
		return Review{}, err
	}
	r := Review{ID: db.NewID(), Territory: a.Territory, OrgID: a.OrgID, Kind: n.Kind, Title: strings.TrimSpace(n.Title),
		HeldOn: held, Status: StatusPlanned, CreatedBy: a.UserID, CreatedAt: s.now()}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertReview(ctx, tx, r); err != nil {
			return err
		}
		invited = append([]StaffMember{{UserID: a.UserID, OrgID: a.OrgID}}, invited...)
		for _, m := range invited {
			if err := insertParticipant(ctx, tx, r.ID, m.UserID, m.OrgID); err != nil {
				return err
			}
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "case_review.create", ObjectType: "case_review", ObjectID: r.ID, Detail: string(r.Kind)})
	})
	if err != nil {
		return Review{}, err
	}
	return getReview(ctx, s.db, r.ID)
}

// invitees finds the professionals of the actor's territory named by email,
// each sitting for the actor's organisation when they belong to it.
func (s *Service) invitees(ctx context.Context, a access.Actor, emails []string) ([]StaffMember, error) {
	var out []StaffMember
	for _, email := range emails {
		found, err := staffOf(ctx, s.db, a.Territory, staffFilter{Email: email}, 50)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, errs.FieldErrors{"participants": "Aucun professionnel d'une structure du territoire n'a l'adresse « " + strings.TrimSpace(email) + " »."}.Err()
		}
		out = append(out, pick(found, a.OrgID))
	}
	return out, nil
}

// pick chooses, among the memberships of one professional, the one for the
// organiser's organisation if there is one, else the first by name.
func pick(found []StaffMember, orgID string) StaffMember {
	for _, m := range found {
		if m.OrgID == orgID {
			return m
		}
	}
	return found[0]
}

// List returns a page of the reviews the actor may see, latest first.
// Listings name no person, so they are not traced.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Review, int, error) {
	if !a.Authenticated() {
		return nil, 0, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit, f.Offset = min(f.Limit, 500), max(f.Offset, 0)
	return listReviews(ctx, s.db, access.ScopeForCaseReviews(a), f)
}

// Get returns a review with its participants and agenda; the read is traced
// for the review and for every person on its agenda.
func (s *Service) Get(ctx context.Context, a access.Actor, id string) (Review, error) {
	r, err := s.authorize(ctx, a, id, access.Read)
	if err != nil {
		return Review{}, err
	}
	if r.Items, err = itemsOf(ctx, s.db, id); err != nil {
		return Review{}, err
	}
	events := []audit.Event{{Action: "case_review.read", ObjectType: "case_review", ObjectID: id}}
	for _, it := range r.Items {
		events = append(events, audit.Event{Action: "case_review.read", ObjectType: "case_review_item", ObjectID: it.ID, PersonID: it.PersonID})
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
	return r, err
}

// Item returns one point of a review's agenda (of any review the actor may
// read when reviewID is empty); the read is traced.
func (s *Service) Item(ctx context.Context, a access.Actor, reviewID, itemID string) (Review, Item, error) {
	r, it, err := s.authorizeItem(ctx, a, reviewID, itemID, access.Read)
	if err != nil {
		return Review{}, Item{}, err
	}
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "case_review.read", ObjectType: "case_review_item", ObjectID: it.ID, PersonID: it.PersonID})
	return r, it, err
}

// CanWrite reports whether the actor may change the review.
func CanWrite(a access.Actor, r Review) bool {
	return access.CanCaseReview(a, r.Facts(), access.Write)
}

// Staff lists the professionals of the review's territory who may be invited.
func (s *Service) Staff(ctx context.Context, a access.Actor, r Review) ([]StaffMember, error) {
	if !CanWrite(a, r) {
		return nil, errReadOnly
	}
	return staffOf(ctx, s.db, r.Territory, staffFilter{}, maxStaff)
}

// AddParticipant invites a professional of the territory, named by email or
// by account and organisation. Someone working for several structures sits
// for the organiser's when they belong to it, else for the first by name.
func (s *Service) AddParticipant(ctx context.Context, a access.Actor, reviewID string, who StaffMember) (Participant, error) {
	r, err := s.authorize(ctx, a, reviewID, access.Write)
	if err != nil {
		return Participant{}, err
	}
	f, field := staffFilter{UserID: who.UserID, OrgID: who.OrgID}, "user"
	if strings.TrimSpace(who.Email) != "" {
		f, field = staffFilter{Email: who.Email}, "email"
	}
	if f == (staffFilter{}) {
		return Participant{}, errs.FieldErrors{"email": "Indiquez l'adresse d'un professionnel ou choisissez-le dans la liste."}.Err()
	}
	found, err := staffOf(ctx, s.db, r.Territory, f, 50)
	if err != nil {
		return Participant{}, err
	}
	if len(found) == 0 {
		return Participant{}, errs.FieldErrors{field: "Aucun professionnel d'une structure du territoire ne correspond."}.Err()
	}
	m := pick(found, r.OrgID)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertParticipant(ctx, tx, r.ID, m.UserID, m.OrgID); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "case_review.participant.add", ObjectType: "case_review", ObjectID: r.ID, Detail: "compte " + m.UserID})
	})
	return Participant{UserID: m.UserID, Name: m.Name, Email: m.Email, OrgID: m.OrgID, OrgName: m.OrgName}, err
}

// Suggestions lists, for a review still planned, the hardest situations
// among the files the actor may see and that are not yet on its agenda:
// long without progress, several obstacles, repeated no-shows. Each file
// suggested is checked again by the registry and its display traced.
func (s *Service) Suggestions(ctx context.Context, a access.Actor, r Review) ([]Suggestion, error) {
	if !CanWrite(a, r) {
		return nil, errReadOnly
	}
	if r.Held() {
		return nil, nil
	}
	day := s.today()
	cutoff := steps.AddMonths(day, -staleMonths)
	// A few more than shown: the registry may still refuse some of them.
	cands, err := hardSituations(ctx, s.db, a, r.ID, day, cutoff, 2*MaxSuggestions)
	if err != nil {
		return nil, err
	}
	var out []Suggestion
	var events []audit.Event
	for _, c := range cands {
		if len(out) == MaxSuggestions {
			break
		}
		if _, _, err := s.people.Authorize(ctx, a, c.PersonID, access.Read); errs.Is(err, errs.NotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, Suggestion{PersonID: c.PersonID, Name: c.Name, Reasons: c.reasons(cutoff)})
		events = append(events, audit.Event{Action: "case_review.suggest", ObjectType: "case_review", ObjectID: r.ID, PersonID: c.PersonID})
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
	return out, err
}

// reasons says in French why a situation is suggested.
func (c candidate) reasons(cutoff time.Time) []string {
	var out []string
	if c.NoShows >= minNoShows {
		out = append(out, fmt.Sprintf("%d rendez-vous manqués en %d mois", c.NoShows, staleMonths))
	}
	if c.Obstacles >= minObstacles {
		out = append(out, fmt.Sprintf("%d freins relevés au dernier diagnostic", c.Obstacles))
	}
	if c.stale(cutoff) {
		if c.LastStep.Valid {
			out = append(out, fmt.Sprintf("aucune avancée depuis plus de %d mois (dernière étape le %s)", staleMonths, c.LastStep.Time.Format("02/01/2006")))
		} else {
			out = append(out, fmt.Sprintf("aucune étape depuis l'orientation ou le début du suivi, le %s", c.Began.Time.Format("02/01/2006")))
		}
	}
	if len(out) > 0 {
		first := []rune(out[0])
		out[0] = strings.ToUpper(string(first[:1])) + string(first[1:])
	}
	return out
}

// SearchPeople finds files the actor may see by name, to add them to the agenda by hand.
func (s *Service) SearchPeople(ctx context.Context, a access.Actor, r Review, query string) ([]people.Person, error) {
	if !CanWrite(a, r) {
		return nil, errReadOnly
	}
	if strings.TrimSpace(query) == "" {
		return nil, nil
	}
	list, _, err := s.people.List(ctx, a, people.Filter{Query: query, Limit: 20})
	return list, err
}

// AddItem puts a person on the agenda of a planned review. The actor must be
// able to read the person's file: the team then sees the name and reasons.
func (s *Service) AddItem(ctx context.Context, a access.Actor, reviewID string, n NewItem) (Item, error) {
	r, err := s.authorize(ctx, a, reviewID, access.Write)
	if err != nil {
		return Item{}, err
	}
	if r.Held() {
		return Item{}, errs.New(errs.Conflict, "La commission s'est tenue : son ordre du jour est clos.")
	}
	if err := n.validate(r.Kind); err != nil {
		return Item{}, err
	}
	if _, _, err := s.people.Authorize(ctx, a, n.PersonID, access.Read); errs.Is(err, errs.NotFound) {
		return Item{}, errs.FieldErrors{"person_id": "Personne introuvable parmi les dossiers que vous pouvez consulter."}.Err()
	} else if err != nil {
		return Item{}, err
	}
	it := Item{ID: db.NewID(), ReviewID: r.ID, PersonID: n.PersonID, Kind: n.Kind, Reasons: n.Reasons, AddedBy: a.UserID, CreatedAt: s.now()}
	if n.Kind == ItemSanction {
		it.SanctionRate, it.SanctionMonths = n.SanctionRate, n.SanctionMonths
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertItem(ctx, tx, it); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "case_review.item.add", ObjectType: "case_review_item", ObjectID: it.ID,
			PersonID: it.PersonID, Detail: string(it.Kind)})
	})
	if err != nil {
		return Item{}, err
	}
	return getItem(ctx, s.db, it.ID)
}

// RecordHearing records how the person used the right to be heard before
// the opinion on a sanction. Like every change of an item, reviewID may be
// empty (the API names items alone) or must be the item's review.
func (s *Service) RecordHearing(ctx context.Context, a access.Actor, reviewID, itemID string, h Hearing, note string) (Item, error) {
	_, it, err := s.authorizeItem(ctx, a, reviewID, itemID, access.Write)
	if err != nil {
		return Item{}, err
	}
	fe := errs.FieldErrors{}
	if it.Kind != ItemSanction {
		fe.Add("heard", "Le droit d'être entendu s'exerce sur un point de sanction.")
	}
	if !validHearing(h) {
		fe.Add("heard", "Indiquez si la personne a été convoquée, entendue, a envoyé des observations écrites ou était absente.")
	}
	if note = strings.TrimSpace(note); len([]rune(note)) > 2000 {
		fe.Add("heard_note", "La note ne doit pas dépasser 2 000 caractères.")
	}
	if err := fe.Err(); err != nil {
		return Item{}, err
	}
	return s.updateItem(ctx, a, it, "case_review.hearing", string(h), `heard = $1, heard_note = $2`, string(h), note)
}

func validHearing(h Hearing) bool {
	for _, v := range Hearings {
		if v == h {
			return true
		}
	}
	return false
}

// ProposeSanction sets the suspension-remobilisation the équipe gives its
// opinion on: 30 % to 100 % of the allowance, for one or two months.
func (s *Service) ProposeSanction(ctx context.Context, a access.Actor, reviewID, itemID string, rate, months int) (Item, error) {
	_, it, err := s.authorizeItem(ctx, a, reviewID, itemID, access.Write)
	if err != nil {
		return Item{}, err
	}
	fe := errs.FieldErrors{}
	if it.Kind != ItemSanction {
		fe.Add("sanction_rate", "Ce point n'est pas une sanction.")
	}
	checkSanction(rate, months, fe)
	if err := fe.Err(); err != nil {
		return Item{}, err
	}
	return s.updateItem(ctx, a, it, "case_review.sanction", fmt.Sprintf("%d %% %d mois", rate, months),
		`sanction_rate = $1, sanction_months = $2`, rate, months)
}

// updateItem changes an undecided item and traces it.
func (s *Service) updateItem(ctx context.Context, a access.Actor, it Item, action, detail, set string, args ...any) (Item, error) {
	if it.Decided() {
		return Item{}, errDecided
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := updateOpenItem(ctx, tx, it.ID, set, args...); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: action, ObjectType: "case_review_item", ObjectID: it.ID, PersonID: it.PersonID, Detail: detail})
	})
	if err != nil {
		return Item{}, err
	}
	return getItem(ctx, s.db, it.ID)
}

// Decide records the decision on an item and turns its actions into actions
// of the person's plan, each with a participant as owner and a due date. An
// opinion on a sanction needs the person to have been at least convoqué.
func (s *Service) Decide(ctx context.Context, a access.Actor, reviewID, itemID string, d Decision) (Item, error) {
	r, it, err := s.authorizeItem(ctx, a, reviewID, itemID, access.Write)
	if err != nil {
		return Item{}, err
	}
	if it.Decided() {
		return Item{}, errDecided
	}
	if len(d.Actions) > 0 {
		// Actions land in the person's plan: the decider must still be allowed to write the file.
		if _, _, err := s.people.Authorize(ctx, a, it.PersonID, access.Write); err != nil {
			return Item{}, err
		}
	}
	dues, err := d.validate(r, it)
	if err != nil {
		return Item{}, err
	}
	now := s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := recordDecision(ctx, tx, it.ID, d, a.UserID, now); err != nil {
			return err
		}
		events := []audit.Event{{Action: "case_review.decision", ObjectType: "case_review_item", ObjectID: it.ID, PersonID: it.PersonID,
			Detail: strings.TrimSpace("actions: " + fmt.Sprint(len(d.Actions)) + " " + string(d.Outcome))}}
		for i, na := range d.Actions {
			owner := participant(r, na.OwnerID)
			act := Action{ID: db.NewID(), PersonID: it.PersonID, Title: na.Title, OwnerID: owner.UserID, OwnerOrgID: owner.OrgID,
				DueDate: dues[i], Status: "a_faire"}
			if err := insertAction(ctx, tx, act, it.ID, a.UserID, now); err != nil {
				return err
			}
			events = append(events, audit.Event{Action: "plan_action.create", ObjectType: "plan_action", ObjectID: act.ID, PersonID: it.PersonID,
				Detail: "commission " + r.ID})
		}
		return audit.LogBatchTx(ctx, tx, a, events)
	})
	if err != nil {
		return Item{}, err
	}
	return getItem(ctx, s.db, it.ID)
}

// MarkHeld records that the review took place: its agenda is then closed.
func (s *Service) MarkHeld(ctx context.Context, a access.Actor, reviewID string) error {
	r, err := s.authorize(ctx, a, reviewID, access.Write)
	if err != nil {
		return err
	}
	if r.Held() {
		return nil
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := setStatus(ctx, tx, r.ID, StatusHeld); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "case_review.held", ObjectType: "case_review", ObjectID: r.ID})
	})
}
