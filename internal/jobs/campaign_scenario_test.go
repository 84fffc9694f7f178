package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"tremplin/internal/jobs"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// collegesScenario writes the tables of a campaign like the département's:
// 73 RSA beneficiaries hired as maintenance agents across 57 collèges of
// the Pas-de-Calais, 18 collèges taking two agents and 39 one (75 places).
func campaignCollegesScenario(seed uint64) (sites, candidates string) {
	r := rand.New(rand.NewPCG(seed, 62))
	point := func() (float64, float64) { return 50.25 + 0.55*r.Float64(), 1.65 + 1.35*r.Float64() }
	var s, c strings.Builder
	s.WriteString("nom;commune;latitude;longitude;capacite\n")
	for i := range 57 {
		lat, lon := point()
		places := 1
		if i < 18 {
			places = 2
		}
		fmt.Fprintf(&s, "Collège n° %d;;%.5f;%.5f;%d\n", i+1, lat, lon, places)
	}
	c.WriteString("nom;latitude;longitude\n")
	for i := range 73 {
		lat, lon := point()
		fmt.Fprintf(&c, "Agent %d;%.5f;%.5f\n", i+1, lat, lon)
	}
	return s.String(), c.String()
}

func TestCampaignCollegesScenario(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		ctx := context.Background()
		manager := w.actors["manager"]
		c := w.campaign(t, "manager", jobs.CampaignInput{Title: "Agents d'entretien des collèges", ROME: "K2204"})
		sites, cands := campaignCollegesScenario(2021)
		if n, err := w.svc.ImportSites(ctx, manager, c.ID, campaignTable(t, sites)); err != nil || n != 57 {
			t.Fatalf("sites: %d %v", n, err)
		}
		if n, err := w.svc.ImportCandidates(ctx, manager, c.ID, campaignTable(t, cands)); err != nil || n != 73 {
			t.Fatalf("candidates: %d %v", n, err)
		}
		p, err := w.svc.Solve(ctx, manager, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Places() != 75 || p.Totals.Placed != 73 || p.Totals.Unplaced != 0 || p.NearestFree.Placed != 73 {
			t.Fatalf("everyone is placed: %d places, %+v, greedy %+v", p.Places(), p.Totals, p.NearestFree)
		}
		if p.Totals.TotalKm > p.NearestFree.TotalKm+1e-6 {
			t.Fatalf("the plan travels more than nearest free site first: %.3f > %.3f km", p.Totals.TotalKm, p.NearestFree.TotalKm)
		}
		if p.SavedKm() <= 0 {
			t.Errorf("with collèges this close, the greedy rule wastes travel the plan saves: %.3f km", p.SavedKm())
		}
		campaignCheckCapacities(t, p)
		t.Logf("73 agents, 57 collèges: %.1f km in all (%.1f km each) against %.1f km nearest free first: %.1f km saved (%.1f %%)",
			p.Totals.TotalKm, p.Totals.AverageKm(), p.NearestFree.TotalKm, p.SavedKm(), p.SavedPercent())

		var out bytes.Buffer
		if err := jobs.WriteCampaignPlanCSV(&out, p); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(out.String(), "\r\n"); lines != 74 {
			t.Errorf("the export has a header and a line per agent: %d lines", lines)
		}
	})
}
