package jobs

import (
	"context"
	"log/slog"
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
	// Guarded by mu.
	engine    *match.Engine
	loadedAt  time.Time
	checkedAt time.Time
	// offers and cands map ids to what filters need, consents the people
	// whose consent to share the CV is in force; guarded by meta.
	meta     sync.RWMutex
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

func newMatcher(d *db.DB) *matcher { return &matcher{db: d} }

// touch asks for a look at the database before the next query.
func (m *matcher) touch() { m.dirty.Store(true) }

// current returns the engine, brought up to date.
func (m *matcher) current(ctx context.Context) (*match.Engine, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	switch {
	case m.engine == nil || now.Sub(m.loadedAt) > fullReload:
		if err := m.load(ctx, now); err != nil {
			return nil, err
		}
	case m.dirty.Load() || now.Sub(m.checkedAt) > syncEvery:
		if err := m.update(ctx, m.checkedAt.Add(-overlap), now); err != nil {
			return nil, err
		}
	}
	return m.engine, nil
}

// load rebuilds the engine from every open offer and online CV.
func (m *matcher) load(ctx context.Context, now time.Time) error {
	e := match.NewEngine()
	m.meta.Lock()
	m.offers, m.cands, m.consents = map[string]offerMeta{}, map[string]candMeta{}, map[string]bool{}
	m.meta.Unlock()
	old := m.engine
	m.engine = e
	if err := m.update(ctx, time.Time{}, now); err != nil {
		m.engine = old
		return err
	}
	m.loadedAt = now
	return nil
}

// update applies the offers and CVs changed since a time.
func (m *matcher) update(ctx context.Context, since, now time.Time) error {
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
	m.meta.Lock()
	defer m.meta.Unlock()
	for id, on := range consents {
		if on {
			m.consents[id] = true
		} else {
			delete(m.consents, id)
		}
	}
	for _, o := range offers {
		m.applyOffer(o)
	}
	for _, c := range cands {
		m.applyCandidate(c)
	}
	m.checkedAt = now
	return nil
}

func (m *matcher) applyOffer(o Offer) {
	if o.Status != StatusOpen || !o.Located() {
		m.engine.RemoveOffer(o.ID)
		delete(m.offers, o.ID)
		return
	}
	if err := m.engine.UpsertOffer(engineOffer(o)); err != nil {
		// An offer the engine refuses (a bad point) is left out, never misplaced.
		slog.Warn("offer left out of matching", "offer", o.ID, "err", err)
		m.engine.RemoveOffer(o.ID)
		delete(m.offers, o.ID)
		return
	}
	m.offers[o.ID] = offerMeta{Territory: o.Territory, OrgID: o.OrgID}
}

func (m *matcher) applyCandidate(c candidateRow) {
	if !c.Online || c.Merged || !c.Lat.Valid || !c.Lon.Valid {
		m.engine.RemoveCandidate(c.PersonID)
		delete(m.cands, c.PersonID)
		return
	}
	if err := m.engine.UpsertCandidate(engineCandidate(c.CV, c.Lat.Float64, c.Lon.Float64)); err != nil {
		slog.Warn("CV left out of matching", "person", c.PersonID, "err", err)
		m.engine.RemoveCandidate(c.PersonID)
		delete(m.cands, c.PersonID)
		return
	}
	m.cands[c.PersonID] = candMeta{Territory: c.Territory}
}

func (m *matcher) offerMeta(id string) (offerMeta, bool) {
	m.meta.RLock()
	defer m.meta.RUnlock()
	o, ok := m.offers[id]
	return o, ok
}

// consented reports whether the person's consent to share the CV was in force at the last look.
func (m *matcher) consented(id string) bool {
	m.meta.RLock()
	defer m.meta.RUnlock()
	return m.consents[id]
}

func (m *matcher) candMeta(id string) (candMeta, bool) {
	m.meta.RLock()
	defer m.meta.RUnlock()
	c, ok := m.cands[id]
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
