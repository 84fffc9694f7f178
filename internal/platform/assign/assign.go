// Package assign places the candidates of a mass-recruitment campaign on its
// sites (for instance RSA beneficiaries hired as maintenance agents in the
// département's collèges): it places as many candidates as the capacities
// allow and, among those placements, the one with the least total travel,
// exactly. NearestFree gives the plan that "nearest free site first" would
// give, to show beside it.
//
// # The problem
//
// It is a transportation problem: a source gives one unit to each candidate,
// a candidate may go to each site it is eligible for and that lies within the
// maximum distance, at the cost of the great-circle distance, and each site
// takes up to its capacity. Distances are rounded to the metre inside the
// solver so that costs are integers and optimality is exact; the reported
// distances are the unrounded ones.
//
// # The method
//
// Successive shortest paths: augmenting, one candidate at a time, along a
// globally shortest path of the residual graph gives, after k steps, a
// placement of k candidates of least cost; the last one, when no path is
// left, is a maximum placement of least cost. Paths alternate sites and
// candidates (a newcomer takes a place, pushing a placed candidate to another
// site, who pushes another…), so with few sites the search runs on the sites
// only: a step from site s to site t costs the cheapest move
// cost(c,t) − cost(c,s) over the candidates c placed at s, and entering site s
// costs the cheapest unplaced candidate allowed there. Those minima are kept
// up to date incrementally: an augmentation changes the members of the sites
// on its path only, and a placed candidate never becomes unplaced, so each
// site keeps its candidates sorted by cost once. Johnson potentials on the
// sites and the sink keep every reduced cost non-negative, so a dense
// Dijkstra over the m sites finds each path in O(m²), stopping as soon as the
// sink is nearer than every site left. A solve costs O(n·m·log n) to prepare
// plus O(n·m²) at worst for the augmentations: about 0.2 s on one core for 4,000
// candidates and 115 sites (bench/assign.sh), where a Dijkstra over the
// 460,000 edges of the whole graph for each of the 4,000 augmentations would
// take minutes. Cost scaling or a network simplex would be exact too, but
// longer to write and to get right for no gain on campaigns, which have many
// candidates and few sites (MaxSites bounds them). No maintained Go
// min-cost-flow solver exists; the tests check this one against a linear
// program solved by gonum's simplex.
//
// Everything is deterministic: the same input gives the same output, ties
// being broken by input order.
package assign

import (
	"math"

	"tremplin/internal/platform/geo"
)

// Candidate is a person to place, at a WGS 84 position.
type Candidate struct {
	ID       string
	Lat, Lon float64
}

// Site is a place of work with a number of places to fill.
type Site struct {
	ID       string
	Lat, Lon float64
	Capacity int
}

// Options restricts the pairs a candidate may be placed on.
type Options struct {
	// MaxKm is the greatest distance between a candidate and their site; 0
	// means no limit.
	MaxKm float64
	// Eligible reports whether a candidate may go to a site, given their
	// indexes in the slices passed to Solve; nil means every pair.
	Eligible func(candidate, site int) bool
}

// Pair is one candidate placed on one site.
type Pair struct {
	Candidate, Site string
	DistanceKm      float64
}

// Unplaced is a candidate left without a site, with why in French.
type Unplaced struct {
	Candidate string
	Reason    string
}

// The reasons a candidate may stay unplaced.
const (
	ReasonNoEligibleSite = "Aucun site éligible pour ce candidat."
	ReasonTooFar         = "Aucun site éligible dans la limite de distance."
	ReasonNoPlace        = "Pas assez de places : les sites accessibles à ce candidat sont complets."
)

// Result is a placement plan.
type Result struct {
	// Assignment lists the placed candidates in input order.
	Assignment []Pair
	// TotalKm is the sum of the distances of the assignment.
	TotalKm float64
	// Unassigned lists the candidates left without a site, in input order.
	Unassigned []Unplaced
}

// Solve returns a placement that places as many candidates as possible and,
// among those, has the least total distance (to the metre). An invalid input
// gives an errs.Invalid error naming the candidate or site at fault.
func Solve(cands []Candidate, sites []Site, opt Options) (Result, error) {
	p, err := newProblem(cands, sites, opt)
	if err != nil {
		return Result{}, err
	}
	return p.result(cands, sites, newFlow(p).run()), nil
}

// NearestFree returns the placement "nearest free site first": candidates in
// input order each take the nearest site (to the metre, the first in input
// order on a tie) they may go to that still has a free place. It is the
// baseline Solve is compared with; inputs are checked as by Solve.
func NearestFree(cands []Candidate, sites []Site, opt Options) (Result, error) {
	p, err := newProblem(cands, sites, opt)
	if err != nil {
		return Result{}, err
	}
	return p.result(cands, sites, p.nearestFree()), nil
}

// nearestFree returns the site of each candidate under the greedy rule, -1
// for those left unplaced.
func (p *problem) nearestFree() []int32 {
	siteOf := make([]int32, p.n)
	used := make([]int, p.m)
	for c := range p.n {
		siteOf[c] = -1
		best := int32(math.MaxInt32)
		for s, cost := range p.row(c) {
			if cost >= 0 && cost < best && used[s] < p.capacity[s] {
				best, siteOf[c] = cost, int32(s)
			}
		}
		if siteOf[c] >= 0 {
			used[siteOf[c]]++
		}
	}
	return siteOf
}

// result turns the site of each candidate (-1: unplaced) into a Result.
func (p *problem) result(cands []Candidate, sites []Site, siteOf []int32) Result {
	var r Result
	for c, s := range siteOf {
		if s < 0 {
			r.Unassigned = append(r.Unassigned, Unplaced{Candidate: cands[c].ID, Reason: p.reason(c)})
			continue
		}
		d := geo.Distance(point(cands[c].Lat, cands[c].Lon), point(sites[s].Lat, sites[s].Lon))
		r.Assignment = append(r.Assignment, Pair{Candidate: cands[c].ID, Site: sites[s].ID, DistanceKm: d})
		r.TotalKm += d
	}
	return r
}

// reason says why candidate c could be left unplaced.
func (p *problem) reason(c int) string {
	switch p.reach[c] {
	case reachNone:
		return ReasonNoEligibleSite
	case reachTooFar:
		return ReasonTooFar
	default:
		return ReasonNoPlace
	}
}

func point(lat, lon float64) geo.Point { return geo.Point{Lat: lat, Lon: lon} }
