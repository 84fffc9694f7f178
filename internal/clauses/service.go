package clauses

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

var (
	errOperationNotFound   = errs.New(errs.NotFound, "Opération introuvable.")
	errMarketNotFound      = errs.New(errs.NotFound, "Marché introuvable.")
	errParticipantNotFound = errs.New(errs.NotFound, "Participant introuvable.")
	errDeclarationNotFound = errs.New(errs.NotFound, "Déclaration introuvable.")
	errForbidden           = errs.New(errs.Forbidden, "Cette action est réservée aux facilitateurs des clauses.")
	errNoTerritory         = errs.New(errs.Invalid, "Le territoire de l'opération est à préciser.")
)

// Service is the use cases of the insertion clauses.
type Service struct {
	db       *db.DB
	people   *people.Service
	settings Settings
	// today returns the current day in France; tests may fix it.
	today func() time.Time
}

// NewService returns the clauses service with the département's settings.
func NewService(d *db.DB, ppl *people.Service, st Settings) *Service {
	if st.ETPDivisor <= 0 {
		st.ETPDivisor = DefaultSettings.ETPDivisor
	}
	if st.SilentMonths <= 0 {
		st.SilentMonths = DefaultSettings.SilentMonths
	}
	if st.LateRatio <= 0 {
		st.LateRatio = DefaultSettings.LateRatio
	}
	return &Service{db: d, people: ppl, settings: st, today: steps.Today}
}

// Settings returns the settings the service counts with.
func (s *Service) Settings() Settings { return s.settings }

// SetToday fixes the current day, for tests and reproducible reports.
func (s *Service) SetToday(f func() time.Time) { s.today = f }

// ---- Operations ----

// OperationInput is what a facilitator enters about an operation.
type OperationInput struct {
	Name              string `json:"name"`
	Description       string `json:"description"`
	FacilitatorUserID string `json:"facilitator_user_id"`
	Pooled            bool   `json:"pooled"`
}

func (in *OperationInput) normalize() error {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	fe := errs.FieldErrors{}
	if in.Name == "" {
		fe.Add("name", "Le nom de l'opération est obligatoire.")
	} else if len(in.Name) > 200 {
		fe.Add("name", "Le nom est trop long (200 caractères au plus).")
	}
	if in.FacilitatorUserID != "" && !db.ValidID(in.FacilitatorUserID) {
		fe.Add("facilitator_user_id", "Facilitateur inconnu.")
	}
	return fe.Err()
}

// CreateOperation opens an operation followed by the actor's organisation.
func (s *Service) CreateOperation(ctx context.Context, a access.Actor, in OperationInput) (Operation, error) {
	if !access.CanCreateOperation(a) {
		return Operation{}, errForbidden
	}
	if err := in.normalize(); err != nil {
		return Operation{}, err
	}
	if a.Territory == "" {
		return Operation{}, errNoTerritory
	}
	now := db.Now()
	o := Operation{ID: db.NewID(), Territory: a.Territory, Name: in.Name, Description: in.Description,
		FacilitatorOrgID: a.OrgID, FacilitatorUserID: in.FacilitatorUserID, Pooled: in.Pooled, CreatedAt: now, UpdatedAt: now}
	if o.FacilitatorUserID == "" && !a.System {
		o.FacilitatorUserID = a.UserID
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertOperation(ctx, tx, o); err != nil {
			return nameConflict(err)
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_operation.create", ObjectType: "clause_operation", ObjectID: o.ID})
	})
	if err != nil {
		return Operation{}, err
	}
	return s.GetOperation(ctx, a, o.ID)
}

func nameConflict(err error) error {
	if db.IsUniqueViolation(err) {
		const msg = "Une opération porte déjà ce nom sur le territoire."
		return &errs.Error{Code: errs.Conflict, Message: msg, Fields: map[string]string{"name": msg}}
	}
	return err
}

// operationWritable reports whether the actor runs the operation.
func operationWritable(a access.Actor, o Operation) bool {
	return access.CanMarket(a, access.Market{Territory: o.Territory, FacilitatorOrg: o.FacilitatorOrgID}, access.Write) &&
		!a.Has(access.RolePublicBuyer)
}

// UpdateOperation changes an operation the actor runs.
func (s *Service) UpdateOperation(ctx context.Context, a access.Actor, id string, in OperationInput) (Operation, error) {
	o, err := s.GetOperation(ctx, a, id)
	if err != nil {
		return Operation{}, err
	}
	if !operationWritable(a, o) {
		return Operation{}, errForbidden
	}
	if err := in.normalize(); err != nil {
		return Operation{}, err
	}
	if in.FacilitatorUserID == "" {
		// A form that does not show the facilitator keeps the one named.
		in.FacilitatorUserID = o.FacilitatorUserID
	}
	o.Name, o.Description, o.FacilitatorUserID, o.Pooled, o.UpdatedAt = in.Name, in.Description, in.FacilitatorUserID, in.Pooled, db.Now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := updateOperation(ctx, tx, o); err != nil {
			return nameConflict(err)
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_operation.update", ObjectType: "clause_operation", ObjectID: o.ID})
	})
	if err != nil {
		return Operation{}, err
	}
	return s.GetOperation(ctx, a, id)
}

// GetOperation returns an operation the actor sees: its facilitators, the
// territory's managers, and whoever sees one of its markets.
func (s *Service) GetOperation(ctx context.Context, a access.Actor, id string) (Operation, error) {
	if !db.ValidID(id) {
		return Operation{}, errOperationNotFound
	}
	o, ok, err := getOperation(ctx, s.db, id)
	if err != nil {
		return Operation{}, err
	}
	if !ok {
		return Operation{}, errOperationNotFound
	}
	if access.CanMarket(a, access.Market{Territory: o.Territory, FacilitatorOrg: o.FacilitatorOrgID}, access.Read) && !a.Has(access.RolePublicBuyer) {
		return o, nil
	}
	ms, err := listMarkets(ctx, s.db, access.ScopeForClauses(a), MarketFilter{OperationID: id})
	if err != nil {
		return Operation{}, err
	}
	if len(ms) == 0 {
		return Operation{}, errOperationNotFound
	}
	return o, nil
}

// ListOperations lists the operations the actor sees.
func (s *Service) ListOperations(ctx context.Context, a access.Actor) ([]Operation, error) {
	return listOperations(ctx, s.db, access.ScopeForClauses(a))
}

// ---- Markets ----

// MarketInput is what a facilitator or a buyer enters about a market.
type MarketInput struct {
	OperationID       string  `json:"operation_id"`
	BuyerOrgID        string  `json:"buyer_org_id"`
	Reference         string  `json:"reference"`
	Title             string  `json:"title"`
	AmountCents       int64   `json:"amount_cents"`
	StartDate         string  `json:"start_date"`
	EndDate           string  `json:"end_date"`
	ClauseType        string  `json:"clause_type"`
	HoursRule         string  `json:"hours_rule"`
	RuleBase          float64 `json:"rule_base"`
	RuleRate          float64 `json:"rule_rate"`
	RequiredHours     Hours   `json:"required_hours"`
	FacilitatorUserID string  `json:"facilitator_user_id"`
}

// parseDate reads YYYY-MM-DD or DD/MM/YYYY.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse("02/01/2006", s)
}

// market checks the input and returns the market it describes.
func (in MarketInput) market() (Market, error) {
	fe := errs.FieldErrors{}
	m := Market{OperationID: in.OperationID, BuyerOrgID: in.BuyerOrgID, Reference: strings.TrimSpace(in.Reference),
		Title: strings.TrimSpace(in.Title), AmountCents: in.AmountCents, ClauseType: in.ClauseType, HoursRule: in.HoursRule,
		RuleBase: in.RuleBase, RuleRate: in.RuleRate, Required: in.RequiredHours, FacilitatorUserID: in.FacilitatorUserID}
	if !db.ValidID(m.OperationID) {
		fe.Add("operation_id", "Choisissez l'opération.")
	}
	if !db.ValidID(m.BuyerOrgID) {
		fe.Add("buyer_org_id", "Choisissez l'acheteur public (donneur d'ordre).")
	}
	if m.Reference == "" || len(m.Reference) > 100 {
		fe.Add("reference", "La référence du marché est obligatoire (100 caractères au plus).")
	}
	if m.Title == "" {
		fe.Add("title", "L'intitulé du marché est obligatoire.")
	}
	if m.AmountCents < 0 {
		fe.Add("amount_cents", "Le montant ne peut pas être négatif.")
	}
	var err error
	if m.Start, err = parseDate(in.StartDate); err != nil {
		fe.Add("start_date", "Date de début attendue (AAAA-MM-JJ).")
	}
	if m.End, err = parseDate(in.EndDate); err != nil {
		fe.Add("end_date", "Date de fin attendue (AAAA-MM-JJ).")
	} else if !m.Start.IsZero() && m.End.Before(m.Start) {
		fe.Add("end_date", "La fin du marché précède son début.")
	}
	if !valid(ClauseTypes, m.ClauseType) {
		fe.Add("clause_type", "Type de clause inconnu : "+codes(ClauseTypes)+".")
	}
	if m.HoursRule == "" {
		m.HoursRule = "fixed"
	}
	switch {
	case !valid(HoursRules, m.HoursRule):
		fe.Add("hours_rule", "Règle de calcul inconnue : "+codes(HoursRules)+".")
	case m.HoursRule != "fixed" && (m.RuleBase <= 0 || m.RuleRate <= 0 || m.RuleBase > 1e12 || m.RuleRate > 1e6):
		fe.Add("rule_rate", "La règle demande une base et un taux positifs.")
	case m.HoursRule != "fixed":
		m.Required = m.RequiredByRule()
	}
	switch {
	case m.Required < 0:
		fe.Add("required_hours", "Les heures d'insertion ne peuvent pas être négatives.")
	case m.Required > MaxMarketHours:
		fe.Add("required_hours", "Plus de 10 millions d'heures d'insertion : vérifiez la saisie ou la règle de calcul.")
	}
	return m, fe.Err()
}

// CreateMarket adds a market to an operation the actor runs.
func (s *Service) CreateMarket(ctx context.Context, a access.Actor, in MarketInput) (Market, error) {
	m, err := in.market()
	if err != nil {
		return Market{}, err
	}
	op, err := s.GetOperation(ctx, a, m.OperationID)
	if err != nil {
		return Market{}, errs.FieldErrors{"operation_id": "Opération introuvable."}.Err()
	}
	if !operationWritable(a, op) {
		return Market{}, errForbidden
	}
	if err := s.checkBuyer(ctx, m.BuyerOrgID, op.Territory); err != nil {
		return Market{}, err
	}
	now := db.Now()
	m.ID, m.Territory, m.FacilitatorOrgID, m.CreatedAt, m.UpdatedAt = db.NewID(), op.Territory, op.FacilitatorOrgID, now, now
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertMarket(ctx, tx, m); err != nil {
			return referenceConflict(err)
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_market.create", ObjectType: "clause_market", ObjectID: m.ID})
	})
	if err != nil {
		return Market{}, err
	}
	return s.GetMarket(ctx, a, m.ID)
}

func referenceConflict(err error) error {
	if db.IsUniqueViolation(err) {
		const msg = "Un marché porte déjà cette référence sur le territoire."
		return &errs.Error{Code: errs.Conflict, Message: msg, Fields: map[string]string{"reference": msg}}
	}
	return err
}

// checkBuyer checks that the buyer is a public buyer of the territory.
func (s *Service) checkBuyer(ctx context.Context, id, territory string) error {
	var kind, terr string
	err := s.db.QueryRowContext(ctx, `SELECT kind, territory FROM organisations WHERE id = $1`, id).Scan(&kind, &terr)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (kind != string(orgs.KindPublicBuyer) && kind != string(orgs.KindDepartement) || terr != territory) {
		return errs.FieldErrors{"buyer_org_id": "Choisissez un acheteur public du territoire."}.Err()
	}
	return err
}

// UpdateMarket changes a market the actor manages (its facilitators or its buyer).
func (s *Service) UpdateMarket(ctx context.Context, a access.Actor, id string, in MarketInput) (Market, error) {
	old, err := s.GetMarket(ctx, a, id)
	if err != nil {
		return Market{}, err
	}
	if !access.CanMarket(a, marketFacts(old), access.Write) {
		return Market{}, errForbidden
	}
	if in.OperationID == "" {
		in.OperationID = old.OperationID
	}
	if in.BuyerOrgID == "" {
		in.BuyerOrgID = old.BuyerOrgID
	}
	m, err := in.market()
	if err != nil {
		return Market{}, err
	}
	if a.Has(access.RolePublicBuyer) && (m.BuyerOrgID != old.BuyerOrgID || m.OperationID != old.OperationID) {
		return Market{}, errs.FieldErrors{"buyer_org_id": "Un acheteur ne change ni l'acheteur ni l'opération d'un marché."}.Err()
	}
	if m.OperationID != old.OperationID {
		op, err := s.GetOperation(ctx, a, m.OperationID)
		if err != nil || !operationWritable(a, op) || op.Territory != old.Territory {
			return Market{}, errs.FieldErrors{"operation_id": "Opération introuvable."}.Err()
		}
	}
	if err := s.checkBuyer(ctx, m.BuyerOrgID, old.Territory); err != nil {
		return Market{}, err
	}
	m.ID, m.Territory, m.FacilitatorOrgID, m.UpdatedAt = old.ID, old.Territory, old.FacilitatorOrgID, db.Now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := updateMarket(ctx, tx, m); err != nil {
			return referenceConflict(err)
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_market.update", ObjectType: "clause_market", ObjectID: m.ID})
	})
	if err != nil {
		return Market{}, err
	}
	return s.GetMarket(ctx, a, id)
}

// GetMarket returns a market the actor may read, with its awards.
func (s *Service) GetMarket(ctx context.Context, a access.Actor, id string) (Market, error) {
	if !db.ValidID(id) {
		return Market{}, errMarketNotFound
	}
	m, ok, err := getMarket(ctx, s.db, id)
	if err != nil {
		return Market{}, err
	}
	if !ok {
		return Market{}, errMarketNotFound
	}
	if access.CanMarket(a, marketFacts(m), access.Read) {
		return m, nil
	}
	// A structure that placed people on the market reads it too.
	if a.HasAny(access.RoleSIAEStaff, access.RoleEmployer, access.RoleOrgAdmin) && a.OrgID != "" {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clause_hours WHERE market_id = $1 AND via_org_id = $2`, id, a.OrgID).Scan(&n); err != nil {
			return Market{}, err
		}
		if n > 0 {
			return m, nil
		}
	}
	return Market{}, errMarketNotFound
}

// ListMarkets lists the markets the actor sees.
func (s *Service) ListMarkets(ctx context.Context, a access.Actor, f MarketFilter) ([]Market, error) {
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		fe := errs.FieldErrors{}
		fe.Add("to", "La fin de la période précède son début.")
		return nil, fe.Err()
	}
	return listMarkets(ctx, s.db, access.ScopeForClauses(a), f)
}

// ---- Awards ----

// AwardInput is a company awarded a market, with its share and means.
type AwardInput struct {
	CompanyOrgID string   `json:"company_org_id"`
	Role         string   `json:"role"`
	ShareHours   Hours    `json:"share_hours"`
	Fulfilment   []string `json:"fulfilment"`
	PartnerOrgID string   `json:"partner_org_id"`
}

// SetAward adds a company to a market, or changes its share and means.
func (s *Service) SetAward(ctx context.Context, a access.Actor, marketID string, in AwardInput) (Market, error) {
	m, err := s.GetMarket(ctx, a, marketID)
	if err != nil {
		return Market{}, err
	}
	if !access.CanMarket(a, marketFacts(m), access.Write) || a.Has(access.RolePublicBuyer) {
		return Market{}, errForbidden
	}
	aw, err := s.award(ctx, in, m.Territory)
	if err != nil {
		return Market{}, err
	}
	aw.ID, aw.MarketID = db.NewID(), m.ID
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := upsertAward(ctx, tx, aw, db.Now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_award.set", ObjectType: "clause_market", ObjectID: m.ID, Detail: "entreprise " + aw.CompanyOrgID})
	})
	if err != nil {
		return Market{}, err
	}
	return s.GetMarket(ctx, a, m.ID)
}

func (s *Service) award(ctx context.Context, in AwardInput, territory string) (Award, error) {
	fe := errs.FieldErrors{}
	aw := Award{CompanyOrgID: in.CompanyOrgID, Role: in.Role, Share: in.ShareHours, PartnerOrgID: in.PartnerOrgID}
	if aw.Role == "" {
		aw.Role = "holder"
	}
	if !valid(AwardRoles, aw.Role) {
		fe.Add("role", "Rôle inconnu : "+codes(AwardRoles)+".")
	}
	if aw.Share < 0 || aw.Share > MaxMarketHours {
		fe.Add("share_hours", "La part d'heures doit être positive et sous 10 millions d'heures.")
	}
	for _, f := range in.Fulfilment {
		if !valid(Fulfilments, f) {
			fe.Add("fulfilment", "Modalité inconnue : "+codes(Fulfilments)+".")
		} else if !slices.Contains(aw.Fulfilment, f) {
			aw.Fulfilment = append(aw.Fulfilment, f)
		}
	}
	if !s.orgExists(ctx, aw.CompanyOrgID, "employer", "siae", "geiq") {
		fe.Add("company_org_id", "Choisissez l'entreprise attributaire (employeur, SIAE ou GEIQ).")
	}
	if aw.PartnerOrgID != "" && (aw.PartnerOrgID == aw.CompanyOrgID || !s.orgExists(ctx, aw.PartnerOrgID, "employer", "siae", "geiq")) {
		fe.Add("partner_org_id", "La structure partenaire est une SIAE, une ETT ou un GEIQ autre que l'entreprise.")
	}
	return aw, fe.Err()
}

// orgExists reports whether an active organisation exists, of one of the kinds when some are given.
func (s *Service) orgExists(ctx context.Context, id string, kinds ...string) bool {
	if !db.ValidID(id) {
		return false
	}
	var k string
	err := s.db.QueryRowContext(ctx, `SELECT kind FROM organisations WHERE id = $1 AND disabled_at IS NULL`, id).Scan(&k)
	return err == nil && (len(kinds) == 0 || slices.Contains(kinds, k))
}

// RemoveAward takes a company off a market that has no hours declared by it.
func (s *Service) RemoveAward(ctx context.Context, a access.Actor, marketID, companyID string) error {
	m, err := s.GetMarket(ctx, a, marketID)
	if err != nil {
		return err
	}
	if !access.CanMarket(a, marketFacts(m), access.Write) || a.Has(access.RolePublicBuyer) {
		return errForbidden
	}
	if _, ok := awarded(m, companyID); !ok {
		return errs.New(errs.NotFound, "Cette entreprise n'est pas attributaire de ce marché.")
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clause_hours WHERE market_id = $1 AND company_org_id = $2`, marketID, companyID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errs.New(errs.Conflict, "Cette entreprise a déjà déclaré "+strconv.Itoa(n)+" ligne(s) d'heures sur le marché : elle y reste.")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := deleteAward(ctx, tx, marketID, companyID); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "clause_award.remove", ObjectType: "clause_market", ObjectID: marketID, Detail: "entreprise " + companyID})
	})
}
