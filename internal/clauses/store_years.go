package clauses

import (
	"context"
	"slices"
	"strings"

	"tremplin/internal/platform/db"
)

// The yearly totals (migration 00015) hold, for each territory, calendar year
// and participant, the sums and distinct counts a territory's annual report
// needs. They are derived from the lines only: every write of lines refreshes
// the totals of the participant-years it touched in the same transaction, and
// bulk loads rebuild them all. The SQL below is the migration's, so the three
// ways of filling them agree.

// yearKey names a participant's totals of one year in one territory.
type yearKey struct{ territory, year, participant string }

// staleYears collects the participant-years whose lines a transaction wrote.
type staleYears map[yearKey]struct{}

// add records the participant-year of a written line and returns the set, for chaining.
func (s staleYears) add(d Declaration) staleYears {
	s[yearKey{d.Territory, string(d.Month)[:4], d.ParticipantID}] = struct{}{}
	return s
}

// refresh rewrites the totals of the recorded participant-years from their
// lines, participant by participant so that concurrent writers lock them in
// the same order.
func (s staleYears) refresh(ctx context.Context, q db.Querier) error {
	keys := make([]yearKey, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b yearKey) int {
		return strings.Compare(a.participant+a.territory+a.year, b.participant+b.territory+b.year)
	})
	for _, k := range keys {
		if err := refreshYear(ctx, q, k); err != nil {
			return err
		}
	}
	clear(s)
	return nil
}

// refreshYear rewrites one participant's totals of a year in a territory.
func refreshYear(ctx context.Context, q db.Querier, k yearKey) error {
	if q.Dialect() == db.Postgres {
		// Two transactions refreshing the same participant at once: the second
		// waits for the first to commit, then deletes the rows it wrote and
		// counts its lines, instead of colliding with them on the key. NO KEY
		// UPDATE leaves alone the key-share locks that inserting lines takes.
		if _, err := q.ExecContext(ctx, `SELECT id FROM clause_participants WHERE id = $1 FOR NO KEY UPDATE`, k.participant); err != nil {
			return err
		}
	}
	args := []any{k.participant, k.territory, k.year}
	if _, err := q.ExecContext(ctx, `DELETE FROM clause_year_people
		WHERE territory = $2 AND year = $3 AND participant_id = $1`, args...); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM clause_year_contracts
		WHERE participant_id = $1 AND territory = $2 AND year = $3`, args...); err != nil {
		return err
	}
	lines := ` WHERE h.participant_id = $1 AND h.territory = $2 AND h.month >= $3 AND h.month <= $4`
	args = []any{k.participant, k.territory, k.year + "-01", k.year + "-12"}
	people, contracts := yearTotalsSQL(lines)
	if _, err := q.ExecContext(ctx, people, args...); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, contracts, args...)
	return err
}

// RebuildYearTotals rewrites every yearly total from the lines: bulk loads
// that insert lines directly (the demo, the benchmark) call it once at the end.
func RebuildYearTotals(ctx context.Context, q db.Querier) error {
	for _, stmt := range []string{`DELETE FROM clause_year_people`, `DELETE FROM clause_year_contracts`} {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	people, contracts := yearTotalsSQL("")
	if _, err := q.ExecContext(ctx, people); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, contracts)
	return err
}

// yearTotalsSQL returns the statements that insert the totals of the lines
// matching where (conditions on clause_hours h): one row per participant-year
// with the participant's facts, and one per participant-year × contract type ×
// mode where a contract worked in several modes counts on its first mode.
func yearTotalsSQL(where string) (people, contracts string) {
	people = `INSERT INTO clause_year_people (territory, year, participant_id, public, sex, birth_date, qpv,
		centihours, contracts, hires)
		SELECT h.territory, substr(h.month, 1, 4), h.participant_id, p.public, p.sex, p.birth_date, p.qpv, SUM(h.centihours),
			COUNT(DISTINCT h.company_org_id || '|' || h.market_id || '|' || h.contract_type),
			COUNT(DISTINCT CASE WHEN h.mode = 'EMBAUCHE_DIRECTE' AND h.contract_type <> 'FORMATION' THEN h.company_org_id END)
		FROM clause_hours h JOIN clause_participants p ON p.id = h.participant_id` + where + `
		GROUP BY h.territory, substr(h.month, 1, 4), h.participant_id, p.public, p.sex, p.birth_date, p.qpv`
	contracts = `INSERT INTO clause_year_contracts (territory, year, contract_type, mode, participant_id, centihours, contracts)
		SELECT x.territory, x.year, x.contract_type, x.mode, x.participant_id, SUM(x.centihours), SUM(x.contracts) FROM (
			SELECT h.territory, substr(h.month, 1, 4) AS year, h.contract_type, h.mode, h.participant_id, h.centihours,
				0 AS contracts
			FROM clause_hours h` + where + `
			UNION ALL
			SELECT h.territory, substr(h.month, 1, 4), h.contract_type, MIN(h.mode), h.participant_id, 0, 1
			FROM clause_hours h` + where + `
			GROUP BY h.territory, substr(h.month, 1, 4), h.participant_id, h.company_org_id, h.market_id, h.contract_type
		) x GROUP BY x.territory, x.year, x.contract_type, x.mode, x.participant_id`
	return people, contracts
}

// updateYearPeople copies a participant's public, sex, birth date and QPV to
// their yearly totals, which the annual report groups by.
func updateYearPeople(ctx context.Context, q db.Querier, p Participant) error {
	_, err := q.ExecContext(ctx, `UPDATE clause_year_people SET public = $2, sex = $3, birth_date = $4, qpv = $5
		WHERE participant_id = $1`, p.ID, p.Public, p.Sex, db.NullDay(p.BirthDate), p.QPV)
	return err
}
