package site

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProbes(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("tremplin_http_requests_total 1\n")) })
	up := Web{Ping: func(context.Context) error { return nil }, Metrics: metrics, MetricsToken: "s3cret", Version: "test"}
	down := up
	down.Ping = func(context.Context) error { return errors.New("connection refused") }
	cases := []struct {
		name     string
		site     Web
		path     string
		remote   string
		headers  map[string]string
		status   int
		contains string
	}{
		{"health with the database up", up, "/healthz", "203.0.113.5:4000", nil, 200, `"database":"ok"`},
		{"health with the database down", down, "/healthz", "203.0.113.5:4000", nil, 503, `"database":"unreachable"`},
		{"metrics from this machine", up, "/metrics", "127.0.0.1:4000", nil, 200, "tremplin_http_requests_total"},
		{"metrics from elsewhere", up, "/metrics", "203.0.113.5:4000", nil, 403, "refusé"},
		{"metrics relayed by a local proxy", up, "/metrics", "127.0.0.1:4000", map[string]string{"X-Forwarded-For": "203.0.113.5"}, 403, "refusé"},
		{"metrics with the token", up, "/metrics", "203.0.113.5:4000", map[string]string{"Authorization": "Bearer s3cret"}, 200, "tremplin_http_requests_total"},
		{"metrics with a wrong token", up, "/metrics", "203.0.113.5:4000", map[string]string{"Authorization": "Bearer guess"}, 403, "refusé"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			tc.site.RegisterProbes(mux)
			req := httptest.NewRequest("GET", tc.path, nil)
			req.RemoteAddr = tc.remote
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Fatalf("status %d body %q, want %d with %q", rec.Code, rec.Body.String(), tc.status, tc.contains)
			}
		})
	}
}
