package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/validate"
)

// memberPlan is a professional of a person's follow-up group; account is an
// index into the accounts.
type memberPlan struct {
	account int
	role    string
	start   time.Time
	end     *time.Time
}

// personPlan is a person to create with the clear NIR (15 characters) and the group.
type personPlan struct {
	p     people.Person
	nir   string
	group []memberPlan
}

// nearby lists, for one commune, the professionals who would follow its
// inhabitants: accounts of the closest structures of each kind.
type nearby struct {
	dept                      []int // département référents, closest first
	ft, ml, plie, assoc, siae []int
	mlOrg, plieOrg            int
}

// peopleGen draws the people of the demo.
type peopleGen struct {
	r        *rand.Rand
	t        territory
	today    time.Time
	orgs     []orgPlan
	accounts []accountPlan
	cum      []float64
	near     []nearby
	// ccas maps a commune code to the référents of its CCAS.
	ccas         map[string][]int
	dept         int
	capEmploi    int
	capRefs      []int
	facilitators []int
	nirs         map[string]bool
	cafs         map[string]bool
}

func newPeopleGen(r *rand.Rand, t territory, today time.Time, orgList []orgPlan, accounts []accountPlan) *peopleGen {
	g := &peopleGen{r: r, t: t, today: today, orgs: orgList, accounts: accounts,
		ccas: map[string][]int{}, nirs: map[string]bool{}, cafs: map[string]bool{}}
	total := 0.0
	for _, w := range t.weights {
		total += w
		g.cum = append(g.cum, total)
	}
	// Référents by organisation, and SIAE staff by SIAE.
	refs := map[int][]int{}
	var deptRefs []int
	for i, a := range accounts {
		switch {
		case a.role == access.RoleReferent:
			refs[a.org] = append(refs[a.org], i)
			if orgList[a.org].org.Kind == orgs.KindDepartement {
				deptRefs = append(deptRefs, i)
			}
		case a.role == access.RoleSIAEStaff:
			refs[a.org] = append(refs[a.org], i)
		case a.role == access.RoleFacilitator:
			g.facilitators = append(g.facilitators, i)
		}
	}
	withRefs := func(kind orgs.Kind) []int {
		var out []int
		for i, o := range orgList {
			if o.org.Kind == kind && len(refs[i]) > 0 {
				out = append(out, i)
			}
		}
		return out
	}
	for i, o := range orgList {
		switch o.org.Kind {
		case orgs.KindDepartement:
			g.dept = i
		case orgs.KindCapEmploi:
			g.capEmploi, g.capRefs = i, refs[i]
		case orgs.KindCCAS:
			if len(refs[i]) > 0 {
				g.ccas[o.org.CommuneCode] = refs[i]
			}
		}
	}
	ft, ml, plie := withRefs(orgs.KindFranceTravail), withRefs(orgs.KindMissionLocale), withRefs(orgs.KindPLIE)
	assoc, siae := withRefs(orgs.KindAssociation), withRefs(orgs.KindSIAE)
	g.near = make([]nearby, len(t.communes))
	for ci, c := range t.communes {
		n := &g.near[ci]
		n.dept = slices.Clone(deptRefs)
		slices.SortStableFunc(n.dept, func(a, b int) int {
			return cmp.Compare(dist(c.Lat, c.Lon, accounts[a].lat, accounts[a].lon), dist(c.Lat, c.Lon, accounts[b].lat, accounts[b].lon))
		})
		closest := func(list []int) int {
			best, bestD := -1, math.Inf(1)
			for _, o := range list {
				if d := dist(c.Lat, c.Lon, orgList[o].lat, orgList[o].lon); d < bestD {
					best, bestD = o, d
				}
			}
			return best
		}
		n.mlOrg, n.plieOrg = closest(ml), closest(plie)
		n.ft, n.ml, n.plie = refs[closest(ft)], refs[n.mlOrg], refs[n.plieOrg]
		n.assoc, n.siae = refs[closest(assoc)], refs[closest(siae)]
	}
	return g
}

// dist is a flat-earth distance, good enough to rank places of one département.
func dist(lat1, lon1, lat2, lon2 float64) float64 {
	dx := (lon2 - lon1) * math.Cos((lat1+lat2)/2*math.Pi/180)
	dy := lat2 - lat1
	return dx*dx + dy*dy
}

// commune draws a commune index weighted by population.
func (g *peopleGen) commune() int {
	u := g.r.Float64() * g.cum[len(g.cum)-1]
	i := sort.SearchFloat64s(g.cum, u)
	return min(i, len(g.cum)-1)
}

func (g *peopleGen) pick(list []int) int { return list[g.r.IntN(len(list))] }

// daysAgo returns the date n days before today.
func (g *peopleGen) daysAgo(n int) time.Time { return g.today.AddDate(0, 0, -n) }

// birth draws a birth date for an age between minAge and maxAge included.
func (g *peopleGen) birth(minAge, maxAge int) time.Time {
	latest := g.today.AddDate(-minAge, 0, 0)
	earliest := g.today.AddDate(-(maxAge + 1), 0, 1)
	days := int(latest.Sub(earliest).Hours() / 24)
	return earliest.AddDate(0, 0, g.r.IntN(days+1))
}

// adultAges are the age bands of adults helped, with their shares: RSA
// beneficiaries are most often between 25 and 50.
var adultAges = []struct {
	min, max int
	share    float64
}{{26, 34, 0.30}, {35, 44, 0.30}, {45, 54, 0.25}, {55, 64, 0.15}}

// generate draws n people.
func (g *peopleGen) generate(n int) ([]personPlan, error) {
	out := make([]personPlan, 0, n)
	for range n {
		p, err := g.person()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (g *peopleGen) person() (personPlan, error) {
	r := g.r
	sex := 0
	if r.Float64() < 0.53 {
		sex = 1
	}
	young := r.Float64() < 0.2
	var birth time.Time
	if young {
		birth = g.birth(18, 25)
	} else {
		u := r.Float64()
		band := adultAges[len(adultAges)-1]
		for _, b := range adultAges {
			if u < b.share {
				band = b
				break
			}
			u -= b.share
		}
		birth = g.birth(band.min, band.max)
	}
	o := pickOrigin(r)
	last := pickRanked(r, surnames[o])
	first := firstName(r, o, sex, birth.Year())
	birthName := ""
	if sex == 1 && !young && r.Float64() < 0.3 {
		// A married woman often uses her spouse's name; her birth name stays on file.
		so := o
		if r.Float64() < 0.2 {
			so = pickOrigin(r)
		}
		if spouse := pickRanked(r, surnames[so]); spouse != last {
			birthName, last = last, spouse
		}
	}
	ci := g.commune()
	c := g.t.communes[ci]
	postal := ""
	if len(c.PostalCodes) > 0 {
		postal = c.PostalCodes[r.IntN(len(c.PostalCodes))]
	}
	// Around the commune's point, within a kilometre or so.
	lat := math.Round((c.Lat+(r.Float64()-0.5)*0.02)*1e5) / 1e5
	lon := math.Round((c.Lon+(r.Float64()-0.5)*0.03)*1e5) / 1e5
	nir, err := g.nir(sex, birth, o, c)
	if err != nil {
		return personPlan{}, err
	}
	p := people.Person{
		ID:          db.NewID(),
		Territory:   g.t.code,
		FirstName:   first,
		LastName:    last,
		BirthName:   birthName,
		BirthDate:   &birth,
		Sex:         [2]string{"1", "2"}[sex], // coded as the CAF flow codes it
		Address:     fmt.Sprintf("%d %s", 1+r.IntN(150), streets[r.IntN(len(streets))]),
		PostalCode:  postal,
		CommuneCode: c.Code,
		Lat:         &lat,
		Lon:         &lon,
	}
	if r.Float64() < 0.8 {
		// The block ARCEP reserves for fiction: no real line is ever reached.
		p.Phone = fmt.Sprintf("06 39 98 %02d %02d", r.IntN(100), r.IntN(100))
	}
	if r.Float64() < 0.45 {
		p.Email = g.email(first, last, birth)
	}

	near := g.near[ci]
	var holdingKind orgs.Kind
	switch u := r.Float64(); {
	case young && near.mlOrg >= 0:
		p.HoldingOrgID, holdingKind = g.orgs[near.mlOrg].org.ID, orgs.KindMissionLocale
	case u < 0.92 || (near.plieOrg < 0 && u < 0.96):
		p.HoldingOrgID, holdingKind = g.orgs[g.dept].org.ID, orgs.KindDepartement
	case u < 0.96:
		p.HoldingOrgID, holdingKind = g.orgs[near.plieOrg].org.ID, orgs.KindPLIE
	default:
		p.HoldingOrgID, holdingKind = g.orgs[g.capEmploi].org.ID, orgs.KindCapEmploi
	}
	// Most RSA beneficiaries have a CAF file; fewer young people do.
	cafShare := 0.9
	switch holdingKind {
	case orgs.KindMissionLocale:
		cafShare = 0.35
	case orgs.KindPLIE, orgs.KindCapEmploi:
		cafShare = 0.6
	}
	if r.Float64() < cafShare {
		p.CAFMatricule = g.caf()
	}

	group := g.group(holdingKind, near, c.Code)
	hasFT := false
	for _, m := range group {
		if g.orgs[g.accounts[m.account].org].org.Kind == orgs.KindFranceTravail {
			hasFT = true
		}
	}
	if hasFT || r.Float64() < 0.4 {
		p.FTID = fmt.Sprintf("%07d%c", r.IntN(10_000_000), 'A'+rune(r.IntN(26)))
	}
	var created time.Time
	if len(group) == 0 {
		created = g.daysAgo(r.IntN(60))
	} else {
		created = group[0].start.AddDate(0, 0, -r.IntN(45))
	}
	p.CreatedAt = created.Add(time.Duration(8*60+r.IntN(9*60)) * time.Minute)
	p.UpdatedAt = p.CreatedAt
	return personPlan{p: p, nir: nir, group: group}, nil
}

// group draws the follow-up group: a current référent, sometimes a former
// one and a second professional; a few people have nobody yet.
func (g *peopleGen) group(holding orgs.Kind, near nearby, communeCode string) []memberPlan {
	r := g.r
	if r.Float64() < 0.06 {
		return nil
	}
	deptRef := func() int {
		if len(near.dept) > 1 && r.Float64() < 0.3 {
			return near.dept[1]
		}
		return near.dept[0]
	}
	var cur int
	switch holding {
	case orgs.KindMissionLocale:
		cur = g.pick(near.ml)
	case orgs.KindPLIE:
		cur = g.pick(near.plie)
	case orgs.KindCapEmploi:
		cur = g.pick(g.capRefs)
	default:
		switch u := r.Float64(); {
		case len(g.ccas[communeCode]) > 0 && r.Float64() < 0.25:
			// The CCAS of a town follows some of its own inhabitants.
			cur = g.pick(g.ccas[communeCode])
		case u < 0.55:
			cur = deptRef()
		case u < 0.85:
			cur = g.pick(near.ft)
		case u < 0.95:
			cur = g.pick(near.assoc)
		default:
			cur = g.pick(near.plie)
		}
	}
	start := g.daysAgo(3 + r.IntN(728))
	var group []memberPlan
	if r.Float64() < 0.2 {
		// A former référent handed the file over the day before.
		prev := deptRef()
		if prev == cur {
			prev = g.pick(near.ft)
		}
		if prev != cur {
			end := start.AddDate(0, 0, -1)
			group = append(group, memberPlan{account: prev, role: "referent", start: start.AddDate(0, 0, -(60 + r.IntN(840))), end: &end})
		}
	}
	group = append(group, memberPlan{account: cur, role: "referent", start: start})
	if r.Float64() < 0.25 {
		var m int
		curKind := g.orgs[g.accounts[cur].org].org.Kind
		switch u := r.Float64(); {
		case u < 0.35:
			m = g.pick(near.siae)
		case u < 0.43 && len(g.facilitators) > 0:
			m = g.pick(g.facilitators)
		case curKind == orgs.KindFranceTravail:
			m = deptRef()
		default:
			m = g.pick(near.ft)
		}
		if m != cur {
			since := int(g.today.Sub(start).Hours() / 24)
			ms := start.AddDate(0, 0, r.IntN(since+1))
			mp := memberPlan{account: m, role: "member", start: ms}
			if left := int(g.today.Sub(ms).Hours() / 24); left > 60 && r.Float64() < 0.2 {
				end := ms.AddDate(0, 0, 30+r.IntN(left-30))
				mp.end = &end
			}
			group = append(group, mp)
		}
	}
	return group
}

// nir draws a unique NIR: sex, birth year and month, place of birth (mostly
// a commune of the département, else a town of a neighbouring one or a
// country), order number and key.
func (g *peopleGen) nir(sex int, birth time.Time, o origin, home refdata.Commune) (string, error) {
	r := g.r
	var dept, com string
	switch u := r.Float64(); {
	case u < bornAbroadShare[o]:
		dept, com = "99", foreignBirthplaces[o][r.IntN(len(foreignBirthplaces[o]))]
	case u < bornAbroadShare[o]+0.1:
		bp := frenchBirthplaces[r.IntN(len(frenchBirthplaces))]
		dept, com = bp.dept, bp.commune
	default:
		// Born where they live, or in the maternity of a larger town.
		c := home
		if r.Float64() < 0.5 {
			c = g.t.communes[g.commune()]
		}
		dept, com = c.Code[:2], c.Code[2:]
	}
	body := fmt.Sprintf("%d%02d%02d%s%s", sex+1, birth.Year()%100, int(birth.Month()), dept, com)
	for {
		n := fmt.Sprintf("%s%03d", body, 1+r.IntN(999))
		if g.nirs[n] {
			continue
		}
		g.nirs[n] = true
		key, err := validate.NIRKey(n)
		if err != nil {
			return "", fmt.Errorf("demo NIR %s: %w", n, err)
		}
		return n + key, nil
	}
}

// caf draws a unique 7-digit CAF matricule.
func (g *peopleGen) caf() string {
	for {
		m := fmt.Sprintf("%07d", 1_000_000+g.r.IntN(9_000_000))
		if !g.cafs[m] {
			g.cafs[m] = true
			return m
		}
	}
}

// emailDomains are reserved for documentation (RFC 2606): no mail is ever delivered.
var emailDomains = []string{"example.org", "example.net", "example.com"}

func (g *peopleGen) email(first, last string, birth time.Time) string {
	r := g.r
	sep := [3]string{".", "", "_"}[r.IntN(3)]
	local := emailLocal(first) + sep + emailLocal(last)
	switch r.IntN(3) {
	case 0:
		local += fmt.Sprintf("%02d", birth.Year()%100)
	case 1:
		local += fmt.Sprintf("%d", 1+r.IntN(99))
	}
	return local + "@" + emailDomains[r.IntN(len(emailDomains))]
}
