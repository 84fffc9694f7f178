package match

import (
	"math"
	"math/bits"
	"slices"
	"time"
	"tremplin/internal/platform/geo"
)

// offerEntry is an offer as the index keeps it: validated and normalised.
type offerEntry struct {
	id string
	pt geo.Point
	offerTerms
	qualSet, shiftSet labelSet
	keys              treeKeys
	texts             offerTexts
	pos               int // position in Engine.offerList
}

// offerTerms is what an offer's score depends on besides its place. The
// trees' leaves keep a copy, so that searches score without reaching the entry.
type offerTerms struct {
	rome     rome
	minutes  int32
	startDay int32 // civil day number, noDay for as soon as possible
	licence  bool
	vehicle  bool
	quals    labelMask
	shifts   labelMask
}

// candEntry is a candidate as the index keeps it: validated and normalised.
type candEntry struct {
	id     string
	pt     geo.Point
	fiches []rome // distinct
	candTerms
	qualSet, excludedSet labelSet
	keys                 treeKeys
	beyondRadius         string // the reason given beyond the mobility radius
	pos                  int    // position in Engine.candList
}

// candTerms is what a candidate's score depends on besides their place;
// the trees' leaves keep a copy, as for offers.
type candTerms struct {
	first    [3]rome // the first fiches, enough for most people
	nFiches  int32
	radiusKm float64
	kDirect  float64 // minutes per km of the fastest means without access time
	direct   means   // that means, byNone for none
	transit  bool    // public transport is a means
	noMeans  bool    // means were unknown: public transport assumed
	licence  bool
	vehicle  bool
	availDay int32 // civil day number, noDay for now
	minMin   int32
	minMax   int32
	quals    labelMask
	excluded labelMask
}

// setFiches records the candidate's distinct fiches.
func (c *candEntry) setFiches(fiches []rome) {
	c.fiches, c.nFiches = fiches, int32(len(fiches))
	copy(c.first[:], fiches)
}

// means is a Means as the terms keep it.
type means uint8

// The means, from none.
const (
	byNone means = iota
	byCar
	byTransit
	byBike
	byFoot
)

// meansOf returns the means m names.
func meansOf(m Means) means {
	switch m {
	case Car:
		return byCar
	case Transit:
		return byTransit
	case Bike:
		return byBike
	case Foot:
		return byFoot
	}
	return byNone
}

// label is a free-text value (qualification, shift) compared by its interned key.
type label struct {
	key  int32
	text string
}

// labelMask is what scoring needs of a set of labels: the keys under 64 as
// bits, the size, and whether other keys are in the set. It holds no
// pointer, so that the terms kept in the trees' leaves cost the garbage
// collector nothing.
type labelMask struct {
	mask uint64
	n    int32
	big  bool // some key is 64 or more
}

// labelSet is a set of labels: its mask and its list.
type labelSet struct {
	labelMask
	list []label
}

// add puts l in the set, unless its key is there already.
func (s *labelSet) add(l label) {
	if s.has(l.key) {
		return
	}
	s.list = append(s.list, l)
	s.n++
	if l.key < 64 {
		s.mask |= 1 << l.key
	} else {
		s.big = true
	}
}

// has reports whether the set holds key.
func (s labelSet) has(key int32) bool {
	if key < 64 {
		return s.mask&(1<<key) != 0
	}
	return s.big && slices.ContainsFunc(s.list, func(l label) bool { return l.key == key })
}

// countHeld returns how many labels of want are in have.
func countHeld(want, have labelSet) int {
	n := bits.OnesCount64(want.mask & have.mask)
	if want.big && have.big {
		for _, l := range want.list {
			if l.key >= 64 && have.has(l.key) {
				n++
			}
		}
	}
	return n
}

// held returns how many labels of the set whose mask is want are in the set
// whose mask is have, or false when both hold keys beyond the masks and only
// the sets themselves can tell.
func held(want, have labelMask) (int, bool) {
	return bits.OnesCount64(want.mask & have.mask), !(want.big && have.big)
}

// noDay marks an unknown date, which counts as today.
const noDay = math.MinInt32

// dayOf returns the civil day number of t's date, noDay for the zero time.
func dayOf(t time.Time) int32 {
	if t.IsZero() {
		return noDay
	}
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
