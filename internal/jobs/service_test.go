package jobs_test

import (
	"strings"
	"testing"

	"tremplin/internal/jobs"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

func TestOfferIsValidatedAndPlaced(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		cases := []struct {
			name  string
			in    jobs.OfferInput
			field string
		}{
			{"a ROME code of the wrong form", jobs.OfferInput{Title: "Agent", ROME: "K22", Contract: "CDI", CommuneCode: arrasINS}, "rome"},
			{"a ROME fiche that does not exist", jobs.OfferInput{Title: "Agent", ROME: "K9999", Contract: "CDI", CommuneCode: arrasINS}, "rome"},
			{"no place of work", jobs.OfferInput{Title: "Agent", ROME: "K2204", Contract: "CDI"}, "commune_code"},
			{"an unknown commune", jobs.OfferInput{Title: "Agent", ROME: "K2204", Contract: "CDI", CommuneCode: "99999"}, "commune_code"},
			{"hours that are not a number", jobs.OfferInput{Title: "Agent", ROME: "K2204", Contract: "CDI", Hours: "beaucoup", CommuneCode: arrasINS}, "hours_per_week"},
			{"an unknown contract", jobs.OfferInput{Title: "Agent", ROME: "K2204", Contract: "STAGE", CommuneCode: arrasINS}, "contract"},
			{"no title", jobs.OfferInput{ROME: "K2204", Contract: "CDI", CommuneCode: arrasINS}, "title"},
			{"an unknown shift", jobs.OfferInput{Title: "Agent", ROME: "K2204", Contract: "CDI", CommuneCode: arrasINS, Shifts: []string{"sieste"}}, "shifts"},
		}
		for _, c := range cases {
			_, err := w.svc.CreateOffer(w.ctx, w.as("employer"), c.in)
			if errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: want an error on %s, got %v", c.name, c.field, err)
			}
		}
		o := w.offer("Agent de propreté", "k2204", arrasINS, func(in *jobs.OfferInput) { in.Hours = "17,5"; in.Shifts = []string{"matin"} })
		if o.ROME != "K2204" || o.WeeklyMinutes != 17*60+30 || o.OrgID != w.orgs["Propreté du Nord"].ID || o.Territory != "62" {
			t.Errorf("offer not normalised: %+v", o)
		}
		if !o.Located() || *o.Lat != arras.Lat {
			t.Errorf("an offer in a commune is placed at its centre, got %v %v", o.Lat, o.Lon)
		}
		if n := w.count(`SELECT count(*) FROM offers WHERE (lat = 0 OR lon = 0) AND id <> $1`, ""); n != 0 {
			t.Errorf("%d offers placed at (0,0)", n)
		}
	})
}

func TestOfferAccess(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		o := w.offer("Agent de propreté", "K2204", arrasINS, nil)
		read := []struct {
			who  string
			sees bool
		}{
			{"employer", true}, {"manager", true}, {"referent", true}, {"outsider", true}, {"rival", false},
		}
		for _, c := range read {
			_, err := w.svc.GetOffer(w.ctx, w.as(c.who), o.ID)
			if c.sees != (err == nil) {
				t.Errorf("%s reading an offer of the territory: got %v, want seen=%v", c.who, err, c.sees)
			}
			if !c.sees && !errs.Is(err, errs.NotFound) {
				t.Errorf("%s: an offer one may not see is not found, got %v", c.who, err)
			}
			list, _, err := w.svc.ListOffers(w.ctx, w.as(c.who), jobs.OfferFilter{})
			if err != nil || (len(list) == 1) != c.sees {
				t.Errorf("%s listing offers: %d offers, %v; want seen=%v", c.who, len(list), err, c.sees)
			}
		}
		write := []struct {
			who    string
			allows bool
		}{{"employer", true}, {"manager", true}, {"referent", false}, {"outsider", false}, {"rival", false}}
		for _, c := range write {
			_, err := w.svc.SetOfferStatus(w.ctx, w.as(c.who), o.ID, jobs.StatusOpen)
			if c.allows != (err == nil) {
				t.Errorf("%s managing the offer: got %v, want allowed=%v", c.who, err, c.allows)
			}
		}
		// A manager publishes for an employer of the territory; a référent cannot.
		in := jobs.OfferInput{EmployerID: w.orgs["Autre employeur"].ID, Title: "Serveur", ROME: "G1603", Contract: "CDD", CommuneCode: lensINS}
		if _, err := w.svc.CreateOffer(w.ctx, w.as("manager"), in); err != nil {
			t.Errorf("manager publishing for an employer of the territory: %v", err)
		}
		if _, err := w.svc.CreateOffer(w.ctx, w.as("referent"), in); err == nil {
			t.Error("a référent published an offer for an employer")
		}
		in.EmployerID = w.orgs["Employeur de la Somme"].ID
		if _, err := w.svc.CreateOffer(w.ctx, w.as("manager"), in); err == nil {
			t.Error("a manager published for an employer of another territory")
		}
		closed, err := w.svc.SetOfferStatus(w.ctx, w.as("employer"), o.ID, jobs.StatusClosed)
		if err != nil || closed.ClosedAt == nil || closed.Status != jobs.StatusClosed {
			t.Fatalf("closing an offer: %+v %v", closed, err)
		}
		reopened, err := w.svc.SetOfferStatus(w.ctx, w.as("employer"), o.ID, jobs.StatusOpen)
		if err != nil || reopened.ClosedAt != nil {
			t.Errorf("reopening keeps a closing date: %+v %v", reopened, err)
		}
	})
}

func TestCVAndConsent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		if _, err := w.d.ExecContext(w.ctx, `INSERT INTO diagnostics (id, person_id, version, organisation_id, author_id, content, created_at)
			VALUES ($1,$2,1,$3,$4,$5,$6)`, db.NewID(), w.martin.ID, w.orgs["Mission locale"].ID, w.users["referent"].ID,
			`{"target_jobs":["K2204"],"mobility_km":15,"driving_licence":true,"strengths":"Ponctuelle\nSoigneuse"}`, db.Now()); err != nil {
			t.Fatal(err)
		}
		draft, err := w.svc.GetCV(w.ctx, w.as("referent"), w.martin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if draft.CV.Exists || strings.Join(draft.CV.ROMEs, ",") != "K2204" || draft.CV.RadiusKm != 15 || !draft.CV.Licence ||
			strings.Join(draft.CV.Skills, "|") != "Ponctuelle|Soigneuse" || !draft.CanEdit {
			t.Errorf("a new CV starts from the diagnostic: %+v", draft.CV)
		}
		if _, err := w.svc.GetCV(w.ctx, w.as("outsider"), w.martin.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("a professional outside the group reads the CV: %v", err)
		}
		if _, err := w.svc.GetCV(w.ctx, w.as("employer"), w.martin.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("an employer reads a CV with no positioning: %v", err)
		}
		bad := jobs.CVInput{ROMEs: []string{"Z9999"}, RadiusKm: 500, Means: []string{"jetpack"}, HoursMin: "30", HoursMax: "20", Online: true}
		fields := errs.FieldsOf(func() error { _, err := w.svc.SaveCV(w.ctx, w.as("referent"), w.martin.ID, bad); return err }())
		for _, f := range []string{"romes", "radius_km", "means", "hours_max"} {
			if fields[f] == "" {
				t.Errorf("a bad CV has no error on %s: %v", f, fields)
			}
		}
		if _, err := w.svc.SaveCV(w.ctx, w.as("outsider"), w.martin.ID, jobs.CVInput{}); !errs.Is(err, errs.NotFound) {
			t.Errorf("a professional outside the group writes the CV: %v", err)
		}
		w.onlineCV("referent", w.martin, "K2204")
		if err := w.svc.RevokeConsent(w.ctx, w.as("referent"), w.martin.ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("revoking a consent never given: %v", err)
		}
		if err := w.svc.GiveConsent(w.ctx, w.as("referent"), w.martin.ID, "telepathy"); errs.FieldsOf(err)["method"] == "" {
			t.Errorf("a consent needs a known method: %v", err)
		}
		if err := w.svc.GiveConsent(w.ctx, w.as("referent"), w.martin.ID, jobs.ConsentWritten); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.GiveConsent(w.ctx, w.as("referent"), w.martin.ID, jobs.ConsentOral); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second consent in force: %v", err)
		}
		got, _ := w.svc.GetCV(w.ctx, w.as("referent"), w.martin.ID)
		if !got.CV.Shared() || len(got.CV.Consents) != 1 {
			t.Errorf("an online CV with consent is shared: %+v", got.CV)
		}
		if err := w.svc.RevokeConsent(w.ctx, w.as("referent"), w.martin.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = w.svc.GetCV(w.ctx, w.as("referent"), w.martin.ID)
		if got.CV.Shared() || len(got.CV.Consents) != 1 || got.CV.Consents[0].RevokedAt == nil {
			t.Errorf("a revoked consent stays in the history and stops sharing: %+v", got.CV)
		}
		if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'cv.read' AND person_id = $1`, w.martin.ID); n < 3 {
			t.Errorf("every read of the CV is traced: %d entries", n)
		}
	})
}

func TestMatchingBothWays(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		near := w.offer("Agent de propreté", "K2204", arrasINS, nil)
		sameDomain := w.offer("Laveur de vitres", "K2202", lensINS, nil)
		far := w.offer("Agent de propreté à Calais", "K2204", "62193", nil)
		w.onlineCV("referent", w.martin, "K2204")
		w.onlineCV("outsider", w.bernad, "K2204")

		m, err := w.svc.MatchesForPerson(w.ctx, w.as("referent"), w.martin.ID, jobs.MatchQuery{RadiusKm: 30})
		if err != nil {
			t.Fatal(err)
		}
		if m.Total != 2 || len(m.Items) != 2 || m.Items[0].Offer.ID != near.ID || m.Items[1].Offer.ID != sameDomain.ID {
			t.Fatalf("offers within 30 km, the same job first: total %d, %+v", m.Total, m.Items)
		}
		if m.Items[0].DistanceKm > 1 || len(m.Items[0].Reasons) == 0 {
			t.Errorf("the match explains itself: %+v", m.Items[0])
		}
		wide, err := w.svc.MatchesForPerson(w.ctx, w.as("referent"), w.martin.ID, jobs.MatchQuery{RadiusKm: 150, Limit: 1})
		if err != nil || wide.Total != 3 || len(wide.Items) != 1 {
			t.Errorf("the total counts every offer within the radius, the items stop at the limit: %d, %d, %v", wide.Total, len(wide.Items), err)
		}
		_ = far
		if _, err := w.svc.MatchesForPerson(w.ctx, w.as("outsider"), w.martin.ID, jobs.MatchQuery{}); !errs.Is(err, errs.NotFound) {
			t.Errorf("matching a person one does not follow: %v", err)
		}
		if _, err := w.svc.MatchesForPerson(w.ctx, w.as("employer"), w.martin.ID, jobs.MatchQuery{}); !errs.Is(err, errs.NotFound) {
			t.Errorf("an employer matching a person: %v", err)
		}

		// The référent sees the person they follow by name, Bernard not at all
		// until his CV is shared with employers, and then without his name.
		names := func(who string) []string {
			c, err := w.svc.CandidatesForOffer(w.ctx, w.as(who), near.ID, jobs.MatchQuery{})
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			var out []string
			for _, it := range c.Items {
				out = append(out, it.Label)
			}
			if c.Total != len(out) {
				t.Errorf("%s: total %d for %d visible candidates", who, c.Total, len(out))
			}
			return out
		}
		if got := strings.Join(names("referent"), ","); got != "Martin Julie" {
			t.Errorf("référent's candidates before sharing: %q", got)
		}
		if got := strings.Join(names("employer"), ","); got != "" {
			t.Errorf("employer's candidates before sharing: %q", got)
		}
		if err := w.svc.GiveConsent(w.ctx, w.as("outsider"), w.bernad.ID, jobs.ConsentOral); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names("referent"), ","); got != "Martin Julie,Candidat n°2" {
			t.Errorf("référent's candidates once Bernard shares his CV: %q", got)
		}
		if got := strings.Join(names("employer"), ","); got != "Candidat n°1" {
			t.Errorf("employer's candidates once Bernard shares his CV: %q", got)
		}
		anon, err := w.svc.CandidatesForOffer(w.ctx, w.as("employer"), near.ID, jobs.MatchQuery{})
		if err != nil || len(anon.Items) != 1 {
			t.Fatalf("employer's candidates: %+v, %v", anon.Items, err)
		}
		if d := anon.Items[0].DistanceKm; d != float64(int(d)) || !strings.HasPrefix(anon.Items[0].Reasons[0], "À environ 16 km") {
			t.Errorf("a candidate without a name is placed to the kilometre only: %v km, %q", d, anon.Items[0].Reasons[0])
		}
		if _, err := w.svc.CandidatesForOffer(w.ctx, w.as("rival"), near.ID, jobs.MatchQuery{}); !errs.Is(err, errs.NotFound) {
			t.Errorf("another employer's candidates: %v", err)
		}
		// Closing the offer takes it out of the matches at once.
		if _, err := w.svc.SetOfferStatus(w.ctx, w.as("employer"), near.ID, jobs.StatusClosed); err != nil {
			t.Fatal(err)
		}
		m, _ = w.svc.MatchesForPerson(w.ctx, w.as("referent"), w.martin.ID, jobs.MatchQuery{RadiusKm: 30})
		if m.Total != 1 || m.Items[0].Offer.ID != sameDomain.ID {
			t.Errorf("a closed offer still matches: %+v", m.Items)
		}
	})
}

func TestPositioningToHire(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		o := w.offer("Agent de propreté", "K2204", arrasINS, nil)
		w.onlineCV("referent", w.martin, "K2204")
		if _, err := w.svc.Propose(w.ctx, w.as("outsider"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID}); !errs.Is(err, errs.NotFound) {
			t.Errorf("proposing a person one does not follow: %v", err)
		}
		if _, err := w.svc.Propose(w.ctx, w.as("employer"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID}); !errs.Is(err, errs.NotFound) {
			t.Errorf("an employer proposing a person whose CV is not shared: %v", err)
		}
		p, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID, Note: "Motivée"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID}); !errs.Is(err, errs.Conflict) {
			t.Errorf("positioning twice on the same offer: %v", err)
		}
		if _, err := w.svc.GetPositioning(w.ctx, w.as("employer"), p.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("the employer sees a proposal not sent yet: %v", err)
		}
		if _, err := w.svc.Move(w.ctx, w.as("referent"), p.ID, jobs.MoveInput{State: jobs.StateSent}); !errs.Is(err, errs.Conflict) {
			t.Errorf("sending without the person's consent: %v", err)
		}
		if _, _, err := w.ppl.Get(w.ctx, w.as("employer"), w.martin.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("an employer reads a person not sent to it: %v", err)
		}
		if err := w.svc.GiveConsent(w.ctx, w.as("referent"), w.martin.ID, jobs.ConsentWritten); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			who   string
			in    jobs.MoveInput
			fails errs.Code
		}{
			{"employer", jobs.MoveInput{State: jobs.StateSent}, errs.NotFound},
			{"referent", jobs.MoveInput{State: jobs.StateHired, StartDate: "2026-01-05"}, errs.Invalid},
			{"referent", jobs.MoveInput{State: jobs.StateSent}, ""},
			{"employer", jobs.MoveInput{State: jobs.StateWithdrawn}, errs.Forbidden},
			{"employer", jobs.MoveInput{State: jobs.StateRefused}, errs.Invalid},
			{"rival", jobs.MoveInput{State: jobs.StateInterview}, errs.NotFound},
			{"employer", jobs.MoveInput{State: jobs.StateInterview, Note: "Entretien le 12"}, ""},
			{"employer", jobs.MoveInput{State: jobs.StateHired, StartDate: "31/02/2027"}, errs.Invalid},
			{"employer", jobs.MoveInput{State: jobs.StateHired}, ""},
			{"referent", jobs.MoveInput{State: jobs.StateWithdrawn}, errs.Invalid},
		}
		for i, s := range steps {
			_, err := w.svc.Move(w.ctx, w.as(s.who), p.ID, s.in)
			if s.fails == "" && err != nil {
				t.Fatalf("step %d, %s moves to %s: %v", i, s.who, s.in.State, err)
			}
			if s.fails != "" && !errs.Is(err, s.fails) {
				t.Errorf("step %d, %s moves to %s: want %s, got %v", i, s.who, s.in.State, s.fails, err)
			}
		}
		got, err := w.svc.GetPositioning(w.ctx, w.as("employer"), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != jobs.StateHired || got.StepID == "" || len(got.Events) != 4 {
			t.Errorf("a hire ends the candidacy with its history and a step: %+v", got)
		}
		if n := w.count(`SELECT count(*) FROM steps WHERE person_id = $1 AND kind = 'job'`, w.martin.ID); n != 1 {
			t.Errorf("the hire adds one job to the pathway, got %d", n)
		}
		if n := w.count(`SELECT count(*) FROM checkins WHERE person_id = $1`, w.martin.ID); n != 3 {
			t.Errorf("the hire schedules the 1, 3 and 6 month check-ins, got %d", n)
		}
		if n := w.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'positioning.hired'`, w.users["referent"].ID); n != 1 {
			t.Errorf("the référent is told of the hire, got %d notifications", n)
		}
		offer, _ := w.svc.GetOffer(w.ctx, w.as("employer"), o.ID)
		if offer.Status != jobs.StatusFilled {
			t.Errorf("an offer of one position is filled by its hire: %s", offer.Status)
		}
		// The employer reads the candidate's identity, never the social file.
		person, group, err := w.ppl.Get(w.ctx, w.as("employer"), w.martin.ID)
		if err != nil || person.Phone == "" || person.RSA != nil || group != nil {
			t.Errorf("employer's view of a candidate: %+v, %v, %v", person, group, err)
		}
		// Once the consent is withdrawn, the employer loses the candidate.
		if err := w.svc.RevokeConsent(w.ctx, w.as("referent"), w.martin.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.ppl.Get(w.ctx, w.as("employer"), w.martin.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("an employer reads a candidate after the consent is withdrawn: %v", err)
		}
		if _, err := w.svc.GetPositioning(w.ctx, w.as("employer"), p.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("an employer reads a candidacy after the consent is withdrawn: %v", err)
		}
	})
}

func TestEmployerProposesASharedCV(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		o := w.offer("Agent de propreté", "K2204", arrasINS, nil)
		w.onlineCV("outsider", w.bernad, "K2204")
		if err := w.svc.GiveConsent(w.ctx, w.as("outsider"), w.bernad.ID, jobs.ConsentOral); err != nil {
			t.Fatal(err)
		}
		p, err := w.svc.Propose(w.ctx, w.as("employer"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.bernad.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.GetPositioning(w.ctx, w.as("employer"), p.ID); err != nil {
			t.Errorf("the employer sees the candidacy it proposed: %v", err)
		}
		if n := w.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'positioning.proposed'`, w.users["outsider"].ID); n != 1 {
			t.Errorf("the référent is told an employer proposed the person, got %d", n)
		}
		if _, err := w.svc.Move(w.ctx, w.as("employer"), p.ID, jobs.MoveInput{State: jobs.StateSent}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the employer sends its own proposal to itself: %v", err)
		}
		if _, err := w.svc.Move(w.ctx, w.as("outsider"), p.ID, jobs.MoveInput{State: jobs.StateSent}); err != nil {
			t.Errorf("the référent confirms the employer's proposal: %v", err)
		}
	})
}

func TestAMergeKeepsTheJobsRows(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		o := w.offer("Agent de propreté", "K2204", arrasINS, nil)
		other := w.offer("Laveur de vitres", "K2202", lensINS, nil)
		w.onlineCV("referent", w.martin, "K2204")
		w.onlineCV("outsider", w.bernad, "K2202")
		for _, c := range []struct {
			who    string
			person string
		}{{"referent", w.martin.ID}, {"outsider", w.bernad.ID}} {
			if err := w.svc.GiveConsent(w.ctx, w.as(c.who), c.person, jobs.ConsentOral); err != nil {
				t.Fatal(err)
			}
		}
		kept, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID})
		if err != nil {
			t.Fatal(err)
		}
		dup, err := w.svc.Propose(w.ctx, w.as("outsider"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.bernad.ID, Note: "Doublon"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Propose(w.ctx, w.as("outsider"), jobs.ProposeInput{OfferID: other.ID, PersonID: w.bernad.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ppl.Merge(w.ctx, access.System("test"), w.martin.ID, w.bernad.ID, "même personne"); err != nil {
			t.Fatalf("merging files with CVs, consents and candidacies on the same offer: %v", err)
		}
		checks := []struct {
			what  string
			query string
			want  int
		}{
			{"one CV, the kept file's", `SELECT count(*) FROM cvs WHERE person_id = $1 AND romes = 'K2204'`, 1},
			{"one consent in force", `SELECT count(*) FROM cv_consents WHERE person_id = $1 AND revoked_at IS NULL`, 1},
			{"both consents in the history", `SELECT count(*) FROM cv_consents WHERE person_id = $1`, 2},
			{"one candidacy per offer", `SELECT count(*) FROM positionings WHERE person_id = $1`, 2},
		}
		for _, c := range checks {
			if got := w.count(c.query, w.martin.ID); got != c.want {
				t.Errorf("%s: %d, want %d", c.what, got, c.want)
			}
		}
		if n := w.count(`SELECT count(*) FROM positioning_events WHERE positioning_id = $1`, kept.ID); n != 2 {
			t.Errorf("the kept candidacy keeps the duplicate's history: %d events", n)
		}
		if n := w.count(`SELECT count(*) FROM positionings WHERE id = $1`, dup.ID); n != 0 {
			t.Errorf("the duplicate's candidacy on the same offer is folded into the kept one")
		}
	})
}

func TestACDDIHireIsAnInsertionContract(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		aci := orgs.Organisation{ID: db.NewID(), Name: "Chantier d'insertion", Kind: orgs.KindSIAE, SIAEKind: "ACI", Territory: "62", CreatedAt: db.Now()}
		if err := orgs.Insert(w.ctx, d, aci); err != nil {
			t.Fatal(err)
		}
		u, err := auth.NewService(d, auth.DefaultSettings()).CreateUser(w.ctx, access.System("test"), auth.NewUser{Email: "aci@example.org",
			Memberships: []auth.NewMembership{authtest.Member(aci.ID, access.RoleEmployer)}})
		if err != nil {
			t.Fatal(err)
		}
		recruiter := u.ActorIn("", "192.0.2.1")
		o, err := w.svc.CreateOffer(w.ctx, recruiter, jobs.OfferInput{Title: "Ouvrier espaces verts", ROME: "A1203", Contract: "CDDI",
			ContractMonths: 4, Hours: "26", CommuneCode: arrasINS})
		if err != nil {
			t.Fatal(err)
		}
		w.onlineCV("referent", w.martin, "A1203")
		if err := w.svc.GiveConsent(w.ctx, w.as("referent"), w.martin.ID, jobs.ConsentOral); err != nil {
			t.Fatal(err)
		}
		p, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Move(w.ctx, w.as("referent"), p.ID, jobs.MoveInput{State: jobs.StateSent}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Move(w.ctx, recruiter, p.ID, jobs.MoveInput{State: jobs.StateHired}); err != nil {
			t.Fatalf("the insertion structure hires: %v", err)
		}
		if n := w.count(`SELECT count(*) FROM steps WHERE person_id = $1 AND kind = 'iae' AND subtype = 'ACI'`, w.martin.ID); n != 1 {
			t.Errorf("a CDDI hire is an insertion contract in the ACI, got %d such steps", n)
		}
	})
}

func TestAnEmployerSeesOnlyCandidaciesSentToIt(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		o := w.offer("Agent de propreté", "K2204", arrasINS, nil)
		w.onlineCV("referent", w.martin, "K2204")
		if err := w.svc.GiveConsent(w.ctx, w.as("referent"), w.martin.ID, jobs.ConsentWritten); err != nil {
			t.Fatal(err)
		}
		p, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID, Note: "Suivie pour des dettes"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Move(w.ctx, w.as("referent"), p.ID, jobs.MoveInput{State: jobs.StateWithdrawn}); err != nil {
			t.Fatal(err)
		}
		employer := w.as("employer")
		if _, err := w.svc.GetPositioning(w.ctx, employer, p.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("a proposal withdrawn before it was sent reaches the employer: %v", err)
		}
		if _, _, err := w.ppl.Get(w.ctx, employer, w.martin.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("the employer reads a person whose proposal was withdrawn unsent: %v", err)
		}
		if list, _, err := w.ppl.List(w.ctx, employer, people.Filter{}); err != nil || len(list) != 0 {
			t.Errorf("the employer lists %d people (%v)", len(list), err)
		}

		// Sent, then the employer sees the candidate — as a candidate only, in every list.
		other := w.offer("Agent de propreté (soir)", "K2204", arrasINS, nil)
		p2, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: other.ID, PersonID: w.martin.ID, Note: "Suivie pour des dettes"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Move(w.ctx, w.as("referent"), p2.ID, jobs.MoveInput{State: jobs.StateSent}); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.GetPositioning(w.ctx, employer, p2.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range got.Events {
			if e.Note != "" {
				t.Errorf("the employer reads the professional's comment %q", e.Note)
			}
		}
		list, _, err := w.ppl.List(w.ctx, employer, people.Filter{})
		if err != nil || len(list) != 1 || !list[0].CandidateOnly || list[0].Lat != nil || list[0].Referent != nil {
			t.Errorf("the employer's list shows the candidate as a candidate only: %+v, %v", list, err)
		}
		person, _, err := w.ppl.Get(w.ctx, employer, w.martin.ID)
		if err != nil || person.Lat != nil || person.Referent != nil || person.Phone == "" {
			t.Errorf("the employer's view of a candidate has no home position nor référent: %+v, %v", person, err)
		}
		c, err := w.svc.CandidatesForOffer(w.ctx, employer, other.ID, jobs.MatchQuery{})
		if err != nil || len(c.Items) != 1 || c.Items[0].Name == "" || c.Items[0].Lat != nil {
			t.Errorf("the employer names a candidate sent to it, never places the home: %+v, %v", c.Items, err)
		}
		// A refusal ends the employer's access.
		if _, err := w.svc.Move(w.ctx, employer, p2.ID, jobs.MoveInput{State: jobs.StateRefused, Reason: "experience"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.ppl.Get(w.ctx, employer, w.martin.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("the employer still reads a candidate it refused: %v", err)
		}
	})
}

func TestARefusedCandidacyMayStartAgain(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		o := w.offer("Agent de propreté", "K2204", arrasINS, nil)
		w.onlineCV("referent", w.martin, "K2204")
		p, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Move(w.ctx, w.as("referent"), p.ID, jobs.MoveInput{State: jobs.StateWithdrawn}); err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID, Note: "Disponible à nouveau"})
		if err != nil {
			t.Fatalf("proposing again after a withdrawal: %v", err)
		}
		if again.ID != p.ID || again.State != jobs.StateProposed || again.SentAt != nil || len(again.Events) != 3 {
			t.Errorf("the candidacy starts again with its history: %+v", again)
		}
		if _, err := w.svc.Propose(w.ctx, w.as("referent"), jobs.ProposeInput{OfferID: o.ID, PersonID: w.martin.ID}); !errs.Is(err, errs.Conflict) {
			t.Errorf("a candidacy under way is not proposed twice: %v", err)
		}
	})
}
