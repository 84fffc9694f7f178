// Package apptest starts a whole Tremplin over a fresh database for tests of
// pages and API endpoints.
package apptest

import (
	"net/http/httptest"
	"testing"
	"time"

	"tremplin/internal/app"
	"tremplin/internal/platform/config"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/secret"
)

// New returns an application over d (a fresh SQLite database when d is nil)
// with a zero data key and hour-long sessions.
func New(t testing.TB, d *db.DB) *app.App {
	t.Helper()
	if d == nil {
		d = dbtest.SQLite(t)
	}
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return app.New(d, box, config.Config{SessionIdle: time.Hour, SessionMax: 2 * time.Hour, PublicURL: "http://localhost"})
}

// Serve starts the application's handler on a test server closed at the end of the test.
func Serve(t testing.TB, a *app.App) *httptest.Server {
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv
}
