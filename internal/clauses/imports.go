package clauses

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/tabular"
)

// maxImportRows bounds a file of markets or hours: a département's year of
// hours (some 1,300 people × 12 months) fits well below.
var maxImportRows = 100000

// maxReportedErrors bounds the errors a report lists; every bad line is still rejected and counted.
const maxReportedErrors = 1000

// auditBatch bounds the events written by one statement, under the engines' limits on parameters.
const auditBatch = 500

// ImportOptions choose how a file of markets or hours is imported.
type ImportOptions struct {
	// DryRun checks the file and counts what importing it would do, writing nothing.
	DryRun bool
	// AcceptValid imports the valid rows even when others are bad, and
	// writes the rejected ones, with their reason, to Rejected.
	AcceptValid bool
	Rejected    io.Writer
}

// ImportCount counts the records of one kind an import creates, updates or
// finds as they already were.
type ImportCount struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// LineCount counts the lines of hours an import adds, replaces (same key,
// other hours or mode) or finds already declared as they are.
type LineCount struct {
	Created   int `json:"created"`
	Replaced  int `json:"replaced"`
	Unchanged int `json:"unchanged"`
}

// ImportError is one problem of one line of a file; Column is empty when the
// whole line could not be read.
type ImportError struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ImportReport says what an import of markets or hours did, or would do on
// a dry run: nothing is counted as written when the file is refused.
type ImportReport struct {
	// Kind is "markets" or "hours".
	Kind         string        `json:"kind"`
	Rows         int           `json:"rows"`
	Operations   ImportCount   `json:"operations"`
	Buyers       ImportCount   `json:"buyers"`
	Companies    ImportCount   `json:"companies"`
	Markets      ImportCount   `json:"markets"`
	Awards       ImportCount   `json:"awards"`
	Participants ImportCount   `json:"participants"`
	Lines        LineCount     `json:"lines"`
	Rejected     int           `json:"rejected"`
	Errors       []ImportError `json:"errors"`
	DryRun       bool          `json:"dry_run"`
}

// ImportColumn is a column of an import file, with what it holds in French.
type ImportColumn struct {
	Name string
	Help string
	// Optional columns may be left out of the header.
	Optional bool
}

// MarketsFileColumns are the columns of a file of markets, in the order of the header.
var MarketsFileColumns = []ImportColumn{
	{Name: "operation", Help: "nom de l'opération (créée si elle n'existe pas)"},
	{Name: "reference", Help: "référence du marché ou du lot, unique sur le territoire"},
	{Name: "intitule", Help: "intitulé du marché"},
	{Name: "donneur_ordre", Help: "nom de l'acheteur public (créé s'il n'existe pas)"},
	{Name: "type_clause", Help: "execution, reserve, attribution ou marche_insertion"},
	{Name: "heures_requises", Help: "heures d'insertion dues sur le marché (151,67 ou 151.67)"},
	{Name: "date_debut", Help: "AAAA-MM-JJ ou JJ/MM/AAAA"},
	{Name: "date_fin", Help: "AAAA-MM-JJ ou JJ/MM/AAAA"},
	{Name: "siret_attributaire", Help: "SIRET de l'entreprise attributaire (créée si inconnue) ; une ligne par entreprise, les champs du marché répétés"},
	{Name: "heures_attributaire", Help: "part des heures revenant à cette entreprise"},
}

// HoursFileColumns are the columns of a file of monthly hours, in the order of the header.
var HoursFileColumns = []ImportColumn{
	{Name: "reference_marche", Help: "référence du marché"},
	{Name: "siret", Help: "SIRET de l'entreprise attributaire qui déclare les heures"},
	{Name: "participant", Help: "identifiant du participant chez le facilitateur ; vide : nom, prénom et date de naissance l'identifient", Optional: true},
	{Name: "nom", Help: "nom du participant", Optional: true},
	{Name: "prenom", Help: "prénom du participant", Optional: true},
	{Name: "date_naissance", Help: "AAAA-MM-JJ ou JJ/MM/AAAA", Optional: true},
	{Name: "sexe", Help: "F ou M", Optional: true},
	{Name: "commune", Help: "code INSEE de la commune de résidence, ou son nom", Optional: true},
	{Name: "public", Help: "BRSA, DELD, JEUNE_26, RQTH, MINIMA_SOCIAUX, SIAE ou AUTRE (obligatoire pour un nouveau participant)"},
	{Name: "mois", Help: "AAAA-MM"},
	{Name: "heures", Help: "heures du mois (151,67 ou 151.67)"},
	{Name: "type_contrat", Help: "CDI, CDD, INTERIM, CDDI, APPRENTISSAGE, PROFESSIONNALISATION ou FORMATION"},
	{Name: "mode", Help: "EMBAUCHE_DIRECTE, MISE_A_DISPOSITION, SOUS_TRAITANCE, COTRAITANCE ou FORMATION"},
	{Name: "motif_public", Help: "avis motivé du facilitateur, pour un public AUTRE", Optional: true},
}

// importColumns finds each known column of a header, ignoring case, accents,
// spaces and underscores; other columns are ignored, as in the offers import.
func importColumns(header []string, known []ImportColumn) (map[string]int, error) {
	byFold := map[string]string{}
	for _, c := range known {
		byFold[refdata.Fold(c.Name)] = c.Name
	}
	cols := map[string]int{}
	for i, h := range header {
		name, ok := byFold[refdata.Fold(h)]
		if !ok {
			continue
		}
		if _, dup := cols[name]; dup {
			return nil, errs.Newf(errs.Invalid, "La colonne %q apparaît deux fois dans l'en-tête.", h)
		}
		cols[name] = i
	}
	var missing []string
	for _, c := range known {
		if _, ok := cols[c.Name]; !ok && !c.Optional {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, errs.Newf(errs.Invalid, "Colonnes obligatoires absentes de l'en-tête : %s. L'en-tête attendu est : %s.",
			strings.Join(missing, ", "), headerLine(known))
	}
	return cols, nil
}

// headerLine writes the expected header of a file.
func headerLine(cols []ImportColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ";")
}

// fileRow is a line of a file with the problems found on it.
type fileRow struct {
	line int
	raw  []string
	cols map[string]int
	bad  []ImportError
}

// get returns the trimmed value of a column, "" when the header lacks it.
func (r *fileRow) get(col string) string {
	if i, ok := r.cols[col]; ok && i < len(r.raw) {
		return strings.TrimSpace(r.raw[i])
	}
	return ""
}

func (r *fileRow) fail(col, msg string) {
	r.bad = append(r.bad, ImportError{Line: r.line, Column: col, Message: msg})
}

func (r *fileRow) ok() bool { return len(r.bad) == 0 }

// reason writes the problems of a row in one French sentence, for the file of rejected rows.
func (r *fileRow) reason() string {
	parts := make([]string, len(r.bad))
	for i, e := range r.bad {
		parts[i] = e.Message
		if e.Column != "" {
			parts[i] = e.Column + " : " + e.Message
		}
	}
	return strings.Join(parts, " ; ")
}

// readFileRows reads every row of a table; a row the table cannot read is
// kept as a bad row, so that every bad line is listed.
func readFileRows(t *tabular.Table, cols map[string]int, rep *ImportReport) ([]*fileRow, error) {
	var rows []*fileRow
	for {
		raw, line, err := t.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		var re *tabular.RowError
		if errors.As(err, &re) {
			r := &fileRow{line: line, cols: cols}
			r.fail("", re.Msg)
			rows = append(rows, r)
			rep.Rows++
			continue
		}
		if err != nil {
			return nil, err
		}
		rep.Rows++
		if rep.Rows > maxImportRows {
			return nil, errs.Newf(errs.Invalid, "Le fichier dépasse %d lignes : découpez-le.", maxImportRows)
		}
		rows = append(rows, &fileRow{line: line, raw: raw, cols: cols})
	}
}

// conclude lists the bad rows in the report and decides whether the import
// goes on: it stops with an error when a row is bad and the valid rows are
// not accepted on their own.
func concludeImport(rows []*fileRow, header []string, opt ImportOptions, rep *ImportReport) error {
	var bad []*fileRow
	for _, r := range rows {
		if r.ok() {
			continue
		}
		bad = append(bad, r)
		for _, e := range r.bad {
			if len(rep.Errors) < maxReportedErrors {
				rep.Errors = append(rep.Errors, e)
			}
		}
	}
	rep.Rejected = len(bad)
	if len(bad) > 0 && !opt.AcceptValid {
		return errs.Newf(errs.Invalid, "Le fichier contient %d ligne(s) en erreur : rien n'a été importé.", len(bad))
	}
	if len(bad) > 0 && !opt.DryRun && opt.Rejected != nil {
		return writeRejected(opt.Rejected, header, bad)
	}
	return nil
}

// writeRejected writes the rejected rows as CSV, with their reason in a last column.
func writeRejected(w io.Writer, header []string, rows []*fileRow) error {
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	if err := cw.Write(tabular.SafeCells(append(slices.Clone(header), "erreur"))); err != nil {
		return err
	}
	for _, r := range rows {
		cells := make([]string, len(header))
		copy(cells, r.raw)
		if err := cw.Write(tabular.SafeCells(append(cells, fmt.Sprintf("ligne %d : %s", r.line, r.reason())))); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// importCode reads a coded value the way people type it: "Mise à
// disposition" is MISE_A_DISPOSITION, "marché insertion" marche_insertion.
func importCode(s string) string { return strings.ReplaceAll(refdata.Fold(s), " ", "_") }

// parseImportHours reads a number of hours of a file, in hundredths.
func parseImportHours(s string) (Hours, error) {
	h, err := ParseHours(s)
	if err != nil {
		return 0, errs.New(errs.Invalid, "nombre d'heures attendu (par exemple 151,67 ou 151.67), lu « "+clipped(s)+" ».")
	}
	if h < 0 {
		return 0, errs.New(errs.Invalid, "les heures ne peuvent pas être négatives.")
	}
	return h, nil
}

// clip shortens a value quoted in a message.
func clipped(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// logEvents writes audit events by batches, inside the import's transaction.
func logImportEvents(ctx context.Context, tx *db.Tx, a access.Actor, events []audit.Event) error {
	for len(events) > 0 {
		n := min(len(events), auditBatch)
		if err := audit.LogBatchTx(ctx, tx, a, events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// importConflict explains a uniqueness violation met while writing: the
// database changed between the check and the write.
func importConflict(err error) error {
	if db.IsUniqueViolation(err) {
		return errs.Wrap(errs.Conflict, "Les données ont changé pendant l'import : recommencez.", err)
	}
	return err
}

// linesLabel writes line numbers the French way: "lignes 3, 5 et 8".
func linesLabel(lines []int) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = strconv.Itoa(l)
	}
	if len(parts) == 1 {
		return "ligne " + parts[0]
	}
	return "lignes " + strings.Join(parts[:len(parts)-1], ", ") + " et " + parts[len(parts)-1]
}
