package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// TestDuplicatesAndMergeAPIFollowTheOpenAPIDocument finds a duplicate of the
// followed person and merges it, through the API, in the order rows are listed.
func TestDuplicatesAndMergeAPIFollowTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		birth := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
		dup := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: f.deptID, FirstName: "Julie", LastName: "Martin", BirthDate: &birth,
			Phone: "0612345678", CreatedAt: db.Now()}
		if err := people.Insert(context.Background(), d, dup, "", ""); err != nil {
			t.Fatal(err)
		}
		merge := "/api/v1/people/{id}/merge"
		body := func(dupID, reason string) string { return `{"duplicate_id":"` + dupID + `","reason":"` + reason + `"}` }
		cases := []struct {
			name, token, method, url, template, body string
			status                                   int
			contains                                 string
		}{
			{"no token", "", "GET", "/api/v1/people/duplicates", "/api/v1/people/duplicates", "", 401, `"code":"unauthorized"`},
			{"a référent may not look for duplicates", f.referentToken, "GET", "/api/v1/people/duplicates", "/api/v1/people/duplicates", "", 403, `"code":"forbidden"`},
			{"a bad page", f.managerToken, "GET", "/api/v1/people/duplicates?limit=0", "/api/v1/people/duplicates", "", 422, `"code":"invalid"`},
			{"the manager finds the pair", f.managerToken, "GET", "/api/v1/people/duplicates", "/api/v1/people/duplicates", "", 200,
				`"reason_codes":["name"]`},
			{"a référent may not merge", f.referentToken, "POST", "/api/v1/people/" + f.followed + "/merge", merge, body(dup.ID, "Même personne"), 403, `"code":"forbidden"`},
			{"a file is not merged into itself", f.managerToken, "POST", "/api/v1/people/" + f.followed + "/merge", merge, body(f.followed, "Même personne"), 422,
				`"duplicate_id":`},
			{"two NIRs are two people", f.managerToken, "POST", "/api/v1/people/" + f.followed + "/merge", merge, body(f.other, "Même personne"), 409, `"code":"conflict"`},
			{"a reason is required", f.managerToken, "POST", "/api/v1/people/" + f.followed + "/merge", merge, body(dup.ID, "ok"), 422, `"reason":`},
			{"an unknown field is refused", f.managerToken, "POST", "/api/v1/people/" + f.followed + "/merge", merge, `{"duplicate":"x"}`, 422, `"code":"invalid"`},
			{"an unknown file", f.managerToken, "POST", "/api/v1/people/" + db.NewID() + "/merge", merge, body(dup.ID, "Même personne"), 404, `"code":"not_found"`},
			{"the manager merges and gets the kept file", f.managerToken, "POST", "/api/v1/people/" + f.followed + "/merge", merge,
				body(dup.ID, "Même personne saisie deux fois"), 200, `"id":"` + f.followed + `"`},
			{"the absorbed file is not found", f.managerToken, "GET", "/api/v1/people/" + dup.ID, "/api/v1/people/{id}", "", 404, `"code":"not_found"`},
			{"it is not merged again", f.managerToken, "POST", "/api/v1/people/" + f.followed + "/merge", merge, body(dup.ID, "Même personne"), 409, `"code":"conflict"`},
			{"no pair is left", f.managerToken, "GET", "/api/v1/people/duplicates", "/api/v1/people/duplicates", "", 200, `{"items":[],"total":0}`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var reqBody io.Reader
				if tc.body != "" {
					reqBody = strings.NewReader(tc.body)
				}
				req, _ := http.NewRequest(tc.method, f.srv.URL+tc.url, reqBody)
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.status || !bytes.Contains(got, []byte(tc.contains)) {
					t.Fatalf("status %d, want %d with %s: %s", res.StatusCode, tc.status, tc.contains, got)
				}
				c.checkMethod(t, strings.ToLower(tc.method), tc.template, tc.status, got)
			})
		}
	})
}
