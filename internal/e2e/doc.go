// Package e2e holds Tremplin's end-to-end tests: browser journeys driven by
// Chromium through chromedp (journey_test.go) and plain HTTP scenarios of the
// shell — security headers, cross-origin protection, cookies, health,
// metrics, API errors — (http_test.go), both run against the real handler
// of internal/app over a fresh SQLite database.
package e2e
