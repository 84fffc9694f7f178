package steps_test

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
	"tremplin/internal/platform/webtest"
)

const password = "correct horse battery"

// site is a running Tremplin with a person followed by a référent of the
// mission locale, and a référent of an association outside the group.
type site struct {
	browsers map[string]*webtest.Browser
	personID string
	path     string
}

func newSite(t *testing.T, d *db.DB) site {
	t.Helper()
	ctx := context.Background()
	a := apptest.New(t, d)
	sys := access.System("test")
	org := func(name string, kind orgs.Kind) string {
		o, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: name, Kind: kind, Territory: "62"})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	dept, ml, asso := org("Département du Pas-de-Calais", orgs.KindDepartement), org("Mission locale de Lens", orgs.KindMissionLocale), org("Association Relais", orgs.KindAssociation)
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
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept, FirstName: "Sami", LastName: "Lefebvre", CreatedAt: db.Now()}
	if err := people.Insert(ctx, a.DB, p, "", ""); err != nil {
		t.Fatal(err)
	}
	m := people.GroupMember{ID: db.NewID(), UserID: ref.ID, OrgID: ml, Role: "referent", Start: time.Now().AddDate(0, -1, 0)}
	if err := people.InsertGroupMember(ctx, a.DB, p.ID, m, db.Now()); err != nil {
		t.Fatal(err)
	}
	srv := apptest.Serve(t, a)
	s := site{browsers: map[string]*webtest.Browser{}, personID: p.ID, path: "/personnes/" + p.ID + "/parcours"}
	for _, who := range []string{"referent", "outsider"} {
		b := webtest.NewBrowser(t, srv.URL)
		if status, _, _ := b.Login(who+"@test.fr", password, "/"); status != 303 {
			t.Fatalf("login %s: %d", who, status)
		}
		s.browsers[who] = b
	}
	return s
}

// firstOption returns the first option value of the select named name.
func firstOption(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `">\s*<option value="([0-9a-f-]{36})"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page offers no %s", name)
	}
	return m[1]
}

func TestThePathwayPage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ref := s.browsers["referent"]
		today := time.Now().Format(time.DateOnly)
		cases := []struct {
			name, who, method, path string
			form                    url.Values
			status                  int
			want                    []string
			notWant                 string
		}{
			{"the référent sees the empty pathway", "referent", "GET", s.path, nil, 200,
				[]string{"Sami Lefebvre", `aria-current="page">Plan d&#39;action et étapes`, "Aucune étape n'est encore enregistrée", "Ajouter une étape"}, ""},
			{"an immersion of 31 days is refused on its end date", "referent", "POST", s.path + "/etapes", url.Values{
				"step_kind": {"pmsmp"}, "step_subtype": {"discover"}, "step_title": {"Boulangerie Dupont"}, "step_siret": {hostSIRET},
				"step_start_date": {"2025-01-01"}, "step_end_date": {"2025-01-31"}}, 422,
				[]string{"au plus 30 jours calendaires", `id="step_end_date-erreur"`, `href="#step_end_date"`, `value="Boulangerie Dupont"`}, ""},
			{"an immersion of two weeks is added", "referent", "POST", s.path + "/etapes", url.Values{
				"step_kind": {"pmsmp"}, "step_subtype": {"discover"}, "step_title": {"Boulangerie Dupont"}, "step_siret": {hostSIRET},
				"step_start_date": {"2025-01-06"}, "step_end_date": {"2025-01-17"}}, 303, nil, ""},
			{"a job is added", "referent", "POST", s.path + "/etapes", url.Values{
				"step_kind": {"job"}, "step_subtype": {"cdd"}, "step_title": {"Vendeuse"}, "step_start_date": {"2025-01-31"}}, 303, nil, ""},
			{"the timeline shows both steps with their structure", "referent", "GET", s.path, nil, 200,
				[]string{"Immersion en entreprise (PMSMP)", "Découvrir un métier ou un secteur", "06/01/2025 au 17/01/2025", "SIRET 73282932000074",
					"Mission locale de Lens", "Emploi", "CDD", "À renseigner"}, "Aucune étape"},
			{"the job's check-ins are due at month ends", "referent", "GET", s.path, nil, 200,
				[]string{"28/02/2025", "30/04/2025", "31/07/2025", "En retard"}, ""},
			{"an objective without title is refused", "referent", "POST", s.path + "/objectifs", url.Values{"objective_theme": {"mobilite"}}, 422,
				[]string{`id="objective_title-erreur"`, "L&#39;intitulé est obligatoire."}, ""},
			{"an objective is added", "referent", "POST", s.path + "/objectifs", url.Values{"objective_theme": {"mobilite"}, "objective_title": {"Obtenir le permis B"}}, 303, nil, ""},
			{"a référent outside the group does not find the page", "outsider", "GET", s.path, nil, 404, []string{"Page introuvable"}, "Lefebvre"},
			{"nor may they add a step", "outsider", "POST", s.path + "/etapes", url.Values{
				"step_kind": {"event"}, "step_title": {"Forum"}, "step_start_date": {today}}, 404, nil, "Lefebvre"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, location, page := s.browsers[tc.who].Do(tc.method, tc.path, tc.form)
				if status != tc.status {
					t.Fatalf("status %d, want %d", status, tc.status)
				}
				if status == 303 && !strings.HasPrefix(location, s.path+"#") {
					t.Errorf("redirected to %s", location)
				}
				for _, want := range tc.want {
					if !strings.Contains(page, want) {
						t.Errorf("the page does not show %q", want)
					}
				}
				if tc.notWant != "" && strings.Contains(page, tc.notWant) {
					t.Errorf("the page shows %q", tc.notWant)
				}
			})
		}

		_, _, page := ref.Do("GET", s.path, nil)
		objective := firstOption(t, page, "action_objective_id")
		if status, _, _ := ref.Do("POST", s.path+"/actions", url.Values{"action_objective_id": {objective}, "action_title": {"S'inscrire à l'auto-école"}, "action_due_date": {"2025-03-31"}}); status != 303 {
			t.Fatalf("add an action: %d", status)
		}
		step := firstOption(t, page, "outcome_step_id")
		if status, _, _ := ref.Do("POST", s.path+"/resultats", url.Values{"outcome_step_id": {step}, "outcome_outcome": {"job"}}); status != 303 {
			t.Fatalf("record the immersion's outcome: %d", status)
		}
		checkin := firstOption(t, page, "checkin_id")
		status, _, bad := ref.Do("POST", s.path+"/points", url.Values{"checkin_id": {checkin}, "checkin_in_work": {"non"}, "checkin_done_on": {today}})
		if status != 422 || !strings.Contains(bad, `id="checkin_reason-erreur"`) {
			t.Fatalf("a departure without reason: %d", status)
		}
		if status, _, _ := ref.Do("POST", s.path+"/points", url.Values{"checkin_id": {checkin}, "checkin_in_work": {"oui"}, "checkin_done_on": {today}}); status != 303 {
			t.Fatalf("record the check-in: %d", status)
		}
		_, _, page = ref.Do("GET", s.path, nil)
		for _, want := range []string{"Obtenir le permis B", "S&#39;inscrire à l&#39;auto-école", "31/03/2025", "Débouche sur une embauche", "Toujours en emploi", "Point de situation enregistré."} {
			if !strings.Contains(page, want) {
				t.Errorf("after the forms, the page does not show %q", want)
			}
		}
	})
}
