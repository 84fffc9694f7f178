// Package tabular reads the tables partners send: a CSV file as spreadsheets
// export it (any separator, any of the encodings French offices produce) or
// the first worksheet of an XLSX workbook. The first non-blank row names the
// columns; rows are streamed one at a time so that memory stays bounded
// whatever the size of the file.
package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"tremplin/internal/platform/errs"
)

// Format is the kind of file a table was read from.
type Format string

// The formats Open reads.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Limits that keep a hostile or broken file from exhausting memory.
const (
	// MaxColumns is the widest row accepted: Excel's own limit (column XFD).
	MaxColumns = 16384
	// maxRowBytes bounds the bytes one row may take in the file.
	maxRowBytes = 1 << 20
)

// RowError is a row that could not be read while the rows after it still can:
// callers may reject that row and go on. Other errors end the table.
type RowError struct {
	Line int
	Msg  string
}

// Error names the line, as every message of the package does.
func (e *RowError) Error() string { return fmt.Sprintf("ligne %d : %s", e.Line, e.Msg) }

// rowError wraps a RowError in a domain error, so that it maps to "invalid".
func rowError(line int, format string, args ...any) error {
	re := &RowError{Line: line, Msg: fmt.Sprintf(format, args...)}
	return errs.Wrap(errs.Invalid, re.Error(), re)
}

// lineError is a fatal error located on a line of the file.
func lineError(line int, format string, args ...any) error {
	return errs.Newf(errs.Invalid, "ligne %d : %s", line, fmt.Sprintf(format, args...))
}

// source yields the raw rows of a file with their line (CSV) or row (XLSX)
// number, io.EOF at the end.
type source interface {
	next() ([]string, int, error)
}

// Table is a table being read: its header, then its rows.
type Table struct {
	format Format
	src    source
	header []string
	// strict refuses values in columns the header does not name: in a CSV
	// file they mean the separator or the quoting went wrong.
	strict bool
}

// Open reads the header of a table; filename (which may be empty) only helps
// to recognise the format and to refuse the ones not supported.
func Open(r io.ReaderAt, size int64, filename string) (*Table, error) {
	head := make([]byte, 8)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, errs.Wrap(errs.Invalid, "Le fichier est illisible.", err)
	}
	head = head[:n]
	ext := strings.ToLower(path.Ext(filename))
	var t *Table
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) && ext != ".ods":
		src, err := openXLSX(r, size)
		if err != nil {
			return nil, err
		}
		t = &Table{format: XLSX, src: src}
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}) || ext == ".xls":
		return nil, errs.New(errs.Invalid, "Le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez le fichier au format .xlsx ou .csv.")
	case ext == ".ods":
		return nil, errs.New(errs.Invalid, "Le format OpenDocument (.ods) n'est pas pris en charge : enregistrez le fichier au format .xlsx ou .csv.")
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, errs.New(errs.Invalid, "Ce fichier n'est pas un classeur XLSX valide.")
	default:
		src, err := openCSV(r, size)
		if err != nil {
			return nil, err
		}
		t = &Table{format: CSV, src: src, strict: true}
	}
	return t, t.readHeader()
}

// readHeader takes the first non-blank row as the column names.
func (t *Table) readHeader() error {
	for {
		row, _, err := t.src.next()
		if errors.Is(err, io.EOF) {
			return errs.New(errs.Invalid, "Le fichier est vide : la première ligne doit nommer les colonnes.")
		}
		var re *RowError
		if errors.As(err, &re) {
			return errs.Newf(errs.Invalid, "ligne %d : en-tête illisible : %s", re.Line, re.Msg)
		}
		if err != nil {
			return err
		}
		if blank(row) {
			continue
		}
		end := len(row)
		for end > 0 && strings.TrimSpace(row[end-1]) == "" {
			end--
		}
		t.header = make([]string, end)
		for i := range end {
			t.header[i] = strings.TrimSpace(row[i])
		}
		return nil
	}
}

// Format tells whether the table came from a CSV or an XLSX file.
func (t *Table) Format() Format { return t.format }

// Header returns the column names, as the first row gives them (trimmed).
func (t *Table) Header() []string { return t.header }

// Next returns the next non-blank row, as many values as the header has
// columns (trimmed, "" for an empty cell), and its line in the file: the
// line where the record starts in a CSV file, the row number in a
// worksheet. It returns io.EOF after the last row. A *RowError (reachable
// with errors.As) leaves the table readable; any other error ends it.
func (t *Table) Next() ([]string, int, error) {
	for {
		raw, line, err := t.src.next()
		if err != nil {
			return nil, line, err
		}
		if blank(raw) {
			continue
		}
		row := make([]string, len(t.header))
		for i, v := range raw {
			v = strings.TrimSpace(v)
			if i < len(row) {
				row[i] = v
				continue
			}
			if v != "" && t.strict {
				return nil, line, rowError(line, "%d colonnes au lieu de %d : vérifiez le séparateur et les guillemets", len(raw), len(t.header))
			}
		}
		return row, line, nil
	}
}

// blank reports whether every value of a row is empty.
func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// errRowTooLong stops a row that would take more than maxRowBytes.
var errRowTooLong = errors.New("row too long")

// rowLimiter fails a read once the current row has taken more than max
// bytes; the reader resets it before each row. What it counts includes the
// read-ahead of the buffered reader above it, a few kilobytes at most.
type rowLimiter struct {
	r      io.Reader
	n, max int64
}

func (l *rowLimiter) Read(p []byte) (int, error) {
	if l.n >= l.max {
		return 0, errRowTooLong
	}
	if int64(len(p)) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

func (l *rowLimiter) reset() { l.n = 0 }
