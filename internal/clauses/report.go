package clauses

import (
	"context"
	"sort"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// ReportFilter chooses the period (and optionally the operation) of a report.
type ReportFilter struct {
	From, To    time.Time
	OperationID string
	// MarketID narrows the figures to one market (progress pages).
	MarketID string
	// fromLines makes a territory's year read the lines, not the yearly totals (tests compare both).
	fromLines bool
}

// Months returns the months a period covers: those of its first and last day and every one between.
func (f ReportFilter) Months() (Month, Month) { return MonthOf(f.From), MonthOf(f.To) }

// AgeBands are the age groups of the participants, at the end of the period.
var AgeBands = []Option{
	{"moins_26", "Moins de 26 ans"},
	{"26_44", "26 à 44 ans"},
	{"45_54", "45 à 54 ans"},
	{"55_plus", "55 ans et plus"},
	{"inconnu", "Âge inconnu"},
}

// Report is the figures of the insertion clauses over a period, within what the actor sees.
type Report struct {
	From                 string           `json:"from"`
	To                   string           `json:"to"`
	OperationID          string           `json:"operation_id,omitempty"`
	Hours                Hours            `json:"hours"`
	ETP                  float64          `json:"etp"`
	ETPDivisor           float64          `json:"etp_divisor"`
	Participants         int              `json:"participants"`
	ParticipantsByPublic map[string]int   `json:"participants_by_public"`
	HoursByPublic        map[string]Hours `json:"hours_by_public"`
	ParticipantsBySex    map[string]int   `json:"participants_by_sex"`
	ParticipantsByAge    map[string]int   `json:"participants_by_age"`
	ParticipantsQPV      int              `json:"participants_qpv"`
	Markets              int              `json:"markets"`
	CompaniesConcerned   int              `json:"companies_concerned"`
	CompaniesStarted     int              `json:"companies_started"`
	RequiredHours        Hours            `json:"required_hours"`
	Hires                int              `json:"hires"`
	// Contracts counts the distinct participant × company × market × contract type worked in the period.
	Contracts       int            `json:"contracts"`
	ContractsByType map[string]int `json:"contracts_by_type"`
	// ContractsByPublic counts the contracts by the participant's public, for the national consolidation.
	ContractsByPublic map[string]int   `json:"contracts_by_public"`
	HoursByContract   map[string]Hours `json:"hours_by_contract"`
	HoursByMode       map[string]Hours `json:"hours_by_mode"`
}

// Percent returns the share of the required hours done, 0 when nothing is required.
func (r Report) Percent() float64 { return percent(r.Hours, r.RequiredHours) }

func percent(done, required Hours) float64 {
	if required <= 0 {
		return 0
	}
	return float64(done) / float64(required) * 100
}

func newReport(f ReportFilter, divisor float64) Report {
	r := Report{From: db.Day(f.From), To: db.Day(f.To), OperationID: f.OperationID, ETPDivisor: divisor,
		ParticipantsByPublic: map[string]int{}, HoursByPublic: map[string]Hours{}, ParticipantsBySex: map[string]int{},
		ParticipantsByAge: map[string]int{}, ContractsByType: map[string]int{}, ContractsByPublic: map[string]int{}, HoursByContract: map[string]Hours{}, HoursByMode: map[string]Hours{}}
	for _, p := range Publics {
		r.ParticipantsByPublic[p.Code], r.HoursByPublic[p.Code], r.ContractsByPublic[p.Code] = 0, 0, 0
	}
	for _, c := range ContractTypes {
		r.ContractsByType[c.Code], r.HoursByContract[c.Code] = 0, 0
	}
	for _, m := range Modes {
		r.HoursByMode[m.Code] = 0
	}
	for _, b := range AgeBands {
		r.ParticipantsByAge[b.Code] = 0
	}
	r.ParticipantsBySex["F"], r.ParticipantsBySex["M"], r.ParticipantsBySex["inconnu"] = 0, 0, 0
	return r
}

// Report computes the figures of a period for the actor: the département's
// managers get their territory, facilitators their operations, buyers their
// markets, companies their own lines.
func (s *Service) Report(ctx context.Context, a access.Actor, f ReportFilter) (Report, error) {
	if err := checkPeriod(f); err != nil {
		return Report{}, err
	}
	sc := access.ScopeForClauses(a)
	if sc.None {
		return Report{}, errs.New(errs.Forbidden, "Les bilans des clauses sont réservés aux partenaires des clauses.")
	}
	if f.OperationID != "" {
		if _, err := s.GetOperation(ctx, a, f.OperationID); err != nil {
			return Report{}, err
		}
	}
	r, err := s.figures(ctx, sc, f)
	if err != nil {
		return Report{}, err
	}
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "clause_report.read", ObjectType: "clause_report", ObjectID: f.OperationID,
		Detail: r.From + " au " + r.To})
	return r, err
}

func checkPeriod(f ReportFilter) error {
	fe := errs.FieldErrors{}
	if f.From.IsZero() {
		fe.Add("from", "Date de début attendue (AAAA-MM-JJ).")
	}
	if f.To.IsZero() {
		fe.Add("to", "Date de fin attendue (AAAA-MM-JJ).")
	} else if f.To.Before(f.From) {
		fe.Add("to", "La fin de la période précède son début.")
	} else if f.To.Sub(f.From) > 20*366*24*time.Hour {
		fe.Add("to", "Période trop longue (20 ans au plus).")
	}
	if f.OperationID != "" && !db.ValidID(f.OperationID) {
		fe.Add("operation", "Opération introuvable.")
	}
	return fe.Err()
}

// hoursFrom returns the FROM clause of the lines, joining the markets only when
// the scope or the filter needs them, so that a territory's report reads one index.
func hoursFrom(sc access.ClauseScope, f ReportFilter) string {
	if f.OperationID != "" || sc.FacilitatorOrgID != "" || sc.BuyerOrgID != "" {
		return ` FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id`
	}
	return ` FROM clause_hours h`
}

// figures computes a report without checking access: sc has been derived from the actor.
func (s *Service) figures(ctx context.Context, sc access.ClauseScope, f ReportFilter) (Report, error) {
	r := newReport(f, s.settings.ETPDivisor)
	from, to := f.Months()
	var err error
	if year, ok := territoryYear(sc, f); ok && !f.fromLines {
		err = s.yearFigures(ctx, &r, sc.Territory, year, f.To)
	} else {
		err = s.lineFigures(ctx, &r, sc, f, from, to)
	}
	if err != nil {
		return Report{}, err
	}
	if err := s.marketFigures(ctx, &r, sc, f, to); err != nil {
		return Report{}, err
	}
	r.ETP = s.settings.ETP(r.Hours)
	return r, nil
}

// lineFigures reads the lines of the period grouped by contract, then counts
// participants, publics, contracts and hires from those groups.
func (s *Service) lineFigures(ctx context.Context, r *Report, sc access.ClauseScope, f ReportFilter, from, to Month) error {
	w := &db.Where{}
	hoursScope(w, sc)
	w.Add("h.month >= $%d", string(from))
	w.Add("h.month <= $%d", string(to))
	if f.OperationID != "" {
		w.Add("m.operation_id = $%d", f.OperationID)
	}
	if f.MarketID != "" {
		w.Add("h.market_id = $%d", f.MarketID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT x.participant_id, x.company_org_id, x.market_id, x.contract_type, x.mode, x.hours,
		p.public, p.sex, p.birth_date, p.qpv
		FROM (SELECT h.participant_id, h.company_org_id, h.market_id, h.contract_type, h.mode, SUM(h.centihours) AS hours`+
		hoursFrom(sc, f)+w.String()+` GROUP BY h.participant_id, h.company_org_id, h.market_id, h.contract_type, h.mode) x
		JOIN clause_participants p ON p.id = x.participant_id`, w.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type pair struct{ participant, company string }
	seen := map[string]bool{}
	hires := map[pair]bool{}
	// contracts maps each contract (participant, company, market, type) to the participant's public.
	contracts := map[string]string{}
	end := f.To
	for rows.Next() {
		var pid, company, market, contract, mode, public, sex string
		var hours Hours
		var birth *time.Time
		var qpv bool
		var nb nullDate
		if err := rows.Scan(&pid, &company, &market, &contract, &mode, &hours, &public, &sex, &nb, &qpv); err != nil {
			return err
		}
		birth = nb.ptr()
		r.Hours += hours
		r.HoursByPublic[public] += hours
		r.HoursByContract[contract] += hours
		r.HoursByMode[mode] += hours
		// A line may be split by mode: the contract is the same.
		contracts[pid+"|"+company+"|"+market+"|"+contract] = public
		if mode == "EMBAUCHE_DIRECTE" && contract != "FORMATION" {
			hires[pair{pid, company}] = true
		}
		if seen[pid] {
			continue
		}
		seen[pid] = true
		r.Participants++
		r.ParticipantsByPublic[public]++
		if sex == "" {
			sex = "inconnu"
		}
		r.ParticipantsBySex[sex]++
		r.ParticipantsByAge[ageBand(birth, end)]++
		if qpv {
			r.ParticipantsQPV++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.Hires = len(hires)
	for k, public := range contracts {
		r.Contracts++
		r.ContractsByType[k[strings.LastIndexByte(k, '|')+1:]]++
		r.ContractsByPublic[public]++
	}
	return nil
}

// territoryYear returns the year of a report on one calendar year of a whole
// territory, which the yearly totals answer; ok is false for any other report.
func territoryYear(sc access.ClauseScope, f ReportFilter) (year string, ok bool) {
	if sc.Territory == "" || sc.All || sc.FacilitatorOrgID != "" || sc.BuyerOrgID != "" || sc.CompanyOrgID != "" ||
		f.OperationID != "" || f.MarketID != "" {
		return "", false
	}
	y := f.From.Year()
	whole := f.From.Equal(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)) && f.To.Equal(time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
	return f.From.Format("2006"), whole
}

// yearFigures reads the line figures of a territory's calendar year from the
// yearly totals, in one statement so that they agree with each other: the
// participants grouped by public, sex and QPV with their age bands at the end
// of the year ('p' rows), then the hours and contracts by contract type and
// mode ('c' rows).
func (s *Service) yearFigures(ctx context.Context, r *Report, territory, year string, end time.Time) error {
	// Born after these days, a participant is under 26, 45 or 55 at the end of the year (see ageBand).
	born := func(age int) string { return db.Day(end.AddDate(-age, 0, 0)) }
	rows, err := s.db.QueryContext(ctx, `SELECT 'p', public, sex, qpv, COUNT(*), COUNT(birth_date),
			SUM(CASE WHEN birth_date > $3 THEN 1 ELSE 0 END), SUM(CASE WHEN birth_date > $4 THEN 1 ELSE 0 END),
			SUM(CASE WHEN birth_date > $5 THEN 1 ELSE 0 END), SUM(centihours), SUM(contracts), SUM(hires)
		FROM clause_year_people WHERE territory = $1 AND year = $2 GROUP BY public, sex, qpv
		UNION ALL
		SELECT 'c', contract_type, mode, FALSE, 0, 0, 0, 0, 0, SUM(centihours), SUM(contracts), 0
		FROM clause_year_contracts WHERE territory = $1 AND year = $2 GROUP BY contract_type, mode`,
		territory, year, born(26), born(45), born(55))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, a, b string
		var qpv bool
		var people, known, under26, under45, under55, contracts, hires int
		var hours Hours
		if err := rows.Scan(&kind, &a, &b, &qpv, &people, &known, &under26, &under45, &under55, &hours, &contracts, &hires); err != nil {
			return err
		}
		if kind == "c" {
			r.HoursByContract[a] += hours
			r.HoursByMode[b] += hours
			r.ContractsByType[a] += contracts
			continue
		}
		public, sex := a, b
		if sex == "" {
			sex = "inconnu"
		}
		r.Participants += people
		r.ParticipantsByPublic[public] += people
		r.ParticipantsBySex[sex] += people
		r.ParticipantsByAge["moins_26"] += under26
		r.ParticipantsByAge["26_44"] += under45 - under26
		r.ParticipantsByAge["45_54"] += under55 - under45
		r.ParticipantsByAge["55_plus"] += known - under55
		r.ParticipantsByAge["inconnu"] += people - known
		if qpv {
			r.ParticipantsQPV += people
		}
		r.Hours += hours
		r.HoursByPublic[public] += hours
		r.Contracts += contracts
		r.ContractsByPublic[public] += contracts
		r.Hires += hires
	}
	return rows.Err()
}

// marketFigures counts the markets overlapping the period, their hours owed,
// the companies awarded them and those that declared hours by its end.
func (s *Service) marketFigures(ctx context.Context, r *Report, sc access.ClauseScope, f ReportFilter, to Month) error {
	w := &db.Where{}
	marketScope(w, sc)
	w.Add("m.start_date <= $%d", db.Day(f.To))
	w.Add("m.end_date >= $%d", db.Day(f.From))
	if f.OperationID != "" {
		w.Add("m.operation_id = $%d", f.OperationID)
	}
	if f.MarketID != "" {
		w.Add("m.id = $%d", f.MarketID)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(m.required_centihours), 0) FROM clause_markets m`+w.String(),
		w.Args...).Scan(&r.Markets, &r.RequiredHours); err != nil {
		return err
	}
	toArg := w.Arg(string(to))
	rows, err := s.db.QueryContext(ctx, `SELECT a.company_org_id, MAX(CASE WHEN EXISTS (SELECT 1 FROM clause_hours h
		WHERE h.market_id = a.market_id AND h.company_org_id = a.company_org_id AND h.month <= `+toArg+`) THEN 1 ELSE 0 END)
		FROM clause_awards a JOIN clause_markets m ON m.id = a.market_id`+w.String()+` GROUP BY a.company_org_id`, w.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var started int
		if err := rows.Scan(&id, &started); err != nil {
			return err
		}
		r.CompaniesConcerned++
		r.CompaniesStarted += started
	}
	return rows.Err()
}

// ageBand returns the age band of a person born on birth at the date at.
func ageBand(birth *time.Time, at time.Time) string {
	if birth == nil {
		return "inconnu"
	}
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || at.Month() == birth.Month() && at.Day() < birth.Day() {
		age--
	}
	switch {
	case age < 26:
		return "moins_26"
	case age < 45:
		return "26_44"
	case age < 55:
		return "45_54"
	}
	return "55_plus"
}

// nullDate scans a nullable DATE column.
type nullDate struct{ t *time.Time }

func (n *nullDate) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.t = nil
	case time.Time:
		d := dateOf(x)
		n.t = &d
	case string:
		d, err := time.Parse(time.DateOnly, x[:min(len(x), 10)])
		if err != nil {
			return err
		}
		n.t = &d
	default:
		return errs.Newf(errs.Internal, "date inattendue %T", v)
	}
	return nil
}

func (n nullDate) ptr() *time.Time { return n.t }

// sortedKeys returns the keys of a map in order, for stable outputs.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
