package tabular

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/errs"
)

// Bounds on the parts of a workbook held in memory.
const (
	maxPartBytes     = 8 << 20  // workbook, relationships, styles
	maxSharedBytes   = 64 << 20 // the shared strings part, uncompressed
	maxSharedStrings = 1 << 20
	// maxSheetBytes bounds the uncompressed worksheet, which is streamed: it
	// only keeps a zip bomb from keeping the processor busy for long.
	maxSheetBytes = 1 << 30
)

var errXLSX = errs.New(errs.Invalid, "Ce classeur XLSX est illisible ou endommagé.")

// xlsxSource streams the rows of the first worksheet of a workbook.
type xlsxSource struct {
	dec      *xml.Decoder
	lim      *rowLimiter
	shared   []string
	styles   []cellKind
	date1904 bool
	lastRow  int
	done     bool
	depth    nesting
}

// cellKind is what a cell style says of a number.
type cellKind uint8

const (
	plainNumber cellKind = iota
	dateNumber
	timeNumber
)

// openXLSX finds the first worksheet through the workbook's relationships and
// loads the shared strings and the styles; the sheet itself is streamed.
func openXLSX(r io.ReaderAt, size int64) (*xlsxSource, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errXLSX
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	wbPath := officeDocument(parts)
	var wb workbook
	if err := readPart(parts, wbPath, maxPartBytes, &wb); err != nil {
		return nil, err
	}
	rels := relationships{}
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	if err := readPart(parts, relsPath, maxPartBytes, &rels); err != nil {
		return nil, err
	}
	sheetPath, err := firstWorksheet(wb, rels, path.Dir(wbPath))
	if err != nil {
		return nil, err
	}
	src := &xlsxSource{date1904: wb.Props.Date1904 == "1" || wb.Props.Date1904 == "true"}
	if p := rels.target("/sharedStrings", path.Dir(wbPath)); p != "" && parts[p] != nil {
		if src.shared, err = readShared(parts[p]); err != nil {
			return nil, err
		}
	}
	if p := rels.target("/styles", path.Dir(wbPath)); p != "" && parts[p] != nil {
		var st styleSheet
		if err := readPart(parts, p, maxPartBytes, &st); err != nil {
			return nil, err
		}
		src.styles = st.kinds()
	}
	sheet := parts[sheetPath]
	if sheet == nil {
		return nil, errXLSX
	}
	rc, err := sheet.Open()
	if err != nil {
		return nil, errXLSX
	}
	src.lim = &rowLimiter{r: io.LimitReader(rc, maxSheetBytes), max: maxRowBytes}
	src.dec = xml.NewDecoder(src.lim)
	return src, nil
}

// officeDocument returns the path of the workbook part, from the package
// relationships when present.
func officeDocument(parts map[string]*zip.File) string {
	var rels relationships
	if readPart(parts, "_rels/.rels", maxPartBytes, &rels) == nil {
		if p := rels.target("/officeDocument", ""); p != "" && parts[p] != nil {
			return p
		}
	}
	return "xl/workbook.xml"
}

// readPart decodes a small XML part of the package into v.
func readPart(parts map[string]*zip.File, name string, limit int64, v any) error {
	f := parts[strings.ToLower(name)]
	if f == nil {
		return errXLSX
	}
	rc, err := f.Open()
	if err != nil {
		return errXLSX
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, limit)).Decode(v); err != nil {
		return errXLSX
	}
	return nil
}

type workbook struct {
	Props struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		State string     `xml:"state,attr"`
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

type relationships struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// target returns the part path of the first relationship whose type ends
// with kind, resolved against dir.
func (r relationships) target(kind, dir string) string {
	for _, rel := range r.Rels {
		if strings.HasSuffix(rel.Type, kind) {
			return resolve(dir, rel.Target)
		}
	}
	return ""
}

// resolve turns a relationship target into a lower-case package path.
func resolve(dir, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return strings.ToLower(strings.TrimPrefix(path.Clean(target), "/"))
	}
	return strings.ToLower(strings.TrimPrefix(path.Join("/", dir, target), "/"))
}

// firstWorksheet returns the path of the first visible worksheet (the first
// worksheet at all when every one is hidden), skipping chart sheets.
func firstWorksheet(wb workbook, rels relationships, dir string) (string, error) {
	byID := map[string]int{}
	for i, rel := range rels.Rels {
		byID[rel.ID] = i
	}
	first := ""
	for _, s := range wb.Sheets {
		id := ""
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		i, ok := byID[id]
		if !ok || !strings.HasSuffix(rels.Rels[i].Type, "/worksheet") {
			continue
		}
		p := resolve(dir, rels.Rels[i].Target)
		if s.State == "" || s.State == "visible" {
			return p, nil
		}
		if first == "" {
			first = p
		}
	}
	if first == "" {
		return "", errs.New(errs.Invalid, "Ce classeur XLSX ne contient aucune feuille de calcul.")
	}
	return first, nil
}

// richText is the text of a shared or inline string: plain, or runs of
// formatted text; phonetic guides (rPh) are not part of the value.
type richText struct {
	T    string `xml:"t"`
	Runs []struct {
		T string `xml:"t"`
	} `xml:"r"`
}

func (t richText) String() string {
	if len(t.Runs) == 0 {
		return t.T
	}
	var b strings.Builder
	b.WriteString(t.T)
	for _, r := range t.Runs {
		b.WriteString(r.T)
	}
	return b.String()
}

// readShared loads the shared strings table, streamed item by item.
func readShared(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, errXLSX
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: maxSharedBytes + 1}
	dec := xml.NewDecoder(lr)
	var out []string
	var depth nesting
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			if lr.N <= 0 {
				return nil, errs.New(errs.Invalid, "Ce classeur XLSX contient trop de texte pour être importé.")
			}
			return nil, errXLSX
		}
		if err := depth.track(tok); err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "si" {
			continue
		}
		depth.n-- // DecodeElement consumes the string up to its end tag
		var si richText
		if err := dec.DecodeElement(&si, &se); err != nil {
			return nil, errXLSX
		}
		if len(out) >= maxSharedStrings {
			return nil, errs.New(errs.Invalid, "Ce classeur XLSX contient trop de textes différents pour être importé.")
		}
		out = append(out, si.String())
	}
}

type styleSheet struct {
	NumFmts []struct {
		ID   string `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID string `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// kinds tells, for each cell style, whether its numbers are dates or times.
func (st styleSheet) kinds() []cellKind {
	custom := map[int]string{}
	for _, f := range st.NumFmts {
		if id, err := strconv.Atoi(f.ID); err == nil {
			custom[id] = f.Code
		}
	}
	out := make([]cellKind, len(st.CellXfs))
	for i, xf := range st.CellXfs {
		id, err := strconv.Atoi(xf.NumFmtID)
		if err != nil {
			continue
		}
		out[i] = formatKind(id, custom[id])
	}
	return out
}

// formatKind classifies a number format: the built-in date formats 14–17
// and 22 (18–21 are times of day), and custom formats by their letters.
func formatKind(id int, code string) cellKind {
	switch {
	case id >= 14 && id <= 17 || id == 22:
		return dateNumber
	case id >= 18 && id <= 21 || id >= 45 && id <= 47:
		return timeNumber
	case id < 164 && code == "":
		return plainNumber
	}
	letters := formatLetters(code)
	switch {
	case strings.ContainsAny(letters, "dy"), strings.Contains(letters, "m") && !strings.ContainsAny(letters, "hs"):
		return dateNumber
	case strings.ContainsAny(letters, "hs"):
		return timeNumber
	}
	return plainNumber
}

// formatLetters keeps the lower-cased letters of a format code that are
// not quoted text, escaped characters or bracketed colours and locales.
func formatLetters(code string) string {
	var b strings.Builder
	quoted, bracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case quoted:
			quoted = c != '"'
		case bracket:
			bracket = c != ']'
		case c == '"':
			quoted = true
		case c == '[':
			bracket = true
		case c == '\\' || c == '_' || c == '*':
			i++ // the next character is literal (or padding)
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			b.WriteByte(c | 0x20)
		}
	}
	// "General" is the default format, not a date.
	return strings.ReplaceAll(b.String(), "general", "")
}

type sheetRow struct {
	R     string      `xml:"r,attr"`
	Cells []sheetCell `xml:"c"`
}

type sheetCell struct {
	R      string    `xml:"r,attr"`
	T      string    `xml:"t,attr"`
	S      string    `xml:"s,attr"`
	V      string    `xml:"v"`
	Inline *richText `xml:"is"`
}

func (s *xlsxSource) next() ([]string, int, error) {
	if s.done {
		return nil, 0, io.EOF
	}
	for {
		s.lim.reset()
		tok, err := s.dec.Token()
		if errors.Is(err, io.EOF) {
			s.done = true
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, s.lastRow + 1, s.fail(err)
		}
		if err := s.depth.track(tok); err != nil {
			return nil, s.lastRow + 1, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "row" {
			continue
		}
		s.depth.n-- // DecodeElement consumes the row up to its end tag
		var row sheetRow
		if err := s.dec.DecodeElement(&row, &se); err != nil {
			return nil, s.lastRow + 1, s.fail(err)
		}
		line := s.lastRow + 1
		if n, err := strconv.Atoi(row.R); err == nil && n > 0 {
			line = n
		}
		s.lastRow = line
		values, err := s.values(row, line)
		return values, line, err
	}
}

// fail ends the table on a broken sheet.
func (s *xlsxSource) fail(err error) error {
	s.done = true
	if errors.Is(err, errRowTooLong) {
		return lineError(s.lastRow+1, "ligne trop longue (plus de %d Mio)", maxRowBytes>>20)
	}
	return errs.Newf(errs.Invalid, "ligne %d : feuille de calcul illisible ou endommagée", s.lastRow+1)
}

// values places each cell of a row at its column, empty cells in between.
func (s *xlsxSource) values(row sheetRow, line int) ([]string, error) {
	var out []string
	col := -1
	for _, c := range row.Cells {
		col++
		if c.R != "" {
			n, ok := columnOf(c.R)
			if !ok {
				return nil, rowError(line, "référence de cellule %q incorrecte", c.R)
			}
			col = n
		}
		if col >= MaxColumns {
			return nil, rowError(line, "plus de %d colonnes", MaxColumns)
		}
		v, err := s.value(c)
		if err != nil {
			return nil, rowError(line, "cellule %s : %s", cellName(col, line), err.Error())
		}
		for len(out) <= col {
			out = append(out, "")
		}
		out[col] = v
	}
	return out, nil
}

// columnOf reads the column of a cell reference: "C5" → 2.
func columnOf(ref string) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		if i == 3 {
			return 0, false
		}
		n = n*26 + int(c-'a'+1)
	}
	if i == 0 {
		return 0, false
	}
	return n - 1, true
}

// cellName writes a column and row as a reference: (2, 5) → "C5".
func cellName(col, line int) string {
	name := ""
	for col++; col > 0; col = (col - 1) / 26 {
		name = string(rune('A'+(col-1)%26)) + name
	}
	return name + strconv.Itoa(line)
}

// maxCellBytes bounds the text of one cell: no field of a list of people is
// longer, and a huge shared string repeated in every row would otherwise be
// copied into every error.
const maxCellBytes = 32 << 10

// maxDepth bounds the nesting of the XML parts outside a row: a worksheet
// nests a few levels, and the decoder keeps every open element in memory.
const maxDepth = 16

// nesting counts open elements while a part is read token by token.
type nesting struct{ n int }

func (d *nesting) track(tok xml.Token) error {
	switch tok.(type) {
	case xml.StartElement:
		if d.n++; d.n > maxDepth {
			return errs.New(errs.Invalid, "Ce classeur XLSX a une structure anormalement imbriquée : il ne peut pas être lu.")
		}
	case xml.EndElement:
		d.n--
	}
	return nil
}

// value gives the text of a cell as the spreadsheet shows it, dates as
// YYYY-MM-DD; a cell longer than maxCellBytes is an error of its row.
func (s *xlsxSource) value(c sheetCell) (string, error) {
	v, err := s.rawValue(c)
	if err == nil && len(v) > maxCellBytes {
		return "", errors.New("cellule trop longue (plus de 32 Kio)")
	}
	return v, err
}

func (s *xlsxSource) rawValue(c sheetCell) (string, error) {
	switch c.T {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(c.V))
		if err != nil || i < 0 || i >= len(s.shared) {
			return "", errors.New("texte partagé introuvable")
		}
		return s.shared[i], nil
	case "inlineStr":
		if c.Inline == nil {
			return "", nil
		}
		return c.Inline.String(), nil
	case "b":
		if strings.TrimSpace(c.V) == "1" {
			return "VRAI", nil
		}
		return "FAUX", nil
	case "d":
		// An ISO 8601 date-time: the day is what matters.
		if v := strings.TrimSpace(c.V); len(v) >= 10 && v[4] == '-' && v[7] == '-' {
			return v[:10], nil
		}
		return c.V, nil
	case "str", "e":
		return c.V, nil
	}
	return s.number(c), nil
}

// number formats a numeric cell: a date or time when its style says so,
// else the number written out in full (no exponent, so a NIR or a phone
// number typed as a number keeps its digits).
func (s *xlsxSource) number(c sheetCell) string {
	v := strings.TrimSpace(c.V)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	kind := plainNumber
	if i, err := strconv.Atoi(c.S); err == nil && i >= 0 && i < len(s.styles) {
		kind = s.styles[i]
	}
	switch {
	case kind == dateNumber && f >= 1 && f < 2958466:
		return serialTime(f, s.date1904).Format(time.DateOnly)
	case kind == timeNumber && f >= 0 && f < 2958466:
		return serialTime(f, s.date1904).Format("15:04:05")
	case strings.ContainsAny(v, "eE"):
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return v
}

// serialTime converts a spreadsheet serial date. In the 1900 system Excel
// counts a 29 February 1900 that never was, so days before 1 March 1900 are
// counted from 31 December 1899.
func serialTime(f float64, date1904 bool) time.Time {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case f < 61:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
}
