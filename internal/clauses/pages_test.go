package clauses_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tremplin/internal/app/apptest"
	"tremplin/internal/clauses"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/webtest"
)

const pagesPassword = "correct horse battery"

// pagesSite is the world of world_test.go served by a whole Tremplin, with
// an account that can sign in for each of its users.
type pagesSite struct {
	*world
	t        *testing.T
	url      string
	browsers map[string]*webtest.Browser
	op       clauses.Operation
	market   clauses.Market
}

// pageUsers are the users that sign in, by the world's user they stand for.
var pageUsers = []struct {
	who, org string
	role     access.Role
}{
	{"facilitator", "PLIE de l'Artois", access.RoleFacilitator},
	{"buyer", "Syndicat des transports", access.RolePublicBuyer},
	{"company", "Bâtir SA", access.RoleEmployer},
	{"referent", "Mission locale", access.RoleReferent},
}

// newPagesSite opens the tramway operation with one market of 1,000 hours
// shared by two companies, one of which never declares anything.
func newPagesSite(t *testing.T, d *db.DB) *pagesSite {
	t.Helper()
	w := newWorld(t, d)
	a := apptest.New(t, d)
	a.Clauses.SetToday(func() time.Time { return w.today })
	for _, u := range pageUsers {
		_, err := a.Auth.CreateUser(w.ctx, access.System("test"), auth.NewUser{Email: u.who + "@pages.test", Password: pagesPassword,
			FirstName: "Camille", LastName: "Page " + u.who, Memberships: []auth.NewMembership{authtest.Member(w.orgs[u.org].ID, u.role)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	srv := apptest.Serve(t, a)
	s := &pagesSite{world: w, t: t, url: srv.URL, browsers: map[string]*webtest.Browser{}}
	for _, u := range pageUsers {
		b := webtest.NewBrowser(t, srv.URL)
		if status, _, page := b.Login(u.who+"@pages.test", pagesPassword, "/"); status != 303 {
			t.Fatalf("login %s: %d\n%s", u.who, status, page)
		}
		s.browsers[u.who] = b
	}
	s.op = w.operation("Tramway ligne T9", false)
	s.market = w.market(s.op, "T9-01", 1000, "2025-01-01", "2026-12-31")
	w.award(s.market, "Bâtir SA", 600, "")
	w.award(s.market, "Voies ferrées SAS", 400, "")
	return s
}

// get asks a page and checks its status; it returns the page.
func (s *pagesSite) get(who, path string, status int) string {
	s.t.Helper()
	got, _, page := s.browsers[who].Do("GET", path, nil)
	if got != status {
		s.t.Fatalf("%s GET %s: status %d, want %d\n%s", who, path, got, status, page)
	}
	return page
}

// post sends a form and checks its status; it returns the redirect's location and the page.
func (s *pagesSite) post(who, path string, form url.Values, status int) (string, string) {
	s.t.Helper()
	got, location, page := s.browsers[who].Do("POST", path, form)
	if got != status {
		s.t.Fatalf("%s POST %s: status %d, want %d\n%s", who, path, got, status, page)
	}
	return location, page
}

func shows(t *testing.T, what, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s does not show %q", what, w)
		}
	}
}

func hides(t *testing.T, what, page string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(page, u) {
			t.Errorf("%s shows %q", what, u)
		}
	}
}

// figureOn reads the number a page gives under a data-figure key.
func figureOn(page, key string) (string, bool) {
	m := regexp.MustCompile(`data-figure="` + regexp.QuoteMeta(key) + `"[^>]*>([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return "", false
	}
	return m[1], true
}

func TestACompanyDeclaresAMonthThroughTheForm(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newPagesSite(t, d)
		marketPage := "/clauses/marches/" + s.market.ID
		home := s.get("company", "/clauses", 200)
		shows(t, "the company's home", home, "Mes marchés", "T9-01", "Déclarer des heures", "600")
		page := s.get("company", marketPage, 200)
		shows(t, "the market page", page, "Déclarer un mois d'heures", "remplace la précédente",
			`<input type="hidden" name="company_org_id" value="`+s.orgs["Bâtir SA"].ID+`">`)
		hides(t, "the company's market page", page, "Voies ferrées SAS")

		declaration := url.Values{"last_name": {"Martin"}, "first_name": {"Inès"}, "birth_date": {"1990-04-12"}, "sex": {"F"},
			"public": {"BRSA"}, "month": {"2025-03"}, "hours": {"151,67"}, "contract_type": {"CDI"}, "mode": {"EMBAUCHE_DIRECTE"},
			"company_org_id": {s.orgs["Bâtir SA"].ID}}
		bad := url.Values{}
		for k, v := range declaration {
			bad[k] = v
		}
		bad.Set("hours", "beaucoup")
		_, page = s.post("company", marketPage+"/heures", bad, 422)
		shows(t, "hours that are not a number", page, `id="hours-erreur"`, `value="Martin"`)
		bad.Set("hours", "12")
		bad.Set("month", "2024-12")
		_, page = s.post("company", marketPage+"/heures", bad, 422)
		shows(t, "a month before the market", page, `id="month-erreur"`)

		loc, _ := s.post("company", marketPage+"/heures", declaration, 303)
		if loc != marketPage+"#heures" {
			t.Errorf("redirected to %q", loc)
		}
		page = s.get("company", marketPage, 200)
		shows(t, "the market page after the declaration", page, "Heures enregistrées", "Inès MARTIN", "151,67", "mars 2025")

		declaration.Set("hours", "140")
		s.post("company", marketPage+"/heures", declaration, 303)
		lines := s.get("company", "/clauses/heures", 200)
		if n, _ := figureOn(lines, "lines"); n != "1" {
			t.Errorf("a re-declaration of the same key makes %s lines, want 1", n)
		}
		if h, _ := figureOn(lines, "hours"); h != "140" {
			t.Errorf("the company's hours are %q, want 140", h)
		}
		shows(t, "the company's lines", lines, "Inès MARTIN")

		id := regexp.MustCompile(`/clauses/heures/([0-9a-f-]{36})`).FindStringSubmatch(lines)
		if id == nil {
			t.Fatal("no link to the line")
		}
		page = s.get("company", "/clauses/heures/"+id[1], 200)
		shows(t, "the line's history", page, "151,67", "140", "Camille Page company", "Corriger la ligne")
		s.post("company", "/clauses/heures/"+id[1], url.Values{"hours": {"145,5"}, "mode": {"EMBAUCHE_DIRECTE"}}, 303)
		page = s.get("company", "/clauses/heures/"+id[1], 200)
		shows(t, "the corrected line", page, "145,5")
	})
}

func TestTheFacilitatorFollowsAnOperation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newPagesSite(t, d)
		s.declare("facilitator", s.market, "Bâtir SA", person("Inès", "Martin", "BRSA", "1990-04-12"), "2025-03", 151.67, "CDI", "EMBAUCHE_DIRECTE")
		opPage := "/clauses/operations/" + s.op.ID

		home := s.get("facilitator", "/clauses", 200)
		shows(t, "the facilitator's home", home, "Tramway ligne T9", "Nouvelle opération", "/clauses/bilan", "/imports/marches", "/imports/heures")
		page := s.get("facilitator", opPage, 200)
		shows(t, "the operation page", page,
			"Heures d&#39;insertion requises", "1\u202f000", "151,67", "15,2\u00a0%",
			"Voies ferrées SAS n&#39;a déclaré aucune heure sur le marché T9-01", "Sans heures",
			`href="/clauses/operations/`+s.op.ID+`/bilan.pdf"`, "Ajouter un marché", "Modifier l'opération",
			`<option value="`+s.orgs["Ville d'Arras"].ID+`">`)
		hides(t, "the buyers offered", page, `<option value="`+s.orgs["Bâtir SA"].ID+`">`)

		loc, _ := s.post("facilitator", "/clauses/marches", url.Values{"operation_id": {s.op.ID}, "reference": {"T9-02"}, "title": {"Voirie"},
			"buyer_org_id": {s.orgs["Ville d'Arras"].ID}, "amount": {"2 500 000"}, "start_date": {"2025-06-01"}, "end_date": {"2026-06-30"},
			"clause_type": {"execution"}, "hours_rule": {"per_euro"}, "rule_base": {"2500000"}, "rule_rate": {"2"}}, 303)
		page = s.get("facilitator", loc, 200)
		shows(t, "the new market", page, "T9-02 – Voirie", "5\u202f000", "2\u202f500\u202f000\u00a0€", "Ajouter une entreprise attributaire")
		_, page = s.post("facilitator", "/clauses/marches", url.Values{"operation_id": {s.op.ID}, "reference": {"T9-02"}, "title": {"Bis"},
			"buyer_org_id": {s.orgs["Ville d'Arras"].ID}, "start_date": {"2025-06-01"}, "end_date": {"2026-06-30"}, "clause_type": {"execution"},
			"hours_rule": {"fixed"}, "required_hours": {"10"}}, 409)
		shows(t, "a reference used twice", page, `id="reference-erreur"`, "Un marché porte déjà cette référence")

		newMarket := loc
		s.post("facilitator", newMarket+"/attributaires", url.Values{"aw_siret": {"356 000 000 00048"}, "aw_role": {"holder"},
			"aw_share_hours": {"5000"}, "aw_fulfilment": {"placement"}, "aw_partner_org_id": {s.orgs["Intérim Insertion"].ID}}, 303)
		page = s.get("facilitator", newMarket, 200)
		shows(t, "the market with its company", page, "Voies ferrées SAS", "Mise à disposition (ETTI, ETT, AI, GEIQ)", "Intérim Insertion", "Retirer")
		s.post("facilitator", newMarket+"/attributaires/"+s.orgs["Voies ferrées SAS"].ID+"/retrait", nil, 303)

		participants := s.get("facilitator", "/clauses/participants?q=martin", 200)
		id := regexp.MustCompile(`/clauses/participants/([0-9a-f-]{36})`).FindStringSubmatch(participants)
		if id == nil {
			t.Fatal("the participant is not listed")
		}
		s.post("facilitator", "/clauses/participants/"+id[1]+"/sorties", url.Values{"operation_id": {s.op.ID}, "stage": {"end"},
			"outcome": {"cdi"}, "observed_on": {"2025-12-15"}}, 303)
		s.post("facilitator", "/clauses/participants/"+id[1], url.Values{"first_name": {"Inès"}, "last_name": {"Martin"}, "public": {"BRSA"},
			"birth_date": {"1990-04-12"}, "sex": {"F"}, "proof_date": {"2025-02-01"}, "validate": {"1"}}, 303)
		page = s.get("facilitator", "/clauses/participants/"+id[1], 200)
		shows(t, "the participant", page, "CDI", "15/12/2025", "01/02/2025", "par Camille Page facilitator")
		shows(t, "the operation's outcomes", s.get("facilitator", opPage, 200), `<th scope="row">CDI</th><td class="num">1</td>`)
	})
}

// signIn returns an HTTP client signed in as a user of the site, for the headers of downloads.
func (s *pagesSite) signIn(who string) *http.Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(s.url+"/connexion", url.Values{"email": {who + "@pages.test"}, "password": {pagesPassword}, "suivant": {"/"}})
	if err != nil || res.StatusCode != 303 {
		s.t.Fatalf("sign in %s: %v %v", who, res, err)
	}
	res.Body.Close()
	return c
}

func TestTheBuyerDownloadsReportsWithoutNames(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newPagesSite(t, d)
		s.declare("company", s.market, "Bâtir SA", person("Inès", "Martin", "BRSA", "1990-04-12"), "2025-03", 151.67, "CDI", "EMBAUCHE_DIRECTE")
		c := s.signIn("buyer")
		for _, dl := range []struct {
			path, contentType, magic string
		}{
			{"/clauses/operations/" + s.op.ID + "/bilan.pdf", "application/pdf", "%PDF"},
			{"/clauses/operations/" + s.op.ID + "/bilan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
			{"/clauses/bilan.pdf?from=2025-01-01&to=2025-12-31", "application/pdf", "%PDF"},
			{"/clauses/bilan.xlsx?from=2025-01-01&to=2025-12-31", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
		} {
			res, err := c.Get(s.url + dl.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != dl.contentType || !strings.HasPrefix(string(body), dl.magic) {
				t.Errorf("%s: %d %q %q", dl.path, res.StatusCode, res.Header.Get("Content-Type"), body[:min(len(body), 8)])
			}
			if cd := res.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="[a-z0-9-]+\.(pdf|xlsx)"$`).MatchString(cd) {
				t.Errorf("%s: Content-Disposition %q", dl.path, cd)
			}
		}
		lines := s.get("buyer", "/clauses/heures", 200)
		if h, _ := figureOn(lines, "hours"); h != "151,67" {
			t.Errorf("the buyer's hours are %q", h)
		}
		hides(t, "the buyer's lines", lines, "Martin", "MARTIN", "Inès", "/clauses/participants/")
		page := s.get("buyer", "/clauses/operations/"+s.op.ID, 200)
		hides(t, "the buyer's operation page", page, "Ajouter un marché", "MARTIN")
		shows(t, "the buyer's operation page", page, "Bilan PDF", "151,67")
		hides(t, "the buyer's participants", s.get("buyer", "/clauses/participants?from=2025-01&to=2025-12", 200), "MARTIN")
		s.get("buyer", "/clauses/marches/"+s.market.ID, 200)
		s.post("buyer", "/clauses/marches/"+s.market.ID, url.Values{"mk_reference": {"T9-01"}, "mk_title": {"Lot T9-01"},
			"mk_start_date": {"2025-01-01"}, "mk_end_date": {"2026-12-31"}, "mk_clause_type": {"execution"}, "mk_hours_rule": {"fixed"},
			"mk_required_hours": {"1200"}}, 303)
		shows(t, "the market after the buyer's change", s.get("buyer", "/clauses/marches/"+s.market.ID, 200), "1\u202f200")
		s.post("buyer", "/clauses/marches/"+s.market.ID+"/attributaires", url.Values{"aw_company_org_id": {s.orgs["Bâtir SA"].ID}}, 403)
	})
}

func TestAReferentSeesNoOperation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newPagesSite(t, d)
		for _, path := range []string{"/clauses/operations/" + s.op.ID, "/clauses/marches/" + s.market.ID, "/clauses/operations/" + s.op.ID + "/bilan.pdf"} {
			page := s.get("referent", path, 404)
			hides(t, "the référent's page", page, "Tramway")
		}
		s.get("referent", "/clauses", 403)
		s.get("company", "/clauses/operations/nouvelle", 403)
	})
}

func TestEveryFigureOfTheReportLinksToItsRows(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newPagesSite(t, d)
		inès := person("Inès", "Martin", "BRSA", "1990-04-12")
		s.declare("facilitator", s.market, "Bâtir SA", inès, "2025-03", 151.67, "CDI", "EMBAUCHE_DIRECTE")
		s.declare("facilitator", s.market, "Bâtir SA", inès, "2025-04", 100, "CDI", "EMBAUCHE_DIRECTE")
		young := person("Noé", "Durand", "JEUNE_26", "2004-09-01")
		young.Sex, young.QPV = "M", true
		s.declare("facilitator", s.market, "Voies ferrées SAS", young, "2025-05", 70.5, "INTERIM", "MISE_A_DISPOSITION")
		s.declare("facilitator", s.market, "Voies ferrées SAS", young, "2026-01", 35, "INTERIM", "MISE_A_DISPOSITION")

		report := s.get("facilitator", "/clauses/bilan", 200)
		shows(t, "the report of the last full year", report, `value="2025-01-01"`, `value="2025-12-31"`, "Consolidation nationale",
			"/clauses/bilan.pdf?from=2025-01-01&amp;to=2025-12-31")
		if h, _ := figureOn(report, "hours"); h != "322,17" {
			t.Errorf("the year's hours are %q, want 322,17 (January 2026 left out)", h)
		}
		links := regexp.MustCompile(`<a href="([^"]+)" data-figure="([^"]+)">([^<]*)</a>`).FindAllStringSubmatch(report, -1)
		if len(links) < 40 {
			t.Fatalf("only %d figures are links", len(links))
		}
		checked := map[string]bool{}
		for _, l := range links {
			href, key, value := html.UnescapeString(l[1]), l[2], l[3]
			if checked[href+key] {
				continue
			}
			checked[href+key] = true
			target := s.get("facilitator", href, 200)
			if got, ok := figureOn(target, key); !ok || got != value {
				t.Errorf("the figure %s = %q links to %s which shows %q", key, value, href, got)
			}
		}
		brsa := regexp.MustCompile(`Bénéficiaire du RSA</th>\s*<td class="num"><a href="([^"]+)" data-figure="participants">1</a></td>\s*<td class="num"><a href="[^"]+" data-figure="hours">251,67</a>`).FindStringSubmatch(report)
		if brsa == nil {
			t.Error("the BRSA public does not show 1 participant and 251,67 hours")
		} else {
			shows(t, "the BRSA lines", s.get("facilitator", html.UnescapeString(brsa[1]), 200), "Inès MARTIN")
			hides(t, "the BRSA lines", s.get("facilitator", html.UnescapeString(brsa[1]), 200), "Noé DURAND")
		}
		qpv := s.get("facilitator", "/clauses/participants?from=2025-01&to=2025-12&qpv=1&au=2025-12-31", 200)
		shows(t, "the participants living in a QPV", qpv, "Noé DURAND", "Moins de 26 ans")
		hides(t, "the participants living in a QPV", qpv, "Inès MARTIN")
	})
}
