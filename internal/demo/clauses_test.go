package demo

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/clauses"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
)

// The names of the demo operations.
const (
	tramName    = "Tramway — ligne T2 (travaux)"
	chateauName = "Restauration du château de Beauregard"
	collegeName = "Marché d'insertion des collèges"
)

// TestGenerateClauses checks the insertion clauses of the small demo: the
// three operations modelled on the seeds, a year of hours with their
// history, participants of every public, and the demo accounts seeing what
// their role lets them see, with the château's alerts showing.
func TestGenerateClauses(t *testing.T) {
	now := pinClock(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		box := testBox(t)
		res, err := Generate(context.Background(), d, box, Options{Size: SizeSmall, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		ops := checkClauseOperations(t, d)
		checkTramway(t, d, ops[tramName], now)
		checkChateau(t, d, ops[chateauName])
		checkCollegeMarket(t, d, ops[collegeName], collegeParticipants[false])
		checkClauseHours(t, d, now)
		checkClauseParticipants(t, d)
		svc := clauses.NewService(d, people.NewService(d, box), clauses.DefaultSettings)
		svc.SetToday(func() time.Time { return now.Truncate(24 * time.Hour) })
		checkClauseProgress(t, svc, ops)
		checkClauseAccounts(t, d, svc, res, ops)
	})
}

// checkClauseOperations: three operations of the territory, followed by
// the PLIE and its facilitator, named as the store folds names; their
// markets followed by the same PLIE. It returns the operations' ids by name.
func checkClauseOperations(t *testing.T, d *db.DB) map[string]string {
	ops := map[string]string{}
	queryRows(t, d, `SELECT o.id, o.name, o.search_name, o.territory, f.kind, o.facilitator_user_id <> '', o.pooled,
		(SELECT count(*) FROM clause_markets m WHERE m.operation_id = o.id AND m.facilitator_org_id = o.facilitator_org_id
			AND m.facilitator_user_id = o.facilitator_user_id)
		FROM clause_operations o JOIN organisations f ON f.id = o.facilitator_org_id`,
		func(rows *sql.Rows) error {
			var id, name, search, territory, kind string
			var withUser, pooled bool
			var followed int
			if err := rows.Scan(&id, &name, &search, &territory, &kind, &withUser, &pooled, &followed); err != nil {
				return err
			}
			ops[name] = id
			if search != refdata.Fold(name) || territory != "62" || kind != string(orgs.KindPLIE) || !withUser || followed == 0 {
				t.Errorf("%s: search name %q, territory %s, facilitator %s (user %v), %d markets followed", name, search, territory, kind, withUser, followed)
			}
			if pooled != (name == tramName) {
				t.Errorf("%s: pooled %v", name, pooled)
			}
			return nil
		})
	for _, name := range []string{tramName, chateauName, collegeName} {
		if ops[name] == "" {
			t.Fatalf("no operation %q among %v", name, ops)
		}
	}
	if len(ops) != 3 {
		t.Errorf("operations %v, want 3", ops)
	}
	if n := count(t, d, `SELECT count(*) FROM clause_markets m JOIN clause_operations o ON o.id = m.operation_id
		WHERE m.facilitator_org_id <> o.facilitator_org_id`); n > 0 {
		t.Errorf("%d markets followed by another structure than their operation", n)
	}
	return ops
}

// checkTramway: 131,000 hours over five lots held by five companies with the
// ETTI as partner; twenty people on the ten-month path placed by the ETTI,
// most of whom obtained their titre professionnel; a few six-month outcomes.
func checkTramway(t *testing.T, d *db.DB, op string, now time.Time) {
	var markets, companies, required int
	var buyer string
	if err := d.QueryRowContext(context.Background(), `SELECT count(DISTINCT m.id), count(DISTINCT a.company_org_id), min(b.name),
		sum(a.share_centihours) FROM clause_markets m JOIN clause_awards a ON a.market_id = m.id JOIN organisations b ON b.id = m.buyer_org_id
		JOIN organisations e ON e.id = a.partner_org_id WHERE m.operation_id = $1 AND e.siae_kind = 'ETTI' AND a.role = 'holder'`, op).
		Scan(&markets, &companies, &buyer, &required); err != nil {
		t.Fatal(err)
	}
	total := count(t, d, `SELECT sum(required_centihours) FROM clause_markets WHERE operation_id = $1`, op)
	if markets != 5 || companies != 5 || total != 131_000*100 || required != total || !strings.HasPrefix(buyer, "Syndicat mixte des transports") {
		t.Errorf("tramway: %d lots, %d companies with the ETTI, %d required, %d shared, buyer %q; want 5, 5, 131,000 h", markets, companies, total, required, buyer)
	}
	path := count(t, d, `SELECT count(DISTINCT h.participant_id) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		JOIN organisations v ON v.id = h.via_org_id
		WHERE m.operation_id = $1 AND h.contract_type = 'PROFESSIONNALISATION' AND h.mode = 'MISE_A_DISPOSITION' AND v.siae_kind = 'ETTI'`, op)
	if path < 18 || path > 22 {
		t.Errorf("%d people on the work-and-training path, want about 20", path)
	}
	long := count(t, d, `SELECT count(*) FROM (SELECT h.participant_id FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE m.operation_id = $1 AND h.contract_type = 'PROFESSIONNALISATION' GROUP BY h.participant_id HAVING count(*) = 10) x`, op)
	if long < path-3 {
		t.Errorf("%d of %d people did the ten months of the path", long, path)
	}
	outcomes := map[string]int{}
	queryRows(t, d, `SELECT stage || ' ' || outcome, count(*) FROM clause_outcomes WHERE operation_id = $1 AND observed_on <= $2
		GROUP BY stage, outcome`, func(rows *sql.Rows) error {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		outcomes[k] = n
		return nil
	}, op, now.Format(time.DateOnly))
	six := 0
	for k, n := range outcomes {
		if strings.HasPrefix(k, "six_months") {
			six += n
		}
	}
	if outcomes["end qualification"] < path/2+1 || six < 3 {
		t.Errorf("tramway outcomes %v: want a qualification for most of the %d on the path and some six-month outcomes", outcomes, path)
	}
	if n := count(t, d, `SELECT count(*) FROM clause_outcomes o WHERE NOT EXISTS (SELECT 1 FROM clause_hours h
		JOIN clause_markets m ON m.id = h.market_id WHERE h.participant_id = o.participant_id AND m.operation_id = o.operation_id)`); n > 0 {
		t.Errorf("%d outcomes of people without hours on the operation", n)
	}
}

// checkChateau: 19 companies concerned over 8 lots, exactly 6 started, 20
// people hired directly among 42.
func checkChateau(t *testing.T, d *db.DB, op string) {
	lots := count(t, d, `SELECT count(*) FROM clause_markets WHERE operation_id = $1`, op)
	concerned := count(t, d, `SELECT count(DISTINCT a.company_org_id) FROM clause_awards a JOIN clause_markets m ON m.id = a.market_id
		WHERE m.operation_id = $1`, op)
	started := count(t, d, `SELECT count(DISTINCT h.company_org_id) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE m.operation_id = $1`, op)
	hires := count(t, d, `SELECT count(DISTINCT h.participant_id) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE m.operation_id = $1 AND h.mode = 'EMBAUCHE_DIRECTE' AND h.contract_type <> 'FORMATION'`, op)
	people := count(t, d, `SELECT count(DISTINCT h.participant_id) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE m.operation_id = $1`, op)
	if lots != 8 || concerned != 19 || started != 6 || hires != 20 || people != 42 {
		t.Errorf("château: %d lots, %d companies concerned, %d started, %d hires, %d people; want 8, 19, 6, 20, 42", lots, concerned, started, hires, people)
	}
	// The hours owed follow each market's rule.
	queryRows(t, d, `SELECT reference, hours_rule, rule_base, rule_rate, required_centihours,
		(SELECT sum(share_centihours) FROM clause_awards a WHERE a.market_id = m.id) FROM clause_markets m WHERE operation_id = $1`,
		func(rows *sql.Rows) error {
			var m clauses.Market
			var shares int64
			if err := rows.Scan(&m.Reference, &m.HoursRule, &m.RuleBase, &m.RuleRate, &m.Required, &shares); err != nil {
				return err
			}
			if m.RequiredByRule() != m.Required || int64(m.Required) != shares {
				t.Errorf("%s: %s rule gives %v h, %v h required, %d shared", m.Reference, m.HoursRule, m.RequiredByRule(), m.Required, shares)
			}
			return nil
		}, op)
}

// checkCollegeMarket: an insertion market of the département held lot by
// lot by insertion structures, its people on CDDI, as many as the size
// says, hours every month.
func checkCollegeMarket(t *testing.T, d *db.DB, op string, want int) {
	var lots, holders, bad int
	if err := d.QueryRowContext(context.Background(), `SELECT count(DISTINCT m.id), count(DISTINCT a.company_org_id),
		sum(CASE WHEN m.clause_type = 'marche_insertion' AND b.kind = 'departement' AND c.kind = 'siae' AND c.siae_kind IN ('EI', 'ACI')
			AND a.share_centihours = m.required_centihours AND m.required_centihours > 0 THEN 0 ELSE 1 END)
		FROM clause_markets m JOIN clause_awards a ON a.market_id = m.id JOIN organisations b ON b.id = m.buyer_org_id
		JOIN organisations c ON c.id = a.company_org_id WHERE m.operation_id = $1`, op).Scan(&lots, &holders, &bad); err != nil {
		t.Fatal(err)
	}
	people := count(t, d, `SELECT count(DISTINCT h.participant_id) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE m.operation_id = $1`, op)
	notCDDI := count(t, d, `SELECT count(*) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE m.operation_id = $1 AND h.contract_type <> 'CDDI'`, op)
	months := count(t, d, `SELECT count(DISTINCT h.month) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE m.operation_id = $1`, op)
	t.Logf("collèges: %d lots, %d structures, %d people", lots, holders, people)
	if lots < 4 || holders != lots || bad > 0 || people < want*9/10 || people > want*12/10 || notCDDI > 0 || months != clauseMonths {
		t.Errorf("collèges: %d lots, %d holders (%d not an EI or ACI of the département's market), %d people (want about %d), %d lines not CDDI, %d months",
			lots, holders, bad, people, want, notCDDI, months)
	}
}

// checkClauseHours: every month of the last year has hours and none other;
// every line has its creation in the history and ends as its last change
// says; a few lines were corrected; the three sources appear.
func checkClauseHours(t *testing.T, d *db.DB, now time.Time) {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := clauseMonths; i >= 1; i-- {
		want = append(want, first.AddDate(0, -i, 0).Format("2006-01"))
	}
	var months []string
	queryRows(t, d, `SELECT DISTINCT month FROM clause_hours ORDER BY month`, func(rows *sql.Rows) error {
		var m string
		months = append(months, m)
		return rows.Scan(&months[len(months)-1])
	})
	if !slices.Equal(months, want) {
		t.Errorf("months with hours %v, want %v", months, want)
	}
	lines := count(t, d, `SELECT count(*) FROM clause_hours`)
	created := count(t, d, `SELECT count(*) FROM clause_hours h JOIN clause_hours_history c ON c.hours_id = h.id
		AND c.before_centihours IS NULL AND c.before_mode = '' AND c.changed_at = h.created_at`)
	creations := count(t, d, `SELECT count(*) FROM clause_hours_history WHERE before_centihours IS NULL`)
	corrected := count(t, d, `SELECT count(*) FROM clause_hours_history WHERE before_centihours IS NOT NULL`)
	// The last change of every line is what the line holds.
	wrong := count(t, d, `SELECT count(*) FROM clause_hours h WHERE NOT EXISTS (SELECT 1 FROM clause_hours_history c
		WHERE c.hours_id = h.id AND c.after_centihours = h.centihours AND c.after_mode = h.mode AND c.source = h.source
		AND c.changed_by = h.entered_by AND c.changed_at = h.updated_at)`)
	t.Logf("%d lines of hours, %d corrected", lines, corrected)
	if lines == 0 || created != lines || creations != lines || wrong > 0 || corrected == 0 || corrected > lines/10 {
		t.Errorf("%d lines: %d with their creation, %d creations, %d not ending as their last change, %d corrections", lines, created, creations, wrong, corrected)
	}
	if n := count(t, d, `SELECT count(*) FROM clause_hours WHERE centihours < 1400 OR centihours > 15167 OR created_at > $1 OR updated_at < created_at`, now); n > 0 {
		t.Errorf("%d lines with hours outside 14–151.67 or dated in the future", n)
	}
	if n := count(t, d, `SELECT count(DISTINCT source) FROM clause_hours`); n != 3 {
		t.Errorf("%d sources of hours, want ui, api and import", n)
	}
	if n := count(t, d, `SELECT count(*) FROM clause_hours h JOIN clause_markets m ON m.id = h.market_id
		WHERE h.territory <> m.territory OR h.month < substr(CAST(m.start_date AS TEXT), 1, 7)`); n > 0 {
		t.Errorf("%d lines outside their market's territory or before it started", n)
	}
	// The yearly totals the annual report reads hold every line's hours and participant.
	if n := count(t, d, `SELECT count(*) FROM (SELECT h.territory, substr(h.month, 1, 4) AS year, h.participant_id, SUM(h.centihours) AS hours
		FROM clause_hours h GROUP BY h.territory, substr(h.month, 1, 4), h.participant_id) x
		FULL JOIN clause_year_people y ON y.territory = x.territory AND y.year = x.year AND y.participant_id = x.participant_id
		WHERE x.hours IS NULL OR y.centihours IS NULL OR x.hours <> y.centihours`); n > 0 || count(t, d, `SELECT count(*) FROM clause_year_contracts`) == 0 {
		t.Errorf("%d participant-years whose yearly totals differ from their lines", n)
	}
	if n := count(t, d, `SELECT count(*) FROM clause_year_people y JOIN clause_participants p ON p.id = y.participant_id
		WHERE y.public <> p.public OR y.sex <> p.sex OR y.qpv <> p.qpv OR y.birth_date <> p.birth_date`); n > 0 {
		t.Errorf("%d yearly totals whose participant's facts differ from the participant's", n)
	}
}

// checkClauseParticipants: every public, an "other" always with its reason
// and validated; most validated by the facilitator; about a third linked
// to the person of the registry they are; keys folded as the store folds them.
func checkClauseParticipants(t *testing.T, d *db.DB) {
	publics := map[string]int{}
	sexes := map[string]int{}
	var total, linked, validated, qpv int
	queryRows(t, d, `SELECT p.first_name, p.last_name, p.birth_date, p.sex, p.public, p.public_reason, p.match_key, p.search_name,
		p.person_id, COALESCE(r.first_name = p.first_name AND r.last_name = p.last_name AND r.birth_date = p.birth_date, FALSE),
		p.validated_by <> '' AND p.validated_at IS NOT NULL AND p.proof_date IS NOT NULL
			AND EXISTS (SELECT 1 FROM memberships s WHERE s.user_id = p.validated_by AND s.role = 'facilitator'),
		p.qpv, p.created_by_org <> ''
		FROM clause_participants p LEFT JOIN persons r ON r.id = p.person_id`,
		func(rows *sql.Rows) error {
			var first, last, sex, public, reason, key, search, personID string
			var birth time.Time
			var same, valid, inQPV, byOrg bool
			if err := rows.Scan(&first, &last, &birth, &sex, &public, &reason, &key, &search, &personID, &same, &valid, &inQPV, &byOrg); err != nil {
				return err
			}
			total++
			publics[public]++
			sexes[sex]++
			if personID != "" {
				linked++
				if !same {
					t.Errorf("%s %s: not the person %s of the registry", first, last, personID)
				}
			}
			if valid {
				validated++
			}
			if inQPV {
				qpv++
			}
			if want := refdata.Fold(last) + "|" + refdata.Fold(first) + "|" + birth.Format(time.DateOnly); key != want || search != refdata.Fold(last+" "+first) {
				t.Errorf("%s %s: match key %q, search name %q", first, last, key, search)
			}
			if public == "AUTRE" && (reason == "" || !valid) || public != "AUTRE" && reason != "" || !byOrg {
				t.Errorf("%s %s: public %s, reason %q, validated %v", first, last, public, reason, valid)
			}
			return nil
		})
	t.Logf("%d participants, %d linked, %d validated, %d in a QPV, publics %v, sexes %v", total, linked, validated, qpv, publics, sexes)
	for _, p := range clauses.Publics {
		if publics[p.Code] == 0 {
			t.Errorf("no participant of public %s", p.Code)
		}
	}
	if publics["BRSA"]*3 < total || sexes["F"] == 0 || sexes["M"] == 0 || qpv == 0 || qpv > total/2 {
		t.Errorf("publics %v, sexes %v, %d in a QPV of %d", publics, sexes, qpv, total)
	}
	if linked*5 < total || linked*2 > total || validated*10 < total*8 || validated == total {
		t.Errorf("%d participants: %d linked to the registry (want about a third), %d validated (want most)", total, linked, validated)
	}
}

// checkClauseProgress reads the operations through the clauses service: the
// château shows its silent and late companies and the seeds' figures, the
// tramway and the collèges are on schedule.
func checkClauseProgress(t *testing.T, svc *clauses.Service, ops map[string]string) {
	ctx := context.Background()
	sys := access.System("test")
	kinds := func(p clauses.OperationProgress) map[string]int {
		k := map[string]int{}
		for _, a := range p.Alerts {
			k[a.Kind]++
		}
		return k
	}
	ch, err := svc.OperationProgress(ctx, sys, ops[chateauName])
	if err != nil {
		t.Fatal(err)
	}
	f := ch.Figures
	if k := kinds(ch); k["silent"] != 1 || k["late"] != 1 || f.CompaniesConcerned != 19 || f.CompaniesStarted != 6 || f.Hires != 20 || f.Participants != 42 {
		t.Errorf("château: alerts %v, figures %d concerned, %d started, %d hires, %d people", k, f.CompaniesConcerned, f.CompaniesStarted, f.Hires, f.Participants)
	}
	for _, name := range []string{tramName, collegeName} {
		p, err := svc.OperationProgress(ctx, sys, ops[name])
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v h of %v h (%.0f %%), %.1f ETP, %d people", name, p.Done, p.Required, p.Percent, p.ETP, p.Figures.Participants)
		if len(p.Alerts) > 0 || p.Done == 0 {
			t.Errorf("%s: %v h done, alerts %+v", name, p.Done, p.Alerts)
		}
		if name == tramName && (p.Required != clauses.Hours(tramHours*100) || p.Outcomes["end"]["qualification"] == 0) {
			t.Errorf("tramway: %v h required, outcomes %v", p.Required, p.Outcomes)
		}
	}
}

// checkClauseAccounts signs in with the clauses' demo accounts and lists the
// operations each one sees.
func checkClauseAccounts(t *testing.T, d *db.DB, svc *clauses.Service, res Result, ops map[string]string) {
	ctx := context.Background()
	users := auth.NewService(d, auth.Settings{SessionIdle: time.Hour, SessionMax: time.Hour, DisableThrottle: true})
	for _, c := range []struct {
		local, role string
		sees        []string
	}{
		{"facilitateur", "facilitator", []string{chateauName, collegeName, tramName}},
		{"acheteur.transports", "public_buyer", []string{tramName}},
		{"acheteur", "public_buyer", []string{chateauName}},
		{"acheteur.departement", "public_buyer", []string{collegeName}},
		{"entreprise.travaux", "employer", []string{chateauName, tramName}},
		{"siae.etti", "siae_staff", []string{chateauName, tramName}},
	} {
		email := c.local + "@" + Domain
		i := slices.IndexFunc(res.Accounts, func(a Account) bool { return a.Email == email })
		if i < 0 || res.Accounts[i].Role != c.role {
			t.Errorf("no %s account %s in the result", c.role, email)
			continue
		}
		_, u, err := users.Login(ctx, email, res.Accounts[i].Password, "192.0.2.1")
		if err != nil {
			t.Errorf("login %s: %v", email, err)
			continue
		}
		list, err := svc.ListOperations(ctx, u.ActorIn("", ""))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range list {
			names = append(names, o.Name)
		}
		slices.Sort(names)
		slices.Sort(c.sees)
		if !slices.Equal(names, c.sees) {
			t.Errorf("%s sees %q, want %q", email, names, c.sees)
		}
	}
}

// TestClausesScaleWithSize draws the clauses alone for both sizes: the
// tramway and the château are the seeds' whatever the size, the collèges'
// market grows with the département.
func TestClausesScaleWithSize(t *testing.T) {
	now := pinClock(t)
	ctx := context.Background()
	d := dbtest.SQLite(t)
	if err := refdata.SeedFor(ctx, d, "62"); err != nil {
		t.Fatal(err)
	}
	communes, err := refdata.CommunesByDepartment(ctx, d, "62")
	if err != nil {
		t.Fatal(err)
	}
	for _, big := range []bool{false, true} {
		r := rand.New(rand.NewPCG(5, pcgStream))
		pl := &planner{r: r, t: newTerritory("62", communes), big: big, now: now,
			names: map[string]bool{}, sirets: map[string]bool{}, emails: map[string]bool{}, byKind: map[orgs.Kind][]int{}}
		pl.planOrganisations()
		pl.planAccounts()
		persons, err := newPeopleGen(r, pl.t, now.Truncate(24*time.Hour), pl.orgs, pl.account).generate(300)
		if err != nil {
			t.Fatal(err)
		}
		rows := pathwayRows{tables: map[string][][]any{}}
		newClausesGen(5, pl).generate(persons, &rows)
		opOf := map[string]string{}
		for _, o := range rows.tables["clause_operations"] {
			opOf[o[0].(string)] = o[2].(string)
		}
		marketOp := map[string]string{}
		for _, m := range rows.tables["clause_markets"] {
			marketOp[m[0].(string)] = opOf[m[1].(string)]
		}
		people := map[string]map[string]bool{}
		hours := map[string]int64{}
		for _, h := range rows.tables["clause_hours"] {
			op := marketOp[h[2].(string)]
			if people[op] == nil {
				people[op] = map[string]bool{}
			}
			people[op][h[4].(string)] = true
			hours[op] += h[8].(int64)
		}
		t.Logf("big %v: %d organisations, %d accounts; tramway %d people %d h, château %d people %d h, collèges %d people %d h, %d lines, %d participants",
			big, len(pl.orgs), len(pl.account), len(people[tramName]), hours[tramName]/100, len(people[chateauName]), hours[chateauName]/100,
			len(people[collegeName]), hours[collegeName]/100, len(rows.tables["clause_hours"]), len(rows.tables["clause_participants"]))
		want := collegeParticipants[big]
		if n := len(people[collegeName]); n < want*9/10 || n > want*12/10 || len(people[chateauName]) != 42 {
			t.Errorf("big %v: %d people on the collèges' market (want about %d), %d on the château", big, n, want, len(people[chateauName]))
		}
	}
}

// collectClauses adds the clauses rows that depend on the seed only to a fingerprint.
func collectClauses(collect func(string)) {
	collect(`SELECT o.name, m.reference, m.title, m.start_date, m.required_centihours, c.name, a.role, a.share_centihours
		FROM clause_awards a JOIN clause_markets m ON m.id = a.market_id JOIN clause_operations o ON o.id = m.operation_id
		JOIN organisations c ON c.id = a.company_org_id`)
	collect(`SELECT p.last_name, p.first_name, p.birth_date, p.public, p.qpv, p.external_id, m.reference, c.name, h.month,
		h.contract_type, h.mode, h.centihours FROM clause_hours h JOIN clause_participants p ON p.id = h.participant_id
		JOIN clause_markets m ON m.id = h.market_id JOIN organisations c ON c.id = h.company_org_id`)
	collect(`SELECT p.last_name, p.first_name, o.stage, o.outcome, o.observed_on FROM clause_outcomes o
		JOIN clause_participants p ON p.id = o.participant_id`)
}
