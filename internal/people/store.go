package people

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

const personColumns = `p.id, p.territory, p.holding_org_id, o.name, p.first_name, p.last_name, p.birth_name, p.birth_date, p.sex,
	p.caf_matricule, p.ft_id, p.address, p.postal_code, p.commune_code, COALESCE(c.name, ''), p.lat, p.lon, p.phone, p.email,
	p.created_at, p.updated_at,
	COALESCE(r.user_id, ''), COALESCE(ru.first_name || ' ' || ru.last_name, ''), COALESCE(r.organisation_id, ''), COALESCE(ro.name, ''),
	COALESCE(hh.id, ''), COALESCE(hh.rsa_state, ''), p.droits_devoirs, COALESCE(hh.suspension_code, ''), hh.suspension_date,
	COALESCE(hh.closure_code, ''), hh.closure_date, hh.request_date, p.household_role, p.oriented_org_id, p.declared_publics`

// personFrom joins the holding organisation, the commune and the référent
// current on the day whose placeholder is today (the same UTC day the access
// policy uses, whatever the database server's zone).
func personFrom(today string) string {
	return ` FROM persons p
	JOIN organisations o ON o.id = p.holding_org_id
	LEFT JOIN communes c ON c.code = p.commune_code
	LEFT JOIN follow_up_members r ON r.id = (SELECT r2.id FROM follow_up_members r2
		WHERE r2.person_id = p.id AND r2.role = 'referent' AND r2.start_date <= ` + today + `
		AND (r2.end_date IS NULL OR r2.end_date >= ` + today + `)
		ORDER BY r2.start_date DESC, r2.created_at DESC LIMIT 1)
	LEFT JOIN users ru ON ru.id = r.user_id
	LEFT JOIN organisations ro ON ro.id = r.organisation_id
	LEFT JOIN households hh ON hh.id = p.household_id`
}

func scanPerson(s interface{ Scan(...any) error }) (Person, error) {
	var p Person
	var birth sql.NullTime
	var lat, lon sql.NullFloat64
	var ref Referent
	var rsa RSA
	var householdID string
	var suspended, closed, requested sql.NullTime
	var declared string
	err := s.Scan(&p.ID, &p.Territory, &p.HoldingOrgID, &p.HoldingOrg, &p.FirstName, &p.LastName, &p.BirthName, &birth, &p.Sex,
		&p.CAFMatricule, &p.FTID, &p.Address, &p.PostalCode, &p.CommuneCode, &p.CommuneName, &lat, &lon, &p.Phone, &p.Email,
		&p.CreatedAt, &p.UpdatedAt, &ref.UserID, &ref.Name, &ref.OrgID, &ref.OrgName,
		&householdID, &rsa.StateCode, &rsa.DroitsDevoirs, &rsa.SuspensionCode, &suspended, &rsa.ClosureCode, &closed, &requested, &rsa.Role, &p.OrientedOrgID, &declared)
	p.DeclaredPublics = parsePublics(declared)
	if householdID != "" {
		rsa.SuspensionDate, rsa.ClosureDate, rsa.RequestDate = dayOf(suspended), dayOf(closed), dayOf(requested)
		p.RSA = &rsa
	}
	if birth.Valid {
		t := birth.Time.UTC()
		p.BirthDate = &t
	}
	if lat.Valid && lon.Valid {
		p.Lat, p.Lon = &lat.Float64, &lon.Float64
	}
	if ref.UserID != "" {
		p.Referent = &ref
	}
	return p, err
}

// dayOf returns a nullable date as a *time.Time in UTC.
func dayOf(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	d := t.Time.UTC()
	return &d
}

// getPerson loads one file with its sealed NIR; a file absorbed by a merge is
// not found (its history is the kept file's now).
func getPerson(ctx context.Context, q db.Querier, id string, today time.Time) (Person, string, error) {
	var sealed string
	p, err := scanPerson(rowWithSealed{q.QueryRowContext(ctx, `SELECT `+personColumns+`, p.nir_sealed`+personFrom("$2")+` WHERE p.id = $1 AND p.merged_into = ''`,
		id, today.Format(time.DateOnly)), &sealed})
	if errors.Is(err, sql.ErrNoRows) {
		return p, "", errNotFound
	}
	return p, sealed, err
}

// rowWithSealed appends the sealed NIR column to a person scan.
type rowWithSealed struct {
	row    *sql.Row
	sealed *string
}

func (r rowWithSealed) Scan(dest ...any) error { return r.row.Scan(append(dest, r.sealed)...) }

// groupOf loads the follow-up group of a person, current and past.
func groupOf(ctx context.Context, q db.Querier, personID string) ([]GroupMember, error) {
	rows, err := q.QueryContext(ctx, `SELECT f.id, f.user_id, u.first_name || ' ' || u.last_name, f.organisation_id, o.name, f.role, f.start_date, f.end_date
		FROM follow_up_members f JOIN users u ON u.id = f.user_id JOIN organisations o ON o.id = f.organisation_id
		WHERE f.person_id = $1 ORDER BY f.start_date, f.created_at`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupMember
	for rows.Next() {
		var m GroupMember
		var end sql.NullTime
		if err := rows.Scan(&m.ID, &m.UserID, &m.Name, &m.OrgID, &m.OrgName, &m.Role, &m.Start, &end); err != nil {
			return nil, err
		}
		if end.Valid {
			m.End = &end.Time
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// scopeSQL turns an access scope into a condition that agrees with access.CanPerson.
func scopeSQL(s access.PersonScope, today string, w *db.Where) string {
	return scopeSQLOn("p", s, today, w)
}

// scopeSQLOn is scopeSQL on persons aliased alias. A file absorbed by a merge
// is in no scope: it lives on only as the kept file (the literal condition
// lets the scope indexes, which end with merged_into, answer counts alone).
func scopeSQLOn(alias string, s access.PersonScope, today string, w *db.Where) string {
	live := alias + ".merged_into = ''"
	if s.All {
		return live
	}
	arg := w.Arg
	var ors []string
	if s.Territory != "" {
		ors = append(ors, alias+".territory = "+arg(s.Territory))
	}
	if s.HoldingOrgID != "" {
		ors = append(ors, alias+".holding_org_id = "+arg(s.HoldingOrgID))
	}
	if s.OrientedOrgID != "" {
		ors = append(ors, "("+alias+".oriented_org_id = "+arg(s.OrientedOrgID)+" AND "+alias+".oriented_org_id <> '')")
	}
	if s.GroupUserID != "" {
		// An uncorrelated IN is computed once from the member's index; a correlated
		// EXISTS made SQLite walk the member's whole caseload for every person.
		day := arg(today)
		ors = append(ors, alias+`.id IN (SELECT g.person_id FROM follow_up_members g WHERE g.user_id = `+arg(s.GroupUserID)+
			` AND g.organisation_id = `+arg(s.GroupOrgID)+` AND g.start_date <= `+day+` AND (g.end_date IS NULL OR g.end_date >= `+day+`))`)
	}
	if s.EmployerOrgID != "" {
		// Employers see the candidates positioned on their offers while the
		// person's consent is in force (positioningsOf says which).
		ors = append(ors, alias+`.id IN (SELECT ps.person_id FROM positionings ps JOIN cv_consents c ON c.person_id = ps.person_id AND c.revoked_at IS NULL
			WHERE ps.employer_org_id = `+arg(s.EmployerOrgID)+` AND `+EmployerSeesPositioning+`)`)
	}
	if len(ors) == 0 {
		return "1=0"
	}
	return "(" + live + " AND (" + strings.Join(ors, " OR ") + "))"
}

// narrowScope drops the terms of a scope that add no file to its widest one
// (a manager's territory, else an admin's organisation): a single-term scope
// lets the database read the files in name order from an index instead of
// sorting the whole territory for every page. The check itself runs on indexes.
func narrowScope(ctx context.Context, q db.Querier, s access.PersonScope, today string) (access.PersonScope, error) {
	var main, rest access.PersonScope
	var w db.Where
	switch {
	case s.All || s.None:
		return s, nil
	case s.Territory != "":
		main, rest = access.PersonScope{Territory: s.Territory}, s
		rest.Territory = ""
		w.Add("p.territory <> $%d", s.Territory)
	case s.HoldingOrgID != "":
		main, rest = access.PersonScope{HoldingOrgID: s.HoldingOrgID}, s
		rest.HoldingOrgID = ""
		w.Add("p.holding_org_id <> $%d", s.HoldingOrgID)
	default:
		return s, nil
	}
	if rest == (access.PersonScope{}) {
		return main, nil
	}
	w.Raw(scopeSQL(rest, today, &w))
	var outside int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM persons p`+w.String(), w.Args...).Scan(&outside); err != nil {
		return s, err
	}
	if outside == 0 {
		return main, nil
	}
	return s, nil
}

func listPeople(ctx context.Context, q db.Querier, scope access.PersonScope, f Filter, matchNIR string, today time.Time) ([]Person, int, error) {
	scope, err := narrowScope(ctx, q, scope, today.Format(time.DateOnly))
	if err != nil {
		return nil, 0, err
	}
	var w db.Where
	w.Raw(scopeSQL(scope, today.Format(time.DateOnly), &w))
	if f.Matricule != "" {
		// The second term lets SQLite use the partial index on matricules.
		w.Add("p.caf_matricule = $%d AND p.caf_matricule <> ''", f.Matricule)
	}
	if matchNIR != "" {
		w.Add("p.nir_match = $%d AND p.nir_match <> ''", matchNIR)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		words := strings.Fields(refdata.Fold(s))
		if len(words) == 0 {
			// Only punctuation: it names nobody.
			w.Raw("1=0")
		}
		// Folded names hold only letters, digits and spaces: no LIKE wildcard can slip in.
		for _, word := range words {
			w.Add("p.search_name LIKE $%d", "% "+word+"%")
		}
	}
	where := w.String()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM persons p`+where, w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// Pick the page's identifiers first, on the persons table alone, then join
	// the display columns (référent, commune…) for those rows only.
	page := `SELECT p.id FROM persons p` + where + ` ORDER BY p.last_name, p.first_name, p.id` + w.Page(f.Limit, f.Offset)
	day := w.Arg(today.Format(time.DateOnly))
	rows, err := q.QueryContext(ctx, `SELECT `+personColumns+personFrom(day)+` JOIN (`+page+`) pg ON pg.id = p.id
		ORDER BY p.last_name, p.first_name, p.id`, w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// Insert stores a new person; the caller seals the NIR.
func Insert(ctx context.Context, q db.Querier, p Person, nirSealed, nirMatch string) error {
	var birth any
	if p.BirthDate != nil {
		birth = p.BirthDate.Format(time.DateOnly)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO persons (id, territory, holding_org_id, first_name, last_name, birth_name, birth_date, sex,
		nir_sealed, nir_match, caf_matricule, ft_id, address, postal_code, commune_code, lat, lon, geo_approximate, phone, email,
		search_name, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$22)`,
		p.ID, p.Territory, p.HoldingOrgID, p.FirstName, p.LastName, p.BirthName, birth, p.Sex, nirSealed, nirMatch,
		p.CAFMatricule, p.FTID, p.Address, p.PostalCode, p.CommuneCode, p.Lat, p.Lon, true, p.Phone, p.Email, SearchName(p), p.CreatedAt)
	return err
}

// SearchName is the folded " last first birth" string that name searches
// match word prefixes against.
func SearchName(p Person) string {
	return " " + refdata.Fold(p.LastName+" "+p.FirstName+" "+p.BirthName)
}

// InsertGroupMember adds a professional to a person's follow-up group.
func InsertGroupMember(ctx context.Context, q db.Querier, personID string, m GroupMember, now time.Time) error {
	var end any
	if m.End != nil {
		end = m.End.Format(time.DateOnly)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO follow_up_members (id, person_id, user_id, organisation_id, role, start_date, end_date, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, m.ID, personID, m.UserID, m.OrgID, m.Role, m.Start.Format(time.DateOnly), end, now)
	return err
}

// EmployerSeesPositioning is the condition, on positionings ps, under which
// the employer sees the candidacy and the candidate: once a professional sent
// it (or when the employer proposed the person itself), and only while it is
// under way or ended in a hire — a refusal or a withdrawal ends the
// employer's access, and a proposal withdrawn before it was sent never
// reaches it. The person's consent must be in force besides.
const EmployerSeesPositioning = `(ps.state IN ('proposed', 'sent', 'interview', 'hired') AND (ps.sent_at IS NOT NULL OR ps.proposed_by_org = ps.employer_org_id))`

// positioningsOf returns the candidacies of a person that employers may see,
// each with whether the person's consent to share the CV is in force.
func positioningsOf(ctx context.Context, q db.Querier, personID string) ([]access.Positioning, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT ps.employer_org_id,
		CASE WHEN EXISTS (SELECT 1 FROM cv_consents c WHERE c.person_id = ps.person_id AND c.revoked_at IS NULL) THEN 1 ELSE 0 END
		FROM positionings ps WHERE ps.person_id = $1 AND `+EmployerSeesPositioning, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Positioning
	for rows.Next() {
		var p access.Positioning
		var consented int
		if err := rows.Scan(&p.EmployerOrgID, &consented); err != nil {
			return nil, err
		}
		p.Consented = consented == 1
		out = append(out, p)
	}
	return out, rows.Err()
}
