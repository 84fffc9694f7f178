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
