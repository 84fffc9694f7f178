package people

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"

	"tremplin/internal/platform/refdata"
)

// Options say how a list is imported.
type Options struct {
	// DryRun checks and counts without writing anything.
	DryRun bool
	// KeepValid writes the valid rows and returns the rejected ones, instead
	// of refusing the whole file when one row is invalid.
	KeepValid bool
	// Rejected, with KeepValid, receives every rejected row as the import
	// reads it, in the format of WriteRejected (nothing at all when no row
	// is rejected), so that the rows never pile up in memory; the report
	// then keeps none of them. What it received is incomplete when the
	// import returns an error: discard it then.
	Rejected io.Writer
}

// ListError is a problem with one value of a row (Field empty: the whole row or file).
type ListError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Label names the field of the error in French.
func (e ListError) Label() string { return FieldLabel(e.Field) }

// ListReport tells what importing a list did, or would do in a dry run.
//
// A report that wrote nothing (a dry run, or a list refused) must not tell
// an importer whether someone it may not read is already in the registry:
// otherwise checking a one-row file would answer that question for anyone.
// So, unless the importer may read every file of the registry, such a
// report counts the rows that would create a file together with the rows
// matched to a file the importer may not read, in CreateOrMatch, never row
// by row; Created is then 0, and Updated and Unchanged count only the
// files the importer may read. A row matched to a file created earlier in
// the same list counts in CreateOrMatch too (that match would tell that the
// person was new), and lists no conflict. Conflicts only ever name files
// the importer may read. An import that wrote its rows reports the true
// counts, in aggregate only: it is traced in the audit log.
type ListReport struct {
	Rows      int         `json:"rows"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Rejected  int         `json:"rejected"`
	Errors    []ListError `json:"errors"`
	// Conflicts are values of the file that differ from a known person's
	// file: the registry keeps its own and says so here.
	Conflicts []ListError `json:"conflicts"`
	DryRun    bool        `json:"dry_run"`
	// CreateOrMatch counts, in a report that wrote nothing, the valid rows
	// that will create a file or complete one the importer may not read.
	CreateOrMatch int     `json:"create_or_match"`
	Mapping       Mapping `json:"mapping"`
	header        []string
	// rejected are the first maxKeptRejected rejected rows, when they are
	// not streamed to Options.Rejected; unkept counts the others.
	rejected []rejectedRow
	unkept   int
	// unlisted counts errors, and unlistedConflicts conflicts, beyond maxListedErrors.
	unlisted, unlistedConflicts int
	// hiddenUpdated and hiddenUnchanged count the rows matched to a file
	// the importer may not read (or to one the list itself created).
	hiddenUpdated, hiddenUnchanged int
}

// rejectedRow is a row of the file that was not imported, with why.
type rejectedRow struct {
	values  []string
	message string
}

// The limits of one list import; variables so that tests can lower them.
var (
	// maxListRows is the most rows one list may hold: a partner's list is far smaller.
	maxListRows = 200_000
	// maxListedErrors bounds the errors (and the conflicts) a report lists,
	// for a file whose every row is wrong.
	maxListedErrors = 10_000
	// maxKeptRejected bounds the rejected rows a report keeps in memory
	// for WriteRejected when they are not streamed to Options.Rejected.
	maxKeptRejected = 10_000
)

// RejectedRows returns how many rejected rows the report keeps for WriteRejected.
func (r ListReport) RejectedRows() int { return len(r.rejected) }

// WriteRejected writes the rejected rows the report kept as a CSV file the
// way French spreadsheets open it (UTF-8 with a byte-order mark, ';'): the
// file's own columns, then a column "erreur" saying what to correct. It
// refuses to write an incomplete file when the rows went to
// Options.Rejected or were more than the report keeps.
func (r ListReport) WriteRejected(w io.Writer) error {
	if r.unkept > 0 {
		return fmt.Errorf("the report kept %d of %d rejected rows: stream them with Options.Rejected", len(r.rejected), len(r.rejected)+r.unkept)
	}
	rw := newRejectedWriter(w, r.header)
	if err := rw.start(); err != nil {
		return err
	}
	for _, row := range r.rejected {
		if err := rw.write(row); err != nil {
			return err
		}
	}
	return rw.flush()
}

// hideUnseen turns the counts of a report that wrote nothing into ones that
// tell nothing of the files the importer may not read (see ListReport).
func (r *ListReport) hideUnseen() {
	r.CreateOrMatch = r.Created + r.hiddenUpdated + r.hiddenUnchanged
	r.Created = 0
	r.Updated -= r.hiddenUpdated
	r.Unchanged -= r.hiddenUnchanged
	r.hiddenUpdated, r.hiddenUnchanged = 0, 0
}

// finishLists adds the count of the errors and conflicts not listed.
func (r *ListReport) finishLists() {
	if r.unlisted > 0 {
		r.Errors = append(r.Errors, ListError{Message: fmt.Sprintf("… et %d autres erreurs non détaillées.", r.unlisted)})
	}
	if r.unlistedConflicts > 0 {
		r.Conflicts = append(r.Conflicts, ListError{Message: fmt.Sprintf("… et %d autres valeurs différentes non détaillées.", r.unlistedConflicts)})
	}
}

// addError lists a problem of a row, or counts it beyond maxListedErrors.
func (r *ListReport) addError(e ListError) {
	if len(r.Errors) < maxListedErrors {
		r.Errors = append(r.Errors, e)
	} else {
		r.unlisted++
	}
}

// addConflict lists a conflict, or counts it beyond maxListedErrors.
func (r *ListReport) addConflict(c ListError) {
	if len(r.Conflicts) < maxListedErrors {
		r.Conflicts = append(r.Conflicts, c)
	} else {
		r.unlistedConflicts++
	}
}

// rejectedWriter writes rejected rows as CSV, one at a time.
type rejectedWriter struct {
	w       io.Writer
	cw      *csv.Writer
	width   int
	errCol  int
	header  []string
	started bool
}

func newRejectedWriter(w io.Writer, header []string) *rejectedWriter {
	header = slices.Clone(header)
	errCol := slices.IndexFunc(header, func(h string) bool { return refdata.Fold(h) == "erreur" })
	if errCol < 0 {
		errCol = len(header)
		header = append(header, "erreur")
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	return &rejectedWriter{w: w, cw: cw, width: len(header), errCol: errCol, header: header}
}

// start writes the byte-order mark and the header, once.
func (rw *rejectedWriter) start() error {
	if rw.started {
		return nil
	}
	rw.started = true
	if _, err := io.WriteString(rw.w, "\uFEFF"); err != nil {
		return err
	}
	safeHeader := make([]string, len(rw.header))
	for i, h := range rw.header {
		safeHeader[i] = safeCell(h)
	}
	return rw.cw.Write(safeHeader)
}

// write writes one rejected row, after the header.
func (rw *rejectedWriter) write(row rejectedRow) error {
	if err := rw.start(); err != nil {
		return err
	}
	out := make([]string, rw.width)
	for i, v := range row.values {
		if i < rw.width {
			out[i] = safeCell(v)
		}
	}
	out[rw.errCol] = row.message
	return rw.cw.Write(out)
}

func (rw *rejectedWriter) flush() error {
	rw.cw.Flush()
	return rw.cw.Error()
}

// signedNumber is a value that may start with a sign without being a formula.
var signedNumber = regexp.MustCompile(`^[+-]?[0-9 .]+$`)

// safeCell keeps a spreadsheet from running a value as a formula when the
// rejected rows are opened, while phone numbers like "+33 6…" stay as they are.
func safeCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		// Only a number or a phone number ("+33 6 12…") may start with a sign.
		if !signedNumber.MatchString(v) {
			return "'" + v
		}
	}
	return v
}
