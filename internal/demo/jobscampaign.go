package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/assign"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/refdata"
)

// The collèges campaign: 73 agents on 57 collèges, 18 of which take two.
const (
	collegeAgents      = 73
	collegeCount       = 57
	collegesWithTwo    = 18
	campaignTitle      = "Agents d'entretien des collèges"
	campaignOverride   = "La personne ne peut pas arriver avant 8 h dans ce collège : place choisie avec elle sur sa ligne de bus."
	campaignSolver     = "solver"
	campaignByHand     = "override"
	campaignMaxPerTown = 2
)

// campaign records the département's mass recruitment of maintenance agents
// for its collèges: the sites, the candidates taken from the registry, the
// plan the solver computed and one line a manager changed since.
func (g *jobsGen) campaign() {
	if g.manager < 0 || len(g.pl.byKind[orgs.KindDepartement]) == 0 {
		return
	}
	id := db.NewID()
	created, solved, changed := g.at(g.daysAgo(25)), g.at(g.daysAgo(20)), g.at(g.daysAgo(18))
	sites := g.colleges(id)
	cands := g.campaignCandidates(id)
	res, err := assign.Solve(cands, sites, assign.Options{})
	if err != nil || len(res.Assignment) == 0 {
		return
	}
	dept := g.pl.orgs[g.pl.first(orgs.KindDepartement)].org
	g.add("campaigns", id, dept.ID, g.pl.t.code, campaignTitle, "Agent d'entretien", "K2204", 0.0, userRef(g.manager), created, changed, solved)
	moved := g.overrideOne(res, cands, sites)
	for _, a := range res.Assignment {
		if a.Candidate == moved.Candidate {
			g.add("campaign_assignments", id, moved.Candidate, moved.Site, moved.DistanceKm, campaignByHand, campaignOverride, userRef(g.manager), changed)
			continue
		}
		g.add("campaign_assignments", id, a.Candidate, a.Site, a.DistanceKm, campaignSolver, "", "", solved)
	}
	for _, u := range res.Unassigned {
		g.add("campaign_assignments", id, u.Candidate, "", 0.0, campaignSolver, u.Reason, "", solved)
	}
}

// colleges draws the collèges in the towns of the département, the larger
// towns having more, and records them as the campaign's sites.
func (g *jobsGen) colleges(campaignID string) []assign.Site {
	var out []assign.Site
	perTown, names := map[string]int{}, map[string]bool{}
	for try := 0; len(out) < collegeCount; try++ {
		c := g.commune()
		// A département of few towns relaxes the rules after a while.
		relaxed := try > 20*collegeCount
		if !relaxed && (perTown[c.Code] >= campaignMaxPerTown || perTown[c.Code] == 1 && len(c.PostalCodes) < 2 && !g.bigTown(c)) {
			continue
		}
		name := "Collège " + g.pick(collegeNames) + " " + de(c.Name)
		if names[name] && relaxed {
			name = fmt.Sprintf("%s (%d)", name, len(out)+1)
		} else if names[name] {
			continue
		}
		perTown[c.Code]++
		names[name] = true
		capacity := 1
		if len(out) < collegesWithTwo {
			capacity = 2
		}
		lat, lon := g.near(c)
		s := assign.Site{ID: db.NewID(), Lat: lat, Lon: lon, Capacity: capacity}
		out = append(out, s)
		g.add("campaign_sites", s.ID, campaignID, name, c.Code, lat, lon, capacity, len(out))
	}
	return out
}

// bigTown reports whether a commune counts over 10,000 inhabitants in the demo's weights.
func (g *jobsGen) bigTown(c refdata.Commune) bool { return pasDeCalaisPopulation[c.Code] >= 10 }

// campaignCandidates takes the candidates from the registry: RSA
// beneficiaries followed by a référent, those whose online CV looks for
// maintenance work first, labelled by number as the campaign service does.
func (g *jobsGen) campaignCandidates(campaignID string) []assign.Candidate {
	order := g.r.Perm(len(g.persons))
	taken := map[int]bool{}
	var out []assign.Candidate
	take := func(ok func(i int) bool) {
		for _, i := range order {
			if len(out) == collegeAgents {
				return
			}
			pp := g.persons[i]
			if ref, _ := current(pp.group); taken[i] || ref < 0 || pp.p.Lat == nil || g.rows.person[i].householdID == "" || !ok(i) {
				continue
			}
			taken[i] = true
			c := assign.Candidate{ID: db.NewID(), Lat: *pp.p.Lat, Lon: *pp.p.Lon}
			out = append(out, c)
			g.add("campaign_candidates", c.ID, campaignID, pp.p.ID, "Candidat n°"+strconv.Itoa(len(out)), pp.p.CommuneCode, c.Lat, c.Lon, len(out))
		}
	}
	take(func(i int) bool {
		k := g.cvOf[i]
		return k >= 0 && g.cvs[k].online && slices.Contains(g.cvs[k].romes, "K2204")
	})
	take(func(int) bool { return true })
	return out
}

// overrideOne moves a placed candidate to the nearest other collège with a
// free place, as a manager would by hand; zero when none can move.
func (g *jobsGen) overrideOne(res assign.Result, cands []assign.Candidate, sites []assign.Site) assign.Pair {
	used := map[string]int{}
	for _, a := range res.Assignment {
		used[a.Site]++
	}
	a := res.Assignment[g.r.IntN(len(res.Assignment))]
	var from geo.Point
	for _, c := range cands {
		if c.ID == a.Candidate {
			from = geo.Point{Lat: c.Lat, Lon: c.Lon}
		}
	}
	best := assign.Pair{}
	for _, s := range sites {
		if s.ID == a.Site || used[s.ID] >= s.Capacity {
			continue
		}
		if km := geo.Distance(from, geo.Point{Lat: s.Lat, Lon: s.Lon}); best.Site == "" || km < best.DistanceKm {
			best = assign.Pair{Candidate: a.Candidate, Site: s.ID, DistanceKm: km}
		}
	}
	return best
}

// writeJobs writes the employers' NAF codes and the jobs tables, resolving
// account references, in the people's transaction.
func (w *writer) writeJobs(ctx context.Context, tx *db.Tx, rows pathwayRows, userIDs []string) error {
	st, err := tx.PrepareContext(ctx, `UPDATE organisations SET naf = $2 WHERE id = $1`)
	if err != nil {
		return fmt.Errorf("prepare NAF update: %w", err)
	}
	defer st.Close()
	for _, r := range rows.tables[nafTable] {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("set NAF: %w", err)
		}
	}
	for _, t := range jobTables {
		b := newBatch(ctx, tx, t.name, t.columns, max(1, 2000/len(t.columns)))
		for _, row := range rows.tables[t.name] {
			for i, v := range row {
				if ref, ok := v.(userRef); ok {
					row[i] = userIDs[ref]
				}
			}
			if err := b.add(row...); err != nil {
				return err
			}
		}
		if err := b.flush(); err != nil {
			return err
		}
		w.progress.report("emplois", len(rows.tables[t.name]), len(rows.tables[t.name]))
	}
	return nil
}
