package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tremplin/internal/platform/web"
)

// TestMapAssetsAndTileHost checks through the whole handler that Leaflet is
// served from /static/ and that the Content-Security-Policy lets images come
// from the tile server only when one is configured.
func TestMapAssetsAndTileHost(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantImg string
	}{
		{"no tile server", nil, "'self' data:"},
		{"OpenStreetMap", map[string]string{
			"TREMPLIN_MAP_TILES":       "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
			"TREMPLIN_MAP_ATTRIBUTION": "© les contributeurs d'OpenStreetMap",
		}, "'self' data: https://tile.openstreetmap.org"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.env)
			resp, err := http.Get(f.URL + "/static/vendor/leaflet/leaflet.js")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
				t.Fatalf("leaflet.js: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(string(body), "leaflet") {
				t.Fatal("leaflet.js is not Leaflet")
			}
			var img string
			for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(d), "img-src "); ok {
					img = v
				}
			}
			if img != tc.wantImg {
				t.Fatalf("img-src %q, want %q", img, tc.wantImg)
			}
		})
	}
}

// mapPage shows the "map" partial twice, with its points inline and from an
// address, beside the list that is its accessible equivalent.
const mapPage = `{{define "content"}}<h1>Plan d'affectation</h1>
{{template "map" dict "ID" "carte-plan" "Label" "Plan d'affectation" "Points" .Data "Tiles" $.Map}}
{{template "map" dict "ID" "carte-offres" "Label" "Carte des offres" "PointsURL" "/carte/offres.json" "Tiles" $.Map}}
<ul id="liste">{{range .Data.Points}}<li><a href="{{.Href}}">{{.Label}}</a></li>{{end}}</ul>
{{end}}`

// mapServer serves a page with maps, the static files and the security
// headers of Tremplin, without a tile server.
func mapServer(t *testing.T) string {
	t.Helper()
	plan := web.MapData{
		Points: []web.MapPoint{
			{Lat: 50.2910, Lon: 2.7775, Label: "Cariste – Arras", Kind: "offer", Href: "/emploi/offres/1"},
			{Lat: 50.4250, Lon: 2.8319, Label: "Candidature 12", Kind: "candidate", Href: "/emploi/candidatures/12"},
			{Lat: 50.3590, Lon: 3.0550, Label: "Chantier de Douai", Kind: "site"},
		},
		Lines: []web.MapLine{{From: [2]float64{50.4250, 2.8319}, To: [2]float64{50.3590, 3.0550}}},
	}
	offers := web.MapData{Points: []web.MapPoint{plan.Points[0], {Lat: 50.7264, Lon: 1.6147, Label: "Vendeur – Boulogne", Kind: "offer", Href: "/emploi/offres/2"}}}
	r := web.NewRenderer()
	pages := fstest.MapFS{"map_e2e_page.html": {Data: []byte(mapPage)}}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(web.Static())))
	mux.HandleFunc("GET /carte", func(w http.ResponseWriter, req *http.Request) {
		r.Render(w, req, http.StatusOK, pages, "map_e2e_page.html", web.Page{Title: "Carte", Data: plan})
	})
	mux.HandleFunc("GET /carte/offres.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(offers)
	})
	srv := httptest.NewServer(web.SecurityHeaders(false, mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestMapInBrowser draws the points without tiles, opens a popup from the
// keyboard, and leaves the list alone without JavaScript.
func TestMapInBrowser(t *testing.T) {
	browser := startBrowser(t)
	base := mapServer(t)

	t.Run("points drawn without tiles", func(t *testing.T) {
		b := newTab(t, browser, base, false)
		problems := watchConsole(t, b.ctx)
		b.open("/carte")
		b.do("wait for the maps",
			chromedp.WaitVisible(chromedp.CSS("#carte-plan[data-map-points]")),
			chromedp.WaitVisible(chromedp.CSS("#carte-offres[data-map-points]")))
		for sel, want := range map[string]int{
			"#carte-plan .leaflet-interactive":       3, // the three places; the assignment line is not a target
			"#carte-plan .leaflet-overlay-pane path": 4,
			"#carte-offres .leaflet-interactive":     2,
			".leaflet-tile":                          0,
			"#carte-plan .map-legend li":             4,
		} {
			if got := b.count(sel); got != want {
				t.Errorf("%s: %d elements, want %d", sel, got, want)
			}
		}
		if got := b.text("#carte-plan .map-note"); got != "Fond de carte non configuré" {
			t.Errorf("note %q", got)
		}
		if got := b.text("#carte-plan .leaflet-control-scale"); !strings.Contains(got, "km") {
			t.Errorf("scale %q", got)
		}

		b.do("open a popup from the keyboard",
			chromedp.Focus(chromedp.CSS("#carte-plan path.map-point-offer")),
			chromedp.KeyEvent(kb.Enter))
		if got := b.text("#carte-plan .leaflet-popup a.map-popup-title"); got != "Cariste – Arras" {
			t.Fatalf("popup link %q", got)
		}
		if got := activeElement(t, b); got != "A Cariste – Arras" {
			t.Errorf("focus on %q, want the link of the popup", got)
		}
		b.do("close it with Escape", chromedp.KeyEvent(kb.Escape),
			chromedp.WaitNotPresent(chromedp.CSS("#carte-plan .leaflet-popup")))
		if got := activeElement(t, b); got != "path Offre : Cariste – Arras" {
			t.Errorf("focus on %q, want back on the marker", got)
		}
		if p := problems(); len(p) > 0 {
			t.Errorf("console errors (a CSP violation?): %q", p)
		}
	})

	t.Run("without JavaScript the list stands alone", func(t *testing.T) {
		b := newTab(t, browser, base, true)
		b.open("/carte")
		if got := b.count("#liste li"); got != 3 {
			t.Errorf("%d places listed, want 3", got)
		}
		for _, sel := range []string{"#carte-plan", "#carte-offres"} {
			visible, err := chromedp.Run(b.ctx, chromedp.EvaluateAsDevTools[bool](
				`document.querySelector("`+sel+`").getClientRects().length > 0`))
			if err != nil {
				t.Fatal(err)
			}
			if visible {
				t.Errorf("%s shows without JavaScript", sel)
			}
		}
	})
}

// activeElement describes the focused element: its tag, then its label or text.
func activeElement(t *testing.T, b *tab) string {
	t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.EvaluateAsDevTools[string](
		`(e => e.tagName + " " + (e.getAttribute("aria-label") || e.textContent.trim()))(document.activeElement)`))
	if err != nil {
		t.Fatalf("active element: %v", err)
	}
	return got
}

// watchConsole collects the errors and exceptions the page reports; call the
// returned func to read them.
func watchConsole(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	ctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				mu.Lock()
				seen = append(seen, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}
