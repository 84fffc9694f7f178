package refdata

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"tremplin/internal/platform/db"
)

// batchRows is the number of rows per multi-row INSERT: 500 rows of 8 values
// stay far below SQLite's 32,766 and PostgreSQL's 65,535 parameters, and one
// statement per batch is what makes loading 35,000 communes fast.
const batchRows = 500

// conflict says what an insert does with a row whose key exists.
type conflict int

const (
	onConflictIgnore conflict = iota // seeding: keep what is there
	onConflictUpdate                 // importing: the file wins
)

// LoadCommunesCSV replaces the communes with those of an official communes
// file (see ParseCommunesCSV) and returns how many it holds. It is all or
// nothing: a malformed line is reported with its number and nothing is written.
func LoadCommunesCSV(ctx context.Context, d *db.DB, r io.Reader) (int, error) {
	communes, err := ParseCommunesCSV(r)
	if err != nil {
		return 0, err
	}
	return len(communes), d.InTx(ctx, func(tx *db.Tx) error {
		if err := insertCommunes(ctx, tx, communes, onConflictUpdate); err != nil {
			return err
		}
		keep := make(map[string]bool, len(communes))
		for _, c := range communes {
			keep[c.Code] = true
		}
		return deleteMissing(ctx, tx, "communes", "code", keep)
	})
}

// LoadROMECSV replaces the ROME fiches with those of a ROME file (see
// ParseROMECSV) and adds or relabels the domains it lists, returning the
// number of codes read. It is all or nothing, like LoadCommunesCSV.
func LoadROMECSV(ctx context.Context, d *db.DB, r io.Reader) (int, error) {
	rome, err := ParseROMECSV(r)
	if err != nil {
		return 0, err
	}
	return len(rome.Domains) + len(rome.Fiches), d.InTx(ctx, func(tx *db.Tx) error {
		// Domains are only added or relabelled: France Travail's fiche files
		// do not list them, and an import of fiches must not erase them.
		if err := insertDomains(ctx, tx, rome.Domains, onConflictUpdate); err != nil {
			return err
		}
		if len(rome.Fiches) == 0 {
			return nil
		}
		if err := insertFiches(ctx, tx, rome.Fiches, onConflictUpdate); err != nil {
			return err
		}
		keep := make(map[string]bool, len(rome.Fiches))
		for _, f := range rome.Fiches {
			keep[f.Code] = true
		}
		return deleteMissing(ctx, tx, "rome_fiches", "code", keep)
	})
}

// LoadNAFCSV replaces the NAF codes with those of a NAF file (see
// ParseNAFCSV) and returns how many it holds; all or nothing.
func LoadNAFCSV(ctx context.Context, d *db.DB, r io.Reader) (int, error) {
	codes, err := ParseNAFCSV(r)
	if err != nil {
		return 0, err
	}
	return len(codes), d.InTx(ctx, func(tx *db.Tx) error {
		if err := insertNAF(ctx, tx, codes, onConflictUpdate); err != nil {
			return err
		}
		keep := make(map[string]bool, len(codes))
		for _, c := range codes {
			keep[c.Code] = true
		}
		return deleteMissing(ctx, tx, "naf", "code", keep)
	})
}

var communeColumnNames = []string{"code", "name", "search_name", "department", "postal_codes", "lat", "lon", "approximate"}

// insertCommunes writes communes and rebuilds their postal code index.
func insertCommunes(ctx context.Context, q db.Querier, communes []Commune, mode conflict) error {
	err := insertRows(ctx, q, "communes", communeColumnNames, len(communes), mode, func(i int) []any {
		c := communes[i]
		return []any{c.Code, c.Name, Fold(c.Name), c.Department, strings.Join(c.PostalCodes, " "), c.Lat, c.Lon, c.Approximate}
	})
	if err != nil {
		return err
	}
	return rebuildPostalCodes(ctx, q, communes)
}

// rebuildPostalCodes replaces the postal code index with that of communes;
// nothing else points to it, so it is simply emptied and refilled.
func rebuildPostalCodes(ctx context.Context, q db.Querier, communes []Commune) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM commune_postal_codes"); err != nil {
		return fmt.Errorf("empty commune_postal_codes: %w", err)
	}
	type pair struct{ postal, commune string }
	var pairs []pair
	for _, c := range communes {
		for _, pc := range c.PostalCodes {
			pairs = append(pairs, pair{pc, c.Code})
		}
	}
	return insertRows(ctx, q, "commune_postal_codes", []string{"postal_code", "commune"}, len(pairs), onConflictIgnore,
		func(i int) []any { return []any{pairs[i].postal, pairs[i].commune} })
}

func insertDomains(ctx context.Context, q db.Querier, domains []ROMEDomain, mode conflict) error {
	return insertRows(ctx, q, "rome_domains", []string{"code", "label", "parent"}, len(domains), mode, func(i int) []any {
		d := domains[i]
		var parent any // NULL for grands domaines
		if d.Parent != "" {
			parent = d.Parent
		}
		return []any{d.Code, d.Label, parent}
	})
}

func insertFiches(ctx context.Context, q db.Querier, fiches []ROMEFiche, mode conflict) error {
	return insertRows(ctx, q, "rome_fiches", []string{"code", "label", "domain"}, len(fiches), mode, func(i int) []any {
		return []any{fiches[i].Code, fiches[i].Label, fiches[i].Domain}
	})
}

func insertNAF(ctx context.Context, q db.Querier, codes []NAFCode, mode conflict) error {
	return insertRows(ctx, q, "naf", []string{"code", "label", "section"}, len(codes), mode, func(i int) []any {
		return []any{codes[i].Code, codes[i].Label, codes[i].Section}
	})
}

// insertRows inserts n rows in multi-row statements; row(i) gives the values
// of row i in the order of cols, whose first column is the key.
func insertRows(ctx context.Context, q db.Querier, table string, cols []string, n int, mode conflict, row func(i int) []any) error {
	for start := 0; start < n; start += batchRows {
		end := min(start+batchRows, n)
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := q.ExecContext(ctx, insertSQL(q.Dialect(), table, cols, end-start, mode), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

func insertSQL(dialect db.Dialect, table string, cols []string, rows int, mode conflict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	// SQLite resolves each numbered parameter by a linear search among the
	// names seen so far, which makes "$n" quadratic in a 4,000-value
	// statement (seconds for the communes); anonymous "?" are numbered as
	// they come.
	anonymous := "(" + strings.Repeat("?,", len(cols)-1) + "?)"
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		if dialect == db.SQLite {
			b.WriteString(anonymous)
		} else {
			b.WriteString("(" + db.In(r*len(cols)+1, len(cols)) + ")")
		}
	}
	if mode == onConflictIgnore {
		return b.String() + " ON CONFLICT DO NOTHING"
	}
	fmt.Fprintf(&b, " ON CONFLICT (%s) DO UPDATE SET ", cols[0])
	for i, c := range cols[1:] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	return b.String()
}

// deleteMissing removes the rows of table whose key is not in keep. Imports
// update rows in place and delete only the stale ones, rather than emptying
// the table, so that rows other tables point to survive.
func deleteMissing(ctx context.Context, q db.Querier, table, key string, keep map[string]bool) error {
	existing, err := keys(ctx, q, table, key)
	if err != nil {
		return err
	}
	stale := slices.DeleteFunc(existing, func(k string) bool { return keep[k] })
	for start := 0; start < len(stale); start += batchRows {
		part := stale[start:min(start+batchRows, len(stale))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		stmt := fmt.Sprintf("DELETE FROM %s WHERE %s IN (%s)", table, key, db.In(1, len(part)))
		if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("delete stale %s: %w", table, err)
		}
	}
	return nil
}

func keys(ctx context.Context, q db.Querier, table, key string) ([]string, error) {
	rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s", key, table))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
