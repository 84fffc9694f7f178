package clauses

import (
	"context"
	"sort"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
)

// CompanyProgress is a company's hours on a market (or, pooled, on an operation) against its share.
type CompanyProgress struct {
	MarketID     string  `json:"market_id,omitempty"`
	CompanyOrgID string  `json:"company_org_id"`
	CompanyName  string  `json:"company_name"`
	Role         string  `json:"role,omitempty"`
	Share        Hours   `json:"share_hours"`
	Done         Hours   `json:"done_hours"`
	Expected     Hours   `json:"expected_hours"`
	Percent      float64 `json:"percent"`
	Participants int     `json:"participants"`
	FirstMonth   Month   `json:"first_month,omitempty"`
	LastMonth    Month   `json:"last_month,omitempty"`
	Started      bool    `json:"started"`
	Late         bool    `json:"late"`
	Silent       bool    `json:"silent"`
}

// MarketProgress is a market's hours against those owed and the schedule.
type MarketProgress struct {
	Market    Market            `json:"market"`
	Done      Hours             `json:"done_hours"`
	Expected  Hours             `json:"expected_hours"`
	Percent   float64           `json:"percent"`
	ETP       float64           `json:"etp"`
	Elapsed   float64           `json:"elapsed_percent"`
	Late      bool              `json:"late"`
	Companies []CompanyProgress `json:"companies"`
	// Owed is what the reader is measured against: the market's hours, or a company's own share.
	Owed Hours `json:"owed_hours"`
}

// Alert flags a company or a market behind its hours.
type Alert struct {
	Kind         string `json:"kind"`
	MarketID     string `json:"market_id,omitempty"`
	Reference    string `json:"reference,omitempty"`
	CompanyOrgID string `json:"company_org_id,omitempty"`
	CompanyName  string `json:"company_name,omitempty"`
	Message      string `json:"message"`
}

// OperationProgress is the state of an operation: markets, companies,
// participants, pace, alerts and outcomes.
type OperationProgress struct {
	Operation Operation        `json:"operation"`
	Markets   []MarketProgress `json:"markets"`
	// Companies are the companies' totals over the operation (pooled operations are followed this way).
	Companies []CompanyProgress `json:"companies"`
	Required  Hours             `json:"required_hours"`
	Done      Hours             `json:"done_hours"`
	Expected  Hours             `json:"expected_hours"`
	Percent   float64           `json:"percent"`
	ETP       float64           `json:"etp"`
	Figures   Report            `json:"figures"`
	Alerts    []Alert           `json:"alerts"`
	// Outcomes counts the outcomes by stage then by outcome.
	Outcomes map[string]map[string]int `json:"outcomes"`
	Today    string                    `json:"today"`
}

// elapsed returns the share of a schedule gone by at a date, between 0 and 1.
func elapsed(start, end, at time.Time) float64 {
	total := end.Sub(start).Hours() + 24
	gone := at.Sub(start).Hours() + 24
	switch {
	case gone <= 0:
		return 0
	case gone >= total:
		return 1
	}
	return gone / total
}

// monthsAfter reports whether at is at least n months after start.
func monthsAfter(start time.Time, n int, at time.Time) bool {
	return !at.Before(start.AddDate(0, n, 0))
}

// doneRow is the hours of a company on a market.
type doneRow struct {
	hours        Hours
	participants int
	first, last  Month
}

// doneByAward reads the hours declared per market and company on an operation (or market).
func (s *Service) doneByAward(ctx context.Context, sc access.ClauseScope, operationID, marketID string) (map[[2]string]doneRow, error) {
	w := &db.Where{}
	hoursScope(w, sc)
	if operationID != "" {
		w.Add("m.operation_id = $%d", operationID)
	}
	if marketID != "" {
		w.Add("h.market_id = $%d", marketID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT h.market_id, h.company_org_id, SUM(h.centihours), COUNT(DISTINCT h.participant_id),
		MIN(h.month), MAX(h.month) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id`+w.String()+
		` GROUP BY h.market_id, h.company_org_id`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]doneRow{}
	for rows.Next() {
		var mid, cid, first, last string
		var d doneRow
		if err := rows.Scan(&mid, &cid, &d.hours, &d.participants, &first, &last); err != nil {
			return nil, err
		}
		d.first, d.last = Month(first), Month(last)
		out[[2]string{mid, cid}] = d
	}
	return out, rows.Err()
}

// declaredBy is the day up to which hours can have been declared: they are
// declared by month, so the schedule is judged at the end of the last whole month.
func declaredBy(today time.Time) time.Time {
	return time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}

// participantsByCompany counts the distinct participants of each company over an operation's lines.
func (s *Service) participantsByCompany(ctx context.Context, sc access.ClauseScope, operationID string) (map[string]int, error) {
	w := &db.Where{}
	hoursScope(w, sc)
	w.Add("m.operation_id = $%d", operationID)
	rows, err := s.db.QueryContext(ctx, `SELECT h.company_org_id, COUNT(DISTINCT h.participant_id)
		FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id`+w.String()+` GROUP BY h.company_org_id`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// marketProgress measures a market and its companies at a date.
func (s *Service) marketProgress(m Market, done map[[2]string]doneRow, today time.Time) MarketProgress {
	mp := MarketProgress{Market: m, Elapsed: elapsed(m.Start, m.End, today) * 100}
	frac := elapsed(m.Start, m.End, declaredBy(today))
	mp.Expected = Hours(float64(m.Required)*frac + 0.5)
	for _, aw := range m.Awards {
		d := done[[2]string{m.ID, aw.CompanyOrgID}]
		cp := CompanyProgress{MarketID: m.ID, CompanyOrgID: aw.CompanyOrgID, CompanyName: aw.CompanyName, Role: aw.Role,
			Share: aw.Share, Done: d.hours, Expected: Hours(float64(aw.Share)*frac + 0.5), Percent: percent(d.hours, aw.Share),
			Participants: d.participants, FirstMonth: d.first, LastMonth: d.last, Started: d.first != ""}
		s.flag(&cp, m.Start, today)
		mp.Done += d.hours
		mp.Companies = append(mp.Companies, cp)
	}
	// Hours of companies no longer awarded still count for the market.
	for k, d := range done {
		if k[0] == m.ID {
			if _, ok := awarded(m, k[1]); !ok {
				mp.Done += d.hours
			}
		}
	}
	mp.Owed, mp.Percent, mp.ETP = m.Required, percent(mp.Done, m.Required), s.settings.ETP(mp.Done)
	mp.Late = mp.Expected > 0 && float64(mp.Done) < float64(mp.Expected)*s.settings.LateRatio
	return mp
}

// ownOnly keeps, for a company, only its own line of a market: it does not
// see the others' hours, so the market's figures are judged on its own share.
// A structure that only places people on the market sees it against its hours.
func ownOnly(mp MarketProgress, sc access.ClauseScope) MarketProgress {
	if sc.CompanyOrgID == "" {
		return mp
	}
	var own []CompanyProgress
	var share, expected Hours
	late := false
	for _, c := range mp.Companies {
		if c.CompanyOrgID == sc.CompanyOrgID {
			own = append(own, c)
			share += c.Share
			expected += c.Expected
			late = late || c.Late
		}
	}
	mp.Companies = own
	if len(own) > 0 {
		mp.Owed, mp.Expected, mp.Late, mp.Percent = share, expected, late, percent(mp.Done, share)
	}
	return mp
}

// flag sets the late and silent alerts of a company against the pro-rata of its share.
func (s *Service) flag(cp *CompanyProgress, start, today time.Time) {
	cp.Silent = !cp.Started && cp.Share > 0 && monthsAfter(start, s.settings.SilentMonths, today)
	cp.Late = cp.Started && cp.Expected > 0 && float64(cp.Done) < float64(cp.Expected)*s.settings.LateRatio
}

// OperationProgress measures an operation for the actor, within what it sees.
func (s *Service) OperationProgress(ctx context.Context, a access.Actor, id string) (OperationProgress, error) {
	op, err := s.GetOperation(ctx, a, id)
	if err != nil {
		return OperationProgress{}, err
	}
	sc := access.ScopeForClauses(a)
	markets, err := listMarkets(ctx, s.db, sc, MarketFilter{OperationID: id})
	if err != nil {
		return OperationProgress{}, err
	}
	done, err := s.doneByAward(ctx, sc, id, "")
	if err != nil {
		return OperationProgress{}, err
	}
	today := s.today()
	p := OperationProgress{Operation: op, Today: db.Day(today), Markets: []MarketProgress{}, Alerts: []Alert{}}
	start, end := today, today
	for i, m := range markets {
		mp := ownOnly(s.marketProgress(m, done, today), sc)
		p.Markets = append(p.Markets, mp)
		p.Required += mp.Owed
		p.Done += mp.Done
		p.Expected += mp.Expected
		if i == 0 || m.Start.Before(start) {
			start = m.Start
		}
		if i == 0 || m.End.After(end) {
			end = m.End
		}
	}
	people, err := s.participantsByCompany(ctx, sc, id)
	if err != nil {
		return OperationProgress{}, err
	}
	p.Companies = s.companyTotals(p.Markets, people, op.Pooled, today)
	p.Percent, p.ETP = percent(p.Done, p.Required), s.settings.ETP(p.Done)
	p.Alerts = s.alerts(op, p)
	if len(markets) == 0 {
		start, end = today, today
	}
	if p.Figures, err = s.figures(ctx, sc, ReportFilter{From: start, To: maxTime(end, today), OperationID: id}); err != nil {
		return OperationProgress{}, err
	}
	if p.Outcomes, err = s.outcomeCounts(ctx, sc, id); err != nil {
		return OperationProgress{}, err
	}
	return p, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// companyTotals sums each company over the operation's markets; on a pooled
// operation the alerts are judged on these totals.
func (s *Service) companyTotals(markets []MarketProgress, people map[string]int, pooled bool, today time.Time) []CompanyProgress {
	by := map[string]*CompanyProgress{}
	// span is the schedule of each company: from the first start to the last end of its markets.
	span := map[string][2]time.Time{}
	var order []string
	for _, mp := range markets {
		for _, c := range mp.Companies {
			t, ok := by[c.CompanyOrgID]
			if !ok {
				t = &CompanyProgress{CompanyOrgID: c.CompanyOrgID, CompanyName: c.CompanyName}
				by[c.CompanyOrgID] = t
				order = append(order, c.CompanyOrgID)
				span[c.CompanyOrgID] = [2]time.Time{mp.Market.Start, mp.Market.End}
			}
			sp := span[c.CompanyOrgID]
			if mp.Market.Start.Before(sp[0]) {
				sp[0] = mp.Market.Start
			}
			if mp.Market.End.After(sp[1]) {
				sp[1] = mp.Market.End
			}
			span[c.CompanyOrgID] = sp
			t.Share += c.Share
			t.Done += c.Done
			t.Expected += c.Expected
			t.Started = t.Started || c.Started
			t.Late = t.Late || c.Late
			t.Silent = t.Silent || c.Silent
			if c.FirstMonth != "" && (t.FirstMonth == "" || c.FirstMonth < t.FirstMonth) {
				t.FirstMonth = c.FirstMonth
			}
			if c.LastMonth > t.LastMonth {
				t.LastMonth = c.LastMonth
			}
		}
	}
	out := make([]CompanyProgress, 0, len(order))
	for _, id := range order {
		t := by[id]
		// A person working on two lots of the company counts once.
		t.Participants = people[id]
		t.Percent = percent(t.Done, t.Share)
		if pooled {
			sp := span[id]
			t.Expected = Hours(float64(t.Share)*elapsed(sp[0], sp[1], declaredBy(today)) + 0.5)
			s.flag(t, sp[0], today)
		}
		out = append(out, *t)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CompanyName < out[j].CompanyName })
	return out
}

// alerts lists the companies late or silent, and the markets behind schedule.
func (s *Service) alerts(op Operation, p OperationProgress) []Alert {
	out := []Alert{}
	if op.Pooled {
		for _, c := range p.Companies {
			out = append(out, companyAlerts(c, "", "")...)
		}
		return out
	}
	for _, mp := range p.Markets {
		for _, c := range mp.Companies {
			out = append(out, companyAlerts(c, mp.Market.ID, mp.Market.Reference)...)
		}
		if mp.Late {
			out = append(out, Alert{Kind: "market_late", MarketID: mp.Market.ID, Reference: mp.Market.Reference,
				Message: "Marché " + mp.Market.Reference + " : " + mp.Done.String() + " h réalisées pour " + mp.Expected.String() +
					" h attendues à ce stade du calendrier."})
		}
	}
	return out
}

func companyAlerts(c CompanyProgress, marketID, ref string) []Alert {
	where := ""
	if ref != "" {
		where = " sur le marché " + ref
	}
	switch {
	case c.Silent:
		return []Alert{{Kind: "silent", MarketID: marketID, Reference: ref, CompanyOrgID: c.CompanyOrgID, CompanyName: c.CompanyName,
			Message: c.CompanyName + " n'a déclaré aucune heure" + where + " (part : " + c.Share.String() + " h)."}}
	case c.Late:
		return []Alert{{Kind: "late", MarketID: marketID, Reference: ref, CompanyOrgID: c.CompanyOrgID, CompanyName: c.CompanyName,
			Message: c.CompanyName + " est en retard" + where + " : " + c.Done.String() + " h réalisées pour " + c.Expected.String() +
				" h attendues au prorata de sa part."}}
	}
	return nil
}

// outcomeCounts counts the outcomes of an operation by stage and outcome, for the participants the scope sees.
func (s *Service) outcomeCounts(ctx context.Context, sc access.ClauseScope, operationID string) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	for _, st := range OutcomeStages {
		out[st.Code] = map[string]int{}
		for _, o := range Outcomes {
			out[st.Code][o.Code] = 0
		}
	}
	w := &db.Where{}
	w.Add("o.operation_id = $%d", operationID)
	hs := &db.Where{Args: w.Args}
	hoursScope(hs, sc)
	cond := hs.String()
	w.Args = hs.Args
	if cond != "" {
		w.Raw(`EXISTS (SELECT 1 FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id` + cond +
			` AND h.participant_id = o.participant_id AND m.operation_id = o.operation_id)`)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT o.stage, o.outcome, COUNT(*) FROM clause_outcomes o`+w.String()+
		` GROUP BY o.stage, o.outcome`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st, oc string
		var n int
		if err := rows.Scan(&st, &oc, &n); err != nil {
			return nil, err
		}
		if out[st] != nil {
			out[st][oc] = n
		}
	}
	return out, rows.Err()
}

// CompanyOverview returns the awards of the actor's organisation with their progress.
func (s *Service) CompanyOverview(ctx context.Context, a access.Actor) ([]MarketProgress, error) {
	sc := access.ScopeForClauses(a)
	if sc.CompanyOrgID == "" {
		return nil, nil
	}
	markets, err := listMarkets(ctx, s.db, sc, MarketFilter{})
	if err != nil {
		return nil, err
	}
	today := s.today()
	out := make([]MarketProgress, 0, len(markets))
	for _, m := range markets {
		done, err := s.doneByAward(ctx, sc, "", m.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ownOnly(s.marketProgress(m, done, today), sc))
	}
	return out, nil
}

// MarketProgress measures one market for the actor.
func (s *Service) MarketProgress(ctx context.Context, a access.Actor, id string) (MarketProgress, Report, error) {
	m, err := s.GetMarket(ctx, a, id)
	if err != nil {
		return MarketProgress{}, Report{}, err
	}
	sc := access.ScopeForClauses(a)
	done, err := s.doneByAward(ctx, sc, "", id)
	if err != nil {
		return MarketProgress{}, Report{}, err
	}
	today := s.today()
	fig, err := s.figures(ctx, sc, ReportFilter{From: m.Start, To: maxTime(m.End, today), MarketID: id})
	return ownOnly(s.marketProgress(m, done, today), sc), fig, err
}
