package match

import (
	"math"

	"tremplin/internal/platform/geo"
)

// vec3 is a point of the unit sphere in space.
type vec3 struct{ x, y, z float64 }

// toVec places a latitude and longitude on the unit sphere.
func toVec(p geo.Point) vec3 {
	la, lo := p.Lat*math.Pi/180, p.Lon*math.Pi/180
	cl := math.Cos(la)
	return vec3{cl * math.Cos(lo), cl * math.Sin(lo), math.Sin(la)}
}

// dist2 returns the squared chord between a and b.
func dist2(a, b vec3) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	return dx*dx + dy*dy + dz*dz
}

// earthRadiusKm is the radius geo.Distance works with, measured from it so
// that chord thresholds agree with it even if it changes.
var earthRadiusKm = geo.Distance(geo.Point{}, geo.Point{Lon: 1}) * 180 / math.Pi

// chordOf returns the chord of a great-circle arc of d km.
func chordOf(d float64) float64 { return 2 * math.Sin(d/(2*earthRadiusKm)) }

// kmAtLeast returns a distance no greater than geo.Distance gives for any
// two points whose chord is at least ch: an arc is longer than its chord.
func kmAtLeast(ch float64) float64 {
	return max(0, earthRadiusKm*ch*(1-1e-9)-1e-9)
}

// ring is a query's origin and radius. A point whose chord from the origin
// is under lo is within the radius, over hi beyond it; between the two (a
// few centimetres at most), geo.Distance decides. The squares widen the
// band by the rounding of the points kept in float32 (pointSlack).
type ring struct {
	q                vec3
	km               float64
	lo, hi, lo2, hi2 float64
}

// newRing returns the ring of radius km around p.
func newRing(p geo.Point, km float64) ring {
	c := chordOf(km)
	m := c*1e-6 + 1e-10
	lo, hi := max(0, c-m), c+m
	return ring{q: toVec(p), km: km, lo: lo, hi: hi, lo2: sq(max(0, lo-pointSlack)), hi2: sq(hi + pointSlack)}
}

func sq(x float64) float64 { return x * x }

// point is a point of the unit sphere rounded to float32: leaves keep their
// items' points so, which halves the memory a search reads. Rounding moves
// a point by less than pointSlack.
type point [3]float32

// pointSlack bounds how far rounding to float32 moves a unit vector: each
// coordinate by at most 2⁻²⁴, so the point by at most √3 × 2⁻²⁴ < 1.1e-7
// (about 70 cm on the ground).
const pointSlack = 1.1e-7

func pointOf(v vec3) point { return point{float32(v.x), float32(v.y), float32(v.z)} }

// dist2 returns the squared chord between q and p.
func (p point) dist2(q vec3) float64 {
	dx, dy, dz := q.x-float64(p[0]), q.y-float64(p[1]), q.z-float64(p[2])
	return dx*dx + dy*dy + dz*dz
}

// sphere bounds a cell: every point of the cell lies within chord rc of c.
// Both are float32, rc grown by the rounding of c and rounded up.
type sphere struct {
	c  point
	rc float32
}

// sphereOf returns the sphere of centre c and radius rc in float32.
func sphereOf(c vec3, rc float64) sphere {
	s := sphere{c: pointOf(c)}
	r := rc + math.Sqrt(s.c.dist2(c)) + 1e-12
	s.rc = float32(r)
	if float64(s.rc) < r {
		s.rc = math.Nextafter32(s.rc, float32(math.Inf(1)))
	}
	return s
}

// near returns a chord no greater than that from q to any point of the sphere.
func (s sphere) near(q vec3) float64 { return math.Sqrt(s.c.dist2(q)) - float64(s.rc) }

// far returns a chord no smaller than that from q to any point of the sphere.
func (s sphere) far(q vec3) float64 { return math.Sqrt(s.c.dist2(q)) + float64(s.rc) }
