package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
)

// userRef is an account index in a drawn row; it becomes the account's id
// once the accounts are created.
type userRef int

// pathwayRows are the drawn rows of the shared pathway, by table, in the
// order the tables must be written.
type pathwayRows struct {
	tables map[string][][]any
	// person holds, per person index, the columns the person row gets from
	// the pathway: household id, role, rights and duties, oriented organisation.
	person []personPathway
}

type personPathway struct {
	householdID, role, orientedOrg string
	droitsDevoirs                  bool
}

// pathwayTables lists the tables in write order, with their columns.
var pathwayTables = []struct {
	name    string
	columns []string
}{
	{"follow_up_members", memberColumns},
	{"households", []string{"id", "territory", "fonorg", "numorg", "matricule", "request_date", "rsa_state", "closure_code", "closure_date",
		"droits_devoirs", "last_flow_date", "created_at", "updated_at"}},
	{"diagnostics", []string{"id", "person_id", "version", "organisation_id", "author_id", "content", "obstacle_count", "suggested_track", "validated_at", "created_at"}},
	{"diagnostic_signatures", []string{"diagnostic_id", "user_id", "organisation_id", "qualification", "signed_at"}},
	{"orientations", []string{"id", "person_id", "track", "organisation_id", "suggested_track", "reason", "diagnostic_id", "rights_date", "decided_on", "decided_by", "created_at"}},
	{"reorientation_requests", []string{"id", "person_id", "requested_by", "requester_org_id", "track", "reason", "status", "created_at"}},
	{"contracts", []string{"id", "person_id", "kind", "orientation_id", "organisation_id", "start_date", "end_date", "weekly_minutes", "hours_adjustment",
		"hours_reason", "action_plan", "signed_by", "signed_on", "person_signed", "renews_id", "created_by", "created_at", "updated_at"}},
	{"plan_objectives", []string{"id", "person_id", "theme", "title", "contract_id", "status", "created_by", "created_at", "updated_at"}},
	{"plan_actions", []string{"id", "person_id", "objective_id", "title", "owner_id", "owner_org_id", "due_date", "status", "created_by", "created_at", "updated_at", "review_item_id"}},
	{"steps", []string{"id", "person_id", "kind", "subtype", "title", "organisation_id", "author_id", "start_date", "end_date", "scheduled_at", "outcome", "created_at", "updated_at"}},
	{"checkins", []string{"id", "person_id", "step_id", "months", "due_date", "done_on", "in_work", "reason", "recorded_by", "created_at"}},
	{"case_reviews", []string{"id", "territory", "organisation_id", "kind", "title", "held_on", "status", "created_by", "created_at"}},
	{"case_review_participants", []string{"review_id", "user_id", "organisation_id"}},
	{"case_review_items", []string{"id", "review_id", "person_id", "kind", "reasons", "added_by", "decision", "decided_at", "sanction_rate",
		"sanction_months", "heard", "heard_note", "sanction_outcome", "decided_by", "created_at"}},
	{"evaluation_links", []string{"token_hash", "person_id", "organisation_id", "territory", "issued_by", "created_at", "expires_at", "used_at"}},
	{"evaluation_answers", []string{"id", "organisation_id", "territory", "period", "useful", "listened", "clear", "overall", "comment"}},
}

// pathwayGen draws each person's pathway: RSA household, joint diagnostic,
// orientation, contracts, action plan, appointments and steps, check-ins
// after a job start, and the person's evaluation. The shares are chosen so
// that every page and every alert of the point de situation shows something.
type pathwayGen struct {
	r        *rand.Rand
	today    time.Time
	code     string
	orgs     []orgPlan
	orgIndex map[string]int
	accounts []accountPlan
	// social and pro are référent accounts by qualification, for co-signatures.
	social, pro []int
	orientation int
	rows        pathwayRows
	// hard are files of the département's référents with several obstacles,
	// for the demo's case reviews.
	hard []hardFile
}

// hardFile is a person whose situation a case review looks at.
type hardFile struct {
	personID string
	ref      int
}

func newPathwayGen(seed int64, today time.Time, code string, orgList []orgPlan, accounts []accountPlan) *pathwayGen {
	g := &pathwayGen{r: rand.New(rand.NewPCG(uint64(seed), pcgStream+1)), today: today, code: code, orgs: orgList, accounts: accounts,
		orgIndex: map[string]int{}, orientation: -1, rows: pathwayRows{tables: map[string][][]any{}}}
	for i, o := range orgList {
		g.orgIndex[o.org.ID] = i
	}
	for i, a := range accounts {
		switch {
		case a.role == access.RoleReferent && a.qual == access.QualSocial:
			g.social = append(g.social, i)
		case a.role == access.RoleReferent && a.qual == access.QualProfessional:
			g.pro = append(g.pro, i)
		case a.role == access.RoleOrientation && a.org >= 0 && orgList[a.org].org.Kind == orgs.KindDepartement && g.orientation < 0:
			g.orientation = i
		}
	}
	return g
}

func (g *pathwayGen) add(table string, values ...any) {
	g.rows.tables[table] = append(g.rows.tables[table], values)
}

func (g *pathwayGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *pathwayGen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// at is a working-hours instant of a day, for the timestamps of what happened then.
func (g *pathwayGen) at(day time.Time) time.Time {
	return day.Add(time.Duration(9*60+g.r.IntN(8*60)) * time.Minute)
}

func (g *pathwayGen) minDay(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// generate draws the pathways of all the people.
func (g *pathwayGen) generate(persons []personPlan) pathwayRows {
	g.rows.person = make([]personPathway, len(persons))
	for i := range persons {
		g.person(i, persons[i])
	}
	g.caseReviews()
	return g.rows
}

// current returns the current référent of a group, -1 when there is none, and its start.
func current(group []memberPlan) (int, time.Time) {
	for i := len(group) - 1; i >= 0; i-- {
		if group[i].role == "referent" && group[i].end == nil {
			return group[i].account, group[i].start
		}
	}
	return -1, time.Time{}
}

func (g *pathwayGen) person(i int, pp personPlan) {
	p := pp.p
	ref, since := current(pp.group)
	holding := g.orgs[g.orgIndex[p.HoldingOrgID]].org.Kind
	rsa := p.CAFMatricule != "" && holding != orgs.KindMissionLocale
	if !rsa {
		if ref >= 0 {
			g.followUp(p.ID, ref, since, since, "")
		}
		return
	}
	// The household's right: mostly open, some suspended or closed.
	request := since.AddDate(0, 0, -g.between(10, 90))
	if ref < 0 {
		request = g.today.AddDate(0, 0, -g.between(3, 80))
	}
	state, closure, closed := "2", "", any(nil)
	switch u := g.r.Float64(); {
	case u < 0.05:
		state = "3"
	case u < 0.12 && ref >= 0:
		state, closure = "5", "PCG"
		closed = g.today.AddDate(0, 0, -g.between(5, 60)).Format(time.DateOnly)
	}
	dd := g.chance(0.92)
	hh := db.NewID()
	g.add("households", hh, g.code, "CAF", "621", p.CAFMatricule, request.Format(time.DateOnly), state, closure, closed, dd,
		g.today.AddDate(0, 0, -g.today.Day()+1).Format(time.DateOnly), g.at(request), g.at(request))
	g.rows.person[i] = personPathway{householdID: hh, role: "DEM", droitsDevoirs: dd}
	if ref < 0 {
		// Waiting for an orientation; a few were oriented and still wait for their référent.
		if g.chance(0.25) && request.Before(g.today.AddDate(0, 0, -20)) {
			decided := g.minDay(request.AddDate(0, 0, g.between(10, 50)), g.today.AddDate(0, 0, -3))
			org := g.orgs[g.accounts[g.pick(g.pro)].org].org.ID
			g.orient(i, p.ID, request, decided, "professionnel", "professionnel", org, "")
		}
		return
	}
	decided := g.minDay(request.AddDate(0, 0, g.between(7, 70)), since)
	track := g.track(g.orgs[g.accounts[ref].org].org.Kind)
	diagID := g.diagnostic(p.ID, ref, decided, track)
	suggested := track
	if g.chance(0.1) {
		suggested = g.otherTrack(track)
	}
	orientationID := g.orient(i, p.ID, request, decided, track, suggested, g.orgs[g.accounts[ref].org].org.ID, diagID)
	contractID := ""
	if g.chance(0.88) {
		contractID = g.contracts(p.ID, ref, orientationID, decided.AddDate(0, 0, g.between(5, 45)))
	}
	g.plan(p.ID, ref, contractID, decided)
	if track == "social" && g.orgs[g.accounts[ref].org].org.Kind == orgs.KindDepartement && len(g.hard) < 12 {
		g.hard = append(g.hard, hardFile{personID: p.ID, ref: ref})
	}
	g.followUp(p.ID, ref, since, decided, track)
	if g.chance(0.01) {
		org := g.orgs[g.accounts[ref].org].org.ID
		g.add("reorientation_requests", db.NewID(), p.ID, userRef(ref), org, g.otherTrack(track),
			"La personne a retrouvé une stabilité et souhaite engager des démarches vers l'emploi.", "pending", g.at(g.today.AddDate(0, 0, -g.between(1, 20))))
	}
}

func (g *pathwayGen) pick(list []int) int { return list[g.r.IntN(len(list))] }

// track draws the orientation that the référent's structure suits.
func (g *pathwayGen) track(kind orgs.Kind) string {
	u := g.r.Float64()
	switch kind {
	case orgs.KindFranceTravail, orgs.KindMissionLocale, orgs.KindPLIE, orgs.KindCapEmploi:
		return "professionnel"
	case orgs.KindCCAS, orgs.KindAssociation:
		if u < 0.6 {
			return "social"
		}
		return "socio_professionnel"
	}
	switch {
	case u < 0.5:
		return "socio_professionnel"
	case u < 0.8:
		return "social"
	}
	return "professionnel"
}

func (g *pathwayGen) otherTrack(t string) string {
	others := map[string][]string{"professionnel": {"socio_professionnel"}, "social": {"socio_professionnel"}, "socio_professionnel": {"social", "professionnel"}}[t]
	return others[g.r.IntN(len(others))]
}

// grids are diagnostic grids by track, as a référent would fill them.
var grids = map[string]map[string]any{
	"professionnel": {"work_situation": "Sans emploi depuis moins d'un an, recherche active", "worked_last_2_years": true, "education_level": "3",
		"projection": "oui", "mobility_km": 25, "hours_wanted": "temps_plein", "contract_wanted": "indifferent", "driving_licence": true,
		"target_jobs": []string{"N1103", "K2204"}, "obstacles": map[string]int{"mobilite": 1}, "strengths": "Expérience en logistique, ponctualité."},
	"socio_professionnel": {"work_situation": "Sans emploi depuis plus de deux ans", "worked_last_2_years": false, "education_level": "sans",
		"projection": "partiel", "mobility_km": 10, "hours_wanted": "temps_partiel", "contract_wanted": "cdd",
		"obstacles": map[string]int{"mobilite": 2, "numerique": 1, "garde": 1}, "strengths": "Motivée, bonne relation avec les autres."},
	"social": {"work_situation": "Sans activité, démarches de santé en cours", "worked_last_2_years": false, "education_level": "sans",
		"projection": "non", "mobility_km": 5, "obstacles": map[string]int{"sante": 2, "logement": 2, "finances": 1, "administratif": 1},
		"strengths": "Entourage familial présent."},
}

// diagnostic draws a validated joint diagnostic before the orientation: the
// référent and a specialist of the other qualification who joined the group
// for it; a few files have a newer version waiting for its signatures.
func (g *pathwayGen) diagnostic(personID string, ref int, decided time.Time, track string) string {
	made := decided.AddDate(0, 0, -g.between(1, 10))
	content, _ := json.Marshal(grids[track])
	obstacles := len(grids[track]["obstacles"].(map[string]int))
	refOrg := g.orgs[g.accounts[ref].org].org.ID
	id := db.NewID()
	g.add("diagnostics", id, personID, 1, refOrg, userRef(ref), string(content), obstacles, track, g.at(made.AddDate(0, 0, 1)), g.at(made))
	other := g.pro
	if g.accounts[ref].qual == access.QualProfessional {
		other = g.social
	}
	co := g.pick(other)
	coOrg := g.orgs[g.accounts[co].org].org.ID
	g.add("diagnostic_signatures", id, userRef(ref), refOrg, string(g.accounts[ref].qual), g.at(made))
	g.add("diagnostic_signatures", id, userRef(co), coOrg, string(g.accounts[co].qual), g.at(made.AddDate(0, 0, 1)))
	end := made.AddDate(0, 0, 20)
	g.add("follow_up_members", db.NewID(), personID, userRef(co), coOrg, "member", made.Format(time.DateOnly), end.Format(time.DateOnly), g.at(made))
	if g.chance(0.08) {
		g.add("diagnostics", db.NewID(), personID, 2, refOrg, userRef(ref), string(content), obstacles, track, nil, g.at(g.today.AddDate(0, 0, -g.between(1, 30))))
	}
	return id
}

func (g *pathwayGen) orient(i int, personID string, rights, decided time.Time, track, suggested, org, diagID string) string {
	id := db.NewID()
	reason := ""
	if suggested != track {
		reason = "Le référent pressenti connaît déjà la personne ; la situation a évolué depuis le diagnostic."
	}
	by := g.orientation
	g.add("orientations", id, personID, track, org, suggested, reason, diagID, rights.Format(time.DateOnly), decided.Format(time.DateOnly), userRef(by), g.at(decided))
	g.rows.person[i].orientedOrg = org
	return id
}

// contracts draws the signed contracts from start, renewed until today; it
// returns the current one.
func (g *pathwayGen) contracts(personID string, ref int, orientationID string, start time.Time) string {
	org := g.orgs[g.accounts[ref].org].org.ID
	minutes, adjustment, reason := 15*60, "", ""
	switch u := g.r.Float64(); {
	case u < 0.12:
		minutes, adjustment, reason = g.between(6, 10)*60, "reduite", []string{"sante", "parent_isole", "aidant"}[g.r.IntN(3)]
	case u < 0.16:
		minutes, adjustment, reason = 0, "dispense", []string{"sante", "handicap"}[g.r.IntN(2)]
	}
	prev := ""
	for start.Before(g.today) {
		end := start.AddDate(0, []int{6, 12}[g.r.IntN(2)], -1)
		kind, m, adj, why := "engagement", minutes, adjustment, reason
		if start.Before(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
			kind, m, adj, why = "cer", 0, "", ""
		}
		id := db.NewID()
		g.add("contracts", id, personID, kind, orientationID, org, start.Format(time.DateOnly), end.Format(time.DateOnly), m, adj, why,
			"Rendez-vous mensuels avec le référent, ateliers de recherche d'emploi et démarches prévues au plan d'action.",
			userRef(ref), start.Format(time.DateOnly), true, prev, userRef(ref), g.at(start), g.at(start))
		prev = id
		// Most contracts are renewed; some wait for it near their end.
		if end.After(g.today) || g.chance(0.15) {
			break
		}
		start = end.AddDate(0, 0, 1)
	}
	return prev
}

// planThemes are the objectives a plan draws from.
var planThemes = []struct{ theme, objective, action string }{
	{"emploi", "Retrouver un emploi dans la logistique", "Préparer un CV et trois candidatures"},
	{"formation", "Obtenir le CACES R489", "Monter le dossier de financement avec la Région"},
	{"mobilite", "Passer le permis B", "Demander l'aide au permis du département"},
	{"sante", "Faire le point sur sa santé", "Prendre rendez-vous au centre d'examens de santé"},
	{"logement", "Trouver un logement adapté", "Déposer une demande de logement social"},
	{"numerique", "Utiliser l'espace France Travail en ligne", "Atelier numérique à la médiathèque"},
}

func (g *pathwayGen) plan(personID string, ref int, contractID string, from time.Time) {
	org := g.orgs[g.accounts[ref].org].org.ID
	for n := g.between(1, 2); n > 0; n-- {
		t := planThemes[g.r.IntN(len(planThemes))]
		created := g.at(from.AddDate(0, 0, g.between(0, 20)))
		status := []string{"en_cours", "en_cours", "atteint"}[g.r.IntN(3)]
		oid := db.NewID()
		g.add("plan_objectives", oid, personID, t.theme, t.objective, contractID, status, userRef(ref), created, created)
		due := created.AddDate(0, 0, g.between(15, 120))
		actionStatus := "fait"
		if due.After(g.today) {
			actionStatus = []string{"a_faire", "en_cours"}[g.r.IntN(2)]
		}
		g.add("plan_actions", db.NewID(), personID, oid, t.action, userRef(ref), org, due.Format(time.DateOnly), actionStatus, userRef(ref), created, created, "")
	}
}

// followUp draws the appointments and the steps of a followed person, from
// the référent's start to today, and the evaluation they may give.
func (g *pathwayGen) followUp(personID string, ref int, since, oriented time.Time, track string) {
	org := g.orgs[g.accounts[ref].org].org.ID
	g.appointments(personID, ref, org, since)
	cursor := oriented.AddDate(0, 0, g.between(20, 90))
	ended := false
	for _, st := range g.stepKinds(track) {
		if !cursor.Before(g.today) {
			break
		}
		end := g.step(personID, ref, org, st, cursor)
		if ended = !end.IsZero(); !ended {
			break
		}
		// The next step follows after a wait: usually short, sometimes long.
		cursor = end.AddDate(0, 0, g.between(3, 25)+map[bool]int{true: 40}[g.chance(0.2)])
	}
	if ended && cursor.Before(g.today) && g.chance(0.75) {
		// Most people go on to something: a training under way or a job.
		g.step(personID, ref, org, []string{"training", "job"}[g.r.IntN(2)], cursor)
	}
	if g.chance(0.2) {
		g.evaluation(personID, ref, org)
	}
}

// appointments draws the appointments from since to today: most seen, some
// missed; the next one is usually booked, and a few files went quiet.
func (g *pathwayGen) appointments(personID string, ref int, org string, since time.Time) {
	stop := g.today
	if g.chance(0.07) {
		stop = g.today.AddDate(0, 0, -g.between(100, 200))
	}
	day := since.AddDate(0, 0, g.between(3, 15))
	if limit := g.today.AddDate(0, 0, -400); day.Before(limit) {
		day = limit.AddDate(0, 0, g.between(0, 30))
	}
	for ; day.Before(stop); day = day.AddDate(0, 0, g.between(21, 50)) {
		outcome := "seen"
		switch u := g.r.Float64(); {
		case u < 0.10:
			outcome = "no_show"
		case u < 0.15:
			outcome = "excused"
		case u < 0.17:
			outcome = "cancelled"
		}
		if day.After(g.today.AddDate(0, 0, -10)) && g.chance(0.3) {
			outcome = "" // not recorded yet
		}
		g.appointment(personID, ref, org, day, outcome)
	}
	if stop.Equal(g.today) && g.chance(0.7) {
		g.appointment(personID, ref, org, g.today.AddDate(0, 0, g.between(1, 30)), "")
	}
}

func (g *pathwayGen) appointment(personID string, ref int, org string, day time.Time, outcome string) {
	at := day.Add(time.Duration(9+g.r.IntN(8)) * time.Hour)
	g.add("steps", db.NewID(), personID, "appointment", []string{"physical", "physical", "phone", "video"}[g.r.IntN(4)], "Rendez-vous de suivi",
		org, userRef(ref), day.Format(time.DateOnly), day.Format(time.DateOnly), at, outcome, g.at(day.AddDate(0, 0, -14)), g.at(day))
}

// stepKinds draws the sequence of steps a track usually goes through.
func (g *pathwayGen) stepKinds(track string) []string {
	var out []string
	if g.chance(0.3) {
		out = append(out, "pmsmp")
	}
	if g.chance(0.2) {
		out = append(out, "training")
	}
	if track != "social" && g.chance(0.12) {
		out = append(out, []string{"iae", "aided_contract"}[g.r.IntN(2)])
	}
	if track == "professionnel" && g.chance(0.25) || g.chance(0.05) {
		out = append(out, "job")
	}
	return out
}

// step writes one lasting step from start and returns its end (zero while it goes on).
func (g *pathwayGen) step(personID string, ref int, org, kind string, start time.Time) time.Time {
	var end time.Time
	subtype, title := "", ""
	switch kind {
	case "pmsmp":
		end = start.AddDate(0, 0, g.between(5, 29))
		subtype, title = []string{"discover", "confirm", "recruit"}[g.r.IntN(3)], "Immersion en entreprise"
	case "training":
		end = start.AddDate(0, g.between(2, 6), 0)
		title = "Formation qualifiante"
	case "iae":
		end = start.AddDate(0, g.between(4, 12), 0)
		subtype, title = []string{"ACI", "EI", "AI", "ETTI"}[g.r.IntN(4)], "Contrat à durée déterminée d'insertion"
	case "aided_contract":
		end = start.AddDate(0, g.between(6, 12), 0)
		subtype, title = "pec", "Parcours emploi compétences"
	case "job":
		subtype = []string{"cdi", "cdd", "cdd", "interim"}[g.r.IntN(4)]
		title = map[string]string{"cdi": "Employé logistique (CDI)", "cdd": "Agent d'entretien (CDD)", "interim": "Préparateur de commandes (intérim)"}[subtype]
		if subtype != "cdi" {
			end = start.AddDate(0, g.between(2, 8), 0)
		}
	}
	var endValue any
	if !end.IsZero() {
		endValue = end.Format(time.DateOnly)
	}
	id := db.NewID()
	outcome := ""
	if kind == "pmsmp" && end.Before(g.today) {
		outcome = []string{"no_job", "no_job", "job"}[g.r.IntN(3)]
	}
	g.add("steps", id, personID, kind, subtype, title, org, userRef(ref), start.Format(time.DateOnly), endValue, nil, outcome, g.at(start), g.at(start))
	if kind == "job" || kind == "iae" || kind == "aided_contract" {
		g.checkins(personID, id, ref, start, end)
	}
	if !end.IsZero() && end.After(g.today) {
		return time.Time{}
	}
	return end
}

// checkins schedules the 1, 3 and 6-month check-ins and records those whose time has come.
func (g *pathwayGen) checkins(personID, stepID string, ref int, start, end time.Time) {
	for _, m := range []int{1, 3, 6} {
		due := start.AddDate(0, m, 0)
		var done, inWork any
		reason := ""
		if due.Before(g.today.AddDate(0, 0, -10)) && g.chance(0.85) {
			done = due.AddDate(0, 0, g.between(0, 10)).Format(time.DateOnly)
			working := end.IsZero() || due.Before(end) || g.chance(0.5)
			inWork = working && g.chance(0.9)
			if inWork == false {
				reason = []string{"fin_de_contrat", "demission", "sante"}[g.r.IntN(3)]
			}
		}
		var by any = ""
		if done != nil {
			by = userRef(ref)
		}
		g.add("checkins", db.NewID(), personID, stepID, m, due.Format(time.DateOnly), done, inWork, reason, by, g.at(start))
	}
}

var comments = []string{
	"Ma référente m'a vraiment écoutée, merci.",
	"Les rendez-vous sont trop espacés.",
	"J'aurais aimé être aidé plus vite pour le permis.",
	"Très bon accompagnement, j'ai retrouvé confiance.",
	"",
}

// evaluation draws a private link issued to the person and, most often, the
// answer, which keeps only the organisation and the month.
func (g *pathwayGen) evaluation(personID string, ref int, org string) {
	issued := g.today.AddDate(0, 0, -g.between(5, 300))
	var used any
	if g.chance(0.6) {
		answered := issued.AddDate(0, 0, g.between(0, 20))
		if answered.After(g.today) {
			answered = g.today
		}
		used = g.at(answered)
		score := func() int { return []int{2, 3, 3, 4, 4, 4}[g.r.IntN(6)] }
		g.add("evaluation_answers", fmt.Sprintf("%016x%016x", g.r.Uint64(), g.r.Uint64()), org, g.code, answered.Format("2006-01"),
			score(), score(), score(), 4+g.r.IntN(7), comments[g.r.IntN(len(comments))])
	}
	g.add("evaluation_links", fmt.Sprintf("%016x%016x%016x%016x", g.r.Uint64(), g.r.Uint64(), g.r.Uint64(), g.r.Uint64()), personID, org, g.code,
		userRef(ref), g.at(issued), g.at(issued.AddDate(0, 0, 60)), used)
}

// writePathways inserts the drawn pathway rows, resolving account references.
func (w *writer) writePathways(ctx context.Context, tx *db.Tx, rows pathwayRows, userIDs []string) error {
	for _, t := range pathwayTables {
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
		w.progress.report("parcours", len(rows.tables[t.name]), len(rows.tables[t.name]))
	}
	return w.writeJobs(ctx, tx, rows, userIDs)
}

// account returns the index of the demo account with the given local part, -1 without it.
func (g *pathwayGen) account(local string) int {
	for i, a := range g.accounts {
		if a.email == local+"@"+Domain {
			return i
		}
	}
	return -1
}

// caseReviews draws two sessions of the département: a group of
// professionals held three weeks ago with its decisions and actions, and an
// équipe pluridisciplinaire to come, with a sanction review whose person
// has been invited to be heard.
func (g *pathwayGen) caseReviews() {
	organiser, social, pro := g.account("orientation"), g.account("referent.social"), g.account("referent.pro")
	if organiser < 0 || social < 0 || pro < 0 || len(g.hard) < 6 {
		return
	}
	dept := g.orgs[g.accounts[organiser].org].org.ID
	held := g.today.AddDate(0, 0, -21)
	planned := g.today.AddDate(0, 0, 10)
	sessions := []struct {
		kind, title, status string
		on                  time.Time
		files               []hardFile
	}{
		{"groupe", "Groupe de professionnels : situations les plus difficiles", "held", held, g.hard[:3]},
		{"ep", "Équipe pluridisciplinaire du mois", "planned", planned, g.hard[3:6]},
	}
	for _, ss := range sessions {
		id := db.NewID()
		created := g.at(ss.on.AddDate(0, 0, -14))
		g.add("case_reviews", id, g.code, dept, ss.kind, ss.title, ss.on.Format(time.DateOnly), ss.status, userRef(organiser), created)
		seen := map[int]bool{}
		for _, who := range []int{organiser, social, pro} {
			seen[who] = true
			g.add("case_review_participants", id, userRef(who), g.orgs[g.accounts[who].org].org.ID)
		}
		for n, f := range ss.files {
			if !seen[f.ref] {
				seen[f.ref] = true
				g.add("case_review_participants", id, userRef(f.ref), g.orgs[g.accounts[f.ref].org].org.ID)
			}
			item := db.NewID()
			reasons := "Plusieurs freins au dernier diagnostic (4) ; rendez-vous manqués à répétition"
			switch {
			case ss.status == "held":
				due := ss.on.AddDate(0, 0, 30+10*n)
				g.add("case_review_items", item, id, f.personID, "situation", reasons, userRef(organiser),
					"Orientation vers un accompagnement santé et une aide au logement ; point dans un mois.", g.at(ss.on), 0, 0, "", "", "", userRef(organiser), created)
				g.add("plan_actions", db.NewID(), f.personID, "", "Prendre contact avec le centre médico-social", userRef(f.ref),
					g.orgs[g.accounts[f.ref].org].org.ID, due.Format(time.DateOnly), []string{"a_faire", "en_cours", "fait"}[n%3], userRef(organiser), g.at(ss.on), g.at(ss.on), item)
			case n == 2:
				g.add("case_review_items", item, id, f.personID, "sanction", "Absences répétées aux rendez-vous sans motif depuis trois mois", userRef(organiser),
					"", nil, 30, 1, "convoque", "Courrier de convocation envoyé ; la personne peut présenter ses observations.", "", "", created)
			default:
				g.add("case_review_items", item, id, f.personID, "situation", reasons, userRef(organiser), "", nil, 0, 0, "", "", "", "", created)
			}
		}
	}
}
