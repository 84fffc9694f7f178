package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
	"tremplin/internal/platform/validate"
)

// pinClock fixes the generator's clock for the test, so that dates drawn
// relative to today are reproducible.
func pinClock(t testing.TB) time.Time {
	t.Helper()
	now := time.Date(2026, 3, 16, 10, 30, 0, 0, time.UTC)
	old := clock
	clock = func() time.Time { return now }
	t.Cleanup(func() { clock = old })
	return now
}

func testBox(t testing.TB) *secret.Box {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func TestGenerateSmall(t *testing.T) {
	now := pinClock(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		box := testBox(t)
		var progress bytes.Buffer
		res, err := Generate(ctx, d, box, Options{Size: SizeSmall, Seed: 42, Progress: &progress})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("small demo: %d organisations, %d accounts, %d people in %v", res.Organisations, len(res.Accounts), res.People, res.Took)
		if res.People != 1000 {
			t.Errorf("People = %d, want 1000", res.People)
		}
		if !strings.Contains(progress.String(), "\rpersonnes : 1000/1000\n") {
			t.Errorf("progress does not end with the people count: %q", tail(progress.String()))
		}
		checkOrganisations(t, d, res)
		checkAccounts(t, d, res)
		checkPeople(t, d, box, now)
	})
}

func tail(s string) string { return s[max(0, len(s)-80):] }

func checkOrganisations(t *testing.T, d *db.DB, res Result) {
	ctx := context.Background()
	rows, err := d.QueryContext(ctx, `SELECT o.name, o.kind, o.siae_kind, o.territory, o.siret, o.address, o.postal_code,
		o.commune_code, COALESCE(c.department, ''), COALESCE(c.postal_codes, '') FROM organisations o LEFT JOIN communes c ON c.code = o.commune_code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	kinds := map[string]int{}
	siaeKinds := map[string]bool{}
	n := 0
	for rows.Next() {
		var name, kind, siaeKind, territory, siret, address, postal, commune, dept, postals string
		if err := rows.Scan(&name, &kind, &siaeKind, &territory, &siret, &address, &postal, &commune, &dept, &postals); err != nil {
			t.Fatal(err)
		}
		n++
		kinds[kind]++
		if kind == string(orgs.KindSIAE) {
			siaeKinds[siaeKind] = true
		}
		if err := validate.SIRET(siret); err != nil {
			t.Errorf("%s: SIRET %s: %v", name, siret, err)
		}
		if territory != "62" || dept != "62" {
			t.Errorf("%s: territory %s, commune %s in département %q", name, territory, commune, dept)
		}
		if address == "" || !slices.Contains(strings.Fields(postals), postal) {
			t.Errorf("%s: address %q, postal code %q not among %q", name, address, postal, postals)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != res.Organisations {
		t.Errorf("%d organisations stored, result says %d", n, res.Organisations)
	}
	for _, k := range orgs.Kinds {
		if kinds[string(k.Kind)] == 0 {
			t.Errorf("no organisation of kind %s", k.Kind)
		}
	}
	if kinds[string(orgs.KindFranceTravail)] < 2 || kinds[string(orgs.KindPublicBuyer)] < 2 {
		t.Errorf("kinds = %v, want at least 2 France Travail agencies and 2 public buyers", kinds)
	}
	for _, k := range orgs.SIAEKinds {
		if !siaeKinds[k] {
			t.Errorf("no SIAE of kind %s", k)
		}
	}
	var deptName string
	if err := d.QueryRowContext(ctx, `SELECT name FROM organisations WHERE kind = 'departement'`).Scan(&deptName); err != nil {
		t.Fatal(err)
	}
	if deptName != "Conseil départemental du Pas-de-Calais" {
		t.Errorf("département = %q", deptName)
	}
}

func checkAccounts(t *testing.T, d *db.DB, res Result) {
	ctx := context.Background()
	if len(res.Accounts) > 60 {
		t.Errorf("%d accounts, want at most 60", len(res.Accounts))
	}
	svc := auth.NewService(d, auth.Settings{SessionIdle: time.Hour, SessionMax: time.Hour, DisableThrottle: true})
	roles := map[string]bool{}
	emails := map[string]bool{}
	for _, a := range res.Accounts {
		if emails[a.Email] {
			t.Errorf("duplicate account %s", a.Email)
		}
		emails[a.Email] = true
		roles[a.Role] = true
		if a.Password != Password || len(a.Password) < auth.MinPasswordLength {
			t.Errorf("%s: password %q", a.Email, a.Password)
		}
		_, u, err := svc.Login(ctx, a.Email, a.Password, "192.0.2.1")
		if err != nil {
			t.Errorf("login %s: %v", a.Email, err)
			continue
		}
		if a.Role == string(access.RolePlatformAdmn) {
			if !u.PlatformAdmin {
				t.Errorf("%s is not a platform admin", a.Email)
			}
			continue
		}
		act := u.ActorIn("", "")
		if !act.Has(access.Role(a.Role)) || len(u.Memberships) == 0 || u.Memberships[0].OrgName != a.Org {
			t.Errorf("%s: memberships %+v, want %s in %s", a.Email, u.Memberships, a.Role, a.Org)
		}
	}
	for _, r := range access.Roles {
		if !roles[string(r)] {
			t.Errorf("no account with role %s", r)
		}
	}
	for _, local := range []string{"admin", "admin.structure", "manager", "orientation", "referent.social", "referent.pro",
		"facilitateur", "siae", "employeur", "acheteur", "acheteur.departement", "acheteur.transports", "siae.etti", "entreprise.travaux"} {
		if !emails[local+"@"+Domain] {
			t.Errorf("no account %s@%s", local, Domain)
		}
	}
}

func checkPeople(t *testing.T, d *db.DB, box *secret.Box, now time.Time) {
	ctx := context.Background()
	rows, err := d.QueryContext(ctx, `SELECT p.id, p.first_name, p.last_name, p.sex, p.birth_date, p.nir_sealed, p.nir_match,
		p.caf_matricule, p.commune_code, p.postal_code, p.address, p.lat, p.lon, o.kind,
		(SELECT count(*) FROM follow_up_members f WHERE f.person_id = p.id AND f.role = 'referent' AND f.end_date IS NULL)
		FROM persons p JOIN organisations o ON o.id = p.holding_org_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, withCAF, withoutReferent := 0, 0, 0
	holding := map[string]int{}
	communes := map[string]int{}
	today := now.Truncate(24 * time.Hour)
	for rows.Next() {
		var id, first, last, sex, sealed, match, caf, commune, postal, address, kind string
		var birth time.Time
		var lat, lon sql.NullFloat64
		var referents int
		if err := rows.Scan(&id, &first, &last, &sex, &birth, &sealed, &match, &caf, &commune, &postal, &address, &lat, &lon, &kind, &referents); err != nil {
			t.Fatal(err)
		}
		n++
		holding[kind]++
		communes[commune]++
		nir, err := box.Open(sealed)
		if err != nil {
			t.Fatalf("%s: open NIR: %v", id, err)
		}
		if err := validate.NIR(nir); err != nil {
			t.Errorf("%s %s: NIR %s: %v", first, last, nir, err)
			continue
		}
		if match != box.Match(nir[:13]) {
			t.Errorf("%s %s: NIR match digest is not that of the 13 characters", first, last)
		}
		wantSex := sex[0]
		if nir[0] != wantSex || nir[1:3] != birth.Format("06") || nir[3:5] != birth.Format("01") {
			t.Errorf("%s %s (%s, born %s): NIR %s does not agree", first, last, sex, birth.Format(time.DateOnly), nir)
		}
		age := today.Year() - birth.Year()
		if today.Month() < birth.Month() || today.Month() == birth.Month() && today.Day() < birth.Day() {
			age--
		}
		if age < 18 || age > 64 {
			t.Errorf("%s %s is %d", first, last, age)
		}
		if caf != "" {
			withCAF++
			if len(caf) != 7 {
				t.Errorf("CAF matricule %q", caf)
			}
		}
		if !strings.HasPrefix(commune, "62") || !strings.HasPrefix(postal, "62") || address == "" || !lat.Valid || !lon.Valid {
			t.Errorf("%s %s: address %q %s %s (%v, %v)", first, last, address, postal, commune, lat, lon)
		}
		switch referents {
		case 0:
			withoutReferent++
		case 1:
		default:
			t.Errorf("%s %s has %d current référents", first, last, referents)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1000 {
		t.Fatalf("%d people stored, want 1000", n)
	}
	t.Logf("holding: %v; with CAF matricule: %d; without référent: %d; communes: %d", holding, withCAF, withoutReferent, len(communes))
	if holding[string(orgs.KindDepartement)] < n/2 || holding[string(orgs.KindMissionLocale)] == 0 {
		t.Errorf("holding organisations: %v", holding)
	}
	if withCAF < n/2 {
		t.Errorf("only %d people with a CAF matricule", withCAF)
	}
	if withoutReferent == 0 || withoutReferent > n/5 {
		t.Errorf("%d people without référent, want a few", withoutReferent)
	}
	// Big towns get more people than villages.
	if communes["62041"] < 10 || communes["62193"] < 10 {
		t.Errorf("Arras has %d people, Calais %d", communes["62041"], communes["62193"])
	}
	var past, members int
	if err := d.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM follow_up_members WHERE end_date IS NOT NULL),
		(SELECT count(*) FROM follow_up_members WHERE role = 'member')`).Scan(&past, &members); err != nil {
		t.Fatal(err)
	}
	if past == 0 || members == 0 {
		t.Errorf("%d past memberships, %d second members: want some of each", past, members)
	}
}

// fingerprint hashes what must not depend on anything but the seed: the
// organisations, the people and their follow-up groups, and the jobs side.
func fingerprint(t *testing.T, d *db.DB) string {
	t.Helper()
	var lines []string
	collect := func(query string) {
		rows, err := d.QueryContext(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, v := range vals {
				fmt.Fprintf(&b, "%s|", v.String)
			}
			lines = append(lines, b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	collect(`SELECT name, kind, siret, commune_code FROM organisations`)
	collect(`SELECT email, first_name, last_name FROM users`)
	collect(`SELECT last_name, first_name, birth_name, birth_date, commune_code, caf_matricule, address FROM persons`)
	collect(`SELECT p.last_name, p.first_name, p.birth_date, u.email, f.role, f.start_date, f.end_date
		FROM follow_up_members f JOIN persons p ON p.id = f.person_id JOIN users u ON u.id = f.user_id`)
	collectJobs(collect)
	collectClauses(collect)
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

func TestGenerateIsDeterministic(t *testing.T) {
	pinClock(t)
	ctx := context.Background()
	run := func(seed int64) string {
		d := dbtest.SQLite(t)
		if _, err := Generate(ctx, d, testBox(t), Options{Seed: seed}); err != nil {
			t.Fatal(err)
		}
		return fingerprint(t, d)
	}
	a, b, c := run(7), run(7), run(8)
	if a != b {
		t.Errorf("two demos with seed 7 differ")
	}
	if a == c {
		t.Errorf("demos with seeds 7 and 8 are identical")
	}
}

func TestGenerateRefusesADatabaseWithAccounts(t *testing.T) {
	pinClock(t)
	ctx := context.Background()
	d := dbtest.SQLite(t)
	svc := auth.NewService(d, auth.DefaultSettings())
	if _, err := svc.CreateUser(ctx, access.System("test"), auth.NewUser{Email: "someone@example.org", Password: "a long enough password"}); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(ctx, d, testBox(t), Options{})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("Generate on a database with an account: %v, want a conflict", err)
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM organisations) + (SELECT count(*) FROM persons)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows written by a refused generation", n)
	}
}

func TestGenerateTwiceIsRefused(t *testing.T) {
	pinClock(t)
	ctx := context.Background()
	d := dbtest.SQLite(t)
	if _, err := Generate(ctx, d, testBox(t), Options{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(ctx, d, testBox(t), Options{Seed: 1}); !errs.Is(err, errs.Conflict) {
		t.Fatalf("second Generate: %v, want a conflict", err)
	}
}

func TestGenerateUndoesAnInterruptedRun(t *testing.T) {
	pinClock(t)
	d := dbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel as soon as the people start being written.
	_, err := Generate(ctx, d, testBox(t), Options{Seed: 3, Progress: cancelOn{"personnes", cancel}})
	if err == nil {
		t.Fatal("Generate succeeded despite the cancellation")
	}
	if _, err := Generate(context.Background(), d, testBox(t), Options{Seed: 3}); err != nil {
		t.Fatalf("Generate after an interrupted run: %v", err)
	}
}

// cancelOn cancels a context when a progress line mentions what.
type cancelOn struct {
	what   string
	cancel context.CancelFunc
}

func (c cancelOn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(c.what)) {
		c.cancel()
	}
	return len(p), nil
}

func TestGenerateRejectsUnknownOptions(t *testing.T) {
	d := dbtest.SQLite(t)
	for _, opt := range []Options{{Size: "huge"}, {Department: "00"}} {
		if _, err := Generate(context.Background(), d, testBox(t), opt); !errs.Is(err, errs.Invalid) {
			t.Errorf("Generate(%+v) = %v, want invalid", opt, err)
		}
	}
}

func TestWithLuhn(t *testing.T) {
	for _, s := range []string{"73282932", "7328293200001", "1", "0000", "99999999"} {
		got := withLuhn(s)
		if err := validate.SIREN(got); len(got) == 9 && err != nil {
			t.Errorf("withLuhn(%s) = %s: %v", s, got, err)
		}
		if len(got) == 14 {
			if err := validate.SIRET(got); err != nil {
				t.Errorf("withLuhn(%s) = %s: %v", s, got, err)
			}
		}
	}
	if got := withLuhn("73282932"); got != "732829320" {
		t.Errorf("withLuhn(73282932) = %s, want 732829320", got)
	}
}

func TestDe(t *testing.T) {
	for name, want := range map[string]string{
		"Arras": "d'Arras", "Lens": "de Lens", "Le Portel": "du Portel", "Les Attaques": "des Attaques",
		"La Couture": "de la Couture", "Hénin-Beaumont": "d'Hénin-Beaumont", "Harnes": "de Harnes", "Étaples": "d'Étaples",
	} {
		if got := de(name); got != want {
			t.Errorf("de(%q) = %q, want %q", name, got, want)
		}
	}
}

// BenchmarkGenerateDept times the 50,000-people demo on SQLite; run it with
// go test -run '^$' -bench GenerateDept ./internal/demo/.
func BenchmarkGenerateDept(b *testing.B) {
	if testing.Short() {
		b.Skip("long benchmark")
	}
	pinClock(b)
	box := testBox(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := dbtest.SQLite(b)
		// The reference data is loaded when the server starts: keep it out of the timing.
		if err := refdata.Seed(context.Background(), d); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Generate(context.Background(), d, box, Options{Size: SizeDept, Seed: 62})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.People), "people")
	}
}
