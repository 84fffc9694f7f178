package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
)

// Domain is the e-mail domain of the demo staff accounts.
const Domain = "demo.tremplin.fr"

// orgPlan is an organisation to create, with where it lies.
type orgPlan struct {
	org      orgs.Organisation
	lat, lon float64
}

// accountPlan is a staff account to create; org is an index into the
// organisations, -1 for none.
type accountPlan struct {
	email, first, last string
	role               access.Role
	qual               access.Qualification
	org                int
	platformAdmin      bool
	// lat and lon anchor the caseload of a référent: people are followed by
	// the référents closest to where they live.
	lat, lon float64
}

// territory is the département the demo is generated for.
type territory struct {
	code     string
	dept     department
	communes []refdata.Commune
	// weights gives each commune's share of the population, same order.
	weights []float64
	// hubs are indices of the towns where partners sit, the main one first.
	hubs []int
}

func newTerritory(code string, communes []refdata.Commune) territory {
	t := territory{code: code, communes: communes, weights: make([]float64, len(communes))}
	t.dept = departments[code]
	if t.dept.name == "" {
		t.dept = department{name: code, of: "du " + code}
	}
	byCode := map[string]int{}
	for i, c := range communes {
		byCode[c.Code] = i
		switch pop, ok := pasDeCalaisPopulation[c.Code]; {
		case ok:
			t.weights[i] = pop
		case c.Approximate:
			// Communes without their own coordinates are the smallest villages.
			t.weights[i] = 0.5
		default:
			t.weights[i] = 2
		}
	}
	seen := map[int]bool{}
	if code == "62" {
		for _, c := range pasDeCalaisHubs {
			if i, ok := byCode[c]; ok {
				t.hubs = append(t.hubs, i)
				seen[i] = true
			}
		}
	}
	// Elsewhere (or if the list is short), the towns served by several postal
	// codes or located precisely are the likeliest to be large.
	rest := make([]int, 0, len(communes))
	for i := range communes {
		if !seen[i] {
			rest = append(rest, i)
		}
	}
	score := func(i int) float64 { return t.weights[i] + float64(len(communes[i].PostalCodes)-1)*20 }
	slices.SortStableFunc(rest, func(a, b int) int { return cmp.Compare(score(b), score(a)) })
	for _, i := range rest {
		if len(t.hubs) >= 12 {
			break
		}
		t.hubs = append(t.hubs, i)
	}
	return t
}

// hub returns the commune of the n-th hub, cycling when the département has few communes.
func (t territory) hub(n int) refdata.Commune { return t.communes[t.hubs[n%len(t.hubs)]] }

// de returns "de Town" with the French elision and contractions: "d'Arras",
// "du Portel", "de la Couture", "de Lens".
func de(name string) string {
	switch {
	case strings.HasPrefix(name, "Le "):
		return "du " + name[3:]
	case strings.HasPrefix(name, "Les "):
		return "des " + name[4:]
	case strings.HasPrefix(name, "La "):
		return "de la " + name[3:]
	case strings.HasPrefix(name, "L'"):
		return "de l'" + name[2:]
	}
	for _, p := range []string{"A", "E", "I", "O", "U", "Y", "É", "È", "Ê", "Î", "Ô", "Œ", "Hé"} {
		if strings.HasPrefix(name, p) {
			return "d'" + name
		}
	}
	return "de " + name
}

// planner draws the organisations and accounts of the demo.
type planner struct {
	r       *rand.Rand
	t       territory
	big     bool
	now     time.Time
	orgs    []orgPlan
	names   map[string]bool
	sirets  map[string]bool
	emails  map[string]bool
	byKind  map[orgs.Kind][]int
	account []accountPlan
}

// addOrg adds an organisation located in commune c and returns its index.
func (p *planner) addOrg(kind orgs.Kind, siaeKind, name string, c refdata.Commune, address string) int {
	for base, n := name, 2; p.names[name]; n++ {
		name = fmt.Sprintf("%s (%d)", base, n)
	}
	p.names[name] = true
	if address == "" {
		address = p.streetAddress()
	}
	postal := ""
	if len(c.PostalCodes) > 0 {
		postal = c.PostalCodes[0]
	}
	o := orgs.Organisation{ID: db.NewID(), Name: name, Kind: kind, SIAEKind: siaeKind, Territory: p.t.code,
		SIRET: p.siret(kind), Address: address, PostalCode: postal, CommuneCode: c.Code, CommuneName: c.Name, CreatedAt: p.now}
	p.orgs = append(p.orgs, orgPlan{org: o, lat: c.Lat, lon: c.Lon})
	i := len(p.orgs) - 1
	p.byKind[kind] = append(p.byKind[kind], i)
	return i
}

func (p *planner) streetAddress() string {
	return fmt.Sprintf("%d %s", 1+p.r.IntN(120), streets[p.r.IntN(len(streets))])
}

// siret draws a unique SIRET whose SIREN and full number pass the Luhn check.
// Public bodies get a SIREN starting with 1 or 2, associations with 7 or 8.
func (p *planner) siret(kind orgs.Kind) string {
	first := "3456789"
	switch kind {
	case orgs.KindDepartement, orgs.KindPublicBuyer, orgs.KindCCAS:
		first = "2"
	case orgs.KindFranceTravail:
		first = "1"
	case orgs.KindMissionLocale, orgs.KindCapEmploi, orgs.KindPLIE, orgs.KindAssociation, orgs.KindGEIQ:
		first = "78"
	}
	for {
		var b strings.Builder
		b.WriteByte(first[p.r.IntN(len(first))])
		for b.Len() < 8 {
			b.WriteByte(byte('0' + p.r.IntN(10)))
		}
		siren := withLuhn(b.String())
		s := withLuhn(fmt.Sprintf("%s%04d", siren, 1+p.r.IntN(60)))
		if !p.sirets[s] {
			p.sirets[s] = true
			return s
		}
	}
}

// withLuhn appends the digit that makes s pass the Luhn check.
func withLuhn(s string) string {
	sum := 0
	// The check digit will sit at the right, so the last digit of s is doubled.
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

// planOrganisations lays out the partners of the département.
func (p *planner) planOrganisations() {
	t := p.t
	big := p.big
	pick := func(small, large []int) []int {
		if big {
			return large
		}
		return small
	}
	hq := t.hub(0)
	hqAddress := "Hôtel du Département, " + p.streetAddress()
	if t.code == "62" && hq.Code == "62041" {
		hqAddress = "Hôtel du Département, rue Ferdinand Buisson"
	}
	p.addOrg(orgs.KindDepartement, "", "Conseil départemental "+t.dept.of, hq, hqAddress)
	for _, h := range pick([]int{0, 1, 2}, []int{0, 1, 2, 3, 4}) {
		p.addOrg(orgs.KindFranceTravail, "", "Agence France Travail "+t.hub(h).Name, t.hub(h), "")
	}
	for _, h := range pick([]int{1, 2}, []int{0, 1, 2, 3}) {
		p.addOrg(orgs.KindMissionLocale, "", "Mission locale "+de(t.hub(h).Name), t.hub(h), "")
	}
	p.addOrg(orgs.KindCapEmploi, "", "Cap emploi "+t.dept.name, t.hub(0), "")
	for _, h := range pick([]int{1}, []int{1, 4}) {
		p.addOrg(orgs.KindPLIE, "", "PLIE de l'agglomération "+de(t.hub(h).Name), t.hub(h), "")
	}
	for _, h := range pick([]int{1, 2}, []int{1, 2, 5, 6}) {
		p.addOrg(orgs.KindCCAS, "", "CCAS "+de(t.hub(h).Name), t.hub(h), "")
	}
	assoc := []struct {
		name string
		hub  int
	}{{"Association Entraide et Avenir", 3}, {"Association Passerelles vers l'emploi", 1}, {"Association Horizon Insertion", 7}}
	for _, a := range assoc[:len(pick([]int{0, 1}, []int{0, 1, 2}))] {
		p.addOrg(orgs.KindAssociation, "", a.name, t.hub(a.hub), "")
	}
	type siae struct {
		kind, name string
		hub        int
	}
	first := []siae{
		{"EI", "Bâti Solidaire", 1}, {"AI", "Services Plus", 4}, {"ACI", "Les Jardins solidaires " + de(t.hub(2).Name), 2},
		{"ETTI", "Intérim Insertion " + t.hub(0).Name, 0}, {"EITI", "Rebond Services", 6},
	}
	second := []siae{
		{"EI", "Propreté Avenir", 6}, {"AI", "Coup de Main Emploi", 8}, {"ACI", "Recyclerie " + de(t.hub(5).Name), 5},
		{"ETTI", "Intérim Insertion " + t.hub(3).Name, 3}, {"EITI", "Trait d'Union Services", 9},
	}
	all := first
	if big {
		all = append(all, second...)
	}
	for _, s := range all {
		p.addOrg(orgs.KindSIAE, s.kind, s.name, t.hub(s.hub), "")
	}
	p.addOrg(orgs.KindGEIQ, "", "GEIQ BTP "+t.dept.of, t.hub(0), "")
	employers := []string{
		"Transports Delattre", "Boulangerie Caron et Fils", "Propreté Industrielle Dumont", "Maçonnerie Vasseur",
		"Hôtel-restaurant du Beffroi", "Entrepôts Lemaire Logistique", "Menuiserie Leclercq", "Aide à domicile Bien chez soi",
	}
	n := 3
	if big {
		n = len(employers)
	}
	for i, name := range employers[:n] {
		p.addOrg(orgs.KindEmployer, "", name, t.hub(i+1), "")
	}
	p.addOrg(orgs.KindPublicBuyer, "", "Ville "+de(t.hub(1).Name), t.hub(1), "Hôtel de ville, "+p.streetAddress())
	p.addOrg(orgs.KindPublicBuyer, "", "Syndicat mixte des transports "+de(t.hub(1).Name), t.hub(1), "")
	if big {
		p.addOrg(orgs.KindPublicBuyer, "", "Communauté d'agglomération "+de(t.hub(2).Name), t.hub(2), "")
		p.addOrg(orgs.KindPublicBuyer, "", "Ville "+de(t.hub(3).Name), t.hub(3), "Hôtel de ville, "+p.streetAddress())
	}
	for _, h := range pick([]int{0}, []int{0, 2}) {
		p.addOrg(orgs.KindTraining, "", "Institut de formation professionnelle "+de(t.hub(h).Name), t.hub(h), "")
	}
}

// first returns the index of the first organisation of a kind.
func (p *planner) first(kind orgs.Kind) int { return p.byKind[kind][0] }

// siaeOf returns the index of the first SIAE of an SIAE kind.
func (p *planner) siaeOf(kind string) int {
	for _, i := range p.byKind[orgs.KindSIAE] {
		if p.orgs[i].org.SIAEKind == kind {
			return i
		}
	}
	return p.first(orgs.KindSIAE)
}

// addAccount adds a staff account; an empty local part draws one from the name.
func (p *planner) addAccount(local string, role access.Role, qual access.Qualification, org int) {
	first, last := p.staffName()
	if local == "" {
		local = emailLocal(first) + "." + emailLocal(last)
		base := local
		for n := 2; p.emails[local]; n++ {
			local = fmt.Sprintf("%s%d", base, n)
		}
	}
	p.emails[local] = true
	a := accountPlan{email: local + "@" + Domain, first: first, last: last, role: role, qual: qual, org: org}
	if org >= 0 {
		a.lat, a.lon = p.orgs[org].lat, p.orgs[org].lon
	}
	p.account = append(p.account, a)
}

// staffName draws the name of a professional, born between 1960 and 1998.
func (p *planner) staffName() (string, string) {
	sex := 0
	if p.r.Float64() < 0.75 {
		// The social professions are mostly held by women.
		sex = 1
	}
	year := 1960 + p.r.IntN(39)
	o := pickOrigin(p.r)
	return firstName(p.r, o, sex, year), pickRanked(p.r, surnames[o])
}

// planAccounts lays out the staff accounts: one memorable account per role,
// then more référents spread over the structures.
func (p *planner) planAccounts() {
	dept := p.first(orgs.KindDepartement)
	ft := p.byKind[orgs.KindFranceTravail]
	ml := p.byKind[orgs.KindMissionLocale]
	ccas := p.byKind[orgs.KindCCAS]
	assoc := p.byKind[orgs.KindAssociation]
	plie := p.byKind[orgs.KindPLIE]
	buyers := p.byKind[orgs.KindPublicBuyer]
	social, pro := access.QualSocial, access.QualProfessional

	p.addAccount("admin", access.RolePlatformAdmn, "", -1)
	p.account[len(p.account)-1].platformAdmin = true
	p.addAccount("admin.structure", access.RoleOrgAdmin, "", dept)
	p.addAccount("manager", access.RoleManager, "", dept)
	p.addAccount("orientation", access.RoleOrientation, "", dept)
	p.addAccount("referent.social", access.RoleReferent, social, dept)
	p.addAccount("referent.pro", access.RoleReferent, pro, ft[0])
	p.addAccount("facilitateur", access.RoleFacilitator, "", plie[0])
	p.addAccount("siae", access.RoleSIAEStaff, "", p.siaeOf("ACI"))
	p.addAccount("employeur", access.RoleEmployer, "", p.first(orgs.KindEmployer))
	p.addAccount("acheteur", access.RolePublicBuyer, "", buyers[0])
	p.addAccount("acheteur.departement", access.RolePublicBuyer, "", dept)
	p.addAccount("acheteur.transports", access.RolePublicBuyer, "", buyers[1])
	p.addAccount("mission.locale", access.RoleReferent, pro, ml[0])
	p.addAccount("orientation.ml", access.RoleOrientation, "", ml[0])
	p.addAccount("cap.emploi", access.RoleReferent, pro, p.first(orgs.KindCapEmploi))
	p.addAccount("plie", access.RoleReferent, pro, plie[0])
	p.addAccount("ccas", access.RoleReferent, social, ccas[0])
	p.addAccount("association", access.RoleReferent, social, assoc[0])
	for _, k := range []string{"EI", "AI", "ETTI", "EITI"} {
		p.addAccount("siae."+strings.ToLower(k), access.RoleSIAEStaff, "", p.siaeOf(k))
	}
	p.addAccount("geiq", access.RoleEmployer, "", p.first(orgs.KindGEIQ))
	p.addAccount("formation", access.RoleOrgAdmin, "", p.first(orgs.KindTraining))

	// More référents, so that caseloads are spread as in a real département.
	deptSocial, deptPro := 2, 0
	perFT, perML := 1, 1
	if p.big {
		deptSocial, deptPro = 7, 2
		perFT, perML = 2, 2
	}
	for i := 0; i < deptSocial+deptPro; i++ {
		q := social
		if i >= deptSocial {
			q = pro
		}
		p.addAccount("", access.RoleReferent, q, dept)
		// The département's référents work from its territorial offices:
		// anchor each one on a different town.
		h := p.t.hub(i + 1)
		p.account[len(p.account)-1].lat, p.account[len(p.account)-1].lon = h.Lat, h.Lon
	}
	for i, o := range ft {
		for n := 0; n < perFT; n++ {
			if i == 0 && n == 0 {
				continue // referent.pro
			}
			p.addAccount("", access.RoleReferent, pro, o)
		}
	}
	for i, o := range ml {
		for n := 0; n < perML; n++ {
			if i == 0 && n == 0 {
				continue // mission.locale
			}
			p.addAccount("", access.RoleReferent, pro, o)
		}
	}
	for _, group := range [][]int{ccas, assoc, plie} {
		for _, o := range group[1:] {
			q := social
			if p.orgs[o].org.Kind == orgs.KindPLIE {
				q = pro
			}
			p.addAccount("", access.RoleReferent, q, o)
		}
	}
	if p.big {
		p.addAccount("", access.RoleReferent, pro, p.first(orgs.KindCapEmploi))
	}
}

// emailLocal folds a name into the local part of an address: lower case,
// no accents, spaces and apostrophes removed.
func emailLocal(s string) string {
	s = accentFolder.Replace(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		}
		return -1
	}, s)
}

var accentFolder = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e", "î", "i", "ï", "i",
	"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae", "ş", "s", "ğ", "g",
)

// pickRanked draws from a list ordered by frequency: item i has a weight
// proportional to 1/(i+c), sampled by inverting the continuous cumulative.
func pickRanked(r *rand.Rand, list []string) string {
	const c = 8.0
	n := float64(len(list))
	x := c*math.Pow((n+c)/c, r.Float64()) - c
	i := int(x)
	if i >= len(list) {
		i = len(list) - 1
	}
	return list[i]
}

// pickOrigin draws the origin group of a family.
func pickOrigin(r *rand.Rand) origin {
	u := r.Float64()
	for i, s := range originShares {
		if u < s {
			return origin(i)
		}
		u -= s
	}
	return originGeneral
}

// firstName draws a first name for a person of that origin, sex (0 male, 1
// female) and birth year; a share of families of every origin choose from
// the general lists.
func firstName(r *rand.Rand, o origin, sex, year int) string {
	if int(o) < len(originFirstNames) && originFirstNames[o][sex] != nil && r.Float64() < 0.7 {
		return pickRanked(r, originFirstNames[o][sex])
	}
	return pickRanked(r, generalFirstNames[sex][eraOf(year)])
}
