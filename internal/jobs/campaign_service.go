package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/assign"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/tabular"
)

var (
	errCampaignSiteNotFound      = errs.New(errs.NotFound, "Site introuvable dans cette campagne.")
	errCampaignCandidateNotFound = errs.New(errs.NotFound, "Candidat introuvable dans cette campagne.")
)

// Campaigns is the use cases of mass recruitment: campaigns, their sites and
// candidates, the computed plan and the lines people override.
type Campaigns struct {
	db       *db.DB
	people   *people.Service
	geocoder geo.Geocoder
	// now is the clock and today the day in France; tests may move them.
	now   func() time.Time
	today func() time.Time
}

// NewCampaigns returns the mass-recruitment service: people checks every
// registry person made a candidate, g places the addresses of sites and
// candidates.
func NewCampaigns(d *db.DB, ppl *people.Service, g geo.Geocoder) *Campaigns {
	return &Campaigns{db: d, people: ppl, geocoder: g, now: db.Now, today: steps.Today}
}

// authorize loads a campaign the actor may act on: one it may not read is not found.
func (s *Campaigns) authorize(ctx context.Context, q db.Querier, a access.Actor, id string, act access.Action) (Campaign, error) {
	if !a.Authenticated() {
		return Campaign{}, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !db.ValidID(id) {
		return Campaign{}, errCampaignNotFound
	}
	c, err := getCampaign(ctx, q, id)
	if err != nil {
		return Campaign{}, err
	}
	if !access.CanCampaign(a, c.Facts(), access.Read) {
		return Campaign{}, errCampaignNotFound
	}
	if act == access.Write && !access.CanCampaign(a, c.Facts(), access.Write) {
		return Campaign{}, errs.New(errs.Forbidden, "Vous ne pouvez pas modifier cette campagne.")
	}
	return c, nil
}

// write runs fn in a transaction on a campaign the actor may change, after
// taking the campaign's lock (see touchCampaign); stale says whether the
// change makes the computed plan out of date.
func (s *Campaigns) write(ctx context.Context, a access.Actor, id string, stale bool, fn func(tx *db.Tx, c Campaign) error) error {
	c, err := s.authorize(ctx, s.db, a, id, access.Write)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := touchCampaign(ctx, tx, c.ID, s.now(), stale); err != nil {
			return err
		}
		return fn(tx, c)
	})
}

// campaignAuditChunk bounds the events of one audit statement.
const campaignAuditChunk = 1000

// logCampaign records events in the transaction, a thousand per statement.
func logCampaign(ctx context.Context, tx *db.Tx, a access.Actor, events []audit.Event) error {
	for start := 0; start < len(events); start += campaignAuditChunk {
		if err := audit.LogBatchTx(ctx, tx, a, events[start:min(start+campaignAuditChunk, len(events))]); err != nil {
			return err
		}
	}
	return nil
}

// List returns a page of the campaigns the actor may read, latest first.
func (s *Campaigns) List(ctx context.Context, a access.Actor, f CampaignFilter) ([]Campaign, int, error) {
	if !a.Authenticated() {
		return nil, 0, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit, f.Offset = min(f.Limit, 500), max(f.Offset, 0)
	return listCampaigns(ctx, s.db, campaignScopeFor(a), f)
}

// checkInput validates a campaign's settings, the ROME code against the reference data.
func (s *Campaigns) checkInput(ctx context.Context, in CampaignInput) (Campaign, error) {
	var lookupErr error
	c, err := in.check(func(code string) bool {
		_, err := refdata.ROMEFicheByCode(ctx, s.db, code)
		if err != nil && !errs.Is(err, errs.NotFound) {
			lookupErr = err
		}
		return err == nil
	})
	if lookupErr != nil {
		return Campaign{}, lookupErr
	}
	return c, err
}

// Create starts a campaign for the actor's organisation.
func (s *Campaigns) Create(ctx context.Context, a access.Actor, in CampaignInput) (Campaign, error) {
	if !a.Authenticated() {
		return Campaign{}, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !access.CanCreateCampaign(a) {
		return Campaign{}, errs.New(errs.Forbidden, "Votre rôle ne permet pas de lancer une campagne de recrutement.")
	}
	c, err := s.checkInput(ctx, in)
	if err != nil {
		return Campaign{}, err
	}
	c.ID, c.OrgID, c.Territory, c.CreatedBy, c.CreatedAt = db.NewID(), a.OrgID, a.Territory, a.UserID, s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertCampaign(ctx, tx, c); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.create", ObjectType: "campaign", ObjectID: c.ID})
	})
	if err != nil {
		return Campaign{}, err
	}
	return getCampaign(ctx, s.db, c.ID)
}

// Update changes a campaign's settings; a new maximum distance makes the plan out of date.
func (s *Campaigns) Update(ctx context.Context, a access.Actor, id string, in CampaignInput) (Campaign, error) {
	c, err := s.authorize(ctx, s.db, a, id, access.Write)
	if err != nil {
		return Campaign{}, err
	}
	next, err := s.checkInput(ctx, in)
	if err != nil {
		return Campaign{}, err
	}
	next.ID = c.ID
	err = s.write(ctx, a, id, next.MaxKm != c.MaxKm, func(tx *db.Tx, _ Campaign) error {
		if err := updateCampaign(ctx, tx, next); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.update", ObjectType: "campaign", ObjectID: c.ID})
	})
	if err != nil {
		return Campaign{}, err
	}
	return getCampaign(ctx, s.db, c.ID)
}

// Get returns a campaign with its sites, candidates, exclusions and plan.
// Registry persons are named only for an actor who may read their file, and
// each one named is traced.
func (s *Campaigns) Get(ctx context.Context, a access.Actor, id string) (CampaignPlan, error) {
	c, err := s.authorize(ctx, s.db, a, id, access.Read)
	if err != nil {
		return CampaignPlan{}, err
	}
	d, err := s.load(ctx, s.db, a, c)
	if err != nil {
		return CampaignPlan{}, err
	}
	p, err := d.plan()
	if err != nil {
		return CampaignPlan{}, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return logCampaign(ctx, tx, a, campaignReadEvents(c.ID, "campaign.read", d.cands))
	})
	return p, err
}

// campaignReadEvents traces the campaign and every registry person it names.
func campaignReadEvents(campaignID, action string, cands []CampaignCandidate) []audit.Event {
	events := []audit.Event{{Action: action, ObjectType: "campaign", ObjectID: campaignID}}
	for _, c := range cands {
		if c.Linked() && c.Visible {
			events = append(events, audit.Event{Action: action, ObjectType: "campaign_candidate", ObjectID: c.ID, PersonID: c.PersonID})
		}
	}
	return events
}

// Export returns the plan for a download, traced like a read.
func (s *Campaigns) Export(ctx context.Context, a access.Actor, id string) (CampaignPlan, error) {
	c, err := s.authorize(ctx, s.db, a, id, access.Read)
	if err != nil {
		return CampaignPlan{}, err
	}
	d, err := s.load(ctx, s.db, a, c)
	if err != nil {
		return CampaignPlan{}, err
	}
	p, err := d.plan()
	if err != nil {
		return CampaignPlan{}, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return logCampaign(ctx, tx, a, campaignReadEvents(c.ID, "campaign.export", d.cands))
	})
	return p, err
}

// load reads what a campaign's plan is made of.
func (s *Campaigns) load(ctx context.Context, q db.Querier, a access.Actor, c Campaign) (campaignData, error) {
	d := campaignData{c: c}
	var err error
	if d.sites, err = campaignSitesOf(ctx, q, c.ID); err != nil {
		return d, err
	}
	if d.cands, err = campaignCandidatesOf(ctx, q, a, s.today(), c.ID); err != nil {
		return d, err
	}
	if d.excl, err = campaignExclusionsOf(ctx, q, c.ID); err != nil {
		return d, err
	}
	d.lines, err = campaignLinesOf(ctx, q, c.ID)
	return d, err
}

// CampaignSiteInput is a site typed in the page's form.
type CampaignSiteInput struct {
	Name, Commune, Address, Latitude, Longitude, Capacity string
}

// CampaignCandidateInput is a candidate typed in the page's form, or a
// registry person (PersonID) placed at the person's address.
type CampaignCandidateInput struct {
	PersonID, Name, Commune, Address, Latitude, Longitude string
}

// formRecord turns a form into a line 0 of a table.
func formRecord(values map[string]string) campaignRecord {
	r := campaignRecord{Values: map[string]string{}}
	for k, v := range values {
		r.Values[k] = strings.TrimSpace(v)
	}
	return r
}

// AddSite adds a site typed in the form.
func (s *Campaigns) AddSite(ctx context.Context, a access.Actor, id string, in CampaignSiteInput) (CampaignSite, error) {
	c, err := s.authorize(ctx, s.db, a, id, access.Write)
	if err != nil {
		return CampaignSite{}, err
	}
	f := &campaignFaults{}
	entries := parseCampaignSites([]campaignRecord{formRecord(map[string]string{"nom": in.Name, "commune": in.Commune,
		"adresse": in.Address, "latitude": in.Latitude, "longitude": in.Longitude, "capacite": in.Capacity})}, f)
	sites, err := s.addSites(ctx, a, c, entries, f)
	if err != nil {
		return CampaignSite{}, err
	}
	return sites[0], nil
}

// ImportSites adds the sites of a table, all of them or none: the error
// lists the faults by line and column (see CampaignImportFaults).
func (s *Campaigns) ImportSites(ctx context.Context, a access.Actor, id string, t *tabular.Table) (int, error) {
	c, err := s.authorize(ctx, s.db, a, id, access.Write)
	if err != nil {
		return 0, err
	}
	f := &campaignFaults{}
	recs, err := readCampaignTable(t, campaignSiteColumns, []string{"nom", "capacite"}, CampaignMaxSites, f)
	if err != nil {
		return 0, err
	}
	if len(recs) == 0 && !f.none() {
		return 0, f.err()
	}
	entries := parseCampaignSites(recs, f)
	if len(entries) == 0 {
		return 0, errs.New(errs.Invalid, "Le fichier ne contient aucun site sous la ligne d'en-tête.")
	}
	sites, err := s.addSites(ctx, a, c, entries, f)
	return len(sites), err
}

// addSites places and stores sites, or none of them.
func (s *Campaigns) addSites(ctx context.Context, a access.Actor, c Campaign, entries []campaignSiteEntry, f *campaignFaults) ([]CampaignSite, error) {
	pl := newCampaignPlacer(s, c.Territory, f)
	sites := make([]CampaignSite, len(entries))
	places := make([]campaignPlace, len(entries))
	lines := make([]int, len(entries))
	for i, e := range entries {
		sites[i] = CampaignSite{ID: db.NewID(), Name: e.Name, Capacity: e.Capacity}
		places[i], lines[i] = e.Place, e.Line
	}
	spots, err := pl.placeAll(ctx, lines, places, make([]bool, len(places)))
	if err != nil {
		return nil, err
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	for i := range sites {
		sites[i].CommuneCode, sites[i].Lat, sites[i].Lon = spots[i].code, spots[i].lat, spots[i].lon
	}
	err = s.write(ctx, a, c.ID, true, func(tx *db.Tx, _ Campaign) error {
		n, err := campaignCount(ctx, tx, "campaign_sites", c.ID)
		if err != nil {
			return err
		}
		if n+len(sites) > CampaignMaxSites {
			return errs.Newf(errs.Invalid, "La campagne compterait %d sites : %d au plus.", n+len(sites), CampaignMaxSites)
		}
		if err := campaignCheckPairs(ctx, tx, c.ID, 0, n+len(sites)); err != nil {
			return err
		}
		next, err := campaignNextNumber(ctx, tx, "campaign_sites", c.ID)
		if err != nil {
			return err
		}
		for i := range sites {
			sites[i].Number = next + i
		}
		if err := insertCampaignSites(ctx, tx, c.ID, sites); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.site.add", ObjectType: "campaign", ObjectID: c.ID,
			Detail: "sites: " + strconv.Itoa(len(sites))})
	})
	return sites, err
}

// AddCandidate adds a candidate typed in the form, or a registry person.
func (s *Campaigns) AddCandidate(ctx context.Context, a access.Actor, id string, in CampaignCandidateInput) (CampaignCandidate, error) {
	c, err := s.authorize(ctx, s.db, a, id, access.Write)
	if err != nil {
		return CampaignCandidate{}, err
	}
	f := &campaignFaults{}
	entries := parseCampaignCandidates([]campaignRecord{formRecord(map[string]string{"personne": in.PersonID, "nom": in.Name,
		"commune": in.Commune, "adresse": in.Address, "latitude": in.Latitude, "longitude": in.Longitude})}, f)
	cands, err := s.addCandidates(ctx, a, c, entries, f)
	if err != nil {
		return CampaignCandidate{}, err
	}
	return cands[0], nil
}

// ImportCandidates adds the candidates of a table, all of them or none.
func (s *Campaigns) ImportCandidates(ctx context.Context, a access.Actor, id string, t *tabular.Table) (int, error) {
	c, err := s.authorize(ctx, s.db, a, id, access.Write)
	if err != nil {
		return 0, err
	}
	f := &campaignFaults{}
	recs, err := readCampaignTable(t, campaignCandidateColumns, nil, CampaignMaxCandidates, f)
	if err != nil {
		return 0, err
	}
	if f.none() && !campaignHasAny(f.headers, "nom", "personne") {
		return 0, errs.New(errs.Invalid, "Colonne manquante : « nom » (ou « personne », l'identifiant d'un dossier).")
	}
	if len(recs) == 0 && !f.none() {
		return 0, f.err()
	}
	entries := parseCampaignCandidates(recs, f)
	if len(entries) == 0 {
		return 0, errs.New(errs.Invalid, "Le fichier ne contient aucun candidat sous la ligne d'en-tête.")
	}
	cands, err := s.addCandidates(ctx, a, c, entries, f)
	return len(cands), err
}

// campaignCheckPairs refuses a campaign the solver would refuse: more
// candidate-site pairs than assign.MaxPairs. A zero count is read from the campaign.
func campaignCheckPairs(ctx context.Context, tx *db.Tx, campaignID string, cands, sites int) error {
	var err error
	if cands == 0 {
		cands, err = campaignCount(ctx, tx, "campaign_candidates", campaignID)
	}
	if err == nil && sites == 0 {
		sites, err = campaignCount(ctx, tx, "campaign_sites", campaignID)
	}
	if err != nil {
		return err
	}
	if cands*sites > assign.MaxPairs {
		return errs.Newf(errs.Invalid, "La campagne compterait %d candidats × %d sites : le calcul en accepte %d couples au plus.",
			cands, sites, assign.MaxPairs)
	}
	return nil
}

func campaignHasAny(m map[string]string, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// addCandidates places and stores candidates, or none of them. A registry
// person must be readable by the actor and is placed at the person's
// address; the place typed with them serves when the file has none.
func (s *Campaigns) addCandidates(ctx context.Context, a access.Actor, c Campaign, entries []campaignCandidateEntry, f *campaignFaults) ([]CampaignCandidate, error) {
	known, err := campaignPersonsOf(ctx, s.db, c.ID)
	if err != nil {
		return nil, err
	}
	pl := newCampaignPlacer(s, c.Territory, f)
	cands := make([]CampaignCandidate, len(entries))
	places := make([]campaignPlace, len(entries))
	lines := make([]int, len(entries))
	skip := make([]bool, len(entries))
	for i, e := range entries {
		cands[i] = CampaignCandidate{ID: db.NewID(), PersonID: e.PersonID, Label: e.Name}
		places[i], lines[i], skip[i] = e.Place, e.Line, e.Skip
		if e.PersonID == "" || e.Skip {
			continue
		}
		p, ok, err := s.person(ctx, a, e, known, f)
		if err != nil {
			return nil, err
		}
		places[i], skip[i] = personPlace(p, e.Place), !ok
		if ok && places[i] == (campaignPlace{}) {
			f.add(e.Line, "personne", "le dossier de la personne n'a pas d'adresse localisée : indiquez sa commune ou ses coordonnées.")
			skip[i] = true
		}
	}
	spots, err := pl.placeAll(ctx, lines, places, skip)
	if err != nil {
		return nil, err
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	for i := range cands {
		cands[i].CommuneCode, cands[i].Lat, cands[i].Lon = spots[i].code, spots[i].lat, spots[i].lon
	}
	err = s.write(ctx, a, c.ID, true, func(tx *db.Tx, _ Campaign) error { return s.storeCandidates(ctx, tx, a, c.ID, cands) })
	return cands, err
}

// personPlace is where a registry person is: the file's position, else
// the place typed with them, else the file's commune.
func personPlace(p people.Person, typed campaignPlace) campaignPlace {
	switch {
	case p.Lat != nil && p.Lon != nil && campaignValidPoint(*p.Lat, *p.Lon):
		lat, lon := *p.Lat, *p.Lon
		return campaignPlace{Lat: &lat, Lon: &lon, Commune: p.CommuneCode}
	case typed != (campaignPlace{}):
		return typed
	}
	return campaignPlace{Commune: p.CommuneCode}
}

// person checks a registry person named by a line: readable by the actor,
// not twice in the campaign.
func (s *Campaigns) person(ctx context.Context, a access.Actor, e campaignCandidateEntry, known map[string]bool, f *campaignFaults) (people.Person, bool, error) {
	if known[e.PersonID] {
		f.add(e.Line, "personne", "cette personne est déjà candidate dans la campagne.")
		return people.Person{}, false, nil
	}
	known[e.PersonID] = true
	p, _, err := s.people.Authorize(ctx, a, e.PersonID, access.Read)
	if errs.Is(err, errs.NotFound) {
		f.add(e.Line, "personne", "personne introuvable parmi les dossiers que vous pouvez consulter.")
		return people.Person{}, false, nil
	}
	return p, err == nil, err
}

// storeCandidates numbers and stores candidates in the campaign's
// transaction; each registry person added is traced.
func (s *Campaigns) storeCandidates(ctx context.Context, tx *db.Tx, a access.Actor, campaignID string, cands []CampaignCandidate) error {
	n, err := campaignCount(ctx, tx, "campaign_candidates", campaignID)
	if err != nil {
		return err
	}
	if n+len(cands) > CampaignMaxCandidates {
		return errs.Newf(errs.Invalid, "La campagne compterait %d candidats : %d au plus.", n+len(cands), CampaignMaxCandidates)
	}
	if err := campaignCheckPairs(ctx, tx, campaignID, n+len(cands), 0); err != nil {
		return err
	}
	// Checked again under the campaign's lock: an import running meanwhile may have added the same person.
	known, err := campaignPersonsOf(ctx, tx, campaignID)
	if err != nil {
		return err
	}
	next, err := campaignNextNumber(ctx, tx, "campaign_candidates", campaignID)
	if err != nil {
		return err
	}
	events := []audit.Event{{Action: "campaign.candidate.add", ObjectType: "campaign", ObjectID: campaignID, Detail: "candidats: " + strconv.Itoa(len(cands))}}
	for i := range cands {
		c := &cands[i]
		c.Number = next + i
		if c.PersonID == "" {
			continue
		}
		if known[c.PersonID] {
			return errs.New(errs.Conflict, "Une des personnes vient d'être ajoutée à la campagne : rechargez la page.")
		}
		c.Label = campaignLinkedLabel(c.Number)
		events = append(events, audit.Event{Action: "campaign.candidate.add", ObjectType: "campaign_candidate", ObjectID: c.ID, PersonID: c.PersonID})
	}
	if err := insertCampaignCandidates(ctx, tx, campaignID, cands); err != nil {
		return err
	}
	return logCampaign(ctx, tx, a, events)
}

// RemoveSite removes a site, its exclusions and the lines placing someone there.
func (s *Campaigns) RemoveSite(ctx context.Context, a access.Actor, id, siteID string) error {
	return s.write(ctx, a, id, true, func(tx *db.Tx, c Campaign) error {
		ok, err := deleteCampaignSite(ctx, tx, c.ID, siteID)
		if err != nil {
			return err
		}
		if !ok {
			return errCampaignSiteNotFound
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.site.remove", ObjectType: "campaign", ObjectID: c.ID, Detail: "site " + siteID})
	})
}

// RemoveCandidate removes a candidate with their exclusions and line.
func (s *Campaigns) RemoveCandidate(ctx context.Context, a access.Actor, id, candidateID string) error {
	return s.write(ctx, a, id, true, func(tx *db.Tx, c Campaign) error {
		cand, err := s.candidate(ctx, tx, a, c.ID, candidateID)
		if err != nil {
			return err
		}
		if _, err := deleteCampaignCandidate(ctx, tx, c.ID, cand.ID); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.candidate.remove", ObjectType: "campaign_candidate", ObjectID: cand.ID, PersonID: cand.PersonID})
	})
}

// candidate finds one candidate of a campaign.
func (s *Campaigns) candidate(ctx context.Context, q db.Querier, a access.Actor, campaignID, candidateID string) (CampaignCandidate, error) {
	cands, err := campaignCandidatesOf(ctx, q, a, s.today(), campaignID)
	if err != nil {
		return CampaignCandidate{}, err
	}
	for _, c := range cands {
		if c.ID == candidateID {
			return c, nil
		}
	}
	return CampaignCandidate{}, errCampaignCandidateNotFound
}

// AddExclusion makes a candidate ineligible for a site; both are named by
// id, number or name.
func (s *Campaigns) AddExclusion(ctx context.Context, a access.Actor, id, candidate, site string) error {
	f := &campaignFaults{}
	entries := parseCampaignExclusions([]campaignRecord{formRecord(map[string]string{"candidat": candidate, "site": site})}, f)
	if err := f.err(); err != nil {
		return err
	}
	return s.addExclusions(ctx, a, id, entries, f)
}

// ImportExclusions adds the excluded pairs of a table (candidat;site), all or none.
func (s *Campaigns) ImportExclusions(ctx context.Context, a access.Actor, id string, t *tabular.Table) (int, error) {
	if _, err := s.authorize(ctx, s.db, a, id, access.Write); err != nil {
		return 0, err
	}
	f := &campaignFaults{}
	recs, err := readCampaignTable(t, campaignExclusionColumns, []string{"candidat", "site"}, CampaignMaxExclusions, f)
	if err != nil {
		return 0, err
	}
	entries := parseCampaignExclusions(recs, f)
	if err := f.err(); err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, errs.New(errs.Invalid, "Le fichier ne contient aucun couple sous la ligne d'en-tête.")
	}
	return len(entries), s.addExclusions(ctx, a, id, entries, f)
}

// addExclusions resolves and stores excluded pairs under the campaign's lock.
func (s *Campaigns) addExclusions(ctx context.Context, a access.Actor, id string, entries []campaignExclusionEntry, f *campaignFaults) error {
	return s.write(ctx, a, id, true, func(tx *db.Tx, c Campaign) error {
		d, err := s.load(ctx, tx, a, c)
		if err != nil {
			return err
		}
		refs := newCampaignRefs(d)
		pairs := make([]CampaignExclusion, 0, len(entries))
		for _, e := range entries {
			cand, site := refs.candidate(e.Candidate, e.Line, f), refs.site(e.Site, e.Line, f)
			if cand == "" || site == "" {
				continue
			}
			if l, ok := d.lines[cand]; ok && l.Overridden() && l.SiteID == site {
				f.add(e.Line, "candidat", "ce candidat a été affecté à ce site à la main : changez d'abord cette affectation.")
				continue
			}
			pairs = append(pairs, CampaignExclusion{CandidateID: cand, SiteID: site})
		}
		if err := f.err(); err != nil {
			return err
		}
		if len(d.excl)+len(pairs) > CampaignMaxExclusions {
			return errs.Newf(errs.Invalid, "La campagne compterait plus de %d exclusions.", CampaignMaxExclusions)
		}
		if err := insertCampaignExclusions(ctx, tx, c.ID, pairs); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.exclusion.add", ObjectType: "campaign", ObjectID: c.ID,
			Detail: "couples: " + strconv.Itoa(len(pairs))})
	})
}

// RemoveExclusion makes a pair eligible again.
func (s *Campaigns) RemoveExclusion(ctx context.Context, a access.Actor, id, candidateID, siteID string) error {
	return s.write(ctx, a, id, true, func(tx *db.Tx, c Campaign) error {
		ok, err := deleteCampaignExclusion(ctx, tx, c.ID, candidateID, siteID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.New(errs.NotFound, "Exclusion introuvable dans cette campagne.")
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.exclusion.remove", ObjectType: "campaign", ObjectID: c.ID,
			Detail: "candidat " + candidateID + " site " + siteID})
	})
}

// Solve computes the plan: the lines decided by hand stay as they are, and
// the other candidates are placed on the places they leave, as many as
// possible with the least total travel. The solver's lines are stored.
func (s *Campaigns) Solve(ctx context.Context, a access.Actor, id string) (CampaignPlan, error) {
	var placed, unplaced int
	err := s.write(ctx, a, id, false, func(tx *db.Tx, c Campaign) error {
		d, err := s.load(ctx, tx, a, c)
		if err != nil {
			return err
		}
		if len(d.sites) == 0 || len(d.cands) == 0 {
			return errs.New(errs.Invalid, "Ajoutez des sites et des candidats avant de calculer l'affectation.")
		}
		now := s.now()
		lines, err := newCampaignProblem(d).solve(now)
		if err != nil {
			return err
		}
		if err := replaceSolverLines(ctx, tx, c.ID, lines); err != nil {
			return err
		}
		if err := markCampaignSolved(ctx, tx, c.ID, now); err != nil {
			return err
		}
		for _, l := range lines {
			if l.SiteID != "" {
				placed++
			} else {
				unplaced++
			}
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.solve", ObjectType: "campaign", ObjectID: c.ID,
			Detail: fmt.Sprintf("placés: %d, non placés: %d", placed, unplaced)})
	})
	if err != nil {
		return CampaignPlan{}, err
	}
	return s.Get(ctx, a, id)
}

// campaignMaxReason bounds the reason of an override.
const campaignMaxReason = 500

// Override decides a candidate's line by hand: another site, which must have
// a free place and not be excluded for them, or none (siteID empty); the
// reason is mandatory. Later solves keep the line.
func (s *Campaigns) Override(ctx context.Context, a access.Actor, id, candidateID, siteID, reason string) (CampaignLine, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return CampaignLine{}, errs.FieldErrors{"reason": "Indiquez le motif de la modification."}.Err()
	case utf8.RuneCountInString(reason) > campaignMaxReason:
		return CampaignLine{}, errs.FieldErrors{"reason": "Le motif ne doit pas dépasser 500 caractères."}.Err()
	}
	var line CampaignLine
	err := s.write(ctx, a, id, false, func(tx *db.Tx, c Campaign) error {
		d, err := s.load(ctx, tx, a, c)
		if err != nil {
			return err
		}
		cand, ok := d.candidateByID(candidateID)
		if !ok {
			return errCampaignCandidateNotFound
		}
		line = CampaignLine{CandidateID: cand.ID, Source: CampaignSourceOverride, Reason: reason, DecidedBy: a.UserID, DecidedAt: s.now()}
		if siteID != "" {
			if line.SiteID, line.DistanceKm, err = d.checkMove(cand, siteID); err != nil {
				return err
			}
		}
		if err := saveCampaignOverride(ctx, tx, c.ID, line); err != nil {
			return err
		}
		detail := "sans affectation"
		if line.SiteID != "" {
			detail = "site " + line.SiteID
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.override", ObjectType: "campaign_candidate", ObjectID: cand.ID,
			PersonID: cand.PersonID, Detail: detail})
	})
	return line, err
}

// RemoveOverride gives a line back to the solver: the candidate is placed
// again at the next solve.
func (s *Campaigns) RemoveOverride(ctx context.Context, a access.Actor, id, candidateID string) error {
	return s.write(ctx, a, id, false, func(tx *db.Tx, c Campaign) error {
		cand, err := s.candidate(ctx, tx, a, c.ID, candidateID)
		if err != nil {
			return err
		}
		ok, err := deleteCampaignOverride(ctx, tx, c.ID, cand.ID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.New(errs.NotFound, "Cette ligne n'a pas été modifiée à la main.")
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "campaign.override.remove", ObjectType: "campaign_candidate", ObjectID: cand.ID, PersonID: cand.PersonID})
	})
}

// CanWriteCampaign reports whether the actor may change the campaign.
func CanWriteCampaign(a access.Actor, c Campaign) bool {
	return access.CanCampaign(a, c.Facts(), access.Write)
}
