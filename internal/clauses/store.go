package clauses

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
)

func dateOf(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

// matchKey identifies a participant without an identifier by folded names and birth date.
func matchKey(last, first string, birth *time.Time) string {
	k := refdata.Fold(last) + "|" + refdata.Fold(first)
	if birth != nil {
		k += "|" + db.Day(*birth)
	}
	return k
}

// ---- Operations ----

const operationColumns = `o.id, o.territory, o.name, o.description, o.facilitator_org_id, COALESCE(f.name, ''),
	o.facilitator_user_id, o.pooled, o.created_at, o.updated_at`

const operationFrom = ` FROM clause_operations o LEFT JOIN organisations f ON f.id = o.facilitator_org_id`

func scanOperation(s interface{ Scan(...any) error }) (Operation, error) {
	var o Operation
	err := s.Scan(&o.ID, &o.Territory, &o.Name, &o.Description, &o.FacilitatorOrgID, &o.FacilitatorOrgName,
		&o.FacilitatorUserID, &o.Pooled, &o.CreatedAt, &o.UpdatedAt)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

func insertOperation(ctx context.Context, q db.Querier, o Operation) error {
	_, err := q.ExecContext(ctx, `INSERT INTO clause_operations (id, territory, name, description, facilitator_org_id,
		facilitator_user_id, pooled, search_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
		o.ID, o.Territory, o.Name, o.Description, o.FacilitatorOrgID, o.FacilitatorUserID, o.Pooled, refdata.Fold(o.Name), o.CreatedAt)
	return err
}

func updateOperation(ctx context.Context, q db.Querier, o Operation) error {
	_, err := q.ExecContext(ctx, `UPDATE clause_operations SET name = $2, description = $3, facilitator_user_id = $4,
		pooled = $5, search_name = $6, updated_at = $7 WHERE id = $1`,
		o.ID, o.Name, o.Description, o.FacilitatorUserID, o.Pooled, refdata.Fold(o.Name), o.UpdatedAt)
	return err
}

func getOperation(ctx context.Context, q db.Querier, id string) (Operation, bool, error) {
	o, err := scanOperation(q.QueryRowContext(ctx, `SELECT `+operationColumns+operationFrom+` WHERE o.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Operation{}, false, nil
	}
	return o, err == nil, err
}

func findOperationByName(ctx context.Context, q db.Querier, territory, name string) (Operation, bool, error) {
	o, err := scanOperation(q.QueryRowContext(ctx, `SELECT `+operationColumns+operationFrom+
		` WHERE o.territory = $1 AND o.search_name = $2`, territory, refdata.Fold(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return Operation{}, false, nil
	}
	return o, err == nil, err
}

// marketScope adds to w the condition selecting the markets (alias m) the scope sees.
func marketScope(w *db.Where, s access.ClauseScope) {
	switch {
	case s.None:
		w.Raw("1 = 0")
	case s.All:
	case s.Territory != "":
		w.Add("m.territory = $%d", s.Territory)
	case s.FacilitatorOrgID != "":
		w.Add("m.facilitator_org_id = $%d", s.FacilitatorOrgID)
	case s.BuyerOrgID != "":
		w.Add("m.buyer_org_id = $%d", s.BuyerOrgID)
	case s.CompanyOrgID != "":
		p := w.Arg(s.CompanyOrgID)
		w.Raw(`(EXISTS (SELECT 1 FROM clause_awards a WHERE a.market_id = m.id AND (a.company_org_id = ` + p + ` OR a.partner_org_id = ` + p + `))
			OR EXISTS (SELECT 1 FROM clause_hours v WHERE v.market_id = m.id AND v.via_org_id = ` + p + `))`)
	default:
		w.Raw("1 = 0")
	}
}

// listOperations returns the operations with at least one market the scope
// sees, and, for the facilitators and managers, the operations they run
// that have no market yet.
func listOperations(ctx context.Context, q db.Querier, s access.ClauseScope) ([]Operation, error) {
	var w db.Where
	marketScope(&w, s)
	cond := strings.TrimPrefix(w.String(), " WHERE ")
	if cond == "" {
		cond = "1 = 1"
	}
	own := "1 = 0"
	switch {
	case s.All:
		own = "1 = 1"
	case s.Territory != "":
		own = "o.territory = " + w.Arg(s.Territory)
	case s.FacilitatorOrgID != "":
		own = "o.facilitator_org_id = " + w.Arg(s.FacilitatorOrgID)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+operationColumns+operationFrom+` WHERE `+own+
		` OR EXISTS (SELECT 1 FROM clause_markets m WHERE m.operation_id = o.id AND `+cond+`) ORDER BY o.name`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Operation
	for rows.Next() {
		o, err := scanOperation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ---- Markets ----

const marketColumns = `m.id, m.operation_id, op.name, m.territory, m.buyer_org_id, b.name, m.reference, m.title,
	m.amount_cents, m.start_date, m.end_date, m.clause_type, m.hours_rule, m.rule_base, m.rule_rate,
	m.required_centihours, m.facilitator_org_id, m.facilitator_user_id, m.created_at, m.updated_at`

const marketFrom = ` FROM clause_markets m JOIN clause_operations op ON op.id = m.operation_id
	JOIN organisations b ON b.id = m.buyer_org_id`

func scanMarket(s interface{ Scan(...any) error }) (Market, error) {
	var m Market
	err := s.Scan(&m.ID, &m.OperationID, &m.OperationName, &m.Territory, &m.BuyerOrgID, &m.BuyerName, &m.Reference, &m.Title,
		&m.AmountCents, &m.Start, &m.End, &m.ClauseType, &m.HoursRule, &m.RuleBase, &m.RuleRate,
		&m.Required, &m.FacilitatorOrgID, &m.FacilitatorUserID, &m.CreatedAt, &m.UpdatedAt)
	m.Start, m.End = dateOf(m.Start), dateOf(m.End)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

func insertMarket(ctx context.Context, q db.Querier, m Market) error {
	_, err := q.ExecContext(ctx, `INSERT INTO clause_markets (id, operation_id, territory, buyer_org_id, reference, title,
		amount_cents, start_date, end_date, clause_type, hours_rule, rule_base, rule_rate, required_centihours,
		facilitator_org_id, facilitator_user_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
		m.ID, m.OperationID, m.Territory, m.BuyerOrgID, m.Reference, m.Title, m.AmountCents, db.Day(m.Start), db.Day(m.End),
		m.ClauseType, m.HoursRule, m.RuleBase, m.RuleRate, int64(m.Required), m.FacilitatorOrgID, m.FacilitatorUserID, m.CreatedAt)
	return err
}

func updateMarket(ctx context.Context, q db.Querier, m Market) error {
	_, err := q.ExecContext(ctx, `UPDATE clause_markets SET operation_id = $2, buyer_org_id = $3, reference = $4, title = $5,
		amount_cents = $6, start_date = $7, end_date = $8, clause_type = $9, hours_rule = $10, rule_base = $11, rule_rate = $12,
		required_centihours = $13, facilitator_user_id = $14, updated_at = $15 WHERE id = $1`,
		m.ID, m.OperationID, m.BuyerOrgID, m.Reference, m.Title, m.AmountCents, db.Day(m.Start), db.Day(m.End), m.ClauseType,
		m.HoursRule, m.RuleBase, m.RuleRate, int64(m.Required), m.FacilitatorUserID, m.UpdatedAt)
	return err
}

func getMarket(ctx context.Context, q db.Querier, id string) (Market, bool, error) {
	return oneMarket(ctx, q, ` WHERE m.id = $1`, id)
}

func findMarketByReference(ctx context.Context, q db.Querier, territory, ref string) (Market, bool, error) {
	return oneMarket(ctx, q, ` WHERE m.territory = $1 AND m.reference = $2`, territory, ref)
}

func oneMarket(ctx context.Context, q db.Querier, where string, args ...any) (Market, bool, error) {
	m, err := scanMarket(q.QueryRowContext(ctx, `SELECT `+marketColumns+marketFrom+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Market{}, false, nil
	}
	if err != nil {
		return Market{}, false, err
	}
	m.Awards, err = listAwards(ctx, q, m.ID)
	return m, true, err
}

// MarketFilter narrows a list of markets.
type MarketFilter struct {
	OperationID string
	// From and To keep the markets whose dates overlap the period.
	From, To *time.Time
	// CompanyOrgID keeps the markets awarded to a company.
	CompanyOrgID string
}

func listMarkets(ctx context.Context, q db.Querier, s access.ClauseScope, f MarketFilter) ([]Market, error) {
	var w db.Where
	marketScope(&w, s)
	if f.OperationID != "" {
		w.Add("m.operation_id = $%d", f.OperationID)
	}
	if f.From != nil {
		w.Add("m.end_date >= $%d", db.Day(*f.From))
	}
	if f.To != nil {
		w.Add("m.start_date <= $%d", db.Day(*f.To))
	}
	if f.CompanyOrgID != "" {
		w.Add("EXISTS (SELECT 1 FROM clause_awards a WHERE a.market_id = m.id AND a.company_org_id = $%d)", f.CompanyOrgID)
	}
	return queryMarkets(ctx, q, w.String()+` ORDER BY op.name, m.reference`, w.Args...)
}

// queryMarkets reads the markets a WHERE … ORDER BY clause selects, with their awards.
func queryMarkets(ctx context.Context, q db.Querier, where string, args ...any) ([]Market, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+marketColumns+marketFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Market
	for rows.Next() {
		m, err := scanMarket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if out[i].Awards, err = listAwards(ctx, q, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- Awards ----

func listAwards(ctx context.Context, q db.Querier, marketID string) ([]Award, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.market_id, a.company_org_id, c.name, c.siret, a.role, a.share_centihours,
		a.fulfilment, a.partner_org_id, COALESCE(p.name, '')
		FROM clause_awards a JOIN organisations c ON c.id = a.company_org_id
		LEFT JOIN organisations p ON p.id = a.partner_org_id
		WHERE a.market_id = $1 ORDER BY CASE a.role WHEN 'holder' THEN 0 WHEN 'cocontractor' THEN 1 ELSE 2 END, c.name`, marketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Award
	for rows.Next() {
		var a Award
		var ful string
		if err := rows.Scan(&a.ID, &a.MarketID, &a.CompanyOrgID, &a.CompanyName, &a.CompanySIRET, &a.Role, &a.Share,
			&ful, &a.PartnerOrgID, &a.PartnerName); err != nil {
			return nil, err
		}
		a.Fulfilment = splitCodes(ful)
		out = append(out, a)
	}
	return out, rows.Err()
}

func splitCodes(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// upsertAward writes a company's award on a market, replacing its share and terms.
func upsertAward(ctx context.Context, q db.Querier, a Award, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO clause_awards (id, market_id, company_org_id, role, share_centihours, fulfilment,
		partner_org_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (market_id, company_org_id) DO UPDATE SET role = excluded.role,
		share_centihours = excluded.share_centihours, fulfilment = excluded.fulfilment, partner_org_id = excluded.partner_org_id`,
		a.ID, a.MarketID, a.CompanyOrgID, a.Role, int64(a.Share), strings.Join(a.Fulfilment, ","), a.PartnerOrgID, now)
	return err
}

func deleteAward(ctx context.Context, q db.Querier, marketID, companyID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM clause_awards WHERE market_id = $1 AND company_org_id = $2`, marketID, companyID)
	return err
}

// marketFacts returns what the policy needs about a market, its awards included.
func marketFacts(m Market) access.Market {
	f := access.Market{Territory: m.Territory, BuyerOrgID: m.BuyerOrgID, FacilitatorOrg: m.FacilitatorOrgID}
	for _, a := range m.Awards {
		f.CompanyOrgIDs = append(f.CompanyOrgIDs, a.CompanyOrgID)
		if a.PartnerOrgID != "" {
			f.PartnerOrgIDs = append(f.PartnerOrgIDs, a.PartnerOrgID)
		}
	}
	return f
}

// ---- Participants ----

const participantColumns = `p.id, p.territory, p.person_id, p.external_id, p.first_name, p.last_name, p.birth_date, p.sex,
	p.commune_code, p.qpv, p.public, p.public_reason, p.proof_date, p.validated_by, p.validated_at, p.created_by_org, p.created_at, p.updated_at`

func scanParticipant(s interface{ Scan(...any) error }) (Participant, error) {
	var p Participant
	var birth, proof, validated sql.NullTime
	err := s.Scan(&p.ID, &p.Territory, &p.PersonID, &p.ExternalID, &p.FirstName, &p.LastName, &birth, &p.Sex,
		&p.CommuneCode, &p.QPV, &p.Public, &p.PublicReason, &proof, &p.ValidatedBy, &validated, &p.CreatedByOrg, &p.CreatedAt, &p.UpdatedAt)
	p.BirthDate, p.ProofDate, p.ValidatedAt = db.DayPtr(birth), db.DayPtr(proof), db.TimePtr(validated)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func insertParticipant(ctx context.Context, q db.Querier, p Participant, byOrg string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO clause_participants (id, territory, person_id, external_id, first_name, last_name,
		birth_date, sex, commune_code, qpv, public, public_reason, proof_date, validated_by, validated_at, match_key,
		search_name, created_by_org, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)`,
		p.ID, p.Territory, p.PersonID, p.ExternalID, p.FirstName, p.LastName, db.NullDay(p.BirthDate), p.Sex, p.CommuneCode,
		p.QPV, p.Public, p.PublicReason, db.NullDay(p.ProofDate), p.ValidatedBy, p.ValidatedAt,
		matchKey(p.LastName, p.FirstName, p.BirthDate), refdata.Fold(p.LastName+" "+p.FirstName), byOrg, p.CreatedAt)
	return err
}

func updateParticipant(ctx context.Context, q db.Querier, p Participant) error {
	_, err := q.ExecContext(ctx, `UPDATE clause_participants SET person_id = $2, external_id = $3, first_name = $4,
		last_name = $5, birth_date = $6, sex = $7, commune_code = $8, qpv = $9, public = $10, public_reason = $11,
		proof_date = $12, validated_by = $13, validated_at = $14, match_key = $15, search_name = $16, updated_at = $17
		WHERE id = $1`,
		p.ID, p.PersonID, p.ExternalID, p.FirstName, p.LastName, db.NullDay(p.BirthDate), p.Sex, p.CommuneCode, p.QPV,
		p.Public, p.PublicReason, db.NullDay(p.ProofDate), p.ValidatedBy, p.ValidatedAt,
		matchKey(p.LastName, p.FirstName, p.BirthDate), refdata.Fold(p.LastName+" "+p.FirstName), p.UpdatedAt)
	if err != nil {
		return err
	}
	return updateYearPeople(ctx, q, p)
}

func getParticipant(ctx context.Context, q db.Querier, id string) (Participant, bool, error) {
	return oneParticipant(ctx, q, ` WHERE p.id = $1`, id)
}

func findParticipantByExternal(ctx context.Context, q db.Querier, territory, ext string) (Participant, bool, error) {
	return oneParticipant(ctx, q, ` WHERE p.territory = $1 AND p.external_id = $2`, territory, ext)
}

func findParticipantByKey(ctx context.Context, q db.Querier, territory, key string) (Participant, bool, error) {
	return oneParticipant(ctx, q, ` WHERE p.territory = $1 AND p.match_key = $2 ORDER BY p.created_at LIMIT 1`, territory, key)
}

// findVisibleParticipantByKey finds a participant by names alone among those the scope may name:
// without a birth date, a homonym recorded by someone else is another person.
func findVisibleParticipantByKey(ctx context.Context, q db.Querier, s access.ClauseScope, territory, key string) (Participant, bool, error) {
	var w db.Where
	w.Add("p.territory = $%d", territory)
	w.Add("p.match_key = $%d", key)
	participantScope(&w, s)
	return oneParticipant(ctx, q, w.String()+` ORDER BY p.created_at LIMIT 1`, w.Args...)
}

func oneParticipant(ctx context.Context, q db.Querier, where string, args ...any) (Participant, bool, error) {
	p, err := scanParticipant(q.QueryRowContext(ctx, `SELECT `+participantColumns+` FROM clause_participants p`+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Participant{}, false, nil
	}
	return p, err == nil, err
}

// participantScope adds the condition selecting the participants (alias p) the scope may name.
func participantScope(w *db.Where, s access.ClauseScope) {
	switch {
	case s.None || !s.Names:
		w.Raw("1 = 0")
	case s.All:
	case s.Territory != "":
		w.Add("p.territory = $%d", s.Territory)
	case s.FacilitatorOrgID != "":
		p := w.Arg(s.FacilitatorOrgID)
		w.Raw(`(p.created_by_org = ` + p + ` OR EXISTS (SELECT 1 FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
			WHERE h.participant_id = p.id AND m.facilitator_org_id = ` + p + `))`)
	case s.CompanyOrgID != "":
		p := w.Arg(s.CompanyOrgID)
		w.Raw(`(p.created_by_org = ` + p + ` OR EXISTS (SELECT 1 FROM clause_hours h
			WHERE h.participant_id = p.id AND (h.company_org_id = ` + p + ` OR h.via_org_id = ` + p + `)))`)
	default:
		w.Raw("1 = 0")
	}
}

// ParticipantFilter narrows a list of participants.
type ParticipantFilter struct {
	Query  string
	Public string
	Limit  int
	Offset int
}

func listParticipants(ctx context.Context, q db.Querier, s access.ClauseScope, f ParticipantFilter) ([]Participant, int, error) {
	var w db.Where
	participantScope(&w, s)
	if f.Query != "" {
		w.Add("p.search_name LIKE $%d", "%"+refdata.Fold(f.Query)+"%")
	}
	if f.Public != "" {
		w.Add("p.public = $%d", f.Public)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM clause_participants p`+w.String(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+participantColumns+` FROM clause_participants p`+w.String()+
		` ORDER BY p.last_name, p.first_name, p.id`+w.Page(f.Limit, f.Offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Participant
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// participantVisible reports whether the scope may name the participant.
func participantVisible(ctx context.Context, q db.Querier, s access.ClauseScope, id string) (bool, error) {
	var w db.Where
	w.Add("p.id = $%d", id)
	participantScope(&w, s)
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM clause_participants p`+w.String(), w.Args...).Scan(&n)
	return n > 0, err
}
