package people

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// keptFile joins, as k, the file a row of persons p lives on as: itself, or
// the file it was merged into (merges re-point older absorbed files, so one
// step is enough). Imports match through it, so an absorbed file's NIR or
// matricule updates the kept file.
const keptFile = ` JOIN persons k ON k.id = CASE WHEN p.merged_into = '' THEN p.id ELSE p.merged_into END`

// liveFirst orders a live file of persons p before an absorbed one.
const liveFirst = `CASE WHEN p.merged_into = '' THEN 0 ELSE 1 END`

// movedTables hold rows about a person that move to the kept file as they
// are (a clause participant follows its registry file); diagnostics,
// reorientation requests and case review items have rules
// of their own (see merger). The audit trail is history and keeps its ids.
var movedTables = []string{"follow_up_members", "rsa_events", "orientations", "contracts", "plan_objectives",
	"plan_actions", "steps", "checkins", "evaluation_links", "clause_participants"}

// duplicateKeys finds, from the indexes alone, the values two files or more
// share: NIRs; matricules with a birth date; names with a birth date, the
// same or one the other followed by more words (folded names read
// " last first birth": one file knowing the birth name and not the other).
// Folded names hold only letters, digits and spaces: no LIKE wildcard slips in.
// Only the few files carrying those values are then read, instead of a
// département's every file once per reason.
const duplicateKeys = `nirs AS MATERIALIZED (SELECT nir_match FROM persons WHERE nir_match <> ''
		GROUP BY nir_match HAVING count(*) > 1),
	mats AS MATERIALIZED (SELECT caf_matricule, birth_date FROM persons WHERE caf_matricule <> '' AND birth_date IS NOT NULL
		GROUP BY caf_matricule, birth_date HAVING count(*) > 1),
	names AS MATERIALIZED (SELECT birth_date, search_name AS n1, search_name AS n2 FROM persons WHERE birth_date IS NOT NULL
		GROUP BY birth_date, search_name HAVING count(*) > 1
		UNION SELECT p.birth_date, p.search_name, d.search_name FROM persons p
		JOIN persons d ON d.birth_date = p.birth_date AND d.search_name LIKE p.search_name || ' %'
		WHERE p.birth_date IS NOT NULL)`

// duplicateCandidates returns the CTEs that end with c, the candidate pairs
// (a, b, why): a pair once per reason, both files live and in scope, the
// older file (UUIDv7 order) as a. Two files whose NIRs differ are two
// people, whatever their names. CROSS JOIN keeps SQLite reading the few
// shared values first (PostgreSQL plans it as any join): left to itself, it
// walked the territory's files once for each of them.
func duplicateCandidates(scope access.PersonScope, today string, w *db.Where) string {
	both := func() string { return scopeSQLOn("p", scope, today, w) + " AND " + scopeSQLOn("d", scope, today, w) }
	sameOrNoNIR := `(p.nir_match = '' OR d.nir_match = '' OR p.nir_match = d.nir_match)`
	// The "<> ''" terms let SQLite use the partial indexes on NIRs and matricules.
	return duplicateKeys + `,
	c AS (SELECT p.id AS a, d.id AS b, 1 AS why FROM nirs x CROSS JOIN persons p CROSS JOIN persons d
			WHERE p.nir_match = x.nir_match AND p.nir_match <> '' AND d.nir_match = x.nir_match AND d.nir_match <> '' AND d.id > p.id
			AND ` + both() + `
		UNION ALL SELECT p.id, d.id, 2 FROM mats x CROSS JOIN persons p CROSS JOIN persons d
			WHERE p.caf_matricule = x.caf_matricule AND p.caf_matricule <> '' AND p.birth_date = x.birth_date
			AND d.caf_matricule = x.caf_matricule AND d.caf_matricule <> '' AND d.birth_date = x.birth_date AND d.id > p.id
			AND ` + sameOrNoNIR + ` AND ` + both() + `
		UNION ALL SELECT CASE WHEN p.id < d.id THEN p.id ELSE d.id END, CASE WHEN p.id < d.id THEN d.id ELSE p.id END, 4
			FROM names x CROSS JOIN persons p CROSS JOIN persons d
			WHERE p.birth_date = x.birth_date AND p.search_name = x.n1 AND d.birth_date = x.birth_date AND d.search_name = x.n2
			AND (x.n1 <> x.n2 OR d.id > p.id) AND ` + sameOrNoNIR + ` AND ` + both() + `)`
}

// duplicatePairs lists a page of candidate pairs in the name order of their
// older file, with their total.
func duplicatePairs(ctx context.Context, q db.Querier, scope access.PersonScope, today string, limit, offset int) ([]DuplicatePair, int, error) {
	scope, err := narrowScope(ctx, q, scope, today)
	if err != nil || scope.None {
		return nil, 0, err
	}
	var w db.Where
	cands := duplicateCandidates(scope, today, &w)
	rows, err := q.QueryContext(ctx, `WITH `+cands+`, g AS (SELECT a, b, SUM(why) AS why FROM c GROUP BY a, b)
		SELECT g.a, g.b, g.why, count(*) OVER () FROM g JOIN persons pa ON pa.id = g.a
		ORDER BY pa.last_name, pa.first_name, g.a, g.b`+w.Page(limit, offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	type found struct {
		a, b string
		why  int
	}
	var list []found
	var ids []string
	total := 0
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.a, &f.b, &f.why, &total); err != nil {
			rows.Close()
			return nil, 0, err
		}
		list = append(list, f)
		ids = append(ids, f.a, f.b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(list) == 0 && offset > 0 {
		// Past the last page the window counted nothing: count on its own.
		var cw db.Where
		err := q.QueryRowContext(ctx, `WITH `+duplicateCandidates(scope, today, &cw)+`
			SELECT count(*) FROM (SELECT a, b FROM c GROUP BY a, b) x`, cw.Args...).Scan(&total)
		return nil, total, err
	}
	files, err := duplicateFiles(ctx, q, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]DuplicatePair, 0, len(list))
	for _, f := range list {
		pair := DuplicatePair{Keep: files[f.a], Duplicate: files[f.b]}
		if suggestKeep(pair.Duplicate, pair.Keep) {
			pair.Keep, pair.Duplicate = pair.Duplicate, pair.Keep
		}
		for _, r := range duplicateReasons {
			if f.why&r.bit != 0 {
				pair.Codes, pair.Reasons = append(pair.Codes, r.code), append(pair.Reasons, r.label)
			}
		}
		out = append(out, pair)
	}
	return out, total, nil
}

// suggestKeep reports whether file a makes a better kept file than b: the
// file the CAF/MSA flow feeds, else the longer history; b, the older one,
// otherwise.
func suggestKeep(a, b DuplicateFile) bool {
	if a.RSA != b.RSA {
		return a.RSA
	}
	return a.Steps+a.Contracts > b.Steps+b.Contracts
}

// duplicateFiles loads the key facts of the files of a page of pairs.
func duplicateFiles(ctx context.Context, q db.Querier, ids []string) (map[string]DuplicateFile, error) {
	out := map[string]DuplicateFile{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.first_name, p.last_name, p.birth_date, COALESCE(c.name, ''), p.caf_matricule,
		p.holding_org_id, o.name, CASE WHEN p.nir_match <> '' THEN 1 ELSE 0 END, CASE WHEN p.household_id <> '' THEN 1 ELSE 0 END,
		(SELECT count(*) FROM steps s WHERE s.person_id = p.id), (SELECT count(*) FROM contracts k WHERE k.person_id = p.id), p.created_at
		FROM persons p JOIN organisations o ON o.id = p.holding_org_id LEFT JOIN communes c ON c.code = p.commune_code
		WHERE p.id IN (`+db.In(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f DuplicateFile
		var birth sql.NullTime
		var nir, rsa int
		if err := rows.Scan(&f.ID, &f.FirstName, &f.LastName, &birth, &f.CommuneName, &f.CAFMatricule, &f.HoldingOrgID, &f.HoldingOrg,
			&nir, &rsa, &f.Steps, &f.Contracts, &f.CreatedAt); err != nil {
			return nil, err
		}
		f.BirthDate, f.HasNIR, f.RSA = dayOf(birth), nir == 1, rsa == 1
		out[f.ID] = f
	}
	return out, rows.Err()
}

// historyCounts counts what a file holds beyond its identity.
func historyCounts(ctx context.Context, q db.Querier, id string) (HistoryCounts, error) {
	var h HistoryCounts
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM follow_up_members WHERE person_id = $1),
		(SELECT count(*) FROM diagnostics WHERE person_id = $1), (SELECT count(*) FROM orientations WHERE person_id = $1),
		(SELECT count(*) FROM contracts WHERE person_id = $1),
		(SELECT count(*) FROM plan_objectives WHERE person_id = $1) + (SELECT count(*) FROM plan_actions WHERE person_id = $1),
		(SELECT count(*) FROM steps WHERE person_id = $1), (SELECT count(*) FROM case_review_items WHERE person_id = $1)`, id).
		Scan(&h.Group, &h.Diagnostics, &h.Orientations, &h.Contracts, &h.Plan, &h.Steps, &h.ReviewItems)
	return h, err
}

// differentNIRs reports whether two files both carry a NIR and they differ.
func differentNIRs(ctx context.Context, q db.Querier, a, b string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM persons x JOIN persons y ON y.id = $2
		WHERE x.id = $1 AND x.nir_match <> '' AND y.nir_match <> '' AND x.nir_match <> y.nir_match`, a, b).Scan(&n)
	return n > 0, err
}

// mergedInto returns the file an absorbed file was merged into, "" for a live or unknown file.
func mergedInto(ctx context.Context, q db.Querier, id string) (string, error) {
	var keep string
	err := q.QueryRowContext(ctx, `SELECT merged_into FROM persons WHERE id = $1`, id).Scan(&keep)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return keep, err
}

// absorbedInto lists the files merged into a kept file, oldest merge first.
func absorbedInto(ctx context.Context, q db.Querier, keepID string) ([]Absorbed, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, last_name || ' ' || first_name, merged_at, merge_reason FROM persons
		WHERE merged_into = $1 AND merged_into <> '' ORDER BY merged_at, id`, keepID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Absorbed
	for rows.Next() {
		var ab Absorbed
		var at sql.NullTime
		if err := rows.Scan(&ab.ID, &ab.Name, &at, &ab.Reason); err != nil {
			return nil, err
		}
		ab.MergedAt = at.Time.UTC()
		out = append(out, ab)
	}
	return out, rows.Err()
}

// merger moves a duplicate file into the kept one inside one transaction.
type merger struct {
	tx              *db.Tx
	actor           access.Actor
	keep, dup       string
	now             time.Time
	reason          string
	keepRow, dupRow mergeRow
}

// mergeRow is what a merge reads and fills of a file.
type mergeRow struct {
	firstName, lastName, birthName, sex  string
	nirSealed, nirMatch, matricule, ftID string
	address, postalCode, communeCode     string
	phone, email                         string
	householdID, householdRole, publics  string
	orientedOrgID, mergedInto            string
	birth                                sql.NullTime
	lat, lon                             sql.NullFloat64
	geoApproximate, droitsDevoirs        bool
}

var errMergedMeanwhile = errs.New(errs.Conflict, "L'un des deux dossiers vient d'être fusionné par ailleurs : rechargez la liste des doublons.")

var errTwoPeople = errs.New(errs.Conflict, "Les deux dossiers portent des NIR différents : ce sont deux personnes, ils ne sont pas fusionnés.")

// run performs the merge; any error rolls the whole of it back.
func (m *merger) run(ctx context.Context) error {
	if err := m.load(ctx); err != nil {
		return err
	}
	steps := []func(context.Context) error{m.joinMemberships, m.moveDiagnostics, m.moveReorientations, m.moveReviewItems, m.moveJobs, m.moveRows, m.fill, m.absorb}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return audit.LogBatchTx(ctx, m.tx, m.actor, []audit.Event{
		{Action: "person.merge", ObjectType: "person", ObjectID: m.keep, PersonID: m.keep, Detail: "dossier conservé, absorbe " + m.dup},
		{Action: "person.merge", ObjectType: "person", ObjectID: m.dup, PersonID: m.dup, Detail: "dossier absorbé par " + m.keep},
	})
}

// load locks both files, in a fixed order so that two merges of the same
// pair wait for each other rather than deadlock, and reads them.
func (m *merger) load(ctx context.Context) error {
	ids := []string{m.keep, m.dup}
	slices.Sort(ids)
	for _, id := range ids {
		if _, err := m.tx.ExecContext(ctx, `UPDATE persons SET updated_at = updated_at WHERE id = $1`, id); err != nil {
			return err
		}
	}
	var err error
	if m.keepRow, err = loadMergeRow(ctx, m.tx, m.keep); err != nil {
		return err
	}
	if m.dupRow, err = loadMergeRow(ctx, m.tx, m.dup); err != nil {
		return err
	}
	if m.keepRow.mergedInto != "" || m.dupRow.mergedInto != "" {
		return errMergedMeanwhile
	}
	if m.keepRow.nirMatch != "" && m.dupRow.nirMatch != "" && m.keepRow.nirMatch != m.dupRow.nirMatch {
		return errTwoPeople
	}
	return nil
}

func loadMergeRow(ctx context.Context, q db.Querier, id string) (mergeRow, error) {
	var r mergeRow
	err := q.QueryRowContext(ctx, `SELECT first_name, last_name, birth_name, sex, nir_sealed, nir_match, caf_matricule, ft_id,
		address, postal_code, commune_code, phone, email, household_id, household_role, declared_publics, oriented_org_id, merged_into,
		birth_date, lat, lon, geo_approximate, droits_devoirs FROM persons WHERE id = $1`, id).
		Scan(&r.firstName, &r.lastName, &r.birthName, &r.sex, &r.nirSealed, &r.nirMatch, &r.matricule, &r.ftID,
			&r.address, &r.postalCode, &r.communeCode, &r.phone, &r.email, &r.householdID, &r.householdRole, &r.publics, &r.orientedOrgID, &r.mergedInto,
			&r.birth, &r.lat, &r.lon, &r.geoApproximate, &r.droitsDevoirs)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNotFound
	}
	return r, err
}

// joinMemberships folds a professional's open membership of the duplicate's
// group into the same open membership of the kept file's group, which starts
// at the earlier date: a professional sits in a group once per role.
func (m *merger) joinMemberships(ctx context.Context) error {
	rows, err := m.tx.QueryContext(ctx, `SELECT k.id, d.id, k.start_date, d.start_date FROM follow_up_members k
		JOIN follow_up_members d ON d.person_id = $2 AND d.user_id = k.user_id AND d.organisation_id = k.organisation_id
			AND d.role = k.role AND d.end_date IS NULL
		WHERE k.person_id = $1 AND k.end_date IS NULL`, m.keep, m.dup)
	if err != nil {
		return err
	}
	type join struct {
		keepID, dupID       string
		keepStart, dupStart time.Time
	}
	var joins []join
	for rows.Next() {
		var j join
		if err := rows.Scan(&j.keepID, &j.dupID, &j.keepStart, &j.dupStart); err != nil {
			rows.Close()
			return err
		}
		joins = append(joins, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	done := map[string]bool{}
	for _, j := range joins {
		if done[j.dupID] {
			continue
		}
		done[j.dupID] = true
		if j.dupStart.Before(j.keepStart) {
			if _, err := m.tx.ExecContext(ctx, `UPDATE follow_up_members SET start_date = $2 WHERE id = $1`,
				j.keepID, j.dupStart.UTC().Format(time.DateOnly)); err != nil {
				return err
			}
		}
		if _, err := m.tx.ExecContext(ctx, `DELETE FROM follow_up_members WHERE id = $1`, j.dupID); err != nil {
			return err
		}
	}
	return nil
}

// moveDiagnostics moves the duplicate's diagnostic versions after the kept
// file's last one, with their dates and signatures: each version stays
// readable and the numbering stays unique per file.
func (m *merger) moveDiagnostics(ctx context.Context) error {
	var last int
	if err := m.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM diagnostics WHERE person_id = $1`, m.keep).Scan(&last); err != nil {
		return err
	}
	_, err := m.tx.ExecContext(ctx, `UPDATE diagnostics SET person_id = $1, version = version + $3 WHERE person_id = $2`, m.keep, m.dup, last)
	return err
}

// moveReorientations moves the requests; a person has one pending request at
// most, so when both files have one, the duplicate's is closed with the merge
// as its reason and the kept file's waits for its decision.
func (m *merger) moveReorientations(ctx context.Context) error {
	var pending int
	if err := m.tx.QueryRowContext(ctx, `SELECT count(*) FROM reorientation_requests WHERE person_id = $1 AND status = 'pending'`, m.keep).Scan(&pending); err != nil {
		return err
	}
	if pending > 0 {
		if _, err := m.tx.ExecContext(ctx, `UPDATE reorientation_requests SET status = 'refused', decided_by = $2, decided_at = $3, decision_reason = $4
			WHERE person_id = $1 AND status = 'pending'`, m.dup, m.actor.UserID, m.now,
			"Demande close à la fusion de deux dossiers en double : une autre demande était déjà en attente pour cette personne."); err != nil {
			return err
		}
	}
	_, err := m.tx.ExecContext(ctx, `UPDATE reorientation_requests SET person_id = $1 WHERE person_id = $2`, m.keep, m.dup)
	return err
}

// reviewItem is an agenda item of a case review, as a merge reconciles it.
type reviewItem struct {
	id, reasons, decision, decidedBy, outcome, heard, heardNote string
	decidedAt                                                   sql.NullTime
	rate, months                                                int
}

// moveReviewItems moves the duplicate's agenda items. A review lists a person
// once per kind: when both files sit on the same agenda, the kept file's item
// stays, takes the duplicate's reasons and decision text (its whole decision
// when it had none) and its plan actions, and the duplicate's item goes.
func (m *merger) moveReviewItems(ctx context.Context) error {
	rows, err := m.tx.QueryContext(ctx, `SELECT d.id, d.reasons, d.decision, d.decided_by, d.sanction_outcome, d.heard, d.heard_note,
		d.decided_at, d.sanction_rate, d.sanction_months,
		k.id, k.reasons, k.decision, k.decided_by, k.sanction_outcome, k.heard, k.heard_note, k.decided_at, k.sanction_rate, k.sanction_months
		FROM case_review_items d JOIN case_review_items k ON k.review_id = d.review_id AND k.kind = d.kind AND k.person_id = $1
		WHERE d.person_id = $2`, m.keep, m.dup)
	if err != nil {
		return err
	}
	var pairs [][2]reviewItem
	for rows.Next() {
		var d, k reviewItem
		if err := rows.Scan(&d.id, &d.reasons, &d.decision, &d.decidedBy, &d.outcome, &d.heard, &d.heardNote, &d.decidedAt, &d.rate, &d.months,
			&k.id, &k.reasons, &k.decision, &k.decidedBy, &k.outcome, &k.heard, &k.heardNote, &k.decidedAt, &k.rate, &k.months); err != nil {
			rows.Close()
			return err
		}
		pairs = append(pairs, [2]reviewItem{k, d})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range pairs {
		if err := m.mergeReviewItem(ctx, p[0], p[1]); err != nil {
			return err
		}
	}
	_, err = m.tx.ExecContext(ctx, `UPDATE case_review_items SET person_id = $1 WHERE person_id = $2`, m.keep, m.dup)
	return err
}

// mergeReviewItem folds the duplicate's item d into the kept file's item k.
func (m *merger) mergeReviewItem(ctx context.Context, k, d reviewItem) error {
	k.reasons = joinText(k.reasons, d.reasons)
	if !k.decidedAt.Valid && d.decidedAt.Valid {
		k.decision, k.decidedAt, k.decidedBy, k.outcome, k.rate, k.months = d.decision, d.decidedAt, d.decidedBy, d.outcome, d.rate, d.months
	} else {
		k.decision = joinText(k.decision, d.decision)
	}
	if k.heard == "" {
		k.heard, k.heardNote = d.heard, d.heardNote
	}
	var decidedAt any
	if k.decidedAt.Valid {
		decidedAt = k.decidedAt.Time
	}
	if _, err := m.tx.ExecContext(ctx, `UPDATE case_review_items SET reasons = $2, decision = $3, decided_at = $4, decided_by = $5,
		sanction_outcome = $6, sanction_rate = $7, sanction_months = $8, heard = $9, heard_note = $10 WHERE id = $1`,
		k.id, k.reasons, k.decision, decidedAt, k.decidedBy, k.outcome, k.rate, k.months, k.heard, k.heardNote); err != nil {
		return err
	}
	if _, err := m.tx.ExecContext(ctx, `UPDATE plan_actions SET review_item_id = $1 WHERE review_item_id = $2`, k.id, d.id); err != nil {
		return err
	}
	_, err := m.tx.ExecContext(ctx, `DELETE FROM case_review_items WHERE id = $1`, d.id)
	return err
}

// joinText appends b to a on a new paragraph, each text once.
func joinText(a, b string) string {
	switch {
	case b == "" || a == b:
		return a
	case a == "":
		return b
	}
	return a + "\n\n" + b
}

// moveJobs moves the jobs rows: the kept file's CV wins (the duplicate's
// experiences join it), a consent in force on both files stays the kept
// file's, and of two candidacies on the same offer the further advanced one
// stays, with the other's history added to it.
func (m *merger) moveJobs(ctx context.Context) error {
	if err := m.foldPositionings(ctx); err != nil {
		return err
	}
	now := m.now
	stmts := []struct {
		q    string
		args []any
	}{
		{`DELETE FROM cvs WHERE person_id = $2 AND EXISTS (SELECT 1 FROM cvs k WHERE k.person_id = $1)`, []any{m.keep, m.dup}},
		{`UPDATE cvs SET person_id = $1 WHERE person_id = $2`, []any{m.keep, m.dup}},
		// The matching engine reads the CVs changed since its last look.
		{`UPDATE cvs SET updated_at = $2 WHERE person_id = $1`, []any{m.keep, now}},
		{`UPDATE cv_experiences SET person_id = $1 WHERE person_id = $2`, []any{m.keep, m.dup}},
		{`UPDATE cv_consents SET revoked_at = $3, revoked_by = 'fusion' WHERE person_id = $2 AND revoked_at IS NULL
			AND EXISTS (SELECT 1 FROM cv_consents k WHERE k.person_id = $1 AND k.revoked_at IS NULL)`, []any{m.keep, m.dup, now}},
		{`UPDATE cv_consents SET person_id = $1 WHERE person_id = $2`, []any{m.keep, m.dup}},
		{`UPDATE positionings SET person_id = $1 WHERE person_id = $2`, []any{m.keep, m.dup}},
		{`UPDATE campaign_candidates SET person_id = $1 WHERE person_id = $2`, []any{m.keep, m.dup}},
	}
	for _, st := range stmts {
		if _, err := m.tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return err
		}
	}
	return nil
}

// stateRank orders the states of a candidacy by how far it went.
var stateRank = map[string]int{"withdrawn": 0, "refused": 1, "proposed": 2, "sent": 3, "interview": 4, "hired": 5}

// foldPositionings merges the two files' candidacies on the same offer
// into the further advanced one, which takes the other's events.
func (m *merger) foldPositionings(ctx context.Context) error {
	rows, err := m.tx.QueryContext(ctx, `SELECT k.id, k.state, d.id, d.state FROM positionings k JOIN positionings d ON d.offer_id = k.offer_id
		WHERE k.person_id = $1 AND d.person_id = $2`, m.keep, m.dup)
	if err != nil {
		return err
	}
	type pair struct{ keep, drop string }
	var pairs []pair
	for rows.Next() {
		var kid, kstate, did, dstate string
		if err := rows.Scan(&kid, &kstate, &did, &dstate); err != nil {
			rows.Close()
			return err
		}
		if stateRank[dstate] > stateRank[kstate] {
			pairs = append(pairs, pair{did, kid})
		} else {
			pairs = append(pairs, pair{kid, did})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range pairs {
		if _, err := m.tx.ExecContext(ctx, `UPDATE positioning_events SET positioning_id = $1 WHERE positioning_id = $2`, p.keep, p.drop); err != nil {
			return err
		}
		if _, err := m.tx.ExecContext(ctx, `DELETE FROM positionings WHERE id = $1`, p.drop); err != nil {
			return err
		}
	}
	return nil
}

// moveRows moves the rows of the tables that need no reconciling.
func (m *merger) moveRows(ctx context.Context) error {
	// A person has one open evaluation link per organisation (a unique
	// index): of the two files' open links of an organisation, the older is closed.
	if _, err := m.tx.ExecContext(ctx, `UPDATE evaluation_links SET closed_at = $3
		WHERE person_id IN ($1, $2) AND used_at IS NULL AND closed_at IS NULL AND EXISTS (SELECT 1 FROM evaluation_links n
			WHERE n.person_id IN ($1, $2) AND n.person_id <> evaluation_links.person_id AND n.organisation_id = evaluation_links.organisation_id
			AND n.used_at IS NULL AND n.closed_at IS NULL AND (n.created_at > evaluation_links.created_at
			OR (n.created_at = evaluation_links.created_at AND n.token_hash > evaluation_links.token_hash)))`, m.keep, m.dup, m.now); err != nil {
		return err
	}
	if m.tx.Dialect() == db.Postgres {
		// Writers of clause hours lock a person's participants in id order
		// (their yearly totals): the merge takes them in the same order.
		if _, err := m.tx.ExecContext(ctx, `SELECT id FROM clause_participants WHERE person_id = $1
			ORDER BY id COLLATE "C" FOR NO KEY UPDATE`, m.dup); err != nil {
			return err
		}
	}
	for _, table := range movedTables {
		// The second term lets SQLite use the partial index on RSA events.
		if _, err := m.tx.ExecContext(ctx, `UPDATE `+table+` SET person_id = $1 WHERE person_id = $2 AND person_id <> ''`, m.keep, m.dup); err != nil {
			return err
		}
	}
	return nil
}

// fillFrom fills the empty fields of a kept file from the duplicate, never
// overwriting a value: identity, NIR, matricule, France Travail id, the
// address when it is in the same place (or the kept file has none), phone,
// email, the household when the kept file has none; declared publics add up.
func (k *mergeRow) fillFrom(d mergeRow) {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&k.birthName, d.birthName)
	if !k.birth.Valid {
		k.birth = d.birth
	}
	fill(&k.sex, d.sex)
	if k.nirMatch == "" && d.nirMatch != "" {
		k.nirMatch, k.nirSealed = d.nirMatch, d.nirSealed
	}
	fill(&k.matricule, d.matricule)
	fill(&k.ftID, d.ftID)
	// An address is completed from the same commune only: a street of one
	// town with the postal code of another would place the person nowhere.
	if (k.communeCode == "" || k.communeCode == d.communeCode) && (k.postalCode == "" || k.postalCode == d.postalCode) {
		fill(&k.address, d.address)
		fill(&k.postalCode, d.postalCode)
		fill(&k.communeCode, d.communeCode)
		if !k.lat.Valid && d.lat.Valid && d.lon.Valid {
			k.lat, k.lon, k.geoApproximate = d.lat, d.lon, d.geoApproximate
		}
	}
	fill(&k.phone, d.phone)
	fill(&k.email, d.email)
	if k.householdID == "" && d.householdID != "" {
		k.householdID, k.householdRole, k.droitsDevoirs = d.householdID, d.householdRole, d.droitsDevoirs
	}
	k.publics = formatPublics(append(parsePublics(k.publics), parsePublics(d.publics)...))
}

// fill writes the kept file completed from the duplicate, its folded name
// for searches, and the organisation of its latest orientation once the
// duplicate's orientations have moved in.
func (m *merger) fill(ctx context.Context) error {
	k := m.keepRow
	k.fillFrom(m.dupRow)
	var oriented string
	err := m.tx.QueryRowContext(ctx, `SELECT organisation_id FROM orientations WHERE person_id = $1
		ORDER BY decided_on DESC, created_at DESC LIMIT 1`, m.keep).Scan(&oriented)
	switch {
	case err == nil:
		k.orientedOrgID = oriented
	case errors.Is(err, sql.ErrNoRows):
		if k.orientedOrgID == "" {
			k.orientedOrgID = m.dupRow.orientedOrgID
		}
	default:
		return err
	}
	var birth any
	if k.birth.Valid {
		birth = k.birth.Time.UTC().Format(time.DateOnly)
	}
	search := SearchName(Person{LastName: k.lastName, FirstName: k.firstName, BirthName: k.birthName})
	_, err = m.tx.ExecContext(ctx, `UPDATE persons SET birth_name = $2, birth_date = $3, sex = $4, nir_sealed = $5, nir_match = $6,
		caf_matricule = $7, ft_id = $8, address = $9, postal_code = $10, commune_code = $11, lat = $12, lon = $13, geo_approximate = $14,
		phone = $15, email = $16, household_id = $17, household_role = $18, droits_devoirs = $19, declared_publics = $20,
		search_name = $21, oriented_org_id = $22, updated_at = $23 WHERE id = $1`,
		m.keep, k.birthName, birth, k.sex, k.nirSealed, k.nirMatch, k.matricule, k.ftID, k.address, k.postalCode, k.communeCode,
		k.lat, k.lon, k.geoApproximate, k.phone, k.email, k.householdID, k.householdRole, k.droitsDevoirs, k.publics,
		search, k.orientedOrgID, m.now)
	return err
}

// absorb marks the duplicate as merged into the kept file, and re-points the
// files absorbed into the duplicate earlier, so that every absorbed file
// names a live one.
func (m *merger) absorb(ctx context.Context) error {
	if _, err := m.tx.ExecContext(ctx, `UPDATE persons SET merged_into = $1 WHERE merged_into = $2 AND merged_into <> ''`, m.keep, m.dup); err != nil {
		return err
	}
	res, err := m.tx.ExecContext(ctx, `UPDATE persons SET merged_into = $1, merged_at = $2, merge_reason = $3, updated_at = $2
		WHERE id = $4 AND merged_into = ''`, m.keep, m.now, m.reason, m.dup)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n != 1 {
		err = errMergedMeanwhile
	}
	return err
}
