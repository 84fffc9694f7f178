package demo

import (
	"cmp"
	"slices"
	"time"

	"tremplin/internal/pathway/steps"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/geo"
)

// The states of a candidacy, as the jobs package writes them.
const (
	stateProposed  = "proposed"
	stateSent      = "sent"
	stateInterview = "interview"
	stateHired     = "hired"
	stateRefused   = "refused"
	stateWithdrawn = "withdrawn"
)

// maxPositionings bounds the candidacies of one person.
const maxPositionings = 4

// contractSubtypes maps an offer's contract to the job step's contract, as a hire records it.
var contractSubtypes = map[string]string{
	"CDI": "cdi", "CDD": "cdd", "INTERIM": "interim", "APPRENTISSAGE": "apprenticeship",
	"PROFESSIONNALISATION": "professionalisation", "SAISONNIER": "cdd",
}

// candidate is an online CV near an offer.
type candidate struct {
	cv int
	km float64
}

// planPositionings draws the candidacies of each offer among the online CVs
// looking for its job, within the person's mobility radius.
func (g *jobsGen) planPositionings() {
	byROME := map[string][]int{}
	for k, c := range g.cvs {
		if c.online {
			for _, rome := range c.romes {
				byROME[rome] = append(byROME[rome], k)
			}
		}
	}
	count := make([]int, len(g.cvs))
	for i := range g.offers {
		g.offerPositionings(&g.offers[i], byROME[g.offers[i].rome], count)
	}
}

// window returns the last day a candidacy on the offer may move: yesterday
// for an open offer, the day before it closed otherwise.
func (g *jobsGen) window(o *offerPlan) time.Time {
	if o.closed.IsZero() {
		return g.yesterday()
	}
	return g.minDay(o.closed.Truncate(24*time.Hour).AddDate(0, 0, -1), g.yesterday())
}

// offerPositionings draws the candidacies of an offer: a few on most open
// offers, the hires and other candidates of a filled one, some that came to
// nothing on a closed one.
func (g *jobsGen) offerPositionings(o *offerPlan, list []int, count []int) {
	n := 0
	switch o.status {
	case offerOpen:
		if g.chance(0.75) {
			n = g.between(1, 5)
		}
	case offerFilled:
		n = o.positions + g.between(0, 3)
	default:
		n = g.between(0, 3)
	}
	if n == 0 {
		return
	}
	end := g.window(o)
	cands := g.candidates(o, list, count, end, 6*n)
	pool := cands[:min(len(cands), 2*n)]
	g.r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	chosen := pool[:min(n, len(pool))]
	hires := map[string]int{offerOpen: o.positions - 1, offerFilled: o.positions}[o.status]
	for _, c := range chosen {
		cv := g.cvs[c.cv]
		state := g.drawState(o.status, cv.consent)
		if state == stateHired || o.status == offerFilled && cv.consent {
			switch {
			case hires > 0 && !g.hired[cv.person]:
				state = stateHired
				hires--
				g.hired[cv.person] = true
			case state == stateHired:
				state = stateInterview
				if o.status == offerFilled {
					state = stateRefused
				}
			}
		}
		count[c.cv]++
		g.positioning(o, cv, state, end)
	}
}

// candidates returns online CVs of the list whose person lives within their
// radius of the offer and was ready before the window ends, nearest first:
// up to want of them, met scanning the list from a random place.
func (g *jobsGen) candidates(o *offerPlan, list []int, count []int, end time.Time, want int) []candidate {
	var out []candidate
	at := geo.Point{Lat: o.lat, Lon: o.lon}
	first := 0
	if len(list) > 0 {
		first = g.r.IntN(len(list))
	}
	for n := 0; n < len(list) && len(out) < want; n++ {
		k := list[(first+n)%len(list)]
		c := g.cvs[k]
		if dLat := (c.lat - o.lat) * 111; dLat > c.radius || -dLat > c.radius {
			continue
		}
		if count[k] >= maxPositionings || !g.start(o, c).Before(end) {
			continue
		}
		if km := geo.Distance(at, geo.Point{Lat: c.lat, Lon: c.lon}); km <= c.radius {
			out = append(out, candidate{cv: k, km: km})
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int { return cmp.Compare(a.km, b.km) })
	return out
}

// start is the first day a person may be positioned on an offer: the day
// after both were published and, for the consented, the consent given.
func (g *jobsGen) start(o *offerPlan, c cvPlan) time.Time {
	day := o.created.Truncate(24 * time.Hour)
	if c.ready.After(day) {
		day = c.ready
	}
	return day.AddDate(0, 0, 1)
}

// drawState draws where a candidacy stands: without the person's consent it
// is never sent to the employer.
func (g *jobsGen) drawState(status string, consent bool) string {
	u := g.r.Float64()
	switch {
	case !consent && status == offerOpen:
		return pickState(u, []string{stateProposed, stateRefused, stateWithdrawn}, []float64{0.6, 0.15})
	case !consent:
		return pickState(u, []string{stateWithdrawn, stateRefused}, []float64{0.7})
	case status == offerOpen:
		return pickState(u, []string{stateProposed, stateSent, stateInterview, stateHired, stateRefused, stateWithdrawn},
			[]float64{0.14, 0.22, 0.16, 0.12, 0.26})
	}
	return pickState(u, []string{stateRefused, stateWithdrawn}, []float64{0.6})
}

// pickState returns the state whose share u falls in; the last takes the rest.
func pickState(u float64, states []string, shares []float64) string {
	for i, s := range shares {
		if u < s {
			return states[i]
		}
		u -= s
	}
	return states[len(states)-1]
}

// path returns the states a candidacy went through to reach state.
func (g *jobsGen) path(state string, consent bool) []string {
	switch state {
	case stateProposed:
		return []string{stateProposed}
	case stateSent:
		return []string{stateProposed, stateSent}
	case stateInterview:
		return []string{stateProposed, stateSent, stateInterview}
	case stateHired:
		if g.chance(0.8) {
			return []string{stateProposed, stateSent, stateInterview, stateHired}
		}
		return []string{stateProposed, stateSent, stateHired}
	case stateRefused:
		switch u := g.r.Float64(); {
		case !consent:
			return []string{stateProposed, stateRefused}
		case u < 0.45:
			return []string{stateProposed, stateSent, stateInterview, stateRefused}
		case u < 0.9:
			return []string{stateProposed, stateSent, stateRefused}
		}
		return []string{stateProposed, stateRefused}
	}
	if consent && g.chance(0.4) {
		return []string{stateProposed, stateSent, stateWithdrawn}
	}
	return []string{stateProposed, stateWithdrawn}
}

// move is one transition of a candidacy.
type move struct {
	from, to, reason, note string
	actor                  int
	at                     time.Time
}

// positioning records a candidacy in the given state with its history: the
// référent proposes (now and then the employer, among the consented CVs),
// sends and withdraws; the employer, when it has an account, records the
// interview, the hire or the refusal of what it received, else the référent
// does. A hire adds the job to the person's pathway; the référent is told of
// what others did.
func (g *jobsGen) positioning(o *offerPlan, cv cvPlan, state string, end time.Time) {
	emp := g.employers[o.emp]
	empOrg := g.pl.orgs[emp.org].org
	moves := g.moves(o, cv, state, end)
	p := g.persons[cv.person].p
	id, stepID, reason := db.NewID(), "", ""
	var sentAt any // NULL until a professional sends the candidacy
	for _, m := range moves {
		if m.to == stateSent && sentAt == nil {
			sentAt = m.at
		}
		g.add("positioning_events", db.NewID(), id, m.from, m.to, m.reason, m.note, userRef(m.actor), g.pl.orgs[g.pl.account[m.actor].org].org.ID, m.at)
		if m.actor != cv.ref {
			g.notify(cv.ref, p.ID, o, empOrg.Name, m)
		}
		if m.to == stateHired {
			stepID = g.hire(o, p.ID, cv.ref, m.actor, m.at)
			if m.at.After(o.updated) {
				o.updated = m.at
			}
			o.hires++
		}
		reason = m.reason
	}
	first, last := moves[0], moves[len(moves)-1]
	g.add("positionings", id, o.id, p.ID, empOrg.ID, state, reason, userRef(first.actor), g.pl.orgs[g.pl.account[first.actor].org].org.ID,
		stepID, sentAt, first.at, last.at)
}

// moves draws the transitions of a candidacy, spread between the start of
// the person on the offer and the end of the window.
func (g *jobsGen) moves(o *offerPlan, cv cvPlan, state string, end time.Time) []move {
	emp := g.employers[o.emp]
	path := g.path(state, cv.consent)
	employer := cv.ref
	if emp.account >= 0 && cv.consent {
		employer = emp.account
	}
	gaps := make([]int, len(path))
	total := 0
	for k := 1; k < len(path); k++ {
		gaps[k] = g.between(1, 10)
		total += gaps[k]
	}
	from := g.start(o, cv)
	span := int(end.Sub(from).Hours() / 24)
	day := from.AddDate(0, 0, g.r.IntN(max(1, span-total+1)))
	out := make([]move, len(path))
	var prev time.Time
	for k, to := range path {
		day = g.minDay(day.AddDate(0, 0, gaps[k]), end)
		m := move{to: to, actor: cv.ref, at: g.at(day)}
		if k > 0 {
			m.from = path[k-1]
		}
		if !m.at.After(prev) {
			m.at = prev.Add(time.Duration(20+g.r.IntN(40)) * time.Minute)
		}
		prev = m.at
		switch {
		case k == 0 && employer != cv.ref && g.chance(0.1):
			m.actor = employer // the employer proposed the person itself
		case to == stateInterview || to == stateHired || to == stateRefused && m.from != stateProposed:
			m.actor = employer
		}
		m.reason, m.note = g.reasonFor(o.status, m)
		out[k] = m
	}
	return out
}

// reasonFor draws the refusal reason and note of a transition.
func (g *jobsGen) reasonFor(status string, m move) (string, string) {
	switch {
	case m.to == stateProposed && g.chance(0.3):
		return "", g.pick(positioningNotes)
	case m.to == stateInterview && g.chance(0.5):
		return "", "Entretien prévu sur site avec la personne et son référent."
	case m.to != stateRefused:
		return "", ""
	case m.from == stateProposed:
		return g.pick([]string{"candidate_declined", "candidate_declined", "mobility", "availability"}), ""
	case status == offerFilled && g.chance(0.7):
		return "position_filled", ""
	}
	reasons := []string{"profile", "experience", "qualification", "mobility", "availability", "other"}
	if m.from == stateInterview {
		reasons = append(reasons, "no_show")
	}
	if r := g.pick(reasons); r != "other" {
		return r, ""
	}
	return "other", "Le poste demande une première expérience sur un poste similaire."
}

// notify tells the person's référent what someone else did, as the jobs service does.
func (g *jobsGen) notify(ref int, personID string, o *offerPlan, employer string, m move) {
	what := "« " + o.title + " » (" + employer + ")"
	msg := map[string]string{
		stateProposed:  "Candidature proposée sur l'offre " + what + ".",
		stateSent:      "Candidature transmise à l'employeur pour l'offre " + what + ".",
		stateInterview: "Entretien prévu pour l'offre " + what + ".",
		stateHired:     "Recrutement confirmé sur l'offre " + what + " : le suivi dans l'emploi commence.",
		stateRefused:   "Candidature refusée pour l'offre " + what + ".",
		stateWithdrawn: "Candidature retirée de l'offre " + what + ".",
	}[m.to]
	var read any
	if m.at.Before(g.daysAgo(7)) && g.chance(0.85) {
		read = m.at.Add(time.Duration(g.between(2, 72)) * time.Hour)
	}
	g.add("notifications", db.NewID(), userRef(ref), "positioning."+m.to, msg, "/personnes/"+personID+"/cv#candidatures", m.at, read)
}

// hire adds the job a hire starts to the person's pathway with its 1, 3 and
// 6-month check-ins, as steps.RecordHire does, and records those whose time
// has come; it returns the step's id.
func (g *jobsGen) hire(o *offerPlan, personID string, ref, actor int, at time.Time) string {
	org := g.pl.orgs[g.employers[o.emp].org].org
	kind, subtype := steps.KindJob, contractSubtypes[o.contract]
	if o.contract == "CDDI" {
		kind, subtype = steps.KindIAE, org.SIAEKind
	}
	day := at.Truncate(24 * time.Hour)
	start := day.AddDate(0, 0, g.between(0, 14))
	if o.start != nil && o.start.After(day) {
		start = *o.start
	}
	id := db.NewID()
	g.add("steps", id, personID, kind, subtype, o.title, org.ID, userRef(actor), start.Format(time.DateOnly), nil, nil, "", at, at)
	for _, months := range steps.CheckinMonths {
		due := steps.AddMonths(start, months)
		var done, inWork, by any = nil, nil, ""
		reason := ""
		if due.Before(g.daysAgo(10)) && g.chance(0.7) {
			done = g.minDay(due.AddDate(0, 0, g.between(0, 10)), g.yesterday()).Format(time.DateOnly)
			working := g.chance(0.88)
			if inWork, by = working, userRef(ref); !working {
				reason = g.pick([]string{"fin_de_contrat", "demission", "sante"})
			}
		}
		g.add("checkins", db.NewID(), personID, id, months, due.Format(time.DateOnly), done, inWork, reason, by, at)
	}
	return id
}

// writeOffers completes the offers' rows: a filled offer closed with its
// last hire, an open one still open.
func (g *jobsGen) writeOffers() {
	cols := jobTables[2].columns
	updated, closed := slices.Index(cols, "updated_at"), slices.Index(cols, "closed_at")
	for i := range g.offers {
		o := &g.offers[i]
		if o.status == offerFilled && o.hires > 0 {
			o.closed = o.updated
		}
		if !o.closed.IsZero() {
			o.row[updated], o.row[closed] = o.closed, o.closed
		}
		g.add("offers", o.row...)
	}
}
