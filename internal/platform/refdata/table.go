package refdata

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"tremplin/internal/platform/errs"
)

// table reads a delimited text file whose first line names the columns, the
// way official open-data files come: ',' or ';' or tab separated, UTF-8 with
// or without a byte-order mark.
type table struct {
	r      *csv.Reader
	header []string // normalised column names
}

// openTable reads the header of a delimited file.
func openTable(r io.Reader) (*table, error) {
	br := bufio.NewReader(r)
	skipBOM(br)
	first, _ := br.Peek(8192)
	cr := csv.NewReader(br)
	cr.Comma = sniffSeparator(first)
	cr.FieldsPerRecord = -1 // checked per line, to name the line in the error
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errs.New(errs.Invalid, "le fichier est vide")
	}
	if err != nil {
		return nil, lineError(err)
	}
	t := &table{r: cr, header: make([]string, len(header))}
	for i, h := range header {
		t.header[i] = headerKey(h)
	}
	return t, nil
}

func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
}

// sniffSeparator picks the most frequent of ';', tab and ',' on the first line.
func sniffSeparator(sample []byte) rune {
	line, _, _ := bytes.Cut(sample, []byte{'\n'})
	best, bestCount := ',', bytes.Count(line, []byte{','})
	for _, sep := range []rune{';', '\t'} {
		if n := bytes.Count(line, []byte(string(sep))); n > bestCount {
			best, bestCount = sep, n
		}
	}
	return best
}

// headerKey normalises a column name: "#Code_commune_INSEE" and
// "code commune insee" both become "code_commune_insee".
func headerKey(h string) string {
	return strings.ReplaceAll(Fold(h), " ", "_")
}

// col returns the index of the first column named like one of names, or -1.
func (t *table) col(names ...string) int {
	for _, n := range names {
		for i, h := range t.header {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// colContaining returns the index of the first column whose name contains one of parts, or -1.
func (t *table) colContaining(parts ...string) int {
	for _, p := range parts {
		for i, h := range t.header {
			if strings.Contains(h, p) {
				return i
			}
		}
	}
	return -1
}

// next returns the next record and its line number, io.EOF at the end.
func (t *table) next() ([]string, int, error) {
	rec, err := t.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		return nil, 0, lineError(err)
	}
	line, _ := t.r.FieldPos(0)
	if len(rec) < len(t.header) {
		return nil, line, errs.Newf(errs.Invalid, "ligne %d : %d colonnes au lieu de %d", line, len(rec), len(t.header))
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, line, nil
}

// lineError turns a CSV syntax error into a domain error naming the line.
func lineError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.Newf(errs.Invalid, "ligne %d : %v", pe.Line, pe.Err)
	}
	return errs.Wrap(errs.Invalid, "fichier illisible", err)
}

// field returns rec[i], or "" when the column is absent (i < 0).
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

// foldReplacer maps the accented letters of French (and a few neighbours) to ASCII.
var foldReplacer = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a", "å", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ì", "i",
	"ô", "o", "ö", "o", "ó", "o", "ò", "o", "õ", "o",
	"ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ÿ", "y", "ý", "y", "ç", "c", "ñ", "n",
	"œ", "oe", "æ", "ae", "ß", "ss",
)

// Fold lowercases s, removes accents and turns every run of other characters
// into one space, so "Saint-Étienne" and "saint etienne" compare equal, in
// Go and in both SQLite (whose lower() is ASCII only) and PostgreSQL.
func Fold(s string) string {
	s = foldReplacer.Replace(strings.ToLower(s))
	var b strings.Builder
	space := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
			continue
		}
		space = true
	}
	return b.String()
}
