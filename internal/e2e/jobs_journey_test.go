package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
)

// TestJobsJourney follows a person from the offers that suit her to a job
// in a real browser: the employer publishes an offer, the référent puts the
// CV online with the person's consent, searches the offers for her and
// positions her, the employer hires her, and the pathway shows the job with
// the back-to-work check-ins scheduled.
func TestJobsJourney(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	sys := access.System("e2e")
	emp, err := f.App.Orgs.Create(ctx, sys, orgs.Organisation{Name: "Propreté de l'Artois", Kind: orgs.KindEmployer, Territory: "62", SIRET: "73282932000074"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Auth.CreateUser(ctx, sys, auth.NewUser{Email: "rh@proprete.example", FirstName: "Inès", LastName: "Roux",
		Password: password, Memberships: []auth.NewMembership{{OrgID: emp.ID, Role: access.RoleEmployer}}}); err != nil {
		t.Fatal(err)
	}
	list, _, err := f.App.Orgs.List(ctx, sys, orgs.Filter{Kind: orgs.KindDepartement, Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("département: %v", err)
	}
	lat, lon := 50.29301, 2.78186
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: list[0].ID, FirstName: "Hélène", LastName: "Dupré",
		CommuneCode: "62041", Lat: &lat, Lon: &lon, Phone: "0612345678", CreatedAt: db.Now()}
	if err := people.Insert(ctx, f.App.DB, p, "", ""); err != nil {
		t.Fatal(err)
	}
	m := people.GroupMember{ID: db.NewID(), UserID: f.Referent.User.ID, OrgID: f.Referent.User.Memberships[0].OrgID, Role: "referent",
		Start: time.Now().AddDate(0, -1, 0)}
	if err := people.InsertGroupMember(ctx, f.App.DB, p.ID, m, db.Now()); err != nil {
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

	// The employer publishes an offer in Arras.
	rh := signIn("rh@proprete.example")
	rh.open("/offres/nouvelle")
	rh.do("fill the offer",
		chromedp.SetValue(chromedp.CSS(`#title`), "Agent de propreté"),
		chromedp.SetValue(chromedp.CSS(`#rome`), "K2204"),
		chromedp.SetValue(chromedp.CSS(`#contract`), "CDI"),
		chromedp.SetValue(chromedp.CSS(`#hours_per_week`), "24,5"),
		chromedp.SetValue(chromedp.CSS(`#commune_code`), "62041"))
	rh.follow(`main form[action="/offres"] button[type="submit"]`)
	wantText(rh, "main h1", "Agent de propreté")

	// The référent puts the CV online and records the person's consent.
	base := "/personnes/" + p.ID
	ref := signIn(f.Referent.Email)
	ref.open(base + "/cv")
	ref.do("fill the CV",
		chromedp.SetValue(chromedp.CSS(`#headline`), "Agente d'entretien"),
		chromedp.SetValue(chromedp.CSS(`#romes`), "K2204"),
		chromedp.SetValue(chromedp.CSS(`#radius_km`), "20"),
		chromedp.Click(chromedp.CSS(`#means-car`)),
		chromedp.Click(chromedp.CSS(`#licence`)),
		chromedp.Click(chromedp.CSS(`#online`)))
	ref.follow(`main form[action$="/cv"] button[type="submit"]`)
	wantText(ref, ".flash, [role=status], main", "CV enregistré")
	ref.do("record the consent", chromedp.Click(chromedp.CSS(`#method-written`)))
	ref.follow(`main form[action$="/cv/accord"] button[type="submit"]`)
	wantText(ref, "main", "La personne a donné son accord")

	// The référent searches the offers for her and positions her, then sends the candidacy.
	ref.open(base + "/offres")
	wantText(ref, "main", "1 offre ouverte à moins de 20 km")
	wantText(ref, "main table", "Agent de propreté")
	ref.follow(`main table form[action="/candidatures"] button[type="submit"]`)
	wantText(ref, "main h1", "Candidature de Dupré Hélène")
	positioning := ref.path()
	ref.do("send it", chromedp.Click(chromedp.CSS(`#state`)))
	ref.follow(`main form[action^="/candidatures/"] button[type="submit"]`)
	wantText(ref, "main", "Transmise à l'employeur")

	// The employer sees the candidacy and hires her.
	rh.open(positioning)
	wantText(rh, "main h1", "Candidature de Dupré Hélène")
	rh.do("hire", chromedp.Click(chromedp.CSS(`#state-hired`)))
	rh.follow(`main form[action^="/candidatures/"] button[type="submit"]`)
	wantText(rh, "main", "Recrutée")

	// The référent is notified, and the pathway shows the job with its check-ins.
	ref.open("/notifications")
	wantText(ref, "main", "Recrutement confirmé sur l'offre « Agent de propreté »")
	ref.open(base + "/parcours")
	wantText(ref, "main", "Agent de propreté")
	for _, months := range []string{"1 mois", "3 mois", "6 mois"} {
		wantText(ref, "main", months)
	}
}
