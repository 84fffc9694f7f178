package clauses

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/web"
)

// maxImportFileBytes bounds an uploaded file of markets or hours.
const maxImportFileBytes = 20 << 20

// uploadTTL is how long an uploaded file waits for its confirmation.
const uploadTTL = time.Hour

// importKind is one of the two imports, as the pages and the API offer it.
type importKind struct {
	slug, title, lead string
	columns           []ImportColumn
	example           string
	may               func(access.Actor) bool
	run               func(*Service, context.Context, access.Actor, *tabular.Table, ImportOptions) (ImportReport, error)
}

var (
	marketsUpload = importKind{slug: "marches", title: "Importer des marchés",
		lead: "Une ligne par marché et par entreprise attributaire, les champs du marché répétés sur chacune de ses lignes. " +
			"Les opérations, acheteurs publics, marchés et entreprises (par SIRET) que le fichier nomme sont créés s'ils n'existent pas ; " +
			"un marché déjà connu (même référence) est mis à jour. Réimporter le même fichier ne change rien.",
		columns: MarketsFileColumns, may: access.CanCreateOperation, run: (*Service).ImportMarkets,
		example: "operation;reference;intitule;donneur_ordre;type_clause;heures_requises;date_debut;date_fin;siret_attributaire;heures_attributaire\r\n" +
			"Tramway ligne T9;T9-LOT1;Génie civil et voirie;Syndicat mixte des transports;execution;12000;2025-01-06;2026-12-31;73282932000074;8000\r\n" +
			"Tramway ligne T9;T9-LOT1;Génie civil et voirie;Syndicat mixte des transports;execution;12000;2025-01-06;2026-12-31;35600000000048;4000\r\n" +
			"Collèges du département;COL-2025;Entretien des espaces verts des collèges;Département;marche_insertion;5000;01/01/2025;31/12/2025;73282932000074;5000\r\n"}
	hoursUpload = importKind{slug: "heures", title: "Importer des heures d'insertion",
		lead: "Une ligne par participant, entreprise, marché, mois et type de contrat. Le marché doit exister et l'entreprise en être attributaire. " +
			"Un participant inconnu est enregistré ; une ligne déjà déclarée (même clé) est remplacée, son historique gardé, jamais ajoutée deux fois.",
		columns: HoursFileColumns, may: mayImportHours, run: (*Service).ImportHours,
		example: "reference_marche;siret;participant;nom;prenom;date_naissance;sexe;commune;public;mois;heures;type_contrat;mode\r\n" +
			"T9-LOT1;73282932000074;P-0001;Martin;Julie;12/04/1990;F;62041;BRSA;2025-03;151,67;CDDI;MISE_A_DISPOSITION\r\n" +
			"T9-LOT1;73282932000074;;Dupont;Karim;2001-05-12;M;Arras;JEUNE_26;2025-03;35;INTERIM;MISE_A_DISPOSITION\r\n"}
)

// registerImports adds the upload pages of the markets and hours files.
func (h Web) registerImports(mux *http.ServeMux) {
	for _, k := range []importKind{marketsUpload, hoursUpload} {
		mux.HandleFunc("GET /imports/"+k.slug, web.RequireUser(h.importForm(k)))
		mux.HandleFunc("POST /imports/"+k.slug, web.RequireUser(h.importPost(k)))
		mux.HandleFunc("GET /imports/"+k.slug+"/modele.csv", web.RequireUser(h.importExample(k)))
	}
}

// importPage is what an import page shows.
type importPage struct {
	Slug, Title, Lead, Header string
	Columns                   []ImportColumn
	Report                    *ImportReport
	Counts                    []importCountRow
	Refused                   string
	// UploadID names the checked file the user may now import.
	UploadID string
}

// importCountRow is a line of the table of what an import does.
type importCountRow struct {
	Label                       string
	Created, Updated, Unchanged int
	CreatedLabel, UpdatedLabel  string
}

func newImportPage(k importKind) importPage {
	return importPage{Slug: k.slug, Title: k.title, Lead: k.lead, Header: headerLine(k.columns), Columns: k.columns}
}

// withReport adds a report and the counts that matter for its kind.
func (p *importPage) withReport(rep *ImportReport) {
	p.Report = rep
	row := func(label string, c ImportCount) importCountRow {
		return importCountRow{Label: label, Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
	}
	if rep.Kind == "markets" {
		p.Counts = []importCountRow{row("Opérations", rep.Operations), row("Acheteurs publics", rep.Buyers), row("Entreprises", rep.Companies),
			row("Marchés", rep.Markets), row("Attributions", rep.Awards)}
		return
	}
	p.Counts = []importCountRow{row("Participants", rep.Participants),
		{Label: "Lignes d'heures", Created: rep.Lines.Created, Updated: rep.Lines.Replaced, Unchanged: rep.Lines.Unchanged}}
}

func (h Web) renderImport(w http.ResponseWriter, r *http.Request, status int, p importPage) {
	h.R.Render(w, r, status, templates, "templates/clauses_import.html", web.Page{Title: p.Title, Data: p})
}

func (h Web) importForm(k importKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !k.may(web.Actor(r.Context())) {
			h.R.Error(w, r, errs.New(errs.Forbidden, "Cet import est réservé à ceux qui déclarent les clauses."))
			return
		}
		h.renderImport(w, r, http.StatusOK, newImportPage(k))
	}
}

func (h Web) importExample(k importKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="modele-`+k.slug+`.csv"`)
		io.WriteString(w, "\ufeff"+k.example)
	}
}

// importPost checks an uploaded file (a dry run), or imports the file checked
// before when the user confirms.
func (h Web) importPost(k importKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := web.Actor(r.Context())
		if !k.may(a) {
			h.R.Error(w, r, errs.New(errs.Forbidden, "Cet import est réservé à ceux qui déclarent les clauses."))
			return
		}
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
			h.importPreview(w, r, k, a)
			return
		}
		h.importConfirm(w, r, k, a)
	}
}

func (h Web) importPreview(w http.ResponseWriter, r *http.Request, k importKind, a access.Actor) {
	p := newImportPage(k)
	data, name, err := readUpload(w, r)
	if err != nil {
		h.refuseImport(w, r, p, err)
		return
	}
	t, err := tabular.Open(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		h.refuseImport(w, r, p, err)
		return
	}
	rep, err := k.run(h.Svc, r.Context(), a, t, ImportOptions{DryRun: true, AcceptValid: true})
	if err != nil {
		h.refuseImport(w, r, p, err)
		return
	}
	p.withReport(&rep)
	if rep.Rows > rep.Rejected {
		if p.UploadID, err = keepUpload(k, a, data); err != nil {
			h.R.Error(w, r, errs.Wrap(errs.Internal, "Le fichier n'a pas pu être enregistré.", err))
			return
		}
	}
	h.renderImport(w, r, http.StatusOK, p)
}

func (h Web) importConfirm(w http.ResponseWriter, r *http.Request, k importKind, a access.Actor) {
	p := newImportPage(k)
	id := r.FormValue("upload")
	path, ok := uploadPath(k, a, id)
	data, err := os.ReadFile(path)
	if !ok || err != nil {
		h.refuseImport(w, r, p, errs.New(errs.NotFound, "Ce fichier n'est plus disponible : déposez-le à nouveau."))
		return
	}
	os.Remove(path)
	t, err := tabular.Open(bytes.NewReader(data), int64(len(data)), "")
	if err != nil {
		h.refuseImport(w, r, p, err)
		return
	}
	rep, err := k.run(h.Svc, r.Context(), a, t, ImportOptions{AcceptValid: r.FormValue("accept_valid") != ""})
	if err != nil && len(rep.Errors) == 0 {
		h.refuseImport(w, r, p, err)
		return
	}
	p.withReport(&rep)
	status := http.StatusOK
	if err != nil {
		p.Refused, status = errs.MessageOf(err), http.StatusUnprocessableEntity
	}
	h.renderImport(w, r, status, p)
}

// refuse shows the page with why the file cannot be imported; errors other
// than the file's own are shown as errors.
func (h Web) refuseImport(w http.ResponseWriter, r *http.Request, p importPage, err error) {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.NotFound, errs.Conflict:
		p.Refused = errs.MessageOf(err)
		h.renderImport(w, r, errs.HTTPStatus(err), p)
	default:
		h.R.Error(w, r, err)
	}
}

// readUpload reads the file of a request: the multipart field "file", or the raw body.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportFileBytes)
	tooBig := func(err error) error {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return errs.New(errs.Invalid, "Le fichier dépasse 20 Mo : découpez-le.")
		}
		return errs.Wrap(errs.Invalid, "Le fichier n'a pas pu être lu.", err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, "", tooBig(err)
		}
		name := ""
		if strings.Contains(ct, "spreadsheetml") {
			name = "fichier.xlsx"
		}
		return data, name, nil
	}
	if err := r.ParseMultipartForm(maxImportFileBytes); err != nil {
		return nil, "", tooBig(err)
	}
	defer r.MultipartForm.RemoveAll()
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, "", errs.New(errs.Invalid, "Joignez le fichier (CSV ou XLSX), dans le champ « file ».")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, "", tooBig(err)
	}
	return data, hdr.Filename, nil
}

// uploadDir keeps uploaded files between their check and their import.
func uploadDir() string { return filepath.Join(os.TempDir(), "tremplin-uploads") }

var uploadIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// uploadPath names the file an actor uploaded: another account or
// organisation cannot reach it, even knowing its id.
func uploadPath(k importKind, a access.Actor, id string) (string, bool) {
	if !uploadIDPattern.MatchString(id) {
		return "", false
	}
	owner := sha256.Sum256([]byte(a.UserID + "|" + a.OrgID))
	return filepath.Join(uploadDir(), "clauses-"+k.slug+"-"+hex.EncodeToString(owner[:8])+"-"+id), true
}

// keepUpload stores a checked file in a private file, and drops the
// files left unconfirmed for too long (they may hold personal data).
func keepUpload(k importKind, a access.Actor, data []byte) (string, error) {
	dir := uploadDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if old, err := filepath.Glob(filepath.Join(dir, "clauses-*")); err == nil {
		for _, f := range old {
			if st, err := os.Stat(f); err == nil && time.Since(st.ModTime()) > uploadTTL {
				os.Remove(f)
			}
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	path, _ := uploadPath(k, a, id)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return "", err
	}
	return id, f.Close()
}

// registerImports adds the import endpoints of the markets and hours files.
func (h API) registerImports(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/imports/markets", h.importFile(marketsUpload))
	mux.HandleFunc("POST /api/v1/imports/hours", h.importFile(hoursUpload))
}

// importJSON is the API's answer: the report, and the rejected rows as CSV
// text when the valid rows were imported on their own.
type importJSON struct {
	ImportReport
	RejectedCSV string `json:"rejected_csv,omitempty"`
}

// importFile takes a CSV or XLSX file, as the multipart field "file" or the
// raw body; dry_run=true checks only, accept_valid=true imports the valid
// rows and returns the rejected ones. A refused file answers 422 with the
// report listing every bad line.
func (h API) importFile(k importKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, name, err := readUpload(w, r)
		if err != nil {
			api.Error(w, err)
			return
		}
		t, err := tabular.Open(bytes.NewReader(data), int64(len(data)), name)
		if err != nil {
			api.Error(w, err)
			return
		}
		q := r.URL.Query()
		var rejected bytes.Buffer
		opt := ImportOptions{DryRun: q.Get("dry_run") == "true", AcceptValid: q.Get("accept_valid") == "true", Rejected: &rejected}
		rep, err := k.run(h.Svc, r.Context(), api.Actor(r.Context()), t, opt)
		if err != nil && len(rep.Errors) == 0 {
			api.Error(w, err)
			return
		}
		status := http.StatusOK
		if err != nil {
			status = http.StatusUnprocessableEntity
		}
		api.JSON(w, status, importJSON{ImportReport: rep, RejectedCSV: rejected.String()})
	}
}
