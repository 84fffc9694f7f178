package jobs_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tremplin/internal/jobs"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/web"
	"tremplin/internal/platform/webtest"
)

// campaignBrowser serves the campaign pages to one actor of the world, as
// the session middleware would after a login.
func campaignBrowser(t *testing.T, w *campaignWorld, who string) *webtest.Browser {
	t.Helper()
	mux := http.NewServeMux()
	jobs.CampaignWeb{Svc: w.svc, R: web.NewRenderer()}.Register(mux)
	a := w.actors[who]
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(rw, r.WithContext(web.WithActor(r.Context(), a, auth.User{ID: a.UserID, Email: a.Email}, "")))
	}))
	t.Cleanup(srv.Close)
	return webtest.NewBrowser(t, srv.URL)
}

// mustContain fails when the page lacks one of the texts.
func campaignMustContain(t *testing.T, what, page string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(page, s) {
			t.Errorf("%s: the page lacks %q", what, s)
		}
	}
}

func TestCampaignOnTheWeb(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		b := campaignBrowser(t, w, "manager")

		status, _, page := b.Do("GET", "/recrutements", nil)
		if status != 200 {
			t.Fatalf("list: %d", status)
		}
		campaignMustContain(t, "list", page, `>Recrutements de masse</a>`, `action="/recrutements"`, "Aucune campagne")
		status, _, page = b.Do("POST", "/recrutements", url.Values{"title": {""}, "rome": {"X1"}})
		if status != 422 {
			t.Fatalf("a bad form: %d", status)
		}
		campaignMustContain(t, "a bad form comes back with its errors", page, "Indiquez l&#39;intitulé de la campagne.", "Code ROME inconnu", `class="error-summary"`)
		status, loc, _ := b.Do("POST", "/recrutements", url.Values{"title": {"Agents d'entretien des collèges"}, "job_title": {"Agent d'entretien"}, "rome": {"K2204"}})
		path := regexp.MustCompile(`^/recrutements/[0-9a-f-]{36}$`).FindString(loc)
		if status != 303 || path == "" {
			t.Fatalf("create: %d %q", status, loc)
		}

		status, _, page = b.Upload(path+"/sites/import", "fichier_sites", "sites.csv", []byte("nom;commune;capacite\nA;62041;1\nB;Atlantide;x\n"))
		if status != 422 {
			t.Fatalf("a bad file: %d", status)
		}
		campaignMustContain(t, "a bad file is refused whole, line by line", page, "rien n&#39;a été importé", "<td class=\"num\">3</td><td>capacite</td>", "commune inconnue", "Aucun site pour l'instant.")
		if status, _, _ = b.Upload(path+"/sites/import", "fichier_sites", "sites.csv", []byte(campaignSitesCSV)); status != 303 {
			t.Fatalf("sites: %d", status)
		}
		status, _, page = b.Do("POST", path+"/sites", url.Values{"site_nom": {"Collège Liévin"}, "site_commune": {"62510"}, "site_capacite": {"0"}})
		if status != 422 {
			t.Fatalf("a site without places: %d", status)
		}
		campaignMustContain(t, "the site form comes back with its error", page, `id="site_capacite-erreur"`, "la capacité est un nombre entier", `value="Collège Liévin"`)
		if status, _, _ = b.Do("POST", path+"/sites", url.Values{"site_nom": {"Collège Liévin"}, "site_commune": {"Liévin"}, "site_capacite": {"1"}}); status != 303 {
			t.Fatalf("add a site: %d", status)
		}
		if status, _, _ = b.Upload(path+"/candidats/import", "fichier_candidats", "candidats.csv", []byte(campaignCandidatesCSV)); status != 303 {
			t.Fatalf("candidates: %d", status)
		}
		if status, _, _ = b.Do("POST", path+"/candidats", url.Values{"cand_personne": {w.persons["Durand"]}}); status != 303 {
			t.Fatalf("add a person: %d", status)
		}
		status, _, page = b.Do("GET", path+"?q=petit", nil)
		campaignMustContain(t, "the registry is searched for a person to add", page, "Petit Camille", `name="cand_personne" value="`+w.persons["Petit"]+`"`)

		if status, _, _ = b.Do("POST", path+"/calcul", url.Values{}); status != 303 {
			t.Fatalf("solve: %d", status)
		}
		status, _, page = b.Do("GET", path, nil)
		if status != 200 {
			t.Fatalf("show: %d", status)
		}
		campaignMustContain(t, "the plan beside the greedy one", page, "Affectation optimale", "Site libre le plus proche d'abord", "Trajet économisé",
			"Durand Camille", "Collège Liévin", `data-lat="50.525000"`, `data-points-url="`+path+`/carte.json"`, "Recalculer l'affectation")

		line := regexp.MustCompile(path + `/candidats/[0-9a-f-]{36}`).FindString(page)
		status, _, page = b.Do("GET", line, nil)
		if status != 200 || !strings.Contains(page, "Laisser sans affectation") {
			t.Fatalf("the line page offers the sites: %d", status)
		}
		if status, _, page = b.Do("POST", line+"/affectation", url.Values{"site_id": {"aucun"}, "reason": {""}}); status != 422 {
			t.Fatalf("a reason is needed: %d", status)
		}
		campaignMustContain(t, "the override form comes back with its error", page, "Indiquez le motif de la modification.")
		if status, _, _ = b.Do("POST", line+"/affectation", url.Values{"site_id": {"aucun"}, "reason": {"A trouvé un emploi"}}); status != 303 {
			t.Fatalf("override: %d", status)
		}
		_, _, page = b.Do("GET", path, nil)
		campaignMustContain(t, "an overridden line says so", page, "Modifié à la main</span> A trouvé un emploi")

		status, _, csvText := b.Do("GET", path+"/plan.csv", nil)
		if status != 200 || !strings.HasPrefix(csvText, "\ufeffcandidat;commune;site;distance_km;source;motif\r\n") {
			t.Fatalf("the export opens in a spreadsheet: %d %q", status, csvText[:min(80, len(csvText))])
		}
		campaignMustContain(t, "the export", csvText, ";modification;A trouvé un emploi", "Durand Camille;Béthune;Collège Béthune;")

		status, _, body := b.Do("GET", path+"/plan.json", nil)
		var plan jobs.CampaignPlanJSON
		if err := json.Unmarshal([]byte(body), &plan); status != 200 || err != nil || len(plan.Sites) != 4 || len(plan.Lines) != 4 || plan.NearestFree == nil {
			t.Fatalf("the map's data: %d %v %s", status, err, body)
		}

		status, _, body = b.Do("GET", path+"/carte.json", nil)
		var m web.MapData
		if err := json.Unmarshal([]byte(body), &m); status != 200 || err != nil || len(m.Points) != 8 || len(m.Lines) != 3 {
			t.Fatalf("the map draws 4 sites, 4 candidates and a trip for each of the 3 placed: %d %v %s", status, err, body)
		}

		admin := campaignBrowser(t, w, "admin")
		_, _, page = admin.Do("GET", path, nil)
		if strings.Contains(page, "Durand") || !strings.Contains(page, "Candidat n°4") || strings.Contains(page, `data-lat="50.525000"`) {
			t.Errorf("a reader who may not see the file sees the label, not the name nor the home")
		}
		outsider := campaignBrowser(t, w, "outsider")
		for _, p := range []string{path, path + "/plan.json", path + "/plan.csv", line} {
			if status, _, _ := outsider.Do("GET", p, nil); status != 404 {
				t.Errorf("GET %s by an outsider: %d", p, status)
			}
		}
		if status, _, _ := outsider.Do("POST", path+"/calcul", url.Values{}); status != 404 {
			t.Errorf("solve by an outsider: %d", status)
		}
		_, _, page = outsider.Do("GET", "/recrutements", nil)
		if strings.Contains(page, ">Recrutements de masse</a>") || strings.Contains(page, "Agents d&#39;entretien") || strings.Contains(page, "Nouvelle campagne") {
			t.Errorf("an outsider has no entry, no campaign, no form")
		}
	})
}
