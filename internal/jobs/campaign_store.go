package jobs

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

var errCampaignNotFound = errs.New(errs.NotFound, "Campagne introuvable.")

// campaignColumns are read by scanCampaign, with the counts of sites, places and candidates.
const campaignColumns = `c.id, c.organisation_id, o.name, c.territory, c.title, c.job_title, c.rome, c.max_km,
	c.created_by, c.created_at, c.updated_at, c.solved_at,
	(SELECT count(*) FROM campaign_sites s WHERE s.campaign_id = c.id),
	(SELECT COALESCE(sum(s.capacity), 0) FROM campaign_sites s WHERE s.campaign_id = c.id),
	(SELECT count(*) FROM campaign_candidates k WHERE k.campaign_id = c.id)`

const campaignFrom = ` FROM campaigns c JOIN organisations o ON o.id = c.organisation_id`

func scanCampaign(sc interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var solved sql.NullTime
	err := sc.Scan(&c.ID, &c.OrgID, &c.OrgName, &c.Territory, &c.Title, &c.JobTitle, &c.ROME, &c.MaxKm,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &solved, &c.Sites, &c.Places, &c.Candidates)
	if solved.Valid {
		t := solved.Time
		c.SolvedAt = &t
	}
	return c, err
}

// insertCampaign stores a new campaign.
func insertCampaign(ctx context.Context, q db.Querier, c Campaign) error {
	_, err := q.ExecContext(ctx, `INSERT INTO campaigns (id, organisation_id, territory, title, job_title, rome, max_km, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9)`, c.ID, c.OrgID, c.Territory, c.Title, c.JobTitle, c.ROME, c.MaxKm, c.CreatedBy, c.CreatedAt)
	return err
}

// updateCampaign changes the settings of a campaign.
func updateCampaign(ctx context.Context, q db.Querier, c Campaign) error {
	_, err := q.ExecContext(ctx, `UPDATE campaigns SET title = $1, job_title = $2, rome = $3, max_km = $4 WHERE id = $5`,
		c.Title, c.JobTitle, c.ROME, c.MaxKm, c.ID)
	return err
}

// getCampaign loads a campaign with its counts.
func getCampaign(ctx context.Context, q db.Querier, id string) (Campaign, error) {
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignColumns+campaignFrom+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errCampaignNotFound
	}
	return c, err
}

// campaignScope is, for listings, the campaigns an actor reads.
type campaignScope struct {
	All, None        bool
	OrgID, Territory string
}

// campaignScopeFor derives the listing scope from access.CanCampaign itself:
// a campaign of the actor's organisation, and one of the actor's territory.
func campaignScopeFor(a access.Actor) campaignScope {
	const nowhere = "\x00"
	switch {
	case !a.Authenticated():
		return campaignScope{None: true}
	case a.System:
		return campaignScope{All: true}
	}
	var s campaignScope
	if a.OrgID != "" && access.CanCampaign(a, access.Campaign{OrgID: a.OrgID, Territory: nowhere}, access.Read) {
		s.OrgID = a.OrgID
	}
	if a.Territory != "" && access.CanCampaign(a, access.Campaign{OrgID: nowhere, Territory: a.Territory}, access.Read) {
		s.Territory = a.Territory
	}
	s.None = s.OrgID == "" && s.Territory == ""
	return s
}

// listCampaigns returns a page of the campaigns in scope, latest first, and their total.
func listCampaigns(ctx context.Context, q db.Querier, s campaignScope, f CampaignFilter) ([]Campaign, int, error) {
	if s.None {
		return nil, 0, nil
	}
	var w db.Where
	if !s.All {
		var ors []string
		if s.OrgID != "" {
			ors = append(ors, "c.organisation_id = "+w.Arg(s.OrgID))
		}
		if s.Territory != "" {
			ors = append(ors, "c.territory = "+w.Arg(s.Territory))
		}
		w.Raw("(" + strings.Join(ors, " OR ") + ")")
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM campaigns c`+w.String(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	where := w.String()
	page := w.Page(f.Limit, f.Offset)
	rows, err := q.QueryContext(ctx, `SELECT `+campaignColumns+campaignFrom+where+` ORDER BY c.created_at DESC, c.id`+page, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// touchCampaign marks a change of the campaign: inside a transaction it
// also takes the campaign's row lock on PostgreSQL (SQLite has one writer),
// so that changes of one campaign run one after the other. When the data
// the plan depends on changed, the solver's lines are dropped: the plan must
// be computed again; the lines decided by hand stay.
func touchCampaign(ctx context.Context, q db.Querier, id string, at time.Time, stale bool) error {
	set := `updated_at = $1`
	if stale {
		set += `, solved_at = NULL`
	}
	res, err := q.ExecContext(ctx, `UPDATE campaigns SET `+set+` WHERE id = $2`, at, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errCampaignNotFound
	}
	if stale {
		_, err = q.ExecContext(ctx, `DELETE FROM campaign_assignments WHERE campaign_id = $1 AND source = $2`, id, CampaignSourceSolver)
	}
	return err
}

// campaignNearCentre is how close, in degrees, a position must be to its
// commune's centre to count as placed there (a few centimetres).
const campaignNearCentre = 1e-6

// approximateAt reports whether a position is its commune's centre.
func approximateAt(lat, lon *float64, centreLat, centreLon sql.NullFloat64) bool {
	return lat != nil && lon != nil && centreLat.Valid && centreLon.Valid &&
		math.Abs(*lat-centreLat.Float64) < campaignNearCentre && math.Abs(*lon-centreLon.Float64) < campaignNearCentre
}

func campaignFloat(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

func campaignNullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// campaignSitesOf lists the sites of a campaign by number.
func campaignSitesOf(ctx context.Context, q db.Querier, campaignID string) ([]CampaignSite, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.position, s.name, s.commune_code, COALESCE(m.name, ''), s.lat, s.lon, m.lat, m.lon, s.capacity
		FROM campaign_sites s LEFT JOIN communes m ON m.code = s.commune_code
		WHERE s.campaign_id = $1 ORDER BY s.position`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CampaignSite
	for rows.Next() {
		var s CampaignSite
		var lat, lon, cLat, cLon sql.NullFloat64
		if err := rows.Scan(&s.ID, &s.Number, &s.Name, &s.CommuneCode, &s.CommuneName, &lat, &lon, &cLat, &cLon, &s.Capacity); err != nil {
			return nil, err
		}
		s.Lat, s.Lon = campaignFloat(lat), campaignFloat(lon)
		s.Approximate = approximateAt(s.Lat, s.Lon, cLat, cLon)
		out = append(out, s)
	}
	return out, rows.Err()
}

// campaignCandidatesOf lists the candidates of a campaign by number; the
// name of a registry person is read only when the actor's scope holds the
// file, in the same query.
func campaignCandidatesOf(ctx context.Context, q db.Querier, a access.Actor, today time.Time, campaignID string) ([]CampaignCandidate, error) {
	var w db.Where
	id := w.Arg(campaignID)
	scope, err := people.ScopeSQL(ctx, q, a, today, &w)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.position, c.person_id, c.label, c.commune_code, COALESCE(m.name, ''), c.lat, c.lon, m.lat, m.lon,
			p.id, p.last_name, p.first_name
		FROM campaign_candidates c LEFT JOIN communes m ON m.code = c.commune_code
		LEFT JOIN persons p ON c.person_id <> '' AND p.id = c.person_id AND `+scope+`
		WHERE c.campaign_id = `+id+` ORDER BY c.position`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CampaignCandidate
	for rows.Next() {
		var c CampaignCandidate
		var lat, lon, cLat, cLon sql.NullFloat64
		var pid, last, first sql.NullString
		if err := rows.Scan(&c.ID, &c.Number, &c.PersonID, &c.Label, &c.CommuneCode, &c.CommuneName, &lat, &lon, &cLat, &cLon, &pid, &last, &first); err != nil {
			return nil, err
		}
		c.Lat, c.Lon = campaignFloat(lat), campaignFloat(lon)
		c.Approximate = approximateAt(c.Lat, c.Lon, cLat, cLon)
		c.Name, c.Visible = c.Label, c.PersonID == "" || pid.Valid
		if pid.Valid {
			c.Name = strings.TrimSpace(last.String + " " + first.String)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// campaignPersonsOf returns the registry persons already candidates of a campaign.
func campaignPersonsOf(ctx context.Context, q db.Querier, campaignID string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT person_id FROM campaign_candidates WHERE campaign_id = $1 AND person_id <> ''`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// campaignCount counts the rows of a campaign's table (one of ours, never user input).
func campaignCount(ctx context.Context, q db.Querier, table, campaignID string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE campaign_id = $1`, campaignID).Scan(&n)
	return n, err
}

// campaignNextNumber returns the number the next site or candidate gets.
func campaignNextNumber(ctx context.Context, q db.Querier, table, campaignID string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) + 1 FROM `+table+` WHERE campaign_id = $1`, campaignID).Scan(&n)
	return n, err
}

// campaignInsertRows inserts rows of cols values with multi-row statements,
// a few hundred rows each, so that an import of thousands stays quick.
func campaignInsertRows(ctx context.Context, q db.Querier, head, tail string, cols int, rows [][]any) error {
	const chunk = 500
	for start := 0; start < len(rows); start += chunk {
		var b strings.Builder
		args := make([]any, 0, cols*chunk)
		for i, r := range rows[start:min(start+chunk, len(rows))] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(" + db.Params(q.Dialect(), len(args)+1, cols) + ")")
			args = append(args, r...)
		}
		if _, err := q.ExecContext(ctx, head+" VALUES "+b.String()+tail, args...); err != nil {
			return err
		}
	}
	return nil
}

// insertCampaignSites stores new sites.
func insertCampaignSites(ctx context.Context, q db.Querier, campaignID string, sites []CampaignSite) error {
	rows := make([][]any, len(sites))
	for i, s := range sites {
		rows[i] = []any{s.ID, campaignID, s.Name, s.CommuneCode, campaignNullFloat(s.Lat), campaignNullFloat(s.Lon), s.Capacity, s.Number}
	}
	return campaignInsertRows(ctx, q, `INSERT INTO campaign_sites (id, campaign_id, name, commune_code, lat, lon, capacity, position)`, "", 8, rows)
}

// insertCampaignCandidates stores new candidates.
func insertCampaignCandidates(ctx context.Context, q db.Querier, campaignID string, cands []CampaignCandidate) error {
	rows := make([][]any, len(cands))
	for i, c := range cands {
		rows[i] = []any{c.ID, campaignID, c.PersonID, c.Label, c.CommuneCode, campaignNullFloat(c.Lat), campaignNullFloat(c.Lon), c.Number}
	}
	return campaignInsertRows(ctx, q, `INSERT INTO campaign_candidates (id, campaign_id, person_id, label, commune_code, lat, lon, position)`, "", 8, rows)
}

// deleteCampaignSite removes a site with its exclusions and the lines that place someone there.
func deleteCampaignSite(ctx context.Context, q db.Querier, campaignID, siteID string) (bool, error) {
	for _, stmt := range []string{
		`DELETE FROM campaign_exclusions WHERE campaign_id = $1 AND site_id = $2`,
		`DELETE FROM campaign_assignments WHERE campaign_id = $1 AND site_id = $2`,
	} {
		if _, err := q.ExecContext(ctx, stmt, campaignID, siteID); err != nil {
			return false, err
		}
	}
	res, err := q.ExecContext(ctx, `DELETE FROM campaign_sites WHERE campaign_id = $1 AND id = $2`, campaignID, siteID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// deleteCampaignCandidate removes a candidate with their exclusions and line.
func deleteCampaignCandidate(ctx context.Context, q db.Querier, campaignID, candidateID string) (bool, error) {
	for _, stmt := range []string{
		`DELETE FROM campaign_exclusions WHERE campaign_id = $1 AND candidate_id = $2`,
		`DELETE FROM campaign_assignments WHERE campaign_id = $1 AND candidate_id = $2`,
	} {
		if _, err := q.ExecContext(ctx, stmt, campaignID, candidateID); err != nil {
			return false, err
		}
	}
	res, err := q.ExecContext(ctx, `DELETE FROM campaign_candidates WHERE campaign_id = $1 AND id = $2`, campaignID, candidateID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// campaignExclusionsOf lists the excluded pairs of a campaign by candidate then site number.
func campaignExclusionsOf(ctx context.Context, q db.Querier, campaignID string) ([]CampaignExclusion, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.candidate_id, e.site_id FROM campaign_exclusions e
		JOIN campaign_candidates c ON c.id = e.candidate_id JOIN campaign_sites s ON s.id = e.site_id
		WHERE e.campaign_id = $1 ORDER BY c.position, s.position`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CampaignExclusion
	for rows.Next() {
		var e CampaignExclusion
		if err := rows.Scan(&e.CandidateID, &e.SiteID); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// insertCampaignExclusions stores excluded pairs; a pair already excluded stays as it is.
func insertCampaignExclusions(ctx context.Context, q db.Querier, campaignID string, pairs []CampaignExclusion) error {
	rows := make([][]any, len(pairs))
	for i, p := range pairs {
		rows[i] = []any{campaignID, p.CandidateID, p.SiteID}
	}
	return campaignInsertRows(ctx, q, `INSERT INTO campaign_exclusions (campaign_id, candidate_id, site_id)`,
		` ON CONFLICT (campaign_id, candidate_id, site_id) DO NOTHING`, 3, rows)
}

// deleteCampaignExclusion makes a pair eligible again.
func deleteCampaignExclusion(ctx context.Context, q db.Querier, campaignID, candidateID, siteID string) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM campaign_exclusions WHERE campaign_id = $1 AND candidate_id = $2 AND site_id = $3`,
		campaignID, candidateID, siteID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// campaignLinesOf loads the stored lines of a plan by candidate.
func campaignLinesOf(ctx context.Context, q db.Querier, campaignID string) (map[string]CampaignLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.candidate_id, a.site_id, a.distance_km, a.source, a.reason, a.decided_by,
			COALESCE(u.first_name || ' ' || u.last_name, ''), a.decided_at
		FROM campaign_assignments a LEFT JOIN users u ON u.id = a.decided_by
		WHERE a.campaign_id = $1`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]CampaignLine{}
	for rows.Next() {
		var l CampaignLine
		if err := rows.Scan(&l.CandidateID, &l.SiteID, &l.DistanceKm, &l.Source, &l.Reason, &l.DecidedBy, &l.DecidedByName, &l.DecidedAt); err != nil {
			return nil, err
		}
		l.DecidedByName = strings.TrimSpace(l.DecidedByName)
		out[l.CandidateID] = l
	}
	return out, rows.Err()
}

// replaceSolverLines stores the solver's lines in place of the previous ones.
func replaceSolverLines(ctx context.Context, q db.Querier, campaignID string, lines []CampaignLine) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM campaign_assignments WHERE campaign_id = $1 AND source = $2`, campaignID, CampaignSourceSolver); err != nil {
		return err
	}
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = []any{campaignID, l.CandidateID, l.SiteID, l.DistanceKm, l.Source, l.Reason, l.DecidedBy, l.DecidedAt}
	}
	return campaignInsertRows(ctx, q, `INSERT INTO campaign_assignments (campaign_id, candidate_id, site_id, distance_km, source, reason, decided_by, decided_at)`,
		"", 8, rows)
}

// markCampaignSolved records when the plan was computed.
func markCampaignSolved(ctx context.Context, q db.Querier, campaignID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE campaigns SET solved_at = $1, updated_at = $1 WHERE id = $2`, at, campaignID)
	return err
}

// saveCampaignOverride stores a line decided by hand in place of the candidate's line.
func saveCampaignOverride(ctx context.Context, q db.Querier, campaignID string, l CampaignLine) error {
	_, err := q.ExecContext(ctx, `INSERT INTO campaign_assignments (campaign_id, candidate_id, site_id, distance_km, source, reason, decided_by, decided_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
		ON CONFLICT (campaign_id, candidate_id) DO UPDATE SET site_id = excluded.site_id, distance_km = excluded.distance_km,
			source = excluded.source, reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
		campaignID, l.CandidateID, l.SiteID, l.DistanceKm, l.Source, l.Reason, l.DecidedBy, l.DecidedAt)
	return err
}

// deleteCampaignOverride drops the line a person decided for a candidate.
func deleteCampaignOverride(ctx context.Context, q db.Querier, campaignID, candidateID string) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM campaign_assignments WHERE campaign_id = $1 AND candidate_id = $2 AND source = $3`,
		campaignID, candidateID, CampaignSourceOverride)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
