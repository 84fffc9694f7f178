package clauses

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/web"
	"tremplin/internal/platform/xlsx"
)

// uploadServer serves the import pages and endpoints on a fresh database
// with the reference data,
// each request acting as the actor its X-Actor header names.
type uploadServer struct {
	t      *testing.T
	d      *db.DB
	url    string
	actors map[string]access.Actor
}

func newUploadServer(t *testing.T, d *db.DB) *uploadServer {
	t.Helper()
	// The application loads the communes at start: the example names Arras.
	if err := refdata.SeedFor(context.Background(), d, "62"); err != nil {
		t.Fatal(err)
	}
	svc := NewService(d, nil, Settings{})
	operator := access.System("test")
	operator.Territory = "62"
	s := &uploadServer{t: t, d: d, actors: map[string]access.Actor{
		"operator":  operator,
		"colleague": {UserID: db.NewID(), OrgID: db.NewID(), Territory: "62", Roles: []access.Role{access.RoleFacilitator}},
		"buyer":     {UserID: db.NewID(), OrgID: db.NewID(), Territory: "62", Roles: []access.Role{access.RolePublicBuyer}},
	}}
	mux := http.NewServeMux()
	Web{Svc: svc, R: web.NewRenderer()}.registerImports(mux)
	API{Svc: svc}.registerImports(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := s.actors[r.Header.Get("X-Actor")]
		ctx := web.WithActor(api.WithActor(r.Context(), a), a, auth.User{}, "")
		mux.ServeHTTP(w, r.WithContext(ctx))
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// do sends a request as who and returns the status and the body.
func (s *uploadServer) do(who, method, path, contentType string, body []byte) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("X-Actor", who)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// upload posts a file as a form's file input sends it.
func (s *uploadServer) upload(who, path, name string, data []byte) (int, string) {
	s.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return s.do(who, "POST", path, mw.FormDataContentType(), b.Bytes())
}

func (s *uploadServer) form(who, path string, v url.Values) (int, string) {
	s.t.Helper()
	return s.do(who, "POST", path, "application/x-www-form-urlencoded", []byte(v.Encode()))
}

func (s *uploadServer) count(table string) int {
	s.t.Helper()
	var n int
	if err := s.d.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

var uploadIDInPage = regexp.MustCompile(`name="upload" value="([0-9a-f]{32})"`)

func TestTheImportPagesCheckThenImport(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newUploadServer(t, d)
		status, page := s.do("operator", "GET", "/imports/marches", "", nil)
		if status != 200 || !strings.Contains(page, headerLine(MarketsFileColumns)) || !strings.Contains(page, `href="/imports/marches/modele.csv"`) {
			t.Fatalf("the form shows the expected header and the example: %d\n%s", status, page)
		}
		if status, _ := s.do("buyer", "GET", "/imports/marches", "", nil); status != 403 {
			t.Errorf("a buyer opens the markets import: %d", status)
		}
		status, example := s.do("operator", "GET", "/imports/marches/modele.csv", "", nil)
		if status != 200 || !strings.HasPrefix(example, "\ufeffoperation;reference;") {
			t.Fatalf("example: %d %q", status, example)
		}
		bad := example + "Tramway ligne T9;T9-LOT2;Voirie;Syndicat mixte des transports;execution;100;2025-01-06;2024-12-31;73282932000074;100\r\n"
		status, page = s.upload("operator", "/imports/marches", "marches.csv", []byte(bad))
		if status != 200 || !strings.Contains(page, "Vérification du fichier") || !strings.Contains(page, "<code>date_fin</code>") ||
			!strings.Contains(page, "Importer les lignes valides") || s.count("clause_markets") != 0 {
			t.Fatalf("the check lists the bad line and offers the valid ones: %d\n%s", status, page)
		}
		id := uploadIDInPage.FindStringSubmatch(page)
		if id == nil {
			t.Fatalf("no upload to confirm:\n%s", page)
		}
		if status, page := s.form("colleague", "/imports/marches", url.Values{"upload": {id[1]}, "accept_valid": {"1"}}); status != 404 ||
			!strings.Contains(page, "plus disponible") {
			t.Errorf("another account confirms the upload: %d", status)
		}
		status, page = s.form("operator", "/imports/marches", url.Values{"upload": {id[1]}, "accept_valid": {"1"}})
		if status != 200 || !strings.Contains(page, "Rapport d'import") || s.count("clause_markets") != 2 {
			t.Fatalf("the valid rows imported: %d %d\n%s", status, s.count("clause_markets"), page)
		}
		if status, _ := s.form("operator", "/imports/marches", url.Values{"upload": {id[1]}}); status != 404 {
			t.Errorf("an upload is imported once: %d", status)
		}

		_, hours := s.do("operator", "GET", "/imports/heures/modele.csv", "", nil)
		status, page = s.upload("operator", "/imports/heures", "heures.csv", []byte(hours))
		if status != 200 || !strings.Contains(page, "Confirmer l'import") || strings.Contains(page, "Lignes en erreur") {
			t.Fatalf("the hours example checks clean: %d\n%s", status, page)
		}
		id = uploadIDInPage.FindStringSubmatch(page)
		status, page = s.form("operator", "/imports/heures", url.Values{"upload": {id[1]}})
		if status != 200 || !strings.Contains(page, "Rapport d'import") || s.count("clause_hours") != 2 || s.count("clause_participants") != 2 {
			t.Fatalf("hours imported: %d\n%s", status, page)
		}
		status, page = s.upload("operator", "/imports/heures", "heures.ods", []byte("x"))
		if status != 422 || !strings.Contains(page, "Import refusé") || !strings.Contains(page, "OpenDocument") {
			t.Errorf("a file that is not a table: %d\n%s", status, page)
		}
	})
}

func TestTheImportEndpoints(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s := newUploadServer(t, d)
		markets := []byte(marketsUpload.example)
		var rep importJSON
		decode := func(body string) {
			t.Helper()
			rep = importJSON{}
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
		}
		status, body := s.do("operator", "POST", "/api/v1/imports/markets?dry_run=true", "text/csv", markets)
		if decode(body); status != 200 || !rep.DryRun || rep.Markets.Created != 2 || s.count("clause_markets") != 0 {
			t.Fatalf("dry run: %d %s", status, body)
		}
		status, body = s.do("operator", "POST", "/api/v1/imports/markets", "text/csv", markets)
		if decode(body); status != 200 || rep.Markets.Created != 2 || rep.Awards.Created != 3 || rep.Kind != "markets" {
			t.Fatalf("raw body: %d %s", status, body)
		}
		if status, body := s.do("buyer", "POST", "/api/v1/imports/markets", "text/csv", markets); status != 403 || !strings.Contains(body, `"forbidden"`) {
			t.Errorf("a buyer imports markets: %d %s", status, body)
		}

		hours := strings.ReplaceAll(hoursUpload.example, "151,67", "-3")
		status, body = s.upload("operator", "/api/v1/imports/hours", "heures.csv", []byte(hours))
		if decode(body); status != 422 || len(rep.Errors) != 1 || rep.Errors[0] != (ImportError{Line: 2, Column: "heures", Message: "les heures ne peuvent pas être négatives."}) ||
			s.count("clause_hours") != 0 {
			t.Fatalf("a refused file: %d %s", status, body)
		}
		status, body = s.upload("operator", "/api/v1/imports/hours?accept_valid=true", "heures.csv", []byte(hours))
		if decode(body); status != 200 || rep.Lines.Created != 1 || rep.Rejected != 1 || !strings.Contains(rep.RejectedCSV, "ligne 2 : heures : les heures ne peuvent pas être négatives.") {
			t.Fatalf("the valid rows with the rejected ones: %d %s", status, body)
		}

		wb := xlsx.New()
		sh := wb.Sheet("Heures")
		var header []any
		for _, c := range HoursFileColumns[:13] {
			header = append(header, c.Name)
		}
		sh.Row(header...)
		sh.Row("T9-LOT1", "73282932000074", "P-0001", "Martin", "Julie", "12/04/1990", "F", "62041", "BRSA", "2025-03", 151.67, "CDDI", "MISE_A_DISPOSITION")
		var book bytes.Buffer
		wb.WriteTo(&book)
		status, body = s.do("operator", "POST", "/api/v1/imports/hours", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", book.Bytes())
		if decode(body); status != 200 || rep.Lines.Created != 1 || rep.Participants.Created != 1 {
			t.Fatalf("a workbook: %d %s", status, body)
		}
		if status, body := s.do("operator", "POST", "/api/v1/imports/hours", "text/csv", []byte("a;b\n1;2\n")); status != 422 || !strings.Contains(body, "reference_marche") {
			t.Errorf("a file without the header: %d %s", status, body)
		}
	})
}
