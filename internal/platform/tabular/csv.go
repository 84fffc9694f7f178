package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"tremplin/internal/platform/errs"
)

// sniffBytes is how much of the start of a file decides its separator.
const sniffBytes = 64 << 10

// csvSource reads the records of a delimited text file.
type csvSource struct {
	cr  *csv.Reader
	lim *rowLimiter
	// offset counts the lines consumed before the CSV reader (a "sep=;" line).
	offset int
	// lastLine is the line of the last record read, to place a later error.
	lastLine int
}

// openCSV decodes the file to UTF-8 and picks its separator.
func openCSV(r io.ReaderAt, size int64) (*csvSource, error) {
	body, err := decoded(r, size)
	if err != nil {
		return nil, err
	}
	lim := &rowLimiter{r: body, max: maxRowBytes}
	br := bufio.NewReaderSize(lim, sniffBytes)
	sample, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, errs.Wrap(errs.Invalid, "Le fichier est illisible.", err)
	}
	src := &csvSource{lim: lim}
	comma, hinted := excelSeparatorHint(sample)
	if hinted {
		// Excel writes "sep=;" on the first line to name the separator.
		line, _, _ := bytes.Cut(sample, []byte{'\n'})
		br.Discard(len(line) + 1)
		src.offset = 1
	} else {
		comma = sniffSeparator(sample)
	}
	src.cr = csv.NewReader(br)
	src.cr.Comma = comma
	// Partners' files carry stray quotes inside values ("Dupont "Jr""): read them as text.
	src.cr.LazyQuotes = true
	// Rows are padded or refused by Table.Next, which names the line.
	src.cr.FieldsPerRecord = -1
	return src, nil
}

// decoded returns the file's text as UTF-8: a byte-order mark says UTF-8 or
// UTF-16; otherwise bytes that are not valid UTF-8 are read as windows-1252,
// which is what French office software writes when it says "ANSI".
func decoded(r io.ReaderAt, size int64) (io.Reader, error) {
	start := make([]byte, 8192)
	n, err := r.ReadAt(start, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, errs.Wrap(errs.Invalid, "Le fichier est illisible.", err)
	}
	start = start[:n]
	switch {
	case bytes.HasPrefix(start, []byte{0xEF, 0xBB, 0xBF}):
		return io.NewSectionReader(r, 3, size-3), nil
	case bytes.HasPrefix(start, []byte{0xFF, 0xFE}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return transform.NewReader(io.NewSectionReader(r, 0, size), dec), nil
	case bytes.HasPrefix(start, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		return transform.NewReader(io.NewSectionReader(r, 0, size), dec), nil
	case bytes.IndexByte(start, 0) >= 0:
		return nil, errs.New(errs.Invalid, "Ce fichier n'est ni un tableau CSV ni un classeur XLSX.")
	}
	ok, err := validUTF8(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, "Le fichier est illisible.", err)
	}
	if ok {
		return io.NewSectionReader(r, 0, size), nil
	}
	return charmap.Windows1252.NewDecoder().Reader(io.NewSectionReader(r, 0, size)), nil
}

// validUTF8 reads r to its end in chunks and reports whether it is valid UTF-8.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		if err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		data := buf[:carry+n]
		cut := len(data)
		if err == nil {
			// Keep an incomplete character at the end for the next chunk.
			for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
				if utf8.RuneStart(data[i]) {
					if !utf8.FullRune(data[i:]) {
						cut = i
					}
					break
				}
			}
		}
		if !utf8.Valid(data[:cut]) {
			return false, nil
		}
		carry = copy(buf, data[cut:])
		if err != nil {
			return true, nil
		}
	}
}

// excelSeparatorHint reads Excel's "sep=X" first line.
func excelSeparatorHint(sample []byte) (rune, bool) {
	line, _, _ := bytes.Cut(sample, []byte{'\n'})
	line = bytes.TrimRight(line, "\r")
	if len(line) != 5 || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, false
	}
	switch c := rune(line[4]); c {
	case ';', ',', '\t', '|':
		return c, true
	}
	return 0, false
}

// sniffSeparator picks the most frequent of ';', tab and ',' on the first
// non-blank line, outside quoted values; on a tie the French ';' wins, then tab.
func sniffSeparator(sample []byte) rune {
	for {
		line, rest, found := bytes.Cut(sample, []byte{'\n'})
		if !found || len(bytes.TrimSpace(line)) > 0 {
			break
		}
		sample = rest
	}
	counts := map[byte]int{}
	inQuote := false
	for _, b := range sample {
		if b == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if b == '\n' {
			break
		}
		if b == ';' || b == ',' || b == '\t' {
			counts[b]++
		}
	}
	best := byte(',')
	for _, sep := range []byte{'\t', ';'} {
		if counts[sep] > 0 && counts[sep] >= counts[best] {
			best = sep
		}
	}
	return rune(best)
}

func (s *csvSource) next() ([]string, int, error) {
	s.lim.reset()
	rec, err := s.cr.Read()
	if err != nil {
		return nil, s.lastLine + 1, s.readError(err)
	}
	line, _ := s.cr.FieldPos(0)
	line += s.offset
	last, _ := s.cr.FieldPos(len(rec) - 1)
	s.lastLine = last + s.offset
	if len(rec) > MaxColumns {
		return nil, line, lineError(line, "plus de %d colonnes", MaxColumns)
	}
	return rec, line, nil
}

// readError turns an error of the CSV reader into one that names the line.
func (s *csvSource) readError(err error) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, errRowTooLong):
		return lineError(s.lastLine+1, "ligne trop longue (plus de %d Mio) : le fichier n'est sans doute pas un tableau", maxRowBytes>>20)
	case errors.As(err, &pe):
		return rowError(pe.StartLine+s.offset, "%v", pe.Err)
	}
	return errs.Wrap(errs.Invalid, "Le fichier est illisible.", err)
}
