package jobs_test

import (
	"context"
	"strings"
	"testing"

	"tremplin/internal/jobs"
	"tremplin/internal/platform/assign"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

func TestCampaignCreationChecksItsSettings(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		ctx := context.Background()
		cases := []struct {
			name  string
			who   string
			in    jobs.CampaignInput
			code  errs.Code
			field string
		}{
			{"a title is needed", "manager", jobs.CampaignInput{Title: " "}, errs.Invalid, "title"},
			{"an unknown ROME code", "manager", jobs.CampaignInput{Title: "Collèges", ROME: "Z9999"}, errs.Invalid, "rome"},
			{"a distance that is not a number", "manager", jobs.CampaignInput{Title: "Collèges", MaxKm: "loin"}, errs.Invalid, "max_km"},
			{"a negative distance", "manager", jobs.CampaignInput{Title: "Collèges", MaxKm: "-3"}, errs.Invalid, "max_km"},
			{"a référent does not run campaigns", "referent", jobs.CampaignInput{Title: "Collèges"}, errs.Forbidden, ""},
			{"the département's manager", "manager", jobs.CampaignInput{Title: "Collèges", JobTitle: "Agent d'entretien", ROME: "k2204", MaxKm: "25,5"}, "", ""},
			{"an employer for itself", "employer", jobs.CampaignInput{Title: "Agences"}, "", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c, err := w.svc.Create(ctx, w.actors[tc.who], tc.in)
				if errs.CodeOf(err) != tc.code || (tc.field != "" && errs.FieldsOf(err)[tc.field] == "") {
					t.Fatalf("got %v, want %q on %q", err, tc.code, tc.field)
				}
				if err == nil && (c.OrgID != w.actors[tc.who].OrgID || c.Territory != "62") {
					t.Errorf("the campaign belongs to the actor's organisation: %+v", c)
				}
			})
		}
		list, _, err := w.svc.List(ctx, w.actors["manager"], jobs.CampaignFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("the département's manager lists the campaigns of the territory: %+v %v", list, err)
		}
		for _, c := range list {
			if c.Title == "Collèges" && (c.ROME != "K2204" || c.MaxKm != 25.5 || c.JobTitle != "Agent d'entretien") {
				t.Errorf("the settings are stored as typed: %+v", c)
			}
		}
		list, _, err = w.svc.List(ctx, w.actors["employer"], jobs.CampaignFilter{})
		if err != nil || len(list) != 1 || list[0].Title != "Agences" {
			t.Fatalf("an employer lists its own campaigns only: %+v %v", list, err)
		}
		if n := campaignCountRows(t, d, `SELECT count(*) FROM audit_log WHERE action = 'campaign.create'`); n != 2 {
			t.Errorf("each creation is traced: %d", n)
		}
	})
}

func TestCampaignUploadsAreAllOrNothing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		ctx := context.Background()
		c := w.campaign(t, "manager", jobs.CampaignInput{Title: "Collèges"})
		manager := w.actors["manager"]
		bad := []struct {
			name, table, want string
			sites             bool
		}{
			{"a capacity that is not a number", "nom;commune;capacite\nA;62041;2\nB;62041;deux\n", "ligne 3, colonne « capacite »", true},
			{"an unknown commune", "nom;commune;capacite\nA;62041;2\nB;Nulle-Part-sur-Mer;1\n", "ligne 3, colonne « commune » : commune inconnue", true},
			{"a missing column", "nom;commune\nA;62041\n", "colonne manquante : « capacite »", true},
			{"no place at all", "nom;commune;latitude;longitude;capacite\nA;;;;1\n", "ligne 2, colonne « commune » : position inconnue", true},
			{"(0, 0) is no place", "nom;commune;latitude;longitude\nAlice;;0;0\n", "ligne 2, colonne « latitude » : les coordonnées (0, 0)", false},
			{"a latitude without longitude", "nom;latitude;longitude\nAlice;50,3;\n", "ligne 2, colonne « longitude »", false},
			{"a person the actor may not read", "personne\n" + db.NewID() + "\n", "ligne 2, colonne « personne » : personne introuvable", false},
			{"a person without address", "personne\n" + w.persons["Sans"] + "\n", "n'a pas d'adresse localisée", false},
			{"the same person twice", "personne\n" + w.persons["Durand"] + "\n" + w.persons["Durand"] + "\n", "ligne 3, colonne « personne » : cette personne est déjà candidate", false},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				var err error
				if tc.sites {
					_, err = w.svc.ImportSites(ctx, manager, c.ID, campaignTable(t, tc.table))
				} else {
					_, err = w.svc.ImportCandidates(ctx, manager, c.ID, campaignTable(t, tc.table))
				}
				if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), tc.want) {
					t.Fatalf("got %v, want %q", err, tc.want)
				}
				if _, ok := jobs.CampaignImportFaults(err); !ok && !strings.Contains(tc.want, "colonne manquante") {
					t.Errorf("the faults are listed by line: %v", err)
				}
			})
		}
		if n := campaignCountRows(t, d, `SELECT count(*) FROM campaign_sites`) + campaignCountRows(t, d, `SELECT count(*) FROM campaign_candidates`); n != 0 {
			t.Fatalf("a refused file leaves nothing behind: %d rows", n)
		}

		if n, err := w.svc.ImportSites(ctx, manager, c.ID, campaignTable(t, campaignSitesCSV)); err != nil || n != 3 {
			t.Fatalf("sites: %d, %v", n, err)
		}
		table := campaignCandidatesCSV + "Durand;62119;;\n"
		if _, err := w.svc.ImportCandidates(ctx, manager, c.ID, campaignTable(t, "personne;nom;commune\n"+w.persons["Durand"]+";;\n;Alice;62041\n")); err != nil {
			t.Fatalf("a registry person beside a typed candidate: %v", err)
		}
		if n, err := w.svc.ImportCandidates(ctx, manager, c.ID, campaignTable(t, table)); err != nil || n != 4 {
			t.Fatalf("candidates: %d, %v", n, err)
		}
		p, err := w.svc.Get(ctx, manager, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		lens := p.Sites[1]
		if lens.CommuneCode != "62498" || !lens.Approximate || lens.Lat == nil || *lens.Lat < 50.4 {
			t.Errorf("a site given by commune name is at the commune's centre, marked approximate: %+v", lens)
		}
		if p.Sites[0].Approximate || p.Sites[0].Number != 1 || p.Sites[2].Capacity != 2 {
			t.Errorf("sites keep their coordinates and numbers: %+v", p.Sites)
		}
		durand := p.Lines[0].Candidate
		if durand.Name != "Durand Camille" || durand.Label != "Candidat n°1" || durand.Lat == nil || *durand.Lat != 50.525 || durand.CommuneCode != "62119" {
			t.Errorf("a registry person is placed at the file's address and labelled by number: %+v", durand)
		}
	})
}

// campaignReady creates the small campaign with its sites and candidates, Petit from the registry.
func campaignReady(t *testing.T, w *campaignWorld) jobs.Campaign {
	t.Helper()
	ctx := context.Background()
	manager := w.actors["manager"]
	c := w.campaign(t, "manager", jobs.CampaignInput{Title: "Collèges", JobTitle: "Agent d'entretien"})
	if _, err := w.svc.ImportSites(ctx, manager, c.ID, campaignTable(t, campaignSitesCSV)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ImportCandidates(ctx, manager, c.ID, campaignTable(t, campaignCandidatesCSV)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddCandidate(ctx, manager, c.ID, jobs.CampaignCandidateInput{PersonID: w.persons["Petit"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddCandidate(ctx, manager, c.ID, jobs.CampaignCandidateInput{PersonID: w.persons["Durand"]}); err != nil {
		t.Fatal(err)
	}
	return c
}

// lineOf returns the plan line of the candidate with that name.
func campaignLineOf(t *testing.T, p jobs.CampaignPlan, name string) jobs.CampaignPlanLine {
	t.Helper()
	for _, l := range p.Lines {
		if l.Candidate.Name == name {
			return l
		}
	}
	t.Fatalf("no line for %q", name)
	return jobs.CampaignPlanLine{}
}

// checkCapacities fails when a plan puts more candidates on a site than it has places.
func campaignCheckCapacities(t *testing.T, p jobs.CampaignPlan) {
	t.Helper()
	used := map[string]int{}
	for _, l := range p.Lines {
		if l.Site != nil {
			used[l.Site.ID]++
		}
	}
	for _, s := range p.Sites {
		if used[s.ID] > s.Capacity || used[s.ID] != s.Assigned {
			t.Errorf("site %s: %d placed, %d places, %d counted", s.Name, used[s.ID], s.Capacity, s.Assigned)
		}
	}
}

func TestCampaignSolveThenOverrideThenSolveAgain(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		ctx := context.Background()
		manager := w.actors["manager"]
		c := campaignReady(t, w)

		p, err := w.svc.Solve(ctx, manager, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Campaign.Solved() || p.Totals.Placed != 4 || p.Totals.Unplaced != 1 || len(p.Unplaced()) != 1 {
			t.Fatalf("four places for five candidates: %+v", p.Totals)
		}
		if r := p.Unplaced()[0].Line.Reason; r != assign.ReasonNoPlace {
			t.Errorf("the candidate left out is told why: %q", r)
		}
		if p.Totals.TotalKm > p.NearestFree.TotalKm+1e-9 || p.NearestFree.Placed > p.Totals.Placed {
			t.Errorf("the plan never does worse than nearest free site first: %+v vs %+v", p.Totals, p.NearestFree)
		}
		campaignCheckCapacities(t, p)
		if n := campaignCountRows(t, d, `SELECT count(*) FROM campaign_assignments WHERE campaign_id = $1 AND source = 'solver'`, c.ID); n != 5 {
			t.Fatalf("every candidate has a stored line: %d", n)
		}

		// Alice and Petit both live in Arras, whose collège has one place: one of them holds it.
		holder := campaignLineOf(t, p, "Alice Martin")
		if holder.Site == nil {
			holder = campaignLineOf(t, p, "Petit Camille")
		}
		full, name := holder.Site, holder.Candidate.Name
		if full == nil || full.Number != 1 {
			t.Fatalf("the Arras collège goes to someone from Arras: %+v", holder)
		}
		bruno := campaignLineOf(t, p, "Bruno Leroy")
		overrides := []struct {
			name, candidate, site, reason string
			field                         string
		}{
			{"a reason is needed", bruno.Candidate.ID, "", " ", "reason"},
			{"a full site is refused", bruno.Candidate.ID, full.ID, "Plus proche de son domicile", "site_id"},
			{"an unknown site is refused", bruno.Candidate.ID, db.NewID(), "Erreur", "site_id"},
			{"left without a site", holder.Candidate.ID, "", "Ne souhaite plus ce poste", ""},
		}
		for _, tc := range overrides {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.svc.Override(ctx, manager, c.ID, tc.candidate, tc.site, tc.reason)
				if (tc.field == "") != (err == nil) || (tc.field != "" && errs.FieldsOf(err)[tc.field] == "") {
					t.Fatalf("got %v, want an error on %q", err, tc.field)
				}
			})
		}
		// The Arras place is free: Bruno may take it by hand.
		if _, err := w.svc.Override(ctx, manager, c.ID, bruno.Candidate.ID, full.ID, "Demande de la personne"); err != nil {
			t.Fatalf("a free place may be taken by hand: %v", err)
		}

		p, err = w.svc.Solve(ctx, manager, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		holder, bruno = campaignLineOf(t, p, name), campaignLineOf(t, p, "Bruno Leroy")
		if !holder.Line.Overridden() || holder.Site != nil || holder.Line.Reason != "Ne souhaite plus ce poste" || holder.Line.DecidedBy != manager.UserID {
			t.Errorf("a line left without a site by hand stays so: %+v", holder.Line)
		}
		if !bruno.Line.Overridden() || bruno.Site == nil || bruno.Site.ID != full.ID {
			t.Errorf("a line moved by hand stays on its site: %+v", bruno.Line)
		}
		if p.Overrides != 2 || p.Totals.Placed != 4 || p.Totals.Unplaced != 1 {
			t.Errorf("the others share the places left: %+v, %d overridden", p.Totals, p.Overrides)
		}
		campaignCheckCapacities(t, p)
		if n := campaignCountRows(t, d, `SELECT count(*) FROM audit_log WHERE action IN ('campaign.solve', 'campaign.override')`); n != 4 {
			t.Errorf("solves and overrides are traced: %d", n)
		}

		if err := w.svc.RemoveOverride(ctx, manager, c.ID, holder.Candidate.ID); err != nil {
			t.Fatal(err)
		}
		p, _ = w.svc.Solve(ctx, manager, c.ID)
		if l := campaignLineOf(t, p, name); l.Line.Overridden() {
			t.Errorf("a line given back goes to the solver again: %+v", l.Line)
		}
	})
}

func TestCampaignChangesMakeThePlanOutOfDate(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		ctx := context.Background()
		manager := w.actors["manager"]
		c := campaignReady(t, w)
		if _, err := w.svc.Solve(ctx, manager, c.ID); err != nil {
			t.Fatal(err)
		}
		// Alice may not work at the Arras collège: excluded by name, site by number.
		if err := w.svc.AddExclusion(ctx, manager, c.ID, "alice martin", "1"); err != nil {
			t.Fatal(err)
		}
		p, err := w.svc.Get(ctx, manager, c.ID)
		if err != nil || p.Campaign.Solved() || p.Totals.Placed != 0 || len(p.Exclusions) != 1 {
			t.Fatalf("an exclusion asks for a new solve: %+v %v", p.Totals, err)
		}
		p, err = w.svc.Solve(ctx, manager, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if l := campaignLineOf(t, p, "Alice Martin"); l.Site != nil && l.Site.Number == 1 {
			t.Errorf("an excluded pair is never proposed: %+v", l.Site)
		}
		if err := w.svc.AddExclusion(ctx, manager, c.ID, "Zoé", "1"); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown candidate is refused: %v", err)
		}
		if _, err := w.svc.Update(ctx, manager, c.ID, jobs.CampaignInput{Title: "Collèges", MaxKm: "5"}); err != nil {
			t.Fatal(err)
		}
		p, err = w.svc.Solve(ctx, manager, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range p.Lines {
			if l.Site != nil && l.Line.DistanceKm > 5 {
				t.Errorf("the maximum distance holds: %s at %.1f km", l.Candidate.Name, l.Line.DistanceKm)
			}
		}
		if r := campaignLineOf(t, p, "Alice Martin").Line.Reason; r != assign.ReasonTooFar && r != assign.ReasonNoPlace {
			t.Errorf("too far is a reason: %q", r)
		}
	})
}

func TestCampaignAccess(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		ctx := context.Background()
		c := campaignReady(t, w)
		if _, err := w.svc.Solve(ctx, w.actors["manager"], c.ID); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"outsider", "referent", "employer"} {
			t.Run(who, func(t *testing.T) {
				a := w.actors[who]
				if _, err := w.svc.Get(ctx, a, c.ID); !errs.Is(err, errs.NotFound) {
					t.Errorf("read: %v", err)
				}
				if _, err := w.svc.Solve(ctx, a, c.ID); !errs.Is(err, errs.NotFound) {
					t.Errorf("solve: %v", err)
				}
				if _, err := w.svc.AddSite(ctx, a, c.ID, jobs.CampaignSiteInput{Name: "X", Commune: "62041", Capacity: "1"}); !errs.Is(err, errs.NotFound) {
					t.Errorf("add a site: %v", err)
				}
				if list, total, err := w.svc.List(ctx, a, jobs.CampaignFilter{}); err != nil || total != 0 || len(list) != 0 {
					t.Errorf("list: %d %v", total, err)
				}
			})
		}
		// The département's administrator reads the campaign but not the files held by the association.
		p, err := w.svc.Get(ctx, w.actors["admin"], c.ID)
		if n := campaignCountRows(t, d, `SELECT count(*) FROM audit_log WHERE action = 'campaign.read' AND user_id = $1 AND person_id <> ''`, w.actors["admin"].UserID); n != 0 {
			t.Errorf("a read naming no one traces no one: %d", n)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range p.Lines {
			if strings.Contains(l.Candidate.Name, "Petit") || strings.Contains(l.Candidate.Name, "Durand") {
				t.Errorf("a person the reader may not see is not named: %q", l.Candidate.Name)
			}
			if l.Candidate.Linked() && (l.Candidate.Visible || !strings.HasPrefix(l.Candidate.Name, "Candidat n°")) {
				t.Errorf("a hidden person keeps the label: %+v", l.Candidate)
			}
		}
		reads := func() int {
			return campaignCountRows(t, d, `SELECT count(*) FROM audit_log WHERE action = 'campaign.read' AND person_id = $1`, w.persons["Petit"])
		}
		before := reads()
		p, _ = w.svc.Get(ctx, w.actors["manager"], c.ID)
		campaignLineOf(t, p, "Petit Camille")
		if n := reads(); n != before+1 {
			t.Errorf("only the reads that name the person are traced on the person: %d then %d", before, n)
		}
	})
}
