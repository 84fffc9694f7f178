package assign

import (
	"fmt"
	"math"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
)

// Limits of an input, which bound the memory and time of a solve: the solver
// keeps a sites × sites table, and a candidates × sites one.
const (
	MaxSites = 1000
	MaxPairs = 2_000_000
)

// How far a candidate's eligible sites are.
const (
	reachNone   uint8 = iota // no eligible site
	reachTooFar              // eligible sites, all beyond MaxKm
	reachSome                // at least one eligible site within MaxKm
)

// problem is a validated input with its integer costs.
type problem struct {
	n, m int
	// cost holds, row by candidate, the distance in metres of each pair, -1
	// for a pair not allowed (not eligible or beyond MaxKm).
	cost []int32
	// capacity of each site, at most n.
	capacity []int
	// reach of each candidate, for the reason they may be left unplaced.
	reach []uint8
}

// newProblem checks the input and computes the cost of every pair.
func newProblem(cands []Candidate, sites []Site, opt Options) (*problem, error) {
	if err := validate(cands, sites, opt); err != nil {
		return nil, err
	}
	p := &problem{
		n: len(cands), m: len(sites),
		cost:     make([]int32, len(cands)*len(sites)),
		capacity: make([]int, len(sites)),
		reach:    make([]uint8, len(cands)),
	}
	for s, site := range sites {
		p.capacity[s] = min(site.Capacity, p.n)
	}
	for c, cand := range cands {
		p.fillRow(c, cand, sites, opt)
	}
	return p, nil
}

// fillRow computes the costs and the reach of candidate c.
func (p *problem) fillRow(c int, cand Candidate, sites []Site, opt Options) {
	row := p.row(c)
	from := point(cand.Lat, cand.Lon)
	for s, site := range sites {
		row[s] = -1
		if opt.Eligible != nil && !opt.Eligible(c, s) {
			continue
		}
		p.reach[c] = max(p.reach[c], reachTooFar)
		d := geo.Distance(from, point(site.Lat, site.Lon))
		if opt.MaxKm > 0 && d > opt.MaxKm {
			continue
		}
		p.reach[c] = reachSome
		row[s] = metres(d)
	}
}

// row returns the costs of candidate c, indexed by site.
func (p *problem) row(c int) []int32 { return p.cost[c*p.m : (c+1)*p.m] }

// metres rounds a distance in km to whole metres.
func metres(km float64) int32 { return int32(math.Round(km * 1000)) }

// validate returns an errs.Invalid error for the first fault of the input.
func validate(cands []Candidate, sites []Site, opt Options) error {
	if math.IsNaN(opt.MaxKm) || opt.MaxKm < 0 {
		return errs.New(errs.Invalid, "La distance maximale doit être un nombre positif ou nul.")
	}
	if len(sites) > MaxSites {
		return errs.Newf(errs.Invalid, "Trop de sites (%d) : la limite est de %d.", len(sites), MaxSites)
	}
	if len(sites) > 0 && len(cands) > MaxPairs/len(sites) {
		return errs.Newf(errs.Invalid, "Trop de couples candidat-site (%d candidats × %d sites) : la limite est de %d.",
			len(cands), len(sites), MaxPairs)
	}
	seen := make(map[string]bool, len(cands))
	for i, c := range cands {
		if err := checkPlace("Candidat", i, c.ID, c.Lat, c.Lon, seen); err != nil {
			return err
		}
	}
	seen = make(map[string]bool, len(sites))
	for i, s := range sites {
		if err := checkPlace("Site", i, s.ID, s.Lat, s.Lon, seen); err != nil {
			return err
		}
		if s.Capacity < 0 {
			return invalid("Site", i, s.ID, "capacité négative")
		}
	}
	return nil
}

// checkPlace checks the id and the position of the i-th candidate or site.
func checkPlace(kind string, i int, id string, lat, lon float64, seen map[string]bool) error {
	switch {
	case id == "":
		return invalid(kind, i, id, "identifiant manquant")
	case seen[id]:
		return invalid(kind, i, id, "identifiant en double")
	case math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180:
		return invalid(kind, i, id, "coordonnées invalides (latitude entre -90 et 90, longitude entre -180 et 180)")
	case lat == 0 && lon == 0:
		return invalid(kind, i, id, "coordonnées inconnues (0, 0)")
	}
	seen[id] = true
	return nil
}

// invalid names the i-th candidate or site by its id, or by its position
// (from 1) when it has none.
func invalid(kind string, i int, id, fault string) error {
	name := fmt.Sprintf("%s « %s »", kind, id)
	if id == "" {
		name = fmt.Sprintf("%s n° %d", kind, i+1)
	}
	return errs.Newf(errs.Invalid, "%s : %s.", name, fault)
}
