package pathway

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
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
	AlertNoReferent       AlertKind = "no_referent"
	AlertOrientationLate  AlertKind = "orientation_overdue"
	AlertContractMissing  AlertKind = "contract_missing"
	AlertContractExpiring AlertKind = "contract_expiring"
	AlertNoContact        AlertKind = "no_contact"
	AlertOutcomeMissing   AlertKind = "appointment_outcome_missing"
	AlertStepGap          AlertKind = "step_gap"
	AlertCheckinDue       AlertKind = "back_to_work_checkin_due"
	worklistChunk                   = 500
	worklistMaxPage                 = 500
	worklistDefaultPage             = 100
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
	// ComputedAt is when the alerts were computed: a large worklist is kept a minute.
	ComputedAt time.Time
}

// A worklist that took longer than slowWorklist to compute (a whole
// département's) is kept for worklistCacheFor, so that paging and filtering
// it stays instant; a référent's, quick to compute, is always fresh.
const (
	slowWorklist     = time.Second
	worklistCacheFor = time.Minute
)

type cachedAlerts struct {
	at     time.Time
	alerts []Alert
}

// allAlerts returns every alert of the actor's scope with its référent and
// organisation, from the cache when a recent slow computation is there.
func (s *Service) allAlerts(ctx context.Context, a access.Actor) ([]Alert, time.Time, error) {
	key := a.UserID + "|" + a.OrgID
	if v, ok := s.worklists.Load(key); ok {
		if c := v.(cachedAlerts); time.Since(c.at) < worklistCacheFor {
			return c.alerts, c.at, nil
		}
		s.worklists.Delete(key)
	}
	began := time.Now()
	// The scope is narrowed once for the nine queries that follow.
	scope, err := people.NarrowScope(ctx, s.db, a, s.today())
	if err != nil {
		return nil, began, err
	}
	all, err := s.alerts(ctx, scope)
	if err == nil {
		err = s.attribute(ctx, scope, all)
	}
	if err != nil {
		return nil, began, err
	}
	if time.Since(began) > slowWorklist {
		s.worklists.Store(key, cachedAlerts{at: began, alerts: all})
	}
	return all, began, nil
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
	all, computed, err := s.allAlerts(ctx, a)
	if err != nil {
		return Worklist{}, err
	}
	wl := Worklist{ByKind: map[AlertKind]int{}, NoContactDays: s.set.NoContactDays, StepGapDays: s.set.StepGapDays,
		ContractWarning: s.set.ContractExpiryDays, ComputedAt: computed}
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
		return cmp.Or(x.Since.Compare(y.Since), cmp.Compare(x.PersonID, y.PersonID), cmp.Compare(x.Kind, y.Kind))
	})
	wl.Total = len(kept)
	from := min(max(f.Offset, 0), len(kept))
	wl.Items = kept[from:min(from+f.Limit, len(kept))]
	// Names are read for the page only: the counts need nothing but identifiers.
	if err := s.nameItems(ctx, wl.Items); err != nil {
		return Worklist{}, err
	}
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

// The queries select over the scope; each lookup by person goes through an
// index that starts with the person (steps_person_kind, follow_up_person…),
// so that a référent's worklist reads only their files and a département's
// stays a single pass. Measured on 50,000 files by bench/worklist.sh.
var alertQueries = []alertQuery{
	{AlertOrientationLate, func(w *db.Where, today time.Time, _ Settings) string {
		// request_date + 42 days < today, computed in Go so both engines agree.
		limit := w.Arg(day(today.AddDate(0, 0, -42)))
		return `SELECT p.id, hh.request_date, '' FROM persons p JOIN households hh ON hh.id = p.household_id` + w.String() +
			` AND ` + rsaOpenSQL + ` AND hh.request_date < ` + limit + ` AND p.id NOT IN (SELECT o.person_id FROM orientations o)`
	}},
	{AlertNoReferent, func(w *db.Where, today time.Time, _ Settings) string {
		d := w.Arg(day(today))
		return `SELECT p.id, ` + latestOrientation + `, COALESCE((SELECT org.name FROM organisations org WHERE org.id = p.oriented_org_id), '') FROM persons p` + w.String() +
			` AND p.oriented_org_id <> '' AND p.id NOT IN (SELECT r.person_id FROM follow_up_members r WHERE r.role = 'referent' AND r.start_date <= ` + d +
			` AND (r.end_date IS NULL OR r.end_date >= ` + d + `))`
	}},
	{AlertContractMissing, func(w *db.Where, today time.Time, _ Settings) string {
		// Every file oriented more than 28 days ago: the exact deadline (one
		// calendar month, two for a social CER) is checked in Go.
		limit := w.Arg(day(today.AddDate(0, 0, -28)))
		return `SELECT p.id, lo.oriented, (SELECT o.track FROM orientations o WHERE o.person_id = p.id AND o.decided_on = lo.oriented LIMIT 1) FROM persons p
			JOIN (SELECT o.person_id, MAX(o.decided_on) AS oriented FROM orientations o GROUP BY o.person_id) lo ON lo.person_id = p.id` + w.String() +
			` AND p.oriented_org_id <> '' AND lo.oriented < ` + limit +
			` AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.person_id = p.id AND c.signed_on IS NOT NULL AND c.end_date >= lo.oriented)`
	}},
	{AlertContractExpiring, func(w *db.Where, today time.Time, set Settings) string {
		limit := w.Arg(day(today.AddDate(0, 0, set.ContractExpiryDays)))
		return `SELECT p.id, c.end_date, c.kind FROM contracts c JOIN persons p ON p.id = c.person_id` + w.String() +
			` AND c.signed_on IS NOT NULL AND c.end_date <= ` + limit + ` AND p.oriented_org_id <> ''` +
			` AND c.id NOT IN (SELECT n.renews_id FROM contracts n WHERE n.renews_id <> '' AND n.signed_on IS NOT NULL)` +
			` AND NOT EXISTS (SELECT 1 FROM contracts later WHERE later.person_id = c.person_id AND later.end_date > c.end_date AND later.signed_on IS NOT NULL)`
	}},
	{AlertNoContact, func(w *db.Where, today time.Time, set Settings) string {
		d, limit := w.Arg(day(today)), w.Arg(day(today.AddDate(0, 0, -set.NoContactDays)))
		// A contact is an appointment held, excused or booked; a no-show or a cancellation is not.
		return `SELECT p.id, COALESCE((SELECT MAX(st.start_date) FROM steps st WHERE st.person_id = p.id AND st.kind = 'appointment' AND st.outcome = 'seen'),
			(SELECT MIN(r.start_date) FROM follow_up_members r WHERE r.person_id = p.id AND r.role = 'referent' AND (r.end_date IS NULL OR r.end_date >= ` + d + `))), ''
			FROM persons p` + w.String() +
			` AND EXISTS (SELECT 1 FROM follow_up_members r WHERE r.person_id = p.id AND r.role = 'referent' AND r.start_date <= ` + limit + ` AND (r.end_date IS NULL OR r.end_date >= ` + d + `))` +
			` AND NOT EXISTS (SELECT 1 FROM follow_up_members r WHERE r.person_id = p.id AND r.role = 'referent' AND r.start_date > ` + limit + ` AND (r.end_date IS NULL OR r.end_date >= ` + d + `))` +
			` AND NOT EXISTS (SELECT 1 FROM steps st WHERE st.person_id = p.id AND st.kind = 'appointment' AND st.outcome IN ('', 'seen', 'excused') AND st.start_date >= ` + limit + `)`
	}},
	{AlertOutcomeMissing, func(w *db.Where, today time.Time, _ Settings) string {
		d := w.Arg(day(today))
		return `SELECT p.id, st.start_date, st.title FROM persons p JOIN steps st ON st.person_id = p.id` + w.String() +
			` AND st.kind = 'appointment' AND st.outcome = '' AND st.start_date < ` + d
	}},
	{AlertStepGap, func(w *db.Where, today time.Time, set Settings) string {
		d, limit := w.Arg(day(today)), w.Arg(day(today.AddDate(0, 0, -set.StepGapDays)))
		return `SELECT g.id, g.last_end, (SELECT s.kind FROM steps s WHERE s.person_id = g.id AND s.kind IN ` + durationKinds + ` AND s.end_date = g.last_end LIMIT 1)
			FROM (SELECT p.id AS id, MAX(st.end_date) AS last_end FROM persons p JOIN steps st ON st.person_id = p.id` + w.String() +
			` AND st.kind IN ` + durationKinds + ` GROUP BY p.id
			HAVING SUM(CASE WHEN st.end_date IS NULL OR st.end_date >= ` + d + ` THEN 1 ELSE 0 END) = 0 AND MAX(st.end_date) < ` + limit + `) g`
	}},
	{AlertCheckinDue, func(w *db.Where, today time.Time, _ Settings) string {
		d := w.Arg(day(today))
		return `SELECT p.id, ck.due_date, ck.months FROM persons p JOIN checkins ck ON ck.person_id = p.id` + w.String() +
			` AND ck.done_on IS NULL AND ck.due_date <= ` + d
	}},
}

// alerts runs every kind's query over the actor's scope, side by side on
// the database's readers.
func (s *Service) alerts(ctx context.Context, scope people.Scope) ([]Alert, error) {
	today := s.today()
	results := make([][]Alert, len(alertQueries))
	failures := make([]error, len(alertQueries))
	var wg sync.WaitGroup
	for i, q := range alertQueries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], failures[i] = s.alertsOf(ctx, scope, q, today)
		}()
	}
	wg.Wait()
	if err := errors.Join(failures...); err != nil {
		return nil, err
	}
	return slices.Concat(results...), nil
}

// alertsOf runs one kind's query.
func (s *Service) alertsOf(ctx context.Context, scope people.Scope, q alertQuery, today time.Time) ([]Alert, error) {
	var w db.Where
	w.Raw(scope.SQL(&w))
	rows, err := s.db.QueryContext(ctx, q.sql(&w, today, s.set), w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		al := Alert{Kind: q.kind}
		var since, detail any
		if err := rows.Scan(&al.PersonID, &since, &detail); err != nil {
			return nil, err
		}
		al.Since, al.Detail = sinceAndDetail(q.kind, asDay(since), detail, s.set)
		if q.kind == AlertContractMissing && !al.Since.Before(today) {
			continue // the month has not run out yet
		}
		out = append(out, al)
	}
	return out, rows.Err()
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
		d := ContractDeadline(raw, Track(text))
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

// attribute gives each alert the référent and the organisation in charge
// of its file, read in one pass over the actor's scope, with their names.
func (s *Service) attribute(ctx context.Context, scope people.Scope, alerts []Alert) error {
	today := s.today()
	var w db.Where
	w.Raw(scope.SQL(&w))
	d := w.Arg(day(today))
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, COALESCE(r.user_id, ''), COALESCE(r.organisation_id, p.oriented_org_id)
		FROM persons p LEFT JOIN follow_up_members r ON r.person_id = p.id AND r.role = 'referent' AND r.start_date <= `+d+`
		AND (r.end_date IS NULL OR r.end_date >= `+d+`)`+w.String(), w.Args...)
	if err != nil {
		return err
	}
	type holder struct{ referent, org string }
	byPerson := map[string]holder{}
	for rows.Next() {
		var id string
		var h holder
		if err := rows.Scan(&id, &h.referent, &h.org); err != nil {
			rows.Close()
			return err
		}
		if _, seen := byPerson[id]; !seen || h.referent != "" {
			byPerson[id] = h
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	users, orgs := map[string]string{}, map[string]string{}
	for i := range alerts {
		h := byPerson[alerts[i].PersonID]
		alerts[i].ReferentID, alerts[i].OrgID = h.referent, h.org
		users[h.referent], orgs[h.org] = "", ""
	}
	if err := s.lookupNames(ctx, `SELECT id, first_name || ' ' || last_name FROM users WHERE id IN `, users); err != nil {
		return err
	}
	if err := s.lookupNames(ctx, `SELECT id, name FROM organisations WHERE id IN `, orgs); err != nil {
		return err
	}
	for i := range alerts {
		alerts[i].ReferentName, alerts[i].OrgName = users[alerts[i].ReferentID], orgs[alerts[i].OrgID]
	}
	return nil
}

// lookupNames fills names (keyed by identifier) with the query's second column.
func (s *Service) lookupNames(ctx context.Context, query string, names map[string]string) error {
	delete(names, "")
	ids := slices.Collect(maps.Keys(names))
	for chunk := range slices.Chunk(ids, worklistChunk) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, query+`(`+db.In(1, len(chunk))+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			names[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// nameItems adds the people's names to a page of alerts.
func (s *Service) nameItems(ctx context.Context, items []Alert) error {
	names := map[string]string{}
	for _, al := range items {
		names[al.PersonID] = ""
	}
	if err := s.lookupNames(ctx, `SELECT id, last_name || ' ' || first_name FROM persons WHERE id IN `, names); err != nil {
		return err
	}
	for i := range items {
		items[i].Name = names[items[i].PersonID]
	}
	return nil
}
