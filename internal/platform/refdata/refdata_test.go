package refdata

import (
	"context"
	"math"
	"strings"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

// seeded opens a fresh database on each engine with the embedded data loaded.
func seeded(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		if err := Seed(context.Background(), d); err != nil {
			t.Fatalf("seed: %v", err)
		}
		fn(t, d)
	})
}

func count(t *testing.T, q db.Querier, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkCounts checks the size and invariants of the embedded data.
func checkCounts(t *testing.T, d *db.DB) {
	communes := count(t, d, `SELECT count(*) FROM communes`)
	if communes < 34000 {
		t.Errorf("communes = %d, want at least 34,000", communes)
	}
	approx := count(t, d, `SELECT count(*) FROM communes WHERE approximate`)
	t.Logf("%d communes, %d (%.0f %%) with approximate coordinates", communes, approx, 100*float64(approx)/float64(communes))
	if approx == 0 || approx == communes {
		t.Errorf("approximate = %d of %d: want some but not all", approx, communes)
	}
	if n := count(t, d, `SELECT count(*) FROM communes WHERE lat = 0 AND lon = 0`); n != 0 {
		t.Errorf("%d communes at (0,0): every commune must have coordinates", n)
	}
	if n := count(t, d, `SELECT count(*) FROM rome_domains WHERE parent IS NULL`); n != 14 {
		t.Errorf("grands domaines = %d, want 14", n)
	}
	if n := count(t, d, `SELECT count(*) FROM rome_domains WHERE parent IS NOT NULL`); n < 100 {
		t.Errorf("domaines professionnels = %d, want about 110", n)
	}
	if n := count(t, d, `SELECT count(*) FROM rome_fiches`); n < 50 {
		t.Errorf("fiches = %d, want at least 50", n)
	}
	if n := count(t, d, `SELECT count(*) FROM rome_fiches WHERE domain NOT IN (SELECT code FROM rome_domains)`); n != 0 {
		t.Errorf("%d fiches in an unknown domain", n)
	}
	if n := count(t, d, `SELECT count(*) FROM naf WHERE code LIKE '__.__%'`); n < 1300 {
		t.Errorf("NAF classes and sub-classes = %d, want about 1,350", n)
	}
}

// TestEmbeddedData seeds one database per engine and runs the read-only
// checks on it, rather than seeding once per check.
func TestEmbeddedData(t *testing.T) {
	seeded(t, func(t *testing.T, d *db.DB) {
		t.Run("counts", func(t *testing.T) { checkCounts(t, d) })
		t.Run("commune by code", func(t *testing.T) { checkCommuneByCode(t, d) })
		t.Run("commune queries", func(t *testing.T) { checkCommuneQueries(t, d) })
		t.Run("search communes", func(t *testing.T) { checkSearchCommunes(t, d) })
		t.Run("ROME and NAF", func(t *testing.T) { checkROMEAndNAFQueries(t, d) })
	})
}

func TestSeedIsIdempotent(t *testing.T) {
	seeded(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := d.QueryCount()
		if err := Seed(ctx, d); err != nil {
			t.Fatal(err)
		}
		// A second seed only counts the three tables.
		if n := d.QueryCount() - before; n != 3 {
			t.Errorf("second seed ran %d statements, want 3", n)
		}
		if n := count(t, d, `SELECT count(*) FROM rome_domains WHERE parent IS NULL`); n != 14 {
			t.Errorf("grands domaines = %d after a second seed", n)
		}
	})
}

func checkCommuneByCode(t *testing.T, d *db.DB) {
	ctx := context.Background()
	tests := []struct {
		code, name, dept, postal string
		lat, lon                 float64
	}{
		{"62041", "Arras", "62", "62000", 50.29, 2.78},
		{"75056", "Paris", "75", "75001", 48.85, 2.35},
		{"2A004", "Ajaccio", "2A", "20000", 41.92, 8.74},
		{"97411", "Saint-Denis", "974", "97400", -20.88, 55.45},
	}
	for _, tt := range tests {
		c, err := CommuneByCode(ctx, d, tt.code)
		if err != nil {
			t.Fatalf("%s: %v", tt.code, err)
		}
		if c.Name != tt.name || c.Department != tt.dept || !contains(c.PostalCodes, tt.postal) {
			t.Errorf("%s = %+v, want %s in %s with %s", tt.code, c, tt.name, tt.dept, tt.postal)
		}
		if math.Abs(c.Lat-tt.lat) > 0.05 || math.Abs(c.Lon-tt.lon) > 0.05 || c.Approximate {
			t.Errorf("%s at %.4f,%.4f (approximate %v), want near %.2f,%.2f", tt.code, c.Lat, c.Lon, c.Approximate, tt.lat, tt.lon)
		}
	}
	if _, err := CommuneByCode(ctx, d, "99999"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown commune: err = %v, want not_found", err)
	}
}

func checkCommuneQueries(t *testing.T, d *db.DB) {
	ctx := context.Background()
	pas, err := CommunesByDepartment(ctx, d, "62")
	if err != nil || len(pas) < 850 {
		t.Fatalf("Pas-de-Calais: %d communes, %v; want about 890", len(pas), err)
	}
	if pas[0].Name > pas[len(pas)-1].Name {
		t.Errorf("communes not sorted by name: %s … %s", pas[0].Name, pas[len(pas)-1].Name)
	}
	byPostal, err := CommunesByPostalCode(ctx, d, "62000")
	if err != nil || len(byPostal) == 0 || !hasCode(byPostal, "62041") {
		t.Errorf("62000 gives %v, %v; want Arras among them", byPostal, err)
	}
	lat, lon, err := DepartmentCentre(ctx, d, "62")
	if err != nil || lat < 50.2 || lat > 50.7 || lon < 1.8 || lon > 2.9 {
		t.Errorf("Pas-de-Calais centre = %.3f,%.3f, %v", lat, lon, err)
	}
	if _, _, err := DepartmentCentre(ctx, d, "00"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown département: err = %v, want not_found", err)
	}
}

func checkSearchCommunes(t *testing.T, d *db.DB) {
	ctx := context.Background()
	tests := []struct {
		text, wantFirst string
		wantIn          string
	}{
		{"arras", "62041", ""},
		{"ARRAS", "62041", ""},
		{"62000", "", "62041"},
		{"62041", "62041", ""},
		{"saint etienne", "", "42218"},
		{"Saint-Étienne", "", "42218"},
		{"béthune", "62119", ""},
		{"thune", "", "62119"},
	}
	for _, tt := range tests {
		got, err := SearchCommunes(ctx, d, tt.text, 10)
		if err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		if len(got) == 0 || len(got) > 10 {
			t.Fatalf("%q: %d results", tt.text, len(got))
		}
		if tt.wantFirst != "" && got[0].Code != tt.wantFirst {
			t.Errorf("%q: first = %s %s, want %s", tt.text, got[0].Code, got[0].Name, tt.wantFirst)
		}
		if tt.wantIn != "" && !hasCode(got, tt.wantIn) {
			t.Errorf("%q: %v lacks %s", tt.text, names(got), tt.wantIn)
		}
	}
	if got, _ := SearchCommunes(ctx, d, " - ", 10); len(got) != 0 {
		t.Errorf("punctuation only: %d results, want none", len(got))
	}
}

func checkROMEAndNAFQueries(t *testing.T, d *db.DB) {
	ctx := context.Background()
	f, err := ROMEFicheByCode(ctx, d, "k2204")
	if err != nil || f.Label != "Nettoyage de locaux" || f.Domain != "K22" {
		t.Errorf("K2204 = %+v, %v", f, err)
	}
	domains, err := ROMEDomains(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if got := findDomain(domains, "F17"); got.Parent != "F" || got.Label != "Travaux et gros oeuvre" {
		t.Errorf("F17 = %+v", got)
	}
	if got := findDomain(domains, "F"); got.Parent != "" || !strings.HasPrefix(got.Label, "Construction") {
		t.Errorf("F = %+v", got)
	}
	fiches, err := ROMEFiches(ctx, d)
	if err != nil || len(fiches) < 50 || fiches[0].Code > fiches[1].Code {
		t.Errorf("ROMEFiches: %d, %v", len(fiches), err)
	}
	tests := []struct{ code, want, section string }{
		{"81.21Z", "81.21Z", "N"},
		{"8121z", "81.21Z", "N"},
		{"43.99C", "43.99C", "F"},
		{"88.10A", "88.10A", "Q"},
		{"01", "01", "A"},
		{"Q", "Q", "Q"},
	}
	for _, tt := range tests {
		c, err := NAF(ctx, d, tt.code)
		if err != nil || c.Code != tt.want || c.Section != tt.section || c.Label == "" {
			t.Errorf("NAF(%q) = %+v, %v; want %s in section %s", tt.code, c, err, tt.want, tt.section)
		}
	}
	if _, err := NAF(ctx, d, "04.00Z"); !errs.Is(err, errs.Invalid) {
		t.Errorf("division 04: err = %v, want invalid", err)
	}
	if _, err := NAF(ctx, d, "81.29C"); !errs.Is(err, errs.NotFound) {
		t.Errorf("81.29C: err = %v, want not_found", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasCode(list []Commune, code string) bool {
	for _, c := range list {
		if c.Code == code {
			return true
		}
	}
	return false
}

func names(list []Commune) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Code+" "+c.Name)
	}
	return out
}

func findDomain(list []ROMEDomain, code string) ROMEDomain {
	for _, d := range list {
		if d.Code == code {
			return d
		}
	}
	return ROMEDomain{}
}

// BenchmarkSeedSQLite measures loading the embedded data into a fresh SQLite database.
func BenchmarkSeedSQLite(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		d := dbtest.SQLite(b)
		b.StartTimer()
		if err := Seed(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSeedForLoadsTheCommunesOfTheGivenDépartementsOnly(t *testing.T) {
	d := dbtest.SQLite(t)
	if err := SeedFor(context.Background(), d, "62"); err != nil {
		t.Fatal(err)
	}
	var in62, others, fiches int
	if err := d.QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM communes WHERE department = '62'), (SELECT count(*) FROM communes WHERE department <> '62'),
		(SELECT count(*) FROM rome_fiches)`).Scan(&in62, &others, &fiches); err != nil {
		t.Fatal(err)
	}
	if in62 < 800 || others != 0 || fiches == 0 {
		t.Errorf("communes of 62: %d, of other départements: %d, ROME fiches: %d", in62, others, fiches)
	}
}
