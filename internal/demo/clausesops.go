package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
)

// The three operations of the demo: what they owe, who holds them, who works on them.

// tramHours is the insertion hours imposed on the tramway works, as on the T9 (seed 003).
const tramHours = 131_000

// tramLots are the lots of the tramway works: their title, the company
// holding each, the hours owed (131,000 in all), the people of the
// work-and-training path placed there, the title they prepare, and the
// other people the company employs or has placed.
var tramLots = []struct {
	title, company, naf, fulfilment string
	hours, euros                    int64
	cohort                          int
	qualification                   string
	others                          []string
}{
	{"génie civil, terrassements et plateforme", "{nom} Génie civil", "42.11Z", "direct_hire,placement,training", 42_000, 38_600_000, 6,
		"Titre professionnel Constructeur en voirie urbaine et réseaux", []string{"cdd", "cdd", "cdi", "etti", "etti", "etti"}},
	{"pose de voie et revêtements de plateforme", "Voies ferrées {nom}", "42.12Z", "placement,training", 30_000, 27_400_000, 5,
		"Titre professionnel Constructeur en voirie urbaine et réseaux", []string{"cdd", "etti", "etti"}},
	{"stations, quais et mobilier urbain", "Constructions {nom} et Fils", "41.20B", "direct_hire,placement,training", 22_000, 16_800_000, 3,
		"Titre professionnel Maçon", []string{"cdd", "app", "etti", "etti"}},
	{"alimentation électrique, lignes aériennes et signalisation", "{nom} Énergie et Réseaux", "42.22Z", "placement,training", 20_000,
		21_300_000, 3, "Titre professionnel Électricien d'équipement du bâtiment", []string{"app", "etti", "etti"}},
	{"aménagements urbains, voirie et espaces verts", "Paysages et Voiries {nom}", "81.30Z", "direct_hire,placement,subcontracting,training",
		17_000, 12_900_000, 3, "Titre professionnel Constructeur en voirie urbaine et réseaux", []string{"cdd", "ei", "ei"}},
}

// chateauLot is a lot of the château restoration, starting offset months
// from the current one and lasting months.
type chateauLot struct {
	title          string
	offset, months int
	rule           string
	base, rate     float64
	hours, euros   int64
	awards         []chateauAward
}

// chateauAward is a company concerned by a lot; pattern "tram" is the
// tramway's civil engineering company, co-contractor here too. pace is the
// share of its pro-rata it has done: on time above 1, late below 0.8, 0
// for the companies that have not started.
type chateauAward struct {
	pattern, naf, role, fulfilment, partner string
	share                                   int64
	pace                                    float64
	slots                                   []string
}

// chateauLots: 19 companies concerned over 8 lots, 6 of them started (the
// lots to come have not begun), 20 of the 42 people hired directly, one
// company late and one silent (seed 002).
var chateauLots = []chateauLot{
	{"gros œuvre, maçonnerie et pierre de taille", -13, 24, "labour_share", 240_000, 5, 12_000, 9_800_000, []chateauAward{
		{"Pierre et Patrimoine {nom}", "43.99C", "holder", "direct_hire,placement,subcontracting", "etti", 7_000, 1.15,
			[]string{"cdd", "cdd", "cdd", "cdd", "cdi", "app", "app", "etti", "etti", "etti", "etti", "etti", "etti", "ei", "ei", "ei"}},
		{"tram", "", "cocontractor", "direct_hire,placement", "geiq", 3_500, 1.15, []string{"cdd", "cdd", "cdi", "geiq", "geiq", "geiq"}},
		{"Taille de pierre {nom}", "43.99C", "subcontractor", "direct_hire", "", 1_500, 0, nil},
	}},
	{"charpente", -10, 16, "fixed", 0, 0, 4_500, 2_100_000, []chateauAward{
		{"Charpentes {nom}", "43.91A", "holder", "direct_hire,placement,training", "etti", 4_500, 1.15,
			[]string{"cdd", "cdd", "cdd", "app", "etti", "etti", "etti", "form", "form"}},
	}},
	{"couverture et zinguerie", -8, 16, "fixed", 0, 0, 4_000, 1_900_000, []chateauAward{
		{"Couverture {nom}", "43.91B", "holder", "direct_hire,placement", "etti", 4_000, 0.45, []string{"cdd", "etti", "etti"}},
	}},
	{"menuiseries extérieures et serrurerie", -5, 15, "labour_share", 60_000, 5, 3_000, 1_400_000, []chateauAward{
		{"Menuiserie d'art {nom}", "43.32A", "holder", "direct_hire,placement", "etti", 2_200, 1.15, []string{"cdd", "cdd", "app", "etti", "etti", "etti"}},
		{"Ferronnerie {nom}", "43.32B", "subcontractor", "direct_hire", "", 800, 1.15, []string{"cdd", "cdi"}},
	}},
	{"plâtrerie, staff et décors", 1, 12, "fixed", 0, 0, 3_500, 1_600_000, []chateauAward{
		{"Staff et Décors {nom}", "43.31Z", "holder", "direct_hire", "", 2_000, 0, nil},
		{"Ateliers {nom} Restauration", "90.03A", "cocontractor", "direct_hire", "", 1_000, 0, nil},
		{"Plâtrerie {nom}", "43.31Z", "subcontractor", "direct_hire", "", 500, 0, nil},
	}},
	{"électricité et courants faibles", 2, 10, "per_euro", 1_200_000, 2.5, 3_000, 1_200_000, []chateauAward{
		{"Électricité {nom}", "43.21A", "holder", "direct_hire,placement", "", 1_800, 0, nil},
		{"{nom} Courants faibles", "43.21A", "cocontractor", "direct_hire", "", 800, 0, nil},
		{"Éclairage {nom}", "43.21A", "subcontractor", "direct_hire", "", 400, 0, nil},
	}},
	{"chauffage, ventilation et plomberie", 2, 10, "fixed", 0, 0, 3_000, 1_300_000, []chateauAward{
		{"Thermique {nom}", "43.22B", "holder", "direct_hire,placement", "", 1_800, 0, nil},
		{"Plomberie {nom}", "43.22A", "cocontractor", "direct_hire", "", 700, 0, nil},
		{"Ventilation {nom}", "43.22B", "subcontractor", "direct_hire", "", 500, 0, nil},
	}},
	{"peinture, dorure et abords", 4, 9, "per_euro", 1_000_000, 2.5, 2_500, 1_000_000, []chateauAward{
		{"Peinture {nom}", "43.34Z", "holder", "direct_hire", "", 1_500, 0, nil},
		{"Dorure et Décors {nom}", "43.34Z", "cocontractor", "direct_hire", "", 600, 0, nil},
		{"Jardins {nom}", "81.30Z", "subcontractor", "direct_hire,subcontracting", "", 400, 0, nil},
	}},
}

// collegeTrades are the lots of the collèges' insertion market, each held by
// an insertion structure of the trade (an existing one whose sector is in
// keys, else a new one named after pattern), with the share of the people
// and their usual monthly hours.
var collegeTrades = []struct {
	title, siaeKind, pattern, naf, sector string
	keys                                  []string
	weight, men                           float64
	bases                                 []int64
}{
	{"restauration scolaire", "EI", "Saveurs solidaires {de}", "56.29A", "restauration", []string{"restauration"}, 0.4, 0.3,
		[]int64{10400, 13000, fullTime}},
	{"entretien des locaux", "ACI", "Régie de quartier {de}", "81.21Z", "nettoyage", []string{"nettoyage"}, 0.3, 0.3, []int64{8667, 11267}},
	{"entretien des espaces verts", "ACI", "Chantier nature {de}", "81.30Z", "paysage", []string{"paysage", "maraichage"}, 0.15, 0.75,
		[]int64{8667, 11267}},
	{"petits travaux de maintenance", "EI", "Bâtir ensemble {de}", "43.99C", "btp", []string{"btp"}, 0.15, 0.85, []int64{13000, fullTime}},
}

// collegeParticipants is how many people work on the collèges' market, by demo size.
var collegeParticipants = map[bool]int{false: 60, true: 600}

// worksPublics are the publics of the building sites.
var worksPublics = []weightedCode{{"BRSA", 40}, {"DELD", 22}, {"JEUNE_26", 18}, {"RQTH", 5}, {"MINIMA_SOCIAUX", 6}, {"SIAE", 5}, {"AUTRE", 4}}

// collegePublics are the publics of the insertion structures of the collèges.
var collegePublics = []weightedCode{{"BRSA", 45}, {"DELD", 15}, {"JEUNE_26", 10}, {"RQTH", 7}, {"MINIMA_SOCIAUX", 8}, {"SIAE", 12}, {"AUTRE", 3}}

var worksProfile = profile{men: 0.88, qpv: 0.25, linked: 0.35, publics: worksPublics}

// slot returns how a participant of a code works: "cdd", "cdi" and "app"
// are hired by the company, "etti", "geiq" and "ei" placed or employed by
// the structure, "form" in training.
func (g *clausesGen) slot(code string) slot {
	switch {
	case code == "cdi":
		return slot{"CDI", "EMBAUCHE_DIRECTE", absent, ""}
	case code == "app":
		return slot{"APPRENTISSAGE", "EMBAUCHE_DIRECTE", absent, "JEUNE_26"}
	case code == "etti":
		return slot{"INTERIM", "MISE_A_DISPOSITION", g.etti, ""}
	case code == "geiq" && g.geiq != absent:
		return slot{"PROFESSIONNALISATION", "MISE_A_DISPOSITION", g.geiq, ""}
	case code == "ei" && g.ei != absent:
		return slot{"CDDI", "SOUS_TRAITANCE", g.ei, "SIAE"}
	case code == "form":
		return slot{"FORMATION", "FORMATION", absent, ""}
	}
	return slot{"CDD", "EMBAUCHE_DIRECTE", absent, ""}
}

func (g *clausesGen) slots(codes []string) []slot {
	out := make([]slot, len(codes))
	for i, c := range codes {
		out[i] = g.slot(c)
	}
	return out
}

// partner returns the organisation a code names: the ETTI, the GEIQ or none.
func (g *clausesGen) partner(code string) int {
	switch code {
	case "etti":
		return g.etti
	case "geiq":
		return g.geiq
	}
	return absent
}

// buyer returns the public buyer whose name starts with prefix, else the first one.
func (g *clausesGen) buyer(prefix string) int {
	list := g.pl.byKind[orgs.KindPublicBuyer]
	for _, i := range list {
		if strings.HasPrefix(g.pl.orgs[i].org.Name, prefix) {
			return i
		}
	}
	if len(list) > 0 {
		return list[0]
	}
	return g.pl.first(orgs.KindDepartement)
}

// company adds a company (or an insertion structure) sitting in commune c,
// with its NAF code, sites and contacts, and a demo account when local is set.
func (g *clausesGen) company(kind orgs.Kind, siaeKind, pattern, naf, sectorKey, local string, c refdata.Commune) int {
	name := ""
	for try := 0; try < 20 && (name == "" || g.pl.names[name]); try++ {
		name = strings.NewReplacer("{nom}", pickRanked(g.r, surnames[originGeneral]), "{de}", de(c.Name)).Replace(pattern)
	}
	org := g.pl.addOrg(kind, siaeKind, name, c, "")
	acc := absent
	if local != "" {
		role := access.RoleEmployer
		if kind == orgs.KindSIAE {
			role = access.RoleSIAEStaff
		}
		g.pl.addAccount(local, role, "", org)
		acc = len(g.pl.account) - 1
		g.accountOf[org] = acc
	}
	g.jobs.addEmployer(org, sectorByKey(sectorKey), naf, acc, 1)
	return org
}

// newMarket prepares a market of an operation; its row is written by writeMarket.
func (g *clausesGen) newMarket(op *clauseOp, buyer int, ref, title string, start, end time.Time, clauseType string) *clauseMarket {
	created := g.at(start.AddDate(0, -2, -g.between(0, 20)))
	return &clauseMarket{id: db.NewID(), ref: ref, title: title, op: op, buyer: buyer, start: start, end: end, clauseType: clauseType,
		rule: "fixed", created: created, done: map[int]int64{}, from: max(0, g.monthOf(start)), source: "import", by: g.facilitator}
}

// target is the hours a company has done when it keeps pace times its pro-rata.
func (g *clausesGen) target(share int64, start, end time.Time, pace float64) int64 {
	return int64(float64(share) * g.elapsed(start, end) * pace)
}

// tramway draws the tramway works: five lots held by five companies with
// the ETTI as partner, a work-and-training path of about twenty people,
// and the companies' own hires and placements.
func (g *clausesGen) tramway() {
	buyer := g.buyer("Syndicat mixte")
	town := g.pl.orgs[buyer].org.CommuneName
	start := g.monthStart(0)
	end := start.AddDate(3, 6, -1)
	op := g.operation("Tramway — ligne T2 (travaux)", fmt.Sprintf("Travaux de la ligne T2 du tramway de l'agglomération %s, "+
		"maître d'ouvrage : %s. %d heures d'insertion mutualisées entre les lots ; parcours de formation en alternance de dix mois "+
		"vers un titre professionnel avec l'ETTI partenaire.", de(town), g.pl.orgs[buyer].org.Name, tramHours), true,
		g.at(start.AddDate(0, -4, 0)))
	markets := make([]*clauseMarket, len(tramLots))
	companies := make([]int, len(tramLots))
	for i, lot := range tramLots {
		local := ""
		if i == 0 {
			// The civil engineering company has a demo account: it declares its own hours.
			local = "entreprise.travaux"
		}
		companies[i] = g.company(orgs.KindEmployer, "", lot.company, lot.naf, "btp", local, g.jobs.commune())
		m := g.newMarket(op, buyer, fmt.Sprintf("SMT-T2-%d-L%02d", start.Year(), i+1), fmt.Sprintf("Ligne T2, lot %d : %s", i+1, lot.title),
			start, end, "execution")
		m.amount, m.required = lot.euros*100, lot.hours*100
		m.awards = []clauseAward{{company: companies[i], partner: g.etti, role: "holder", fulfilment: lot.fulfilment, share: m.required}}
		markets[i] = m
	}
	g.tramCohort(op, markets, companies)
	var others []*partPlan
	for i, lot := range tramLots {
		m := markets[i]
		parts := g.fill(m, companies[i], g.target(m.required, start, end, 1.12), g.slots(lot.others), worksProfile)
		if i == 0 {
			// A temp of the first lot goes on to the second: counted once on the operation.
			for j, code := range lot.others {
				if p := parts[j]; code == "etti" && p.last < clauseMonths-2 {
					for mo := p.last + 1; mo <= p.last+2; mo++ {
						g.line(markets[1], companies[1], p, mo, "INTERIM", "MISE_A_DISPOSITION", g.etti, g.fullMonth())
					}
					break
				}
			}
		}
		others = append(others, parts...)
	}
	g.outcomes(op, others, 0.5)
	for _, m := range markets {
		g.writeMarket(m)
	}
}

// tramMember is a person of the tramway's work-and-training path and the lot they work on.
type tramMember struct {
	p   *partPlan
	lot int
}

// tramPathEnd is the last month of the ten-month path, which starts with the hours.
const tramPathEnd = 9

// tramCohort draws the ten-month work-and-training path: placed by the
// ETTI under a professionalisation contract on the lots, with training
// hours every month; three leave early, the others sit their titre
// professionnel at the end.
func (g *clausesGen) tramCohort(op *clauseOp, markets []*clauseMarket, companies []int) {
	var members []tramMember
	for li, lot := range tramLots {
		for range lot.cohort {
			members = append(members, tramMember{g.participant(worksProfile, "", 0, g.plie), li})
		}
	}
	order := g.r.Perm(len(members))
	leaving := map[int]int{order[0]: 3, order[1]: 4, order[2]: 5}
	for i, mb := range members {
		last := tramPathEnd
		if l, ok := leaving[i]; ok {
			last = l
		}
		for mo := 0; mo <= last; mo++ {
			g.line(markets[mb.lot], companies[mb.lot], mb.p, mo, "PROFESSIONNALISATION", "MISE_A_DISPOSITION", g.etti, int64(g.between(98, 121))*100)
			g.line(markets[mb.lot], companies[mb.lot], mb.p, mo, "FORMATION", "FORMATION", g.etti, int64(g.between(28, 46))*100)
		}
	}
	var early, rest []tramMember
	for k, i := range order {
		if k < len(leaving) {
			early = append(early, members[i])
		} else {
			rest = append(rest, members[i])
		}
	}
	g.tramLeavers(op, markets, companies, early)
	g.tramJury(op, markets, companies, rest)
}

// tramLeavers records the early leavers: one hired on a CDI by the company
// (their hours go on), one who gave up, one gone to temping; their six
// months have passed.
func (g *clausesGen) tramLeavers(op *clauseOp, markets []*clauseMarket, companies []int, early []tramMember) {
	outcomes := []struct{ end, six outcomeDraw }{
		{outcomeDraw{"cdi", "Embauché en CDI par l'entreprise du lot avant la fin du parcours", 0}, outcomeDraw{"cdi", "Toujours en CDI dans l'entreprise", 0}},
		{outcomeDraw{"none", "Abandon du parcours pour raisons de santé", 0}, outcomeDraw{"training", "Remise à niveau avant une nouvelle entrée en formation", 0}},
		{outcomeDraw{"interim", "Missions d'intérim dans les travaux publics", 0}, outcomeDraw{"cdd6", "CDD de huit mois dans une entreprise de voirie", 0}},
	}
	for k, mb := range early {
		left := mb.p.last
		if k == 0 {
			for mo := left + 1; mo < clauseMonths; mo++ {
				g.line(markets[mb.lot], companies[mb.lot], mb.p, mo, "CDI", "EMBAUCHE_DIRECTE", absent, g.fullMonth())
			}
		}
		g.outcome(op, mb.p, "end", outcomes[k].end, g.monthEnd(left))
		g.outcome(op, mb.p, "six_months", outcomes[k].six, g.monthEnd(left).AddDate(0, 0, 183))
	}
}

// tramJury records the end of the path: the titre professionnel for all
// but three, six of the qualified hired by their company afterwards.
func (g *clausesGen) tramJury(op *clauseOp, markets []*clauseMarket, companies []int, rest []tramMember) {
	jury := g.monthEnd(tramPathEnd).AddDate(0, 0, g.between(0, 6))
	others := []outcomeDraw{{"training", "Poursuite en formation : CACES R482 engins de chantier", 0},
		{"cdd6", "CDD de six mois chez un sous-traitant du chantier", 0}, {"none", "Titre non obtenu ; accompagnement poursuivi par le PLIE", 0}}
	qualified := len(rest) - len(others)
	for n, mb := range rest {
		if n >= qualified {
			g.outcome(op, mb.p, "end", others[n-qualified], jury)
			continue
		}
		g.outcome(op, mb.p, "end", outcomeDraw{code: "qualification", detail: tramLots[mb.lot].qualification}, jury)
		if n < 6 {
			contract := [3]string{"CDD", "CDD", "CDI"}[n%3]
			for mo := tramPathEnd + 1; mo < clauseMonths; mo++ {
				g.line(markets[mb.lot], companies[mb.lot], mb.p, mo, contract, "EMBAUCHE_DIRECTE", absent, g.fullMonth())
			}
		}
	}
}

// chateau draws the château restoration, a town's works: eight lots, the
// first four under way, the others to come.
func (g *clausesGen) chateau() {
	buyer := g.buyer("Ville")
	cm := g.monthStart(clauseMonths)
	first := cm.AddDate(0, chateauLots[0].offset, 0)
	op := g.operation("Restauration du château de Beauregard", fmt.Sprintf("Restauration du château de Beauregard, maître d'ouvrage : %s. "+
		"Clos et couvert, décors intérieurs, réseaux et abords, en %d lots ; les heures d'insertion sont suivies lot par lot.",
		g.pl.orgs[buyer].org.Name, len(chateauLots)), false, g.at(first.AddDate(0, -3, 0)))
	tramCompany := absent
	for _, a := range g.pl.account {
		if a.email == "entreprise.travaux@"+Domain {
			tramCompany = a.org
		}
	}
	var parts []*partPlan
	for i, lot := range chateauLots {
		start := cm.AddDate(0, lot.offset, g.between(0, 9))
		end := start.AddDate(0, lot.months, -1)
		m := g.newMarket(op, buyer, fmt.Sprintf("CHB-%d-L%02d", first.Year(), i+1), fmt.Sprintf("Château de Beauregard, lot %d : %s", i+1, lot.title),
			start, end, "execution")
		m.amount, m.rule, m.base, m.rate, m.required = lot.euros*100, lot.rule, lot.base, lot.rate, lot.hours*100
		for _, aw := range lot.awards {
			company := tramCompany
			if aw.pattern != "tram" || company == absent {
				company = g.company(orgs.KindEmployer, "", aw.pattern, aw.naf, "btp", "", g.jobs.commune())
			}
			m.awards = append(m.awards, clauseAward{company: company, partner: g.partner(aw.partner), role: aw.role, fulfilment: aw.fulfilment, share: aw.share * 100})
			if aw.pace > 0 {
				parts = append(parts, g.fill(m, company, g.target(aw.share*100, start, end, aw.pace), g.slots(aw.slots), worksProfile)...)
			}
		}
		g.writeMarket(m)
	}
	g.outcomes(op, parts, 0.5)
}

// colleges draws the département's insertion market for its collèges: a
// lot per trade and sector held by an insertion structure, its people on
// CDDI for a few months each, every month of the year covered.
func (g *clausesGen) colleges() {
	dept := g.pl.first(orgs.KindDepartement)
	start := g.monthStart(0)
	end := start.AddDate(2, 0, -1)
	op := g.operation("Marché d'insertion des collèges", "Restauration scolaire, entretien des locaux et des espaces verts, petits travaux "+
		"de maintenance dans les collèges du département, confiés à des structures d'insertion par l'activité économique qui "+
		"emploient et accompagnent les personnes.", false, g.at(start.AddDate(0, -5, 0)))
	sectors := []int{-1}
	if g.pl.big {
		sectors = []int{0, 1, 2}
	}
	used := map[int]bool{}
	total := collegeParticipants[g.pl.big]
	var parts []*partPlan
	lot := 0
	for _, s := range sectors {
		for _, tr := range collegeTrades {
			lot++
			holder := g.collegeHolder(tr.keys, used)
			if holder == absent {
				c := g.pl.t.hub(lot + 1)
				if s >= 0 {
					c = g.pl.t.hub(s)
				}
				holder = g.company(orgs.KindSIAE, tr.siaeKind, tr.pattern, tr.naf, tr.sector, "", c)
			}
			used[holder] = true
			title := fmt.Sprintf("Collèges, lot %d : %s", lot, tr.title)
			if s >= 0 {
				title = fmt.Sprintf("Collèges du secteur %s, lot %d : %s", de(g.pl.t.hub(s).Name), lot, tr.title)
			}
			m := g.newMarket(op, dept, fmt.Sprintf("CD%s-MI-%d-L%02d", g.pl.t.code, start.Year(), lot), title, start, end, "marche_insertion")
			pr := profile{men: tr.men, qpv: 0.3, linked: 0.3, publics: collegePublics}
			n := max(3, int(float64(total)*tr.weight/float64(len(sectors))+0.5))
			for j := range n {
				parts = append(parts, g.collegeWorker(m, holder, pr, tr.bases, (j+lot*5)%clauseMonths))
			}
			// The hours owed are set so that the lot is slightly ahead of its schedule.
			m.required = int64(float64(m.done[holder])/g.elapsed(start, end)/1.05/10000) * 10000
			m.amount = m.required / 100 * 3200
			m.awards = []clauseAward{{company: holder, partner: absent, role: "holder", fulfilment: "direct_hire", share: m.required}}
			g.writeMarket(m)
		}
	}
	g.outcomes(op, parts, 0.4)
}

// collegeHolder returns an insertion structure (EI or ACI) of the demo whose
// sector is among keys and that holds no lot yet, absent if none.
func (g *clausesGen) collegeHolder(keys []string, used map[int]bool) int {
	for _, i := range g.pl.byKind[orgs.KindSIAE] {
		o := g.pl.orgs[i].org
		if s, _ := sectorOf(o); !used[i] && (o.SIAEKind == "EI" || o.SIAEKind == "ACI") && slices.Contains(keys, s.key) {
			return i
		}
	}
	return absent
}

// collegeWorker draws a person employed on CDDI for one to six months, the
// span covering month cover, the first month often partial: about 280
// hours each on average, near the seed's canteens (244,794 h for 997 people).
func (g *clausesGen) collegeWorker(m *clauseMarket, holder int, pr profile, bases []int64, cover int) *partPlan {
	k := []int{1, 1, 1, 2, 2, 2, 3, 3, 4, 6}[g.r.IntN(10)]
	lo, hi := max(0, cover-k+1), min(cover, clauseMonths-k)
	from := lo + g.r.IntN(hi-lo+1)
	p := g.participant(pr, "", from, holder)
	base := bases[g.r.IntN(len(bases))]
	for mo := from; mo < from+k; mo++ {
		h := g.monthlyHours(base, 3500, fullTime)
		if mo == from && g.chance(0.3) {
			h = max(3500, h*int64(g.between(40, 80))/100)
		}
		g.line(m, holder, p, mo, "CDDI", "EMBAUCHE_DIRECTE", absent, h)
	}
	return p
}
