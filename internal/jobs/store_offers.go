package jobs

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
)

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

const offerColumns = `f.id, f.organisation_id, o.name, f.territory, f.site_id, COALESCE(s.name, ''), f.reference, f.title, f.rome,
	COALESCE(r.label, ''), f.contract, f.contract_months, f.weekly_minutes, f.positions, f.start_date, f.commune_code, COALESCE(c.name, ''),
	f.lat, f.lon, f.needs_licence, f.needs_vehicle, f.qualifications, f.shifts, f.description, f.in_tension, f.clause_linked,
	f.clause_market, f.status, f.created_by, f.created_at, f.updated_at, f.closed_at`

const offerFrom = ` FROM offers f JOIN organisations o ON o.id = f.organisation_id
	LEFT JOIN employer_sites s ON s.id = f.site_id
	LEFT JOIN rome_fiches r ON r.code = f.rome
	LEFT JOIN communes c ON c.code = f.commune_code`

// scanOffer scans the offer columns, then any extra columns into extra.
func scanOffer(sc interface{ Scan(...any) error }, extra ...any) (Offer, error) {
	var o Offer
	var start, closed sql.NullTime
	var lat, lon sql.NullFloat64
	var quals, shifts string
	dest := append([]any{&o.ID, &o.OrgID, &o.EmployerName, &o.Territory, &o.SiteID, &o.SiteName, &o.Reference, &o.Title, &o.ROME,
		&o.ROMELabel, &o.Contract, &o.ContractMonths, &o.WeeklyMinutes, &o.Positions, &start, &o.CommuneCode, &o.CommuneName,
		&lat, &lon, &o.NeedsLicence, &o.NeedsVehicle, &quals, &shifts, &o.Description, &o.InTension, &o.ClauseLinked,
		&o.ClauseMarket, &o.Status, &o.CreatedBy, &o.CreatedAt, &o.UpdatedAt, &closed}, extra...)
	err := sc.Scan(dest...)
	o.Start, o.ClosedAt = db.DayPtr(start), db.TimePtr(closed)
	o.Lat, o.Lon = floatPtr(lat), floatPtr(lon)
	o.Qualifications, o.Shifts = splitLines(quals), splitCodes(shifts)
	return o, err
}

func insertOffer(ctx context.Context, q db.Querier, o Offer) error {
	_, err := q.ExecContext(ctx, `INSERT INTO offers (id, organisation_id, territory, site_id, reference, title, rome, contract,
		contract_months, weekly_minutes, positions, start_date, commune_code, lat, lon, needs_licence, needs_vehicle, qualifications,
		shifts, description, in_tension, clause_linked, clause_market, status, created_by, created_at, updated_at, closed_at, search_text)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$26,$27,$28)`,
		o.ID, o.OrgID, o.Territory, o.SiteID, o.Reference, o.Title, o.ROME, o.Contract, o.ContractMonths, o.WeeklyMinutes,
		o.Positions, db.NullDay(o.Start), o.CommuneCode, nullFloat(o.Lat), nullFloat(o.Lon), o.NeedsLicence, o.NeedsVehicle,
		strings.Join(o.Qualifications, "\n"), strings.Join(o.Shifts, ","), o.Description, o.InTension, o.ClauseLinked,
		o.ClauseMarket, o.Status, o.CreatedBy, o.CreatedAt, o.ClosedAt, searchText(o))
	return err
}

// searchText is what the offers' search matches: title, employer and ROME, folded.
func searchText(o Offer) string {
	return " " + refdata.Fold(o.Title+" "+o.EmployerName+" "+o.ROME) + " "
}

func updateOffer(ctx context.Context, q db.Querier, o Offer) error {
	_, err := q.ExecContext(ctx, `UPDATE offers SET site_id = $2, reference = $3, title = $4, rome = $5, contract = $6,
		contract_months = $7, weekly_minutes = $8, positions = $9, start_date = $10, commune_code = $11, lat = $12, lon = $13,
		needs_licence = $14, needs_vehicle = $15, qualifications = $16, shifts = $17, description = $18, in_tension = $19,
		clause_linked = $20, clause_market = $21, status = $22, updated_at = $23, closed_at = $24, search_text = $25 WHERE id = $1`,
		o.ID, o.SiteID, o.Reference, o.Title, o.ROME, o.Contract, o.ContractMonths, o.WeeklyMinutes, o.Positions,
		db.NullDay(o.Start), o.CommuneCode, nullFloat(o.Lat), nullFloat(o.Lon), o.NeedsLicence, o.NeedsVehicle,
		strings.Join(o.Qualifications, "\n"), strings.Join(o.Shifts, ","), o.Description, o.InTension, o.ClauseLinked,
		o.ClauseMarket, o.Status, o.UpdatedAt, o.ClosedAt, searchText(o))
	return err
}

func getOffer(ctx context.Context, q db.Querier, id string) (Offer, bool, error) {
	o, err := scanOffer(q.QueryRowContext(ctx, `SELECT `+offerColumns+offerFrom+` WHERE f.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Offer{}, false, nil
	}
	return o, err == nil, err
}

// offerByReference finds an employer's offer by the employer's own reference.
func offerByReference(ctx context.Context, q db.Querier, orgID, ref string) (string, bool, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM offers WHERE organisation_id = $1 AND reference = $2 AND reference <> ''`, orgID, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// OfferFilter narrows the list of offers.
type OfferFilter struct {
	Status     string
	EmployerID string
	ROME       string
	Query      string
	Limit      int
	Offset     int
}

func offerScopeSQL(s access.OfferScope, w *db.Where) string {
	switch {
	case s.All:
		return "1=1"
	case s.None:
		return "1=0"
	}
	var ors []string
	if s.Territory != "" {
		ors = append(ors, "f.territory = "+w.Arg(s.Territory))
	}
	if s.EmployerOrgID != "" {
		ors = append(ors, "f.organisation_id = "+w.Arg(s.EmployerOrgID))
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

func listOffers(ctx context.Context, q db.Querier, scope access.OfferScope, f OfferFilter) ([]Offer, int, error) {
	var w db.Where
	w.Raw(offerScopeSQL(scope, &w))
	if f.Status != "" {
		w.Add("f.status = $%d", f.Status)
	}
	if f.EmployerID != "" {
		w.Add("f.organisation_id = $%d", f.EmployerID)
	}
	if f.ROME != "" {
		w.Add("f.rome LIKE $%d", strings.ToUpper(f.ROME)+"%")
	}
	for _, word := range strings.Fields(refdata.Fold(f.Query)) {
		// Folded words hold only letters, digits and spaces: no LIKE wildcard can slip in.
		w.Add("f.search_text LIKE $%d", "% "+word+"%")
	}
	where := w.String()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM offers f JOIN organisations o ON o.id = f.organisation_id`+where, w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+offerColumns+`,
		(SELECT count(*) FROM positionings p WHERE p.offer_id = f.id)`+offerFrom+where+
		` ORDER BY f.created_at DESC, f.id`+w.Page(f.Limit, f.Offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Offer{}
	for rows.Next() {
		var n int
		o, err := scanOffer(rows, &n)
		if err != nil {
			return nil, 0, err
		}
		o.Positioned = n
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// offersByIDs loads offers by id, in no particular order.
func offersByIDs(ctx context.Context, q db.Querier, ids []string) (map[string]Offer, error) {
	out := map[string]Offer{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT `+offerColumns+offerFrom+` WHERE f.id IN (`+db.In(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			o, err := scanOffer(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[o.ID] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// employerRow is what offers need to know about an employer organisation.
type employerRow struct {
	ID, Name, Kind, Territory, SIRET, NAF string
}

func getEmployer(ctx context.Context, q db.Querier, id string) (employerRow, bool, error) {
	var e employerRow
	err := q.QueryRowContext(ctx, `SELECT id, name, kind, territory, siret, naf FROM organisations WHERE id = $1 AND disabled_at IS NULL`, id).
		Scan(&e.ID, &e.Name, &e.Kind, &e.Territory, &e.SIRET, &e.NAF)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

// employerKinds are the organisations that publish offers: employers, and
// the insertion structures and GEIQ that recruit.
var employerKinds = []string{"employer", "siae", "geiq"}

// isEmployer reports whether an organisation publishes offers.
func (e employerRow) isEmployer() bool { return slices.Contains(employerKinds, e.Kind) }

func listEmployers(ctx context.Context, q db.Querier, territory, orgID string) ([]employerRow, error) {
	var w db.Where
	w.Raw("disabled_at IS NULL")
	if orgID != "" {
		w.Add("id = $%d", orgID)
	}
	if territory != "" {
		w.Add("territory = $%d", territory)
	}
	w.Raw("kind IN ('employer', 'siae', 'geiq')")
	rows, err := q.QueryContext(ctx, `SELECT id, name, kind, territory, siret, naf FROM organisations`+w.String()+` ORDER BY search_name, id LIMIT 2000`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []employerRow
	for rows.Next() {
		var e employerRow
		if err := rows.Scan(&e.ID, &e.Name, &e.Kind, &e.Territory, &e.SIRET, &e.NAF); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func setEmployerNAF(ctx context.Context, q db.Querier, id, naf string) error {
	_, err := q.ExecContext(ctx, `UPDATE organisations SET naf = $2 WHERE id = $1`, id, naf)
	return err
}

const siteColumns = `s.id, s.organisation_id, s.name, s.address, s.postal_code, s.commune_code, COALESCE(c.name, ''), s.lat, s.lon, s.geo_approximate, s.created_at`

func scanSite(sc interface{ Scan(...any) error }) (Site, error) {
	var s Site
	var lat, lon sql.NullFloat64
	err := sc.Scan(&s.ID, &s.OrgID, &s.Name, &s.Address, &s.PostalCode, &s.CommuneCode, &s.CommuneName, &lat, &lon, &s.Approximate, &s.CreatedAt)
	s.Lat, s.Lon = floatPtr(lat), floatPtr(lon)
	return s, err
}

func insertSite(ctx context.Context, q db.Querier, s Site) error {
	_, err := q.ExecContext(ctx, `INSERT INTO employer_sites (id, organisation_id, name, address, postal_code, commune_code, lat, lon, geo_approximate, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, s.ID, s.OrgID, s.Name, s.Address, s.PostalCode, s.CommuneCode,
		nullFloat(s.Lat), nullFloat(s.Lon), s.Approximate, s.CreatedAt)
	return err
}

func sitesOf(ctx context.Context, q db.Querier, orgID string) ([]Site, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+siteColumns+` FROM employer_sites s LEFT JOIN communes c ON c.code = s.commune_code
		WHERE s.organisation_id = $1 AND s.archived_at IS NULL ORDER BY s.name, s.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func getSite(ctx context.Context, q db.Querier, id string) (Site, bool, error) {
	s, err := scanSite(q.QueryRowContext(ctx, `SELECT `+siteColumns+` FROM employer_sites s LEFT JOIN communes c ON c.code = s.commune_code
		WHERE s.id = $1 AND s.archived_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Site{}, false, nil
	}
	return s, err == nil, err
}

func insertContact(ctx context.Context, q db.Querier, c Contact, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO employer_contacts (id, organisation_id, name, job_title, email, phone, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, c.ID, c.OrgID, c.Name, c.JobTitle, c.Email, c.Phone, at)
	return err
}

func contactsOf(ctx context.Context, q db.Querier, orgID string) ([]Contact, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, organisation_id, name, job_title, email, phone FROM employer_contacts
		WHERE organisation_id = $1 ORDER BY name, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		var c Contact
		if err := rows.Scan(&c.ID, &c.OrgID, &c.Name, &c.JobTitle, &c.Email, &c.Phone); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
