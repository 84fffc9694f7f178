package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tremplin/internal/clauses"
	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
)

// TestClausesJourney follows a month of insertion hours in a real browser:
// the company awarded a tramway lot declares the hours of a person it hired,
// the PLIE's facilitator sees the operation progress, and the public buyer
// downloads the operation's report.
func TestClausesJourney(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	sys := access.System("e2e")
	user := func(key, orgName string, kind orgs.Kind, role access.Role) (auth.User, orgs.Organisation) {
		o, err := f.App.Orgs.Create(ctx, sys, orgs.Organisation{Name: orgName, Kind: kind, Territory: "62"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.App.Auth.CreateUser(ctx, sys, auth.NewUser{Email: key + "@clauses.example", FirstName: "Prénom", LastName: key,
			Password: password, Memberships: []auth.NewMembership{{OrgID: o.ID, Role: role}}})
		if err != nil {
			t.Fatal(err)
		}
		return u, o
	}
	facilitator, _ := user("facilitatrice", "PLIE de l'Artois", orgs.KindPLIE, access.RoleFacilitator)
	_, buyer := user("acheteur", "Syndicat mixte des transports Artois-Gohelle", orgs.KindPublicBuyer, access.RolePublicBuyer)
	_, company := user("chef-de-chantier", "Travaux Publics de l'Artois", orgs.KindEmployer, access.RoleEmployer)
	fa := facilitator.ActorIn("", "192.0.2.1")
	op, err := f.App.Clauses.CreateOperation(ctx, fa, clauses.OperationInput{Name: "Tramway ligne T9"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.App.Clauses.CreateMarket(ctx, fa, clauses.MarketInput{OperationID: op.ID, BuyerOrgID: buyer.ID, Reference: "T9-GC-01",
		Title: "Génie civil", StartDate: "2026-01-01", EndDate: "2027-06-30", ClauseType: "execution", RequiredHours: 131000 * 100 / 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Clauses.SetAward(ctx, fa, m.ID, clauses.AwardInput{CompanyOrgID: company.ID, ShareHours: 13100 * 100,
		Fulfilment: []string{"direct_hire"}}); err != nil {
		t.Fatal(err)
	}
	signIn := func(email string) *tab {
		b := newTab(t, browser, f.URL, false)
		b.open("/connexion")
		if status := b.fillLogin(email, password); status != http.StatusOK {
			t.Fatalf("login %s: status %d", email, status)
		}
		return b
	}
	wantText := func(b *tab, sel, want string) {
		t.Helper()
		if got := b.text(sel); !strings.Contains(got, want) {
			t.Fatalf("on %s, %s reads %q, want %q", b.path(), sel, got, want)
		}
	}

	// The company finds its market under "Mes marchés" and declares a month.
	co := signIn("chef-de-chantier@clauses.example")
	co.open("/clauses")
	wantText(co, "main", "T9-GC-01")
	co.open("/clauses/marches/" + m.ID)
	co.do("describe the person and the month",
		chromedp.SetValue(chromedp.CSS(`#last_name`), "Dupré"),
		chromedp.SetValue(chromedp.CSS(`#first_name`), "Hélène"),
		chromedp.SetValue(chromedp.CSS(`#birth_date`), "1988-04-12"),
		chromedp.SetValue(chromedp.CSS(`#sex`), "F"),
		chromedp.SetValue(chromedp.CSS(`#public`), "BRSA"),
		chromedp.SetValue(chromedp.CSS(`#month`), "2026-03"),
		chromedp.SetValue(chromedp.CSS(`#hours`), "151,67"),
		chromedp.SetValue(chromedp.CSS(`#contract_type`), "CDD"),
		chromedp.SetValue(chromedp.CSS(`#mode`), "EMBAUCHE_DIRECTE"))
	co.follow(`main form[action="/clauses/marches/` + m.ID + `/heures"] button[type="submit"]`)
	wantText(co, "main", "Heures enregistrées : 151,67 h en mars 2026")
	wantText(co, "#heures ~ table, main", "Dupré")

	// The facilitator sees the hours on the operation's progress, and the company started.
	fac := signIn("facilitatrice@clauses.example")
	fac.open("/clauses/operations/" + op.ID)
	wantText(fac, `main [data-figure="hours"]`, "151,67")
	wantText(fac, `main [data-figure="started"]`, "1")
	wantText(fac, "main", "Travaux Publics de l'Artois")

	// The buyer opens the operation and downloads its report.
	buy := signIn("acheteur@clauses.example")
	buy.open("/clauses/operations/" + op.ID)
	wantText(buy, `main [data-figure="hours"]`, "151,67")
	if strings.Contains(buy.text("main"), "Dupré") {
		t.Fatal("the buyer's page names the participant")
	}
	for _, doc := range []struct{ link, contentType, magic string }{
		{"bilan.pdf", "application/pdf", "%PDF"},
		{"bilan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
	} {
		href, err := chromedp.Run(buy.ctx, chromedp.EvaluateAsDevTools[string](`document.querySelector('main a[href$="`+doc.link+`"]').getAttribute("href")`))
		if err != nil {
			t.Fatalf("no %s link: %v", doc.link, err)
		}
		got, err := chromedp.Run(buy.ctx, chromedp.Evaluate[[]string](`fetch(`+jsString(href)+`).then(async r => {
			const b = new Uint8Array(await r.arrayBuffer());
			return [String(r.status), r.headers.get("content-type"), String.fromCharCode(...b.slice(0, 4)), String(b.length)];
		})`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("download %s: %v", href, err)
		}
		if got[0] != "200" || got[1] != doc.contentType || !strings.HasPrefix(got[2], doc.magic) || len(got[3]) < 4 {
			t.Fatalf("download %s: status %s, type %s, starts %q, %s bytes", href, got[0], got[1], got[2], got[3])
		}
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
