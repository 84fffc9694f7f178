package refdata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

const communeSelect = `SELECT code, name, department, postal_codes, lat, lon, approximate FROM communes`

// CommuneByCode returns the commune with an INSEE code, or a NotFound error.
func CommuneByCode(ctx context.Context, q db.Querier, code string) (Commune, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	list, err := queryCommunes(ctx, q, communeSelect+` WHERE code = $1`, code)
	if err != nil {
		return Commune{}, err
	}
	if len(list) == 0 {
		return Commune{}, errs.Newf(errs.NotFound, "Commune %q introuvable.", code)
	}
	return list[0], nil
}

// CommunesByDepartment returns the communes of a département sorted by name.
func CommunesByDepartment(ctx context.Context, q db.Querier, department string) ([]Commune, error) {
	return queryCommunes(ctx, q, communeSelect+` WHERE department = $1 ORDER BY search_name, code`,
		strings.ToUpper(strings.TrimSpace(department)))
}

// CommunesByPostalCode returns the communes a postal code serves, sorted by
// name: one postal code often covers several small communes.
func CommunesByPostalCode(ctx context.Context, q db.Querier, postalCode string) ([]Commune, error) {
	return queryCommunes(ctx, q, communeSelect+`
		WHERE code IN (SELECT commune FROM commune_postal_codes WHERE postal_code = $1)
		ORDER BY search_name, code`, strings.TrimSpace(postalCode))
}

// SearchCommunes finds at most limit communes for what a person types: a
// postal code or INSEE code, or part of a name, ignoring case, accents and
// hyphens. Names starting with the text come first.
func SearchCommunes(ctx context.Context, q db.Querier, text string, limit int) ([]Commune, error) {
	text = strings.TrimSpace(text)
	if limit <= 0 {
		limit = 20
	}
	if communeCodePattern.MatchString(strings.ToUpper(text)) {
		return queryCommunes(ctx, q, communeSelect+`
			WHERE code = $1 OR code IN (SELECT commune FROM commune_postal_codes WHERE postal_code = $1)
			ORDER BY search_name, code LIMIT $2`, strings.ToUpper(text), limit)
	}
	name := Fold(text)
	if name == "" {
		return nil, nil
	}
	// Two queries rather than one ranked scan: the prefix one uses the index
	// and usually fills the page on its own.
	found, err := queryCommunes(ctx, q, communeSelect+`
		WHERE search_name LIKE $1 ORDER BY length(search_name), search_name, code LIMIT $2`, name+"%", limit)
	if err != nil || len(found) >= limit {
		return found, err
	}
	more, err := queryCommunes(ctx, q, communeSelect+`
		WHERE search_name LIKE $1 AND search_name NOT LIKE $2
		ORDER BY length(search_name), search_name, code LIMIT $3`, "%"+name+"%", name+"%", limit-len(found))
	return append(found, more...), err
}

// DepartmentCentre returns the average position of the precisely located
// communes of a département (of all its communes if none is), or NotFound.
func DepartmentCentre(ctx context.Context, q db.Querier, department string) (lat, lon float64, err error) {
	department = strings.ToUpper(strings.TrimSpace(department))
	for _, filter := range []string{" AND NOT approximate", ""} {
		var la, lo sql.NullFloat64
		err := q.QueryRowContext(ctx, `SELECT avg(lat), avg(lon) FROM communes WHERE department = $1`+filter, department).Scan(&la, &lo)
		if err != nil {
			return 0, 0, fmt.Errorf("department centre: %w", err)
		}
		if la.Valid && lo.Valid {
			return la.Float64, lo.Float64, nil
		}
	}
	return 0, 0, errs.Newf(errs.NotFound, "Département %q introuvable.", department)
}

func queryCommunes(ctx context.Context, q db.Querier, query string, args ...any) ([]Commune, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query communes: %w", err)
	}
	defer rows.Close()
	var out []Commune
	for rows.Next() {
		var c Commune
		var postal string
		if err := rows.Scan(&c.Code, &c.Name, &c.Department, &postal, &c.Lat, &c.Lon, &c.Approximate); err != nil {
			return nil, fmt.Errorf("scan commune: %w", err)
		}
		c.PostalCodes = strings.Fields(postal)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ROMEDomains returns the grands domaines and domaines professionnels sorted by code.
func ROMEDomains(ctx context.Context, q db.Querier) ([]ROMEDomain, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, label, parent FROM rome_domains ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("query rome_domains: %w", err)
	}
	defer rows.Close()
	var out []ROMEDomain
	for rows.Next() {
		var d ROMEDomain
		var parent sql.NullString
		if err := rows.Scan(&d.Code, &d.Label, &parent); err != nil {
			return nil, err
		}
		d.Parent = parent.String
		out = append(out, d)
	}
	return out, rows.Err()
}

// ROMEFiches returns the ROME fiches sorted by code.
func ROMEFiches(ctx context.Context, q db.Querier) ([]ROMEFiche, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, label, domain FROM rome_fiches ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("query rome_fiches: %w", err)
	}
	defer rows.Close()
	var out []ROMEFiche
	for rows.Next() {
		var f ROMEFiche
		if err := rows.Scan(&f.Code, &f.Label, &f.Domain); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ROMEFicheByCode returns one ROME fiche, or a NotFound error.
func ROMEFicheByCode(ctx context.Context, q db.Querier, code string) (ROMEFiche, error) {
	f := ROMEFiche{}
	err := q.QueryRowContext(ctx, `SELECT code, label, domain FROM rome_fiches WHERE code = $1`,
		strings.ToUpper(strings.TrimSpace(code))).Scan(&f.Code, &f.Label, &f.Domain)
	if errors.Is(err, sql.ErrNoRows) {
		return f, errs.Newf(errs.NotFound, "Fiche ROME %q introuvable.", code)
	}
	return f, err
}

// NAF returns the NAF code written in any usual form ("8121Z", "81.21Z"), or
// an Invalid error for a malformed code and a NotFound error for an unknown one.
func NAF(ctx context.Context, q db.Querier, code string) (NAFCode, error) {
	norm, err := NormalizeNAF(code)
	if err != nil {
		return NAFCode{}, err
	}
	var c NAFCode
	err = q.QueryRowContext(ctx, `SELECT code, label, section FROM naf WHERE code = $1`, norm).Scan(&c.Code, &c.Label, &c.Section)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.Newf(errs.NotFound, "Code NAF %q introuvable.", norm)
	}
	return c, err
}
