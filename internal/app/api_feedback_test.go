package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/web"
)

// call sends one API request and returns its status and body.
func call(t *testing.T, method, target, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

func TestFeedbackAPIFollowsTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		const linksPath = "/api/v1/people/{id}/feedback-links"
		// Five answers (scores 6, 7, 8, 9, 6) through five links issued by the API: enough for figures to show.
		for score := range 5 {
			status, body := call(t, "POST", f.srv.URL+"/api/v1/people/"+f.followed+"/feedback-links", f.referentToken)
			c.checkMethod(t, "post", linksPath, status, body)
			var link struct{ URL string }
			if err := json.Unmarshal(body, &link); status != 201 || err != nil || !strings.HasPrefix(link.URL, "http://localhost/avis/") {
				t.Fatalf("issuing a link: %d %s", status, body)
			}
			token := link.URL[strings.LastIndex(link.URL, "/")+1:]
			answers := url.Values{"useful": {"4"}, "listened": {"4"}, "clear": {"3"}, "overall": {strconv.Itoa(6 + score%4)}}
			if err := f.app.Feedback.Answer(ctx, token, answers.Get); err != nil {
				t.Fatal(err)
			}
		}
		status, body := call(t, "POST", f.srv.URL+"/api/v1/people/"+f.followed+"/feedback-links", f.referentToken)
		if status != 201 || !bytes.Contains(body, []byte(`"replaced":false`)) {
			t.Fatalf("a sixth link, unanswered: %d %s", status, body)
		}

		now := time.Now().In(web.Paris)
		month, quarter := now.Format("2006-01"), fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())+2)/3)
		summary := "/api/v1/feedback/summary"
		cases := []struct {
			name, method, token, url, template string
			status                             int
			contains, absent                   string
		}{
			{"the referent issues a link for the followed person", "post", f.referentToken, "/api/v1/people/" + f.followed + "/feedback-links", linksPath, 201, `"replaced":true`, ""},
			{"the referent may not issue one for someone else", "post", f.referentToken, "/api/v1/people/" + f.other + "/feedback-links", linksPath, 404, `"code":"not_found"`, ""},
			{"an employer may not issue one", "post", f.employerToken, "/api/v1/people/" + f.followed + "/feedback-links", linksPath, 404, `"code":"not_found"`, ""},
			{"no token", "post", "", "/api/v1/people/" + f.followed + "/feedback-links", linksPath, 401, `"code":"unauthorized"`, ""},
			{"the manager reads the month", "get", f.managerToken, summary + "?period=" + month, summary, 200,
				`"links_issued":6,"links_answered":5,"response_rate":0.8333,"suppressed":null,"answers":5,"useful_positive":1,"listened_positive":1,"clear_positive":1,"overall_mean":7.2`, ""},
			{"the manager reads the quarter", "get", f.managerToken, summary + "?period=" + quarter, summary, 200, `"granularity":"quarter"`, ""},
			{"the manager reads the current month by default", "get", f.managerToken, summary, summary, 200, `"period":"` + month + `"`, ""},
			{"a year without answers", "get", f.managerToken, summary + "?period=2024", summary, 200, `"territory":null,"organisations":[]`, ""},
			{"the manager narrows to the département, which has no links", "get", f.managerToken, summary + "?period=" + month + "&organisation_id=" + f.deptID, summary, 200, `"organisations":[]`, ""},
			{"a period that is not one", "get", f.managerToken, summary + "?period=2026-13", summary, 422, `"period"`, ""},
			{"a referent reads no results", "get", f.referentToken, summary, summary, 404, `"code":"not_found"`, ""},
			{"no token for the results", "get", "", summary, summary, 401, `"code":"unauthorized"`, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, body := call(t, strings.ToUpper(tc.method), f.srv.URL+tc.url, tc.token)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if !bytes.Contains(body, []byte(tc.contains)) || (tc.absent != "" && bytes.Contains(body, []byte(tc.absent))) {
					t.Errorf("body %s: want %q and not %q", body, tc.contains, tc.absent)
				}
				c.checkMethod(t, tc.method, tc.template, tc.status, body)
			})
		}
	})
}
