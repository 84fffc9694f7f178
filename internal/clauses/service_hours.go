package clauses

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

// MaxMonthlyHours is the most one person can work in a month under one contract (48 h a week).
const MaxMonthlyHours = Hours(300 * 100)

// ParticipantInput is what is entered about a participant.
type ParticipantInput struct {
	PersonID     string `json:"person_id"`
	ExternalID   string `json:"external_id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	BirthDate    string `json:"birth_date"`
	Sex          string `json:"sex"`
	CommuneCode  string `json:"commune_code"`
	QPV          bool   `json:"qpv"`
	Public       string `json:"public"`
	PublicReason string `json:"public_reason"`
	ProofDate    string `json:"proof_date"`
	// Validate records the actor (a facilitator) as having checked the eligibility.
	Validate bool `json:"validate"`
}

// participant checks the input and returns the participant it describes.
func (in ParticipantInput) participant() (Participant, error) {
	fe := errs.FieldErrors{}
	p := Participant{PersonID: strings.TrimSpace(in.PersonID), ExternalID: strings.TrimSpace(in.ExternalID),
		FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName), Sex: strings.ToUpper(strings.TrimSpace(in.Sex)),
		CommuneCode: strings.TrimSpace(in.CommuneCode), QPV: in.QPV, Public: strings.ToUpper(strings.TrimSpace(in.Public)),
		PublicReason: strings.TrimSpace(in.PublicReason)}
	if p.FirstName == "" {
		fe.Add("first_name", "Le prénom est obligatoire.")
	}
	if p.LastName == "" {
		fe.Add("last_name", "Le nom est obligatoire.")
	}
	if len(p.ExternalID) > 64 {
		fe.Add("external_id", "Identifiant trop long (64 caractères au plus).")
	}
	if p.PersonID != "" && !db.ValidID(p.PersonID) {
		fe.Add("person_id", "Personne introuvable.")
	}
	if s := strings.TrimSpace(in.BirthDate); s != "" {
		if d, err := parseDate(s); err != nil || d.Year() < 1900 || d.After(time.Now()) {
			fe.Add("birth_date", "Date de naissance attendue (AAAA-MM-JJ ou JJ/MM/AAAA).")
		} else {
			p.BirthDate = &d
		}
	}
	switch p.Sex {
	case "", "F", "M":
	case "FEMME":
		p.Sex = "F"
	case "HOMME":
		p.Sex = "M"
	default:
		fe.Add("sex", "Sexe attendu : F ou M.")
	}
	if !valid(Publics, p.Public) {
		fe.Add("public", "Public inconnu : "+codes(Publics)+".")
	} else if p.Public == "AUTRE" && p.PublicReason == "" {
		fe.Add("public_reason", "Un public « autre » est validé par le facilitateur sur un avis motivé : donnez la raison.")
	}
	if s := strings.TrimSpace(in.ProofDate); s != "" {
		if d, err := parseDate(s); err != nil {
			fe.Add("proof_date", "Date du justificatif attendue (AAAA-MM-JJ).")
		} else {
			p.ProofDate = &d
		}
	}
	if p.CommuneCode != "" && !isCommuneCode(p.CommuneCode) {
		fe.Add("commune_code", "Code commune INSEE attendu (5 caractères).")
	}
	return p, fe.Err()
}

// canValidate reports whether the actor may vouch for a participant's eligibility.
func canValidate(a access.Actor) bool { return a.System || a.Has(access.RoleFacilitator) }

// CreateParticipant records a participant; a facilitator may validate the eligibility at once.
func (s *Service) CreateParticipant(ctx context.Context, a access.Actor, in ParticipantInput) (Participant, error) {
	sc := access.ScopeForClauses(a)
	if sc.None || !sc.Names || sc.Territory != "" && !a.System {
		return Participant{}, errForbidden
	}
	p, err := in.participant()
	if err != nil {
		return Participant{}, err
	}
	if err := s.checkPerson(ctx, a, p.PersonID); err != nil {
		return Participant{}, err
	}
	if a.Territory == "" {
		return Participant{}, errNoTerritory
	}
	now := db.Now()
	p.ID, p.Territory, p.CreatedAt, p.UpdatedAt = db.NewID(), a.Territory, now, now
	if in.Validate && canValidate(a) {
		p.ValidatedBy, p.ValidatedAt = a.UserID, &now
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertParticipant(ctx, tx, p, a.OrgID); err != nil {
			return externalConflict(err)
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_participant.create", ObjectType: "clause_participant", ObjectID: p.ID, PersonID: p.PersonID})
	})
	return p, err
}

func externalConflict(err error) error {
	if db.IsUniqueViolation(err) {
		const msg = "Un participant porte déjà cet identifiant."
		return &errs.Error{Code: errs.Conflict, Message: msg, Fields: map[string]string{"external_id": msg}}
	}
	return err
}

// checkPerson checks that a registry person the participant is linked to is readable by the actor.
func (s *Service) checkPerson(ctx context.Context, a access.Actor, personID string) error {
	if personID == "" || s.people == nil {
		return nil
	}
	if _, _, err := s.people.Get(ctx, a, personID); err != nil {
		return errs.FieldErrors{"person_id": "Personne introuvable dans vos dossiers."}.Err()
	}
	return nil
}

// UpdateParticipant corrects a participant the actor may name; only a
// facilitator validates the eligibility.
func (s *Service) UpdateParticipant(ctx context.Context, a access.Actor, id string, in ParticipantInput) (Participant, error) {
	old, err := s.GetParticipant(ctx, a, id)
	if err != nil {
		return Participant{}, err
	}
	if !canValidate(a) && (a.OrgID == "" || a.OrgID != old.CreatedByOrg) {
		// The record is shared by the companies and the facilitator: only they and its author correct it.
		return Participant{}, errs.New(errs.Forbidden, "Seuls le facilitateur et la structure qui a enregistré ce participant peuvent corriger sa fiche.")
	}
	p, err := in.participant()
	if err != nil {
		return Participant{}, err
	}
	if p.PersonID != old.PersonID {
		if err := s.checkPerson(ctx, a, p.PersonID); err != nil {
			return Participant{}, err
		}
	}
	now := db.Now()
	p.ID, p.Territory, p.CreatedAt, p.UpdatedAt, p.CreatedByOrg = old.ID, old.Territory, old.CreatedAt, now, old.CreatedByOrg
	p.ValidatedBy, p.ValidatedAt = old.ValidatedBy, old.ValidatedAt
	if p.Public != old.Public || !sameDay(p.ProofDate, old.ProofDate) || p.PublicReason != old.PublicReason {
		// A changed eligibility is no longer the one that was checked.
		p.ValidatedBy, p.ValidatedAt = "", nil
	}
	if in.Validate && canValidate(a) {
		p.ValidatedBy, p.ValidatedAt = a.UserID, &now
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := updateParticipant(ctx, tx, p); err != nil {
			return externalConflict(err)
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_participant.update", ObjectType: "clause_participant", ObjectID: p.ID, PersonID: p.PersonID})
	})
	return p, err
}

func sameDay(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// GetParticipant returns a participant the actor may name; the read is traced.
func (s *Service) GetParticipant(ctx context.Context, a access.Actor, id string) (Participant, error) {
	if !db.ValidID(id) {
		return Participant{}, errParticipantNotFound
	}
	ok, err := participantVisible(ctx, s.db, access.ScopeForClauses(a), id)
	if err != nil {
		return Participant{}, err
	}
	if !ok {
		return Participant{}, errParticipantNotFound
	}
	p, _, err := getParticipant(ctx, s.db, id)
	if err != nil {
		return Participant{}, err
	}
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "clause_participant.read", ObjectType: "clause_participant", ObjectID: id, PersonID: p.PersonID})
	return p, err
}

// ListParticipants lists the participants the actor may name.
func (s *Service) ListParticipants(ctx context.Context, a access.Actor, f ParticipantFilter) ([]Participant, int, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	list, total, err := listParticipants(ctx, s.db, access.ScopeForClauses(a), f)
	if err != nil {
		return nil, 0, err
	}
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "clause_participant.list", ObjectType: "clause_participant", Detail: "résultats: " + strconv.Itoa(len(list))})
	return list, total, err
}

// ---- Declarations ----

// DeclarationInput is a month of hours of one participant.
type DeclarationInput struct {
	MarketID     string `json:"market_id"`
	CompanyOrgID string `json:"company_org_id"`
	// ParticipantID names a known participant; else Participant describes one,
	// found again by its identifier or its names and birth date.
	ParticipantID string            `json:"participant_id"`
	Participant   *ParticipantInput `json:"participant,omitempty"`
	Month         string            `json:"month"`
	Hours         Hours             `json:"hours"`
	ContractType  string            `json:"contract_type"`
	Mode          string            `json:"mode"`
	ViaOrgID      string            `json:"via_org_id"`
}

// checkLine checks the month, hours, contract and mode of a line.
func checkLine(fe errs.FieldErrors, month string, h Hours, contract, mode string, m Market, today time.Time) Month {
	mo, err := ParseMonth(month)
	switch {
	case err != nil:
		fe.Add("month", "Mois attendu au format AAAA-MM.")
	case mo < MonthOf(m.Start):
		fe.Add("month", "Le mois précède le début du marché ("+MonthOf(m.Start).Label()+").")
	case mo > MonthOf(m.End):
		fe.Add("month", "Le mois suit la fin du marché ("+MonthOf(m.End).Label()+").")
	case mo > MonthOf(today):
		fe.Add("month", "Les heures se déclarent une fois le mois commencé.")
	}
	switch {
	case h < 0:
		fe.Add("hours", "Les heures ne peuvent pas être négatives.")
	case h > MaxMonthlyHours:
		fe.Add("hours", "Plus de 300 heures dans le mois pour une personne : vérifiez la saisie.")
	}
	if !valid(ContractTypes, contract) {
		fe.Add("contract_type", "Type de contrat inconnu : "+codes(ContractTypes)+".")
	}
	if !valid(Modes, mode) {
		fe.Add("mode", "Modalité inconnue : "+codes(Modes)+".")
	}
	return mo
}

// awarded reports whether the company is awarded the market.
func awarded(m Market, companyID string) (Award, bool) {
	for _, aw := range m.Awards {
		if aw.CompanyOrgID == companyID {
			return aw, true
		}
	}
	return Award{}, false
}

// Declare records (or corrects) a month of hours; the key (market, company,
// participant, month, contract) is replaced, never added twice.
func (s *Service) Declare(ctx context.Context, a access.Actor, in DeclarationInput, source string) (Declaration, error) {
	m, err := s.GetMarket(ctx, a, in.MarketID)
	if err != nil {
		return Declaration{}, err
	}
	if in.CompanyOrgID == "" && a.HasAny(access.RoleEmployer, access.RoleSIAEStaff) {
		in.CompanyOrgID = a.OrgID
	}
	fe := errs.FieldErrors{}
	aw, ok := awarded(m, in.CompanyOrgID)
	if !ok {
		fe.Add("company_org_id", "Cette entreprise n'est pas attributaire du marché.")
	}
	in.ContractType, in.Mode = strings.ToUpper(strings.TrimSpace(in.ContractType)), strings.ToUpper(strings.TrimSpace(in.Mode))
	if in.ViaOrgID == "" && placementMode(in.Mode) {
		in.ViaOrgID = aw.PartnerOrgID
	}
	switch {
	case in.ViaOrgID != "" && !placementMode(in.Mode):
		// A person the company hired itself is not shown to its partner structures.
		fe.Add("via_org_id", "Une structure ne se nomme que pour une mise à disposition, une sous-traitance ou une cotraitance.")
	case in.ViaOrgID != "" && !s.orgExists(ctx, in.ViaOrgID):
		fe.Add("via_org_id", "Structure inconnue.")
	case ok && in.ViaOrgID != "" && in.ViaOrgID != aw.PartnerOrgID && !canValidate(a):
		// Only the facilitator names another placing structure than the award's partner.
		fe.Add("via_org_id", "Cette structure n'est pas le partenaire de l'entreprise sur ce marché.")
	}
	mo := checkLine(fe, in.Month, in.Hours, in.ContractType, in.Mode, m, s.today())
	if err := fe.Err(); err != nil {
		return Declaration{}, err
	}
	facts := access.Declaration{Market: marketFacts(m), CompanyOrgID: in.CompanyOrgID, ViaOrgID: in.ViaOrgID}
	if !access.CanDeclaration(a, facts, access.Write) {
		return Declaration{}, errs.New(errs.Forbidden, "Vous ne pouvez pas déclarer d'heures pour cette entreprise sur ce marché.")
	}
	d := Declaration{Territory: m.Territory, MarketID: m.ID, CompanyOrgID: in.CompanyOrgID, Month: mo,
		ContractType: in.ContractType, Mode: in.Mode, Hours: in.Hours, ViaOrgID: in.ViaOrgID, Source: source}
	var personID string
	write := func(tx *db.Tx) error {
		p, err := s.resolveParticipant(ctx, tx, a, m.Territory, in)
		if err != nil {
			return err
		}
		d.ParticipantID, personID = p.ID, p.PersonID
		id, changed, err := upsertDeclaration(ctx, tx, d, a.UserID, db.Now())
		if err != nil {
			return err
		}
		d.ID = id
		if !changed {
			return nil
		}
		if err := (staleYears{}).add(d).refresh(ctx, tx); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_hours.declare", ObjectType: "clause_hours", ObjectID: id, PersonID: personID,
			Detail: string(mo) + " " + d.Hours.String() + " h"})
	}
	err = s.db.InTx(ctx, write)
	if db.IsUniqueViolation(err) {
		// The same line was declared at the same moment: this one replaces it.
		err = s.db.InTx(ctx, write)
	}
	if err != nil {
		return Declaration{}, err
	}
	out, _, err := s.GetDeclaration(ctx, a, d.ID)
	return out, err
}

// resolveParticipant finds the participant a line names, or records a new one.
func (s *Service) resolveParticipant(ctx context.Context, tx *db.Tx, a access.Actor, territory string, in DeclarationInput) (Participant, error) {
	if in.ParticipantID != "" {
		ok, err := participantVisible(ctx, tx, access.ScopeForClauses(a), in.ParticipantID)
		if err != nil {
			return Participant{}, err
		}
		p, found, err := getParticipant(ctx, tx, in.ParticipantID)
		if err != nil {
			return Participant{}, err
		}
		if !ok || !found || p.Territory != territory {
			return Participant{}, errs.FieldErrors{"participant_id": "Participant introuvable."}.Err()
		}
		return p, nil
	}
	if in.Participant == nil {
		return Participant{}, errs.FieldErrors{"participant_id": "Choisissez le participant ou décrivez-le."}.Err()
	}
	p, err := in.Participant.participant()
	if err != nil {
		return Participant{}, err
	}
	old, ok, err := s.findParticipant(ctx, tx, a, territory, p)
	if err != nil || ok {
		return old, err
	}
	if err := s.checkPerson(ctx, a, p.PersonID); err != nil {
		return Participant{}, err
	}
	now := db.Now()
	p.ID, p.Territory, p.CreatedAt, p.UpdatedAt = db.NewID(), territory, now, now
	if in.Participant.Validate && canValidate(a) {
		p.ValidatedBy, p.ValidatedAt = a.UserID, &now
	}
	if err := insertParticipant(ctx, tx, p, a.OrgID); err != nil {
		return Participant{}, externalConflict(err)
	}
	return p, nil
}

// GetDeclaration returns a line of hours the actor may read, with its corrections.
func (s *Service) GetDeclaration(ctx context.Context, a access.Actor, id string) (Declaration, []Correction, error) {
	if !db.ValidID(id) {
		return Declaration{}, nil, errDeclarationNotFound
	}
	r, ok, err := getDeclaration(ctx, s.db, id)
	if err != nil {
		return Declaration{}, nil, err
	}
	if !ok || !access.CanDeclaration(a, r.facts(), access.Read) {
		return Declaration{}, nil, errDeclarationNotFound
	}
	cs, err := listCorrections(ctx, s.db, id)
	if err != nil {
		return Declaration{}, nil, err
	}
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "clause_hours.read", ObjectType: "clause_hours", ObjectID: id})
	return r.Declaration, cs, err
}

// DeclarationPage is a page of lines of hours with the total of all the lines selected.
type DeclarationPage struct {
	Lines []Declaration `json:"lines"`
	Total int           `json:"total"`
	Hours Hours         `json:"hours"`
}

// check refuses a filter naming an unknown public, contract type or mode, or a reversed period.
func (f HoursFilter) check(fe errs.FieldErrors) {
	if f.Public != "" && !valid(Publics, f.Public) {
		fe.Add("public", "Public inconnu : "+codes(Publics)+".")
	}
	if f.ContractType != "" && !valid(ContractTypes, f.ContractType) {
		fe.Add("contract_type", "Type de contrat inconnu : "+codes(ContractTypes)+".")
	}
	if f.Mode != "" && !valid(Modes, f.Mode) {
		fe.Add("mode", "Modalité inconnue : "+codes(Modes)+".")
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		fe.Add("to", "La fin de la période précède son début.")
	}
}

// ListDeclarations lists the lines of hours the actor sees; buyers see them without names.
func (s *Service) ListDeclarations(ctx context.Context, a access.Actor, f HoursFilter) (DeclarationPage, error) {
	fe := errs.FieldErrors{}
	f.check(fe)
	if err := fe.Err(); err != nil {
		return DeclarationPage{}, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	sc := access.ScopeForClauses(a)
	rows, total, sum, err := listDeclarations(ctx, s.db, sc, f)
	if err != nil {
		return DeclarationPage{}, err
	}
	page := DeclarationPage{Lines: make([]Declaration, 0, len(rows)), Total: total, Hours: sum}
	for _, r := range rows {
		d := r.Declaration
		if !sc.Names {
			d.ParticipantID, d.ParticipantName, d.Public = "", "", ""
		}
		page.Lines = append(page.Lines, d)
	}
	if sc.Names && len(rows) > 0 {
		err = audit.Log(ctx, s.db, a, audit.Event{Action: "clause_hours.list", ObjectType: "clause_hours", Detail: "lignes: " + strconv.Itoa(len(rows))})
	}
	return page, err
}

// ---- Outcomes ----

// OutcomeInput is what became of a participant of an operation.
type OutcomeInput struct {
	ParticipantID string `json:"participant_id"`
	OperationID   string `json:"operation_id"`
	Stage         string `json:"stage"`
	Outcome       string `json:"outcome"`
	Detail        string `json:"detail"`
	ObservedOn    string `json:"observed_on"`
}

// RecordOutcome records (or replaces) the outcome of a participant at a stage; facilitators only.
func (s *Service) RecordOutcome(ctx context.Context, a access.Actor, in OutcomeInput) (Outcome, error) {
	op, err := s.GetOperation(ctx, a, in.OperationID)
	if err != nil {
		return Outcome{}, err
	}
	if !operationWritable(a, op) || access.IsDeptManager(a) && !a.Has(access.RoleFacilitator) {
		return Outcome{}, errForbidden
	}
	p, err := s.GetParticipant(ctx, a, in.ParticipantID)
	if err != nil {
		return Outcome{}, err
	}
	fe := errs.FieldErrors{}
	if !valid(OutcomeStages, in.Stage) {
		fe.Add("stage", "Moment inconnu : "+codes(OutcomeStages)+".")
	}
	if !valid(Outcomes, in.Outcome) {
		fe.Add("outcome", "Sortie inconnue : "+codes(Outcomes)+".")
	}
	on, err := parseDate(in.ObservedOn)
	if err != nil {
		fe.Add("observed_on", "Date attendue (AAAA-MM-JJ).")
	}
	var worked int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE h.participant_id = $1 AND m.operation_id = $2`, p.ID, op.ID).Scan(&worked); err != nil {
		return Outcome{}, err
	}
	if worked == 0 {
		fe.Add("participant_id", "Ce participant n'a pas d'heures sur l'opération.")
	}
	if err := fe.Err(); err != nil {
		return Outcome{}, err
	}
	o := Outcome{ID: db.NewID(), ParticipantID: p.ID, OperationID: op.ID, Stage: in.Stage, Outcome: in.Outcome,
		Detail: strings.TrimSpace(in.Detail), ObservedOn: on}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := upsertOutcome(ctx, tx, o, a.UserID, db.Now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_outcome.record", ObjectType: "clause_participant", ObjectID: p.ID, PersonID: p.PersonID, Detail: o.Stage + " " + o.Outcome})
	})
	return o, err
}

// ListOutcomes returns the outcomes recorded on an operation the actor sees.
func (s *Service) ListOutcomes(ctx context.Context, a access.Actor, operationID string) ([]Outcome, error) {
	if _, err := s.GetOperation(ctx, a, operationID); err != nil {
		return nil, err
	}
	return listOutcomes(ctx, s.db, "operation_id = $1", operationID)
}

// orgBySIRET returns the organisation of a SIRET, if any.
func orgBySIRET(ctx context.Context, q db.Querier, siret string) (id, kind string, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, kind FROM organisations WHERE siret = $1`, siret).Scan(&id, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	return id, kind, err == nil, err
}

// isCommuneCode reports whether s looks like an INSEE commune code (Corsica's 2A/2B included).
func isCommuneCode(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9') && !(i == 1 && (r == 'A' || r == 'B') && s[0] == '2') {
			return false
		}
	}
	return true
}

// samePerson reports whether a described participant is the recorded one: same
// names, and the same birth date when both are known.
func samePerson(rec, p Participant) bool {
	if refdata.Fold(rec.LastName) != refdata.Fold(p.LastName) || refdata.Fold(rec.FirstName) != refdata.Fold(p.FirstName) {
		return false
	}
	return rec.BirthDate == nil || p.BirthDate == nil || rec.BirthDate.Equal(*p.BirthDate)
}

// placementMode reports whether the hours were obtained through another structure.
func placementMode(mode string) bool {
	return mode == "MISE_A_DISPOSITION" || mode == "SOUS_TRAITANCE" || mode == "COTRAITANCE"
}

// findParticipant finds the recorded participant a description names: by its
// identifier (with the same names), else by names and birth date; names
// alone only find a participant the actor already names. A participant the
// actor does not name yet is only found from its full identity, which shows
// the actor knows the person.
func (s *Service) findParticipant(ctx context.Context, q db.Querier, a access.Actor, territory string, p Participant) (Participant, bool, error) {
	var old Participant
	var ok bool
	var err error
	switch {
	case p.ExternalID != "":
		old, ok, err = findParticipantByExternal(ctx, q, territory, p.ExternalID)
		if err == nil && ok && !samePerson(old, p) {
			// An identifier must not open someone else's record to whoever guesses it.
			return Participant{}, false, errs.FieldErrors{"external_id": "Cet identifiant désigne une autre personne : vérifiez le nom, le prénom et la date de naissance."}.Err()
		}
	case p.BirthDate != nil:
		old, ok, err = findParticipantByKey(ctx, q, territory, matchKey(p.LastName, p.FirstName, p.BirthDate))
	default:
		return findVisibleParticipantByKey(ctx, q, access.ScopeForClauses(a), territory, matchKey(p.LastName, p.FirstName, nil))
	}
	if err != nil || !ok {
		return Participant{}, false, err
	}
	if may, err := s.mayAttach(ctx, q, a, old, p); err != nil || !may {
		if err == nil {
			err = errs.FieldErrors{"birth_date": "Ce participant est déjà enregistré par une autre structure : donnez sa date de naissance pour le retrouver."}.Err()
		}
		return Participant{}, false, err
	}
	return old, true, nil
}

// mayAttach reports whether the actor may add hours to a recorded participant:
// one it already names, or one whose names and birth date it gives exactly.
func (s *Service) mayAttach(ctx context.Context, q db.Querier, a access.Actor, rec, p Participant) (bool, error) {
	ok, err := participantVisible(ctx, q, access.ScopeForClauses(a), rec.ID)
	if err != nil || ok {
		return ok, err
	}
	return p.BirthDate != nil && rec.BirthDate != nil && p.BirthDate.Equal(*rec.BirthDate) && samePerson(rec, p), nil
}
