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

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// callJSON sends a JSON request with a token and returns the status and body.
func callJSON(t *testing.T, base, token, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// TestPathwayAPIFollowsTheOpenAPIDocument walks the pathway through the API:
// diagnostic, signature, orientation, contract, group and point de situation,
// checking every answer against the OpenAPI document.
func TestPathwayAPIFollowsTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		sys := access.System("test")
		ori, err := f.app.Auth.CreateUser(ctx, sys, auth.NewUser{Email: "ori@test.fr", FirstName: "Chargé", LastName: "Orientation",
			Memberships: []auth.NewMembership{{OrgID: f.deptID, Role: access.RoleOrientation}}})
		if err != nil {
			t.Fatal(err)
		}
		oriToken, _, err := f.app.Auth.CreateToken(ctx, ori.ActorIn("", "test"), "t")
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC().Format(time.DateOnly)
		in6 := time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)
		p := "/api/v1/people/" + f.followed
		var ids struct{ diagnostic, contract, member string }
		steps := []struct {
			name, token, method, url, template string
			body                               any
			status                             int
			contains                           string
			keep                               *string
		}{
			{"a grid with an unknown field is refused", f.referentToken, "post", p + "/diagnostics", "/api/v1/people/{id}/diagnostics",
				map[string]any{"work_situation": "x", "projection": "oui", "colour": "blue"}, 422, "champ inconnu", nil},
			{"the référent records the diagnostic", f.referentToken, "post", p + "/diagnostics", "/api/v1/people/{id}/diagnostics",
				map[string]any{"work_situation": "Sans emploi", "worked_last_2_years": true, "projection": "oui", "obstacles": map[string]int{"sante": 1}}, 201, `"suggested_track":"professionnel"`, &ids.diagnostic},
			{"the versions are listed", f.managerToken, "get", p + "/diagnostics", "/api/v1/people/{id}/diagnostics", nil, 200, `"version":1`, nil},
			{"the référent signs", f.referentToken, "post", "/api/v1/diagnostics/{diag}/signatures", "/api/v1/diagnostics/{id}/signatures", nil, 200, `"qualification":"social"`, nil},
			{"the same signature twice is refused", f.referentToken, "post", "/api/v1/diagnostics/{diag}/signatures", "/api/v1/diagnostics/{id}/signatures", nil, 409, `"code":"conflict"`, nil},
			{"the queue lists the people to orient", f.managerToken, "get", "/api/v1/orientation-queue", "/api/v1/orientation-queue", nil, 200, `"items":[]`, nil},
			{"a référent may not orient", f.referentToken, "post", p + "/orientations", "/api/v1/people/{id}/orientations",
				map[string]any{"track": "professionnel", "organisation_id": f.deptID}, 403, `"code":"forbidden"`, nil},
			{"the chargé d'orientation orients", oriToken, "post", p + "/orientations", "/api/v1/people/{id}/orientations",
				map[string]any{"track": "professionnel", "organisation_id": f.deptID}, 201, `"track":"professionnel"`, nil},
			{"the orientation shows on the person", f.referentToken, "get", p, "/api/v1/people/{id}", nil, 200, `"orientation":{`, nil},
			{"a contract without plan is refused", f.referentToken, "post", p + "/contracts", "/api/v1/people/{id}/contracts",
				map[string]any{"kind": "engagement", "start": today, "end": in6}, 422, `"action_plan"`, nil},
			{"the référent draws up the contract", f.referentToken, "post", p + "/contracts", "/api/v1/people/{id}/contracts",
				map[string]any{"kind": "engagement", "start": today, "end": in6, "action_plan": "Immersion puis formation."}, 201, `"weekly_hours":15`, &ids.contract},
			{"the signature is recorded", f.referentToken, "post", "/api/v1/contracts/{contract}/signature", "/api/v1/contracts/{id}/signature",
				map[string]any{"signed_on": today, "person_signed": true}, 200, `"signed":true`, nil},
			{"the contracts are listed", f.managerToken, "get", p + "/contracts", "/api/v1/people/{id}/contracts", nil, 200, `"total":1`, nil},
			{"the group is listed", f.referentToken, "get", p + "/group", "/api/v1/people/{id}/group", nil, 200, `"role":"referent"`, nil},
			{"the chargé d'orientation adds a member", oriToken, "post", p + "/group", "/api/v1/people/{id}/group",
				map[string]any{"user_id": ori.ID, "organisation_id": f.deptID, "role": "member"}, 201, `"role":"member"`, &ids.member},
			{"the membership ends", oriToken, "post", "/api/v1/group-members/{member}/end", "/api/v1/group-members/{id}/end", map[string]any{}, 204, "", nil},
			{"the point de situation answers", f.managerToken, "get", "/api/v1/worklist", "/api/v1/worklist", nil, 200, `"counts"`, nil},
			{"an unknown alert kind is refused", f.managerToken, "get", "/api/v1/worklist?kind=bogus", "/api/v1/worklist", nil, 422, `"kind"`, nil},
			{"another person's diagnostic is not found", f.referentToken, "get", "/api/v1/people/" + f.other + "/diagnostics", "/api/v1/people/{id}/diagnostics", nil, 404, `"code":"not_found"`, nil},
		}
		for _, s := range steps {
			url := strings.NewReplacer("{diag}", ids.diagnostic, "{contract}", ids.contract, "{member}", ids.member).Replace(s.url)
			status, body := callJSON(t, f.srv.URL, s.token, strings.ToUpper(s.method), url, s.body)
			if status != s.status || !bytes.Contains(body, []byte(s.contains)) {
				t.Fatalf("%s: status %d, want %d with %s\n%s", s.name, status, s.status, s.contains, body)
			}
			if status != 204 {
				c.checkMethod(t, s.method, s.template, status, body)
			}
			if s.keep != nil {
				var out struct{ ID string }
				json.Unmarshal(body, &out)
				*s.keep = out.ID
			}
		}
	})
}
