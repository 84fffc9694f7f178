package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// clauseActors adds a PLIE's facilitator, a public buyer and a building
// company to the fixture, and returns their tokens and organisations.
func clauseActors(t *testing.T, f fixture) (tokens, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	sys := access.System("test")
	tokens, ids = map[string]string{}, map[string]string{}
	for _, x := range []struct {
		key, name string
		kind      orgs.Kind
		role      access.Role
	}{
		{"facilitator", "PLIE de l'Artois", orgs.KindPLIE, access.RoleFacilitator},
		{"buyer", "Communauté urbaine d'Arras", orgs.KindPublicBuyer, access.RolePublicBuyer},
		{"company", "Bâtiment Artois SA", orgs.KindEmployer, access.RoleEmployer},
	} {
		o, err := f.app.Orgs.Create(ctx, sys, orgs.Organisation{Name: x.name, Kind: x.kind, Territory: "62", CommuneCode: "62041"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.app.Auth.CreateUser(ctx, sys, auth.NewUser{Email: x.key + "@clauses.test", Memberships: []auth.NewMembership{authtest.Member(o.ID, x.role)}})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := f.app.Auth.CreateToken(ctx, u.ActorIn("", "test"), "test")
		if err != nil {
			t.Fatal(err)
		}
		tokens[x.key], ids[x.key] = tok, o.ID
	}
	return tokens, ids
}

// TestClausesAPIFollowsTheOpenAPIDocument plays an insertion clause from the
// operation to the buyer's figures through the API.
func TestClausesAPIFollowsTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok, ids := clauseActors(t, f)
		cases := []struct {
			name, token, method, url, template, body string
			status                                   int
			contains                                 string
			saveAs                                   string
		}{
			{"the facilitator opens an operation", tok["facilitator"], "POST", "/api/v1/clause-operations", "/api/v1/clause-operations",
				`{"name":"Tramway ligne T9","pooled":false}`, 201, `"name":"Tramway ligne T9"`, "operation"},
			{"a buyer may not open one", tok["buyer"], "POST", "/api/v1/clause-operations", "/api/v1/clause-operations",
				`{"name":"Autre"}`, 403, `"code":"forbidden"`, ""},
			{"the facilitator adds a market whose hours are a share of the labour", tok["facilitator"], "POST", "/api/v1/markets", "/api/v1/markets",
				`{"operation_id":"{operation}","buyer_org_id":"{buyer}","reference":"T9-GC","title":"Génie civil","start_date":"2026-01-01","end_date":"2026-12-31","clause_type":"execution","hours_rule":"labour_share","rule_base":20000,"rule_rate":7}`,
				201, `"required_hours":1400`, "market"},
			{"a market ending before it starts", tok["facilitator"], "POST", "/api/v1/markets", "/api/v1/markets",
				`{"operation_id":"{operation}","buyer_org_id":"{buyer}","reference":"T9-X","title":"X","start_date":"2026-01-01","end_date":"2025-12-31","clause_type":"execution","required_hours":10}`,
				422, `"end_date":`, ""},
			{"the company is awarded the market", tok["facilitator"], "POST", "/api/v1/markets/{market}/awards", "/api/v1/markets/{id}/awards",
				`{"company_org_id":"{company}","role":"holder","share_hours":1400,"fulfilment":["direct_hire"]}`, 200, `"company_name":"Bâtiment Artois SA"`, ""},
			{"the company declares a month of hours", tok["company"], "POST", "/api/v1/hours", "/api/v1/hours",
				`{"market_id":"{market}","participant":{"first_name":"Alice","last_name":"Durand","birth_date":"1990-05-02","sex":"F","public":"BRSA"},"month":"2026-03","hours":"151,67","contract_type":"CDD","mode":"EMBAUCHE_DIRECTE"}`,
				200, `"hours":151.67`, "line"},
			{"a month that is not YYYY-MM", tok["company"], "POST", "/api/v1/hours", "/api/v1/hours",
				`{"market_id":"{market}","participant":{"first_name":"Alice","last_name":"Durand","public":"BRSA"},"month":"mars","hours":10,"contract_type":"CDD","mode":"EMBAUCHE_DIRECTE"}`,
				422, `"month":`, ""},
			{"the company corrects the month", tok["company"], "POST", "/api/v1/hours", "/api/v1/hours",
				`{"market_id":"{market}","participant":{"first_name":"Alice","last_name":"Durand","birth_date":"1990-05-02","public":"BRSA"},"month":"2026-03","hours":140,"contract_type":"CDD","mode":"EMBAUCHE_DIRECTE"}`,
				200, `"id":"{line}"`, ""},
			{"the line keeps its history", tok["facilitator"], "GET", "/api/v1/hours/{line}", "/api/v1/hours/{id}", "", 200, `"before_hours":151.67`, ""},
			{"a buyer does not read a named line", tok["buyer"], "GET", "/api/v1/hours/{line}", "/api/v1/hours/{id}", "", 404, `"code":"not_found"`, ""},
			{"the buyer's lines come without names", tok["buyer"], "GET", "/api/v1/hours?from=2026-01", "/api/v1/hours", "", 200, `"participant_id":""`, ""},
			{"the facilitator follows the operation", tok["facilitator"], "GET", "/api/v1/clause-operations/{operation}", "/api/v1/clause-operations/{id}",
				"", 200, `"done_hours":140`, ""},
			{"the market with its progress", tok["company"], "GET", "/api/v1/markets/{market}", "/api/v1/markets/{id}", "", 200, `"done_hours":140`, ""},
			{"a référent does not see the market", f.referentToken, "GET", "/api/v1/markets/{market}", "/api/v1/markets/{id}", "", 404, `"code":"not_found"`, ""},
			{"the participants the facilitator may name", tok["facilitator"], "GET", "/api/v1/clause-participants", "/api/v1/clause-participants",
				"", 200, `"last_name":"Durand"`, ""},
			{"the buyer's figures for the year", tok["buyer"], "GET", "/api/v1/reports/clauses?from=2026-01-01&to=2026-12-31", "/api/v1/reports/clauses",
				"", 200, `"hours":140,`, ""},
			{"the département's figures", f.managerToken, "GET", "/api/v1/reports/clauses?from=2026-01-01&to=2026-12-31", "/api/v1/reports/clauses",
				"", 200, `"participants_by_public":{"AUTRE":0,"BRSA":1`, ""},
			{"a report without its period", f.managerToken, "GET", "/api/v1/reports/clauses?from=2026-01-01", "/api/v1/reports/clauses",
				"", 422, `"to":`, ""},
			{"a référent gets no clause report", f.referentToken, "GET", "/api/v1/reports/clauses?from=2026-01-01&to=2026-12-31", "/api/v1/reports/clauses",
				"", 403, `"code":"forbidden"`, ""},
			{"the company may not take itself off a market it worked on", tok["facilitator"], "DELETE", "/api/v1/markets/{market}/awards/{company}",
				"/api/v1/markets/{id}/awards/{company}", "", 409, `"code":"conflict"`, ""},
			{"a company that holds no award cannot be taken off", tok["facilitator"], "DELETE", "/api/v1/markets/{market}/awards/{buyer}",
				"/api/v1/markets/{id}/awards/{company}", "", 404, `"code":"not_found"`, ""},
			{"hours that are not a number name their field", tok["company"], "POST", "/api/v1/hours", "/api/v1/hours",
				`{"market_id":"{market}","participant":{"first_name":"Alice","last_name":"Durand","public":"BRSA"},"month":"2026-03","hours":"abc","contract_type":"CDD","mode":"EMBAUCHE_DIRECTE"}`,
				422, `"hours":"Nombre attendu."`, ""},
			{"a share that is not a number names its field", tok["facilitator"], "POST", "/api/v1/markets/{market}/awards", "/api/v1/markets/{id}/awards",
				`{"company_org_id":"{company}","role":"holder","share_hours":"douze","fulfilment":["direct_hire"]}`, 422, `"share_hours":"Nombre attendu."`, ""},
			{"lines of an unknown mode", tok["facilitator"], "GET", "/api/v1/hours?mode=FOO", "/api/v1/hours", "", 422, `"mode":`, ""},
			{"lines of an unknown contract type", tok["facilitator"], "GET", "/api/v1/hours?contract_type=CDX", "/api/v1/hours", "", 422, `"contract_type":`, ""},
			{"lines of a reversed period", tok["facilitator"], "GET", "/api/v1/hours?from=2026-05&to=2026-01", "/api/v1/hours", "", 422, `"to":`, ""},
			{"markets of a reversed period", tok["facilitator"], "GET", "/api/v1/markets?from=2026-05-01&to=2026-01-01", "/api/v1/markets", "", 422, `"to":`, ""},
			{"the company is measured against its own share", tok["company"], "GET", "/api/v1/markets/{market}", "/api/v1/markets/{id}", "", 200,
				`"owed_hours":1400`, ""},
		}
		for k, v := range ids {
			ids[k] = v
		}
		fill := func(s string) string {
			for k, v := range ids {
				s = strings.ReplaceAll(s, "{"+k+"}", v)
			}
			return s
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var reqBody io.Reader
				if tc.body != "" {
					reqBody = strings.NewReader(fill(tc.body))
				}
				req, _ := http.NewRequest(tc.method, f.srv.URL+fill(tc.url), reqBody)
				req.Header.Set("Authorization", "Bearer "+tc.token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.status || !bytes.Contains(body, []byte(fill(tc.contains))) {
					t.Fatalf("status %d, want %d with %s: %s", res.StatusCode, tc.status, fill(tc.contains), body)
				}
				c.checkMethod(t, strings.ToLower(tc.method), tc.template, tc.status, body)
				if tc.saveAs != "" {
					ids[tc.saveAs] = answeredID(t, body)
				}
			})
		}
	})
}

// TestClauseImportsFollowTheOpenAPIDocument sends a markets file, then an
// hours file with a bad line (refused whole), then the corrected file.
func TestClauseImportsFollowTheOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok, _ := clauseActors(t, f)
		markets := "operation;reference;intitule;donneur_ordre;type_clause;heures_requises;date_debut;date_fin;siret_attributaire;heures_attributaire\r\n" +
			"Tramway;T9-01;Génie civil;Communauté urbaine d'Arras;execution;1000;2026-01-01;2026-12-31;73282932000074;1000\r\n"
		header := "reference_marche;siret;participant;nom;prenom;date_naissance;sexe;commune;public;mois;heures;type_contrat;mode\n"
		good := "T9-01;73282932000074;P-1;Durand;Alice;1990-05-02;F;62041;BRSA;2026-03;151,67;CDD;EMBAUCHE_DIRECTE\n"
		bad := "T9-01;73282932000074;P-2;Petit;Bruno;1985-01-01;M;62041;RSA;2026-13;-4;CDD;EMBAUCHE_DIRECTE\n"
		cases := []struct {
			name, url, body string
			status          int
			contains        string
		}{
			{"the markets file", "/api/v1/imports/markets", markets, 200, `"markets":{"created":1`},
			{"an hours file with a bad line is refused whole", "/api/v1/imports/hours", header + good + bad, 422, `"line":3`},
			{"the valid rows only, on request", "/api/v1/imports/hours?accept_valid=true&dry_run=true", header + good + bad, 200, `"rejected":1`},
			{"the corrected file", "/api/v1/imports/hours", header + good, 200, `"lines":{"created":1`},
			{"the same file again replaces nothing", "/api/v1/imports/hours", header + good, 200, `"unchanged":1`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", f.srv.URL+tc.url, strings.NewReader(tc.body))
				req.Header.Set("Authorization", "Bearer "+tok["facilitator"])
				req.Header.Set("Content-Type", "text/csv")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.status || !bytes.Contains(body, []byte(tc.contains)) {
					t.Fatalf("status %d, want %d with %s: %s", res.StatusCode, tc.status, tc.contains, body)
				}
				c.checkMethod(t, "post", tc.url[:strings.IndexByte(tc.url+"?", '?')], tc.status, body)
			})
		}
	})
}
