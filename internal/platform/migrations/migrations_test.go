package migrations_test

import (
	"context"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/migrations"
)

func TestMigrationsApplyOnceOnBothEngines(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		again, err := migrations.Apply(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 0 {
			t.Fatalf("second run applied %v, want nothing", again)
		}
	})
}

func TestBothDialectsHaveTheSameVersions(t *testing.T) {
	lite, err := migrations.List(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations.List(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %05d_%s, postgres %05d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}
