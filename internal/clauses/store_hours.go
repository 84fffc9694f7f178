package clauses

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
)

// declarationKey is what makes a line of hours unique: a re-declaration replaces it.
type declarationKey struct {
	MarketID, CompanyOrgID, ParticipantID string
	Month                                 Month
	ContractType                          string
}

func (d Declaration) key() declarationKey {
	return declarationKey{d.MarketID, d.CompanyOrgID, d.ParticipantID, d.Month, d.ContractType}
}

// upsertDeclaration writes a line of hours, replacing the line of the same key
// and keeping what it was in the history; changed is false when nothing moved.
func upsertDeclaration(ctx context.Context, q db.Querier, d Declaration, by string, now time.Time) (id string, changed bool, err error) {
	var old struct {
		id    string
		hours Hours
		mode  string
		via   string
	}
	err = q.QueryRowContext(ctx, `SELECT id, centihours, mode, via_org_id FROM clause_hours
		WHERE market_id = $1 AND company_org_id = $2 AND participant_id = $3 AND month = $4 AND contract_type = $5`,
		d.MarketID, d.CompanyOrgID, d.ParticipantID, string(d.Month), d.ContractType).Scan(&old.id, &old.hours, &old.mode, &old.via)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id = db.NewID()
		_, err = q.ExecContext(ctx, `INSERT INTO clause_hours (id, territory, market_id, company_org_id, participant_id, month,
			contract_type, mode, centihours, via_org_id, source, entered_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
			id, d.Territory, d.MarketID, d.CompanyOrgID, d.ParticipantID, string(d.Month), d.ContractType, d.Mode,
			int64(d.Hours), d.ViaOrgID, d.Source, by, now)
		if err != nil {
			return "", false, err
		}
		return id, true, history(ctx, q, id, nil, "", d, by, now)
	case err != nil:
		return "", false, err
	}
	if old.hours == d.Hours && old.mode == d.Mode && old.via == d.ViaOrgID {
		return old.id, false, nil
	}
	_, err = q.ExecContext(ctx, `UPDATE clause_hours SET centihours = $2, mode = $3, via_org_id = $4, source = $5,
		entered_by = $6, updated_at = $7 WHERE id = $1`, old.id, int64(d.Hours), d.Mode, d.ViaOrgID, d.Source, by, now)
	if err != nil {
		return "", false, err
	}
	return old.id, true, history(ctx, q, old.id, &old.hours, old.mode, d, by, now)
}

func history(ctx context.Context, q db.Querier, id string, before *Hours, beforeMode string, d Declaration, by string, now time.Time) error {
	var b any
	if before != nil {
		b = int64(*before)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO clause_hours_history (id, hours_id, before_centihours, after_centihours,
		before_mode, after_mode, source, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		db.NewID(), id, b, int64(d.Hours), beforeMode, d.Mode, d.Source, by, now)
	return err
}

func listCorrections(ctx context.Context, q db.Querier, id string) ([]Correction, error) {
	rows, err := q.QueryContext(ctx, `SELECT before_centihours, after_centihours, before_mode, after_mode, source, changed_by,
		changed_at FROM clause_hours_history WHERE hours_id = $1 ORDER BY changed_at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Correction
	for rows.Next() {
		var c Correction
		var before sql.NullInt64
		if err := rows.Scan(&before, &c.After, &c.BeforeMode, &c.AfterMode, &c.Source, &c.ChangedBy, &c.ChangedAt); err != nil {
			return nil, err
		}
		if before.Valid {
			h := Hours(before.Int64)
			c.Before = &h
		}
		c.ChangedAt = c.ChangedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

const declarationColumns = `h.id, h.territory, h.market_id, m.reference, h.company_org_id, c.name, h.participant_id,
	p.first_name, p.last_name, p.public, h.month, h.contract_type, h.mode, h.centihours, h.via_org_id,
	h.source, h.updated_at, m.facilitator_org_id, m.buyer_org_id`

const declarationFrom = ` FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
	JOIN organisations c ON c.id = h.company_org_id JOIN clause_participants p ON p.id = h.participant_id`

// declarationRow is a line with the facts its access depends on.
type declarationRow struct {
	Declaration
	facilitatorOrg, buyerOrg string
}

func (r declarationRow) facts() access.Declaration {
	return access.Declaration{
		Market:       access.Market{Territory: r.Territory, BuyerOrgID: r.buyerOrg, FacilitatorOrg: r.facilitatorOrg},
		CompanyOrgID: r.CompanyOrgID, ViaOrgID: r.ViaOrgID,
	}
}

func scanDeclaration(s interface{ Scan(...any) error }) (declarationRow, error) {
	var r declarationRow
	var month, first, last string
	err := s.Scan(&r.ID, &r.Territory, &r.MarketID, &r.MarketReference, &r.CompanyOrgID, &r.CompanyName, &r.ParticipantID,
		&first, &last, &r.Public, &month, &r.ContractType, &r.Mode, &r.Hours, &r.ViaOrgID, &r.Source, &r.UpdatedAt,
		&r.facilitatorOrg, &r.buyerOrg)
	r.Month, r.UpdatedAt = Month(month), r.UpdatedAt.UTC()
	r.ParticipantName = Participant{FirstName: first, LastName: last}.Name()
	return r, err
}

func getDeclaration(ctx context.Context, q db.Querier, id string) (declarationRow, bool, error) {
	r, err := scanDeclaration(q.QueryRowContext(ctx, `SELECT `+declarationColumns+declarationFrom+` WHERE h.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return declarationRow{}, false, nil
	}
	return r, err == nil, err
}

// HoursFilter selects lines of hours; it is also what a figure of a report links to.
type HoursFilter struct {
	OperationID   string `json:"operation_id,omitempty"`
	MarketID      string `json:"market_id,omitempty"`
	CompanyOrgID  string `json:"company_org_id,omitempty"`
	ParticipantID string `json:"participant_id,omitempty"`
	From          Month  `json:"from,omitempty"`
	To            Month  `json:"to,omitempty"`
	Public        string `json:"public,omitempty"`
	ContractType  string `json:"contract_type,omitempty"`
	Mode          string `json:"mode,omitempty"`
	// Territory narrows a département-wide scope to one territory.
	Territory string `json:"-"`
	Limit     int    `json:"-"`
	Offset    int    `json:"-"`
}

// hoursScope adds the condition selecting the lines (alias h, markets m) the scope sees.
func hoursScope(w *db.Where, s access.ClauseScope) {
	switch {
	case s.None:
		w.Raw("1 = 0")
	case s.All:
	case s.Territory != "":
		w.Add("h.territory = $%d", s.Territory)
	case s.FacilitatorOrgID != "":
		w.Add("m.facilitator_org_id = $%d", s.FacilitatorOrgID)
	case s.BuyerOrgID != "":
		w.Add("m.buyer_org_id = $%d", s.BuyerOrgID)
	case s.CompanyOrgID != "":
		w.Add("(h.company_org_id = $%[1]d OR h.via_org_id = $%[1]d)", s.CompanyOrgID)
	default:
		w.Raw("1 = 0")
	}
}

// where returns the conditions of a filter within a scope.
func (f HoursFilter) where(s access.ClauseScope) *db.Where {
	w := &db.Where{}
	hoursScope(w, s)
	if f.Territory != "" {
		w.Add("h.territory = $%d", f.Territory)
	}
	if f.OperationID != "" {
		w.Add("m.operation_id = $%d", f.OperationID)
	}
	if f.MarketID != "" {
		w.Add("h.market_id = $%d", f.MarketID)
	}
	if f.CompanyOrgID != "" {
		w.Add("h.company_org_id = $%d", f.CompanyOrgID)
	}
	if f.ParticipantID != "" {
		w.Add("h.participant_id = $%d", f.ParticipantID)
	}
	if f.From != "" {
		w.Add("h.month >= $%d", string(f.From))
	}
	if f.To != "" {
		w.Add("h.month <= $%d", string(f.To))
	}
	if f.Public != "" {
		w.Add("p.public = $%d", f.Public)
	}
	if f.ContractType != "" {
		w.Add("h.contract_type = $%d", f.ContractType)
	}
	if f.Mode != "" {
		w.Add("h.mode = $%d", f.Mode)
	}
	return w
}

// listDeclarations returns a page of lines, the count and the hours of all the lines selected.
func listDeclarations(ctx context.Context, q db.Querier, s access.ClauseScope, f HoursFilter) ([]declarationRow, int, Hours, error) {
	w := f.where(s)
	var total int
	var sum Hours
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(h.centihours), 0)`+declarationFrom+w.String(), w.Args...).Scan(&total, &sum); err != nil {
		return nil, 0, 0, err
	}
	order := ` ORDER BY h.month DESC, m.reference, c.name, p.last_name, p.first_name, h.id`
	if !s.Names {
		// Readers without names must not get lines in the alphabetical order of the people.
		order = ` ORDER BY h.month DESC, m.reference, c.name, h.id`
	}
	rows, err := q.QueryContext(ctx, `SELECT `+declarationColumns+declarationFrom+w.String()+order+w.Page(f.Limit, f.Offset), w.Args...)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	var out []declarationRow
	for rows.Next() {
		r, err := scanDeclaration(rows)
		if err != nil {
			return nil, 0, 0, err
		}
		out = append(out, r)
	}
	return out, total, sum, rows.Err()
}

// ---- Outcomes ----

func upsertOutcome(ctx context.Context, q db.Querier, o Outcome, by string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO clause_outcomes (id, participant_id, operation_id, stage, outcome, detail,
		observed_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (participant_id, operation_id, stage) DO UPDATE SET outcome = excluded.outcome, detail = excluded.detail,
		observed_on = excluded.observed_on, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
		o.ID, o.ParticipantID, o.OperationID, o.Stage, o.Outcome, o.Detail, db.Day(o.ObservedOn), by, now)
	return err
}

func listOutcomes(ctx context.Context, q db.Querier, where string, args ...any) ([]Outcome, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, participant_id, operation_id, stage, outcome, detail, observed_on
		FROM clause_outcomes WHERE `+where+` ORDER BY observed_on, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		var o Outcome
		if err := rows.Scan(&o.ID, &o.ParticipantID, &o.OperationID, &o.Stage, &o.Outcome, &o.Detail, &o.ObservedOn); err != nil {
			return nil, err
		}
		o.ObservedOn = dateOf(o.ObservedOn)
		out = append(out, o)
	}
	return out, rows.Err()
}
