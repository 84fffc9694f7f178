package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
)

// batch inserts rows many at a time with one multi-row statement, prepared
// once for full batches: both engines accept far more than the few
// thousand parameters a batch uses (SQLite stops at 32,766).
type batch struct {
	ctx     context.Context
	tx      *db.Tx
	table   string
	columns []string
	size    int
	args    []any
	full    *sql.Stmt
}

func newBatch(ctx context.Context, tx *db.Tx, table string, columns []string, size int) *batch {
	return &batch{ctx: ctx, tx: tx, table: table, columns: columns, size: size, args: make([]any, 0, size*len(columns))}
}

// statement returns the INSERT statement for rows rows.
func (b *batch) statement(rows int) string {
	var s strings.Builder
	fmt.Fprintf(&s, "INSERT INTO %s (%s) VALUES ", b.table, strings.Join(b.columns, ", "))
	n := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			s.WriteByte(',')
		}
		s.WriteByte('(')
		for c := range b.columns {
			if c > 0 {
				s.WriteByte(',')
			}
			if b.tx.Dialect() == db.SQLite {
				// Anonymous parameters: SQLite looks "$n" names up one by
				// one, which is quadratic in a statement of thousands.
				s.WriteByte('?')
			} else {
				fmt.Fprintf(&s, "$%d", n)
			}
			n++
		}
		s.WriteByte(')')
	}
	return s.String()
}

// add queues one row, writing the batch when it is full.
func (b *batch) add(values ...any) error {
	b.args = append(b.args, values...)
	if len(b.args) < b.size*len(b.columns) {
		return nil
	}
	if b.full == nil {
		st, err := b.tx.PrepareContext(b.ctx, b.statement(b.size))
		if err != nil {
			return fmt.Errorf("prepare %s insert: %w", b.table, err)
		}
		b.full = st
	}
	if _, err := b.full.ExecContext(b.ctx, b.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

// empty reports whether every row added so far has been written.
func (b *batch) empty() bool { return len(b.args) == 0 }

// flush writes the rows still queued and releases the statement.
func (b *batch) flush() error {
	if b.full != nil {
		defer b.full.Close()
	}
	if len(b.args) == 0 {
		return nil
	}
	if _, err := b.tx.ExecContext(b.ctx, b.statement(len(b.args)/len(b.columns)), b.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

var personColumns = []string{"id", "territory", "holding_org_id", "first_name", "last_name", "birth_name", "birth_date", "sex",
	"nir_sealed", "nir_match", "caf_matricule", "ft_id", "address", "postal_code", "commune_code", "lat", "lon", "geo_approximate",
	"phone", "email", "search_name", "created_at", "updated_at", "household_id", "household_role", "droits_devoirs", "oriented_org_id"}

var memberColumns = []string{"id", "person_id", "user_id", "organisation_id", "role", "start_date", "end_date", "created_at"}

// insertPeople writes the people and their follow-up groups in one transaction.
func (w *writer) insertPeople(ctx context.Context, orgList []orgPlan, accounts []accountPlan, userIDs []string, persons []personPlan, pathways pathwayRows) error {
	return w.d.InTx(ctx, func(tx *db.Tx) error {
		pb := newBatch(ctx, tx, "persons", personColumns, 350)
		mb := newBatch(ctx, tx, "follow_up_members", memberColumns, 1000)
		// Members reference people: they are queued once their people are written.
		var pending [][]any
		release := func() error {
			for _, row := range pending {
				if err := mb.add(row...); err != nil {
					return err
				}
			}
			pending = pending[:0]
			return nil
		}
		for i, pp := range persons {
			p := pp.p
			for _, m := range pp.group {
				var end any
				if m.end != nil {
					end = m.end.Format(time.DateOnly)
				}
				a := accounts[m.account]
				pending = append(pending, []any{db.NewID(), p.ID, userIDs[m.account], orgList[a.org].org.ID, m.role,
					m.start.Format(time.DateOnly), end, m.start.Add(9 * time.Hour)})
			}
			// The registry matches on the 13 identifying characters, as the CAF flow sends them.
			err := pb.add(p.ID, p.Territory, p.HoldingOrgID, p.FirstName, p.LastName, p.BirthName, p.BirthDate.Format(time.DateOnly), p.Sex,
				w.box.Seal(pp.nir), w.box.Match(pp.nir[:13]), p.CAFMatricule, p.FTID, p.Address, p.PostalCode, p.CommuneCode,
				*p.Lat, *p.Lon, true, p.Phone, p.Email, people.SearchName(p), p.CreatedAt, p.UpdatedAt,
				pathways.person[i].householdID, pathways.person[i].role, pathways.person[i].droitsDevoirs, pathways.person[i].orientedOrg)
			if err != nil {
				return err
			}
			if pb.empty() {
				if err := release(); err != nil {
					return err
				}
			}
			w.progress.report("personnes", i+1, len(persons))
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := pb.flush(); err != nil {
			return err
		}
		if err := release(); err != nil {
			return err
		}
		if err := mb.flush(); err != nil {
			return err
		}
		if err := w.writePathways(ctx, tx, pathways, userIDs); err != nil {
			return err
		}
		if err := w.writeClauses(ctx, tx, pathways, userIDs); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, access.System("demo"), audit.Event{Action: "demo.generate", ObjectType: "demo", Detail: w.detail})
	})
}
