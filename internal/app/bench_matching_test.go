package app_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
)

// benchROMEs are insertion jobs the benchmark's offers and CVs draw from.
var benchROMEs = []string{"K2204", "G1603", "N1103", "K1302", "A1203", "F1704", "K2202", "N4105", "G1605", "H3302", "D1507", "J1501"}

// envInt reads a size from the environment, for bench/matching-api.sh.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkMatchesThroughTheAPI measures one GET /api/v1/people/{id}/matches
// and one GET /api/v1/offers/{id}/candidates through the whole handler (token,
// access, engine, database reads, JSON) on a territory of BENCH_PEOPLE online
// CVs and BENCH_OFFERS open offers, against GET /api/v1/offers/{id} — one
// plain read through the same handler — as the baseline of the same run.
func BenchmarkMatchesThroughTheAPI(b *testing.B) {
	ctx := context.Background()
	d := dbtest.SQLite(b)
	if err := refdata.Seed(ctx, d); err != nil {
		b.Fatal(err)
	}
	a := apptest.New(b, d)
	sys := access.System("bench")
	dept, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Département", Kind: orgs.KindDepartement, Territory: "62"})
	if err != nil {
		b.Fatal(err)
	}
	emp, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Employeur", Kind: orgs.KindEmployer, Territory: "62"})
	if err != nil {
		b.Fatal(err)
	}
	u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: "manager@bench.fr", Memberships: []auth.NewMembership{authtest.Member(dept.ID, access.RoleManager)}})
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := a.Auth.CreateToken(ctx, u.ActorIn("", "bench"), "bench")
	if err != nil {
		b.Fatal(err)
	}
	nPeople, nOffers := envInt("BENCH_PEOPLE", 5000), envInt("BENCH_OFFERS", 2000)
	personIDs, offerIDs := benchTerritory(b, d, dept.ID, emp.ID, nPeople, nOffers)
	srv := apptest.Serve(b, a)
	get := func(path string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
	}
	// The first query loads the engine; the benchmark measures the queries after it.
	get("/api/v1/people/" + personIDs[0] + "/matches")
	b.Run("baseline_offer_read", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			get("/api/v1/offers/" + offerIDs[i%len(offerIDs)])
		}
	})
	b.Run("person_matches_top20", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			get("/api/v1/people/" + personIDs[i%len(personIDs)] + "/matches?limit=20")
		}
	})
	b.Run("offer_candidates_top20", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			get("/api/v1/offers/" + offerIDs[i%len(offerIDs)] + "/candidates?limit=20")
		}
	})
}

// benchTerritory writes people with online CVs and open offers spread over
// the Pas-de-Calais, deterministically.
func benchTerritory(b *testing.B, d *db.DB, deptID, empID string, nPeople, nOffers int) ([]string, []string) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(62, 4))
	point := func() (float64, float64) { return 50.0 + rng.Float64()*0.9, 1.6 + rng.Float64()*1.5 }
	now := db.Now()
	var personIDs, offerIDs []string
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := range nPeople {
			lat, lon := point()
			p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: deptID, FirstName: "Prénom", LastName: fmt.Sprintf("Nom%05d", i),
				CommuneCode: "62041", Lat: &lat, Lon: &lon, CreatedAt: now}
			if err := people.Insert(ctx, tx, p, "", ""); err != nil {
				return err
			}
			romes := benchROMEs[rng.IntN(len(benchROMEs))]
			if rng.IntN(3) == 0 {
				romes += "," + benchROMEs[rng.IntN(len(benchROMEs))]
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cvs (person_id, romes, radius_km, means, licence, vehicle, online, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,TRUE,$7,$7)`, p.ID, romes, 10+rng.IntN(31), []string{"car", "transit", "bike", "foot"}[rng.IntN(4)],
				rng.IntN(2) == 0, rng.IntN(3) == 0, now); err != nil {
				return err
			}
			personIDs = append(personIDs, p.ID)
		}
		for range nOffers {
			lat, lon := point()
			id := db.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO offers (id, organisation_id, territory, title, rome, contract, weekly_minutes, positions,
				commune_code, lat, lon, needs_licence, status, created_at, updated_at) VALUES ($1,$2,'62','Poste',$3,'CDI',$4,1,'62041',$5,$6,$7,'open',$8,$8)`,
				id, empID, benchROMEs[rng.IntN(len(benchROMEs))], (20+rng.IntN(16))*60, lat, lon, rng.IntN(4) == 0, now); err != nil {
				return err
			}
			offerIDs = append(offerIDs, id)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return personIDs, offerIDs
}
