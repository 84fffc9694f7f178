package demo

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tremplin/internal/jobs"
	"tremplin/internal/orgs"
	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// TestGenerateJobs checks the jobs side of the small demo: employers,
// offers in every status, online CVs with and without consent, candidacies
// in every state with their history, hires turned into job steps with
// check-ins due, and the collèges campaign; then that the jobs services
// read the rows and act on them.
func TestGenerateJobs(t *testing.T) {
	now := pinClock(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		box := testBox(t)
		res, err := Generate(ctx, d, box, Options{Size: SizeSmall, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		today := now.UTC().Truncate(24 * time.Hour)
		checkEmployers(t, d)
		checkOffers(t, d)
		checkCVs(t, d)
		checkPositionings(t, d, today)
		checkHires(t, d, today)
		checkCollegesCampaign(t, d, box)
		checkJobsServices(t, d, box, res)
	})
}

func queryRows(t *testing.T, d *db.DB, query string, scan func(*sql.Rows) error, args ...any) {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkEmployers: the organisations that recruit have a NAF code of the
// reference data, one to three sites placed in communes of the département
// and a contact; some employers have staff accounts.
func checkEmployers(t *testing.T, d *db.DB) {
	queryRows(t, d, `SELECT o.name, o.kind, o.naf, COALESCE(n.code, ''),
		(SELECT count(*) FROM employer_sites s WHERE s.organisation_id = o.id),
		(SELECT count(*) FROM employer_contacts c WHERE c.organisation_id = o.id)
		FROM organisations o LEFT JOIN naf n ON n.code = o.naf WHERE o.kind IN ('employer', 'siae', 'geiq')`,
		func(rows *sql.Rows) error {
			var name, kind, naf, known string
			var sites, contacts int
			if err := rows.Scan(&name, &kind, &naf, &known, &sites, &contacts); err != nil {
				return err
			}
			if naf == "" || known != naf {
				t.Errorf("%s (%s): NAF %q is not in the reference data", name, kind, naf)
			}
			if sites < 1 || sites > 3 || contacts < 1 {
				t.Errorf("%s: %d sites, %d contacts; want 1 to 3 sites and a contact", name, sites, contacts)
			}
			return nil
		})
	if n := count(t, d, `SELECT count(*) FROM organisations WHERE kind = 'employer'`); n < 20 {
		t.Errorf("%d employers, want at least 20", n)
	}
	far := count(t, d, `SELECT count(*) FROM employer_sites s LEFT JOIN communes c ON c.code = s.commune_code
		WHERE c.department IS NULL OR c.department <> '62' OR s.lat IS NULL OR s.lon IS NULL OR s.lat = 0
		OR abs(s.lat - c.lat) > 0.05 OR abs(s.lon - c.lon) > 0.05`)
	if far > 0 {
		t.Errorf("%d sites outside their commune of the département or without coordinates", far)
	}
	accounts := count(t, d, `SELECT count(DISTINCT m.organisation_id) FROM memberships m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.role = 'employer' AND o.kind = 'employer'`)
	if accounts < 4 {
		t.Errorf("%d employers with a staff account, want at least 4", accounts)
	}
}

// checkOffers: offers in every status, with known ROME codes, placed at
// their site, their search text folded as the jobs store writes it.
func checkOffers(t *testing.T, d *db.DB) {
	statuses := map[string]int{}
	var tension, clause int
	queryRows(t, d, `SELECT f.title, o.name, o.kind, f.rome, COALESCE(r.code, ''), f.contract, f.weekly_minutes, f.positions, f.status,
		f.closed_at IS NULL, f.search_text, f.in_tension, f.clause_linked, f.clause_market, f.shifts, f.description,
		f.commune_code = s.commune_code AND f.lat = s.lat AND f.lon = s.lon
		FROM offers f JOIN organisations o ON o.id = f.organisation_id LEFT JOIN rome_fiches r ON r.code = f.rome
		JOIN employer_sites s ON s.id = f.site_id AND s.organisation_id = f.organisation_id`,
		func(rows *sql.Rows) error {
			var title, employer, kind, rome, known, contract, status, search, market, shifts, description string
			var minutes, positions int
			var open, inTension, linked, atSite bool
			if err := rows.Scan(&title, &employer, &kind, &rome, &known, &contract, &minutes, &positions, &status, &open,
				&search, &inTension, &linked, &market, &shifts, &description, &atSite); err != nil {
				return err
			}
			statuses[status]++
			if inTension {
				tension++
			}
			if linked {
				clause++
			}
			want := " " + refdata.Fold(title+" "+employer+" "+rome) + " "
			switch {
			case known != rome:
				t.Errorf("%s: ROME %s unknown", title, rome)
			case !slices.ContainsFunc(jobs.Contracts, func(o jobs.Option) bool { return o.Value == contract }):
				t.Errorf("%s: contract %q", title, contract)
			case contract == "CDDI" && kind != string(orgs.KindSIAE):
				t.Errorf("%s: a CDDI offered by %s (%s)", title, employer, kind)
			case minutes < 0 || minutes > 48*60 || positions < 1:
				t.Errorf("%s: %d minutes, %d positions", title, minutes, positions)
			case open != (status == jobs.StatusOpen):
				t.Errorf("%s: status %s, closed_at set: %v", title, status, !open)
			case search != want:
				t.Errorf("%s: search text %q, want %q", title, search, want)
			case linked != (market != ""):
				t.Errorf("%s: clause-linked %v with market %q", title, linked, market)
			case !atSite:
				t.Errorf("%s: not placed at its site", title)
			case !utf8.ValidString(description) || !strings.Contains(description, employer):
				t.Errorf("%s: description %q", title, description)
			}
			for _, s := range strings.Split(shifts, ",") {
				if s != "" && !slices.ContainsFunc(jobs.Shifts, func(o jobs.Option) bool { return o.Value == s }) {
					t.Errorf("%s: shift %q", title, s)
				}
			}
			return nil
		})
	total := statuses[jobs.StatusOpen] + statuses[jobs.StatusFilled] + statuses[jobs.StatusClosed]
	t.Logf("offers: %v, %d in tension, %d clause-linked", statuses, tension, clause)
	if n := count(t, d, `SELECT count(*) FROM offers`); n != total || n < 200 || n > 400 {
		t.Errorf("%d offers, %d read with their site; want 200 to 400, all at a site", n, total)
	}
	for _, s := range jobs.Statuses {
		if statuses[s.Value] == 0 {
			t.Errorf("no offer %s", s.Value)
		}
	}
	if statuses[jobs.StatusOpen] < total/2 || tension == 0 || clause == 0 {
		t.Errorf("offers %v, %d in tension, %d clause-linked: want mostly open, some of each flag", statuses, tension, clause)
	}
}

// checkCVs: CVs of located people, most online, about two thirds of those
// shared with employers; none online without a job sought.
func checkCVs(t *testing.T, d *db.DB) {
	var online, shared, revoked int
	queryRows(t, d, `SELECT v.romes, v.radius_km, v.means, v.online, p.lat IS NOT NULL,
		(SELECT count(*) FROM cv_consents c WHERE c.person_id = v.person_id AND c.revoked_at IS NULL),
		(SELECT count(*) FROM cv_consents c WHERE c.person_id = v.person_id AND c.revoked_at IS NOT NULL),
		(SELECT count(*) FROM rome_fiches r WHERE v.romes LIKE '%' || r.code || '%')
		FROM cvs v JOIN persons p ON p.id = v.person_id`,
		func(rows *sql.Rows) error {
			var romes, means string
			var radius, consents, revokedOnes, known int
			var on, located bool
			if err := rows.Scan(&romes, &radius, &means, &on, &located, &consents, &revokedOnes, &known); err != nil {
				return err
			}
			codes := strings.Split(romes, ",")
			if !located || radius < 1 || radius > 200 || means == "" || known != len(codes) || on && romes == "" {
				t.Errorf("CV: located %v, radius %d, means %q, ROMEs %q (%d known)", located, radius, means, romes, known)
			}
			if on {
				online++
				shared += consents
			} else if consents > 0 {
				t.Errorf("an offline CV is shared")
			}
			revoked += revokedOnes
			return nil
		})
	cvs := count(t, d, `SELECT count(*) FROM cvs`)
	t.Logf("CVs: %d, online %d, shared %d; revoked consents %d", cvs, online, shared, revoked)
	if cvs < 250 || online < cvs*3/4 || shared == online || revoked == 0 {
		t.Errorf("%d CVs, %d online, %d shared, %d revoked consents: want most online, some shared, some not, some revoked", cvs, online, shared, revoked)
	}
	if share := float64(shared) / float64(online); share < 0.55 || share > 0.8 {
		t.Errorf("%.2f of the online CVs are shared, want about two thirds", share)
	}
	if n := count(t, d, `SELECT count(*) FROM cv_experiences`); n < cvs/2 {
		t.Errorf("%d experiences for %d CVs", n, cvs)
	}
}

// event is a stored transition of a candidacy.
type event struct {
	from, to, reason, note string
	at                     time.Time
}

// checkPositionings: candidacies in every state, each with its history from
// the proposal, moving only as the jobs package allows; none reached the
// employer without the person's consent in force, and the référents were
// told of what others did.
func checkPositionings(t *testing.T, d *db.DB, today time.Time) {
	history := map[string][]event{}
	queryRows(t, d, `SELECT positioning_id, from_state, to_state, reason, note, at FROM positioning_events ORDER BY at, id`,
		func(rows *sql.Rows) error {
			var id string
			var e event
			if err := rows.Scan(&id, &e.from, &e.to, &e.reason, &e.note, &e.at); err != nil {
				return err
			}
			history[id] = append(history[id], e)
			return nil
		})
	states := map[string]int{}
	queryRows(t, d, `SELECT ps.id, ps.state, ps.reason, ps.created_at, ps.updated_at, f.created_at,
		EXISTS (SELECT 1 FROM cv_consents c WHERE c.person_id = ps.person_id AND c.revoked_at IS NULL)
		FROM positionings ps JOIN offers f ON f.id = ps.offer_id`,
		func(rows *sql.Rows) error {
			var id, state, reason string
			var created, updated, published time.Time
			var consent bool
			if err := rows.Scan(&id, &state, &reason, &created, &updated, &published, &consent); err != nil {
				return err
			}
			states[state]++
			checkHistory(t, history[id], state, reason, consent)
			if h := history[id]; len(h) > 0 && (!h[0].at.Equal(created) || !h[len(h)-1].at.Equal(updated) || !created.After(published) || !updated.Before(today)) {
				t.Errorf("candidacy %s: created %v, updated %v, offer published %v, history %v", state, created, updated, published, h)
			}
			return nil
		})
	t.Logf("candidacies: %v", states)
	for _, s := range jobs.States {
		if states[s.Value] == 0 {
			t.Errorf("no candidacy %s", s.Value)
		}
	}
	unread := count(t, d, `SELECT count(*) FROM notifications n WHERE n.read_at IS NULL AND n.kind LIKE 'positioning.%'
		AND n.link LIKE '/personnes/%/cv#candidatures'`)
	misdirected := count(t, d, `SELECT count(*) FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM memberships m
		WHERE m.user_id = n.user_id AND m.role = 'referent')`)
	if unread == 0 || misdirected > 0 {
		t.Errorf("%d unread notifications of candidacies, %d to staff who are not référents", unread, misdirected)
	}
}

// checkHistory checks the transitions of one candidacy.
func checkHistory(t *testing.T, h []event, state, reason string, consent bool) {
	t.Helper()
	if len(h) == 0 || h[0].from != "" || h[0].to != jobs.StateProposed || h[len(h)-1].to != state {
		t.Errorf("candidacy %s: history %v", state, h)
		return
	}
	for i, e := range h[1:] {
		if e.from != h[i].to || !jobs.CanMove(e.from, e.to) || !e.at.After(h[i].at) {
			t.Errorf("candidacy %s: move %s → %s after %v", state, e.from, e.to, h[i])
		}
		if e.to == jobs.StateSent && !consent {
			t.Errorf("candidacy %s sent to the employer without the person's consent in force", state)
		}
	}
	last := h[len(h)-1]
	valid := slices.ContainsFunc(jobs.RefusalReasons, func(o jobs.Option) bool { return o.Value == last.reason })
	switch {
	case state == jobs.StateRefused && (!valid || last.reason != reason || last.reason == "other" && last.note == ""):
		t.Errorf("refusal with reason %q (%q), note %q", last.reason, reason, last.note)
	case state != jobs.StateRefused && (reason != "" || last.reason != ""):
		t.Errorf("candidacy %s with a reason %q", state, reason)
	}
}

// checkHires: each hire is a job (or insertion contract) of the person's
// pathway at the employer, with the 1, 3 and 6-month check-ins, some due
// and not recorded yet; no offer hired more than its positions, and a
// filled one closed with its last hire.
func checkHires(t *testing.T, d *db.DB, today time.Time) {
	var hires, due int
	queryRows(t, d, `SELECT ps.state, f.organisation_id, f.title, s.kind, s.organisation_id, s.title, s.start_date,
		(SELECT count(*) FROM checkins c WHERE c.step_id = s.id)
		FROM positionings ps JOIN offers f ON f.id = ps.offer_id JOIN steps s ON s.id = ps.step_id AND s.person_id = ps.person_id`,
		func(rows *sql.Rows) error {
			var state, employer, title, kind, org, stepTitle string
			var start time.Time
			var checkins int
			if err := rows.Scan(&state, &employer, &title, &kind, &org, &stepTitle, &start, &checkins); err != nil {
				return err
			}
			hires++
			if state != jobs.StateHired || org != employer || stepTitle != title || (kind != steps.KindJob && kind != steps.KindIAE) || checkins != 3 {
				t.Errorf("hire on %q: %s step %s at the employer %v with %d check-ins", title, state, kind, org == employer, checkins)
			}
			return nil
		})
	if n := count(t, d, `SELECT count(*) FROM positionings WHERE state = 'hired'`); hires == 0 || n != hires {
		t.Errorf("%d hires, %d with their step", n, hires)
	}
	queryRows(t, d, `SELECT c.months, c.due_date, s.start_date, c.done_on IS NULL FROM checkins c JOIN steps s ON s.id = c.step_id
		JOIN positionings ps ON ps.step_id = s.id`,
		func(rows *sql.Rows) error {
			var months int
			var dueOn, start time.Time
			var pending bool
			if err := rows.Scan(&months, &dueOn, &start, &pending); err != nil {
				return err
			}
			if !dueOn.UTC().Equal(steps.AddMonths(start.UTC(), months)) {
				t.Errorf("check-in at %d months due %v for a job started %v", months, dueOn, start)
			}
			if pending && !dueOn.After(today) {
				due++
			}
			return nil
		})
	if due == 0 {
		t.Errorf("no check-in of a hire is due: the back-to-work worklist would be empty")
	}
	over := count(t, d, `SELECT count(*) FROM offers f WHERE (SELECT count(*) FROM positionings ps WHERE ps.offer_id = f.id AND ps.state = 'hired')
		>= f.positions + CASE WHEN f.status = 'open' THEN 0 ELSE 1 END`)
	unclosed := count(t, d, `SELECT count(*) FROM offers f WHERE f.status = 'filled' AND EXISTS (SELECT 1 FROM positionings ps
		WHERE ps.offer_id = f.id AND ps.state = 'hired') AND f.closed_at <> (SELECT max(e.at) FROM positioning_events e
		JOIN positionings ps ON ps.id = e.positioning_id WHERE ps.offer_id = f.id AND e.to_state = 'hired')`)
	if over > 0 || unclosed > 0 {
		t.Errorf("%d offers hired beyond their positions (or filled while open), %d filled not closed at their last hire", over, unclosed)
	}
}

// checkCollegesCampaign reads the collèges campaign through the campaign
// service: 57 collèges of the département, 73 candidates of the registry,
// all placed with less travel than nearest free site first, one line
// changed by hand.
func checkCollegesCampaign(t *testing.T, d *db.DB, box *secret.Box) {
	var id string
	if err := d.QueryRowContext(context.Background(), `SELECT id FROM campaigns WHERE title = $1`, campaignTitle).Scan(&id); err != nil {
		t.Fatalf("campaign %q: %v", campaignTitle, err)
	}
	svc := jobs.NewCampaigns(d, people.NewService(d, box), geo.NewOffline(d))
	p, err := svc.Get(context.Background(), access.System("test"), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("campaign: %d sites, %d places, %d candidates, %d placed, %.1f km against %.1f km nearest free first",
		len(p.Sites), p.Places(), len(p.Lines), p.Totals.Placed, p.Totals.TotalKm, p.NearestFree.TotalKm)
	if len(p.Sites) != 57 || p.Places() < 73 || len(p.Lines) != 73 || p.Totals.Placed != 73 || !p.Campaign.Solved() || p.Overrides != 1 {
		t.Errorf("campaign: %d sites, %d places, %d candidates, %d placed, solved %v, %d overrides",
			len(p.Sites), p.Places(), len(p.Lines), p.Totals.Placed, p.Campaign.Solved(), p.Overrides)
	}
	if p.Totals.TotalKm > p.NearestFree.TotalKm {
		t.Errorf("the plan travels %.1f km, more than nearest free site first (%.1f km)", p.Totals.TotalKm, p.NearestFree.TotalKm)
	}
	for _, s := range p.Sites {
		if !s.Located() || !strings.HasPrefix(s.CommuneCode, "62") || s.CommuneName == "" || s.Assigned > s.Capacity {
			t.Errorf("site %s in %s (%s): located %v, %d/%d", s.Name, s.CommuneCode, s.CommuneName, s.Located(), s.Assigned, s.Capacity)
		}
	}
	persons := map[string]bool{}
	for _, l := range p.Lines {
		c := l.Candidate
		if !c.Linked() || persons[c.PersonID] || !c.Located() || c.Approximate || l.Line == nil {
			t.Errorf("candidate %d: person %q (seen %v), located %v", c.Number, c.PersonID, persons[c.PersonID], c.Located())
		}
		persons[c.PersonID] = true
		if d := geo.Distance(geo.Point{Lat: *c.Lat, Lon: *c.Lon}, geo.Point{Lat: *l.Site.Lat, Lon: *l.Site.Lon}); math.Abs(d-l.Line.DistanceKm) > 1e-6 {
			t.Errorf("candidate %d: %.3f km stored, %.3f km between them", c.Number, l.Line.DistanceKm, d)
		}
	}
	rsa := count(t, d, `SELECT count(*) FROM campaign_candidates k JOIN persons p ON p.id = k.person_id
		WHERE k.campaign_id = $1 AND p.household_id <> '' AND p.lat = k.lat AND p.lon = k.lon`, id)
	if rsa != 73 {
		t.Errorf("%d candidates are RSA beneficiaries placed where they live, want 73", rsa)
	}
}

// checkJobsServices acts through the jobs service on the demo: the
// figures, a person's matches and an employer recording a hire.
func checkJobsServices(t *testing.T, d *db.DB, box *secret.Box, res Result) {
	ctx := context.Background()
	svc := jobs.NewService(d, people.NewService(d, box), geo.NewOffline(d))
	sys := access.System("test")
	f, err := svc.ComputeFigures(ctx, sys, "62", clock().AddDate(-1, 0, 0), clock())
	if err != nil {
		t.Fatal(err)
	}
	if f.OffersPublished != count(t, d, `SELECT count(*) FROM offers`) || f.CVsOnline == 0 || f.Hires == 0 || f.MedianDaysToHire <= 0 {
		t.Errorf("figures: %+v", f)
	}
	var personID string
	if err := d.QueryRowContext(ctx, `SELECT v.person_id FROM cvs v WHERE v.online AND v.romes LIKE '%K2204%'
		ORDER BY v.person_id LIMIT 1`).Scan(&personID); err != nil {
		t.Fatal(err)
	}
	m, err := svc.MatchesForPerson(ctx, sys, personID, jobs.MatchQuery{RadiusKm: 50})
	if err != nil || m.Total == 0 {
		t.Errorf("matches of a person looking for maintenance work: %d, %v", m.Total, err)
	}
	// An employer hires a candidate it interviewed.
	var id, email string
	err = d.QueryRowContext(ctx, `SELECT ps.id, u.email FROM positionings ps JOIN offers f ON f.id = ps.offer_id
		JOIN memberships m ON m.organisation_id = ps.employer_org_id AND m.role = 'employer' JOIN users u ON u.id = m.user_id
		WHERE ps.state = 'interview' AND f.contract <> 'CDDI' ORDER BY ps.created_at, ps.id LIMIT 1`).Scan(&id, &email)
	if err != nil {
		t.Fatalf("an interview with an employer that has an account: %v", err)
	}
	users := auth.NewService(d, auth.Settings{SessionIdle: time.Hour, SessionMax: time.Hour, DisableThrottle: true})
	_, u, err := users.Login(ctx, email, res.Accounts[0].Password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	hired, err := svc.Move(ctx, u.ActorIn("", ""), id, jobs.MoveInput{State: jobs.StateHired})
	if err != nil || hired.StepID == "" {
		t.Fatalf("the employer records the hire: %+v, %v", hired, err)
	}
	if n := count(t, d, `SELECT count(*) FROM checkins WHERE step_id = $1`, hired.StepID); n != 3 {
		t.Errorf("the hire scheduled %d check-ins, want 3", n)
	}
}

func TestDemoJobsUseKnownCodes(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if err := refdata.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	for code, job := range demoJobs {
		if _, err := refdata.ROMEFicheByCode(ctx, d, code); err != nil || job.title == "" {
			t.Errorf("ROME %s (%q): %v", code, job.title, err)
		}
	}
	codes := slices.Clone(cvROMEs)
	for _, s := range sectors {
		codes = append(codes, s.romes...)
		if _, err := refdata.NAF(ctx, d, s.naf); err != nil {
			t.Errorf("sector %s: NAF %s: %v", s.key, s.naf, err)
		}
	}
	for _, p := range plannedEmployers {
		if _, err := refdata.NAF(ctx, d, p[1]); err != nil {
			t.Errorf("NAF %s: %v", p[1], err)
		}
	}
	for _, code := range codes {
		if _, ok := demoJobs[code]; !ok {
			t.Errorf("ROME %s has no demo job", code)
		}
	}
}

// collectJobs adds the jobs side of the demo to a fingerprint: offers, CVs,
// candidacies and the campaign's plan, named without their random ids.
func collectJobs(collect func(query string)) {
	collect(`SELECT o.name, o.naf, f.title, f.rome, f.contract, f.status, f.positions, f.commune_code, f.created_at, f.closed_at
		FROM offers f JOIN organisations o ON o.id = f.organisation_id`)
	collect(`SELECT p.last_name, p.first_name, p.birth_date, v.romes, v.online, v.radius_km, v.created_at
		FROM cvs v JOIN persons p ON p.id = v.person_id`)
	collect(`SELECT p.last_name, p.first_name, p.birth_date, f.title, f.created_at, ps.state, ps.created_at, ps.updated_at
		FROM positionings ps JOIN persons p ON p.id = ps.person_id JOIN offers f ON f.id = ps.offer_id`)
	collect(`SELECT p.last_name, p.first_name, p.birth_date, k.label, s.name, s.capacity, a.source
		FROM campaign_assignments a JOIN campaign_candidates k ON k.id = a.candidate_id JOIN persons p ON p.id = k.person_id
		JOIN campaign_sites s ON s.id = a.site_id`)
}
