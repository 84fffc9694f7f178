package people

import (
	"encoding/csv"
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
	Mapping   Mapping     `json:"mapping"`
	header    []string
	rejected  []rejectedRow
	// unlisted counts errors beyond maxListedErrors.
	unlisted int
}

// rejectedRow is a row of the file that was not imported, with why.
type rejectedRow struct {
	values  []string
	message string
}

// maxListedErrors bounds the errors a report lists, for a file whose every row is wrong.
const maxListedErrors = 10000

// RejectedRows returns how many rejected rows the report keeps for WriteRejected.
func (r ListReport) RejectedRows() int { return len(r.rejected) }

// WriteRejected writes the rejected rows as a CSV file the way French
// spreadsheets open it (UTF-8 with a byte-order mark, ';'): the file's own
// columns, then a column "erreur" saying what to correct.
func (r ListReport) WriteRejected(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	header := slices.Clone(r.header)
	errCol := slices.IndexFunc(header, func(h string) bool { return refdata.Fold(h) == "erreur" })
	if errCol < 0 {
		errCol = len(header)
		header = append(header, "erreur")
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	safeHeader := make([]string, len(header))
	for i, h := range header {
		safeHeader[i] = safeCell(h)
	}
	cw.Write(safeHeader)
	for _, row := range r.rejected {
		out := make([]string, len(header))
		for i, v := range row.values {
			out[i] = safeCell(v)
		}
		out[errCol] = row.message
		cw.Write(out)
	}
	cw.Flush()
	return cw.Error()
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
