package jobs

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/assign"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/tabular"
)

// campaignData is what a campaign's plan is made of, as stored.
type campaignData struct {
	c     Campaign
	sites []CampaignSite
	cands []CampaignCandidate
	excl  []CampaignExclusion
	// lines are the stored lines of the plan, by candidate.
	lines map[string]CampaignLine
}

func (d campaignData) candidateByID(id string) (CampaignCandidate, bool) {
	for _, c := range d.cands {
		if c.ID == id {
			return c, true
		}
	}
	return CampaignCandidate{}, false
}

func (d campaignData) siteByID(id string) (CampaignSite, bool) {
	for _, s := range d.sites {
		if s.ID == id {
			return s, true
		}
	}
	return CampaignSite{}, false
}

// excluded reports whether a pair is excluded.
func (d campaignData) excluded(candidateID, siteID string) bool {
	for _, e := range d.excl {
		if e.CandidateID == candidateID && e.SiteID == siteID {
			return true
		}
	}
	return false
}

// checkMove checks that a candidate may be placed by hand on a site, and
// returns the site and the distance: the site has a free place once the
// candidate's own line is set aside, and the pair is not excluded.
func (d campaignData) checkMove(cand CampaignCandidate, siteID string) (string, float64, error) {
	site, ok := d.siteByID(siteID)
	if !ok {
		return "", 0, errs.FieldErrors{"site_id": "Choisissez un site de la campagne."}.Err()
	}
	if d.excluded(cand.ID, site.ID) {
		return "", 0, errs.FieldErrors{"site_id": "Ce candidat est exclu de ce site : retirez d'abord l'exclusion."}.Err()
	}
	if !cand.Located() || !site.Located() {
		return "", 0, errs.FieldErrors{"site_id": "Le candidat ou le site n'a pas de position connue."}.Err()
	}
	used := 0
	for _, l := range d.lines {
		if l.SiteID == site.ID && l.CandidateID != cand.ID {
			used++
		}
	}
	if used >= site.Capacity {
		return "", 0, errs.FieldErrors{"site_id": fmt.Sprintf("Le site « %s » est complet (%d place%s) : libérez d'abord une place.",
			site.Name, site.Capacity, campaignPlural(site.Capacity))}.Err()
	}
	return site.ID, geo.Distance(campaignPoint(cand.Lat, cand.Lon), campaignPoint(site.Lat, site.Lon)), nil
}

func campaignPoint(lat, lon *float64) geo.Point { return geo.Point{Lat: *lat, Lon: *lon} }

// plan assembles the page's plan: every candidate with their line, the
// sites with the places taken, and the totals beside the greedy ones.
func (d campaignData) plan() (CampaignPlan, error) {
	p := CampaignPlan{Campaign: d.c, Sites: slices.Clone(d.sites)}
	index := map[string]int{}
	for i, s := range p.Sites {
		index[s.ID] = i
	}
	for _, c := range d.cands {
		pl := CampaignPlanLine{Candidate: c}
		if l, ok := d.lines[c.ID]; ok {
			pl.Line = &l
			if i, ok := index[l.SiteID]; ok {
				p.Sites[i].Assigned++
				p.Totals.Placed++
				p.Totals.TotalKm += l.DistanceKm
			} else {
				p.Totals.Unplaced++
			}
			if l.Overridden() {
				p.Overrides++
			}
		}
		p.Lines = append(p.Lines, pl)
	}
	for i := range p.Lines {
		if l := p.Lines[i].Line; l != nil {
			if j, ok := index[l.SiteID]; ok {
				p.Lines[i].Site = &p.Sites[j]
			}
		}
	}
	p.Exclusions = d.namedExclusions()
	if !d.c.Solved() {
		return p, nil
	}
	greedy, err := newCampaignProblem(d).nearestFree()
	p.NearestFree = greedy
	return p, err
}

// namedExclusions fills the names of the excluded pairs.
func (d campaignData) namedExclusions() []CampaignExclusion {
	cands, sites := map[string]CampaignCandidate{}, map[string]CampaignSite{}
	for _, c := range d.cands {
		cands[c.ID] = c
	}
	for _, s := range d.sites {
		sites[s.ID] = s
	}
	out := make([]CampaignExclusion, len(d.excl))
	for i, e := range d.excl {
		c, s := cands[e.CandidateID], sites[e.SiteID]
		e.CandidateName, e.SiteName = fmt.Sprintf("n°%d %s", c.Number, c.Name), fmt.Sprintf("n°%d %s", s.Number, s.Name)
		out[i] = e
	}
	return out
}

// campaignProblem is the solver's input: the candidates no person decided,
// the sites with the places the decided lines leave, and the exclusions.
type campaignProblem struct {
	cands     []assign.Candidate
	sites     []assign.Site
	opt       assign.Options
	fixed     []CampaignLine
	unlocated []string
}

func newCampaignProblem(d campaignData) campaignProblem {
	var p campaignProblem
	taken := map[string]int{}
	for _, l := range d.lines {
		if l.Overridden() {
			p.fixed = append(p.fixed, l)
			taken[l.SiteID]++
		}
	}
	for _, s := range d.sites {
		if s.Located() {
			p.sites = append(p.sites, assign.Site{ID: s.ID, Lat: *s.Lat, Lon: *s.Lon, Capacity: max(0, s.Capacity-taken[s.ID])})
		}
	}
	for _, c := range d.cands {
		switch l, ok := d.lines[c.ID]; {
		case ok && l.Overridden():
		case !c.Located():
			p.unlocated = append(p.unlocated, c.ID)
		default:
			p.cands = append(p.cands, assign.Candidate{ID: c.ID, Lat: *c.Lat, Lon: *c.Lon})
		}
	}
	p.opt = assign.Options{MaxKm: d.c.MaxKm, Eligible: p.eligible(d.excl)}
	return p
}

// eligible returns the solver's eligibility over the problem's indexes, nil without exclusions.
func (p campaignProblem) eligible(excl []CampaignExclusion) func(int, int) bool {
	if len(excl) == 0 {
		return nil
	}
	out := make(map[[2]string]bool, len(excl))
	for _, e := range excl {
		out[[2]string{e.CandidateID, e.SiteID}] = true
	}
	return func(c, s int) bool { return !out[[2]string{p.cands[c].ID, p.sites[s].ID}] }
}

// solve returns the solver's lines: one per candidate not decided by hand.
func (p campaignProblem) solve(at time.Time) ([]CampaignLine, error) {
	res, err := assign.Solve(p.cands, p.sites, p.opt)
	if err != nil {
		return nil, err
	}
	lines := make([]CampaignLine, 0, len(res.Assignment)+len(res.Unassigned)+len(p.unlocated))
	for _, a := range res.Assignment {
		lines = append(lines, CampaignLine{CandidateID: a.Candidate, SiteID: a.Site, DistanceKm: a.DistanceKm, Source: CampaignSourceSolver, DecidedAt: at})
	}
	for _, u := range res.Unassigned {
		lines = append(lines, CampaignLine{CandidateID: u.Candidate, Source: CampaignSourceSolver, Reason: u.Reason, DecidedAt: at})
	}
	for _, id := range p.unlocated {
		lines = append(lines, CampaignLine{CandidateID: id, Source: CampaignSourceSolver, Reason: campaignReasonUnlocated, DecidedAt: at})
	}
	return lines, nil
}

// nearestFree returns the totals "nearest free site first" gives: the lines
// decided by hand, and the greedy rule for the others.
func (p campaignProblem) nearestFree() (CampaignTotals, error) {
	res, err := assign.NearestFree(p.cands, p.sites, p.opt)
	if err != nil {
		return CampaignTotals{}, err
	}
	t := CampaignTotals{Placed: len(res.Assignment), Unplaced: len(res.Unassigned) + len(p.unlocated), TotalKm: res.TotalKm}
	for _, l := range p.fixed {
		if l.SiteID == "" {
			t.Unplaced++
			continue
		}
		t.Placed++
		t.TotalKm += l.DistanceKm
	}
	return t, nil
}

// campaignRefs finds candidates and sites by id, number or name.
type campaignRefs struct {
	cands, sites campaignIndex
}

// campaignIndex finds the rows of one list.
type campaignIndex struct {
	ids     map[string]bool
	numbers map[int]string
	names   map[string][]string
}

func newCampaignIndex() campaignIndex {
	return campaignIndex{ids: map[string]bool{}, numbers: map[int]string{}, names: map[string][]string{}}
}

func (x campaignIndex) put(id string, number int, name string) {
	x.ids[id], x.numbers[number] = true, id
	key := refdata.Fold(name)
	x.names[key] = append(x.names[key], id)
}

func newCampaignRefs(d campaignData) campaignRefs {
	r := campaignRefs{cands: newCampaignIndex(), sites: newCampaignIndex()}
	for _, c := range d.cands {
		// A registry person is found by label only: the name may not be the actor's to know.
		r.cands.put(c.ID, c.Number, c.Label)
	}
	for _, s := range d.sites {
		r.sites.put(s.ID, s.Number, s.Name)
	}
	return r
}

// find returns the row named by ref, or records why none is.
func (x campaignIndex) find(ref, what string, line int, column string, f *campaignFaults) string {
	if x.ids[strings.ToLower(ref)] {
		return strings.ToLower(ref)
	}
	if ids := x.names[refdata.Fold(ref)]; len(ids) == 1 {
		return ids[0]
	} else if len(ids) > 1 {
		f.add(line, column, fmt.Sprintf("plusieurs %ss s'appellent « %s » : indiquez son numéro.", what, ref))
		return ""
	}
	if n, ok := campaignNumberRef(ref); ok && x.numbers[n] != "" {
		return x.numbers[n]
	}
	f.add(line, column, fmt.Sprintf("%s inconnu dans la campagne : « %s » (indiquez son numéro ou son nom).", what, ref))
	return ""
}

func (r campaignRefs) candidate(ref string, line int, f *campaignFaults) string {
	return r.cands.find(ref, "candidat", line, "candidat", f)
}

func (r campaignRefs) site(ref string, line int, f *campaignFaults) string {
	return r.sites.find(ref, "site", line, "site", f)
}

// WriteCampaignPlanCSV writes the plan as a CSV file Excel opens as it is:
// UTF-8 with a byte order mark, semicolons, decimal commas. Values that a
// spreadsheet would run as formulas are quoted.
func WriteCampaignPlanCSV(w io.Writer, p CampaignPlan) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	cw.UseCRLF = true
	cw.Write([]string{"candidat", "commune", "site", "distance_km", "source", "motif"})
	for _, l := range p.Lines {
		row := []string{tabular.SafeCell(l.Candidate.Name), tabular.SafeCell(l.Candidate.Commune()), "", "", "", ""}
		if l.Site != nil {
			row[2] = tabular.SafeCell(l.Site.Name)
			row[3] = strings.Replace(strconv.FormatFloat(math.Round(l.Line.DistanceKm*100)/100, 'f', 2, 64), ".", ",", 1)
		}
		if l.Line != nil {
			row[4], row[5] = campaignSourceCSV(*l.Line), tabular.SafeCell(l.Line.Reason)
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func campaignSourceCSV(l CampaignLine) string {
	if l.Overridden() {
		return "modification"
	}
	return "calcul"
}
