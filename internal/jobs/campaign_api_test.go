package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"tremplin/internal/jobs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/assign"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// campaignContract validates responses against the OpenAPI document.
type campaignContract struct {
	compiler *jsonschema.Compiler
	doc      map[string]any
}

func newCampaignContract(t *testing.T) *campaignContract {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("https://tremplin.local/openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	return &campaignContract{compiler: c, doc: doc.(map[string]any)}
}

// check validates body against the schema documented for path, method and status.
func (c *campaignContract) check(t *testing.T, method, path string, status int, body []byte) {
	t.Helper()
	ptr := "/paths/" + strings.ReplaceAll(path, "/", "~1") + "/" + method + "/responses/" + strconv.Itoa(status)
	var cur any = c.doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, _ := cur.(map[string]any)
		cur = m[strings.ReplaceAll(part, "~1", "/")]
	}
	resp, _ := cur.(map[string]any)
	if resp == nil {
		t.Fatalf("openapi.json documents no %d response for %s %s", status, method, path)
	}
	if ref, ok := resp["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
	}
	sch, err := c.compiler.Compile("https://tremplin.local/openapi.json#" + ptr + "/content/application~1json/schema")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: response is not JSON: %v", method, path, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s %s (%d): response does not follow the OpenAPI document: %v\n%s", method, path, status, err, body)
	}
}

// campaignAPIServer serves the campaign endpoints, each request acting as
// the actor its X-Actor header names (as the bearer token would).
func campaignAPIServer(t *testing.T, w *campaignWorld) string {
	t.Helper()
	mux := http.NewServeMux()
	jobs.CampaignAPI{Svc: w.svc}.Register(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(rw, r.WithContext(api.WithActor(r.Context(), w.actors[r.Header.Get("X-Actor")])))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func campaignCall(t *testing.T, base, who, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Actor", who)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// manyCandidates is a request with n candidates around Arras and one site.
func campaignManyCandidates(n int) string {
	var b strings.Builder
	b.WriteString(`{"candidates":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"c%d","lat":50.%04d,"lon":2.78}`, i, i%10000)
	}
	b.WriteString(`],"sites":[{"id":"s","lat":50.29,"lon":2.78,"capacity":1}],"objective":"distance"}`)
	return b.String()
}

func TestCampaignAPISolvesStatelessly(t *testing.T) {
	contract := newCampaignContract(t)
	w := newCampaignWorld(t, dbtest.SQLite(t))
	base := campaignAPIServer(t, w)
	const sites = `"sites":[{"id":"arras","lat":50.2930,"lon":2.7819,"capacity":1},{"id":"lens","lat":50.4330,"lon":2.8279,"capacity":1}]`
	cases := []struct {
		name, who, body string
		status          int
		contains        []string
	}{
		{"two candidates, each at home", "referent",
			`{"candidates":[{"id":"from-lens","lat":50.43,"lon":2.83},{"id":"from-arras","lat":50.29,"lon":2.78}],` + sites + `,"objective":"distance"}`, 200,
			[]string{`{"candidate":"from-lens","site":"lens","distance_km":0.`, `{"candidate":"from-arras","site":"arras","distance_km":0.`, `"unassigned":[]`}},
		{"the objective may be left out; one too many is told why", "employer",
			`{"candidates":[{"id":"a","lat":50.29,"lon":2.78},{"id":"b","lat":50.30,"lon":2.78},{"id":"c","lat":50.31,"lon":2.78}],` + sites + `}`, 200,
			[]string{`"unassigned":[{"candidate":"b","reason":"` + assign.ReasonNoPlace + `"}]`}},
		{"beyond the maximum distance", "referent",
			`{"candidates":[{"id":"far","lat":48.85,"lon":2.35}],` + sites + `,"max_km":30}`, 200,
			[]string{`"assignment":[]`, `"reason":"` + assign.ReasonTooFar + `"`}},
		{"an unknown field", "referent", `{"candidates":[],"sites":[],"objectif":"distance"}`, 422, []string{`"code":"invalid"`, "champ inconnu"}},
		{"another objective", "referent", `{"candidates":[],"sites":[],"objective":"time"}`, 422, []string{`"fields":{"objective":`, "« time »"}},
		{"too many candidates", "referent", campaignManyCandidates(jobs.AssignmentMaxCandidates + 1), 422, []string{`"fields":{"candidates":`, "Trop de candidats (20001)"}},
		{"too many sites", "referent", `{"candidates":[],"sites":[` + strings.Repeat(`{"id":"s","lat":50.29,"lon":2.78,"capacity":1},`, jobs.AssignmentMaxSites) +
			`{"id":"s","lat":50.29,"lon":2.78,"capacity":1}]}`, 422, []string{`"fields":{"sites":`, "Trop de sites (1001)"}},
		{"(0, 0) is no place, and the candidate is named", "referent",
			`{"candidates":[{"id":"a","lat":50.29,"lon":2.78},{"id":"nowhere","lat":0,"lon":0}],` + sites + `}`, 422, []string{`Candidat « nowhere » : coordonnées inconnues (0, 0)`}},
		{"a missing longitude", "referent", `{"candidates":[{"id":"half","lat":50.29}],` + sites + `}`, 422, []string{`Candidat « half » (n° 1) : latitude ou longitude manquante`}},
		{"a site without capacity", "referent", `{"candidates":[],"sites":[{"id":"x","lat":50.29,"lon":2.78}]}`, 422, []string{`Site « x »`, "capacité manquante"}},
		{"no one signed in", "", `{"candidates":[],"sites":[]}`, 401, []string{`"code":"unauthorized"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := campaignCall(t, base, tc.who, "POST", "/api/v1/assignments/solve", tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			for _, s := range tc.contains {
				if !bytes.Contains(body, []byte(s)) {
					t.Errorf("body lacks %q: %s", s, body)
				}
			}
			contract.check(t, "post", "/api/v1/assignments/solve", status, body)
		})
	}
	status, body := campaignCall(t, base, "referent", "POST", "/api/v1/assignments/solve", campaignManyCandidates(2_000))
	var res jobs.AssignmentResultJSON
	if err := json.Unmarshal(body, &res); status != 200 || err != nil || len(res.Assignment) != 1 || len(res.Unassigned) != 1999 {
		t.Errorf("2,000 candidates for one place: %d %v", status, err)
	}
}

func TestCampaignAPIPlan(t *testing.T) {
	contract := newCampaignContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newCampaignWorld(t, d)
		c := campaignReady(t, w)
		base := campaignAPIServer(t, w)
		path := "/api/v1/campaigns/" + c.ID + "/plan"
		check := func(who string, status int, contains, absent string) []byte {
			t.Helper()
			got, body := campaignCall(t, base, who, "GET", path, "")
			if got != status || !bytes.Contains(body, []byte(contains)) || (absent != "" && bytes.Contains(body, []byte(absent))) {
				t.Errorf("%s: %d, want %d with %q and not %q: %s", who, got, status, contains, absent, body)
			}
			contract.check(t, "get", "/api/v1/campaigns/{id}/plan", got, body)
			return body
		}
		check("manager", 200, `"nearest_free":null`, "")
		if _, err := w.svc.Solve(context.Background(), w.actors["manager"], c.ID); err != nil {
			t.Fatal(err)
		}
		body := check("manager", 200, `"candidate":"Durand Camille","person_id":"`+w.persons["Durand"]+`"`, "")
		var plan jobs.CampaignPlanJSON
		if err := json.Unmarshal(body, &plan); err != nil || plan.NearestFree == nil || plan.Totals.Placed != 4 || *plan.SavedKm < 0 {
			t.Errorf("the plan and its comparison: %+v %v", plan.Totals, err)
		}
		check("admin", 200, `"candidate":"Candidat n°5","person_id":"","commune_code":"62119","lat":null`, "Durand")
		check("outsider", 404, `"code":"not_found"`, "Collèges")
		check("employer", 404, `"code":"not_found"`, "")
		w.actors["nobody"] = access.Actor{}
		check("nobody", 401, `"code":"unauthorized"`, "")
	})
}
