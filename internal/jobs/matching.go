package jobs

import (
	"context"
	"database/sql"
	"math"
	"regexp"
	"strconv"
	"strings"

	"tremplin/internal/jobs/match"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// DefaultOfferRadiusKm is the search radius around an offer when none is given.
const DefaultOfferRadiusKm = 30

// MatchQuery asks for the best matches within a radius; RadiusKm 0 takes
// the person's mobility radius (or DefaultOfferRadiusKm around an offer).
type MatchQuery struct {
	RadiusKm float64
	Limit    int
}

func (q *MatchQuery) check() error {
	if q.Limit == 0 {
		q.Limit = 20
	}
	if q.Limit < 1 || q.Limit > match.MaxLimit {
		return errs.FieldErrors{"limit": "Le nombre de résultats va de 1 à 1 000."}.Err()
	}
	if math.IsNaN(q.RadiusKm) || q.RadiusKm < 0 || q.RadiusKm > match.MaxRadiusKm {
		return errs.FieldErrors{"radius_km": "Le rayon va de 1 à 200 km."}.Err()
	}
	return nil
}

// OfferMatch is an offer ranked for a person.
type OfferMatch struct {
	Offer         Offer
	DistanceKm    float64
	TravelMinutes int
	Score         float64
	Reasons       []string
	// Positioned is true when the person is already positioned on the offer.
	Positioned bool
}

// PersonMatches are the offers ranked for a person.
type PersonMatches struct {
	Person   people.Person
	CV       CV
	RadiusKm float64
	Items    []OfferMatch
	Total    int
}

// MatchesForPerson ranks the open offers within the radius of a person whose
// CV is online, among the offers the actor may read. The read is traced.
func (s *Service) MatchesForPerson(ctx context.Context, a access.Actor, personID string, q MatchQuery) (PersonMatches, error) {
	if err := q.check(); err != nil {
		return PersonMatches{}, err
	}
	if a.HasAny(access.RoleEmployer, access.RolePublicBuyer) && !a.System {
		// An employer searches candidates for its offers, never offers for a person.
		return PersonMatches{}, errPersonNotFound
	}
	p, _, err := s.people.Authorize(ctx, a, personID, access.Read)
	if err != nil {
		return PersonMatches{}, err
	}
	cv, ok, err := getCV(ctx, s.db, personID)
	if err != nil {
		return PersonMatches{}, err
	}
	out := PersonMatches{Person: p, CV: cv, RadiusKm: q.RadiusKm}
	if !ok || !cv.Online {
		return out, errs.New(errs.Conflict, "Le CV de la personne n'est pas en ligne : complétez-le et mettez-le en ligne pour voir les offres qui lui correspondent.")
	}
	if p.Lat == nil || p.Lon == nil {
		return out, errs.New(errs.Conflict, "L'adresse de la personne n'a pas pu être placée sur la carte : complétez-la pour voir les offres proches.")
	}
	if out.RadiusKm == 0 {
		out.RadiusKm = float64(cv.RadiusKm)
	}
	e, err := s.matcher.current(ctx)
	if err != nil {
		return out, err
	}
	keep := func(id string) bool {
		m, ok := s.matcher.offerMeta(id)
		return ok && access.CanOffer(a, access.Offer{Territory: m.Territory, EmployerOrgID: m.OrgID}, access.Read)
	}
	items, total, err := e.OffersForWhere(personID, out.RadiusKm, q.Limit, keep)
	if err != nil {
		return out, err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	offers, err := offersByIDs(ctx, s.db, ids)
	if err != nil {
		return out, err
	}
	positioned, err := positionedOffers(ctx, s.db, personID)
	if err != nil {
		return out, err
	}
	for _, it := range items {
		o, ok := offers[it.ID]
		if !ok {
			continue
		}
		out.Items = append(out.Items, OfferMatch{Offer: o, DistanceKm: it.DistanceKm, TravelMinutes: it.TravelMinutes,
			Score: it.Score, Reasons: it.Reasons, Positioned: positioned[o.ID]})
	}
	out.Total = total
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "matching.offers", ObjectType: "person", ObjectID: personID, PersonID: personID})
	return out, err
}

// CandidateMatch is a candidate ranked for an offer. A candidate whose file
// the actor may not read appears only when the CV is shared with employers,
// and then without a name: Name is empty and Label says "Candidat n°k".
type CandidateMatch struct {
	PersonID      string
	Name          string
	Label         string
	CommuneName   string
	Headline      string
	Skills        []string
	DistanceKm    float64
	TravelMinutes int
	Score         float64
	Reasons       []string
	// Positioned is true when the person is already positioned on the offer.
	Positioned bool
	// Lat and Lon place the person's home, for named candidates only.
	Lat, Lon *float64
}

// OfferCandidates are the candidates ranked for an offer.
type OfferCandidates struct {
	Offer    Offer
	RadiusKm float64
	Items    []CandidateMatch
	Total    int
}

// CandidatesForOffer ranks the candidates within the radius of an open
// offer: the professionals see the people whose files they may read, and the
// CVs of others that are shared with employers, without names; an employer
// sees, on its own offers, the CVs shared with employers, named only once
// the person is positioned on its offers.
func (s *Service) CandidatesForOffer(ctx context.Context, a access.Actor, offerID string, q MatchQuery) (OfferCandidates, error) {
	if err := q.check(); err != nil {
		return OfferCandidates{}, err
	}
	o, err := s.GetOffer(ctx, a, offerID)
	if err != nil {
		return OfferCandidates{}, err
	}
	out := OfferCandidates{Offer: o, RadiusKm: q.RadiusKm}
	if out.RadiusKm == 0 {
		out.RadiusKm = DefaultOfferRadiusKm
	}
	if o.Status != StatusOpen {
		return out, errs.New(errs.Conflict, "L'offre n'est plus ouverte : elle ne cherche plus de candidats.")
	}
	if !o.Located() {
		return out, errs.New(errs.Conflict, "L'offre n'a pas pu être placée sur la carte : indiquez son site ou sa commune.")
	}
	e, err := s.matcher.current(ctx)
	if err != nil {
		return out, err
	}
	vis, err := s.visibility(ctx, a, o)
	if err != nil {
		return out, err
	}
	items, total, err := e.CandidatesForWhere(o.ID, out.RadiusKm, q.Limit, func(id string) bool {
		return vis.readable(id, s.matcher) || s.matcher.consented(id)
	})
	if err != nil {
		return out, err
	}
	var unnamed []string
	for _, it := range items {
		if !vis.readable(it.ID, s.matcher) {
			unnamed = append(unnamed, it.ID)
		}
	}
	shared, err := stillShared(ctx, s.db, unnamed)
	if err != nil {
		return out, err
	}
	kept := items[:0]
	for _, it := range items {
		if vis.readable(it.ID, s.matcher) || shared[it.ID] {
			kept = append(kept, it)
			continue
		}
		total--
	}
	items = kept
	details, err := candidateDetails(ctx, s.db, items)
	if err != nil {
		return out, err
	}
	positioned, err := offerPositioned(ctx, s.db, o.ID, employerOf(a, o))
	if err != nil {
		return out, err
	}
	for i, it := range items {
		d := details[it.ID]
		c := CandidateMatch{PersonID: it.ID, Label: "Candidat n°" + strconv.Itoa(i+1), CommuneName: d.CommuneName, Headline: d.Headline,
			Skills: d.Skills, DistanceKm: it.DistanceKm, TravelMinutes: it.TravelMinutes, Score: it.Score, Reasons: it.Reasons,
			Positioned: positioned[it.ID]}
		switch {
		case vis.readable(it.ID, s.matcher):
			c.Name = d.LastName + " " + d.FirstName
			c.Label = c.Name
			c.Lat, c.Lon = d.Lat, d.Lon
		case vis.named[it.ID] && shared[it.ID]:
			// An employer names a candidate sent to it, never places the home.
			c.Name = d.LastName + " " + d.FirstName
			c.Label = c.Name
			fallthrough
		default:
			// The distance to the kilometre: with a few offers, metres would place the home.
			c.DistanceKm = math.Round(c.DistanceKm)
			c.Reasons = roundedReasons(c.Reasons, c.DistanceKm)
		}
		out.Items = append(out.Items, c)
	}
	out.Total = total
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "matching.candidates", ObjectType: "offer", ObjectID: o.ID})
	if err != nil {
		return out, err
	}
	var named []string
	for _, c := range out.Items {
		if c.Name != "" {
			named = append(named, c.PersonID)
		}
	}
	return out, s.traceList(ctx, a, named)
}

// visibility tells, for an offer's candidates, whose files the actor may
// read (all of them for the system, the territory's for its managers, else
// the ones listed in full), and whom an employer may name (positioned on its
// offers with consent); the others appear without a name when their CV is
// shared with employers.
type visibility struct {
	all         bool
	territory   string
	full, named map[string]bool
}

// readable reports whether the actor may read the candidate's file.
func (v visibility) readable(id string, m *matcher) bool {
	if v.all || v.full[id] {
		return true
	}
	if v.territory == "" {
		return false
	}
	c, ok := m.candMeta(id)
	return ok && c.Territory == v.territory
}

func (s *Service) visibility(ctx context.Context, a access.Actor, o Offer) (visibility, error) {
	v := visibility{full: map[string]bool{}, named: map[string]bool{}}
	switch {
	case a.System:
		v.all = true
		return v, nil
	case employerOf(a, o) && a.Has(access.RoleEmployer):
		rows, err := s.db.QueryContext(ctx, `SELECT ps.person_id FROM positionings ps WHERE ps.employer_org_id = $1
			AND `+people.EmployerSeesPositioning, a.OrgID)
		if err != nil {
			return v, err
		}
		return v, collectIDs(rows, v.named)
	case access.IsDeptManager(a):
		// A manager reads every file of the territory: no need to list them.
		v.territory = a.Territory
	}
	var w db.Where
	scope, err := people.ScopeSQL(ctx, s.db, people.StaffOnly(a), s.today(), &w)
	if err != nil {
		return v, err
	}
	if v.territory != "" {
		// Files of other territories the manager also follows, if any.
		w.Add("p.territory <> $%d", v.territory)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.id FROM persons p JOIN cvs v ON v.person_id = p.id AND v.online WHERE `+scope+andWhere(w), w.Args...)
	if err != nil {
		return v, err
	}
	return v, collectIDs(rows, v.full)
}

// andWhere continues a WHERE clause with the conditions of w, if any.
func andWhere(w db.Where) string {
	if c := w.String(); c != "" {
		return " AND " + strings.TrimPrefix(c, " WHERE ")
	}
	return ""
}

// stillShared keeps, among the candidates shown without a name, those whose
// consent is still in force: the engine's view of consents may be a few
// seconds behind another instance's writes.
func stillShared(ctx context.Context, q db.Querier, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT person_id FROM cv_consents WHERE revoked_at IS NULL AND person_id IN (`+db.In(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	return out, collectIDs(rows, out)
}

func collectIDs(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}, into map[string]bool) error {
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		into[id] = true
	}
	return rows.Err()
}

// candidateDetail is what a candidate's line shows.
type candidateDetail struct {
	FirstName, LastName, CommuneName, Headline string
	Skills                                     []string
	Lat, Lon                                   *float64
}

func candidateDetails(ctx context.Context, q db.Querier, items []match.Match) (map[string]candidateDetail, error) {
	out := map[string]candidateDetail{}
	for start := 0; start < len(items); start += 500 {
		chunk := items[start:min(start+500, len(items))]
		args := make([]any, len(chunk))
		for i, it := range chunk {
			args[i] = it.ID
		}
		rows, err := q.QueryContext(ctx, `SELECT p.id, p.first_name, p.last_name, COALESCE(c.name, ''), v.headline, v.skills, p.lat, p.lon
			FROM persons p JOIN cvs v ON v.person_id = p.id LEFT JOIN communes c ON c.code = p.commune_code
			WHERE p.id IN (`+db.In(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, skills string
			var d candidateDetail
			var lat, lon sql.NullFloat64
			if err := rows.Scan(&id, &d.FirstName, &d.LastName, &d.CommuneName, &d.Headline, &skills, &lat, &lon); err != nil {
				rows.Close()
				return nil, err
			}
			d.Skills, d.Lat, d.Lon = splitLines(skills), floatPtr(lat), floatPtr(lon)
			out[id] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func positionedOffers(ctx context.Context, q db.Querier, personID string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT offer_id FROM positionings WHERE person_id = $1`, personID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	return out, collectIDs(rows, out)
}

// offerPositioned lists the people positioned on an offer; for its employer,
// only the candidacies it sees (an unsent proposal is the professionals' own).
func offerPositioned(ctx context.Context, q db.Querier, offerID string, forEmployer bool) (map[string]bool, error) {
	query := `SELECT ps.person_id FROM positionings ps WHERE ps.offer_id = $1`
	if forEmployer {
		query += ` AND ` + people.EmployerSeesPositioning
	}
	rows, err := q.QueryContext(ctx, query, offerID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	return out, collectIDs(rows, out)
}

// preciseDistance is how a reason states the distance ("À 12,4 km").
var preciseDistance = regexp.MustCompile(`^À [0-9]+(,[0-9]+)? km`)

// roundedReasons states the distance of a candidate shown without a name to
// the kilometre, as its distance_km.
func roundedReasons(reasons []string, km float64) []string {
	out := make([]string, len(reasons))
	for i, r := range reasons {
		out[i] = preciseDistance.ReplaceAllString(r, "À environ "+strconv.Itoa(int(km))+" km")
	}
	return out
}
