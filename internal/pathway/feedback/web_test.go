package feedback_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tremplin/internal/app/apptest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/webtest"
)

const pw = "correct horse battery"

func TestAPersonAnswersThroughTheirLinkWithoutAnAccount(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, pw)
		srv := apptest.Serve(t, w.app)
		tab := "/personnes/" + w.people["Martin"] + "/avis"

		referent := webtest.NewBrowser(t, srv.URL)
		referent.Login("ref@test.fr", pw, "/")
		status, _, page := referent.Do("GET", tab, nil)
		if status != 200 || !strings.Contains(page, "Remettre un lien d'avis") || !strings.Contains(page, `href="`+tab+`" aria-current="page">Avis</a>`) {
			t.Fatalf("the référent's tab: %d", status)
		}
		status, _, page = referent.Do("POST", tab, url.Values{})
		m := regexp.MustCompile(`http://localhost(/avis/[A-Za-z0-9_-]{43})`).FindStringSubmatch(page)
		if status != 200 || m == nil || !strings.Contains(page, "il ne sera plus jamais affiché") {
			t.Fatalf("issuing shows the link once: %d", status)
		}
		link := m[1]
		if _, _, again := referent.Do("GET", tab, nil); strings.Contains(again, link) || !strings.Contains(again, "En attente de réponse") {
			t.Fatal("the link is shown again, or not listed as waiting")
		}

		person := webtest.NewBrowser(t, srv.URL) // no login
		status, _, page = person.Do("GET", link, nil)
		for _, want := range []string{"Association Rebond", "<legend>L&#39;aide reçue vous a-t-elle été utile ?</legend>",
			"<legend>Vous êtes-vous senti(e) écouté(e) ?</legend>", "Plutôt oui", `type="radio" id="overall-10" name="overall" value="10"`,
			`<label for="comment">`} {
			if !strings.Contains(page, want) {
				t.Errorf("the questionnaire lacks %q", want)
			}
		}
		if status != 200 || strings.Contains(page, "Martin") {
			t.Fatalf("questionnaire: %d (it must not name the person)", status)
		}

		status, _, page = person.Do("POST", link, url.Values{"useful": {"4"}, "comment": {"Bien reçu"}})
		if status != 422 || !strings.Contains(page, "Indiquez si vous vous êtes senti(e) écouté(e).") ||
			!strings.Contains(page, "Choisissez une note de 0 à 10.") || !strings.Contains(page, `value="4" required checked`) || !strings.Contains(page, "Bien reçu") {
			t.Fatalf("missing answers are reported on their fields, the rest is kept: %d", status)
		}

		answers := url.Values{"useful": {"4"}, "listened": {"3"}, "clear": {"4"}, "overall": {"9"}, "comment": {"Merci pour tout"}}
		status, location, _ := person.Do("POST", link, answers)
		if status != 303 || location != "/avis/merci" {
			t.Fatalf("answering: %d → %q", status, location)
		}
		if status, _, page := person.Do("GET", location, nil); status != 200 || !strings.Contains(page, "Merci pour votre avis") {
			t.Fatalf("thanks: %d", status)
		}
		for _, method := range []string{"POST", "GET"} {
			status, _, page := person.Do(method, link, answers)
			if status != 404 || !strings.Contains(page, "Ce lien ne fonctionne plus") || strings.Contains(page, "Association Rebond") {
				t.Fatalf("%s on a used link: %d", method, status)
			}
		}
		if status, _, page := person.Do("GET", "/avis/"+strings.Repeat("x", 43), nil); status != 404 || !strings.Contains(page, "Ce lien ne fonctionne plus") {
			t.Fatalf("unknown link: %d", status)
		}
		if n := w.answers(); n != 1 {
			t.Fatalf("%d answers stored", n)
		}

		_, _, page = referent.Do("GET", tab, nil)
		if !strings.Contains(page, "Oui, la personne a répondu") || strings.Contains(page, "Merci pour tout") {
			t.Fatal("the file says the person answered, never what")
		}
	})
}

func TestFeedbackPagesFollowNeedToKnow(t *testing.T) {
	w := newWorld(t, dbtest.SQLite(t), pw)
	srv := apptest.Serve(t, w.app)
	tab := "/personnes/" + w.people["Martin"] + "/avis"
	for _, score := range []int{9, 8, 7, 9, 10} {
		w.answer("ref", "Martin", 4, score, "Commentaire de la personne")
	}
	w.answer("refft", "Martin", 1, 2, "Isolé")
	cases := []struct {
		who, method, path string
		status            int
		want, notWant     string
	}{
		{"colleague@test.fr", "GET", tab, 404, "Page introuvable", "Martin"},
		{"colleague@test.fr", "POST", tab, 404, "Page introuvable", "/avis/"},
		{"adminasso@test.fr", "GET", tab, 404, "Page introuvable", "Martin"},
		{"man62@test.fr", "GET", "/avis-resultats", 200, "Commentaire de la personne", "Isolé"},
		{"man62@test.fr", "GET", "/avis-resultats", 200, "moins de 5 réponses", ""},
		{"man62@test.fr", "GET", "/avis-resultats", 200, `<a href="/avis-resultats" aria-current="page">Avis des personnes</a>`, ""},
		{"man62@test.fr", "GET", "/avis-resultats?pas=trimestre", 200, "trimestre", "Isolé"},
		{"adminasso@test.fr", "GET", "/avis-resultats", 200, "Association Rebond", "France Travail Arras"},
		{"adminasso@test.fr", "GET", "/avis-resultats", 200, "8,6\u202f/\u202f10", "Commentaire de la personne"},
		{"adminft@test.fr", "GET", "/avis-resultats", 200, "moins de 5 réponses", "Association Rebond"},
		{"ref@test.fr", "GET", "/avis-resultats", 404, "Page introuvable", ""},
		{"ref@test.fr", "GET", "/", 200, "Personnes accompagnées", "Avis des personnes"},
		{"", "GET", "/avis-resultats", 303, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.who+" "+tc.method+" "+tc.path, func(t *testing.T) {
			b := webtest.NewBrowser(t, srv.URL)
			if tc.who != "" {
				b.Login(tc.who, pw, "/")
			}
			var form url.Values
			if tc.method == "POST" {
				form = url.Values{}
			}
			status, _, page := b.Do(tc.method, tc.path, form)
			if status != tc.status || !strings.Contains(page, tc.want) || (tc.notWant != "" && strings.Contains(page, tc.notWant)) {
				t.Fatalf("status %d, want %d with %q and without %q", status, tc.status, tc.want, tc.notWant)
			}
		})
	}
}
