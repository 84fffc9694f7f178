package demo

// The insertion clauses of the demo département, modelled on the seeds: a
// tramway line whose five lots owe 131,000 hours, with an ETTI placing
// about twenty people on a ten-month work-and-training path towards a
// titre professionnel (seed 003); a château restoration where 19 companies
// are concerned, 6 have started and 20 people were hired (seed 002); and
// the département's insertion market for its collèges, held by insertion
// structures employing people under CDDI (seed 001). The operations are
// laid out in clausesops.go; this file holds the machinery: participants,
// monthly lines with their history, outcomes and the writing.
//
// Twelve months of hours are drawn, those before the current one, so that
// progress, alerts, outcomes and reports all show something.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"tremplin/internal/clauses"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
)

// clauseTables lists the clauses tables in write order, with their columns.
var clauseTables = []struct {
	name    string
	columns []string
}{
	{"clause_operations", []string{"id", "territory", "name", "description", "facilitator_org_id", "facilitator_user_id", "pooled",
		"search_name", "created_at", "updated_at"}},
	{"clause_markets", []string{"id", "operation_id", "territory", "buyer_org_id", "reference", "title", "amount_cents", "start_date",
		"end_date", "clause_type", "hours_rule", "rule_base", "rule_rate", "required_centihours", "facilitator_org_id",
		"facilitator_user_id", "created_at", "updated_at"}},
	{"clause_awards", []string{"id", "market_id", "company_org_id", "role", "share_centihours", "fulfilment", "partner_org_id", "created_at"}},
	{"clause_participants", []string{"id", "territory", "person_id", "external_id", "first_name", "last_name", "birth_date", "sex",
		"commune_code", "qpv", "public", "public_reason", "proof_date", "validated_by", "validated_at", "match_key", "search_name",
		"created_by_org", "created_at", "updated_at"}},
	{"clause_hours", []string{"id", "territory", "market_id", "company_org_id", "participant_id", "month", "contract_type", "mode",
		"centihours", "via_org_id", "source", "entered_by", "created_at", "updated_at"}},
	{"clause_hours_history", []string{"id", "hours_id", "before_centihours", "after_centihours", "before_mode", "after_mode", "source",
		"changed_by", "changed_at"}},
	{"clause_outcomes", []string{"id", "participant_id", "operation_id", "stage", "outcome", "detail", "observed_on", "recorded_by",
		"recorded_at"}},
}

// clauseMonths is how many months of hours the demo holds, before the current one.
const clauseMonths = 12

// fullTime is the monthly hours of a full-time job (35 h a week), in hundredths.
const fullTime = 15167

// absent is the index of an organisation or an account the demo lacks.
const absent = -1

// clausesGen draws the insertion clauses of the demo.
type clausesGen struct {
	r    *rand.Rand
	pl   *planner
	jobs *jobsGen
	rows *pathwayRows
	// persons are the registry; linked marks those already a participant.
	persons []personPlan
	linked  map[int]bool
	holding map[string]orgs.Kind
	now     time.Time
	// month0 is the first day of the first month of hours.
	month0 time.Time
	// facilitator is the PLIE's facilitator account; plie, etti, geiq and ei are organisations.
	facilitator, plie, etti, geiq, ei int
	// accountOf gives the demo account of a company or structure, to sign the lines it enters.
	accountOf map[int]int
	external  int
}

// clauseOp is a drawn operation.
type clauseOp struct {
	id, name string
}

// clauseMarket is a drawn market; its row is written once its hours are known.
type clauseMarket struct {
	id, ref, title   string
	op               *clauseOp
	buyer            int
	amount           int64
	start, end       time.Time
	clauseType, rule string
	base, rate       float64
	required         int64
	created          time.Time
	awards           []clauseAward
	// done sums the hours drawn per company (organisation index).
	done map[int]int64
	// from is the first month of hours the market allows.
	from int
	// source and by sign the lines of the companies without a demo account.
	source string
	by     int
}

type clauseAward struct {
	company, partner int
	role, fulfilment string
	share            int64
}

// partPlan is a drawn participant.
type partPlan struct {
	id string
	// first and last are the months of the participant's first and last hours.
	first, last int
}

// profile is who the participants of an operation are.
type profile struct {
	men, qpv, linked float64
	publics          []weightedCode
}

type weightedCode struct {
	code   string
	weight float64
}

// slot is a participant to draw for a company: how they work and through whom.
type slot struct {
	contract, mode string
	// via is the structure employing or placing them, absent for none.
	via int
	// public is forced when set, drawn from the profile otherwise.
	public string
}

func newClausesGen(seed int64, pl *planner) *clausesGen {
	g := &clausesGen{r: rand.New(rand.NewPCG(uint64(seed), pcgStream+3)), pl: pl, now: pl.now.UTC(),
		linked: map[int]bool{}, holding: map[string]orgs.Kind{}, accountOf: map[int]int{},
		facilitator: absent, plie: absent, etti: absent, geiq: absent, ei: absent}
	// The new companies get their sites and contacts as the jobs side lays them out, from this stream.
	g.jobs = newJobsGen(seed, pl)
	g.jobs.r = g.r
	pl.r = g.r
	y, m, _ := g.now.Date()
	g.month0 = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -clauseMonths, 0)
	for _, o := range pl.orgs {
		g.holding[o.org.ID] = o.org.Kind
	}
	if l := pl.byKind[orgs.KindPLIE]; len(l) > 0 {
		g.plie = l[0]
	}
	if l := pl.byKind[orgs.KindGEIQ]; len(l) > 0 {
		g.geiq = l[0]
	}
	g.etti, g.ei = g.siae("ETTI"), g.siae("EI")
	for i, a := range pl.account {
		switch {
		case a.role == access.RoleFacilitator && a.org == g.plie && g.facilitator == absent:
			g.facilitator = i
		case a.role == access.RoleEmployer || a.role == access.RoleSIAEStaff:
			if _, ok := g.accountOf[a.org]; !ok && a.org >= 0 {
				g.accountOf[a.org] = i
			}
		}
	}
	return g
}

// siae returns the first insertion structure of a kind, absent without one.
func (g *clausesGen) siae(kind string) int {
	for _, i := range g.pl.byKind[orgs.KindSIAE] {
		if g.pl.orgs[i].org.SIAEKind == kind {
			return i
		}
	}
	return absent
}

// generate draws the three operations into the rows, after the jobs side.
func (g *clausesGen) generate(persons []personPlan, rows *pathwayRows) {
	if g.plie == absent || g.facilitator == absent || g.etti == absent {
		return
	}
	g.persons, g.rows = persons, rows
	g.jobs.rows = rows
	g.tramway()
	g.chateau()
	g.colleges()
}

func (g *clausesGen) add(table string, values ...any) {
	g.rows.tables[table] = append(g.rows.tables[table], values)
}

func (g *clausesGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *clausesGen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *clausesGen) orgID(i int) string {
	if i < 0 {
		return ""
	}
	return g.pl.orgs[i].org.ID
}

// user returns the reference of an account for a row, "" for none.
func (g *clausesGen) user(account int) any {
	if account < 0 {
		return ""
	}
	return userRef(account)
}

// monthStart returns the first day of month i of the hours, 0 the oldest.
func (g *clausesGen) monthStart(i int) time.Time { return g.month0.AddDate(0, i, 0) }

// monthEnd returns the last day of month i.
func (g *clausesGen) monthEnd(i int) time.Time { return g.monthStart(i+1).AddDate(0, 0, -1) }

// monthOf returns the index of the month of a date, which may be outside 0–11.
func (g *clausesGen) monthOf(t time.Time) int {
	return (t.Year()-g.month0.Year())*12 + int(t.Month()) - int(g.month0.Month())
}

// at is a working-hours instant of a day, never after now.
func (g *clausesGen) at(day time.Time) time.Time {
	t := day.Add(time.Duration(8*60+g.r.IntN(9*60)) * time.Minute)
	if !t.Before(g.now) {
		t = g.now.Add(-time.Duration(1+g.r.IntN(60)) * time.Minute)
	}
	return t
}

// today is the current day at midnight.
func (g *clausesGen) today() time.Time { return g.now.Truncate(24 * time.Hour) }

// elapsed is the share of a schedule gone by today, as the clauses progress measures it.
func (g *clausesGen) elapsed(start, end time.Time) float64 {
	total := end.Sub(start).Hours() + 24
	gone := g.today().Sub(start).Hours() + 24
	return math.Max(0, math.Min(1, gone/total))
}

// operation records an operation followed by the PLIE.
func (g *clausesGen) operation(name, description string, pooled bool, created time.Time) *clauseOp {
	op := &clauseOp{id: db.NewID(), name: name}
	g.add("clause_operations", op.id, g.pl.t.code, name, description, g.orgID(g.plie), g.user(g.facilitator), pooled,
		refdata.Fold(name), created, created)
	return op
}

// writeMarket records a market and its awards once its required hours are settled.
func (g *clausesGen) writeMarket(m *clauseMarket) {
	g.add("clause_markets", m.id, m.op.id, g.pl.t.code, g.orgID(m.buyer), m.ref, m.title, m.amount, m.start.Format(time.DateOnly),
		m.end.Format(time.DateOnly), m.clauseType, m.rule, m.base, m.rate, m.required, g.orgID(g.plie), g.user(g.facilitator),
		m.created, m.created)
	for _, a := range m.awards {
		g.add("clause_awards", db.NewID(), m.id, g.orgID(a.company), a.role, a.share, a.fulfilment, g.orgID(a.partner),
			g.at(m.created.AddDate(0, 0, g.between(1, 20))))
	}
}

// identity is who a participant is.
type identity struct {
	personID, first, last, sex, commune, public string
	birth                                       time.Time
}

// identity draws who a participant starting at a date is: for a share of
// them a person of the registry, whose public follows from who holds their
// file; public, when set, is forced and never taken from the registry.
func (g *clausesGen) identity(pr profile, public string, at time.Time) identity {
	if pi := g.registryPerson(public, pr.linked); pi >= 0 {
		pp := g.persons[pi].p
		return identity{personID: pp.ID, first: pp.FirstName, last: pp.LastName, sex: map[string]string{"1": "M", "2": "F"}[pp.Sex],
			commune: pp.CommuneCode, public: g.publicOf(pp.HoldingOrgID, *pp.BirthDate, at), birth: *pp.BirthDate}
	}
	if public == "" {
		public = g.drawPublic(pr.publics)
	}
	s := 1
	if g.chance(pr.men) {
		s = 0
	}
	birth := g.birth(public, at)
	o := pickOrigin(g.r)
	return identity{first: firstName(g.r, o, s, birth.Year()), last: pickRanked(g.r, surnames[o]), sex: [2]string{"M", "F"}[s],
		commune: g.jobs.commune().Code, public: public, birth: birth}
}

// participant draws a participant whose first month of hours is first;
// byOrg is the structure that entered it.
func (g *clausesGen) participant(pr profile, public string, first, byOrg int) *partPlan {
	p := &partPlan{id: db.NewID(), first: first, last: first}
	who := g.identity(pr, public, g.monthStart(first))
	reason := ""
	if who.public == "AUTRE" {
		reason = otherReasons[g.r.IntN(len(otherReasons))]
	}
	ext := ""
	if g.chance(0.75) {
		g.external++
		ext = fmt.Sprintf("PLIE-%05d", g.external)
	}
	// The eligibility is proven before the first month and checked by the
	// facilitator for most; an "other" public is always checked.
	proof := g.monthStart(first).AddDate(0, 0, -g.between(3, 45))
	created := g.at(proof)
	var proofDay, validatedAt any
	var validatedBy any = ""
	updated := created
	switch {
	case who.public == "AUTRE" || g.chance(0.9):
		v := g.at(proof.AddDate(0, 0, g.between(1, 12)))
		if v.Before(created) {
			v = created
		}
		proofDay, validatedBy, validatedAt, updated = proof.Format(time.DateOnly), g.user(g.facilitator), v, v
	case g.chance(0.5):
		proofDay = proof.Format(time.DateOnly)
	}
	// The match key is the clauses store's matchKey, which this package cannot
	// call: folded last name, folded first name and birth date, joined by "|".
	birth := who.birth.Format(time.DateOnly)
	key := refdata.Fold(who.last) + "|" + refdata.Fold(who.first) + "|" + birth
	g.add("clause_participants", p.id, g.pl.t.code, who.personID, ext, who.first, who.last, birth, who.sex, who.commune,
		g.chance(pr.qpv), who.public, reason, proofDay, validatedBy, validatedAt, key, refdata.Fold(who.last+" "+who.first),
		g.orgID(byOrg), created, updated)
	return p
}

// registryPerson picks, for a share of the participants, a person of the
// registry not yet a participant; -1 when none is picked.
func (g *clausesGen) registryPerson(public string, share float64) int {
	if public != "" || len(g.persons) == 0 || !g.chance(share) {
		return -1
	}
	for range 30 {
		i := g.r.IntN(len(g.persons))
		p := g.persons[i].p
		if g.linked[i] || p.BirthDate == nil {
			continue
		}
		if age := yearsBetween(*p.BirthDate, g.now); age < 18 || age > 62 {
			continue
		}
		g.linked[i] = true
		return i
	}
	return -1
}

// publicOf derives the public of a person of the registry from who holds their file.
func (g *clausesGen) publicOf(holdingOrg string, birth, at time.Time) string {
	switch g.holding[holdingOrg] {
	case orgs.KindMissionLocale:
		if yearsBetween(birth, at) < 26 {
			return "JEUNE_26"
		}
		return "DELD"
	case orgs.KindCapEmploi:
		return "RQTH"
	case orgs.KindPLIE:
		return "DELD"
	}
	return "BRSA"
}

func (g *clausesGen) drawPublic(publics []weightedCode) string {
	total := 0.0
	for _, p := range publics {
		total += p.weight
	}
	u := g.r.Float64() * total
	for _, p := range publics {
		if u < p.weight {
			return p.code
		}
		u -= p.weight
	}
	return publics[0].code
}

// birth draws a birth date for the public: under 26 for the young, 26 to 62 otherwise.
func (g *clausesGen) birth(public string, at time.Time) time.Time {
	var age int
	switch u := g.r.Float64(); {
	case public == "JEUNE_26":
		age = g.between(18, 25)
	case u < 0.55:
		age = g.between(26, 44)
	case u < 0.8:
		age = g.between(45, 54)
	default:
		age = g.between(55, 61)
	}
	return at.AddDate(-age, 0, -g.between(1, 360))
}

// yearsBetween is the age in whole years at a date.
func yearsBetween(birth, at time.Time) int {
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || at.Month() == birth.Month() && at.Day() < birth.Day() {
		age--
	}
	return age
}

// line records the hours a participant worked for a company on a market in a
// month, with its creation in the history and, for a few, a correction.
func (g *clausesGen) line(m *clauseMarket, company int, p *partPlan, month int, contract, mode string, via int, hours int64) {
	if month < 0 || month >= clauseMonths || hours <= 0 {
		return
	}
	p.first, p.last = min(p.first, month), max(p.last, month)
	m.done[company] += hours
	source, by := g.signer(m, company, via)
	id := db.NewID()
	created := g.at(g.monthStart(month+1).AddDate(0, 0, g.between(1, 14)))
	updated, finalSource, finalBy := created, source, g.user(by)
	first, firstMode := hours, mode
	// About one line in forty is corrected by the facilitator: a typing slip, or a placement entered as a hire.
	fixed := created.Add(time.Duration(g.between(2, 20)*24) * time.Hour)
	if fixed.Before(g.now) && g.chance(0.025) {
		if mode == "MISE_A_DISPOSITION" && g.chance(0.3) {
			firstMode = "EMBAUCHE_DIRECTE"
		} else {
			first = typo(g.r, hours)
		}
		fixed = g.at(fixed.Truncate(24 * time.Hour))
		if fixed.Before(created) {
			fixed = created.Add(time.Minute)
		}
		g.add("clause_hours_history", db.NewID(), id, first, hours, firstMode, mode, "ui", g.user(g.facilitator), fixed)
		updated, finalSource, finalBy = fixed, "ui", g.user(g.facilitator)
	}
	g.add("clause_hours_history", db.NewID(), id, nil, first, "", firstMode, source, g.user(by), created)
	g.add("clause_hours", id, g.pl.t.code, m.id, g.orgID(company), p.id, g.monthStart(month).Format("2006-01"), contract, mode,
		hours, g.orgID(via), finalSource, finalBy, created, updated)
}

// signer returns who entered a line: the placing structure or the company
// when it has a demo account (the GEIQ through the API), the market's
// default (the facilitator's import) otherwise.
func (g *clausesGen) signer(m *clauseMarket, company, via int) (string, int) {
	if a, ok := g.accountOf[via]; ok && via >= 0 {
		if via == g.geiq {
			return "api", a
		}
		return "ui", a
	}
	if a, ok := g.accountOf[company]; ok {
		return "ui", a
	}
	return m.source, m.by
}

// typo returns what was first typed for hours: a digit dropped or a few hours off.
func typo(r *rand.Rand, hours int64) int64 {
	off := int64(r.IntN(15)+1) * 100
	switch {
	case hours >= 10000 && r.IntN(2) == 0:
		return hours / 10
	case hours > off+100 && r.IntN(2) == 0:
		return hours - off
	}
	return hours + off
}

// monthlyHours draws the hours of a month around base, full time kept exact.
func (g *clausesGen) monthlyHours(base int64, lo, hi int64) int64 {
	if base >= fullTime {
		if g.chance(0.85) {
			return fullTime
		}
		return fullTime - int64(g.between(1, 3))*700 // a few days off
	}
	h := int64(float64(base) * (0.92 + 0.16*g.r.Float64()))
	return max(lo, min(hi, h))
}

// fullMonth draws the hours of a month of full-time work.
func (g *clausesGen) fullMonth() int64 { return g.monthlyHours(fullTime, 3500, fullTime) }

// fill draws a participant per slot on a company's market, sharing target
// hours (in hundredths) among them, and returns them.
func (g *clausesGen) fill(m *clauseMarket, company int, target int64, slots []slot, pr profile) []*partPlan {
	var out []*partPlan
	avail := clauseMonths - m.from
	if avail <= 0 {
		return nil
	}
	for i, s := range slots {
		remaining := target - m.done[company]
		share := remaining / int64(len(slots)-i)
		if i < len(slots)-1 {
			share = int64(float64(share) * (0.75 + 0.5*g.r.Float64()))
		}
		lo, hi := int64(3500), int64(fullTime)
		base := []int64{fullTime, fullTime, 13000, 12000, 10400}[g.r.IntN(5)]
		if s.mode == "FORMATION" {
			lo, hi, base = 1400, 10500, int64(g.between(35, 70))*100
		}
		k := max(1, min(avail, int(math.Round(float64(share)/float64(base)))))
		base = max(lo, min(hi, share/int64(k)))
		from := m.from + g.r.IntN(avail-k+1)
		p := g.participant(pr, s.public, from, g.plie)
		for mo := from; mo < from+k; mo++ {
			g.line(m, company, p, mo, s.contract, s.mode, s.via, g.monthlyHours(base, lo, hi))
		}
		out = append(out, p)
	}
	return out
}

// outcomes records, for a share of the participants whose last month is past,
// what became of them at the end and, six months on, later.
func (g *clausesGen) outcomes(op *clauseOp, parts []*partPlan, share float64) {
	for _, p := range parts {
		if p.last > clauseMonths-3 || !g.chance(share) {
			continue
		}
		end := g.monthEnd(p.last).AddDate(0, 0, g.between(0, 10))
		g.outcome(op, p, "end", drawOutcome(g.r, endOutcomes), end)
		if six := end.AddDate(0, 6, 0); six.Before(g.today()) && g.chance(0.6) {
			g.outcome(op, p, "six_months", drawOutcome(g.r, sixMonthOutcomes), six)
		}
	}
}

// outcome records one outcome, observed on a day and entered a few days later.
func (g *clausesGen) outcome(op *clauseOp, p *partPlan, stage string, o outcomeDraw, on time.Time) {
	if on.After(g.today()) {
		on = g.today()
	}
	recorded := g.at(on.AddDate(0, 0, g.between(0, 8)))
	if recorded.Before(on) {
		recorded = on
	}
	g.add("clause_outcomes", db.NewID(), p.id, op.id, stage, o.code, o.detail, on.Format(time.DateOnly), g.user(g.facilitator), recorded)
}

type outcomeDraw struct {
	code, detail string
	weight       float64
}

func drawOutcome(r *rand.Rand, list []outcomeDraw) outcomeDraw {
	u := r.Float64()
	for _, o := range list {
		if u < o.weight {
			return o
		}
		u -= o.weight
	}
	return list[len(list)-1]
}

var endOutcomes = []outcomeDraw{
	{"cdi", "Embauche en CDI à la fin de la mission", 0.12}, {"cdd6", "CDD de six mois ou plus", 0.2},
	{"interim", "Missions d'intérim", 0.15}, {"training", "Entrée en formation qualifiante", 0.15},
	{"qualification", "Certificat de compétences professionnelles obtenu", 0.08}, {"none", "Sans solution à ce jour", 0.3},
}

var sixMonthOutcomes = []outcomeDraw{
	{"cdi", "En CDI", 0.2}, {"cdd6", "En CDD de six mois ou plus", 0.25}, {"interim", "En intérim", 0.15},
	{"training", "En formation", 0.1}, {"none", "Sans emploi ni formation", 0.3},
}

// otherReasons are the facilitators' reasons for accepting an "other" public.
var otherReasons = []string{
	"Sortant de détention accompagné par le SPIP, sans expérience récente",
	"Réfugié statutaire sans expérience professionnelle en France",
	"Sans domicile stable, suivi par le CCAS",
	"Jeune de 27 ans sans qualification suivi par la mission locale",
	"Reprise d'activité après un long congé parental, sans qualification",
}

// writeClauses inserts the drawn clauses rows, resolving account references.
func (w *writer) writeClauses(ctx context.Context, tx *db.Tx, rows pathwayRows, userIDs []string) error {
	for _, t := range clauseTables {
		b := newBatch(ctx, tx, t.name, t.columns, max(1, 2000/len(t.columns)))
		for _, row := range rows.tables[t.name] {
			for i, v := range row {
				if ref, ok := v.(userRef); ok {
					row[i] = userIDs[ref]
				}
			}
			if err := b.add(row...); err != nil {
				return err
			}
		}
		if err := b.flush(); err != nil {
			return err
		}
		w.progress.report("clauses", len(rows.tables[t.name]), len(rows.tables[t.name]))
	}
	// The lines were inserted directly: their yearly totals are built as the service would have kept them.
	return clauses.RebuildYearTotals(ctx, tx)
}
