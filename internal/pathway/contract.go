package pathway

import (
	"context"
	"database/sql"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// ContractInput is what a professional fills in to draw up a contract.
type ContractInput struct {
	Kind          ContractKind
	Start, End    string // YYYY-MM-DD
	WeeklyHours   float64
	Adjustment    string
	AdjustReason  string
	ActionPlan    string
	ObjectiveIDs  []string
	WeeklyHoursOK bool // false when the form left the hours empty: the default applies
}

// canContract reports whether the actor draws up and signs contracts.
func canContract(a access.Actor) bool {
	return a.System || a.HasAny(access.RoleReferent, access.RoleOrientation)
}

// Contracts returns a person's contracts, newest first, with their objectives; the read is traced.
func (s *Service) Contracts(ctx context.Context, a access.Actor, personID string) ([]Contract, error) {
	if _, _, err := s.person(ctx, a, personID, access.Read); err != nil {
		return nil, err
	}
	list, err := contractsOf(ctx, s.db, `c.person_id = $1`, personID)
	if err != nil {
		return nil, err
	}
	return list, s.logRead(ctx, a, "contract.read", personID)
}

// Contract returns one contract the actor may read; the read is traced.
func (s *Service) Contract(ctx context.Context, a access.Actor, id string) (Contract, error) {
	c, err := s.contract(ctx, a, id, access.Read)
	if err != nil {
		return c, err
	}
	return c, s.logRead(ctx, a, "contract.read", c.PersonID)
}

// Objectives lists a person's action-plan objectives, to tie to a contract.
func (s *Service) Objectives(ctx context.Context, a access.Actor, personID string) ([]Objective, error) {
	if _, _, err := s.person(ctx, a, personID, access.Read); err != nil {
		return nil, err
	}
	list, err := objectivesOf(ctx, s.db, `person_id = $1`, personID)
	if err != nil {
		return nil, err
	}
	return list, s.logRead(ctx, a, "plan.read", personID)
}

// CreateContract draws up a contract after the orientation; it still has to be signed.
func (s *Service) CreateContract(ctx context.Context, a access.Actor, personID string, in ContractInput) (Contract, error) {
	if _, _, err := s.person(ctx, a, personID, access.Write); err != nil {
		return Contract{}, err
	}
	if !canContract(a) {
		return Contract{}, errs.New(errs.Forbidden, "Le contrat est établi par le référent ou le chargé d'orientation.")
	}
	c, err := s.contractFromInput(ctx, personID, in)
	if err != nil {
		return c, err
	}
	c.ID, c.CreatedBy, c.CreatedAt = db.NewID(), a.UserID, s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return insertContract(ctx, tx, a, c, "contract.create") })
	return c, err
}

// contractFromInput validates an input against the person's orientation and objectives.
func (s *Service) contractFromInput(ctx context.Context, personID string, in ContractInput) (Contract, error) {
	fe := errs.FieldErrors{}
	c := Contract{PersonID: personID, Kind: in.Kind, Adjustment: in.Adjustment, AdjustReason: in.AdjustReason, ActionPlan: in.ActionPlan}
	c.Start, c.End = parseDay("start", in.Start, fe), parseDay("end", in.End, fe)
	hours := in.WeeklyHours
	if !in.WeeklyHoursOK && in.Kind == ContractEngagement && in.Adjustment == "" {
		hours = DefaultWeeklyHours
	}
	if hours < 0 || hours > 35 {
		fe.Add("weekly_hours", "Indiquez une durée hebdomadaire entre 0 et 35 heures.")
	}
	c.WeeklyMinutes = int(hours*60 + 0.5)
	if err := c.Validate(); err != nil {
		for k, v := range err.(*errs.Error).Fields {
			fe.Add(k, v)
		}
	}
	orientations, err := orientationsOf(ctx, s.db, personID)
	if err != nil {
		return c, err
	}
	if len(orientations) == 0 {
		return c, errs.New(errs.Conflict, "La personne doit d'abord être orientée : le contrat suit l'orientation.")
	}
	// The contract binds the person and the structure the orientation made référent.
	c.OrientationID, c.OrgID = orientations[0].ID, orientations[0].OrgID
	own, err := objectivesOf(ctx, s.db, `person_id = $1`, personID)
	if err != nil {
		return c, err
	}
	for _, id := range in.ObjectiveIDs {
		found := false
		for _, o := range own {
			if o.ID == id {
				c.Objectives, found = append(c.Objectives, o), true
			}
		}
		if !found {
			fe.Add("objectives", "Un objectif choisi n'appartient pas au plan d'action de la personne.")
		}
	}
	return c, fe.Err()
}

func insertContract(ctx context.Context, tx *db.Tx, a access.Actor, c Contract, action string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO contracts (id, person_id, kind, orientation_id, organisation_id, start_date, end_date, weekly_minutes,
		hours_adjustment, hours_reason, action_plan, renews_id, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14)`,
		c.ID, c.PersonID, string(c.Kind), c.OrientationID, c.OrgID, day(c.Start), day(c.End), c.WeeklyMinutes,
		c.Adjustment, c.AdjustReason, c.ActionPlan, c.RenewsID, c.CreatedBy, c.CreatedAt)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "Ce contrat a déjà été renouvelé.")
	} else if err != nil {
		return err
	}
	for _, o := range c.Objectives {
		if _, err := tx.ExecContext(ctx, `UPDATE plan_objectives SET contract_id = $1, updated_at = $2 WHERE id = $3 AND person_id = $4`,
			c.ID, c.CreatedAt, o.ID, c.PersonID); err != nil {
			return err
		}
	}
	return audit.LogTx(ctx, tx, a, audit.Event{Action: action, ObjectType: "contract", ObjectID: c.ID, PersonID: c.PersonID, Detail: string(c.Kind)})
}

// SignContract records the signature: the professional who signs, the day,
// and that the person signed too. A signed contract no longer changes.
func (s *Service) SignContract(ctx context.Context, a access.Actor, contractID, signedOn string, personSigned bool) (Contract, error) {
	c, err := s.contract(ctx, a, contractID, access.Write)
	if err != nil {
		return c, err
	}
	if !canContract(a) {
		return c, errs.New(errs.Forbidden, "Le contrat est signé par le référent ou le chargé d'orientation.")
	}
	if c.Signed() {
		return c, errs.New(errs.Conflict, "Ce contrat est déjà signé.")
	}
	fe := errs.FieldErrors{}
	on := parseDay("signed_on", signedOn, fe)
	switch {
	case signedOn == "":
		fe.Add("signed_on", "Indiquez la date de signature.")
	case on.After(s.today()):
		fe.Add("signed_on", "La date de signature ne peut pas être dans le futur.")
	}
	if !personSigned {
		fe.Add("person_signed", "Le contrat n'engage que si la personne l'a signé : cochez la case une fois sa signature recueillie.")
	}
	if err := fe.Err(); err != nil {
		return c, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE contracts SET signed_by = $1, signed_on = $2, person_signed = TRUE, updated_at = $3 WHERE id = $4 AND signed_on IS NULL`,
			a.UserID, day(on), s.now(), c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "Ce contrat est déjà signé.")
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "contract.sign", ObjectType: "contract", ObjectID: c.ID, PersonID: c.PersonID})
	})
	if err != nil {
		return c, err
	}
	return s.contract(ctx, a, contractID, access.Read)
}

// RenewContract draws up the next contract from a signed one: it starts the
// day after the previous one ends, and carries its plan and objectives.
func (s *Service) RenewContract(ctx context.Context, a access.Actor, contractID, end string) (Contract, error) {
	old, err := s.contract(ctx, a, contractID, access.Write)
	if err != nil {
		return old, err
	}
	if !canContract(a) {
		return old, errs.New(errs.Forbidden, "Le contrat est renouvelé par le référent ou le chargé d'orientation.")
	}
	if !old.Signed() {
		return old, errs.New(errs.Conflict, "Seul un contrat signé se renouvelle ; complétez plutôt celui-ci.")
	}
	var renewed int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM contracts WHERE renews_id = $1`, old.ID).Scan(&renewed); err != nil {
		return old, err
	}
	if renewed > 0 {
		return old, errs.New(errs.Conflict, "Ce contrat a déjà été renouvelé.")
	}
	kind := old.Kind
	start := old.End.AddDate(0, 0, 1)
	if !start.Before(engagementSince) {
		// A CER renewed after 2024 becomes a contrat d'engagement.
		kind = ContractEngagement
	}
	in := ContractInput{Kind: kind, Start: day(start), End: end, WeeklyHours: old.WeeklyHours(), WeeklyHoursOK: kind == old.Kind,
		Adjustment: old.Adjustment, AdjustReason: old.AdjustReason, ActionPlan: old.ActionPlan}
	for _, o := range old.Objectives {
		if o.Status == "en_cours" {
			in.ObjectiveIDs = append(in.ObjectiveIDs, o.ID)
		}
	}
	c, err := s.contractFromInput(ctx, old.PersonID, in)
	if err != nil {
		return c, err
	}
	c.ID, c.CreatedBy, c.CreatedAt, c.RenewsID = db.NewID(), a.UserID, s.now(), old.ID
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return insertContract(ctx, tx, a, c, "contract.renew") })
	return c, err
}

// contract loads one contract the actor may act on.
func (s *Service) contract(ctx context.Context, a access.Actor, id string, act access.Action) (Contract, error) {
	if !db.ValidID(id) {
		return Contract{}, errNotFound
	}
	list, err := contractsOf(ctx, s.db, `c.id = $1`, id)
	if err != nil {
		return Contract{}, err
	}
	if len(list) == 0 {
		return Contract{}, errNotFound
	}
	if _, _, err := s.person(ctx, a, list[0].PersonID, act); err != nil {
		return Contract{}, errNotFound
	}
	return list[0], nil
}

func contractsOf(ctx context.Context, q db.Querier, cond string, args ...any) ([]Contract, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.person_id, c.kind, c.orientation_id, c.organisation_id, o.name, c.start_date, c.end_date,
		c.weekly_minutes, c.hours_adjustment, c.hours_reason, c.action_plan, c.signed_by, COALESCE(u.first_name || ' ' || u.last_name, ''),
		c.signed_on, c.person_signed, c.renews_id, c.created_by, c.created_at
		FROM contracts c JOIN organisations o ON o.id = c.organisation_id LEFT JOIN users u ON u.id = c.signed_by
		WHERE `+cond+` ORDER BY c.start_date DESC, c.created_at DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Contract
	for rows.Next() {
		var c Contract
		var signed sql.NullTime
		if err := rows.Scan(&c.ID, &c.PersonID, &c.Kind, &c.OrientationID, &c.OrgID, &c.OrgName, &c.Start, &c.End, &c.WeeklyMinutes,
			&c.Adjustment, &c.AdjustReason, &c.ActionPlan, &c.SignedBy, &c.SignerName, &signed, &c.PersonSigned, &c.RenewsID, &c.CreatedBy, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.Start, c.End, c.SignedOn = c.Start.UTC(), c.End.UTC(), nullDay(signed)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// The objectives of every contract listed, in one query.
	ids := make([]any, len(out))
	index := map[string]int{}
	for i, c := range out {
		ids[i], index[c.ID] = c.ID, i
	}
	objectives, err := objectivesOf(ctx, q, `contract_id IN (`+db.In(1, len(out))+`)`, ids...)
	if err != nil {
		return nil, err
	}
	for _, o := range objectives {
		out[index[o.ContractID]].Objectives = append(out[index[o.ContractID]].Objectives, o)
	}
	return out, nil
}

func objectivesOf(ctx context.Context, q db.Querier, cond string, args ...any) ([]Objective, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, theme, title, status, contract_id FROM plan_objectives WHERE `+cond+` ORDER BY created_at`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Objective
	for rows.Next() {
		var o Objective
		if err := rows.Scan(&o.ID, &o.Theme, &o.Title, &o.Status, &o.ContractID); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
