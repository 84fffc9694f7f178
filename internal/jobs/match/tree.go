package match

import (
	"math"

	"tremplin/internal/platform/geo"
)

// Shape of the trees.
const (
	// rootRows cut latitude into rows of 5.625° and longitude into columns
	// of 11.25°, small enough for the bounding spheres below to hold.
	rootRows = 32
	// maxDepth stops splitting cells of a few centimetres: many items at the
	// very same point share one leaf.
	maxDepth = 26
)

// Leaf sizes: the trees by ROME code have large leaves, as scanning a
// leaf's points in a row costs less than reaching more cells; the tree of
// all items, which counts totals near the poles and the antimeridian, has
// small ones, so that few points lie in the leaves a radius crosses.
const (
	leafCapROME = 64
	leafCapAll  = pinned
)

// node is a latitude-longitude cell of a tree, which counts the items
// beneath it. An inner cell keeps its quarters' spheres and counts next to
// the pointers to them, so that a search judges four quarters reading one
// or two cache lines; a leaf keeps its items' points apart from the rest of
// them, which a search reads only for the points within reach.
type node[T comparable, P any] struct {
	ks    [4]sphere
	kn    [4]int32
	kids  [4]*node[T, P]
	inner bool
	ps    []point // in pin while it fits
	ts    []P
	items []item[T]
	pin   [pinned]point
	// cold: what updates need
	own                    sphere // for a root
	lat0, lat1, lon0, lon1 float64
	depth                  int32
	count                  int32
	cap                    int32 // the items a leaf holds before it splits
}

// pinned is the number of points a leaf keeps within the node itself, next
// to its header: the leaves of the trees of all items never need more.
const pinned = 16

// item is an offer or a candidate in a leaf: its value, identifier and
// position; its terms are kept apart.
type item[T comparable] struct {
	v  T
	id string
	pt geo.Point
}

// newNode returns an empty cell. Within a cell smaller than a quarter of the
// sphere, the point farthest from the centre of its latitude and longitude
// ranges is a corner: for a given latitude the distance grows with the
// difference in longitude, and along a meridian the cosine of the distance is
// a positive piece of a sine, so it is smallest at an end.
func newNode[T comparable, P any](lat0, lat1, lon0, lon1 float64, depth, cap int32) *node[T, P] {
	n := &node[T, P]{lat0: lat0, lat1: lat1, lon0: lon0, lon1: lon1, depth: depth, cap: cap}
	c := toVec(geo.Point{Lat: (lat0 + lat1) / 2, Lon: (lon0 + lon1) / 2})
	rc := 0.0
	for _, la := range [2]float64{lat0, lat1} {
		for _, lo := range [2]float64{lon0, lon1} {
			rc = max(rc, math.Sqrt(dist2(c, toVec(geo.Point{Lat: la, Lon: lo}))))
		}
	}
	n.own = sphereOf(c, rc*(1+1e-9)+1e-12)
	return n
}

// kid returns the index of the quarter of n holding p.
func (n *node[T, P]) kid(p geo.Point) int {
	i := 0
	if p.Lat >= (n.lat0+n.lat1)/2 {
		i |= 2
	}
	if p.Lon >= (n.lon0+n.lon1)/2 {
		i |= 1
	}
	return i
}

// kidNode returns the quarter i of n, created when missing.
func (n *node[T, P]) kidNode(i int) *node[T, P] {
	if k := n.kids[i]; k != nil {
		return k
	}
	lat0, lat1, lon0, lon1 := n.lat0, n.lat1, n.lon0, n.lon1
	if i&2 != 0 {
		lat0 = (n.lat0 + n.lat1) / 2
	} else {
		lat1 = (n.lat0 + n.lat1) / 2
	}
	if i&1 != 0 {
		lon0 = (n.lon0 + n.lon1) / 2
	} else {
		lon1 = (n.lon0 + n.lon1) / 2
	}
	k := newNode[T, P](lat0, lat1, lon0, lon1, n.depth+1, n.cap)
	n.kids[i], n.ks[i] = k, k.own
	return k
}

// add appends an item to a leaf.
func (n *node[T, P]) add(it item[T], t P) {
	if n.ps == nil {
		n.ps = n.pin[:0]
	}
	n.ps = append(n.ps, pointOf(toVec(it.pt)))
	n.ts = append(n.ts, t)
	n.items = append(n.items, it)
}

// split turns a full leaf into a cell of four quarters.
func (n *node[T, P]) split() {
	items, ts := n.items, n.ts
	n.inner, n.ps, n.ts, n.items = true, nil, nil, nil
	for j, it := range items {
		i := n.kid(it.pt)
		k := n.kidNode(i)
		k.count++
		n.kn[i]++
		k.add(it, ts[j])
	}
	for _, k := range n.kids {
		if k != nil && len(k.items) > int(k.cap) && k.depth < maxDepth {
			k.split()
		}
	}
}

// collapse turns a cell back into a leaf holding all its items.
func (n *node[T, P]) collapse() {
	leaf := &node[T, P]{}
	n.gather(leaf)
	n.inner, n.kids, n.kn = false, [4]*node[T, P]{}, [4]int32{}
	n.ps, n.ts, n.items = nil, nil, nil
	for i, it := range leaf.items {
		n.add(it, leaf.ts[i])
	}
}

func (n *node[T, P]) gather(into *node[T, P]) {
	if !n.inner {
		into.ts, into.items = append(into.ts, n.ts...), append(into.items, n.items...)
		return
	}
	for _, k := range n.kids {
		if k != nil {
			k.gather(into)
		}
	}
}

// tree is a spherical quadtree: root cells by latitude and longitude, each
// split into quarters while its leaves overflow.
type tree[T comparable, P any] struct {
	roots map[int]*node[T, P]
	// list holds, for each root in rootList, the cell where searches start:
	// the highest below it that is a leaf or has more than one quarter, as
	// items often lie in a small part of a root cell.
	list     []*node[T, P]
	rootList []*node[T, P]
	leafCap  int32
}

// refresh sets where searches start below root.
func (t *tree[T, P]) refresh(root *node[T, P]) {
	start := root
	for start.inner {
		var only *node[T, P]
		for _, k := range start.kids {
			if k != nil {
				if only != nil {
					only = nil
					break
				}
				only = k
			}
		}
		if only == nil {
			break
		}
		start = only
	}
	for i, r := range t.rootList {
		if r == root {
			t.list[i] = start
			return
		}
	}
}

// rootOf returns the key of the root cell holding p and its ranges.
func rootOf(p geo.Point) (key int, lat0, lat1, lon0, lon1 float64) {
	const h, w = 180.0 / rootRows, 360.0 / rootRows
	r := min(int((p.Lat+90)/h), rootRows-1)
	c := min(int((p.Lon+180)/w), rootRows-1)
	return r*rootRows + c, -90 + float64(r)*h, -90 + float64(r+1)*h, -180 + float64(c)*w, -180 + float64(c+1)*w
}

// insert adds v, of identifier id, placed at pt, with its terms.
func (t *tree[T, P]) insert(pt geo.Point, v T, id string, terms P) {
	key, lat0, lat1, lon0, lon1 := rootOf(pt)
	if t.roots == nil {
		t.roots = map[int]*node[T, P]{}
	}
	n := t.roots[key]
	if n == nil {
		n = newNode[T, P](lat0, lat1, lon0, lon1, 0, t.leafCap)
		t.roots[key] = n
		t.list, t.rootList = append(t.list, n), append(t.rootList, n)
	}
	root := n
	for {
		n.count++
		if !n.inner {
			n.add(item[T]{v: v, id: id, pt: pt}, terms)
			if len(n.items) > int(n.cap) && n.depth < maxDepth {
				n.split()
			}
			t.refresh(root)
			return
		}
		i := n.kid(pt)
		k := n.kidNode(i)
		n.kn[i]++
		n = k
	}
}

// remove takes out the item v placed at pt, reporting whether it was there.
// Cells left with few items collapse back into leaves, empty ones go.
func (t *tree[T, P]) remove(pt geo.Point, v T) bool {
	key, _, _, _, _ := rootOf(pt)
	root := t.roots[key]
	if root == nil || !root.removeFromLeaf(pt, v) {
		return false
	}
	for n := root; ; {
		n.count--
		if !n.inner {
			break
		}
		if n.count <= n.cap/2 {
			n.collapse()
			break
		}
		i := n.kid(pt)
		if n.kn[i]--; n.kn[i] == 0 {
			n.kids[i] = nil
			break
		}
		n = n.kids[i]
	}
	if root.count > 0 {
		t.refresh(root)
		return true
	}
	delete(t.roots, key)
	for i, r := range t.rootList {
		if r == root {
			last := len(t.list) - 1
			t.list[i], t.rootList[i] = t.list[last], t.rootList[last]
			t.list, t.rootList = t.list[:last], t.rootList[:last]
			break
		}
	}
	return true
}

// removeFromLeaf deletes v from the leaf holding pt, without touching counts.
func (n *node[T, P]) removeFromLeaf(pt geo.Point, v T) bool {
	for n.inner {
		if n = n.kids[n.kid(pt)]; n == nil {
			return false
		}
	}
	for i := range n.items {
		if n.items[i].v == v {
			last := len(n.items) - 1
			n.ps[i], n.ts[i], n.items[i] = n.ps[last], n.ts[last], n.items[last]
			var zero P
			n.ts[last], n.items[last] = zero, item[T]{}
			n.ps, n.ts, n.items = n.ps[:last], n.ts[:last], n.items[:last]
			return true
		}
	}
	return false
}

// countWithin counts the items within the ring; within decides the few
// within a hair of its edge.
func (t *tree[T, P]) countWithin(r *ring, within func(T) bool) int {
	total := 0
	for _, n := range t.list {
		total += n.countBelow(r, n.own, n.count, within)
	}
	return total
}

// countKept counts the items of n, bounded by s, within the ring that keep accepts.
func (n *node[T, P]) countKept(r *ring, s sphere, within func(T) bool, keep func(string) bool) int {
	if s.near(r.q) > r.hi {
		return 0
	}
	if !n.inner {
		k := 0
		for i, p := range n.ps {
			d2 := p.dist2(r.q)
			if (d2 < r.lo2 || d2 <= r.hi2 && within(n.items[i].v)) && keep(n.items[i].id) {
				k++
			}
		}
		return k
	}
	k := 0
	for i, kid := range n.kids {
		if kid != nil {
			k += kid.countKept(r, n.ks[i], within, keep)
		}
	}
	return k
}

// countBelow counts the items of n, bounded by s, within the ring.
func (n *node[T, P]) countBelow(r *ring, s sphere, count int32, within func(T) bool) int {
	switch {
	case s.near(r.q) > r.hi:
		return 0
	case s.far(r.q) < r.lo:
		return int(count)
	case !n.inner:
		k := 0
		for i, p := range n.ps {
			d2 := p.dist2(r.q)
			if d2 < r.lo2 || d2 <= r.hi2 && within(n.items[i].v) {
				k++
			}
		}
		return k
	}
	k := 0
	for i, kid := range n.kids {
		if kid != nil {
			k += kid.countBelow(r, n.ks[i], n.kn[i], within)
		}
	}
	return k
}
