package people

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/web"
)

// maxListBytes bounds an uploaded list: a partner's list of people is far smaller.
const maxListBytes = 50 << 20

// listUploadTTL is how long an uploaded list waits for its import.
const listUploadTTL = 24 * time.Hour

// sampleRows is how many rows the mapping step shows.
const sampleRows = 5

// listPage is what the list import page shows at each step.
type listPage struct {
	UploadID  string
	FileName  string
	Header    []string
	Samples   [][]string
	Fields    []mappingField
	KeepValid bool
	// Report is the dry run (Done false) or the import (Done true).
	Report    *ListReport
	Done      bool
	Failed    bool
	CanImport bool
	// RejectedHref downloads the rejected rows after an import that kept the valid ones.
	RejectedHref template.URL
	path         string
}

// mappingField is a select of the mapping step.
type mappingField struct {
	Key, Label string
	Required   bool
	Column     string
}

// registerListImport adds the pages that import a partner's list.
func (h Web) registerListImport(mux *http.ServeMux) {
	mux.HandleFunc("GET /imports/personnes", web.RequireUser(h.listForm))
	mux.HandleFunc("POST /imports/personnes", web.RequireUser(h.listUpload))
	mux.HandleFunc("POST /imports/personnes/{id}", web.RequireUser(h.listStep))
	h.R.AddNav(web.NavItem{Label: "Import de listes", Href: "/imports/personnes",
		Hint: "Importer les listes de personnes des partenaires (CSV ou tableur), avec les publics qu'elles déclarent.", Visible: MayImportList})
}

func (h Web) renderList(w http.ResponseWriter, r *http.Request, status int, data listPage, fields map[string]string, summary string) {
	p := web.Page{Title: "Import de listes de personnes", Data: data, Errors: fields, ErrorSummary: summary}
	h.R.Render(w, r, status, templates, "templates/import_list.html", p)
}

func (h Web) listForm(w http.ResponseWriter, r *http.Request) {
	if !MayImportList(web.Actor(r.Context())) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	h.renderList(w, r, http.StatusOK, listPage{}, nil, "")
}

// listUpload keeps the uploaded file for the next steps and shows its columns.
func (h Web) listUpload(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	if !MayImportList(a) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxListBytes)
	file, hdr, err := r.FormFile("fichier")
	if err != nil {
		h.renderList(w, r, http.StatusUnprocessableEntity, listPage{},
			map[string]string{"fichier": "Choisissez le fichier de la liste (CSV ou XLSX, 50 Mo au plus)."}, "")
		return
	}
	defer file.Close()
	removeStaleLists()
	id, kept, err := keepList(file, a, hdr.Filename)
	if err != nil {
		h.R.Error(w, r, errs.Wrap(errs.Internal, "Le fichier n'a pas pu être enregistré.", err))
		return
	}
	data, t, closeFile, err := h.openList(a, id)
	if err != nil {
		os.Remove(kept)
		h.renderList(w, r, http.StatusUnprocessableEntity, listPage{}, map[string]string{"fichier": errs.MessageOf(err)}, "")
		return
	}
	defer closeFile()
	data.Fields = mappingFields(GuessMapping(t.Header()))
	h.renderList(w, r, http.StatusOK, data, nil, "")
}

// listStep checks the file with the chosen mapping, or imports it.
func (h Web) listStep(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	id := r.PathValue("id")
	if !MayImportList(a) || !uploadID.MatchString(id) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	if err := r.ParseForm(); err != nil {
		h.R.Error(w, r, errs.Wrap(errs.Invalid, "Formulaire illisible.", err))
		return
	}
	data, t, closeFile, err := h.openList(a, id)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	kept := data.path
	defer closeFile()
	m := Mapping{}
	for _, f := range ListFields {
		if col := r.PostForm.Get("colonne_" + f.Key); col != "" {
			m[f.Key] = col
		}
	}
	data.Fields, data.KeepValid = mappingFields(m), r.PostForm.Get("garder") == "1"
	importing := r.PostForm.Get("etape") == "importer"
	opts := Options{DryRun: !importing, KeepValid: data.KeepValid}
	var spool *os.File
	switch {
	case importing && data.KeepValid:
		// The rejected rows go to a private temporary file as they are found.
		if spool, err = os.CreateTemp("", "tremplin-rejets-*.csv"); err != nil {
			h.R.Error(w, r, err)
			return
		}
		defer removeSpool(spool)
		opts.Rejected = spool
	case data.KeepValid:
		// The check offers no download: its rejected rows are not kept.
		opts.Rejected = io.Discard
	}
	rep, err := h.Svc.ImportList(r.Context(), a, t, m, opts)
	if fields := errs.FieldsOf(err); len(fields) > 0 {
		shown := map[string]string{}
		for k, msg := range fields {
			shown["colonne_"+k] = FieldLabel(k) + " : " + msg
		}
		h.renderList(w, r, http.StatusUnprocessableEntity, data, shown, errs.MessageOf(err))
		return
	}
	if errs.Is(err, errs.Invalid) && len(rep.Errors) == 0 {
		// A refusal of the whole file (too many rows): the page stays, with its message.
		h.renderList(w, r, http.StatusUnprocessableEntity, data, map[string]string{"": errs.MessageOf(err)}, "Le fichier ne peut pas être importé.")
		return
	}
	if err != nil && len(rep.Errors) == 0 {
		h.R.Error(w, r, err)
		return
	}
	data.Report, data.Failed = &rep, err != nil
	data.CanImport = !importing && err == nil && rep.Rows > rep.Rejected
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	if importing && err == nil {
		data.Done = true
		os.Remove(kept)
		if spool != nil && rep.Rejected > 0 {
			if data.RejectedHref, err = rejectedHref(spool); err != nil {
				h.R.Error(w, r, err)
				return
			}
		}
	}
	h.renderList(w, r, status, data, nil, "")
}

// rejectedHref carries the rejected rows in the page itself, so that they
// are never kept on the server once the import is done.
func rejectedHref(spool *os.File) (template.URL, error) {
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("data:text/csv;charset=utf-8;base64,")
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	if _, err := io.Copy(enc, spool); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	// The URL is built here from base64 text only: nothing in it comes from the file unencoded.
	return template.URL(b.String()), nil
}

// removeSpool deletes a temporary file of rejected rows: they hold personal data.
func removeSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// openList opens a kept upload and reads its header and first rows.
func (h Web) openList(a access.Actor, id string) (listPage, *tabular.Table, func(), error) {
	path := listPath(a, id)
	matches, _ := filepath.Glob(path + ".*")
	if len(matches) != 1 {
		return listPage{}, nil, nil, errs.New(errs.NotFound, "Ce fichier n'est plus disponible : déposez-le à nouveau.")
	}
	f, err := os.Open(matches[0])
	if err != nil {
		return listPage{}, nil, nil, errs.New(errs.NotFound, "Ce fichier n'est plus disponible : déposez-le à nouveau.")
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return listPage{}, nil, nil, err
	}
	name, _ := url.PathUnescape(strings.TrimPrefix(matches[0], path+"."))
	t, err := tabular.Open(f, st.Size(), name)
	if err != nil {
		f.Close()
		return listPage{}, nil, nil, err
	}
	data := listPage{UploadID: id, FileName: name, Header: t.Header(), path: matches[0]}
	// The samples come from a second reading, so that the import reads the file from its start.
	if sample, err := tabular.Open(f, st.Size(), name); err == nil {
		for len(data.Samples) < sampleRows {
			row, _, err := sample.Next()
			if errors.Is(err, io.EOF) || err != nil && !isRowError(err) {
				break
			}
			if err == nil {
				data.Samples = append(data.Samples, row)
			}
		}
	}
	return data, t, func() { f.Close() }, nil
}

func isRowError(err error) bool {
	var re *tabular.RowError
	return errors.As(err, &re)
}

// mappingFields lists the fields with the column each is mapped to.
func mappingFields(m Mapping) []mappingField {
	out := make([]mappingField, len(ListFields))
	for i, f := range ListFields {
		out[i] = mappingField{Key: f.Key, Label: f.Label, Required: f.Required, Column: m[f.Key]}
	}
	return out
}

// listOwner ties an upload to the account and organisation that sent it:
// nobody else can use its identifier.
func listOwner(a access.Actor) string {
	sum := sha256.Sum256([]byte(a.UserID + "\x00" + a.OrgID))
	return hex.EncodeToString(sum[:8])
}

// listPath is the kept file of an upload, without its extension (which
// keeps the uploaded file's name, escaped).
func listPath(a access.Actor, id string) string {
	return filepath.Join(uploadDir(), "liste-"+id+"-"+listOwner(a))
}

// keepList copies an uploaded list to a private file named by a random id
// and the uploaded file's name, and returns the id and the path.
func keepList(src io.Reader, a access.Actor, filename string) (string, string, error) {
	if err := os.MkdirAll(uploadDir(), 0o700); err != nil {
		return "", "", err
	}
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	base := filepath.Base(filepath.Clean("/" + strings.ReplaceAll(filename, "\\", "/")))
	if base == "/" || base == "." {
		base = "liste"
	}
	// The name keeps its end (the extension) within a length every file system takes.
	name := url.PathEscape(string([]rune(base)[max(0, len([]rune(base))-60):]))
	path := listPath(a, id) + "." + name
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", "", err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(path)
		return "", "", err
	}
	return id, path, dst.Close()
}

// removeStaleLists deletes the uploads never imported: they hold personal data.
func removeStaleLists() {
	old, _ := filepath.Glob(filepath.Join(uploadDir(), "liste-*"))
	for _, p := range old {
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > listUploadTTL {
			os.Remove(p)
		}
	}
}

// listReportJSON is the API's answer: the report, and the rejected rows as
// CSV text when the valid rows were kept.
type listReportJSON struct {
	ListReport
	RejectedCSV string `json:"rejected_csv,omitempty"`
}

// importPeople takes a list as a multipart file field "file" or as the raw
// body (text/csv or XLSX); map[field]=Column overrides the guessed mapping.
func (h API) importPeople(w http.ResponseWriter, r *http.Request) {
	a := api.Actor(r.Context())
	if a.Authenticated() && !MayImportList(a) {
		api.Error(w, errs.New(errs.Forbidden, "Seuls les administrateurs et chargés d'orientation des structures, et les responsables du département, importent des listes de personnes."))
		return
	}
	q := r.URL.Query()
	over := Mapping{}
	for k, vs := range q {
		if key, ok := strings.CutPrefix(k, "map["); ok && strings.HasSuffix(key, "]") && len(vs) > 0 {
			over[strings.TrimSuffix(key, "]")] = vs[0]
		}
	}
	src, size, name, cleanup, err := requestFile(w, r)
	if err != nil {
		api.Error(w, err)
		return
	}
	defer cleanup()
	t, err := tabular.Open(src, size, name)
	if err != nil {
		api.Error(w, err)
		return
	}
	opts := Options{DryRun: q.Get("dry_run") == "true", KeepValid: q.Get("keep_valid") == "true"}
	var spool *os.File
	if opts.KeepValid {
		// The rejected rows go to a private temporary file as they are found.
		if spool, err = os.CreateTemp("", "tremplin-rejets-*.csv"); err != nil {
			api.Error(w, err)
			return
		}
		defer removeSpool(spool)
		opts.Rejected = spool
	}
	rep, err := h.Svc.ImportList(r.Context(), a, t, GuessMapping(t.Header()).With(over), opts)
	if err != nil && len(rep.Errors) == 0 {
		api.Error(w, err)
		return
	}
	out := listReportJSON{ListReport: rep}
	if spool != nil && err == nil && rep.Rejected > 0 {
		var b strings.Builder
		if _, err := spool.Seek(0, io.SeekStart); err != nil {
			api.Error(w, err)
			return
		}
		if _, err := io.Copy(&b, spool); err != nil {
			api.Error(w, err)
			return
		}
		out.RejectedCSV = b.String()
	}
	status := http.StatusOK
	if err != nil {
		// The report names the rows that stopped the import: it is the answer.
		status = http.StatusUnprocessableEntity
	}
	api.JSON(w, status, out)
}

// requestFile gives the uploaded list as a file that can be read at any
// offset: the multipart part (kept on disk past a megabyte), or the raw body
// copied to a temporary file.
func requestFile(w http.ResponseWriter, r *http.Request) (io.ReaderAt, int64, string, func(), error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxListBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	tooBig := errs.New(errs.Invalid, "Le fichier dépasse 50 Mo.")
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, 0, "", nil, tooBig
			}
			return nil, 0, "", nil, errs.Wrap(errs.Invalid, "Formulaire multipart illisible.", err)
		}
		f, hdr, err := r.FormFile("file")
		if err != nil {
			r.MultipartForm.RemoveAll()
			return nil, 0, "", nil, errs.FieldErrors{"file": "joignez le fichier de la liste dans le champ « file »"}.Err()
		}
		return f, hdr.Size, hdr.Filename, func() { f.Close(); r.MultipartForm.RemoveAll() }, nil
	}
	tmp, err := os.CreateTemp("", "tremplin-liste-*")
	if err != nil {
		return nil, 0, "", nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	size, err := io.Copy(tmp, r.Body)
	if err != nil {
		cleanup()
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, 0, "", nil, tooBig
		}
		return nil, 0, "", nil, errs.Wrap(errs.Invalid, "Le fichier n'a pas pu être lu.", err)
	}
	name := ""
	switch ct {
	case "text/csv", "text/plain", "text/tab-separated-values", "application/csv":
		name = "liste.csv"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		name = "liste.xlsx"
	}
	return tmp, size, name, cleanup, nil
}
