package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"tremplin/internal/app"
	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/people/caf/caftest"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
)

// fixture is a small territory: a département with a manager, a mission
// locale with a référent following one person, and an employer.
type fixture struct {
	app                         *app.App
	srv                         *httptest.Server
	managerToken, referentToken string
	employerToken               string
	followed, other             string
	deptID                      string
}

func newFixture(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	if err := refdata.SeedFor(ctx, d, "62", "80"); err != nil {
		t.Fatal(err)
	}
	a := apptest.New(t, d)
	box := a.Box
	f := fixture{app: a}
	sys := access.System("test")
	org := func(name string, kind orgs.Kind) string {
		o, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: name, Kind: kind, Territory: "62", CommuneCode: "62041"})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	f.deptID = org("Département du Pas-de-Calais", orgs.KindDepartement)
	ml := org("Mission locale de l'Artois", orgs.KindMissionLocale)
	emp := org("Nettoyage Artois SARL", orgs.KindEmployer)
	token := func(email string, orgID string, role access.Role) (string, auth.User) {
		u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: email, Memberships: []auth.NewMembership{authtest.Member(orgID, role)}})
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := a.Auth.CreateToken(ctx, u.ActorIn("", "test"), "test")
		if err != nil {
			t.Fatal(err)
		}
		return s, u
	}
	f.managerToken, _ = token("manager@test.fr", f.deptID, access.RoleManager)
	var referent auth.User
	f.referentToken, referent = token("referent@test.fr", ml, access.RoleReferent)
	f.employerToken, _ = token("employeur@test.fr", emp, access.RoleEmployer)
	lat, lon := 50.29, 2.78
	birth := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"Martin", "Bernard"} {
		p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: f.deptID, FirstName: "Julie", LastName: name,
			BirthDate: &birth, Sex: "2", CommuneCode: "62041", PostalCode: "62000", Lat: &lat, Lon: &lon,
			CAFMatricule: "123456" + strconv.Itoa(i), CreatedAt: db.Now()}
		nir := "290056204100" + strconv.Itoa(i+1)
		if err := people.Insert(ctx, d, p, box.Seal(nir), box.Match(nir)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.followed = p.ID
			m := people.GroupMember{ID: db.NewID(), UserID: referent.ID, OrgID: ml, Role: "referent", Start: time.Now().AddDate(0, -1, 0)}
			if err := people.InsertGroupMember(ctx, d, p.ID, m, db.Now()); err != nil {
				t.Fatal(err)
			}
		} else {
			f.other = p.ID
		}
	}
	f.srv = apptest.Serve(t, a)
	return f
}

// contract compiles the response schemas of the OpenAPI document.
type contract struct {
	compiler *jsonschema.Compiler
	doc      map[string]any
}

func newContract(t *testing.T) *contract {
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
	return &contract{compiler: c, doc: doc.(map[string]any)}
}

// check validates body against the schema documented for path, GET and status.
func (c *contract) check(t *testing.T, path string, status int, body []byte) {
	t.Helper()
	c.checkMethod(t, "get", path, status, body)
}

// checkMethod validates body against the schema documented for path, method and status.
func (c *contract) checkMethod(t *testing.T, method, path string, status int, body []byte) {
	t.Helper()
	ptr := "/paths/" + strings.ReplaceAll(strings.ReplaceAll(path, "~", "~0"), "/", "~1") + "/" + method + "/responses/" + strconv.Itoa(status)
	resp := c.lookup(ptr)
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
		t.Fatalf("GET %s: response is not JSON: %v", path, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("GET %s (%d): response does not follow the OpenAPI document: %v\n%s", path, status, err, body)
	}
}

func (c *contract) lookup(ptr string) map[string]any {
	var cur any = c.doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	m, _ := cur.(map[string]any)
	return m
}

func TestAPIAnswersFollowTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cases := []struct {
			name, token, url, template string
			status                     int
			contains, absent           string
		}{
			{"no token", "", "/api/v1/people", "/api/v1/people", 401, `"code":"unauthorized"`, ""},
			{"wrong token", "trp_nope", "/api/v1/people", "/api/v1/people", 401, `"code":"unauthorized"`, ""},
			{"manager lists the territory", f.managerToken, "/api/v1/people", "/api/v1/people", 200, `"total":2`, ""},
			{"referent lists the group only", f.referentToken, "/api/v1/people", "/api/v1/people", 200, `"total":1`, "Bernard"},
			{"employer without positioned candidates sees nobody", f.employerToken, "/api/v1/people", "/api/v1/people", 200, `{"items":[],"total":0}`, ""},
			{"search by matricule", f.managerToken, "/api/v1/people?matricule=1234561", "/api/v1/people", 200, `"total":1`, "Martin"},
			{"search by NIR with key", f.managerToken, "/api/v1/people?nir=2900562041001" + nirKey(t, "2900562041001"), "/api/v1/people", 200, `"last_name":"Martin"`, "Bernard"},
			{"search by name prefix", f.managerToken, "/api/v1/people?q=bern", "/api/v1/people", 200, `"total":1`, "Martin"},
			{"limit out of range", f.managerToken, "/api/v1/people?limit=0", "/api/v1/people", 422, `"code":"invalid"`, ""},
			{"limit not a number", f.managerToken, "/api/v1/people?limit=abc", "/api/v1/people", 422, `"code":"invalid"`, ""},
			{"paging", f.managerToken, "/api/v1/people?limit=1&offset=1", "/api/v1/people", 200, `"total":2`, "Bernard"},
			{"referent reads the followed person", f.referentToken, "/api/v1/people/" + f.followed, "/api/v1/people/{id}", 200, `"nir_masked":"2 90 05`, "2900562041001"},
			{"referent may not read another person", f.referentToken, "/api/v1/people/" + f.other, "/api/v1/people/{id}", 404, `"code":"not_found"`, "Bernard"},
			{"unknown person", f.managerToken, "/api/v1/people/not-an-id", "/api/v1/people/{id}", 404, `"code":"not_found"`, ""},
			{"me", f.referentToken, "/api/v1/me", "/api/v1/me", 200, `"roles":["referent"]`, ""},
			{"organisations of the territory", f.managerToken, "/api/v1/organisations?kind=mission_locale", "/api/v1/organisations", 200, `"total":1`, ""},
			{"one organisation", f.managerToken, "/api/v1/organisations/" + f.deptID, "/api/v1/organisations/{id}", 200, `"kind":"departement"`, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", f.srv.URL+tc.url, nil)
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
				}
				if !bytes.Contains(body, []byte(tc.contains)) || (tc.absent != "" && bytes.Contains(body, []byte(tc.absent))) {
					t.Errorf("body %s: want %q and not %q", body, tc.contains, tc.absent)
				}
				c.check(t, tc.template, tc.status, body)
			})
		}
	})
}

func nirKey(t *testing.T, nir13 string) string {
	n, err := strconv.ParseInt(nir13, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(int(97-n%97)/10) + strconv.Itoa(int(97-n%97)%10)
}

func TestOpenAPIDocumentIsServedWithoutToken(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	res, err := http.Get(f.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != 200 || doc["openapi"] != "3.1.0" {
		t.Fatalf("status %d, openapi %v, err %v", res.StatusCode, doc["openapi"], err)
	}
}

func TestImportingACAFFlowThroughTheAPI(t *testing.T) {
	caftest.Dir(t) // skips without the reference flows, outside CI
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := apptest.New(t, d)
		if err := refdata.Seed(ctx, d); err != nil {
			t.Fatal(err)
		}
		sys := access.System("test")
		marne, err := a.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Département de la Haute-Marne", Kind: orgs.KindDepartement, Territory: "52"})
		if err != nil {
			t.Fatal(err)
		}
		token := func(email string, role access.Role) string {
			u, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Email: email, Memberships: []auth.NewMembership{authtest.Member(marne.ID, role)}})
			if err != nil {
				t.Fatal(err)
			}
			s, _, err := a.Auth.CreateToken(ctx, u.ActorIn("", "test"), "t")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		manager, referent := token("manager@52.fr", access.RoleManager), token("referent@52.fr", access.RoleReferent)
		srv := apptest.Serve(t, a)
		cases := []struct {
			name, token, query, file string
			status                   int
			contains                 string
		}{
			{"without a token", "", "", "RSABEM.xml", 401, `"code":"unauthorized"`},
			{"a référent may not import", referent, "", "RSABEM.xml", 403, `"code":"forbidden"`},
			{"a dry run", manager, "?dry_run=true", "RSABEM.xml", 200, `"created":3,"updated":0,"unchanged":0,"rejected":0,"errors":[]`},
			{"the monthly flow", manager, "", "RSABEM.xml", 200, `"created":3`},
			{"the same flow again", manager, "", "RSABEM.xml", 200, `"unchanged":3`},
			{"a flow breaking the schema", manager, "", "RSABEI_invalid.xml", 422, `"line":134`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/imports/caf"+tc.query, bytes.NewReader(caftest.Read(t, tc.file)))
				req.Header.Set("Content-Type", "application/xml")
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
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
				c.checkMethod(t, "post", "/api/v1/imports/caf", tc.status, body)
			})
		}
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/people?matricule=208956400000000", nil)
		req.Header.Set("Authorization", "Bearer "+manager)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := `"rsa":{"state_code":"4","droits_devoirs":true,"suspension_code":"06","suspension_date":"2021-11-01","closure_code":"","closure_date":null,"request_date":"2018-08-06","role":"CJT"}`
		if res.StatusCode != 200 || !bytes.Contains(body, []byte(want)) || !bytes.Contains(body, []byte(`"publics":["brsa","50_plus"]`)) {
			t.Fatalf("the imported person's rights and publics: %d %s", res.StatusCode, body)
		}
		c.check(t, "/api/v1/people", 200, body)
	})
}
