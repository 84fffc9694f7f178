package demo

// The jobs side of the demo département: employers with their NAF code,
// sites, contacts and staff accounts; offers; online CVs drafted from the
// diagnostic, shared with employers on the person's consent; positionings
// with their history, hires turned into job steps with their back-to-work
// check-ins, and the référents' notifications; and a mass recruitment
// modelled on the département's collèges one (73 RSA beneficiaries hired as
// maintenance agents across 57 collèges, placed to cut travel).
//
// The rows are written as the jobs services write them, drawn from their own
// generator so that the rest of the demo does not depend on them.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/validate"
)

// nafTable is the key of the drawn NAF codes in the rows: (organisation id, code) pairs.
const nafTable = "organisations.naf"

// jobTables lists the jobs tables in write order, with their columns.
var jobTables = []struct {
	name    string
	columns []string
}{
	{"employer_sites", []string{"id", "organisation_id", "name", "address", "postal_code", "commune_code", "lat", "lon", "geo_approximate", "created_at"}},
	{"employer_contacts", []string{"id", "organisation_id", "name", "job_title", "email", "phone", "created_at"}},
	{"offers", []string{"id", "organisation_id", "territory", "site_id", "reference", "title", "rome", "contract", "contract_months",
		"weekly_minutes", "positions", "start_date", "commune_code", "lat", "lon", "needs_licence", "needs_vehicle", "qualifications",
		"shifts", "description", "search_text", "in_tension", "clause_linked", "clause_market", "status", "created_by", "created_at",
		"updated_at", "closed_at"}},
	{"cvs", []string{"person_id", "headline", "summary", "skills", "romes", "radius_km", "means", "available_from", "weekly_minutes_min",
		"weekly_minutes_max", "excluded_shifts", "licence", "vehicle", "qualifications", "online", "created_at", "updated_at", "updated_by"}},
	{"cv_experiences", []string{"id", "person_id", "title", "employer", "start_date", "end_date", "description", "created_at"}},
	{"cv_consents", []string{"id", "person_id", "method", "given_at", "given_by", "revoked_at", "revoked_by"}},
	{"positionings", []string{"id", "offer_id", "person_id", "employer_org_id", "state", "reason", "proposed_by", "proposed_by_org",
		"step_id", "sent_at", "created_at", "updated_at"}},
	{"positioning_events", []string{"id", "positioning_id", "from_state", "to_state", "reason", "note", "user_id", "organisation_id", "at"}},
	{"notifications", []string{"id", "user_id", "kind", "message", "link", "created_at", "read_at"}},
	{"campaigns", []string{"id", "organisation_id", "territory", "title", "job_title", "rome", "max_km", "created_by", "created_at",
		"updated_at", "solved_at"}},
	{"campaign_sites", []string{"id", "campaign_id", "name", "commune_code", "lat", "lon", "capacity", "position"}},
	{"campaign_candidates", []string{"id", "campaign_id", "person_id", "label", "commune_code", "lat", "lon", "position"}},
	{"campaign_assignments", []string{"campaign_id", "candidate_id", "site_id", "distance_km", "source", "reason", "decided_by", "decided_at"}},
}

// jobSizes are how many employers are drawn and offers published by demo size.
var jobSizes = map[bool]struct{ employers, offers, accounts int }{
	false: {20, 300, 3},
	true:  {140, 3000, len(employerAccounts)},
}

// employerPlan is an organisation that recruits, with its sites.
type employerPlan struct {
	org     int
	sector  *sector
	sites   []sitePlan
	account int
	// weight is its share of the offers.
	weight float64
}

type sitePlan struct {
	id, commune string
	lat, lon    float64
}

// offerPlan is a drawn offer; its row is written once its candidacies are drawn.
type offerPlan struct {
	id                       string
	emp                      int
	rome, title, contract    string
	positions                int
	lat, lon                 float64
	start                    *time.Time
	status                   string
	created, closed, updated time.Time
	hires                    int
	row                      []any
}

// cvPlan is a drawn CV.
type cvPlan struct {
	person   int
	ref      int
	lat, lon float64
	romes    []string
	radius   float64
	online   bool
	consent  bool
	// ready is the first day the person may be positioned: the CV saved, and
	// the consent given for those who gave it.
	ready time.Time
}

// jobsGen draws the jobs side of the demo.
type jobsGen struct {
	r         *rand.Rand
	pl        *planner
	today     time.Time
	cum       []float64
	rows      *pathwayRows
	persons   []personPlan
	employers []employerPlan
	offers    []offerPlan
	cvs       []cvPlan
	// cvOf maps a person index to its CV index, -1 without a CV.
	cvOf        []int
	communes    map[string]string
	facilitator int
	manager     int
	hired       map[int]bool
}

// newJobsGen returns the generator; it takes over the planner to lay out
// the employers and their accounts, drawing from its own stream.
func newJobsGen(seed int64, pl *planner) *jobsGen {
	g := &jobsGen{r: rand.New(rand.NewPCG(uint64(seed), pcgStream+2)), pl: pl, today: pl.now.UTC().Truncate(24 * time.Hour),
		facilitator: -1, manager: -1, hired: map[int]bool{}, communes: map[string]string{}}
	pl.r = g.r
	for _, c := range pl.t.communes {
		g.communes[c.Code] = c.Name
	}
	total := 0.0
	for _, w := range pl.t.weights {
		total += w
		g.cum = append(g.cum, total)
	}
	for i, a := range pl.account {
		switch {
		case a.role == access.RoleFacilitator && g.facilitator < 0:
			g.facilitator = i
		case a.email == "manager@"+Domain:
			g.manager = i
		}
	}
	return g
}

// generate draws everything into the rows, after the people's pathways.
func (g *jobsGen) generate(persons []personPlan, rows *pathwayRows) {
	g.persons, g.rows = persons, rows
	g.planEmployers()
	g.planOffers()
	g.planCVs()
	g.planPositionings()
	g.writeOffers()
	g.campaign()
}

func (g *jobsGen) add(table string, values ...any) {
	g.rows.tables[table] = append(g.rows.tables[table], values)
}

func (g *jobsGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *jobsGen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *jobsGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// at is a working-hours instant of a day.
func (g *jobsGen) at(day time.Time) time.Time {
	return day.Add(time.Duration(8*60+g.r.IntN(9*60)) * time.Minute)
}

// daysAgo returns the day n days before today.
func (g *jobsGen) daysAgo(n int) time.Time { return g.today.AddDate(0, 0, -n) }

// yesterday bounds the days of what already happened, so that every
// instant drawn on them is in the past.
func (g *jobsGen) yesterday() time.Time { return g.daysAgo(1) }

// commune draws a commune weighted by population.
func (g *jobsGen) commune() refdata.Commune {
	u := g.r.Float64() * g.cum[len(g.cum)-1]
	i := min(sort.SearchFloat64s(g.cum, u), len(g.cum)-1)
	return g.pl.t.communes[i]
}

// near draws a point within a kilometre or so of a commune's centre.
func (g *jobsGen) near(c refdata.Commune) (float64, float64) {
	lat := math.Round((c.Lat+(g.r.Float64()-0.5)*0.02)*1e5) / 1e5
	lon := math.Round((c.Lon+(g.r.Float64()-0.5)*0.03)*1e5) / 1e5
	return lat, lon
}

func postalOf(c refdata.Commune) string {
	if len(c.PostalCodes) > 0 {
		return c.PostalCodes[0]
	}
	return ""
}

// planEmployers gives the planned employers, insertion structures and GEIQ
// their NAF code and sites, and draws more employers with their accounts.
func (g *jobsGen) planEmployers() {
	pl := g.pl
	accountOf := map[int]int{}
	for i, a := range pl.account {
		if a.role == access.RoleEmployer && a.org >= 0 {
			accountOf[a.org] = i
		}
	}
	for i, o := range pl.orgs {
		if o.org.Kind != orgs.KindEmployer && o.org.Kind != orgs.KindSIAE && o.org.Kind != orgs.KindGEIQ {
			continue
		}
		s, naf := sectorOf(o.org)
		// The employers with a demo account publish more, so that their pages are full.
		acc, weight := -1, 1.5
		if a, ok := accountOf[i]; ok {
			acc, weight = a, 3
		}
		g.addEmployer(i, s, naf, acc, weight)
	}
	size := jobSizes[pl.big]
	for n := range size.employers {
		s := g.drawSector()
		if n < size.accounts {
			s = sectorByKey(employerAccounts[n].sector)
		}
		org := g.newEmployer(s)
		acc, weight := -1, 0.3+g.r.ExpFloat64()
		if n < size.accounts {
			pl.addAccount(employerAccounts[n].local, access.RoleEmployer, "", org)
			acc, weight = len(pl.account)-1, 5
		}
		g.addEmployer(org, s, s.naf, acc, weight)
	}
}

func (g *jobsGen) drawSector() *sector {
	u := g.r.Float64()
	for i := range sectors {
		if u < sectors[i].share {
			return &sectors[i]
		}
		u -= sectors[i].share
	}
	return &sectors[0]
}

// newEmployer adds a drawn employer of a sector to the organisations.
func (g *jobsGen) newEmployer(s *sector) int {
	c := g.commune()
	name := ""
	for try := 0; try < 20 && (name == "" || g.pl.names[name]); try++ {
		name = strings.NewReplacer("{nom}", pickRanked(g.r, surnames[originGeneral]), "{de}", de(c.Name)).Replace(g.pick(s.names))
	}
	return g.pl.addOrg(orgs.KindEmployer, "", name, c, "")
}

// addEmployer records an organisation that recruits: its NAF code, its
// sites (the first where it sits) and its contacts.
func (g *jobsGen) addEmployer(org int, s *sector, naf string, account int, weight float64) {
	o := g.pl.orgs[org]
	g.add(nafTable, o.org.ID, naf)
	e := employerPlan{org: org, sector: s, account: account, weight: weight}
	n := 1
	if u := g.r.Float64(); u < 0.15 {
		n = 3
	} else if u < 0.45 {
		n = 2
	}
	home := refdata.Commune{Code: o.org.CommuneCode, Name: o.org.CommuneName, Lat: o.lat, Lon: o.lon, PostalCodes: []string{o.org.PostalCode}}
	created := g.at(g.daysAgo(g.between(200, 400)))
	for k := range n {
		c, name, address := home, "Siège", o.org.Address
		if k > 0 {
			c = g.commune()
			name, address = g.pick(siteKinds)+" "+de(c.Name), g.pl.streetAddress()
		}
		lat, lon := g.near(c)
		site := sitePlan{id: db.NewID(), commune: c.Code, lat: lat, lon: lon}
		e.sites = append(e.sites, site)
		g.add("employer_sites", site.id, o.org.ID, name, address, postalOf(c), c.Code, lat, lon, true, created)
	}
	for k := range 1 + map[bool]int{true: 1}[g.chance(0.3)] {
		first, last := g.pl.staffName()
		email, err := validate.NormalizeEmail(emailLocal(first) + "." + emailLocal(last) + "@" + emailDomains[k%len(emailDomains)])
		if err != nil {
			email = ""
		}
		// The block ARCEP reserves for fiction in the north-east.
		phone, err := validate.NormalizePhone(fmt.Sprintf("03 53 48 %02d %02d", g.r.IntN(100), g.r.IntN(100)))
		if err != nil {
			phone = ""
		}
		g.add("employer_contacts", db.NewID(), o.org.ID, first+" "+last, g.pick(contactTitles), email, phone, created)
	}
	g.employers = append(g.employers, e)
}

// planOffers draws the offers, spread over the employers by weight.
func (g *jobsGen) planOffers() {
	cum := make([]float64, len(g.employers))
	total := 0.0
	for i, e := range g.employers {
		total += e.weight
		cum[i] = total
	}
	for range jobSizes[g.pl.big].offers {
		i := min(sort.SearchFloat64s(cum, g.r.Float64()*total), len(cum)-1)
		g.offers = append(g.offers, g.offer(i))
	}
}

// offer draws an offer of employer i; its status depends on its age.
func (g *jobsGen) offer(i int) offerPlan {
	e := g.employers[i]
	site := e.sites[g.r.IntN(len(e.sites))]
	rome := g.pick(e.sector.romes)
	o := offerPlan{id: db.NewID(), emp: i, rome: rome, title: demoJobs[rome].title, contract: g.contract(e),
		positions: 1, lat: site.lat, lon: site.lon, status: offerOpen}
	switch u := g.r.Float64(); {
	case u < 0.03:
		o.positions = g.between(6, 10)
	case u < 0.15:
		o.positions = g.between(3, 5)
	case u < 0.30:
		o.positions = 2
	}
	age := g.between(1, 200)
	o.created = g.at(g.daysAgo(age))
	if g.chance(0.85) {
		start := g.daysAgo(age).AddDate(0, 0, g.between(7, 40))
		o.start = &start
	}
	open := map[bool]float64{true: 0.3, false: 0.65}[age > 120]
	if age < 45 {
		open = 0.92
	}
	if u := g.r.Float64(); u >= open {
		o.status = offerClosed
		if u < open+(1-open)/2 {
			o.status = offerFilled
		}
		o.closed = g.at(g.daysAgo(g.between(1, max(1, age-3))))
		if !o.closed.After(o.created) {
			o.closed = o.created.Add(time.Hour)
		}
	}
	o.row = g.offerRow(e, site, o)
	return o
}

// The statuses of an offer, as the jobs package writes them.
const (
	offerOpen   = "open"
	offerFilled = "filled"
	offerClosed = "closed"
)

// contract draws the contract of an offer: insertion contracts in the
// insertion structures, professionalisation in the GEIQ.
func (g *jobsGen) contract(e employerPlan) string {
	o := g.pl.orgs[e.org].org
	switch {
	case o.Kind == orgs.KindGEIQ:
		return "PROFESSIONNALISATION"
	case o.Kind == orgs.KindSIAE && o.SIAEKind == "ETTI":
		return "INTERIM"
	case o.Kind == orgs.KindSIAE:
		return "CDDI"
	}
	switch u := g.r.Float64(); {
	case u < 0.35:
		return "CDI"
	case u < 0.72:
		return "CDD"
	case u < 0.88:
		return "INTERIM"
	case u < 0.95 && (e.sector.key == "restauration" || e.sector.key == "hotel" || e.sector.key == "paysage"):
		return "SAISONNIER"
	case u < 0.95:
		return "CDD"
	}
	return "APPRENTISSAGE"
}

// contractMonths are the usual lengths of each contract, in months.
var contractMonths = map[string][2]int{"CDD": {3, 12}, "INTERIM": {1, 6}, "CDDI": {4, 12}, "SAISONNIER": {2, 4},
	"APPRENTISSAGE": {12, 24}, "PROFESSIONNALISATION": {6, 12}}

// offerRow draws the details of an offer; status, update and closing are
// set once its candidacies are drawn.
func (g *jobsGen) offerRow(e employerPlan, site sitePlan, o offerPlan) []any {
	org := g.pl.orgs[e.org].org
	job := demoJobs[o.rome]
	months := 0
	if m, ok := contractMonths[o.contract]; ok {
		months = g.between(m[0], m[1])
	}
	minutes := 35 * 60
	if g.chance(job.partTime) {
		minutes = []int{17*60 + 30, 20 * 60, 24 * 60, 26 * 60, 30 * 60}[g.r.IntN(5)]
	} else if g.chance(0.05) {
		minutes = 0 // not said
	}
	licence := g.chance(job.licence)
	vehicle := licence && o.rome == "K1302" && g.chance(0.6)
	var quals, shifts []string
	if len(job.quals) > 0 && g.chance(0.4) {
		quals = append(quals, g.pick(job.quals))
	}
	for _, s := range job.shifts {
		if g.chance(0.3) {
			shifts = append(shifts, s)
		}
	}
	clause := ""
	if e.sector.market != "" && g.chance(0.3) || g.chance(0.03) {
		clause = g.clauseMarket(e.sector)
	}
	ref := ""
	if g.chance(0.35) {
		ref = fmt.Sprintf("REC-%d-%s", o.created.Year(), o.id[len(o.id)-6:])
	}
	var createdBy any = ""
	switch {
	case e.account >= 0:
		createdBy = userRef(e.account)
	case g.facilitator >= 0:
		createdBy = userRef(g.facilitator)
	}
	var start any
	if o.start != nil {
		start = o.start.Format(time.DateOnly)
	}
	description := fmt.Sprintf("%s recrute : poste de %s basé sur son site %s. Une prise de poste accompagnée est possible avec le référent de la personne.",
		org.Name, lowerFirst(job.title), de(g.communes[site.commune]))
	search := " " + refdata.Fold(o.title+" "+org.Name+" "+o.rome) + " "
	return []any{o.id, org.ID, g.pl.t.code, site.id, ref, o.title, o.rome, o.contract, months,
		minutes, o.positions, start, site.commune, site.lat, site.lon, licence, vehicle, strings.Join(quals, "\n"),
		strings.Join(shifts, ","), description, search, job.tension || g.chance(0.05), clause != "", clause, o.status, createdBy, o.created,
		o.created, nil}
}

// lowerFirst lowers the first letter of a title for the middle of a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// clauseMarket names a market of a public buyer with an insertion clause.
func (g *jobsGen) clauseMarket(s *sector) string {
	buyers := g.pl.byKind[orgs.KindPublicBuyer]
	what := s.market
	if what == "" {
		what = "entretien des bâtiments publics"
	}
	buyer := "Conseil départemental " + g.pl.t.dept.of
	if len(buyers) > 0 {
		buyer = g.pl.orgs[buyers[g.r.IntN(len(buyers))]].org.Name
	}
	return fmt.Sprintf("%s : %s (%d-%d)", buyer, what, g.today.Year()-1, g.today.Year()+2)
}
