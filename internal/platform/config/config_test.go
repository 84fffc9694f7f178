package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestWrongValuesNameTheVariable(t *testing.T) {
	dir := t.TempDir()
	base := map[string]string{"TREMPLIN_DATABASE_URL": "sqlite:" + filepath.Join(dir, "t.db")}
	cases := []struct {
		name, variable, value string
	}{
		{"listen without port", "TREMPLIN_LISTEN", "localhost"},
		{"unknown database scheme", "TREMPLIN_DATABASE_URL", "mysql://x"},
		{"bad duration", "TREMPLIN_SESSION_IDLE", "forever"},
		{"negative duration", "TREMPLIN_SESSION_MAX", "-1h"},
		{"score above one", "TREMPLIN_GEOCODER_MIN_SCORE", "3"},
		{"bad log level", "TREMPLIN_LOG_LEVEL", "loud"},
		{"bad boolean", "TREMPLIN_TRUST_PROXY", "maybe"},
		{"public URL not http", "TREMPLIN_PUBLIC_URL", "ftp://x"},
		{"short data key", "TREMPLIN_DATA_KEY", "abcd"},
		{"missing key file", "TREMPLIN_DATA_KEY_FILE", "/nonexistent/key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{tc.variable: tc.value}
			for k, v := range base {
				if _, set := env[k]; !set {
					env[k] = v
				}
			}
			_, err := LoadFrom(func(k string) string { return env[k] })
			if err == nil || !strings.HasPrefix(err.Error(), tc.variable) {
				t.Fatalf("got %v, want an error naming %s", err, tc.variable)
			}
		})
	}
}

func TestDefaultsAndGeneratedSQLiteKey(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	env := map[string]string{"TREMPLIN_DATABASE_URL": dbURL}
	c, err := LoadFrom(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.SessionIdle.Minutes() != 30 || len(c.DataKey) != 32 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	again, err := LoadFrom(func(k string) string { return env[k] })
	if err != nil || string(again.DataKey) != string(c.DataKey) {
		t.Fatal("the generated key must be reused on the next start")
	}
}

func TestPostgresNeedsAKey(t *testing.T) {
	env := map[string]string{"TREMPLIN_DATABASE_URL": "postgres://localhost/x"}
	_, err := LoadFrom(func(k string) string { return env[k] })
	if err == nil || !strings.HasPrefix(err.Error(), "TREMPLIN_DATA_KEY") {
		t.Fatalf("got %v", err)
	}
}

func TestMapTileSettings(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	const osm = "© les contributeurs d'OpenStreetMap"
	cases := []struct {
		name, tiles, attribution string
		// wantVar is the variable the error names; empty when the settings are accepted.
		wantVar string
	}{
		{"no tiles: maps without background", "", "", ""},
		{"OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", osm, ""},
		{"subdomains and retina", "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}{r}.png", osm, ""},
		{"placeholders in the query", "https://data.geopf.fr/wmts?TILEMATRIX={z}&TILECOL={x}&TILEROW={y}", "IGN-F/Géoportail", ""},
		{"port", "https://tiles.example.org:8443/{z}/{x}/{y}.png", "Exemple", ""},
		{"plain http", "http://tile.openstreetmap.org/{z}/{x}/{y}.png", osm, "TREMPLIN_MAP_TILES"},
		{"no template", "https://tile.openstreetmap.org/tile.png", osm, "TREMPLIN_MAP_TILES"},
		{"no {y}", "https://tile.openstreetmap.org/{z}/{x}.png", osm, "TREMPLIN_MAP_TILES"},
		{"not a URL", "{z}/{x}/{y}", osm, "TREMPLIN_MAP_TILES"},
		{"user in the URL", "https://me:pw@tile.example.org/{z}/{x}/{y}.png", osm, "TREMPLIN_MAP_TILES"},
		{"placeholder inside the host", "https://tile{s}.example.org/{z}/{x}/{y}.png", osm, "TREMPLIN_MAP_TILES"},
		{"zoom in the host", "https://{z}.example.org/{x}/{y}.png", osm, "TREMPLIN_MAP_TILES"},
		{"{s} alone as host", "https://{s}.org/{z}/{x}/{y}.png", osm, "TREMPLIN_MAP_TILES"},
		{"tiles without credit", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "", "TREMPLIN_MAP_ATTRIBUTION"},
		{"HTML credit", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", `© <a href="https://osm.org">OSM</a>`, "TREMPLIN_MAP_ATTRIBUTION"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"TREMPLIN_DATABASE_URL": dbURL, "TREMPLIN_MAP_TILES": tc.tiles, "TREMPLIN_MAP_ATTRIBUTION": tc.attribution}
			c, err := LoadFrom(func(k string) string { return env[k] })
			if tc.wantVar == "" {
				if err != nil {
					t.Fatalf("got %v, want the settings accepted", err)
				}
				if c.MapTiles != tc.tiles || c.MapAttribution != tc.attribution {
					t.Fatalf("got tiles %q and credit %q", c.MapTiles, c.MapAttribution)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantVar+":") {
				t.Fatalf("got %v, want an error naming %s", err, tc.wantVar)
			}
		})
	}
}

func TestOldTileVariableSaysItWasRenamed(t *testing.T) {
	env := map[string]string{"TREMPLIN_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "t.db"),
		"TREMPLIN_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png"}
	_, err := LoadFrom(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "TREMPLIN_MAP_TILES") {
		t.Fatalf("got %v, want a pointer to TREMPLIN_MAP_TILES", err)
	}
}
