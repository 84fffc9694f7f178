package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
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
)

// reviewAPIWorld is a territory where the département's référent organises an
// équipe pluridisciplinaire with France Travail's chargé d'orientation, who
// may not convene one, and a CCAS référent stays outside it.
type reviewAPIWorld struct {
	url                           string
	tokens                        map[string]string
	participantID, person, absent string
}

func newReviewAPIWorld(t *testing.T, d *db.DB) reviewAPIWorld {
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
	dept, ft, ccas := org("Département du Pas-de-Calais", orgs.KindDepartement), org("France Travail Arras", orgs.KindFranceTravail), org("CCAS de Lens", orgs.KindCCAS)
	w := reviewAPIWorld{tokens: map[string]string{}}
	users := map[string]auth.User{}
	for _, u := range []struct {
		name, email, org string
		role             access.Role
	}{
		{"organiser", "organisatrice@pasdecalais.fr", dept, access.RoleReferent},
		{"participant", "orientation@ft-arras.fr", ft, access.RoleOrientation},
		{"outsider", "referente@ccas-lens.fr", ccas, access.RoleReferent},
	} {
		acc, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: u.email, Memberships: []auth.NewMembership{authtest.Member(u.org, u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		if w.tokens[u.name], _, err = a.Auth.CreateToken(ctx, acc.ActorIn("", "test"), "test"); err != nil {
			t.Fatal(err)
		}
		users[u.name] = acc
	}
	w.participantID = users["participant"].ID
	for _, name := range []string{"Durand", "Petit"} {
		p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: dept, FirstName: "Alex", LastName: name, CreatedAt: db.Now()}
		if err := people.Insert(ctx, d, p, "", ""); err != nil {
			t.Fatal(err)
		}
		m := people.GroupMember{ID: db.NewID(), UserID: users["organiser"].ID, OrgID: dept, Role: "referent", Start: time.Now().AddDate(0, -1, 0)}
		if err := people.InsertGroupMember(ctx, d, p.ID, m, db.Now()); err != nil {
			t.Fatal(err)
		}
		if name == "Durand" {
			w.person = p.ID
		} else {
			w.absent = p.ID
		}
	}
	w.url = apptest.Serve(t, a).URL
	return w
}

// send calls the API with a JSON body (none when body is empty).
func (w reviewAPIWorld) send(t *testing.T, method, path, who, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, w.url+path, r)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[who])
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func TestCaseReviewAPIFollowsTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newReviewAPIWorld(t, d)
		day := time.Now().UTC().Format(time.DateOnly)
		due := time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)
		// ids are filled as the scenario creates the review and its point.
		ids := map[string]string{}
		fill := func(s string) string {
			for k, v := range ids {
				s = strings.ReplaceAll(s, "{"+k+"}", v)
			}
			return s
		}
		steps := []struct {
			name, method, path, template, who, body string
			status                                  int
			contains, absent                        string
			keep                                    string
		}{
			{"no token", "GET", "/api/v1/case-reviews", "/api/v1/case-reviews", "", "", 401, `"unauthorized"`, "", ""},
			{"unknown kind", "POST", "/api/v1/case-reviews", "/api/v1/case-reviews", "organiser",
				`{"kind":"comite","title":"x","held_on":"` + day + `"}`, 422, `"kind":`, "", ""},
			{"unknown field", "POST", "/api/v1/case-reviews", "/api/v1/case-reviews", "organiser",
				`{"kind":"ep","title":"x","held_on":"` + day + `","room":"B"}`, 422, `"invalid"`, "", ""},
			{"unknown participant", "POST", "/api/v1/case-reviews", "/api/v1/case-reviews", "organiser",
				`{"kind":"ep","title":"x","held_on":"` + day + `","participants":["nobody@nowhere.fr"]}`, 422, `"participants":`, "", ""},
			{"only the département convenes an équipe pluridisciplinaire", "POST", "/api/v1/case-reviews", "/api/v1/case-reviews", "participant",
				`{"kind":"ep","title":"EP","held_on":"` + day + `"}`, 403, `"Seul le département convoque`, "", ""},
			{"organise an équipe pluridisciplinaire", "POST", "/api/v1/case-reviews", "/api/v1/case-reviews", "organiser",
				`{"kind":"ep","title":"EP de Lens","held_on":"` + day + `","participants":["orientation@ft-arras.fr"]}`, 201, `"France Travail Arras"`, "", "review"},
			{"participant lists it", "GET", "/api/v1/case-reviews", "/api/v1/case-reviews", "participant", "", 200, `"total":1`, "", ""},
			{"outsider lists nothing", "GET", "/api/v1/case-reviews", "/api/v1/case-reviews", "outsider", "", 200, `"total":0`, "", ""},
			{"rate under 30 %", "POST", "/api/v1/case-reviews/{review}/items", "/api/v1/case-reviews/{id}/items", "organiser",
				`{"person_id":"` + w.person + `","kind":"sanction","reasons":"Engagements non tenus","sanction_rate":20,"sanction_months":1}`, 422, `"sanction_rate":`, "", ""},
			{"outsider may not add", "POST", "/api/v1/case-reviews/{review}/items", "/api/v1/case-reviews/{id}/items", "outsider",
				`{"person_id":"` + w.person + `","reasons":"x"}`, 404, `"not_found"`, "", ""},
			{"participant may not add", "POST", "/api/v1/case-reviews/{review}/items", "/api/v1/case-reviews/{id}/items", "participant",
				`{"person_id":"` + w.person + `","reasons":"x"}`, 403, `"forbidden"`, "", ""},
			{"put a sanction on the agenda", "POST", "/api/v1/case-reviews/{review}/items", "/api/v1/case-reviews/{id}/items", "organiser",
				`{"person_id":"` + w.person + `","kind":"sanction","reasons":"Engagements non tenus","sanction_rate":30,"sanction_months":2}`, 201, `"heard":""`, "", "item"},
			{"put a situation on the agenda", "POST", "/api/v1/case-reviews/{review}/items", "/api/v1/case-reviews/{id}/items", "organiser",
				`{"person_id":"` + w.absent + `","reasons":"Rendez-vous manqués"}`, 201, `"sanction":null`, "", ""},
			{"no opinion before the hearing", "POST", "/api/v1/case-review-items/{item}/decision", "/api/v1/case-review-items/{id}/decision", "organiser",
				`{"decision":"Suspension","outcome":"favorable"}`, 422, `"heard":`, "", ""},
			{"record the hearing", "POST", "/api/v1/case-review-items/{item}/hearing", "/api/v1/case-review-items/{id}/hearing", "organiser",
				`{"heard":"observations","heard_note":"Courrier reçu"}`, 200, `"heard":"observations"`, "", ""},
			{"owner outside the review", "POST", "/api/v1/case-review-items/{item}/decision", "/api/v1/case-review-items/{id}/decision", "organiser",
				`{"decision":"Suspension","outcome":"favorable","actions":[{"title":"Rappeler","owner_id":"nobody","due_date":"` + due + `"}]}`, 422, `"action_owner_1":`, "", ""},
			{"give the opinion with an action", "POST", "/api/v1/case-review-items/{item}/decision", "/api/v1/case-review-items/{id}/decision", "organiser",
				`{"decision":"Suspension de 30 % pendant 2 mois","outcome":"favorable","actions":[{"title":"Rencontrer la personne","owner_id":"` + w.participantID + `","due_date":"` + due + `"}]}`,
				200, `"due_date":"` + due + `"`, "", ""},
			{"a second decision is a conflict", "POST", "/api/v1/case-review-items/{item}/decision", "/api/v1/case-review-items/{id}/decision", "organiser",
				`{"decision":"Autre","outcome":"defavorable"}`, 409, `"conflict"`, "", ""},
			{"participant reads the agenda", "GET", "/api/v1/case-reviews/{review}", "/api/v1/case-reviews/{id}", "participant", "", 200, `"person_name":"Durand Alex"`, "", ""},
			{"outsider may not read", "GET", "/api/v1/case-reviews/{review}", "/api/v1/case-reviews/{id}", "outsider", "", 404, `"not_found"`, "Durand", ""},
			{"outsider may not decide", "POST", "/api/v1/case-review-items/{item}/decision", "/api/v1/case-review-items/{id}/decision", "outsider",
				`{"decision":"x"}`, 404, `"not_found"`, "", ""},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				status, body := w.send(t, st.method, fill(st.path), st.who, fill(st.body))
				if status != st.status {
					t.Fatalf("status %d, want %d: %s", status, st.status, body)
				}
				if !bytes.Contains(body, []byte(st.contains)) || (st.absent != "" && bytes.Contains(body, []byte(st.absent))) {
					t.Errorf("body %s: want %q and not %q", body, st.contains, st.absent)
				}
				c.checkMethod(t, strings.ToLower(st.method), st.template, st.status, body)
				if st.keep != "" {
					var created struct{ ID string }
					if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
						t.Fatalf("no id in %s", body)
					}
					ids[st.keep] = created.ID
				}
			})
		}
	})
}
