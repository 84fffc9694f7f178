package assign

import (
	"math"
	"slices"
)

// inf marks a missing edge or an unreached site.
const inf = math.MaxInt64

// flow is the min-cost-flow solver on the graph compressed to the sites (see
// the package documentation).
type flow struct {
	*problem
	siteOf  []int32   // site of each candidate, -1 when unplaced
	members [][]int32 // candidates placed at each site
	// byCost lists, for each site, the candidates allowed there by cost then
	// input order; entry[s] indexes the first of them still unplaced.
	byCost [][]int32
	entry  []int
	// move[s*m+t] is the cheapest cost(c,t) − cost(c,s) over the candidates c
	// placed at s and allowed at t, inf when none; moveBy[s*m+t] is that c.
	move   []int64
	moveBy []int32
	// pot is the Johnson potential of each site and potSink the sink's (the
	// source keeps 0).
	pot     []int64
	potSink int64
	// The last shortest-path search: reduced distance of each site and of
	// the sink, the site each was reached from (-1: the source), by which
	// candidate, and whether it was settled.
	dist     []int64
	toSink   int64
	from     []int32
	fromCand []int32
	settled  []bool
}

// newFlow prepares the solver with every candidate unplaced.
func newFlow(p *problem) *flow {
	f := &flow{
		problem:  p,
		siteOf:   make([]int32, p.n),
		members:  make([][]int32, p.m),
		byCost:   make([][]int32, p.m),
		entry:    make([]int, p.m),
		move:     make([]int64, p.m*p.m),
		moveBy:   make([]int32, p.m*p.m),
		pot:      make([]int64, p.m),
		dist:     make([]int64, p.m),
		from:     make([]int32, p.m),
		fromCand: make([]int32, p.m),
		settled:  make([]bool, p.m),
	}
	for c := range f.siteOf {
		f.siteOf[c] = -1
	}
	for i := range f.move {
		f.move[i], f.moveBy[i] = inf, -1
	}
	for s := range p.m {
		f.byCost[s] = f.sortedCandidates(s)
	}
	return f
}

// sortedCandidates returns the candidates allowed at site s by cost, then
// input order.
func (f *flow) sortedCandidates(s int) []int32 {
	var keys []uint64
	for c := range f.n {
		if cost := f.at(c, s); cost >= 0 {
			keys = append(keys, uint64(cost)<<32|uint64(c))
		}
	}
	slices.Sort(keys)
	list := make([]int32, len(keys))
	for i, k := range keys {
		list[i] = int32(uint32(k))
	}
	return list
}

// at returns the cost of candidate c at site s, -1 when not allowed.
func (f *flow) at(c, s int) int32 { return f.cost[c*f.m+s] }

// run augments along shortest paths until no free place can be reached, and
// returns the site of each candidate.
func (f *flow) run() []int32 {
	free := 0
	for _, c := range f.capacity {
		free += c
	}
	for placed := 0; placed < min(f.n, free); placed++ {
		t := f.shortestPath()
		if t < 0 {
			break
		}
		f.updatePotentials()
		f.augment(t)
	}
	return f.siteOf
}

// entryCost returns the cheapest unplaced candidate allowed at site s and its
// cost, or -1 when none is left.
func (f *flow) entryCost(s int) (int32, int64) {
	list := f.byCost[s]
	for f.entry[s] < len(list) && f.siteOf[list[f.entry[s]]] >= 0 {
		f.entry[s]++
	}
	if f.entry[s] == len(list) {
		return -1, inf
	}
	c := list[f.entry[s]]
	return c, int64(f.at(int(c), s))
}

// shortestPath runs Dijkstra from the source over the sites with reduced
// costs, stopping once the sink (reached from any site with a free place) is
// nearer than every unsettled site. It returns the site with a free place at
// the least distance (the first in input order on a tie), or -1 when none
// can be reached.
func (f *flow) shortestPath() int {
	next := -1
	for s := range f.m {
		c, cost := f.entryCost(s)
		f.dist[s], f.from[s], f.fromCand[s], f.settled[s] = inf, -1, c, false
		if c >= 0 {
			f.dist[s] = cost - f.pot[s]
			if next < 0 || f.dist[s] < f.dist[next] {
				next = s
			}
		}
	}
	f.toSink = inf
	for next >= 0 && f.dist[next] <= f.toSink {
		u := next
		f.settled[u] = true
		if len(f.members[u]) < f.capacity[u] {
			f.toSink = min(f.toSink, f.dist[u]+f.pot[u]-f.potSink)
		}
		next = f.relax(u)
	}
	target := -1
	for s := range f.m {
		if f.settled[s] && len(f.members[s]) < f.capacity[s] &&
			(target < 0 || f.dist[s]+f.pot[s] < f.dist[target]+f.pot[target]) {
			target = s
		}
	}
	return target
}

// relax updates the distances of the sites reachable from settled site u by
// moving one of its members, and returns the closest unsettled site, or -1.
func (f *flow) relax(u int) int {
	moves := f.move[u*f.m : (u+1)*f.m]
	next := -1
	for t, w := range moves {
		if f.settled[t] {
			continue
		}
		if w != inf {
			if d := f.dist[u] + w + f.pot[u] - f.pot[t]; d < f.dist[t] {
				f.dist[t], f.from[t], f.fromCand[t] = d, int32(u), f.moveBy[u*f.m+t]
			}
		}
		if f.dist[t] != inf && (next < 0 || f.dist[t] < f.dist[next]) {
			next = t
		}
	}
	return next
}

// updatePotentials adds the last distances, capped at the sink's, to the
// potentials, which keeps every reduced cost non-negative (sites not settled
// get the sink's distance).
func (f *flow) updatePotentials() {
	for s := range f.m {
		f.pot[s] += min(f.dist[s], f.toSink)
	}
	f.potSink += f.toSink
}

// augment applies the path found to site t: each candidate on it moves one
// site forward, the first one leaving the unplaced.
func (f *flow) augment(t int) {
	type change struct{ c, from, to int32 }
	var path []change
	for v := int32(t); ; {
		c, u := f.fromCand[v], f.from[v]
		path = append(path, change{c, u, v})
		if u < 0 {
			break
		}
		v = u
	}
	for _, ch := range path {
		if ch.from >= 0 {
			f.members[ch.from] = remove(f.members[ch.from], ch.c)
		}
		f.members[ch.to] = append(f.members[ch.to], ch.c)
		f.siteOf[ch.c] = ch.to
	}
	for _, ch := range path {
		if ch.from >= 0 {
			f.recomputeMoves(int(ch.from), ch.c)
		}
		f.addMoves(int(ch.to), ch.c)
	}
}

// remove deletes c from list, keeping the order of the others.
func remove(list []int32, c int32) []int32 {
	i := slices.Index(list, c)
	return slices.Delete(list, i, i+1)
}

// addMoves accounts for candidate c newly placed at site s.
func (f *flow) addMoves(s int, c int32) {
	here := int64(f.at(int(c), s))
	for t := range f.m {
		if cost := f.at(int(c), t); cost >= 0 && t != s {
			f.offerMove(s*f.m+t, int64(cost)-here, c)
		}
	}
}

// offerMove keeps c as the cheapest move of edge i when it is; on a tie the
// last candidate in input order moves, so the first keeps their site.
func (f *flow) offerMove(i int, w int64, c int32) {
	if w < f.move[i] || w == f.move[i] && c > f.moveBy[i] {
		f.move[i], f.moveBy[i] = w, c
	}
}

// recomputeMoves rebuilds the moves out of site s that went through
// candidate c, who has left it.
func (f *flow) recomputeMoves(s int, gone int32) {
	for t := range f.m {
		i := s*f.m + t
		if f.moveBy[i] != gone {
			continue
		}
		f.move[i], f.moveBy[i] = inf, -1
		for _, c := range f.members[s] {
			if cost := f.at(int(c), t); cost >= 0 && t != s {
				f.offerMove(i, int64(cost)-int64(f.at(int(c), s)), c)
			}
		}
	}
}
