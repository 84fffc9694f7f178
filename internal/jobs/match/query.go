package match

import (
	"math"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
)

// OffersFor returns the open offers within radiusKm of the candidate, best
// first, at most limit of them, and how many there are in all.
func (e *Engine) OffersFor(candidateID string, radiusKm float64, limit int) ([]Match, int, error) {
	return e.offersFor(candidateID, radiusKm, limit, false, nil)
}

// OffersForWhere answers as OffersFor among the offers keep accepts (by
// id): the items and the total count only those, so that a caller who may
// see some offers only still gets exact answers.
func (e *Engine) OffersForWhere(candidateID string, radiusKm float64, limit int, keep func(id string) bool) ([]Match, int, error) {
	return e.offersFor(candidateID, radiusKm, limit, false, keep)
}

// BruteOffersForWhere answers as OffersForWhere by scanning every offer.
func (e *Engine) BruteOffersForWhere(candidateID string, radiusKm float64, limit int, keep func(id string) bool) ([]Match, int, error) {
	return e.offersFor(candidateID, radiusKm, limit, true, keep)
}

// BruteOffersFor answers as OffersFor by scanning every offer: the reference
// of the tests and benchmarks.
func (e *Engine) BruteOffersFor(candidateID string, radiusKm float64, limit int) ([]Match, int, error) {
	return e.offersFor(candidateID, radiusKm, limit, true, nil)
}

// CandidatesFor returns the candidates within radiusKm of the offer, best
// first, at most limit of them, and how many there are in all.
func (e *Engine) CandidatesFor(offerID string, radiusKm float64, limit int) ([]Match, int, error) {
	return e.candidatesFor(offerID, radiusKm, limit, false, nil)
}

// CandidatesForWhere answers as CandidatesFor among the candidates keep
// accepts (by id), items and total alike.
func (e *Engine) CandidatesForWhere(offerID string, radiusKm float64, limit int, keep func(id string) bool) ([]Match, int, error) {
	return e.candidatesFor(offerID, radiusKm, limit, false, keep)
}

// BruteCandidatesForWhere answers as CandidatesForWhere by scanning every candidate.
func (e *Engine) BruteCandidatesForWhere(offerID string, radiusKm float64, limit int, keep func(id string) bool) ([]Match, int, error) {
	return e.candidatesFor(offerID, radiusKm, limit, true, keep)
}

// BruteCandidatesFor answers as CandidatesFor by scanning every candidate:
// the reference of the tests and benchmarks.
func (e *Engine) BruteCandidatesFor(offerID string, radiusKm float64, limit int) ([]Match, int, error) {
	return e.candidatesFor(offerID, radiusKm, limit, true, nil)
}

func (e *Engine) offersFor(id string, radiusKm float64, limit int, brute bool, keep func(string) bool) ([]Match, int, error) {
	if err := checkQuery(radiusKm, limit); err != nil {
		return nil, 0, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	c := e.cands[id]
	if c == nil {
		return nil, 0, errs.Newf(errs.NotFound, "Personne %s absente du rapprochement : elle n'est pas localisée ou n'existe pas.", id)
	}
	s := offerSide{c: c, today: e.today()}
	var top []ranked[*offerEntry]
	var total int
	if brute {
		top, total = scan(s, e.offerList, radiusKm, limit, keep)
	} else {
		r := newRing(c.pt, radiusKm)
		total = e.offerIx.countKept(c.pt, &r, func(o *offerEntry) bool { return s.distance(o.pt) <= radiusKm }, keep)
		sc, _ := e.offerWork.Get().(*scratch[*offerEntry, offerTerms])
		if sc == nil {
			sc = &scratch[*offerEntry, offerTerms]{}
		}
		defer e.offerWork.Put(sc)
		sc.st = e.offerIx.streams(c.keys, sc.st[:0])
		top = search(s, &r, sc.st, limit, sc, keep)
	}
	out := make([]Match, len(top))
	for i, t := range top {
		out[i] = matchOf(c, t.id, t.score, t.dist)
	}
	explainAll(out, s.today, func(i int) (*candEntry, *offerEntry) { return c, top[i].v })
	return out, total, nil
}

func (e *Engine) candidatesFor(id string, radiusKm float64, limit int, brute bool, keep func(string) bool) ([]Match, int, error) {
	if err := checkQuery(radiusKm, limit); err != nil {
		return nil, 0, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	o := e.offers[id]
	if o == nil {
		return nil, 0, errs.Newf(errs.NotFound, "Offre %s absente du rapprochement : elle n'est pas localisée, pas ouverte ou n'existe pas.", id)
	}
	s := candidateSide{o: o, today: e.today()}
	var top []ranked[*candEntry]
	var total int
	if brute {
		top, total = scan(s, e.candList, radiusKm, limit, keep)
	} else {
		r := newRing(o.pt, radiusKm)
		total = e.candIx.countKept(o.pt, &r, func(c *candEntry) bool { return s.distance(c.pt) <= radiusKm }, keep)
		sc, _ := e.candWork.Get().(*scratch[*candEntry, candTerms])
		if sc == nil {
			sc = &scratch[*candEntry, candTerms]{}
		}
		defer e.candWork.Put(sc)
		sc.st = e.candIx.streams(o.keys, sc.st[:0])
		top = search(s, &r, sc.st, limit, sc, keep)
	}
	out := make([]Match, len(top))
	for i, t := range top {
		out[i] = matchOf(t.v, t.id, t.score, t.dist)
	}
	explainAll(out, s.today, func(i int) (*candEntry, *offerEntry) { return top[i].v, o })
	return out, total, nil
}

// scan is the brute force: every item's distance, every score within the radius.
func scan[T comparable, P any, S side[T, P]](s S, all []T, radiusKm float64, k int, keep func(string) bool) ([]ranked[T], int) {
	top := newTopK[T](k)
	total := 0
	for _, v := range all {
		if keep != nil && !keep(s.idOf(v)) {
			continue
		}
		d := s.distance(s.pointOf(v))
		if d > radiusKm {
			continue
		}
		total++
		top.offer(ranked[T]{v: v, score: s.score(v, d), dist: d, id: s.idOf(v)})
	}
	return top.sorted(), total
}

// matchOf builds the answer for one pair but its reasons.
func matchOf(c *candEntry, id string, score, d float64) Match {
	t, _ := c.travel(d)
	return Match{ID: id, DistanceKm: d, TravelMinutes: int(math.Round(t)), Score: score}
}

// offerSide ranks offers for a person.
type offerSide struct {
	c     *candEntry
	today int32
}

func (s offerSide) fitOf(_ *item[*offerEntry], t *offerTerms) fit {
	f, _ := fitOf(s.c.fiches, t.rome)
	return f
}
func (s offerSide) rest(it *item[*offerEntry], t *offerTerms) float64 {
	var o *offerEntry // needed only for labels beyond the masks
	if t.quals.big || t.shifts.big {
		o = it.v
	}
	return rest(&s.c.candTerms, t, s.c, o, s.today)
}
func (s offerSide) travel(_ *offerTerms, d float64) float64 { return s.c.travelPoints(d) }
func (s offerSide) anyTravel(d float64) float64             { return s.c.travelPoints(d) }
func (s offerSide) distance(pt geo.Point) float64           { return geo.Distance(s.c.pt, pt) }
func (s offerSide) pointOf(o *offerEntry) geo.Point         { return o.pt }
func (s offerSide) idOf(o *offerEntry) string               { return o.id }
func (s offerSide) score(o *offerEntry, d float64) float64 {
	f, _ := fitOf(s.c.fiches, o.rome)
	return score(s.c, o, f, d, s.today)
}

// candidateSide ranks candidates for an offer.
type candidateSide struct {
	o     *offerEntry
	today int32
}

func (s candidateSide) fitOf(it *item[*candEntry], t *candTerms) fit {
	if int(t.nFiches) > len(t.first) {
		return termsFit(t, it.v, s.o.rome)
	}
	return termsFit(t, nil, s.o.rome)
}
func (s candidateSide) rest(it *item[*candEntry], t *candTerms) float64 {
	var c *candEntry // needed only for labels beyond the masks
	if t.quals.big || t.excluded.big {
		c = it.v
	}
	return rest(t, &s.o.offerTerms, c, s.o, s.today)
}
func (s candidateSide) travel(t *candTerms, d float64) float64 { return t.travelPoints(d) }
func (s candidateSide) anyTravel(d float64) float64            { return anyone.travelPoints(d) }
func (s candidateSide) distance(pt geo.Point) float64          { return geo.Distance(pt, s.o.pt) }
func (s candidateSide) pointOf(c *candEntry) geo.Point         { return c.pt }
func (s candidateSide) idOf(c *candEntry) string               { return c.id }
func (s candidateSide) score(c *candEntry, d float64) float64 {
	f, _ := fitOf(c.fiches, s.o.rome)
	return score(c, s.o, f, d, s.today)
}
