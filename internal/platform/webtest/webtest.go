// Package webtest helps tests drive the HTML side like a browser without
// JavaScript: a client that keeps cookies, does not follow redirects, and
// posts forms.
package webtest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// Browser is a cookie-keeping client for one test server.
type Browser struct {
	t      testing.TB
	client *http.Client
	base   string
}

// NewBrowser returns a browser for the server at base (an httptest URL).
func NewBrowser(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Browser{t: t, client: c, base: base}
}

// Do sends a request (a form post when form is not nil) and returns the
// status, the Location header and the body.
func (b *Browser) Do(method, path string, form url.Values) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	contentType := ""
	if form != nil {
		body, contentType = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	return b.send(method, path, body, contentType)
}

// Upload posts a multipart form with one file, as a file input sends it.
func (b *Browser) Upload(path, field, filename string, content []byte) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return b.send("POST", path, &body, mw.FormDataContentType())
}

// send runs one request against the server and reads the whole answer.
func (b *Browser) send(method, path string, body io.Reader, contentType string) (int, string, string) {
	b.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.base + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(page)
}

// Login posts the login form.
func (b *Browser) Login(email, password, next string) (int, string, string) {
	return b.Do("POST", "/connexion", url.Values{"email": {email}, "password": {password}, "suivant": {next}})
}
