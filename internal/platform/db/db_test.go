package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

func TestTimesReadBackInUTCOnBothEngines(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	saved := time.Local
	time.Local = paris
	defer func() { time.Local = saved }()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC)
		if _, err := d.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, "k", at); err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := d.QueryRowContext(ctx, `SELECT at FROM login_failures WHERE key = $1`, "k").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if _, offset := got.Zone(); !got.Equal(at) || offset != 0 {
			t.Fatalf("read %v (%v), want %v in UTC", got, got.Location(), at)
		}
	})
}

func TestWhereNumbersItsPlaceholders(t *testing.T) {
	var w db.Where
	if w.String() != "" {
		t.Fatal("no condition, no WHERE")
	}
	w.Add("a = $%d", 1)
	w.Raw("(b = " + w.Arg(2) + " OR c = " + w.Arg(3) + ")")
	w.Add("(d LIKE $%[1]d OR e LIKE $%[1]d)", "x%")
	page := w.Page(10, -5)
	want := " WHERE a = $1 AND (b = $2 OR c = $3) AND (d LIKE $4 OR e LIKE $4)"
	if w.String() != want || page != " LIMIT $5 OFFSET $6" || len(w.Args) != 6 || w.Args[5] != 0 {
		t.Fatalf("got %q%q with %v", w.String(), page, w.Args)
	}
}

// TestSerializeRunsHoldersOneAfterTheOther checks that a transaction taking a
// key waits while another holds it (on SQLite the single writer does it).
func TestSerializeRunsHoldersOneAfterTheOther(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var order []string
		var mu sync.Mutex
		note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
		held := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- d.InTx(ctx, func(tx *db.Tx) error {
				if err := tx.Serialize(ctx, 42); err != nil {
					return err
				}
				close(held)
				time.Sleep(200 * time.Millisecond)
				note("first")
				return nil
			})
		}()
		<-held
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if err := tx.Serialize(ctx, 42); err != nil {
				return err
			}
			note("second")
			return nil
		})
		if err != nil || <-done != nil {
			t.Fatal(err)
		}
		if len(order) != 2 || order[0] != "first" {
			t.Fatalf("order %v: the second holder ran while the first held the key", order)
		}
	})
}
