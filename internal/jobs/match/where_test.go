package match

import (
	"fmt"
	"hash/fnv"
	"testing"

	"tremplin/internal/platform/geo"
)

// keepSome keeps the records whose id hashes below a share, in a
// reproducible way: a caller who may see part of the records only.
func keepSome(share uint32) func(string) bool {
	return func(id string) bool {
		h := fnv.New32a()
		h.Write([]byte(id))
		return h.Sum32()%100 < share
	}
}

// A filtered query answers exactly as the filtered brute force: the items
// are the best among the kept records only, and the total counts only them.
func TestFilteredQueriesAgreeWithBruteForce(t *testing.T) {
	var cov coverage
	for seed := range 8 {
		g := newGen(uint64(100+seed), area{50.35, 50.85, 2.0, 2.7}, 3, 3, 3)
		g.clumped = seed%2 == 0
		u := newUniverse(g, g.build(400, 400, 0.1))
		for round := range 3 {
			if round > 0 {
				u.churn(t, 100)
			}
			for q := range 30 {
				keep := keepSome(uint32(10 + (seed*7+q)%80))
				c, o := u.anyCandidate(), u.anyOffer()
				limit := limits[u.g.r.IntN(len(limits))]
				r, edge := u.radius(geo.Point{Lat: c.Lat, Lon: c.Lon}, geo.Point{Lat: o.Lat, Lon: o.Lon})
				got, total, err := u.e.OffersForWhere(c.ID, r, limit, keep)
				want, wantTotal, werr := u.e.BruteOffersForWhere(c.ID, r, limit, keep)
				u.same(t, fmt.Sprintf("OffersForWhere(%s, %v, %d)", c.ID, r, limit), got, total, err, want, wantTotal, werr, &cov, edge)
				for _, m := range got {
					if !keep(m.ID) {
						t.Fatalf("a refused offer %s was answered", m.ID)
					}
				}
				got, total, err = u.e.CandidatesForWhere(o.ID, r, limit, keep)
				want, wantTotal, werr = u.e.BruteCandidatesForWhere(o.ID, r, limit, keep)
				u.same(t, fmt.Sprintf("CandidatesForWhere(%s, %v, %d)", o.ID, r, limit), got, total, err, want, wantTotal, werr, &cov, edge)
				all, allTotal, _ := u.e.CandidatesFor(o.ID, r, limit)
				if total > allTotal || (len(all) > 0 && total == allTotal && len(got) != len(all)) {
					t.Fatalf("a filter that refuses some counts %d of %d", total, allTotal)
				}
			}
		}
	}
	if cov.cut < cov.queries/5 {
		t.Errorf("the random data did not exercise enough cut lists: %+v", cov)
	}
}
