package web

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

// latencyBuckets are the histogram bounds in seconds.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts requests and their latencies, in the Prometheus text format.
type Metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64
	hist     map[string]*histogram
	pools    map[string]*sql.DB
}

type histogram struct {
	counts []uint64
	sum    float64
	n      uint64
}

// NewMetrics returns empty metrics reporting on the given database pools.
func NewMetrics(pools map[string]*sql.DB) *Metrics {
	return &Metrics{requests: map[[2]string]uint64{}, hist: map[string]*histogram{}, pools: pools}
}

// ObserveRequest records one request.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{route, fmt.Sprint(status)}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.hist[route] = h
	}
	s := d.Seconds()
	for i, b := range latencyBuckets {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.n++
}

// ServeHTTP writes the metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.write(w)
}

func (m *Metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP tremplin_http_requests_total HTTP requests by route and status.")
	fmt.Fprintln(w, "# TYPE tremplin_http_requests_total counter")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(w, "tremplin_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP tremplin_http_request_duration_seconds HTTP request latencies by route.")
	fmt.Fprintln(w, "# TYPE tremplin_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.hist[r]
		for i, b := range latencyBuckets {
			fmt.Fprintf(w, "tremplin_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", r, b, h.counts[i])
		}
		fmt.Fprintf(w, "tremplin_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, h.n)
		fmt.Fprintf(w, "tremplin_http_request_duration_seconds_sum{route=%q} %g\n", r, h.sum)
		fmt.Fprintf(w, "tremplin_http_request_duration_seconds_count{route=%q} %d\n", r, h.n)
	}
	m.writePools(w)
}

func (m *Metrics) writePools(w io.Writer) {
	names := make([]string, 0, len(m.pools))
	for n := range m.pools {
		names = append(names, n)
	}
	sort.Strings(names)
	gauges := []struct {
		name, help string
		get        func(sql.DBStats) float64
	}{
		{"tremplin_db_open_connections", "Open database connections by pool.", func(s sql.DBStats) float64 { return float64(s.OpenConnections) }},
		{"tremplin_db_in_use_connections", "Database connections in use by pool.", func(s sql.DBStats) float64 { return float64(s.InUse) }},
		{"tremplin_db_idle_connections", "Idle database connections by pool.", func(s sql.DBStats) float64 { return float64(s.Idle) }},
		{"tremplin_db_wait_count_total", "Waits for a database connection by pool.", func(s sql.DBStats) float64 { return float64(s.WaitCount) }},
		{"tremplin_db_wait_seconds_total", "Time spent waiting for a database connection by pool.", func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }},
	}
	for _, g := range gauges {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", g.name, g.help, g.name)
		for _, n := range names {
			fmt.Fprintf(w, "%s{pool=%q} %g\n", g.name, n, g.get(m.pools[n].Stats()))
		}
	}
}
