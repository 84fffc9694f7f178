package review_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tremplin/internal/app/apptest"
	"tremplin/internal/pathway/steps"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/webtest"
)

func TestOrganisingAReviewAndRecordingADecisionOnTheWeb(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apptest.New(t, d)
		w := &world{d: d, svc: a.Reviews, people: a.People, day: steps.Today()}
		w.populate(t, a.Orgs, a.Auth)
		w.pathways(t)
		srv := apptest.Serve(t, a)
		b := webtest.NewBrowser(t, srv.URL)
		b.Login("organisatrice@asso.fr", password, "/")

		status, _, page := b.Do("GET", "/commissions", nil)
		if status != 200 || !strings.Contains(page, `href="/commissions/nouvelle"`) || !strings.Contains(page, ">Commissions de cas</a>") {
			t.Fatalf("list: %d", status)
		}
		status, _, page = b.Do("GET", "/commissions/nouvelle", nil)
		if status != 200 || !strings.Contains(page, `value="groupe"`) || strings.Contains(page, `value="ep"`) || !strings.Contains(page, "est convoquée par le département") {
			t.Fatalf("an association's form offers groups of professionals alone: %d", status)
		}
		status, _, page = b.Do("POST", "/commissions", url.Values{"kind": {"ep"}, "title": {"EP"}, "held_on": {w.day.Format(time.DateOnly)}})
		if status != 403 || !strings.Contains(page, "Seul le département convoque l&#39;équipe pluridisciplinaire") || strings.Contains(page, `value="ep"`) {
			t.Fatalf("an équipe pluridisciplinaire posted by an association is refused, with the form: %d", status)
		}
		status, _, page = b.Do("POST", "/commissions", url.Values{"kind": {"groupe"}, "title": {""}, "held_on": {"12/03"}})
		if status != 422 || !strings.Contains(page, "Indiquez un intitulé.") || !strings.Contains(page, "AAAA-MM-JJ") {
			t.Fatalf("a bad form comes back with its field errors: %d", status)
		}
		heldOn := w.day.AddDate(0, 0, 3).Format(time.DateOnly)
		status, loc, _ := b.Do("POST", "/commissions", url.Values{"kind": {"groupe"}, "title": {"Groupe du secteur d'Arras"}, "held_on": {heldOn}})
		reviewPath := regexp.MustCompile(`^/commissions/[0-9a-f-]{36}$`).FindString(loc)
		if status != 303 || reviewPath == "" {
			t.Fatalf("create: %d %q", status, loc)
		}
		status, _, page = b.Do("GET", reviewPath, nil)
		if status != 200 || !strings.Contains(page, "Absent Camille") || !strings.Contains(page, "2 rendez-vous manqués en 6 mois") || strings.Contains(page, "Hidden") {
			t.Fatalf("the page suggests the organiser's hardest situations with their reasons: %d", status)
		}
		if status, _, page = b.Do("POST", reviewPath+"/participants", url.Values{"email": {"personne@nulle-part.fr"}}); status != 422 || !strings.Contains(page, "Aucun professionnel") {
			t.Fatalf("an unknown address is a field error: %d", status)
		}
		if status, _, _ = b.Do("POST", reviewPath+"/participants", url.Values{"email": {"orientation@ft.fr"}}); status != 303 {
			t.Fatalf("invite: %d", status)
		}
		status, _, _ = b.Do("POST", reviewPath+"/points", url.Values{"person_id": {w.persons["Absent"]}, "kind": {"situation"}, "reasons": {"2 rendez-vous manqués en 6 mois"}})
		if status != 303 {
			t.Fatalf("add the suggestion: %d", status)
		}
		_, _, page = b.Do("GET", reviewPath, nil)
		itemPath := regexp.MustCompile(reviewPath + `/points/[0-9a-f-]{36}`).FindString(page)
		if itemPath == "" || !strings.Contains(page, "Prénom participant") {
			t.Fatal("the agenda links its item and the participant is listed")
		}

		due := w.day.AddDate(0, 1, 0).Format(time.DateOnly)
		decision := url.Values{"decision": {"Proposer un accompagnement renforcé."},
			"action_title_1": {"Appeler la personne"}, "action_owner_1": {w.actors["participant"].UserID}, "action_due_1": {"bientôt"}}
		if status, _, page = b.Do("POST", itemPath+"/decision", decision); status != 422 || !strings.Contains(page, "Indiquez l&#39;échéance") || !strings.Contains(page, "Appeler la personne") {
			t.Fatalf("a bad due date comes back with the typed values: %d", status)
		}
		decision.Set("action_due_1", due)
		if status, _, _ = b.Do("POST", itemPath+"/decision", decision); status != 303 {
			t.Fatalf("decide: %d", status)
		}
		var actions int
		if err := d.QueryRowContext(context.Background(), `SELECT count(*) FROM plan_actions WHERE person_id = $1 AND owner_id = $2 AND due_date = $3 AND review_item_id <> ''`,
			w.persons["Absent"], w.actors["participant"].UserID, due).Scan(&actions); err != nil || actions != 1 {
			t.Fatalf("the decision's action is in the person's plan: %d, %v", actions, err)
		}

		participant := webtest.NewBrowser(t, srv.URL)
		participant.Login("orientation@ft.fr", password, "/")
		status, _, page = participant.Do("GET", reviewPath, nil)
		if status != 200 || !strings.Contains(page, "Proposer un accompagnement renforcé.") || strings.Contains(page, "Situations suggérées") {
			t.Fatalf("a participant reads the agenda and decisions but gets no suggestions: %d", status)
		}
		if status, _, _ = participant.Do("POST", reviewPath+"/points", url.Values{"person_id": {w.persons["Stale"]}, "reasons": {"x"}}); status != 403 {
			t.Fatalf("a participant may not change the agenda: %d", status)
		}
		outsider := webtest.NewBrowser(t, srv.URL)
		outsider.Login("referente@ccas.fr", password, "/")
		for _, path := range []string{reviewPath, itemPath} {
			if status, _, page = outsider.Do("GET", path, nil); status != 404 || strings.Contains(page, "Absent") {
				t.Errorf("%s: a professional outside the review gets not found: %d", path, status)
			}
		}
	})
}

func TestSanctionPagesRecordTheHearingBeforeTheOpinion(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apptest.New(t, d)
		w := &world{d: d, svc: a.Reviews, people: a.People, day: steps.Today()}
		w.populate(t, a.Orgs, a.Auth)
		srv := apptest.Serve(t, a)
		b := webtest.NewBrowser(t, srv.URL)
		b.Login("responsable@dept.fr", password, "/")
		if _, _, page := b.Do("GET", "/commissions/nouvelle", nil); !strings.Contains(page, `value="ep"`) || !strings.Contains(page, "Équipe pluridisciplinaire") {
			t.Fatal("the département's form offers the équipe pluridisciplinaire")
		}
		status, loc, _ := b.Do("POST", "/commissions", url.Values{"kind": {"ep"}, "title": {"Équipe pluridisciplinaire"}, "held_on": {w.day.Format(time.DateOnly)}})
		if status != 303 {
			t.Fatalf("the département's manager convenes the équipe: %d", status)
		}
		_, _, page := b.Do("GET", loc+"?q=stale", nil)
		if !strings.Contains(page, `value="`+w.persons["Stale"]+`"`) || !strings.Contains(page, "Sanction (suspension-remobilisation)") {
			t.Fatal("the search finds the file and the form offers a sanction point in an équipe pluridisciplinaire")
		}
		item := url.Values{"person_id": {w.persons["Stale"]}, "kind": {"sanction"}, "reasons": {"Engagements non tenus"}, "sanction_rate": {"25"}, "sanction_months": {"1"}}
		if status, _, page := b.Do("POST", loc+"/points", item); status != 422 || !strings.Contains(page, "de 30 % à 100 %") {
			t.Fatalf("a rate under 30 %% is refused on the field: %d", status)
		}
		item.Set("sanction_rate", "40 %")
		if status, _, _ := b.Do("POST", loc+"/points", item); status != 303 {
			t.Fatalf("add the sanction: %d", status)
		}
		_, _, page = b.Do("GET", loc, nil)
		itemPath := regexp.MustCompile(loc + `/points/[0-9a-f-]{36}`).FindString(page)
		if itemPath == "" || !strings.Contains(page, "Suspension-remobilisation de 40 % pendant 1 mois") {
			t.Fatal("the agenda shows the proposed sanction")
		}
		opinion := url.Values{"decision": {"Suspension de 40 % pendant un mois."}, "outcome": {"favorable"}}
		if status, _, page := b.Do("POST", itemPath+"/decision", opinion); status != 422 || !strings.Contains(page, "au moins avoir été convoquée") {
			t.Fatalf("no opinion before the person is convoqué: %d", status)
		}
		if status, _, _ := b.Do("POST", itemPath+"/audition", url.Values{"heard": {"entendu"}, "heard_note": {"Entendue le 3 mars"}}); status != 303 {
			t.Fatalf("hearing: %d", status)
		}
		if status, _, _ := b.Do("POST", itemPath+"/decision", opinion); status != 303 {
			t.Fatalf("opinion: %d", status)
		}
		_, _, page = b.Do("GET", itemPath, nil)
		if !strings.Contains(page, "Avis favorable à la suspension-remobilisation") || !strings.Contains(page, "Entendu(e) — Entendue le 3 mars") || strings.Contains(page, "Enregistrer la décision") {
			t.Fatal("the item shows the hearing and the opinion, and no more forms")
		}
	})
}
