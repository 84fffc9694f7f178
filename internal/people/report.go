package people

import (
	"context"
	"database/sql"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// FlowChange is one line of the monthly report: a person whose RSA file changed in a flow.
type FlowChange struct {
	Kind      string // entry, suspension, closure, droits_devoirs
	Code      string // the CAF code of the suspension or closure reason
	On        *time.Time
	PersonID  string
	LastName  string
	FirstName string
	Matricule string
}

// FlowReport is what one CAF/MSA flow changed, for the département's staff.
type FlowReport struct {
	FlowDate      string
	Flows         []string // every flow date imported, newest first
	Entries       []FlowChange
	Suspensions   []FlowChange
	Closures      []FlowChange
	DroitsDevoirs []FlowChange
}

// MonthlyReport lists who entered, whose rights were suspended or closed, and
// who became subject to rights and duties in the flow of flowDate (the latest
// one when empty), among the files the actor may see.
func (s *Service) MonthlyReport(ctx context.Context, a access.Actor, flowDate string) (FlowReport, error) {
	var rep FlowReport
	if !mayImport(a) {
		return rep, errs.New(errs.NotFound, "Page introuvable.")
	}
	flows, err := flowDates(ctx, s.db)
	if err != nil {
		return rep, err
	}
	rep.Flows = flows
	if flowDate == "" && len(flows) > 0 {
		flowDate = flows[0]
	}
	if _, err := time.Parse(time.DateOnly, flowDate); err != nil {
		return rep, nil
	}
	rep.FlowDate = flowDate
	var w db.Where
	w.Add("e.flow_date = $%d", flowDate)
	w.Raw("e.kind IN ('entry', 'suspension', 'closure', 'droits_devoirs')")
	// A suspension or closure lifted (empty code) is not news for this report.
	w.Raw("NOT (e.kind IN ('suspension', 'closure') AND e.code = '')")
	w.Raw(scopeSQL(access.ScopeForPeople(StaffOnly(a)), db.Now().Format(time.DateOnly), &w))
	rows, err := s.db.QueryContext(ctx, `SELECT e.kind, e.code, e.on_date, p.id, p.last_name, p.first_name, h.matricule
		FROM rsa_events e JOIN households h ON h.id = e.household_id
		JOIN persons p ON (e.person_id <> '' AND p.id = e.person_id)
			OR (e.person_id = '' AND p.household_id = e.household_id AND p.household_role IN ('DEM', 'CJT'))`+w.String()+`
		ORDER BY e.kind, p.last_name, p.first_name, p.id`, w.Args...)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	var events []audit.Event
	for rows.Next() {
		var c FlowChange
		var on sql.NullTime
		if err := rows.Scan(&c.Kind, &c.Code, &on, &c.PersonID, &c.LastName, &c.FirstName, &c.Matricule); err != nil {
			return rep, err
		}
		c.On = dayOf(on)
		switch c.Kind {
		case "entry":
			rep.Entries = append(rep.Entries, c)
		case "suspension":
			rep.Suspensions = append(rep.Suspensions, c)
		case "closure":
			rep.Closures = append(rep.Closures, c)
		case "droits_devoirs":
			rep.DroitsDevoirs = append(rep.DroitsDevoirs, c)
		}
		events = append(events, audit.Event{Action: "person.list", ObjectType: "person", ObjectID: c.PersonID, PersonID: c.PersonID, Detail: "rapport flux CAF"})
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	return rep, s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
}

func flowDates(ctx context.Context, q db.Querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT flow_date FROM imports WHERE flow_date IS NOT NULL ORDER BY flow_date DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d.UTC().Format(time.DateOnly))
	}
	return out, rows.Err()
}
