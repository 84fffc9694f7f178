package jobs

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"tremplin/internal/platform/api"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/web"
)

// maxOfferFileBytes bounds an uploaded offers file; it holds no personal
// data, so it is read in memory.
const maxOfferFileBytes = 20 << 20

// uploadedTable reads the file of a request: the multipart field "file", or the raw body.
func uploadedTable(w http.ResponseWriter, r *http.Request) (*tabular.Table, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxOfferFileBytes)
	tooBig := errs.New(errs.Invalid, "Le fichier dépasse 20 Mo.")
	var data []byte
	name := ""
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(maxOfferFileBytes); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, nil, tooBig
			}
			return nil, nil, errs.Wrap(errs.Invalid, "Formulaire illisible.", err)
		}
		defer r.MultipartForm.RemoveAll()
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return nil, nil, errs.FieldErrors{"file": "Joignez le fichier des offres (CSV ou XLSX)."}.Err()
		}
		defer f.Close()
		name = hdr.Filename
		if data, err = io.ReadAll(f); err != nil {
			return nil, nil, err
		}
	} else {
		var err error
		if data, err = io.ReadAll(r.Body); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, nil, tooBig
			}
			return nil, nil, err
		}
		if strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			name = "offres.xlsx"
		}
	}
	t, err := tabular.Open(bytes.NewReader(data), int64(len(data)), name)
	return t, data, err
}

// offerImportJSON is the API's answer: the report, and the rejected rows as
// CSV text when the valid rows were kept.
type offerImportJSON struct {
	OfferImportReport
	RejectedCSV string `json:"rejected_csv,omitempty"`
}

// importOffers takes a CSV or XLSX file of offers; dry_run=true checks only,
// keep_valid=true imports the valid rows and returns the rejected ones.
func (h API) importOffers(w http.ResponseWriter, r *http.Request) {
	t, _, err := uploadedTable(w, r)
	if err != nil {
		api.Error(w, err)
		return
	}
	q := r.URL.Query()
	var rejected bytes.Buffer
	opts := OfferImportOptions{DryRun: q.Get("dry_run") == "true", KeepValid: q.Get("keep_valid") == "true", Rejected: &rejected}
	rep, err := h.Svc.ImportOffers(r.Context(), api.Actor(r.Context()), t, opts)
	if err != nil && len(rep.Errors) == 0 {
		api.Error(w, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		// The report names the lines that stopped the import: it is the answer.
		status = http.StatusUnprocessableEntity
	}
	api.JSON(w, status, offerImportJSON{OfferImportReport: rep, RejectedCSV: rejected.String()})
}

// importPageData is what the offers import page shows.
type importPageData struct {
	Report  *OfferImportReport
	Refused string
	Columns []string
}

// ImportColumns documents the columns of an offers file.
var ImportColumns = []string{"siret (SIRET de l'employeur ; inutile pour un employeur qui importe ses propres offres)",
	"reference (facultative : la même référence met l'offre à jour)", "intitule", "rome (K2204)",
	"contrat (CDI, CDD, INTERIM, APPRENTISSAGE, PROFESSIONNALISATION, CDDI, SAISONNIER)", "duree_mois", "heures_semaine (35 ou 17,5)",
	"postes", "date_debut (JJ/MM/AAAA)", "commune (code INSEE)", "permis (oui/non)", "vehicule (oui/non)",
	"qualifications (séparées par |)", "horaires (matin, soir, nuit, week-end, coupure)", "description", "metier_en_tension (oui/non)",
	"marche_clause (référence du marché)", "statut (open, filled, closed)"}

func (h Web) importPage(w http.ResponseWriter, r *http.Request) {
	if !canCreateOffers(web.Actor(r.Context())) {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Vous ne pouvez pas publier d'offres."))
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/offers_import.html",
		web.Page{Title: "Importer des offres", Data: importPageData{Columns: ImportColumns}})
}

func (h Web) importUpload(w http.ResponseWriter, r *http.Request) {
	d := importPageData{Columns: ImportColumns}
	t, _, err := uploadedTable(w, r)
	if err == nil {
		opts := OfferImportOptions{DryRun: r.FormValue("dry_run") != "", KeepValid: r.FormValue("keep_valid") != ""}
		var rep OfferImportReport
		rep, err = h.Svc.ImportOffers(r.Context(), web.Actor(r.Context()), t, opts)
		d.Report = &rep
	}
	status := http.StatusOK
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid && errs.CodeOf(err) != errs.Forbidden {
			h.R.Error(w, r, err)
			return
		}
		d.Refused, status = errs.MessageOf(err), errs.HTTPStatus(err)
	}
	h.R.Render(w, r, status, templates, "templates/offers_import.html", web.Page{Title: "Importer des offres", Data: d})
}
