package web

import (
	"encoding/json"
	"fmt"
	"strings"
)

// MapTiles are the tile server settings every page receives as Page.Map, for the "map" partial.
type MapTiles struct {
	// URL is the tile URL template ({z}, {x}, {y}); empty draws maps on a plain background.
	URL string
	// Attribution is the credit the tile server asks for, shown as plain text.
	Attribution string
}

// MapPoint is a place drawn on a map; Kind is "offer", "candidate" or "site" (another kind is drawn in grey).
type MapPoint struct {
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	Label string  `json:"label"`
	Kind  string  `json:"kind"`
	Href  string  `json:"href,omitempty"`
}

// MapLine joins two places, e.g. a candidate to a site in an assignment plan.
type MapLine struct {
	From [2]float64 `json:"from"`
	To   [2]float64 `json:"to"`
}

// MapData is what the "map" partial draws, inline or from a JSON endpoint (data-points-url).
type MapData struct {
	Points []MapPoint `json:"points"`
	Lines  []MapLine  `json:"lines,omitempty"`
}

// WithMapTiles sets the tile server every page's maps use; call it before serving.
func (r *Renderer) WithMapTiles(t MapTiles) *Renderer {
	r.tiles = t
	return r
}

// TileSource returns the Content-Security-Policy source of the host a tile
// URL template loads from (https://tile.openstreetmap.org, or https://*.host
// when the first label is {s}), or "" when there is none.
func TileSource(template string) string {
	rest, ok := strings.CutPrefix(template, "https://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if sub, ok := strings.CutPrefix(rest, "{s}."); ok {
		rest = "*." + sub
	}
	if rest == "" || strings.ContainsAny(rest, "{}@ ;,'\"") {
		return ""
	}
	return "https://" + rest
}

// mapJSON writes what the "map" partial receives as Points as JSON for its
// data-points attribute: a string is taken as JSON already.
func mapJSON(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("map points: %w", err)
	}
	return string(b), nil
}
