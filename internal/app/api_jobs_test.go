package app_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// TestJobsAPIFollowsTheOpenAPIDocument plays an offer from publication to
// hire through the API: each row may save the id it answers under a name
// that later rows use in their URL or body as {name}.
func TestJobsAPIFollowsTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ids := map[string]string{"followed": f.followed, "other": f.other}
		cases := []struct {
			name, token, method, url, template, body string
			status                                   int
			contains                                 string
			saveAs                                   string
		}{
			{"the employer publishes an offer", f.employerToken, "POST", "/api/v1/offers", "/api/v1/offers",
				`{"title":"Agent de propreté","rome":"k2204","contract":"CDI","hours_per_week":24.5,"commune_code":"62041","shifts":["matin"]}`, 201, `"hours_per_week":24.5`, "offer"},
			{"an offer placed nowhere is refused", f.employerToken, "POST", "/api/v1/offers", "/api/v1/offers",
				`{"title":"Agent","rome":"K2204","contract":"CDI"}`, 422, `"commune_code":`, ""},
			{"an unknown field is refused", f.employerToken, "POST", "/api/v1/offers", "/api/v1/offers",
				`{"title":"Agent","rome":"K2204","contract":"CDI","commune_code":"62041","salary":2000}`, 422, `"code":"invalid"`, ""},
			{"a référent may not publish for an employer", f.referentToken, "POST", "/api/v1/offers", "/api/v1/offers",
				`{"title":"Agent","rome":"K2204","contract":"CDI","commune_code":"62041"}`, 403, `"code":"forbidden"`, ""},
			{"the offers of the territory", f.referentToken, "GET", "/api/v1/offers?status=open", "/api/v1/offers",
				"", 200, `"employer":"Nettoyage Artois SARL"`, ""},
			{"a bad status filter", f.referentToken, "GET", "/api/v1/offers?status=gone", "/api/v1/offers",
				"", 422, `"status":`, ""},
			{"the référent puts the CV online", f.referentToken, "PUT", "/api/v1/people/{followed}/cv", "/api/v1/people/{id}/cv",
				`{"headline":"Agent d'entretien","romes":["K2204"],"radius_km":25,"means":["car"],"licence":true,"vehicle":true,"online":true}`, 200, `"online":true`, ""},
			{"the CV of a person outside the group", f.referentToken, "GET", "/api/v1/people/{other}/cv", "/api/v1/people/{id}/cv",
				"", 404, `"code":"not_found"`, ""},
			{"the offers for the person", f.referentToken, "GET", "/api/v1/people/{followed}/matches?radius_km=20&limit=5", "/api/v1/people/{id}/matches",
				"", 200, `"total":1`, ""},
			{"a limit above 1,000 is refused", f.referentToken, "GET", "/api/v1/people/{followed}/matches?limit=5000", "/api/v1/people/{id}/matches",
				"", 422, `"limit":`, ""},
			{"the candidates for the offer", f.managerToken, "GET", "/api/v1/offers/{offer}/candidates?radius_km=10", "/api/v1/offers/{id}/candidates",
				"", 200, `"label":"Martin Julie"`, ""},
			{"the employer sees no candidate without consent", f.employerToken, "GET", "/api/v1/offers/{offer}/candidates", "/api/v1/offers/{id}/candidates",
				"", 200, `"total":0`, ""},
			{"the référent positions the person", f.referentToken, "POST", "/api/v1/positionings", "/api/v1/positionings",
				`{"offer_id":"{offer}","person_id":"{followed}","note":"Motivée"}`, 201, `"state":"proposed"`, "positioning"},
			{"sending needs the consent", f.referentToken, "POST", "/api/v1/positionings/{positioning}/transitions", "/api/v1/positionings/{id}/transitions",
				`{"state":"sent"}`, 409, `"code":"conflict"`, ""},
			{"the consent is recorded", f.referentToken, "POST", "/api/v1/people/{followed}/cv/consent", "/api/v1/people/{id}/cv/consent",
				`{"method":"written"}`, 200, `"shared_with_employers":true`, ""},
			{"the candidacy is sent", f.referentToken, "POST", "/api/v1/positionings/{positioning}/transitions", "/api/v1/positionings/{id}/transitions",
				`{"state":"sent"}`, 200, `"state":"sent"`, ""},
			{"the employer reads the candidate", f.employerToken, "GET", "/api/v1/people/{followed}", "/api/v1/people/{id}",
				"", 200, `"last_name":"Martin"`, ""},
			{"but not a person not sent to it", f.employerToken, "GET", "/api/v1/people/{other}", "/api/v1/people/{id}",
				"", 404, `"code":"not_found"`, ""},
			{"the employer hires", f.employerToken, "POST", "/api/v1/positionings/{positioning}/transitions", "/api/v1/positionings/{id}/transitions",
				`{"state":"hired","start_date":"2026-01-05"}`, 200, `"state":"hired"`, ""},
			{"the hire started the back-to-work check-ins", f.referentToken, "GET", "/api/v1/people/{followed}/checkins", "/api/v1/people/{id}/checkins",
				"", 200, `"due_date":"2026-02-05"`, ""},
			{"the candidacies on the offer", f.employerToken, "GET", "/api/v1/offers/{offer}/positionings", "/api/v1/offers/{id}/positionings",
				"", 200, `"state":"hired"`, ""},
			{"an offers file with a bad line is refused whole", f.managerToken, "POST", "/api/v1/imports/offers", "/api/v1/imports/offers",
				"siret;intitule;rome;contrat;commune\n73282932000074;Serveur;G1603;CDD;62041\n", 422, `"line":2`, ""},
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
				if strings.Contains(tc.url, "imports") {
					req.Header.Set("Content-Type", "text/csv")
				}
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
