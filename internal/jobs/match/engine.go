package match

import (
	"slices"
	"strings"
	"sync"
	"time"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
)

// Engine holds the open offers and the candidates in memory with their
// spatial indexes, and answers matching queries. It is safe for concurrent use.
type Engine struct {
	mu        sync.RWMutex
	now       func() time.Time
	offers    map[string]*offerEntry
	offerList []*offerEntry
	cands     map[string]*candEntry
	candList  []*candEntry
	offerIx   index[*offerEntry, offerTerms]
	candIx    index[*candEntry, candTerms]
	keys      map[string]int32 // interned qualifications and shifts
	// offerWork and candWork hold *scratch values for searches of each side.
	offerWork, candWork sync.Pool
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the clock giving today's date, time.Now by default.
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// NewEngine returns an empty engine.
func NewEngine(opts ...Option) *Engine {
	e := &Engine{
		now:     time.Now,
		offers:  map[string]*offerEntry{},
		cands:   map[string]*candEntry{},
		offerIx: newIndex[*offerEntry, offerTerms](),
		candIx:  newIndex[*candEntry, candTerms](),
		keys:    map[string]int32{},
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// UpsertOffer adds an open offer or replaces the one with the same ID
// (moving it if its place changed). Unknown or invalid coordinates are
// refused: the caller reports such offers as not locatable.
func (e *Engine) UpsertOffer(o Offer) error {
	if err := checkID("Offre", o.ID); err != nil {
		return err
	}
	if err := checkPoint("Offre", o.ID, o.Lat, o.Lon); err != nil {
		return err
	}
	r, err := parseROME("Offre", o.ID, o.ROME)
	if err != nil {
		return err
	}
	if o.WeeklyMinutes < 0 || o.WeeklyMinutes > 7*24*60 {
		return errs.Newf(errs.Invalid, "Offre %s : durée hebdomadaire invalide.", o.ID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	en := &offerEntry{id: o.ID, pt: geo.Point{Lat: o.Lat, Lon: o.Lon}, offerTerms: offerTerms{
		rome: r, minutes: int32(o.WeeklyMinutes), startDay: dayOf(o.Start), licence: o.NeedsLicence, vehicle: o.NeedsVehicle,
	}, qualSet: e.labels(o.Qualifications), shiftSet: e.labels(o.Shifts)}
	en.quals, en.shifts = en.qualSet.labelMask, en.shiftSet.labelMask
	en.texts, en.keys = textsOf(en), keysOf([]rome{r})
	if old := e.offers[o.ID]; old != nil {
		e.offerIx.remove(old.pt, old, old.keys)
		en.pos = old.pos
		e.offerList[en.pos] = en
	} else {
		en.pos = len(e.offerList)
		e.offerList = append(e.offerList, en)
	}
	e.offers[o.ID] = en
	e.offerIx.add(en.pt, en, en.id, en.keys, en.offerTerms)
	return nil
}

// RemoveOffer takes an offer out (filled, closed or deleted); an unknown ID is ignored.
func (e *Engine) RemoveOffer(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.offers[id]
	if old == nil {
		return
	}
	e.offerIx.remove(old.pt, old, old.keys)
	delete(e.offers, id)
	last := e.offerList[len(e.offerList)-1]
	e.offerList[old.pos], last.pos = last, old.pos
	e.offerList = e.offerList[:len(e.offerList)-1]
}

// UpsertCandidate adds a candidate or replaces the one with the same ID
// (moving them if their place changed). Unknown or invalid coordinates are
// refused: the caller reports such people as not locatable.
func (e *Engine) UpsertCandidate(c Candidate) error {
	en, err := e.candidateEntry(c)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	en.qualSet, en.excludedSet = e.labels(c.Qualifications), e.labels(c.ExcludedShifts)
	en.quals, en.excluded = en.qualSet.labelMask, en.excludedSet.labelMask
	if en.radiusKm > 0 {
		en.beyondRadius = beyondRadius(en)
	}
	if old := e.cands[c.ID]; old != nil {
		e.candIx.remove(old.pt, old, old.keys)
		en.pos = old.pos
		e.candList[en.pos] = en
	} else {
		en.pos = len(e.candList)
		e.candList = append(e.candList, en)
	}
	e.cands[c.ID] = en
	e.candIx.add(en.pt, en, en.id, en.keys, en.candTerms)
	return nil
}

// candidateEntry validates c and returns its entry, labels not yet interned.
func (e *Engine) candidateEntry(c Candidate) (*candEntry, error) {
	if err := checkID("Personne", c.ID); err != nil {
		return nil, err
	}
	if err := checkPoint("Personne", c.ID, c.Lat, c.Lon); err != nil {
		return nil, err
	}
	en := &candEntry{id: c.ID, pt: geo.Point{Lat: c.Lat, Lon: c.Lon}, candTerms: candTerms{
		radiusKm: c.RadiusKm, availDay: dayOf(c.AvailableFrom), minMin: int32(c.MinutesMin),
		minMax: int32(c.MinutesMax), licence: c.Licence, vehicle: c.Vehicle,
	}}
	var fiches []rome
	for _, s := range c.ROMEs {
		r, err := parseROME("Personne", c.ID, s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(fiches, r) {
			fiches = append(fiches, r)
		}
	}
	en.setFiches(fiches)
	en.keys = keysOf(fiches)
	if !(c.RadiusKm >= 0 && c.RadiusKm <= 1000) {
		return nil, errs.Newf(errs.Invalid, "Personne %s : rayon de mobilité invalide.", c.ID)
	}
	const week = 7 * 24 * 60
	if c.MinutesMin < 0 || c.MinutesMax < 0 || c.MinutesMin > week || c.MinutesMax > week || c.MinutesMax > 0 && c.MinutesMin > c.MinutesMax {
		return nil, errs.Newf(errs.Invalid, "Personne %s : durées hebdomadaires souhaitées invalides.", c.ID)
	}
	for _, m := range c.Means {
		if !validMeans(m) {
			return nil, errs.Newf(errs.Invalid, "Personne %s : moyen de déplacement inconnu %q.", c.ID, m)
		}
	}
	en.setMeans(c.Means)
	return en, nil
}

// RemoveCandidate takes a candidate out; an unknown ID is ignored.
func (e *Engine) RemoveCandidate(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.cands[id]
	if old == nil {
		return
	}
	e.candIx.remove(old.pt, old, old.keys)
	delete(e.cands, id)
	last := e.candList[len(e.candList)-1]
	e.candList[old.pos], last.pos = last, old.pos
	e.candList = e.candList[:len(e.candList)-1]
}

// labels interns free-text values by their case-folded, space-collapsed form,
// each once. The caller holds the write lock.
func (e *Engine) labels(values []string) labelSet {
	var out labelSet
	for _, v := range values {
		text := strings.Join(strings.Fields(v), " ")
		if text == "" {
			continue
		}
		norm := strings.ToLower(text)
		k, ok := e.keys[norm]
		if !ok {
			k = int32(len(e.keys))
			e.keys[norm] = k
		}
		out.add(label{key: k, text: text})
	}
	return out
}

// today returns the civil day number of the engine's clock.
func (e *Engine) today() int32 { return dayOf(e.now()) }
