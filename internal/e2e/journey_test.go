package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath returns the path of Chromium; without it the journeys are
// skipped, except in CI (CI=true) where they must run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required in CI (CI=true) but %v; install it with: apt-get install -y chromium", err)
		}
		t.Skip("browser journeys skipped: chromium is not in PATH (install it with: apt-get install -y chromium)")
	}
	return p
}

// startBrowser starts a headless Chromium with a fresh profile, closed at the end of the test.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	t.Logf("Chromium started in %v", time.Since(start).Round(time.Millisecond))
	return ctx
}

// tab is one browser tab in its own browser context (its own cookies), bound to a server.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	// typeKeys makes fillLogin type the credentials key by key instead of setting the fields.
	typeKeys bool
}

// newTab opens a tab with empty cookies; noJS turns JavaScript off in it.
func newTab(t *testing.T, browser context.Context, base string, noJS bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	// The timeout bounds this tab's actions only; the browser outlives it.
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	if noJS {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	return &tab{t: t, ctx: ctx, base: base}
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a path of the server.
func (b *tab) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// path returns the path and query of the current page.
func (b *tab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// wantPath checks the path and query of the current page.
func (b *tab) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.t.Fatalf("on %q, want %q (page heading %q)", got, want, b.textOr("h1", ""))
	}
}

// text returns the visible text of the first element matching a CSS selector.
func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// textOr returns the text of sel, or def when no element matches.
func (b *tab) textOr(sel, def string) string {
	b.t.Helper()
	if b.count(sel) == 0 {
		return def
	}
	return b.text(sel)
}

// count returns how many elements match a CSS selector, without waiting.
func (b *tab) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.EvaluateAsDevTools[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// texts returns the text of every element matching a CSS selector.
func (b *tab) texts(sel string) []string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.EvaluateAsDevTools[[]string](
		fmt.Sprintf("Array.from(document.querySelectorAll(%q), e => e.textContent.trim())", sel)))
	if err != nil {
		b.t.Fatalf("texts of %s: %v", sel, err)
	}
	return out
}

// follow clicks a link or a form button and waits for the next page; it returns the HTTP status of that page.
func (b *tab) follow(sel string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
	return resp.Status
}

// fillLogin fills the login form of the current page and submits it.
func (b *tab) fillLogin(email, pw string) int64 {
	b.t.Helper()
	fill := chromedp.SetValue[chromedp.ID]
	if b.typeKeys {
		// Key by key, as a person types: slower, so only some journeys do it.
		fill = chromedp.SendKeys[chromedp.ID]
	}
	b.do("fill the login form",
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.Clear(chromedp.ID("email")),
		fill(chromedp.ID("email"), email),
		fill(chromedp.ID("password"), pw),
	)
	return b.follow(`main form[action="/connexion"] button[type="submit"]`)
}

// logout clicks "Se déconnecter" in the header.
func (b *tab) logout() {
	b.t.Helper()
	if got := b.text(`header form[action="/deconnexion"] button`); got != "Se déconnecter" {
		b.t.Fatalf("logout button reads %q", got)
	}
	b.follow(`header form[action="/deconnexion"] button`)
}

// TestBrowserJourneys drives Chromium through the signed-in shell: login,
// role navigation, return to the page asked for, wrong password, logout,
// the skip link and the whole flow without JavaScript.
func TestBrowserJourneys(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	f := newFixture(t, nil)
	browser := startBrowser(t)

	roles := []struct {
		name string
		acc  account
		// start is the page asked for before signing in; startH1 its heading.
		start, startH1 string
		wantNav        []string
	}{
		{"manager", f.Manager, "/", "Bonjour Claire", []string{"Personnes accompagnées", "Point de situation", "À orienter", "Commissions de cas",
			"Flux CAF/MSA", "Import de listes", "Doublons", "Chiffres du parcours", "Avis des personnes", "Offres d'emploi",
			"Recrutements de masse", "Employeurs", "Clauses d'insertion", "Structures", "Notifications"}},
		{"org_admin", f.OrgAdmin, "/admin/journal", "Journal d'accès", []string{"Personnes accompagnées", "Point de situation", "Commissions de cas",
			"Import de listes", "Doublons", "Avis des personnes", "Offres d'emploi", "Recrutements de masse", "Employeurs", "Structures",
			"Notifications", "Comptes", "Journal d'accès"}},
		{"referent", f.Referent, "/structures?q=Artois", "Structures", []string{"Personnes accompagnées", "Point de situation", "Commissions de cas",
			"Offres d'emploi", "Employeurs", "Structures", "Notifications"}},
	}
	for _, r := range roles {
		t.Run("sign in and out as "+r.name, func(t *testing.T) {
			t.Parallel()
			b := newTab(t, browser, f.URL, false)

			// Anonymous: the page asked for sends to the login page, and back after login.
			b.open(r.start)
			b.wantPath("/connexion?suivant=" + url.QueryEscape(r.start))
			if got := b.text("main h1"); got != "Connexion" {
				t.Fatalf("login page heading %q", got)
			}
			if status := b.fillLogin(r.acc.Email, password); status != http.StatusOK {
				t.Errorf("page after login: status %d", status)
			}
			b.wantPath(r.start)
			if got := b.text("main h1"); got != r.startH1 {
				t.Errorf("heading of %s: %q, want %q", r.start, got, r.startH1)
			}
			if got := b.texts("nav.main-nav a"); !slices.Equal(got, r.wantNav) {
				t.Errorf("main navigation %q, want exactly %q", got, r.wantNav)
			}
			if r.start != "/" {
				if got := b.texts(`nav.main-nav a[aria-current="page"]`); !slices.Equal(got, []string{r.startH1}) {
					t.Errorf("current navigation entry %q, want [%s]", got, r.startH1)
				}
			}
			if r.name == "referent" {
				if got := b.text("main table tbody"); !strings.Contains(got, "Mission locale de l'Artois") || strings.Contains(got, "Pas-de-Calais") {
					t.Errorf("structures matching Artois: %q", got)
				}
			}

			// Home page, through the brand link of the header.
			if r.start != "/" {
				b.follow("header a.brand")
				b.wantPath("/")
			}
			if got, want := b.text("main h1"), "Bonjour "+r.acc.FirstName; got != want {
				t.Errorf("home heading %q, want %q", got, want)
			}
			if got := b.texts("nav.main-nav a"); !slices.Equal(got, r.wantNav) {
				t.Errorf("main navigation on the home page %q, want exactly %q", got, r.wantNav)
			}
			// The home page lists the same spaces as the navigation, plus the account.
			if got, want := b.texts("main .cards h3 a"), append(slices.Clone(r.wantNav), "Mon compte"); !slices.Equal(got, want) {
				t.Errorf("home page spaces %q, want %q", got, want)
			}
			if who := b.text("header .who"); !strings.Contains(who, r.acc.FirstName) {
				t.Errorf("header shows %q, want the user's name", who)
			}
			cookies, err := chromedp.Run(b.ctx, chromedp.EvaluateAsDevTools[string]("document.cookie"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(cookies, "tremplin_session") {
				t.Errorf("the session cookie is readable by scripts: %q", cookies)
			}
			if r.name == "manager" {
				shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatalf("screenshot: %v", err)
				}
				p := filepath.Join(t.TempDir(), "home-manager.png")
				if err := os.WriteFile(p, shot, 0o600); err != nil {
					t.Fatal(err)
				}
				if len(shot) < 1000 {
					t.Errorf("screenshot is only %d bytes", len(shot))
				}
				t.Logf("home page screenshot: %s (%d bytes)", p, len(shot))
			}

			// Logout.
			b.logout()
			b.wantPath("/connexion")
			if got := b.textOr(".flash", ""); got != "Vous êtes déconnecté." {
				t.Errorf("flash after logout %q", got)
			}
			if b.count("nav.main-nav") != 0 || b.count(`form[action="/deconnexion"]`) != 0 {
				t.Error("the login page after logout still shows the signed-in header")
			}
			// Back to the signed-in page: it must not come back from a cache.
			b.do("go back", chromedp.NavigateBack())
			if h := b.textOr("main h1", ""); strings.HasPrefix(h, "Bonjour") {
				t.Errorf("after logout, Back shows the signed-in home page again (%q on %q)", h, b.path())
			}
			b.open("/")
			b.wantPath("/connexion?suivant=%2F")
		})
	}

	t.Run("skip link and wrong password", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, browser, f.URL, false)
		b.open("/connexion")

		if b.count(`a.skip-link[href="#contenu"]`) != 1 || b.count(`main#contenu`) != 1 {
			t.Fatal("no skip link to main#contenu")
		}
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
		focused, err := chromedp.Run(b.ctx, chromedp.EvaluateAsDevTools[string](
			`(() => { const e = document.activeElement, r = e.getBoundingClientRect(); return e.className + (r.left >= 0 && r.width > 0 ? " visible" : " hidden"); })()`))
		if err != nil {
			t.Fatal(err)
		}
		if focused != "skip-link visible" {
			t.Errorf("first Tab focuses %q, want the visible skip link", focused)
		}
		b.do("press Enter", chromedp.KeyEvent(kb.Enter))
		if got := b.path(); got != "/connexion#contenu" {
			t.Errorf("skip link leads to %q", got)
		}
		if id, _ := chromedp.Run(b.ctx, chromedp.EvaluateAsDevTools[string]("document.activeElement.id")); id != "contenu" {
			t.Errorf("after the skip link the focus is on %q, want #contenu", id)
		}

		b.typeKeys = true
		if status := b.fillLogin(f.OrgAdmin.Email, "pas le bon mot de passe"); status != http.StatusUnauthorized {
			t.Errorf("wrong password: status %d, want 401", status)
		}
		b.typeKeys = false
		b.wantPath("/connexion")
		if got := b.text(".error-summary"); !strings.Contains(got, "Adresse électronique ou mot de passe incorrect.") {
			t.Errorf("error summary %q", got)
		}
		if b.count(`.error-summary[role="alert"]`) != 1 {
			t.Error("the error summary is not announced (role=alert)")
		}
		if v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("email"))); err != nil || v != f.OrgAdmin.Email {
			t.Errorf("email field keeps %q (%v), want %q", v, err, f.OrgAdmin.Email)
		}
		if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("password"))); v != "" {
			t.Error("the password field is filled again after a failure")
		}
		if b.count(`#email[aria-invalid="true"][aria-describedby="email-erreur"]`) != 1 {
			t.Error("the email field is not marked invalid with its error message")
		}
		// The right password then works from the same form.
		b.fillLogin(f.OrgAdmin.Email, password)
		b.wantPath("/")
	})

	t.Run("without JavaScript", func(t *testing.T) {
		t.Parallel()
		// First make sure the switch works: a scripted page stays untouched.
		scripted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `<!doctype html><title>sans script</title><script>document.title = "script exécuté"</script>`)
		}))
		defer scripted.Close()
		b := newTab(t, browser, f.URL, true)
		b.do("open the scripted page", chromedp.Navigate(scripted.URL))
		if title, _ := chromedp.Run(b.ctx, chromedp.Title()); title != "sans script" {
			t.Fatalf("JavaScript is not disabled in the tab: title %q", title)
		}

		b.open("/admin/comptes")
		b.wantPath("/connexion?suivant=%2Fadmin%2Fcomptes")
		if b.count(`a.skip-link[href="#contenu"]`) != 1 {
			t.Error("no skip link")
		}
		if status := b.fillLogin(f.OrgAdmin.Email, "pas le bon mot de passe"); status != http.StatusUnauthorized {
			t.Errorf("wrong password: status %d, want 401", status)
		}
		if got := b.text(".error-summary"); !strings.Contains(got, "Adresse électronique ou mot de passe incorrect.") {
			t.Errorf("error summary %q", got)
		}
		// The page asked for survives the failed attempt.
		b.fillLogin(f.OrgAdmin.Email, password)
		b.wantPath("/admin/comptes")
		if got := b.text("main h1"); got != "Comptes" {
			t.Errorf("heading %q, want Comptes", got)
		}
		if got := b.texts("nav.main-nav a"); !slices.Contains(got, "Journal d'accès") {
			t.Errorf("navigation %q lacks Journal d'accès", got)
		}
		b.logout()
		b.wantPath("/connexion")
		b.open("/")
		b.wantPath("/connexion?suivant=%2F")
	})
}
