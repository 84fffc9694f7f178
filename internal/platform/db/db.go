// Package db opens the SQLite or PostgreSQL database behind Tremplin and
// offers the few helpers every store needs: a writer and a reader pool, a
// transaction helper, a query counter for tests, and the dialect shim.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver
	"modernc.org/sqlite"             // SQLite driver, pure Go
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names a database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Querier is what a store needs: satisfied by *DB and by the transaction
// handed to InTx, so store functions work inside and outside transactions.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// DB is an open database: writes go to W, reads to R (the same pool on PostgreSQL).
type DB struct {
	W, R    *sql.DB
	dialect Dialect
	queries atomic.Int64
	// Location is the SQLite file path or the PostgreSQL URL without password.
	Location string
}

// Open opens the database named by rawURL: "sqlite:PATH" (or a bare path)
// selects SQLite, "postgres://…" or "postgresql://…" selects PostgreSQL.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//"))
	case strings.Contains(rawURL, "://"):
		return nil, fmt.Errorf("unsupported database URL scheme in %q: use sqlite:PATH or postgres://", redact(rawURL))
	default:
		return openSQLite(ctx, rawURL)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty SQLite path")
	}
	q := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+path+"?"+q+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// One writer connection: SQLite allows a single writer, and queueing in
	// Go is cheaper than retrying on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+q+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	return &DB{W: w, R: r, dialect: SQLite, Location: path}, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("TREMPLIN_DATABASE_URL: %w", err)
	}
	// pgx reads timestamps in the machine's zone; SQLite gives UTC: read UTC on both.
	utc := stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	})
	p := stdlib.OpenDB(*cfg, utc)
	p.SetMaxOpenConns(20)
	p.SetMaxIdleConns(10)
	p.SetConnMaxLifetime(30 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("open PostgreSQL database %s: %w", redact(rawURL), err)
	}
	return &DB{W: p, R: p, dialect: Postgres, Location: redact(rawURL)}, nil
}

// redact removes the password from a database URL so it can be logged.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}

// Dialect returns the engine of the database.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.W.Close()
	if db.R != db.W {
		err = errors.Join(err, db.R.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.R.PingContext(ctx) }

// QueryCount returns the number of statements run so far, for tests that
// guard against N+1 queries.
func (db *DB) QueryCount() int64 { return db.queries.Load() }

// ExecContext runs a statement on the writer.
func (db *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	db.queries.Add(1)
	return db.W.ExecContext(ctx, q, args...)
}

// QueryContext runs a query on the readers.
func (db *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	db.queries.Add(1)
	return db.R.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query on the readers.
func (db *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	db.queries.Add(1)
	return db.R.QueryRowContext(ctx, q, args...)
}

// Tx is a transaction that counts its statements like DB does.
type Tx struct {
	tx *sql.Tx
	db *DB
}

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.db.queries.Add(1)
	return t.tx.ExecContext(ctx, q, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.db.queries.Add(1)
	return t.tx.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	t.db.queries.Add(1)
	return t.tx.QueryRowContext(ctx, q, args...)
}

// PrepareContext prepares a statement in the transaction, for bulk inserts.
func (t *Tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, q)
}

// Dialect returns the engine of the database.
func (t *Tx) Dialect() Dialect { return t.db.dialect }

// Serialize makes the transactions holding the same key run one after the
// other, until they end: on PostgreSQL through an advisory lock, while
// SQLite's single writer already runs them one at a time. Two imports that
// look a person up and then create them need it, or both would create.
func (t *Tx) Serialize(ctx context.Context, key int64) error {
	if t.db.dialect != Postgres {
		return nil
	}
	_, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
	return err
}

// PeopleImportLock is the key of the imports that create people.
const PeopleImportLock int64 = 727200

// InTx runs fn in a write transaction, committed when fn returns nil and
// rolled back otherwise, so a failed import leaves nothing half written.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t := &Tx{tx: sqlTx, db: db}
	if err := fn(t); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, rbErr)
		}
		return err
	}
	return sqlTx.Commit()
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Params returns count placeholders for a statement that has no others: "?,?,…"
// on SQLite, whose driver binds "$n" by name at a cost that grows with the
// square of their number (minutes for a bulk insert), and "$n,…" on PostgreSQL.
func Params(d Dialect, start, count int) string {
	if d == SQLite {
		return strings.TrimSuffix(strings.Repeat("?,", count), ",")
	}
	return In(start, count)
}

// In returns "$n,$n+1,…" placeholders for len(args) values starting at n,
// for the IN lists both engines accept.
func In(start, count int) string {
	var b strings.Builder
	for i := 0; i < count; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "$%d", start+i)
	}
	return b.String()
}
