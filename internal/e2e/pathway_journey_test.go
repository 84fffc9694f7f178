package e2e_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tremplin/internal/orgs"
	"tremplin/internal/people/caf/caftest"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
)

// TestPathwayJourney follows a new RSA beneficiary through the shared pathway
// in a real browser, each professional in their own session: the chargé
// d'orientation imports the CAF flow and forms the group, the social and the
// professional référents sign the joint diagnostic, the person is oriented,
// the référent draws up and signs the contract, and the point de situation
// no longer shows the person as waiting.
func TestPathwayJourney(t *testing.T) {
	browser := startBrowser(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	sys := access.System("e2e")
	list, _, err := f.App.Orgs.List(ctx, sys, orgs.Filter{Kind: orgs.KindDepartement, Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("département: %v", err)
	}
	dept := list[0]
	ft, err := f.App.Orgs.Create(ctx, sys, orgs.Organisation{Name: "France Travail Arras", Kind: orgs.KindFranceTravail, Territory: "62"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(email string, m auth.NewMembership) auth.User {
		u, err := f.App.Auth.CreateUser(ctx, sys, auth.NewUser{Email: email, FirstName: "Prénom", LastName: strings.Split(email, "@")[0],
			Password: password, Memberships: []auth.NewMembership{m}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	mk("orientation@pasdecalais.example", auth.NewMembership{OrgID: dept.ID, Role: access.RoleOrientation})
	pro := mk("conseiller@francetravail.example", auth.NewMembership{OrgID: ft.ID, Role: access.RoleReferent, Qualification: access.QualProfessional})
	flow := filepath.Join(t.TempDir(), "RSABEM.xml")
	if err := os.WriteFile(flow, caftest.Flow(1, "62"), 0o600); err != nil {
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

	// The chargé d'orientation imports the monthly flow: checked first, then confirmed.
	ori := signIn("orientation@pasdecalais.example")
	ori.open("/imports/caf")
	ori.do("choose the flow", chromedp.SetUploadFiles(chromedp.CSS(`#flux`), []string{flow}))
	ori.follow(`main form[action="/imports/caf"] button[type="submit"]`)
	wantText(ori, "main h2", "Vérification du flux")
	ori.follow(`main form[action^="/imports/caf/"] button[type="submit"]`)
	wantText(ori, "main h2", "Flux importé")

	// The new beneficiary waits in the orientation queue, late since the rights opened in 2024.
	ori.open("/orientation")
	wantText(ori, "main table", "Dupré Hélène")
	wantText(ori, "main table", "en retard")
	ori.follow(`main table a[href$="/orientation"]`)
	base := strings.TrimSuffix(ori.path(), "/orientation")

	// The group for the joint diagnostic: the mission locale's référent leads, France Travail's adviser joins.
	ori.open(base + "/groupe")
	ori.do("name the référent",
		chromedp.SetValue(chromedp.CSS(`#staff`), f.Referent.User.ID+"|"+f.Referent.User.Memberships[0].OrgID),
		chromedp.Click(chromedp.CSS(`#role-referent`)))
	ori.follow(`main form[action$="/groupe"] button[type="submit"]`)
	ori.do("add the adviser",
		chromedp.SetValue(chromedp.CSS(`#staff`), pro.ID+"|"+ft.ID),
		chromedp.Click(chromedp.CSS(`#role-member`)))
	ori.follow(`main form[action$="/groupe"] button[type="submit"]`)
	wantText(ori, "main table", "Référent")
	wantText(ori, "main table", "France Travail Arras")

	// The social référent fills the grid and signs; the adviser signs second.
	ref := signIn(f.Referent.Email)
	ref.open(base + "/diagnostic")
	ref.do("fill the grid",
		chromedp.SetValue(chromedp.CSS(`#work_situation`), "Sans emploi depuis 2023, cherche dans la vente"),
		chromedp.Click(chromedp.CSS(`#worked_last_2_years`)),
		chromedp.SetValue(chromedp.CSS(`#education_level`), "4"),
		chromedp.Click(chromedp.CSS(`#projection-oui`)),
		chromedp.SetValue(chromedp.CSS(`#mobility_km`), "20"),
		chromedp.SetValue(chromedp.CSS(`#obstacle_mobilite`), "1"))
	ref.follow(`main form[action$="/diagnostic"] button[type="submit"]`)
	wantText(ref, ".flash, [role=status], main", "Nouvelle version du diagnostic enregistrée")
	ref.follow(`main form[action$="/signature"] button`)
	adviser := signIn("conseiller@francetravail.example")
	adviser.open(base + "/diagnostic")
	adviser.follow(`main form[action$="/signature"] button`)
	wantText(adviser, "main", "le diagnostic est validé")

	// The chargé d'orientation follows the suggestion and orients to the mission locale.
	ori.open(base + "/orientation")
	wantText(ori, "main", "Le diagnostic suggère le parcours Professionnel (emploi)")
	ori.do("orient", chromedp.SetValue(chromedp.CSS(`#organisation_id`), f.Referent.User.Memberships[0].OrgID))
	ori.follow(`main form[action$="/orientation"] button[type="submit"]`)
	wantText(ori, "main dl", "Mission locale de l'Artois")

	// The référent draws up the contrat d'engagement, prints it and records the signatures.
	ref.open(base + "/orientation")
	ref.do("draw up the contract",
		chromedp.Click(chromedp.CSS(`#etablir-contrat summary`)),
		chromedp.Click(chromedp.CSS(`#kind-engagement`)),
		chromedp.SetValue(chromedp.CSS(`#action_plan`), "Ateliers CV, deux immersions en magasin, candidature en CDI."))
	ref.follow(`main form[action$="/contrats"] button[type="submit"]`)
	wantText(ref, "main table", "15.0 h / semaine")
	ref.do("record the signature", chromedp.Click(chromedp.CSS(`main form[action$="/signature"] input[type=checkbox]`)))
	ref.follow(`main form[action$="/signature"] button[type="submit"]`)
	wantText(ref, "main table", "Signé le")

	// On the point de situation, nothing about the contract or the orientation waits any more.
	ref.open("/point-de-situation")
	wantText(ref, "main h1", "Point de situation")
	page := ref.text("main")
	for _, late := range []string{"Orientation en retard (6 semaines) 1", "Contrat non signé (1 mois) 1"} {
		if strings.Contains(strings.Join(strings.Fields(page), " "), late) {
			t.Errorf("point de situation still shows %q", late)
		}
	}
	ori.open("/orientation")
	wantText(ori, "main", "Personne n'attend d'orientation.")
}
