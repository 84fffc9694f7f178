package jobs_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/webtest"
)

const password = "correct horse battery"

// site is a running Tremplin with an employer, a référent following a
// located person, and a référent of another structure.
type site struct {
	t        *testing.T
	browsers map[string]*webtest.Browser
	personID string
}

func newSite(t *testing.T, d *db.DB) site {
	t.Helper()
	ctx := context.Background()
	a := apptest.New(t, d)
	if err := refdata.SeedFor(ctx, d, "62", "80"); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	org := func(name string, kind orgs.Kind, siret string) string {
		o, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: name, Kind: kind, Territory: "62", SIRET: siret})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	dept, ml := org("Département du Pas-de-Calais", orgs.KindDepartement, ""), org("Mission locale d'Arras", orgs.KindMissionLocale, "")
	asso, emp := org("Association Relais", orgs.KindAssociation, ""), org("Propreté du Nord", orgs.KindEmployer, "73282932000074")
	user := func(email, orgID string, role access.Role) auth.User {
		u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: email, FirstName: "Léa", LastName: "Morel", Password: password,
			Memberships: []auth.NewMembership{authtest.Member(orgID, role)}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ref := user("referent@test.fr", ml, access.RoleReferent)
	user("outsider@test.fr", asso, access.RoleReferent)
	user("employer@test.fr", emp, access.RoleEmployer)
	lat, lon := arras.Lat, arras.Lon
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept, FirstName: "Sami", LastName: "Lefebvre",
		CommuneCode: arrasINS, Lat: &lat, Lon: &lon, Phone: "0601020304", CreatedAt: db.Now()}
	if err := people.Insert(ctx, a.DB, p, "", ""); err != nil {
		t.Fatal(err)
	}
	m := people.GroupMember{ID: db.NewID(), UserID: ref.ID, OrgID: ml, Role: "referent", Start: time.Now().AddDate(0, -1, 0)}
	if err := people.InsertGroupMember(ctx, a.DB, p.ID, m, db.Now()); err != nil {
		t.Fatal(err)
	}
	srv := apptest.Serve(t, a)
	s := site{t: t, browsers: map[string]*webtest.Browser{}, personID: p.ID}
	for _, who := range []string{"referent", "outsider", "employer"} {
		b := webtest.NewBrowser(t, srv.URL)
		if status, _, _ := b.Login(who+"@test.fr", password, "/"); status != 303 {
			t.Fatalf("login %s: %d", who, status)
		}
		s.browsers[who] = b
	}
	return s
}

// step is one request of a journey and what its answer must show.
type step struct {
	name, who, method, path string
	form                    url.Values
	status                  int
	want                    []string
	notWant                 string
}

// run plays a step and returns the redirect's location and the page.
func (s site) run(st step) (string, string) {
	s.t.Helper()
	status, location, page := s.browsers[st.who].Do(st.method, st.path, st.form)
	if status != st.status {
		s.t.Fatalf("%s: status %d, want %d\n%s", st.name, status, st.status, page)
	}
	for _, want := range st.want {
		if !strings.Contains(page, want) {
			s.t.Errorf("%s: the page does not show %q", st.name, want)
		}
	}
	if st.notWant != "" && strings.Contains(page, st.notWant) {
		s.t.Errorf("%s: the page shows %q", st.name, st.notWant)
	}
	return location, page
}

var idInPath = regexp.MustCompile(`/([0-9a-f-]{36})`)

func TestTheJobsPagesFromOfferToHire(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		cv := "/personnes/" + s.personID + "/cv"
		s.run(step{"the employer opens the offer form", "employer", "GET", "/offres/nouvelle", nil, 200,
			[]string{"Nouvelle offre d&#39;emploi", `name="rome"`}, "Choisissez l&#39;employeur"})
		s.run(step{"an offer with a bad ROME code is refused on its field", "employer", "POST", "/offres",
			url.Values{"title": {"Agent de propreté"}, "rome": {"K22"}, "contract": {"CDI"}, "commune_code": {arrasINS}}, 422,
			[]string{`id="rome-erreur"`, `value="Agent de propreté"`}, ""})
		loc, _ := s.run(step{"the employer publishes an offer", "employer", "POST", "/offres",
			url.Values{"title": {"Agent de propreté"}, "rome": {"K2204"}, "contract": {"CDI"}, "hours_per_week": {"24,5"},
				"positions": {"1"}, "commune_code": {arrasINS}, "shifts": {"matin"}}, 303, nil, ""})
		offerID := idInPath.FindStringSubmatch(loc)[1]
		s.run(step{"the offer's page", "employer", "GET", "/offres/" + offerID, nil, 200,
			[]string{"Agent de propreté", "K2204 — Nettoyage de locaux", "24,5 h par semaine", "Tôt le matin", "0 candidat"}, ""})
		s.run(step{"the référent finds it in the list", "referent", "GET", "/offres?q=proprete", nil, 200, []string{"Agent de propreté", "Propreté du Nord"}, ""})
		s.run(step{"a référent outside the group does not find the CV", "outsider", "GET", cv, nil, 404, nil, "Lefebvre"})
		s.run(step{"the employer does not find the CV either", "employer", "GET", cv, nil, 404, nil, "Lefebvre"})
		s.run(step{"the référent opens the CV", "referent", "GET", cv, nil, 200,
			[]string{"CV de Sami Lefebvre", `aria-current="page">CV et candidatures`, "n'a pas donné son accord"}, ""})
		s.run(step{"an online CV without a job is refused", "referent", "POST", cv, url.Values{"online": {"1"}, "radius_km": {"20"}}, 422,
			[]string{`id="romes-erreur"`}, ""})
		s.run(step{"the référent puts the CV online", "referent", "POST", cv, url.Values{"online": {"1"}, "romes": {"K2204"},
			"radius_km": {"20"}, "means": {"car"}, "licence": {"1"}, "vehicle": {"1"}, "exp_title_0": {"Agent d'entretien"}, "exp_employer_0": {"Collège Verlaine"}}, 303, nil, ""})
		_, page := s.run(step{"the offers for the person", "referent", "GET", "/personnes/" + s.personID + "/offres", nil, 200,
			[]string{"1 offre ouverte à moins de 20 km", "Agent de propreté", "Positionner"}, ""})
		if !strings.Contains(page, "Même métier") && !strings.Contains(page, "K2204") {
			t.Error("the match does not explain the job fit")
		}
		loc, _ = s.run(step{"the référent positions the person", "referent", "POST", "/candidatures",
			url.Values{"offer_id": {offerID}, "person_id": {s.personID}, "back": {"/personnes/" + s.personID + "/offres"}}, 303, nil, ""})
		posPath := "/candidatures/" + idInPath.FindStringSubmatch(loc)[1]
		s.run(step{"positioning twice is refused with a message", "referent", "POST", "/candidatures",
			url.Values{"offer_id": {offerID}, "person_id": {s.personID}, "back": {"/personnes/" + s.personID + "/offres"}}, 303, nil, ""})
		s.run(step{"the employer does not see a proposal not sent", "employer", "GET", posPath, nil, 404, nil, "Lefebvre"})
		s.run(step{"sending without consent is refused", "referent", "POST", posPath, url.Values{"state": {"sent"}}, 409,
			[]string{"accord pour partager son CV"}, ""})
		s.run(step{"the référent records the consent", "referent", "POST", cv + "/accord", url.Values{"method": {"written"}}, 303, nil, ""})
		s.run(step{"and sends the candidacy", "referent", "POST", posPath, url.Values{"state": {"sent"}}, 303, nil, ""})
		s.run(step{"the employer reads it", "employer", "GET", posPath, nil, 200, []string{"Candidature de Lefebvre Sami", "Transmise à l&#39;employeur", "Recrutée"}, ""})
		s.run(step{"the employer reads the candidate's CV and phone, not the social file", "employer", "GET", cv, nil, 200,
			[]string{"0601020304", "Agent d&#39;entretien"}, "Orientation et contrat"})
		if loc, _ := s.run(step{"the employer opening the file lands on the CV", "employer", "GET", "/personnes/" + s.personID, nil, 303, nil, ""}); loc != cv {
			t.Errorf("the employer is sent to %q", loc)
		}
		s.run(step{"a refusal needs a reason", "employer", "POST", posPath, url.Values{"state": {"refused"}}, 422, []string{`id="reason-erreur"`}, ""})
		s.run(step{"the employer hires", "employer", "POST", posPath, url.Values{"state": {"hired"}}, 303, nil, ""})
		s.run(step{"the référent is notified", "referent", "GET", "/notifications", nil, 200, []string{"Recrutement confirmé sur l&#39;offre « Agent de propreté »"}, ""})
		s.run(step{"the job is on the pathway with its check-ins", "referent", "GET", "/personnes/" + s.personID + "/parcours", nil, 200,
			[]string{"Emploi", "Agent de propreté", "Propreté du Nord"}, ""})
		s.run(step{"the offer is filled", "employer", "GET", "/offres/" + offerID, nil, 200, []string{"Pourvue", "Recrutée"}, ""})
	})
}

func TestTheOffersImportPage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		csv := "\ufeffintitule;rome;contrat;commune;heures_semaine;reference\r\nAgent de propreté;K2204;CDI;62041;35;A1\r\nServeur;XX;CDD;62041;20;A2\r\n"
		status, _, page := s.browsers["employer"].Upload("/imports/offres", "file", "offres.csv", []byte(csv))
		if status != 422 || !strings.Contains(page, "Import refusé") || !strings.Contains(page, "<td>3</td>") || !strings.Contains(page, "rome :") {
			t.Fatalf("a file with a bad line is refused naming it: %d\n%s", status, page)
		}
		csv = strings.Replace(csv, "XX", "G1603", 1)
		if status, _, page = s.browsers["employer"].Upload("/imports/offres", "file", "offres.csv", []byte(csv)); status != 200 ||
			!strings.Contains(page, "Rapport d'import") || !strings.Contains(page, `Offres créées</th><td>2</td>`) {
			t.Fatalf("a good file is imported: %d\n%s", status, page)
		}
		if status, _, page = s.browsers["employer"].Upload("/imports/offres", "file", "offres.csv", []byte(csv)); status != 200 ||
			!strings.Contains(page, `Offres créées</th><td>0</td>`) || !strings.Contains(page, `Offres mises à jour</th><td>2</td>`) {
			t.Fatalf("importing the same file again rewrites the offers of the same references: %d\n%s", status, page)
		}
		if _, _, page = s.browsers["referent"].Do("GET", "/offres", nil); strings.Count(page, `href="/offres/`) != 2 {
			t.Errorf("the two imported offers are listed once each")
		}
		if status, _, page := s.browsers["referent"].Do("GET", "/imports/offres", nil); status != 403 {
			t.Errorf("a référent opens the offers import: %d %s", status, page)
		}
	})
}
