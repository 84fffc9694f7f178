package jobs

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"tremplin/internal/jobs/match"
	"tremplin/internal/platform/db"
)

// The matcher keeps the in-memory engine in step with the database: a full
// load on first use and every fullReload, and between them the rows changed
// since the last look (a write in this process asks for a look at once;
// writes from other instances are seen within syncEvery).
const (
	syncEvery  = 15 * time.Second
	fullReload = 10 * time.Minute
	// overlap re-reads rows written shortly before the last look, whose
	// transactions may have committed after it.
	overlap = 30 * time.Second
)

// matcher is the matching engine with the facts the service filters its
// answers on (territories, sharing).
type matcher struct {
	db    *db.DB
	mu    sync.Mutex
	dirty atomic.Bool
	// since, when not zero, lowers the next look's starting point: a long
	// write (an import) stamps its rows with the time it began.
	since atomic.Int64
	// Guarded by mu.
	engine    *match.Engine
	loadedAt  time.Time
	checkedAt time.Time
	// facts are what the filters read, swapped whole (never changed in
	// place) so that a query's filter never waits on a look at the database:
	// the engine calls the filters under its own lock.
	facts atomic.Pointer[matchFacts]
}

// matchFacts map ids to what filters need: an offer's territory and
// employer, a candidate's territory, and whose consent to share the CV is in force.
type matchFacts struct {
	offers   map[string]offerMeta
	cands    map[string]candMeta
	consents map[string]bool
}

type offerMeta struct {
	Territory string
	OrgID     string
}

type candMeta struct {
	Territory string
}

func newMatcher(d *db.DB) *matcher {
	m := &matcher{db: d}
	m.facts.Store(&matchFacts{offers: map[string]offerMeta{}, cands: map[string]candMeta{}, consents: map[string]bool{}})
	return m
}

// touch asks for a look at the database before the next query.
func (m *matcher) touch() { m.dirty.Store(true) }

// touchSince asks for a look at the rows written since a time at least.
func (m *matcher) touchSince(t time.Time) {
	for {
		cur := m.since.Load()
		if cur != 0 && cur <= t.UnixNano() {
			break
		}
		if m.since.CompareAndSwap(cur, t.UnixNano()) {
			break
		}
	}
	m.dirty.Store(true)
}

// current returns the engine, brought up to date.
func (m *matcher) current(ctx context.Context) (*match.Engine, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Rows carry db.Now(): the watermark is read on the same clock.
	now := db.Now()
	switch {
	case m.engine == nil || now.Sub(m.loadedAt) > fullReload:
		if err := m.load(ctx, now); err != nil {
			return nil, err
		}
	case m.dirty.Load() || now.Sub(m.checkedAt) > syncEvery:
		since := m.checkedAt.Add(-overlap)
		if s := m.since.Swap(0); s != 0 && time.Unix(0, s).Before(since) {
			since = time.Unix(0, s).Add(-overlap)
		}
		if err := m.update(ctx, m.engine, m.facts.Load(), since, now); err != nil {
			return nil, err
		}
	}
	return m.engine, nil
}

// load builds a new engine from every open offer and online CV, and swaps it
// in with its facts; queries meanwhile go on with the former one.
func (m *matcher) load(ctx context.Context, now time.Time) error {
	e := match.NewEngine()
	fresh := &matchFacts{offers: map[string]offerMeta{}, cands: map[string]candMeta{}, consents: map[string]bool{}}
	if err := m.update(ctx, e, fresh, time.Time{}, now); err != nil {
		return err
	}
	m.engine, m.loadedAt = e, now
	return nil
}

// update applies to engine the offers, CVs and consents changed since a
// time, and swaps in the facts cur amended; the engine is changed first and
// the facts after, so that a query never reads facts about an item its
// engine does not hold yet (an item whose facts are not there yet is only
// left out of that query).
func (m *matcher) update(ctx context.Context, e *match.Engine, cur *matchFacts, since, now time.Time) error {
	m.dirty.Store(false)
	offers, err := offersChangedSince(ctx, m.db, since)
	if err != nil {
		return err
	}
	cands, err := onlineCandidates(ctx, m.db, since)
	if err != nil {
		return err
	}
	consents, err := consentsChangedSince(ctx, m.db, since)
	if err != nil {
		return err
	}
	next := &matchFacts{offers: maps.Clone(cur.offers), cands: maps.Clone(cur.cands), consents: maps.Clone(cur.consents)}
	for id, on := range consents {
		if on {
			next.consents[id] = true
		} else {
			delete(next.consents, id)
		}
	}
	for _, o := range offers {
		applyOffer(e, next, o)
	}
	for _, c := range cands {
		applyCandidate(e, next, c)
	}
	m.facts.Store(next)
	m.checkedAt = now
	return nil
}

func applyOffer(e *match.Engine, f *matchFacts, o Offer) {
	if o.Status != StatusOpen || !o.Located() {
		e.RemoveOffer(o.ID)
		delete(f.offers, o.ID)
		return
	}
	if err := e.UpsertOffer(engineOffer(o)); err != nil {
		// An offer the engine refuses (a bad point) is left out, never misplaced.
		slog.Warn("offer left out of matching", "offer", o.ID, "err", err)
		e.RemoveOffer(o.ID)
		delete(f.offers, o.ID)
		return
	}
	f.offers[o.ID] = offerMeta{Territory: o.Territory, OrgID: o.OrgID}
}

func applyCandidate(e *match.Engine, f *matchFacts, c candidateRow) {
	if !c.Online || c.Merged || !c.Lat.Valid || !c.Lon.Valid {
		e.RemoveCandidate(c.PersonID)
		delete(f.cands, c.PersonID)
		return
	}
	if err := e.UpsertCandidate(engineCandidate(c.CV, c.Lat.Float64, c.Lon.Float64)); err != nil {
		slog.Warn("CV left out of matching", "person", c.PersonID, "err", err)
		e.RemoveCandidate(c.PersonID)
		delete(f.cands, c.PersonID)
		return
	}
	f.cands[c.PersonID] = candMeta{Territory: c.Territory}
}

func (m *matcher) offerMeta(id string) (offerMeta, bool) {
	o, ok := m.facts.Load().offers[id]
	return o, ok
}

// consented reports whether the person's consent to share the CV was in force at the last look.
func (m *matcher) consented(id string) bool { return m.facts.Load().consents[id] }

func (m *matcher) candMeta(id string) (candMeta, bool) {
	c, ok := m.facts.Load().cands[id]
	return c, ok
}

func engineOffer(o Offer) match.Offer {
	out := match.Offer{ID: o.ID, Lat: *o.Lat, Lon: *o.Lon, ROME: o.ROME, WeeklyMinutes: o.WeeklyMinutes,
		NeedsLicence: o.NeedsLicence, NeedsVehicle: o.NeedsVehicle, Qualifications: o.Qualifications, Shifts: o.Shifts}
	if o.Start != nil {
		out.Start = *o.Start
	}
	return out
}

func engineCandidate(c CV, lat, lon float64) match.Candidate {
	out := match.Candidate{ID: c.PersonID, Lat: lat, Lon: lon, ROMEs: c.ROMEs, RadiusKm: float64(c.RadiusKm),
		MinutesMin: c.MinutesMin, MinutesMax: c.MinutesMax, Licence: c.Licence, Vehicle: c.Vehicle,
		Qualifications: c.Qualifications, ExcludedShifts: c.ExcludedShifts}
	for _, mean := range c.Means {
		out.Means = append(out.Means, match.Means(mean))
	}
	if c.AvailableFrom != nil {
		out.AvailableFrom = *c.AvailableFrom
	}
	return out
}

// offersChangedSince loads the offers written since a time (all for the zero time).
func offersChangedSince(ctx context.Context, q db.Querier, since time.Time) ([]Offer, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+offerColumns+offerFrom+` WHERE f.updated_at > $1`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Offer
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// consentsChangedSince tells, for the people whose consent was given or
// withdrawn since a time, whether one is in force now.
func consentsChangedSince(ctx context.Context, q db.Querier, since time.Time) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT person_id, MAX(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) FROM cv_consents
		WHERE person_id IN (SELECT person_id FROM cv_consents WHERE given_at > $1 OR revoked_at > $1) GROUP BY person_id`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		var on int
		if err := rows.Scan(&id, &on); err != nil {
			return nil, err
		}
		out[id] = on == 1
	}
	return out, rows.Err()
}
