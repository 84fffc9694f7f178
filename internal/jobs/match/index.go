package match

import (
	"slices"

	"tremplin/internal/platform/geo"
)

// index holds one side's trees: all items, and items by fiche, domaine
// professionnel and grand domaine.
type index[T comparable, P any] struct {
	all                   *tree[T, P]
	fiche, domaine, grand map[int32]*tree[T, P]
	counts                grid[T]
}

func newIndex[T comparable, P any]() index[T, P] {
	return index[T, P]{all: &tree[T, P]{leafCap: leafCapAll}, fiche: map[int32]*tree[T, P]{}, domaine: map[int32]*tree[T, P]{}, grand: map[int32]*tree[T, P]{}}
}

// treeKeys are the keys of the trees an item belongs to, each once.
type treeKeys struct {
	fiche, domaine, grand []int32
}

// keysOf returns the tree keys of fiches.
func keysOf(fiches []rome) treeKeys {
	var k treeKeys
	for _, r := range fiches {
		k.fiche = appendNew(k.fiche, int32(r))
		k.domaine = appendNew(k.domaine, r.domaine())
		k.grand = appendNew(k.grand, r.grand())
	}
	return k
}

func appendNew(s []int32, k int32) []int32 {
	if slices.Contains(s, k) {
		return s
	}
	return append(s, k)
}

// add places v at p in the tree of all items and in the trees of keys,
// with its terms.
func (ix *index[T, P]) add(p geo.Point, v T, id string, keys treeKeys, terms P) {
	ix.all.insert(p, v, id, terms)
	ix.counts.insert(p, v)
	for _, set := range []struct {
		m    map[int32]*tree[T, P]
		keys []int32
	}{{ix.fiche, keys.fiche}, {ix.domaine, keys.domaine}, {ix.grand, keys.grand}} {
		for _, k := range set.keys {
			t := set.m[k]
			if t == nil {
				t = &tree[T, P]{leafCap: leafCapROME}
				set.m[k] = t
			}
			t.insert(p, v, id, terms)
		}
	}
}

// remove takes v, placed at p, out of the trees add put it in.
func (ix *index[T, P]) remove(p geo.Point, v T, keys treeKeys) {
	ix.all.remove(p, v)
	ix.counts.remove(p, v)
	for _, set := range []struct {
		m    map[int32]*tree[T, P]
		keys []int32
	}{{ix.fiche, keys.fiche}, {ix.domaine, keys.domaine}, {ix.grand, keys.grand}} {
		for _, k := range set.keys {
			if t := set.m[k]; t != nil {
				t.remove(p, v)
				if len(t.list) == 0 {
					delete(set.m, k)
				}
			}
		}
	}
}

// count counts the items within the ring around p: by the grid, or by the
// tree of all items near a pole or the antimeridian.
func (ix *index[T, P]) count(p geo.Point, r *ring, within func(T) bool) int {
	if n, ok := ix.counts.count(p, r, within); ok {
		return n
	}
	return ix.all.countWithin(r, within)
}

// countKept counts, as count does, the items keep accepts; with a filter
// every item within the ring is looked at, since a cell's count says
// nothing of which of its items are kept.
func (ix *index[T, P]) countKept(p geo.Point, r *ring, within func(T) bool, keep func(string) bool) int {
	if keep == nil {
		return ix.count(p, r, within)
	}
	total := 0
	for _, n := range ix.all.list {
		total += n.countKept(r, n.own, within, keep)
	}
	return total
}

// streams appends to out the trees a search from an origin of tree keys
// keys visits, tier by tier.
func (ix *index[T, P]) streams(keys treeKeys, out []stream[T, P]) []stream[T, P] {
	for _, set := range []struct {
		m    map[int32]*tree[T, P]
		keys []int32
		tier fit
	}{{ix.fiche, keys.fiche, fitFiche}, {ix.domaine, keys.domaine, fitDomaine}, {ix.grand, keys.grand, fitGrand}} {
		for _, k := range set.keys {
			if t := set.m[k]; t != nil {
				out = append(out, stream[T, P]{t: t, tier: set.tier})
			}
		}
	}
	return append(out, stream[T, P]{t: ix.all, tier: fitNone})
}
