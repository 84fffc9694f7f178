package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
)

// multipartBody puts a file in the field "file", as a form upload sends it.
func multipartBody(t *testing.T, name, content string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func TestImportingAListThroughTheAPI(t *testing.T) {
	c := newContract(t)
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		valid := "Nom;Prénom;Date de naissance;RQTH\nMartin;Julie;17/05/1990;oui\nLefèvre;Zoé;02/03/1995;non\n"
		oneBad := valid + "Nowak;Sami;31/02/2001;\n"
		multipartType, multipartCSV := multipartBody(t, "jeunes.csv", oneBad)
		cases := []struct {
			name, token, query, contentType string
			body                            []byte
			status                          int
			contains, absent                string
		}{
			{"without a token", "", "", "text/csv", []byte(valid), 401, `"code":"unauthorized"`, ""},
			{"a référent may not import", f.referentToken, "", "text/csv", []byte(valid), 403, `"code":"forbidden"`, ""},
			{"a dry run", f.managerToken, "?dry_run=true", "text/csv", []byte(valid), 200,
				`"rows":2,"created":1,"updated":1,"unchanged":0,"rejected":0,"errors":[],"conflicts":[],"dry_run":true`, ""},
			{"one invalid row refuses the list", f.managerToken, "", "text/csv", []byte(oneBad), 422,
				`"errors":[{"line":4,"field":"birth_date","message":"cette date n'existe pas"}]`, "rejected_csv"},
			{"a mapping naming a missing column", f.managerToken, "?map[birth_date]=Naissance", "text/csv", []byte(valid), 422,
				`"fields":{"birth_date":"la colonne « Naissance » n'existe pas dans le fichier"}`, ""},
			{"an Excel 97 file", f.managerToken, "", "application/octet-stream", []byte{0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0}, 422, `Excel 97-2003`, ""},
			{"keeping the valid rows of a multipart upload", f.managerToken, "?keep_valid=true", multipartType, multipartCSV, 200,
				`"created":1,"updated":1,"unchanged":0,"rejected":1`, ""},
			{"the same list again", f.managerToken, "?keep_valid=true", multipartType, multipartCSV, 200,
				`"created":0,"updated":0,"unchanged":2,"rejected":1`, ""},
			{"a column mapped by hand", f.managerToken, "?map[birth_date]=Naiss.&map[rqth]=", "text/csv",
				[]byte("Nom,Prénom,Naiss.,RQTH\nPetit,Hugo,2000-12-12,peut-être\n"), 200, `"created":1`, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/imports/people"+tc.query, bytes.NewReader(tc.body))
				req.Header.Set("Content-Type", tc.contentType)
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.status || !bytes.Contains(body, []byte(tc.contains)) || (tc.absent != "" && bytes.Contains(body, []byte(tc.absent))) {
					t.Fatalf("status %d, want %d with %s and without %q: %s", res.StatusCode, tc.status, tc.contains, tc.absent, body)
				}
				c.checkMethod(t, "post", "/api/v1/imports/people", tc.status, body)
				if strings.Contains(tc.query, "keep_valid") {
					var rep struct {
						RejectedCSV string `json:"rejected_csv"`
					}
					json.Unmarshal(body, &rep)
					if !strings.Contains(rep.RejectedCSV, "Nom;Prénom;Date de naissance;RQTH;erreur\r\nNowak;Sami;31/02/2001;;ligne 4 : Date de naissance") {
						t.Errorf("rejected rows %q", rep.RejectedCSV)
					}
				}
			})
		}
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/people?q=martin", nil)
		req.Header.Set("Authorization", "Bearer "+f.managerToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Contains(body, []byte(`"publics":["rqth"]`)) {
			t.Fatalf("the declared public shows in the person's publics: %s", body)
		}
		c.check(t, "/api/v1/people", 200, body)
	})
}
