package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// TestStepsPlanAndCheckinsAPIFollowTheOpenAPIDocument plays a pathway
// through the API: each row may save the id it answers under a name that
// later rows use in their URL or body as {name}.
func TestStepsPlanAndCheckinsAPIFollowTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		today := time.Now().Format(time.DateOnly)
		ids := map[string]string{"followed": f.followed, "other": f.other}
		cases := []struct {
			name, token, method, url, template, body string
			status                                   int
			contains                                 string
			saveAs                                   string
		}{
			{"the référent records a job", f.referentToken, "POST", "/api/v1/people/{followed}/steps", "/api/v1/people/{id}/steps",
				`{"kind":"job","subtype":"cdd","title":"Vendeuse","start_date":"2025-01-31","siret":"732 829 320 00074"}`, 201, `"siret":"73282932000074"`, "job"},
			{"an immersion of 31 days is refused on its end date", f.referentToken, "POST", "/api/v1/people/{followed}/steps", "/api/v1/people/{id}/steps",
				`{"kind":"pmsmp","subtype":"discover","title":"Boulangerie","siret":"73282932000074","start_date":"2025-01-01","end_date":"2025-01-31"}`, 422, `"end_date":"Une immersion`, ""},
			{"an unknown field is refused", f.referentToken, "POST", "/api/v1/people/{followed}/steps", "/api/v1/people/{id}/steps",
				`{"kind":"event","title":"Forum","start_date":"2025-01-01","colour":"red"}`, 422, `"code":"invalid"`, ""},
			{"the référent may not write on a person outside the group", f.referentToken, "POST", "/api/v1/people/{other}/steps", "/api/v1/people/{id}/steps",
				`{"kind":"event","title":"Forum","start_date":"2025-01-01"}`, 404, `"code":"not_found"`, ""},
			{"the manager records an appointment", f.managerToken, "POST", "/api/v1/people/{followed}/steps", "/api/v1/people/{id}/steps",
				`{"kind":"appointment","subtype":"phone","title":"Suivi","scheduled_at":"2025-02-03T10:00"}`, 201, `"scheduled_at":"2025-02-03T09:00:00Z"`, "appointment"},
			{"the manager records a step of the other person", f.managerToken, "POST", "/api/v1/people/{other}/steps", "/api/v1/people/{id}/steps",
				`{"kind":"appointment","subtype":"physical","title":"Accueil","scheduled_at":"2025-02-03T11:00"}`, 201, `"outcome":""`, "otherStep"},
			{"the référent records the appointment's outcome", f.referentToken, "POST", "/api/v1/steps/{appointment}/outcome", "/api/v1/steps/{id}/outcome",
				`{"outcome":"seen"}`, 200, `"outcome":"seen"`, ""},
			{"a job takes no outcome", f.referentToken, "POST", "/api/v1/steps/{job}/outcome", "/api/v1/steps/{id}/outcome",
				`{"outcome":"seen"}`, 422, `"outcome":`, ""},
			{"the step of a person outside the group is not found", f.referentToken, "POST", "/api/v1/steps/{otherStep}/outcome", "/api/v1/steps/{id}/outcome",
				`{"outcome":"seen"}`, 404, `"code":"not_found"`, ""},
			{"the timeline, latest first", f.referentToken, "GET", "/api/v1/people/{followed}/steps", "/api/v1/people/{id}/steps",
				"", 200, `"total":2`, ""},
			{"the timeline filtered by kind", f.referentToken, "GET", "/api/v1/people/{followed}/steps?kind=job", "/api/v1/people/{id}/steps",
				"", 200, `"total":1`, ""},
			{"the timeline of a person outside the group", f.referentToken, "GET", "/api/v1/people/{other}/steps", "/api/v1/people/{id}/steps",
				"", 404, `"code":"not_found"`, ""},
			{"the job's check-ins at month ends", f.referentToken, "GET", "/api/v1/people/{followed}/checkins", "/api/v1/people/{id}/checkins",
				"", 200, `"due_date":"2025-02-28"`, "checkin"},
			{"the check-ins of a person outside the group", f.referentToken, "GET", "/api/v1/people/{other}/checkins", "/api/v1/people/{id}/checkins",
				"", 404, `"code":"not_found"`, ""},
			{"a departure needs its reason", f.referentToken, "POST", "/api/v1/checkins/{checkin}", "/api/v1/checkins/{id}",
				`{"in_work":false,"done_on":"` + today + `"}`, 422, `"reason":`, ""},
			{"the check-in is recorded", f.referentToken, "POST", "/api/v1/checkins/{checkin}", "/api/v1/checkins/{id}",
				`{"in_work":false,"reason":"fin_de_contrat","done_on":"` + today + `"}`, 200, `"state":"done"`, ""},
			{"an objective", f.referentToken, "POST", "/api/v1/people/{followed}/plan/objectives", "/api/v1/people/{id}/plan/objectives",
				`{"theme":"mobilite","title":"Obtenir le permis B"}`, 201, `"status":"en_cours"`, "objective"},
			{"an objective needs a known theme", f.referentToken, "POST", "/api/v1/people/{followed}/plan/objectives", "/api/v1/people/{id}/plan/objectives",
				`{"theme":"loisirs","title":"Voyager"}`, 422, `"theme":`, ""},
			{"an action owned by nobody", f.referentToken, "POST", "/api/v1/people/{followed}/plan/actions", "/api/v1/people/{id}/plan/actions",
				`{"objective_id":"{objective}","title":"S'inscrire à l'auto-école","due_date":"2025-03-31"}`, 201, `"due_date":"2025-03-31"`, "action"},
			{"the action is done", f.referentToken, "POST", "/api/v1/plan/actions/{action}/status", "/api/v1/plan/actions/{id}/status",
				`{"status":"fait"}`, 200, `"status":"fait"`, ""},
			{"the objective is reached", f.referentToken, "POST", "/api/v1/plan/objectives/{objective}/status", "/api/v1/plan/objectives/{id}/status",
				`{"status":"atteint"}`, 200, `"status":"atteint"`, ""},
			{"the plan", f.referentToken, "GET", "/api/v1/people/{followed}/plan", "/api/v1/people/{id}/plan",
				"", 200, `"title":"S'inscrire à l'auto-école"`, ""},
			{"the plan of a person outside the group", f.referentToken, "GET", "/api/v1/people/{other}/plan", "/api/v1/people/{id}/plan",
				"", 404, `"code":"not_found"`, ""},
			{"an employer sees no pathway", f.employerToken, "GET", "/api/v1/people/{followed}/steps", "/api/v1/people/{id}/steps",
				"", 404, `"code":"not_found"`, ""},
		}
		fill := func(s string) string {
			for k, v := range ids {
				s = strings.ReplaceAll(s, "{"+k+"}", v)
			}
			return s
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var reqBody io.Reader
				if tc.body != "" {
					reqBody = strings.NewReader(fill(tc.body))
				}
				req, _ := http.NewRequest(tc.method, f.srv.URL+fill(tc.url), reqBody)
				req.Header.Set("Authorization", "Bearer "+tc.token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.status || !bytes.Contains(body, []byte(tc.contains)) {
					t.Fatalf("status %d, want %d with %s: %s", res.StatusCode, tc.status, tc.contains, body)
				}
				c.checkMethod(t, strings.ToLower(tc.method), tc.template, tc.status, body)
				if tc.saveAs != "" {
					ids[tc.saveAs] = answeredID(t, body)
				}
			})
		}
	})
}

// answeredID returns the id of an object answered, or of the first item of a list.
func answeredID(t *testing.T, body []byte) string {
	t.Helper()
	var v struct {
		ID    string `json:"id"`
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if v.ID == "" && len(v.Items) > 0 {
		return v.Items[0].ID
	}
	return v.ID
}
