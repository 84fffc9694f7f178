package pathway

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// AlertKind is a kind of alert of the point de situation.
type AlertKind string

// The alert kinds, in the order the worklist explains them.
const (
	AlertNoReferent        AlertKind = "no_referent"
	AlertOrientationLate   AlertKind = "orientation_overdue"
	AlertContractMissing   AlertKind = "contract_missing"
	AlertContractExpiring  AlertKind = "contract_expiring"
	AlertNoContact         AlertKind = "no_contact"
	AlertOutcomeMissing    AlertKind = "appointment_outcome_missing"
	AlertStepGap           AlertKind = "step_gap"
	AlertCheckinDue        AlertKind = "back_to_work_checkin_due"
	worklistChunk                    = 500
	worklistMaxPage                  = 500
	worklistDefaultPage              = 100
	worklistKindsForOrient           = 2
)

// AlertKinds lists every kind with its French label.
var AlertKinds = []struct {
	Kind  AlertKind
	Label string
}{
	{AlertOrientationLate, "Orientation en retard (6 semaines)"},
	{AlertNoReferent, "Orientée sans référent"},
	{AlertContractMissing, "Contrat non signé (1 mois)"},
	{AlertContractExpiring, "Contrat qui arrive à échéance"},
	{AlertNoContact, "Sans rendez-vous depuis longtemps"},
	{AlertOutcomeMissing, "Rendez-vous passé sans suite notée"},
	{AlertStepGap, "Attente entre deux étapes"},
	{AlertCheckinDue, "Suivi de reprise d'emploi à faire"},
}

// AlertLabel gives the French label of a kind.
func AlertLabel(k AlertKind) string {
	for _, a := range AlertKinds {
		if a.Kind == k {
			return a.Label
		}
	}
	return string(k)
}

// Alert is one item of the point de situation.
type Alert struct {
	PersonID string
	Name     string
	Kind     AlertKind
	// Since is the day the situation became late (a deadline, the last contact…).
	Since  time.Time
	Detail string
	// Referent and organisation currently in charge; empty when nobody is.
	ReferentID, ReferentName string
	OrgID, OrgName           string
}

// WorklistFilter narrows the point de situation.
type WorklistFilter struct {
	Kind       AlertKind
	OrgID      string
	ReferentID string
	// Mine keeps the files the actor leads as référent.
	Mine          bool
	Limit, Offset int
}

// Count is a number of alerts for a structure or a référent.
type Count struct {
	ID, Name string
	Count    int
}

// Worklist is a page of alerts with their totals.
type Worklist struct {
	Items           []Alert
	Total           int
	ByKind          map[AlertKind]int
	ByOrganisation  []Count
	ByReferent      []Count
	NoContactDays   int
	StepGapDays     int
	ContractWarning int
}

// Worklist computes the point de situation over the files the actor may see:
// every situation that waits, oldest first, with counts per kind, structure
// and référent. The files shown are traced like a list of people.
func (s *Service) Worklist(ctx context.Context, a access.Actor, f WorklistFilter) (Worklist, error) {
	if !a.Authenticated() {
		return Worklist{}, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if f.Kind != "" && AlertLabel(f.Kind) == string(f.Kind) {
		return Worklist{}, errs.FieldErrors{"kind": "Type d'alerte inconnu."}.Err()
	}
	if f.Limit <= 0 {
		f.Limit = worklistDefaultPage
	}
	f.Limit = min(f.Limit, worklistMaxPage)
	all, err := s.alerts(ctx, a)
	if err != nil {
		return Worklist{}, err
	}
	if err := s.describe(ctx, all); err != nil {
		return Worklist{}, err
	}
	wl := Worklist{ByKind: map[AlertKind]int{}, NoContactDays: s.set.NoContactDays, StepGapDays: s.set.StepGapDays, ContractWarning: s.set.ContractExpiryDays}
	var kept []Alert
	for _, al := range all {
		if (f.OrgID != "" && al.OrgID != f.OrgID) || (f.ReferentID != "" && al.ReferentID != f.ReferentID) || (f.Mine && al.ReferentID != a.UserID) {
			continue
		}
		wl.ByKind[al.Kind]++
		if f.Kind != "" && al.Kind != f.Kind {
			continue
		}
		kept = append(kept, al)
	}
	wl.ByOrganisation, wl.ByReferent = countBy(kept, func(al Alert) (string, string) { return al.OrgID, al.OrgName }),
		countBy(kept, func(al Alert) (string, string) { return al.ReferentID, al.ReferentName })
	slices.SortStableFunc(kept, func(x, y Alert) int {
		return cmp.Or(x.Since.Compare(y.Since), cmp.Compare(x.Name, y.Name), cmp.Compare(x.PersonID, y.PersonID), cmp.Compare(x.Kind, y.Kind))
	})
	wl.Total = len(kept)
	from := min(max(f.Offset, 0), len(kept))
	wl.Items = kept[from:min(from+f.Limit, len(kept))]
	return wl, s.traceList(ctx, a, wl.Items)
}

func (s *Service) traceList(ctx context.Context, a access.Actor, items []Alert) error {
	events := []audit.Event{{Action: "worklist.read", ObjectType: "worklist", Detail: "alertes: " + strconv.Itoa(len(items))}}
	seen := map[string]bool{}
	for _, al := range items {
		if !seen[al.PersonID] {
			seen[al.PersonID] = true
			events = append(events, audit.Event{Action: "person.list", ObjectType: "person", ObjectID: al.PersonID, PersonID: al.PersonID})
		}
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
}

func countBy(items []Alert, key func(Alert) (string, string)) []Count {
	idx := map[string]int{}
	var out []Count
	for _, al := range items {
		id, name := key(al)
		if id == "" {
			name = "Sans référent"
		}
		i, ok := idx[id]
		if !ok {
			i = len(out)
			idx[id] = i
			out = append(out, Count{ID: id, Name: name})
		}
		out[i].Count++
	}
	slices.SortFunc(out, func(x, y Count) int { return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Name, y.Name)) })
	return out
}

// alertQuery is one kind's query: it selects person id, since and detail on
// persons p, with $1 the scope's first free placeholder.
type alertQuery struct {
	kind AlertKind
	sql  func(w *db.Where, today time.Time, set Settings) string
}

// currentReferent is true when the person has a référent on the day of $day.
func currentReferent(day string) string {
	return `EXISTS (SELECT 1 FROM follow_up_members r WHERE r.person_id = p.id AND r.role = 'referent' AND r.start_date <= ` + day +
		` AND (r.end_date IS NULL OR r.end_date >= ` + day + `))`
}

// latestOrientation is the day of the person's current orientation.
const latestOrientation = `(SELECT MAX(o.decided_on) FROM orientations o WHERE o.person_id = p.id)`

// durationKinds are the steps that last and whose ends start a wait.
const durationKinds = `('pmsmp','training','iae','aided_contract','job')`

var alertQueries = []alertQuery{
	{AlertOrientationLate, func(w *db.Where, today time.Time, _ Settings) string {
		// request_date + 42 days < today, computed in Go so both engines agree.
		limit := w.Arg(day(today.AddDate(0, 0, -42)))
		return `SELECT p.id, hh.request_date, '' FROM persons p JOIN households hh ON hh.id = p.household_id` + w.String() +
			` AND ` + rsaOpenSQL + ` AND hh.request_date < ` + limit + ` AND NOT EXISTS (SELECT 1 FROM orientations o WHERE o.person_id = p.id)`
	}},
	{AlertNoReferent, func(w *db.Where, today time.Time, _ Settings) string {
		d := w.Arg(day(today))
		return `SELECT p.id, ` + latestOrientation + `, COALESCE((SELECT org.name FROM organisations org WHERE org.id = p.oriented_org_id), '') FROM persons p` + w.String() +
			` AND p.oriented_org_id <> '' AND NOT ` + currentReferent(d)
	}},
	{AlertContractMissing, func(w *db.Where, today time.Time, _ Settings) string {
		limit := w.Arg(day(today.AddDate(0, -1, 0)))
		return `SELECT p.id, ` + latestOrientation + `, '' FROM persons p` + w.String() +
			` AND p.oriented_org_id <> '' AND ` + latestOrientation + ` < ` + limit +
			` AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.person_id = p.id AND c.signed_on IS NOT NULL AND c.end_date >= ` + latestOrientation + `)`
	}},
	{AlertContractExpiring, func(w *db.Where, today time.Time, set Settings) string {
		limit := w.Arg(day(today.AddDate(0, 0, set.ContractExpiryDays)))
		return `SELECT p.id, c.end_date, c.kind FROM persons p JOIN contracts c ON c.person_id = p.id` + w.String() +
			` AND c.signed_on IS NOT NULL AND c.end_date <= ` + limit +
			` AND c.end_date = (SELECT MAX(c2.end_date) FROM contracts c2 WHERE c2.person_id = p.id)` +
			` AND NOT EXISTS (SELECT 1 FROM contracts n WHERE n.renews_id = c.id) AND p.oriented_org_id <> ''`
	}},
	{AlertNoContact, func(w *db.Where, today time.Time, set Settings) string {
		d, limit := w.Arg(day(today)), w.Arg(day(today.AddDate(0, 0, -set.NoContactDays)))
		return `SELECT p.id, COALESCE((SELECT MAX(st.start_date) FROM steps st WHERE st.person_id = p.id AND st.kind = 'appointment' AND st.outcome = 'seen'),
			(SELECT MIN(r.start_date) FROM follow_up_members r WHERE r.person_id = p.id AND r.role = 'referent' AND (r.end_date IS NULL OR r.end_date >= ` + d + `))), ''
			FROM persons p` + w.String() + ` AND ` + currentReferent(d) +
			` AND NOT EXISTS (SELECT 1 FROM follow_up_members r WHERE r.person_id = p.id AND r.role = 'referent' AND r.start_date > ` + limit + ` AND (r.end_date IS NULL OR r.end_date >= ` + d + `))` +
			` AND NOT EXISTS (SELECT 1 FROM steps st WHERE st.person_id = p.id AND st.kind = 'appointment' AND st.start_date >= ` + limit +
			` AND st.outcome NOT IN ('no_show', 'cancelled'))`
	}},
	{AlertOutcomeMissing, func(w *db.Where, today time.Time, _ Settings) string {
		d := w.Arg(day(today))
		return `SELECT p.id, st.start_date, st.title FROM persons p JOIN steps st ON st.person_id = p.id` + w.String() +
			` AND st.kind = 'appointment' AND st.outcome = '' AND st.start_date < ` + d
	}},
	{AlertStepGap, func(w *db.Where, today time.Time, set Settings) string {
		d, limit := w.Arg(day(today)), w.Arg(day(today.AddDate(0, 0, -set.StepGapDays)))
		return `SELECT p.id, st.end_date, st.kind FROM persons p JOIN steps st ON st.person_id = p.id` + w.String() +
			` AND st.kind IN ` + durationKinds + ` AND st.end_date < ` + limit +
			` AND st.end_date = (SELECT MAX(s2.end_date) FROM steps s2 WHERE s2.person_id = p.id AND s2.kind IN ` + durationKinds + `)` +
			` AND NOT EXISTS (SELECT 1 FROM steps nx WHERE nx.person_id = p.id AND nx.kind IN ` + durationKinds +
			` AND (nx.start_date >= st.end_date OR nx.end_date IS NULL OR nx.end_date >= ` + d + `))`
	}},
	{AlertCheckinDue, func(w *db.Where, today time.Time, _ Settings) string {
		d := w.Arg(day(today))
		return `SELECT p.id, ck.due_date, ck.months FROM persons p JOIN checkins ck ON ck.person_id = p.id` + w.String() +
			` AND ck.done_on IS NULL AND ck.due_date <= ` + d
	}},
}

// alerts runs every kind's query over the actor's scope.
func (s *Service) alerts(ctx context.Context, a access.Actor) ([]Alert, error) {
	today := s.today()
	var out []Alert
	for _, q := range alertQueries {
		var w db.Where
		scope, err := people.ScopeSQL(ctx, s.db, a, today, &w)
		if err != nil {
			return nil, err
		}
		w.Raw(scope)
		rows, err := s.db.QueryContext(ctx, q.sql(&w, today, s.set), w.Args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			al := Alert{Kind: q.kind}
			var since, detail any
			if err := rows.Scan(&al.PersonID, &since, &detail); err != nil {
				rows.Close()
				return nil, err
			}
			al.Since = asDay(since)
			al.Since, al.Detail = sinceAndDetail(q.kind, al.Since, detail, s.set)
			out = append(out, al)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sinceAndDetail turns the raw day of a kind into the day the situation
// became late, and writes its French detail.
func sinceAndDetail(k AlertKind, raw time.Time, detail any, set Settings) (time.Time, string) {
	text := ""
	switch v := detail.(type) {
	case string:
		text = v
	case []byte:
		text = string(v)
	case int64:
		text = strconv.FormatInt(v, 10)
	}
	fr := func(t time.Time) string { return t.Format("02/01/2006") }
	switch k {
	case AlertOrientationLate:
		d := OrientationDeadline(raw)
		return d, "Droits ouverts le " + fr(raw) + ", orientation attendue au plus tard le " + fr(d) + "."
	case AlertNoReferent:
		return raw, "Orientée le " + fr(raw) + " vers " + text + ", sans référent nommé."
	case AlertContractMissing:
		d := ContractDeadline(raw)
		return d, "Orientée le " + fr(raw) + ", contrat attendu au plus tard le " + fr(d) + "."
	case AlertContractExpiring:
		return raw, ContractKindLabel(ContractKind(text)) + " se terminant le " + fr(raw) + ", sans renouvellement."
	case AlertNoContact:
		return raw.AddDate(0, 0, set.NoContactDays), "Dernier rendez-vous honoré ou début du suivi le " + fr(raw) + "."
	case AlertOutcomeMissing:
		return raw, "Rendez-vous du " + fr(raw) + " (" + text + ") : présence non renseignée."
	case AlertStepGap:
		return raw.AddDate(0, 0, set.StepGapDays), "Dernière étape (" + stepKindLabel(text) + ") terminée le " + fr(raw) + ", aucune suite engagée."
	case AlertCheckinDue:
		return raw, "Point de suivi à " + text + " mois après la reprise d'emploi, prévu le " + fr(raw) + "."
	}
	return raw, text
}

// stepKindLabel names a kind of step in French.
func stepKindLabel(kind string) string {
	switch kind {
	case "pmsmp":
		return "immersion PMSMP"
	case "training":
		return "formation"
	case "iae":
		return "contrat IAE"
	case "aided_contract":
		return "contrat aidé"
	case "job":
		return "emploi"
	}
	return kind
}

// asDay reads a day computed by an expression: SQLite returns it as text
// (an aggregate loses the column's DATE type), PostgreSQL as a time.
func asDay(v any) time.Time {
	switch d := v.(type) {
	case time.Time:
		return d.UTC().Truncate(24 * time.Hour)
	case string:
		return parseAnyDay(d)
	case []byte:
		return parseAnyDay(string(d))
	}
	return time.Time{}
}

func parseAnyDay(s string) time.Time {
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t
		}
	}
	return time.Time{}
}

// describe adds the names, référents and organisations of the alerts' people.
func (s *Service) describe(ctx context.Context, alerts []Alert) error {
	ids := map[string][]int{}
	var order []string
	for i, al := range alerts {
		if _, ok := ids[al.PersonID]; !ok {
			order = append(order, al.PersonID)
		}
		ids[al.PersonID] = append(ids[al.PersonID], i)
	}
	today := day(s.today())
	for start := 0; start < len(order); start += worklistChunk {
		chunk := order[start:min(start+worklistChunk, len(order))]
		args := []any{today}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.last_name || ' ' || p.first_name, COALESCE(r.user_id, ''), COALESCE(u.first_name || ' ' || u.last_name, ''),
			COALESCE(r.organisation_id, p.oriented_org_id), COALESCE(ro.name, COALESCE(oo.name, ''))
			FROM persons p
			LEFT JOIN follow_up_members r ON r.id = (SELECT r2.id FROM follow_up_members r2 WHERE r2.person_id = p.id AND r2.role = 'referent'
				AND r2.start_date <= $1 AND (r2.end_date IS NULL OR r2.end_date >= $1) ORDER BY r2.start_date DESC LIMIT 1)
			LEFT JOIN users u ON u.id = r.user_id LEFT JOIN organisations ro ON ro.id = r.organisation_id
			LEFT JOIN organisations oo ON oo.id = p.oriented_org_id
			WHERE p.id IN (`+db.In(2, len(chunk))+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, name, refID, refName, orgID, orgName string
			if err := rows.Scan(&id, &name, &refID, &refName, &orgID, &orgName); err != nil {
				rows.Close()
				return err
			}
			for _, i := range ids[id] {
				alerts[i].Name, alerts[i].ReferentID, alerts[i].ReferentName, alerts[i].OrgID, alerts[i].OrgName = name, refID, refName, orgID, orgName
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
