package match

import (
	"math"
	"slices"

	"tremplin/internal/platform/geo"
)

// The grid that counts totals: rows of cells 1/64° high and wide (some
// 1.7 × 1.1 km in the north of France) in tiles of 5.625° × 11.25°. Each
// row keeps the running count of its cells and its items' points ordered by
// cell, so that counting the items within a radius reads, for each row the
// circle crosses, two running counts for the cells wholly inside and two
// short runs of points for the cells on its edge, all in a row.
const (
	cellsPerDegree = 64
	tileRows       = cellsPerDegree * 180 / rootRows
	tileCols       = cellsPerDegree * 360 / rootRows
)

// grid is a side's counting grid.
type grid[T comparable] struct {
	tiles map[int]*tile[T]
}

// tile is the part of a grid over a root cell.
type tile[T comparable] struct {
	lat0, lon0 float64
	rows       [tileRows]*gridRow[T]
}

// gridRow is a row of cells: ends[c] counts the items of cells 0 to c, and
// the items of cell c are ps[ends[c-1]:ends[c]] (vs alongside).
type gridRow[T comparable] struct {
	ends [tileCols]int32
	ps   []point
	vs   []T
}

// cellOf returns the tile key, the row and the column of p.
func cellOf(p geo.Point) (key, r, c int, lat0, lon0 float64) {
	key, lat0, _, lon0, _ = rootOf(p)
	r = min(int((p.Lat-lat0)*cellsPerDegree), tileRows-1)
	c = min(int((p.Lon-lon0)*cellsPerDegree), tileCols-1)
	return key, max(r, 0), max(c, 0), lat0, lon0
}

// insert adds v at p.
func (g *grid[T]) insert(p geo.Point, v T) {
	key, r, c, lat0, lon0 := cellOf(p)
	if g.tiles == nil {
		g.tiles = map[int]*tile[T]{}
	}
	t := g.tiles[key]
	if t == nil {
		t = &tile[T]{lat0: lat0, lon0: lon0}
		g.tiles[key] = t
	}
	row := t.rows[r]
	if row == nil {
		row = &gridRow[T]{}
		t.rows[r] = row
	}
	at := row.ends[c]
	row.ps = slices.Insert(row.ps, int(at), pointOf(toVec(p)))
	row.vs = slices.Insert(row.vs, int(at), v)
	for j := c; j < tileCols; j++ {
		row.ends[j]++
	}
}

// remove takes out v, placed at p.
func (g *grid[T]) remove(p geo.Point, v T) {
	key, r, c, _, _ := cellOf(p)
	t := g.tiles[key]
	if t == nil || t.rows[r] == nil {
		return
	}
	row := t.rows[r]
	for i := row.start(c); i < row.ends[c]; i++ {
		if row.vs[i] != v {
			continue
		}
		row.ps = slices.Delete(row.ps, int(i), int(i)+1)
		row.vs = slices.Delete(row.vs, int(i), int(i)+1) // zeroes the freed end
		for j := c; j < tileCols; j++ {
			row.ends[j]--
		}
		if len(row.vs) == 0 {
			t.rows[r] = nil
		}
		return
	}
}

// start returns the index of the first item of cell c.
func (row *gridRow[T]) start(c int) int32 {
	if c == 0 {
		return 0
	}
	return row.ends[c-1]
}

// lonSlack bounds the rounding of the longitudes computed below (radians),
// cellSlack that of placing a point in a row or column (degrees).
const (
	lonSlack  = 1e-7
	cellSlack = 1e-9
)

// count counts the items within the ring around p, or reports false when
// the circle comes near a pole or the antimeridian, which the grid leaves to
// the trees. Cells are judged against a circle a little smaller (to be
// wholly inside) or larger (to be left out) than the ring, by more than
// rounding can shift a point, so that the points judged one by one include
// every point within a hair of the edge.
func (g *grid[T]) count(p geo.Point, r *ring, within func(T) bool) (int, bool) {
	const toRad = math.Pi / 180
	slack := r.km*1e-6 + 1e-9
	in := (r.km-slack)/earthRadiusKm - cellSlack*toRad
	out := (r.km+slack)/earthRadiusKm + cellSlack*toRad
	phi := p.Lat * toRad
	if math.Abs(phi)+out > 80*toRad {
		return 0, false
	}
	halfWidth := math.Asin(math.Min(1, math.Sin(out)/math.Cos(phi))) / toRad // the circle's widest longitude span
	if p.Lon-halfWidth-1 < -180 || p.Lon+halfWidth+1 > 180 {
		return 0, false
	}
	c := newCircle(p, in, out)
	latLo, latHi := p.Lat-out/toRad, p.Lat+out/toRad
	const h, w = 180.0 / rootRows, 360.0 / rootRows
	total := 0
	for tr := int((latLo + 90) / h); tr <= int((latHi+90)/h); tr++ {
		for tc := int((p.Lon - halfWidth + 180) / w); tc <= int((p.Lon+halfWidth+180)/w); tc++ {
			if t := g.tiles[tr*rootRows+tc]; t != nil {
				total += t.count(&c, latLo, latHi, r, within)
			}
		}
	}
	return total, true
}

// circle is the query's circle as the rows need it: the centre, and the
// angular radii of the smaller circle (in) and the larger one (out).
type circle struct {
	phi, sinPhi, cosPhi, lon float64
	in, out, cosIn, cosOut   float64
	peak                     float64 // where the larger circle is widest
	peakWidth                float64 // and its half-width there
}

func newCircle(p geo.Point, in, out float64) circle {
	phi := p.Lat * math.Pi / 180
	c := circle{phi: phi, sinPhi: math.Sin(phi), cosPhi: math.Cos(phi), lon: p.Lon,
		in: in, out: out, cosIn: math.Cos(in), cosOut: math.Cos(out)}
	// The half-width grows up to the latitude whose sine is sin φ / cos θ,
	// then shrinks.
	c.peak = math.Asin(math.Max(-1, math.Min(1, c.sinPhi/c.cosOut)))
	c.peakWidth, _ = c.halfWidth(math.Sin(c.peak), math.Cos(c.peak), c.cosOut)
	return c
}

// halfWidth returns the half-width in longitude (radians) at the latitude of
// sine sin and cosine cos of the circle whose angular radius has cosine
// cosTheta, and false where the circle does not reach that latitude.
func (c *circle) halfWidth(sin, cos, cosTheta float64) (float64, bool) {
	f := (cosTheta - c.sinPhi*sin) / (c.cosPhi * cos)
	if f > 1 {
		return 0, false
	}
	return math.Acos(math.Max(-1, f)), true
}

// edge is a latitude between rows, with both circles' half-widths there.
type edge struct {
	lat            float64 // radians
	wIn, wOut      float64
	okIn, reachOut bool
}

func (c *circle) edge(lat float64) edge {
	sin, cos := math.Sincos(lat)
	e := edge{lat: lat}
	e.wIn, e.okIn = c.halfWidth(sin, cos, c.cosIn)
	e.okIn = e.okIn && lat >= c.phi-c.in && lat <= c.phi+c.in
	e.wOut, e.reachOut = c.halfWidth(sin, cos, c.cosOut)
	return e
}

// count counts the items of the tile's rows between latitudes latLo and
// latHi (degrees) within the ring.
func (t *tile[T]) count(c *circle, latLo, latHi float64, r *ring, within func(T) bool) int {
	const toRad = math.Pi / 180
	first := max(0, int(math.Floor((latLo-t.lat0)*cellsPerDegree)))
	last := min(tileRows-1, int(math.Floor((latHi-t.lat0)*cellsPerDegree)))
	total := 0
	var bottom edge
	for rr := first; rr <= last; rr++ {
		if t.rows[rr] == nil {
			continue
		}
		if rr == first || bottom.lat != (t.lat0+float64(rr)/cellsPerDegree)*toRad {
			bottom = c.edge((t.lat0 + float64(rr)/cellsPerDegree) * toRad)
		}
		top := c.edge((t.lat0 + float64(rr+1)/cellsPerDegree) * toRad)
		total += t.countRow(rr, c, &bottom, &top, r, within)
		bottom = top
	}
	return total
}

// countRow counts the items of row rr, between the edges bottom and top,
// within the ring: the cells wholly within the smaller circle by their
// running counts, the points of the cells the larger circle reaches one by
// one.
func (t *tile[T]) countRow(rr int, c *circle, bottom, top *edge, r *ring, within func(T) bool) int {
	const toDeg = 180 / math.Pi
	row := t.rows[rr]
	wOut, ok := c.widest(bottom, top)
	if !ok {
		return 0
	}
	wOut = (wOut+lonSlack)*toDeg + cellSlack
	lo := max(0, int(math.Floor((c.lon-wOut-t.lon0)*cellsPerDegree)))
	hi := min(tileCols-1, int(math.Floor((c.lon+wOut-t.lon0)*cellsPerDegree)))
	if lo > hi {
		return 0
	}
	inLo, inHi := hi+1, hi       // the cells wholly inside, none by default
	if bottom.okIn && top.okIn { // the smaller circle spans the row: narrowest at an edge
		wIn := (min(bottom.wIn, top.wIn)-lonSlack)*toDeg - cellSlack
		inLo = max(lo, int(math.Ceil((c.lon-wIn-t.lon0)*cellsPerDegree)))
		inHi = min(hi, int(math.Floor((c.lon+wIn-t.lon0)*cellsPerDegree))-1)
	}
	if inLo > inHi {
		return row.countPoints(row.start(lo), row.ends[hi], r, within)
	}
	return int(row.ends[inHi]-row.start(inLo)) +
		row.countPoints(row.start(lo), row.start(inLo), r, within) +
		row.countPoints(row.ends[inHi], row.ends[hi], r, within)
}

// widest returns the largest half-width of the larger circle between two
// edges, and false when it does not reach the row: at the peak latitude
// brought within the row and the circle's extent, where the half-width is
// the peak's or an edge's.
func (c *circle) widest(bottom, top *edge) (float64, bool) {
	a, b := max(bottom.lat, c.phi-c.out), min(top.lat, c.phi+c.out)
	switch {
	case a > b:
		return 0, false
	case c.peak >= a && c.peak <= b:
		return c.peakWidth, true
	case c.peak < a && a == bottom.lat:
		return bottom.wOut, true // zero if out of reach by rounding
	case c.peak > b && b == top.lat:
		return top.wOut, true
	}
	return c.peakWidth, true // not reached but by rounding: the widest of all
}

// countPoints counts the items i to j of the row within the ring.
func (row *gridRow[T]) countPoints(i, j int32, r *ring, within func(T) bool) int {
	k := 0
	for x := i; x < j; x++ {
		d2 := row.ps[x].dist2(r.q)
		if d2 < r.lo2 || d2 <= r.hi2 && within(row.vs[x]) {
			k++
		}
	}
	return k
}
