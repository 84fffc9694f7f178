package orgs

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

const columns = `o.id, o.name, o.kind, o.siae_kind, o.territory, o.siret, o.address, o.postal_code, o.commune_code,
	COALESCE(c.name, ''), o.created_at`

const from = ` FROM organisations o LEFT JOIN communes c ON c.code = o.commune_code`

func scan(s interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	err := s.Scan(&o.ID, &o.Name, &o.Kind, &o.SIAEKind, &o.Territory, &o.SIRET, &o.Address, &o.PostalCode, &o.CommuneCode,
		&o.CommuneName, &o.CreatedAt)
	return o, err
}

// Insert stores a new organisation.
func Insert(ctx context.Context, q db.Querier, o Organisation) error {
	_, err := q.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, siae_kind, territory, siret, address, postal_code, commune_code,
		search_name, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		o.ID, o.Name, string(o.Kind), o.SIAEKind, o.Territory, o.SIRET, o.Address, o.PostalCode, o.CommuneCode, searchName(o.Name), o.CreatedAt)
	return siretConflict(err)
}

// siretConflict turns the unique-SIRET violation into a field error.
func siretConflict(err error) error {
	if db.IsUniqueViolation(err) {
		const msg = "Une structure existe déjà avec ce SIRET."
		return &errs.Error{Code: errs.Conflict, Message: msg, Fields: map[string]string{"siret": msg}}
	}
	return err
}

// searchName is the folded name that searches match word prefixes against.
func searchName(name string) string { return " " + refdata.Fold(name) }

func update(ctx context.Context, q db.Querier, o Organisation) error {
	_, err := q.ExecContext(ctx, `UPDATE organisations SET name=$2, kind=$3, siae_kind=$4, territory=$5, siret=$6, address=$7,
		postal_code=$8, commune_code=$9, search_name=$10 WHERE id=$1`,
		o.ID, o.Name, string(o.Kind), o.SIAEKind, o.Territory, o.SIRET, o.Address, o.PostalCode, o.CommuneCode, searchName(o.Name))
	return siretConflict(err)
}

func get(ctx context.Context, q db.Querier, id string) (Organisation, error) {
	o, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE o.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.New(errs.NotFound, "Structure introuvable.")
	}
	return o, err
}

// Filter selects organisations in a listing.
type Filter struct {
	Territory string
	Kind      Kind
	Query     string
	Limit     int
	Offset    int
}

func list(ctx context.Context, q db.Querier, f Filter) ([]Organisation, int, error) {
	var w db.Where
	if f.Territory != "" {
		w.Add("o.territory = $%d", f.Territory)
	}
	if f.Kind != "" {
		w.Add("o.kind = $%d", string(f.Kind))
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		words := strings.Fields(refdata.Fold(s))
		if len(words) == 0 {
			w.Raw("1=0") // only punctuation: it names nothing
		}
		// Folded names hold only letters, digits and spaces: no LIKE wildcard can slip in.
		for _, word := range words {
			w.Add("o.search_name LIKE $%d", "% "+word+"%")
		}
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM organisations o`+w.String(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	where := w.String()
	rows, err := q.QueryContext(ctx, `SELECT `+columns+from+where+` ORDER BY o.name, o.id`+w.Page(limit, f.Offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}
