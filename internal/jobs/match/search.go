package match

import (
	"math"
	"slices"

	"tremplin/internal/platform/geo"
)

// side is what a search needs to know of the items it ranks against its
// origin: offers against a person, or candidates against an offer.
type side[T comparable, P any] interface {
	// fitOf returns the ROME fit of the item it, whose terms are t, with the
	// origin; it reads the item only when the terms do not tell.
	fitOf(it *item[T], t *P) fit
	// rest returns the parts of the score of the item it, whose terms are t,
	// that do not depend on distance; it reads the item only when the terms
	// do not tell.
	rest(it *item[T], t *P) float64
	// travel returns the travel points of an item of terms t at d km, which
	// never grow with d.
	travel(t *P, d float64) float64
	// anyTravel bounds the travel points of any item at d km or more.
	anyTravel(d float64) float64
	// distance returns geo.Distance between an item at pt and the origin,
	// the person first.
	distance(pt geo.Point) float64
	// pointOf returns where v is.
	pointOf(v T) geo.Point
	// idOf returns v's identifier.
	idOf(v T) string
	// score returns v's score at d km, as the brute force computes it.
	score(v T, d float64) float64
}

// stream is a tree a search visits for the items of one ROME fit.
type stream[T comparable, P any] struct {
	t    *tree[T, P]
	tier fit
}

// ranked is an item with its score and distance.
type ranked[T comparable] struct {
	v     T
	score float64
	dist  float64
	id    string
}

// better is the order of results: score descending, then distance
// ascending, then identifier ascending.
func better[T comparable](a, b *ranked[T]) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return a.id < b.id
}

// topK keeps the k best items, the worst at the top of a heap.
type topK[T comparable] struct {
	k int
	h []ranked[T]
}

func newTopK[T comparable](k int) *topK[T] {
	return &topK[T]{k: k, h: make([]ranked[T], 0, min(k, 64))}
}

// beaten reports whether no item scoring at most ub and at dMin km or more
// can enter the top any more.
func (t *topK[T]) beaten(ub, dMin float64) bool {
	if len(t.h) < t.k {
		return false
	}
	w := &t.h[0]
	return ub < w.score || ub == w.score && dMin > w.dist
}

// beatenAt reports whether no item of fit f whose travel points are at
// most travel, at dMin km or more, can enter the top any more. The sum
// without rounding settles most cases: rounding adds at most 0.05.
func (t *topK[T]) beatenAt(f fit, travel, dMin float64) bool {
	if len(t.h) < t.k {
		return false
	}
	if fitPoints(f)+maxRest+travel+0.1 < t.h[0].score {
		return true
	}
	return t.beaten(scoreBound(f, travel), dMin)
}

// offer keeps r if it is among the k best seen.
func (t *topK[T]) offer(r ranked[T]) {
	if len(t.h) < t.k {
		t.h = append(t.h, r)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !better(&t.h[p], &t.h[i]) {
				break
			}
			t.h[p], t.h[i] = t.h[i], t.h[p]
			i = p
		}
		return
	}
	if !better(&r, &t.h[0]) {
		return
	}
	t.h[0] = r
	for i := 0; ; {
		w, l, rr := i, 2*i+1, 2*i+2
		if l < len(t.h) && better(&t.h[w], &t.h[l]) {
			w = l
		}
		if rr < len(t.h) && better(&t.h[w], &t.h[rr]) {
			w = rr
		}
		if w == i {
			return
		}
		t.h[w], t.h[i] = t.h[i], t.h[w]
		i = w
	}
}

// sorted returns the items kept, best first.
func (t *topK[T]) sorted() []ranked[T] {
	slices.SortFunc(t.h, func(a, b ranked[T]) int {
		if better(&a, &b) {
			return -1
		}
		return 1
	})
	return t.h
}

// scratch is the memory a search works in, kept from one search to the next.
type scratch[T comparable, P any] struct {
	q  queue[T, P]
	h  []ranked[T]
	st []stream[T, P]
}

// queued is a cell, or an item of a leaf, waiting in a search with the best
// score it (or any of its items) could get and its smallest distance.
type queued[T comparable, P any] struct {
	n     *node[T, P]
	i     int32 // the item's index in leaf n, -1 for the cell itself
	tier  fit
	exact bool // dMin is the item's exact distance
	ub    float64
	dMin  float64
	rest  float64 // an item's score parts that do not depend on distance
}

// queue is a max-heap by bound; among equal bounds the nearest comes first.
type queue[T comparable, P any] []queued[T, P]

func (q queue[T, P]) before(a, b int) bool {
	return q[a].ub > q[b].ub || q[a].ub == q[b].ub && q[a].dMin < q[b].dMin
}

func (q *queue[T, P]) push(e queued[T, P]) {
	*q = append(*q, e)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.before(i, p) {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (q *queue[T, P]) pop() queued[T, P] {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		w, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h.before(l, w) {
			w = l
		}
		if r < len(h) && h.before(r, w) {
			w = r
		}
		if w == i {
			break
		}
		h[w], h[i] = h[i], h[w]
		i = w
	}
	*q = h
	return top
}

// search returns the k best items within the ring. Cells and items wait in
// one queue by the best score they could get: a cell's bound takes its
// tier's points, the travel points at its smallest distance and full
// requirements and availability; an item's takes its own parts, the travel
// points at the distance its chord guarantees. The search takes the best
// bound first, opens cells, computes exact distances and scores of items,
// and stops when the best bound left cannot beat the k-th item found.
//
// keep, when not nil, leaves out the items it refuses (by id).
func search[T comparable, P any, S side[T, P]](s S, r *ring, streams []stream[T, P], k int, sc *scratch[T, P], keep func(string) bool) []ranked[T] {
	top := &topK[T]{k: k, h: sc.h[:0]}
	q := sc.q[:0]
	defer func() { sc.q, sc.h = q, top.h }()
	for _, st := range streams {
		for _, n := range st.t.list {
			enqueueCell(s, r, top, &q, n, n.own, st.tier)
		}
	}
	for len(q) > 0 {
		e := q.pop()
		if top.beaten(e.ub, e.dMin) {
			if e.ub < top.h[0].score {
				break // every bound left is lower
			}
			continue
		}
		n := e.n
		switch {
		case e.i >= 0:
			it := &n.items[e.i]
			d := e.dMin
			if !e.exact {
				d = s.distance(it.pt)
			}
			got := total(fitPoints(e.tier), e.rest, s.travel(&n.ts[e.i], d))
			top.offer(ranked[T]{v: it.v, score: got, dist: d, id: it.id})
		case !n.inner:
			enqueueItems(s, r, top, &q, n, e.tier, keep)
		default:
			for i, kid := range n.kids {
				if kid != nil {
					enqueueCell(s, r, top, &q, kid, n.ks[i], e.tier)
				}
			}
		}
	}
	return top.sorted()
}

// enqueueCell queues cell n, bounded by sp, unless it lies beyond the ring
// or cannot beat the top.
func enqueueCell[T comparable, P any, S side[T, P]](s S, r *ring, top *topK[T], q *queue[T, P], n *node[T, P], sp sphere, tier fit) {
	lb := sp.near(r.q)
	if lb > r.hi {
		return
	}
	dMin := kmAtLeast(lb)
	ub := scoreBound(tier, s.anyTravel(dMin))
	if !top.beaten(ub, dMin) {
		q.push(queued[T, P]{n: n, i: -1, tier: tier, ub: ub, dMin: dMin})
	}
}

// enqueueItems queues the items of leaf n that lie within the ring, have
// the stream's fit and could beat the top.
func enqueueItems[T comparable, P any, S side[T, P]](s S, r *ring, top *topK[T], q *queue[T, P], n *node[T, P], tier fit, keep func(string) bool) {
	for i, p := range n.ps {
		if keep != nil && !keep(n.items[i].id) {
			continue
		}
		d2 := p.dist2(r.q)
		if d2 > r.hi2 {
			continue
		}
		// first what the point alone tells, so as to read no more of most items
		dMin := kmAtLeast(math.Sqrt(d2) - pointSlack)
		if top.beatenAt(tier, s.anyTravel(dMin), dMin) {
			continue
		}
		t := &n.ts[i]
		if tier != fitFiche && s.fitOf(&n.items[i], t) != tier { // a fiche's tree holds that fiche only
			continue
		}
		e := queued[T, P]{n: n, i: int32(i), tier: tier, dMin: dMin}
		if d2 >= r.lo2 { // a hair from the edge: geo.Distance decides
			if e.dMin = s.distance(n.items[i].pt); e.dMin > r.km {
				continue
			}
			e.exact = true
		}
		travel := s.travel(t, e.dMin)
		if top.beatenAt(tier, travel, e.dMin) {
			continue
		}
		e.rest = s.rest(&n.items[i], t)
		e.ub = total(fitPoints(tier), e.rest, travel)
		if !top.beaten(e.ub, e.dMin) {
			q.push(e)
		}
	}
}
