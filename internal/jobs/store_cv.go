package jobs

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"tremplin/internal/platform/db"
)

const cvColumns = `person_id, headline, summary, skills, romes, radius_km, means, available_from, weekly_minutes_min,
	weekly_minutes_max, excluded_shifts, licence, vehicle, qualifications, online, created_at, updated_at`

func scanCV(sc interface{ Scan(...any) error }) (CV, error) {
	var c CV
	var skills, romes, means, shifts, quals string
	var avail sql.NullTime
	err := sc.Scan(&c.PersonID, &c.Headline, &c.Summary, &skills, &romes, &c.RadiusKm, &means, &avail, &c.MinutesMin,
		&c.MinutesMax, &shifts, &c.Licence, &c.Vehicle, &quals, &c.Online, &c.CreatedAt, &c.UpdatedAt)
	c.Skills, c.ROMEs, c.Means = splitLines(skills), splitCodes(romes), splitCodes(means)
	c.ExcludedShifts, c.Qualifications = splitCodes(shifts), splitLines(quals)
	c.AvailableFrom, c.Exists = db.DayPtr(avail), err == nil
	return c, err
}

// getCV returns a person's saved CV; ok is false when none was saved.
func getCV(ctx context.Context, q db.Querier, personID string) (CV, bool, error) {
	c, err := scanCV(q.QueryRowContext(ctx, `SELECT `+cvColumns+` FROM cvs WHERE person_id = $1`, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return CV{}, false, nil
	}
	return c, err == nil, err
}

// saveCV writes a CV and replaces its experiences.
func saveCV(ctx context.Context, q db.Querier, c CV, by string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO cvs (`+cvColumns+`, updated_by)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16,$17)
		ON CONFLICT (person_id) DO UPDATE SET headline = excluded.headline, summary = excluded.summary, skills = excluded.skills,
			romes = excluded.romes, radius_km = excluded.radius_km, means = excluded.means, available_from = excluded.available_from,
			weekly_minutes_min = excluded.weekly_minutes_min, weekly_minutes_max = excluded.weekly_minutes_max,
			excluded_shifts = excluded.excluded_shifts, licence = excluded.licence, vehicle = excluded.vehicle,
			qualifications = excluded.qualifications, online = excluded.online, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`,
		c.PersonID, c.Headline, c.Summary, strings.Join(c.Skills, "\n"), strings.Join(c.ROMEs, ","), c.RadiusKm,
		strings.Join(c.Means, ","), db.NullDay(c.AvailableFrom), c.MinutesMin, c.MinutesMax, strings.Join(c.ExcludedShifts, ","),
		c.Licence, c.Vehicle, strings.Join(c.Qualifications, "\n"), c.Online, now, by)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM cv_experiences WHERE person_id = $1`, c.PersonID); err != nil {
		return err
	}
	for i, e := range c.Experiences {
		// created_at keeps the order the experiences were given in.
		if _, err := q.ExecContext(ctx, `INSERT INTO cv_experiences (id, person_id, title, employer, start_date, end_date, description, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, db.NewID(), c.PersonID, e.Title, e.Employer, db.NullDay(e.Start), db.NullDay(e.End),
			e.Description, now.Add(time.Duration(i)*time.Microsecond)); err != nil {
			return err
		}
	}
	return nil
}

func experiencesOf(ctx context.Context, q db.Querier, personID string) ([]Experience, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, title, employer, start_date, end_date, description FROM cv_experiences
		WHERE person_id = $1 ORDER BY created_at, id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Experience
	for rows.Next() {
		var e Experience
		var start, end sql.NullTime
		if err := rows.Scan(&e.ID, &e.Title, &e.Employer, &start, &end, &e.Description); err != nil {
			return nil, err
		}
		e.Start, e.End = db.DayPtr(start), db.DayPtr(end)
		out = append(out, e)
	}
	return out, rows.Err()
}

func consentsOf(ctx context.Context, q db.Querier, personID string) ([]Consent, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.method, c.given_at, COALESCE(g.first_name || ' ' || g.last_name, ''), c.revoked_at,
		COALESCE(r.first_name || ' ' || r.last_name, '')
		FROM cv_consents c LEFT JOIN users g ON g.id = c.given_by LEFT JOIN users r ON r.id = c.revoked_by
		WHERE c.person_id = $1 ORDER BY c.given_at DESC, c.id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Consent
	for rows.Next() {
		var c Consent
		var revoked sql.NullTime
		if err := rows.Scan(&c.ID, &c.Method, &c.GivenAt, &c.GivenBy, &revoked, &c.RevokedBy); err != nil {
			return nil, err
		}
		c.RevokedAt = db.TimePtr(revoked)
		out = append(out, c)
	}
	return out, rows.Err()
}

func insertConsent(ctx context.Context, q db.Querier, id, personID, method, by string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO cv_consents (id, person_id, method, given_at, given_by) VALUES ($1,$2,$3,$4,$5)`,
		id, personID, method, at, by)
	return err
}

// revokeConsent ends the consent in force; it reports whether there was one.
func revokeConsent(ctx context.Context, q db.Querier, personID, by string, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE cv_consents SET revoked_at = $2, revoked_by = $3 WHERE person_id = $1 AND revoked_at IS NULL`,
		personID, at, by)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func hasConsent(ctx context.Context, q db.Querier, personID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM cv_consents WHERE person_id = $1 AND revoked_at IS NULL`, personID).Scan(&n)
	return n > 0, err
}

// candidateRow is what the matching engine reads of an online CV.
type candidateRow struct {
	CV
	Lat, Lon    sql.NullFloat64
	CommuneCode string
	CommuneName string
	FirstName   string
	LastName    string
	Territory   string
	Merged      bool
}

// onlineCandidates loads the CVs changed since a time (all of them for the
// zero time), with the person's position; offline CVs and merged files come
// too, so that the caller drops them. A person's move reaches the engine at
// its next full reload.
func onlineCandidates(ctx context.Context, q db.Querier, since time.Time) ([]candidateRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+prefixed("v.", cvColumns)+`, p.lat, p.lon, p.commune_code, COALESCE(c.name, ''),
		p.first_name, p.last_name, p.territory, p.merged_into <> ''
		FROM cvs v JOIN persons p ON p.id = v.person_id LEFT JOIN communes c ON c.code = p.commune_code
		WHERE v.updated_at > $1`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidateRow
	for rows.Next() {
		var r candidateRow
		var skills, romes, means, shifts, quals string
		var avail sql.NullTime
		if err := rows.Scan(&r.PersonID, &r.Headline, &r.Summary, &skills, &romes, &r.RadiusKm, &means, &avail, &r.MinutesMin,
			&r.MinutesMax, &shifts, &r.Licence, &r.Vehicle, &quals, &r.Online, &r.CreatedAt, &r.UpdatedAt,
			&r.Lat, &r.Lon, &r.CommuneCode, &r.CommuneName, &r.FirstName, &r.LastName, &r.Territory, &r.Merged); err != nil {
			return nil, err
		}
		r.Skills, r.ROMEs, r.Means = splitLines(skills), splitCodes(romes), splitCodes(means)
		r.ExcludedShifts, r.Qualifications = splitCodes(shifts), splitLines(quals)
		r.AvailableFrom, r.Exists = db.DayPtr(avail), true
		out = append(out, r)
	}
	return out, rows.Err()
}

// prefixed qualifies a list of columns with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// latestDiagnostic returns the content of a person's latest diagnostic, "" when none.
func latestDiagnostic(ctx context.Context, q db.Querier, personID string) (string, error) {
	var content string
	err := q.QueryRowContext(ctx, `SELECT content FROM diagnostics WHERE person_id = $1 ORDER BY version DESC LIMIT 1`, personID).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return content, err
}
