// Package dbtest opens fresh, migrated databases for tests: SQLite always,
// and PostgreSQL when TREMPLIN_TEST_POSTGRES_URL is set, so every store test
// runs on both engines.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/migrations"
)

// PostgresEnv names the variable holding the PostgreSQL URL used by tests.
const PostgresEnv = "TREMPLIN_TEST_POSTGRES_URL"

// Engines runs fn once per available engine, each with its own fresh database.
func Engines(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a fresh migrated SQLite database in a temporary folder.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	migrate(t, d)
	return d
}

// PostgresURL returns the test PostgreSQL URL, skipping the test when none is
// configured, and failing it in CI where PostgreSQL must be present.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s must be set in CI", PostgresEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
	return u
}

// Postgres opens a fresh migrated PostgreSQL schema, dropped at the end of the test.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	base := PostgresURL(t)
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(base, schema) })
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	d, err := db.Open(context.Background(), base+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	migrate(t, d)
	return d
}

func dropSchema(base, schema string) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer admin.Close()
	admin.Exec("DROP SCHEMA " + schema + " CASCADE")
}

func migrate(t testing.TB, d *db.DB) {
	t.Helper()
	if _, err := migrations.Apply(context.Background(), d); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
