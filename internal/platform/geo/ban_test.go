package geo

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"tremplin/internal/platform/errs"
)

// fakeAnswer is what the fake API knows of an address.
type fakeAnswer struct {
	lat, lon float64
	label    string
	score    float64
	typ      string
	citycode string
}

// fakeBAN imitates the Géoplateforme geocoding API on a local test server.
type fakeBAN struct {
	t       *testing.T
	answers map[string]fakeAnswer // by address text
	status  int                   // when not 0, every request fails with it
	mu      sync.Mutex
	queries []map[string]string // parameters of the single searches
	batches [][]string          // addresses of each CSV request
}

func newFakeBAN(t *testing.T) (*fakeBAN, *httptest.Server) {
	f := &fakeBAN{t: t, answers: map[string]fakeAnswer{
		"1 rue Jean Jaurès":    {50.29012, 2.77501, "1 Rue Jean Jaurès 62000 Arras", 0.95, "housenumber", "62041"},
		"rue Gambetta":         {50.28700, 2.77900, "Rue Gambetta 62000 Arras", 0.81, "street", "62041"},
		"Arras":                {50.29301, 2.78186, "Arras", 0.90, "municipality", "62041"},
		"quelque part au loin": {48.0, 2.0, "Lieu-dit Loin 45000 Orléans", 0.31, "locality", "45234"},
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /geocodage/search", f.search)
	mux.HandleFunc("POST /geocodage/search/csv", f.searchCSV)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeBAN) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.queries = append(f.queries, map[string]string{"q": q.Get("q"), "postcode": q.Get("postcode"), "citycode": q.Get("citycode"), "limit": q.Get("limit")})
	f.mu.Unlock()
	if f.status != 0 {
		http.Error(w, "fake failure", f.status)
		return
	}
	features := []any{}
	if a, ok := f.answers[q.Get("q")]; ok {
		features = append(features, map[string]any{
			"type":     "Feature",
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{a.lon, a.lat}},
			"properties": map[string]any{
				"label": a.label, "score": a.score, "type": a.typ, "citycode": a.citycode, "postcode": "62000",
			},
		})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"type": "FeatureCollection", "features": features})
}

func (f *fakeBAN) searchCSV(w http.ResponseWriter, r *http.Request) {
	if f.status != 0 {
		http.Error(w, "fake failure", f.status)
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		f.t.Errorf("multipart form: %v", err)
		return
	}
	for field, want := range map[string]string{"columns": colAddress, "postcode": colPostalCode, "citycode": colCityCode} {
		if got := r.FormValue(field); got != want {
			f.t.Errorf("form field %s = %q, want %q", field, got, want)
		}
	}
	file, _, err := r.FormFile("data")
	if err != nil {
		f.t.Errorf("data file: %v", err)
		return
	}
	rows, err := csv.NewReader(file).ReadAll()
	if err != nil || len(rows) == 0 {
		f.t.Errorf("data CSV: %v", err)
		return
	}
	out := csv.NewWriter(w)
	out.Write(append(rows[0], "latitude", "longitude", "result_label", "result_score", "result_score_next", "result_type", "result_id", "result_citycode", "result_status"))
	var addresses []string
	for _, row := range rows[1:] {
		addresses = append(addresses, row[1])
		a, ok := f.answers[row[1]]
		if !ok {
			out.Write(append(row, "", "", "", "", "", "", "", "", "not-found"))
			continue
		}
		out.Write(append(row, ftoa(a.lat), ftoa(a.lon), a.label, ftoa(a.score), "", a.typ, "x", a.citycode, "ok"))
	}
	out.Flush()
	f.mu.Lock()
	f.batches = append(f.batches, addresses)
	f.mu.Unlock()
}

func ftoa(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (f *fakeBAN) requests() (single, batch int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queries), len(f.batches)
}

// newTestBAN returns a client of the fake API whose rate limit never makes tests wait.
func newTestBAN(url string, o BANOptions) *BAN {
	o.BaseURL = url
	o.RatePerSecond = 1e9
	return NewBAN(o)
}

func TestBANGeocode(t *testing.T) {
	tests := []struct {
		name, address, postal, commune string
		want                           Result
		wantErr                        errs.Code
	}{
		{name: "house number", address: "1 rue Jean Jaurès", postal: "62000", commune: "62041",
			want: Result{Point: Point{50.29012, 2.77501}, Label: "1 Rue Jean Jaurès 62000 Arras", Score: 0.95, Precision: PrecisionHouseNumber, CommuneCode: "62041"}},
		{name: "street", address: "rue Gambetta", postal: "62000",
			want: Result{Point: Point{50.287, 2.779}, Label: "Rue Gambetta 62000 Arras", Score: 0.81, Precision: PrecisionStreet, CommuneCode: "62041"}},
		{name: "municipality is approximate", address: "Arras",
			want: Result{Point: Point{50.29301, 2.78186}, Label: "Arras", Score: 0.9, Precision: PrecisionMunicipality, CommuneCode: "62041", Approximate: true}},
		{name: "score under the threshold", address: "quelque part au loin", wantErr: errs.NotFound},
		{name: "unknown address", address: "999 chemin des songes", wantErr: errs.NotFound},
		{name: "too short for the API", address: "ab", wantErr: errs.NotFound},
	}
	fake, srv := newFakeBAN(t)
	ban := newTestBAN(srv.URL, BANOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ban.Geocode(context.Background(), tt.address, tt.postal, tt.commune)
			if tt.wantErr != "" {
				if !errs.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	first := fake.queries[0]
	if first["q"] != "1 rue Jean Jaurès" || first["postcode"] != "62000" || first["citycode"] != "62041" || first["limit"] != "1" {
		t.Errorf("first request parameters = %v", first)
	}
	if single, _ := fake.requests(); single != 5 {
		t.Errorf("%d requests sent, want 5 (none for a too-short address)", single)
	}
}

func TestBANCachesAnswersFoundOrNot(t *testing.T) {
	fake, srv := newFakeBAN(t)
	ban := newTestBAN(srv.URL, BANOptions{})
	ctx := context.Background()
	for range 3 {
		if _, err := ban.Geocode(ctx, "1 rue Jean Jaurès", "62000", "62041"); err != nil {
			t.Fatal(err)
		}
		if _, err := ban.Geocode(ctx, "1  RUE Jean Jaurès ", "62000", "62041"); err != nil {
			t.Fatal(err)
		}
		if _, err := ban.Geocode(ctx, "999 chemin des songes", "", ""); !errs.Is(err, errs.NotFound) {
			t.Fatal(err)
		}
	}
	if single, _ := fake.requests(); single != 2 {
		t.Errorf("%d requests for 9 lookups of 2 addresses, want 2", single)
	}
}

func TestBANCacheIsBounded(t *testing.T) {
	fake, srv := newFakeBAN(t)
	ban := newTestBAN(srv.URL, BANOptions{CacheSize: 1})
	ctx := context.Background()
	ban.Geocode(ctx, "1 rue Jean Jaurès", "", "")
	ban.Geocode(ctx, "rue Gambetta", "", "")
	ban.Geocode(ctx, "1 rue Jean Jaurès", "", "") // evicted by Gambetta: asked again
	if single, _ := fake.requests(); single != 3 || ban.cache.len() != 1 {
		t.Errorf("%d requests, %d cached; want 3 and 1", single, ban.cache.len())
	}
}

func TestBANMinScoreIsConfigurable(t *testing.T) {
	_, srv := newFakeBAN(t)
	ban := newTestBAN(srv.URL, BANOptions{MinScore: 0.3})
	got, err := ban.Geocode(context.Background(), "quelque part au loin", "", "")
	if err != nil || got.Precision != PrecisionLocality || got.Score != 0.31 {
		t.Errorf("with a 0.3 threshold: %+v, %v", got, err)
	}
	strict := newTestBAN(srv.URL, BANOptions{MinScore: 0.96})
	if _, err := strict.Geocode(context.Background(), "1 rue Jean Jaurès", "", ""); !errs.Is(err, errs.NotFound) {
		t.Errorf("with a 0.96 threshold: err = %v, want not found", err)
	}
}

func TestBANErrors(t *testing.T) {
	tests := []struct {
		status   int
		wantCode errs.Code
	}{
		{http.StatusInternalServerError, errs.Internal},
		{http.StatusServiceUnavailable, errs.Internal},
		{http.StatusTooManyRequests, errs.TooManyRequests},
		{http.StatusBadRequest, errs.NotFound}, // the API refuses the text: nothing to find
	}
	for _, tt := range tests {
		fake, srv := newFakeBAN(t)
		fake.status = tt.status
		ban := newTestBAN(srv.URL, BANOptions{})
		_, err := ban.Geocode(context.Background(), "1 rue Jean Jaurès", "", "")
		if errs.CodeOf(err) != tt.wantCode {
			t.Errorf("HTTP %d: err = %v (code %s), want %s", tt.status, err, errs.CodeOf(err), tt.wantCode)
		}
		if tt.wantCode != errs.NotFound && ban.cache.len() != 0 {
			t.Errorf("HTTP %d: a failure was cached", tt.status)
		}
	}
	ban := newTestBAN("http://127.0.0.1:1", BANOptions{})
	if _, err := ban.Geocode(context.Background(), "1 rue Jean Jaurès", "", ""); err == nil || errs.Is(err, errs.NotFound) {
		t.Errorf("unreachable server: err = %v, want a transport error", err)
	}
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }))
	defer garbage.Close()
	if _, err := newTestBAN(garbage.URL, BANOptions{}).Geocode(context.Background(), "1 rue Jean Jaurès", "", ""); err == nil {
		t.Error("garbage answer: want an error")
	}
}

func TestBANGeocodeBatch(t *testing.T) {
	fake, srv := newFakeBAN(t)
	ban := newTestBAN(srv.URL, BANOptions{BatchSize: 2})
	ctx := context.Background()
	queries := []Query{
		{Address: "1 rue Jean Jaurès", PostalCode: "62000", CommuneCode: "62041"},
		{Address: "999 chemin des songes"},
		{Address: "quelque part au loin"}, // score 0.31: rejected
		{Address: "x"},                    // too short: not sent
		{Address: "Arras"},
	}
	got, err := ban.GeocodeBatch(ctx, queries)
	if err != nil {
		t.Fatal(err)
	}
	wantFound := []bool{true, false, false, false, true}
	for i, w := range wantFound {
		if got[i].Found() != w {
			t.Errorf("query %d %q: found = %v, want %v (%+v)", i, queries[i].Address, got[i].Found(), w, got[i])
		}
	}
	if got[0].Point != (Point{50.29012, 2.77501}) || got[0].CommuneCode != "62041" || got[0].Precision != PrecisionHouseNumber {
		t.Errorf("first result = %+v", got[0])
	}
	if !got[4].Approximate {
		t.Errorf("municipality result not approximate: %+v", got[4])
	}
	if _, batches := fake.requests(); batches != 2 || len(fake.batches[0]) != 2 || len(fake.batches[1]) != 2 {
		t.Errorf("batches sent = %v, want 2 of 2 addresses", fake.batches)
	}
	// Everything is cached now, found or not: a second batch sends nothing
	// and single lookups are answered from the batch's results.
	again, err := ban.GeocodeBatch(ctx, queries)
	if err != nil || again[0] != got[0] {
		t.Errorf("second batch: %+v, %v", again, err)
	}
	if single, err := ban.Geocode(ctx, "Arras", "", ""); err != nil || single != got[4] {
		t.Errorf("single after batch: %+v, %v", single, err)
	}
	if single, batches := fake.requests(); batches != 2 || single != 0 {
		t.Errorf("after cached lookups: %d single and %d batch requests, want 0 and 2", single, batches)
	}
}

func TestBANGeocodeBatchFailure(t *testing.T) {
	fake, srv := newFakeBAN(t)
	fake.status = http.StatusBadGateway
	ban := newTestBAN(srv.URL, BANOptions{})
	if _, err := ban.GeocodeBatch(context.Background(), []Query{{Address: "1 rue Jean Jaurès"}}); err == nil {
		t.Error("want an error when the API fails")
	}
	if ban.cache.len() != 0 {
		t.Error("a failure was cached")
	}
}

func TestBANWaitsForTheRateLimiter(t *testing.T) {
	_, srv := newFakeBAN(t)
	ban := NewBAN(BANOptions{BaseURL: srv.URL, RatePerSecond: 0.001})
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := ban.Geocode(ctx, "1 rue Jean Jaurès", "", ""); err != nil {
		t.Fatal(err) // the first request uses the bucket's token
	}
	cancel()
	// The second would wait 1,000 s: it gives up when the context ends.
	if _, err := ban.Geocode(ctx, "rue Gambetta", "", ""); err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestParseBatchCSV(t *testing.T) {
	answer := "\ufeffid,adresse,code_postal,code_insee,latitude,longitude,result_label,result_score,result_type,result_citycode\n" +
		"0,1 rue Jean Jaurès,62000,62041,50.29012,2.77501,1 Rue Jean Jaurès 62000 Arras,0.95,housenumber,62041\n" +
		"1,nowhere,,,,,,,,\n" +
		"x,bad id,,,50,2,,0.9,street,\n"
	rows, err := parseBatchCSV(strings.NewReader(answer))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Label != "1 Rue Jean Jaurès 62000 Arras" || rows[0].Score != 0.95 {
		t.Errorf("rows = %+v", rows)
	}
	if _, err := parseBatchCSV(strings.NewReader("id,adresse\n0,x\n")); err == nil {
		t.Error("answer without result columns: want an error")
	}
}

func FuzzParseBatchCSV(f *testing.F) {
	f.Add([]byte("id,adresse,latitude,longitude,result_label,result_score,result_type,result_citycode\n0,a,50.1,2.3,A,0.9,street,62041\n"))
	f.Add([]byte("id,latitude,longitude,result_score\n1,,,\n"))
	ban := NewBAN(BANOptions{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := parseBatchCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		for id, r := range rows {
			if id < 0 {
				t.Fatalf("negative id %d", id)
			}
			// Whatever the answer, what the client accepts is a real place.
			if a := ban.accept(r); a.Found() && (!validPoint(a.Point) || !(a.Score >= DefaultMinScore)) {
				t.Fatalf("accepted %+v", a)
			}
		}
	})
}
