package people

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

// uploadDir keeps uploaded flows between their preview and their import.
func uploadDir() string { return filepath.Join(os.TempDir(), "tremplin-uploads") }

var uploadID = regexp.MustCompile(`^[0-9a-f]{32}$`)

type importData struct {
	Report   *ImportReport
	UploadID string
	Failed   bool
}

// registerImport adds the upload page of the CAF/MSA flow.
func (h Web) registerImport(mux *http.ServeMux) {
	mux.HandleFunc("GET /imports/caf", web.RequireUser(h.importForm))
	mux.HandleFunc("POST /imports/caf", web.RequireUser(h.importPreview))
	mux.HandleFunc("POST /imports/caf/{id}", web.RequireUser(h.importConfirm))
	mux.HandleFunc("GET /imports/caf/rapport", web.RequireUser(h.flowReport))
	h.R.AddNav(web.NavItem{Label: "Flux CAF/MSA", Href: "/imports/caf",
		Hint: "Importer le flux mensuel des allocataires du RSA : vérification, puis import.", Visible: mayImport})
}

func (h Web) importForm(w http.ResponseWriter, r *http.Request) {
	if !mayImport(web.Actor(r.Context())) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/import_caf.html", web.Page{Title: "Flux CAF/MSA", Data: importData{}})
}

// importPreview keeps the uploaded file and shows what importing it would do.
func (h Web) importPreview(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	if !mayImport(a) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	file, _, err := r.FormFile("flux")
	if err != nil {
		h.R.FormPage(w, r, templates, "templates/import_caf.html", web.Page{Title: "Flux CAF/MSA", Data: importData{}},
			errs.FieldErrors{"flux": "Choisissez le fichier XML du flux (vrsb0801)."}.Err())
		return
	}
	defer file.Close()
	id, path, err := keepUpload(file)
	if err != nil {
		h.R.Error(w, r, errs.Wrap(errs.Internal, "Le fichier n'a pas pu être enregistré.", err))
		return
	}
	h.runImport(w, r, a, id, path, true)
}

func (h Web) importConfirm(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	id := r.PathValue("id")
	if !mayImport(a) || !uploadID.MatchString(id) {
		h.R.Error(w, r, errs.New(errs.NotFound, "Page introuvable."))
		return
	}
	h.runImport(w, r, a, id, filepath.Join(uploadDir(), id+".xml"), false)
}

func (h Web) runImport(w http.ResponseWriter, r *http.Request, a access.Actor, id, path string, dryRun bool) {
	f, err := os.Open(path)
	if err != nil {
		h.R.Error(w, r, errs.New(errs.NotFound, "Ce fichier n'est plus disponible : déposez-le à nouveau."))
		return
	}
	defer f.Close()
	rep, err := h.Svc.ImportCAF(r.Context(), a, f, dryRun)
	if err != nil && len(rep.Errors) == 0 {
		h.R.Error(w, r, err)
		return
	}
	data := importData{Report: &rep, Failed: err != nil}
	if dryRun && err == nil {
		data.UploadID = id
	} else {
		os.Remove(path)
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	h.R.Render(w, r, status, templates, "templates/import_caf.html", web.Page{Title: "Flux CAF/MSA", Data: data})
}

func (h Web) flowReport(w http.ResponseWriter, r *http.Request) {
	rep, err := h.Svc.MonthlyReport(r.Context(), web.Actor(r.Context()), r.URL.Query().Get("flux"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/flow_report.html", web.Page{Title: "Rapport du flux CAF/MSA", Data: rep})
}

// keepUpload copies an uploaded flow to a private file named by a random id.
func keepUpload(src io.Reader) (string, string, error) {
	if err := os.MkdirAll(uploadDir(), 0o700); err != nil {
		return "", "", err
	}
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	path := filepath.Join(uploadDir(), id+".xml")
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
