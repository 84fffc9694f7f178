package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMapAssetsAreEmbeddedAndServed(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("/static/", http.FileServerFS(Static())))
	defer srv.Close()
	cases := []struct {
		path, contentType, contains string
	}{
		{"/static/vendor/leaflet/leaflet.js", "text/javascript; charset=utf-8", `version="1.9.4"`},
		{"/static/vendor/leaflet/leaflet.css", "text/css; charset=utf-8", ".leaflet-container"},
		{"/static/vendor/leaflet/images/layers.png", "image/png", "PNG"},
		{"/static/vendor/leaflet/images/marker-icon.png", "image/png", "PNG"},
		{"/static/vendor/leaflet/images/marker-icon-2x.png", "image/png", "PNG"},
		{"/static/vendor/leaflet/images/marker-shadow.png", "image/png", "PNG"},
		{"/static/vendor/leaflet/LICENSE", "", "BSD 2-Clause License"},
		{"/static/map.js", "text/javascript; charset=utf-8", "data-points-url"},
		{"/static/map.css", "text/css; charset=utf-8", ".map"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); tc.contentType != "" && ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body does not contain %q", tc.contains)
			}
		})
	}
}

// The vendored files say which version the script pinned: both must agree,
// so that running scripts/vendor-leaflet.sh reproduces what is committed.
func TestVendoredLeafletMatchesTheScript(t *testing.T) {
	script, err := os.ReadFile("../../../scripts/vendor-leaflet.sh")
	if err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`(?m)^VERSION=(\S+)$`).FindSubmatch(script)
	integrity := regexp.MustCompile(`(?m)^INTEGRITY=(sha512-\S+)$`).FindSubmatch(script)
	if version == nil || integrity == nil {
		t.Fatal("the script pins no VERSION or INTEGRITY")
	}
	stamp, err := fs.ReadFile(Static(), "vendor/leaflet/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	want := "leaflet " + string(version[1]) + " " + string(integrity[1])
	if first, _, _ := strings.Cut(string(stamp), "\n"); first != want {
		t.Fatalf("vendored %q, script pins %q: run sh scripts/vendor-leaflet.sh", first, want)
	}
}

func TestCSPAllowsTheTileHostOnlyWhenConfigured(t *testing.T) {
	cases := []struct {
		name, tiles, wantImg string
	}{
		{"no tiles", "", "'self' data:"},
		{"OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "'self' data: https://tile.openstreetmap.org"},
		{"subdomains", "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png", "'self' data: https://*.tile.openstreetmap.fr"},
		{"port and query", "https://tiles.example.org:8443?z={z}&x={x}&y={y}", "'self' data: https://tiles.example.org:8443"},
		{"plain http is never allowed", "http://tile.example.org/{z}/{x}/{y}.png", "'self' data:"},
		{"a source cannot add a directive", "https://a.example;script-src *;/{z}/{x}/{y}", "'self' data:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := SecurityHeaders(false, http.NotFoundHandler(), TileSource(tc.tiles))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			csp := rec.Header().Get("Content-Security-Policy")
			directives := map[string]string{}
			for _, d := range strings.Split(csp, ";") {
				name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
				directives[name] = value
			}
			if got := directives["img-src"]; got != tc.wantImg {
				t.Errorf("img-src %q, want %q (CSP %q)", got, tc.wantImg, csp)
			}
			if directives["script-src"] != "'self'" || directives["default-src"] != "'self'" {
				t.Errorf("map tiles changed other directives: %q", csp)
			}
		})
	}
}

// renderMapPage renders a page calling the "map" partial with the given template call.
func renderMapPage(t *testing.T, tiles MapTiles, call string, data any) string {
	t.Helper()
	page := fstest.MapFS{"maptest_page.html": {Data: []byte(`{{define "content"}}<h1>Carte</h1>` + call + `{{end}}`)}}
	r := NewRenderer().WithMapTiles(tiles)
	rec := httptest.NewRecorder()
	r.Render(rec, httptest.NewRequest("GET", "/carte", nil), http.StatusOK, page, "maptest_page.html", Page{Title: "Carte", Data: data})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestMapPartial(t *testing.T) {
	osm := MapTiles{URL: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", Attribution: "© les contributeurs d'OpenStreetMap"}
	points := MapData{
		Points: []MapPoint{{Lat: 50.29, Lon: 2.78, Label: `Cariste "H/F" – Arras`, Kind: "offer", Href: "/emploi/offres/1"}},
		Lines:  []MapLine{{From: [2]float64{50.29, 2.78}, To: [2]float64{50.42, 2.83}}},
	}
	cases := []struct {
		name  string
		tiles MapTiles
		call  string
		data  any
		want  []string
		avoid []string
	}{
		{
			name:  "points from an address, no tiles",
			call:  `{{template "map" dict "Label" "Carte des offres" "PointsURL" "/emploi/offres/carte.json?secteur=62" "Tiles" $.Map}}`,
			want:  []string{`<div class="map" hidden role="region" aria-label="Carte des offres" data-points-url="/emploi/offres/carte.json?secteur=62"></div>`},
			avoid: []string{"data-tiles", "data-attribution", "data-points="},
		},
		{
			name:  "points inline with tiles",
			tiles: osm,
			call:  `{{template "map" dict "Label" "Plan d'affectation" "Points" .Data "Tiles" $.Map}}`,
			data:  points,
			want: []string{
				`aria-label="Plan d&#39;affectation"`,
				`data-points="{&#34;points&#34;:[{&#34;lat&#34;:50.29,&#34;lon&#34;:2.78,&#34;label&#34;:&#34;Cariste \&#34;H/F\&#34; – Arras&#34;,&#34;kind&#34;:&#34;offer&#34;,&#34;href&#34;:&#34;/emploi/offres/1&#34;}],&#34;lines&#34;:[{&#34;from&#34;:[50.29,2.78],&#34;to&#34;:[50.42,2.83]}]}"`,
				`data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"`,
				`data-attribution="© les contributeurs d&#39;OpenStreetMap"`,
			},
		},
		{
			name: "points already as JSON",
			call: `{{template "map" dict "Label" "Sites" "Points" "[{\"lat\":50.3,\"lon\":2.8,\"label\":\"Site\",\"kind\":\"site\"}]" "Tiles" $.Map}}`,
			want: []string{`data-points="[{&#34;lat&#34;:50.3,&#34;lon&#34;:2.8,&#34;label&#34;:&#34;Site&#34;,&#34;kind&#34;:&#34;site&#34;}]"`},
		},
		{
			name: "assets served from /static/ and deferred",
			call: `{{template "map" dict "Label" "Carte" "Points" .Data}}`,
			data: points,
			want: []string{
				`<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">`,
				`<link rel="stylesheet" href="/static/map.css">`,
				`<script src="/static/vendor/leaflet/leaflet.js" defer></script>`,
				`<script src="/static/map.js" defer></script>`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			html := renderMapPage(t, tc.tiles, tc.call, tc.data)
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("page lacks %s\n%s", w, html)
				}
			}
			for _, a := range tc.avoid {
				if strings.Contains(html, a) {
					t.Errorf("page has %s", a)
				}
			}
			if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(html) {
				t.Error("the partial wrote an inline script")
			}
		})
	}
}

func TestTileSource(t *testing.T) {
	cases := map[string]string{
		"": "",
		"https://tile.openstreetmap.org/{z}/{x}/{y}.png":          "https://tile.openstreetmap.org",
		"https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png": "https://*.tile.openstreetmap.fr",
		"https://data.geopf.fr/wmts?TILEMATRIX={z}":               "https://data.geopf.fr",
		"http://tile.example.org/{z}/{x}/{y}.png":                 "",
		"https://tile{s}.example.org/{z}/{x}/{y}.png":             "",
		"https:///{z}/{x}/{y}":                                    "",
	}
	for tmpl, want := range cases {
		if got := TileSource(tmpl); got != want {
			t.Errorf("TileSource(%q) = %q, want %q", tmpl, got, want)
		}
	}
}
