// Package xlsx writes simple XLSX workbooks — sheets of rows of text and
// numbers, bold headers, column widths — with the standard library only, so
// that reports open in Excel and LibreOffice without any dependency. Strings
// are written inline, so the package has no shared-strings table to build.
package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"tremplin/internal/platform/errs"
)

// Limits of the format: Excel refuses, or repairs, a file that exceeds them.
const (
	maxRows        = 1 << 20
	maxColumns     = 1 << 14
	maxCellChars   = 32767
	maxSheetName   = 31
	maxColumnWidth = 255
)

// Cell styles, as indexes into the cellXfs of styles.xml.
const (
	styleDefault = iota
	styleBold
	styleInteger // #,##0
	styleDecimal // #,##0.00
)

// Bold is a text cell written in bold, for headers.
type Bold string

// Workbook is a workbook being built, sheet by sheet.
type Workbook struct {
	sheets []*Sheet
	// used holds the lower-cased names taken: Excel compares them ignoring case.
	used map[string]bool
}

// Sheet is a worksheet being built, row by row.
type Sheet struct {
	name   string
	data   bytes.Buffer // the <row> elements written so far
	rows   int
	cols   int // the widest row, in columns
	widths []float64
}

// New starts an empty workbook.
func New() *Workbook {
	// "History" is reserved by Excel for change tracking.
	return &Workbook{used: map[string]bool{"history": true}}
}

// Sheet adds a worksheet after the others. The name loses the characters
// Excel forbids ([]:*?/\ become "-"), is cut to 31 characters and gets a
// " (2)", " (3)"… suffix when another sheet already has it.
func (w *Workbook) Sheet(name string) *Sheet {
	s := &Sheet{name: w.uniqueName(sheetName(name, len(w.sheets)+1))}
	w.sheets = append(w.sheets, s)
	return s
}

// sheetName makes name acceptable to Excel, n naming an empty one.
func sheetName(name string, n int) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '-'
		case unicode.IsControl(r) || !validXML(r):
			return -1
		}
		return r
	}, name)
	name = trimName(limitUTF16(name, maxSheetName))
	if name == "" {
		return fmt.Sprintf("Feuille %d", n)
	}
	return name
}

// trimName removes the spaces and the apostrophes Excel refuses at the ends.
func trimName(name string) string {
	return strings.Trim(strings.TrimSpace(name), "'")
}

// uniqueName numbers name when another sheet already has it.
func (w *Workbook) uniqueName(name string) string {
	candidate := name
	for i := 2; w.used[strings.ToLower(candidate)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		candidate = trimName(limitUTF16(name, maxSheetName-len(suffix))) + suffix
	}
	w.used[strings.ToLower(candidate)] = true
	return candidate
}

// Row appends a row. A cell is a string, a Bold string, an int, an int64 or
// a float64 (integers shown as 1 234, floats as 1 234,50 in a French Excel);
// nil or "" leaves the cell empty, and any other value is written as the
// text fmt.Sprint gives.
func (s *Sheet) Row(cells ...any) {
	s.rows++
	if s.rows > maxRows {
		return // WriteTo reports the overflow
	}
	s.cols = max(s.cols, len(cells))
	if len(cells) > maxColumns {
		return
	}
	fmt.Fprintf(&s.data, `<row r="%d">`, s.rows)
	for i, c := range cells {
		writeCell(&s.data, cellRef(i, s.rows), c)
	}
	s.data.WriteString("</row>")
}

// writeCell writes one cell at ref; an empty cell is not written at all.
func writeCell(b *bytes.Buffer, ref string, c any) {
	switch v := c.(type) {
	case nil:
	case string:
		writeText(b, ref, styleDefault, v)
	case Bold:
		writeText(b, ref, styleBold, string(v))
	case int:
		writeNumber(b, ref, styleInteger, strconv.Itoa(v))
	case int64:
		writeNumber(b, ref, styleInteger, strconv.FormatInt(v, 10))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// The format has no such numbers: keep them visible as text.
			writeText(b, ref, styleDefault, strconv.FormatFloat(v, 'g', -1, 64))
			return
		}
		writeNumber(b, ref, styleDecimal, strconv.FormatFloat(v, 'g', -1, 64))
	default:
		writeText(b, ref, styleDefault, fmt.Sprint(v))
	}
}

func writeNumber(b *bytes.Buffer, ref string, style int, v string) {
	fmt.Fprintf(b, `<c r="%s" s="%d"><v>%s</v></c>`, ref, style, v)
}

func writeText(b *bytes.Buffer, ref string, style int, v string) {
	v = limitUTF16(cleanText(v), maxCellChars)
	if v == "" {
		return
	}
	fmt.Fprintf(b, `<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">`, ref, style)
	escape(b, v)
	b.WriteString("</t></is></c>")
}

// Widths sets the widths of the first columns, in characters of the default
// font; a width of 0 or less keeps the default.
func (s *Sheet) Widths(chars ...float64) {
	s.widths = append(s.widths[:0], chars...)
}

// cleanText drops the characters XML 1.0 cannot carry, and the control
// characters other than tab and newline, which no spreadsheet shows.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || validXML(r) && !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
}

// validXML reports whether r may appear in an XML 1.0 document.
func validXML(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// limitUTF16 cuts s to n UTF-16 code units, the unit Excel counts in.
func limitUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// escape writes s as XML character data.
func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s)) // writing to a bytes.Buffer cannot fail
}

// escapeAttr returns s escaped for an attribute value.
func escapeAttr(s string) string {
	var b bytes.Buffer
	escape(&b, s)
	return b.String()
}

// cellRef names a cell: (2, 5) → "C5".
func cellRef(col, row int) string {
	name := ""
	for col++; col > 0; col = (col - 1) / 26 {
		name = string(rune('A'+(col-1)%26)) + name
	}
	return name + strconv.Itoa(row)
}

// WriteTo writes the workbook as an XLSX file. A workbook without sheets
// gets an empty one, since a spreadsheet cannot open a workbook without any.
func (w *Workbook) WriteTo(out io.Writer) (int64, error) {
	sheets := w.sheets
	if len(sheets) == 0 {
		sheets = []*Sheet{{name: sheetName("", 1)}}
	}
	for _, s := range sheets {
		if err := s.check(); err != nil {
			return 0, err
		}
	}
	parts := []part{
		{"[Content_Types].xml", func(b *bufio.Writer) { writeContentTypes(b, len(sheets)) }},
		{"_rels/.rels", func(b *bufio.Writer) { b.WriteString(packageRels) }},
		{"xl/workbook.xml", func(b *bufio.Writer) { writeWorkbook(b, sheets) }},
		{"xl/_rels/workbook.xml.rels", func(b *bufio.Writer) { writeWorkbookRels(b, len(sheets)) }},
		{"xl/styles.xml", func(b *bufio.Writer) { b.WriteString(styles) }},
	}
	for i, s := range sheets {
		parts = append(parts, part{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), s.write})
	}
	cw := &countingWriter{w: out}
	zw := zip.NewWriter(cw)
	for _, p := range parts {
		f, err := zw.Create(p.name)
		if err != nil {
			return cw.n, err
		}
		// bufio keeps the first write error and Flush returns it.
		b := bufio.NewWriter(f)
		p.write(b)
		if err := b.Flush(); err != nil {
			return cw.n, err
		}
	}
	err := zw.Close()
	return cw.n, err
}

// part is a file of the package and the function that writes it.
type part struct {
	name  string
	write func(*bufio.Writer)
}

// check refuses a sheet that Excel could not open.
func (s *Sheet) check() error {
	switch {
	case s.rows > maxRows:
		return errs.Newf(errs.Invalid, "La feuille « %s » dépasse %d lignes, le maximum d'un classeur Excel.", s.name, maxRows)
	case s.cols > maxColumns:
		return errs.Newf(errs.Invalid, "La feuille « %s » dépasse %d colonnes, le maximum d'un classeur Excel.", s.name, maxColumns)
	}
	return nil
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

func (s *Sheet) write(b *bufio.Writer) {
	b.WriteString(xmlHeader + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	if cols := s.colsXML(); cols != "" {
		b.WriteString("<cols>" + cols + "</cols>")
	}
	b.WriteString("<sheetData>")
	b.Write(s.data.Bytes())
	b.WriteString("</sheetData></worksheet>")
}

// colsXML gives the <col> elements of the widths set.
func (s *Sheet) colsXML() string {
	var b strings.Builder
	for i, w := range s.widths {
		if w > 0 && i < maxColumns {
			fmt.Fprintf(&b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`,
				i+1, i+1, strconv.FormatFloat(min(w, maxColumnWidth), 'f', -1, 64))
		}
	}
	return b.String()
}

func writeContentTypes(b *bufio.Writer, sheets int) {
	b.WriteString(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	for i := range sheets {
		fmt.Fprintf(b, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	b.WriteString("</Types>")
}

func writeWorkbook(b *bufio.Writer, sheets []*Sheet) {
	b.WriteString(xmlHeader + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<bookViews><workbookView/></bookViews><sheets>`)
	for i, s := range sheets {
		fmt.Fprintf(b, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, escapeAttr(s.name), i+1, i+1)
	}
	b.WriteString("</sheets></workbook>")
}

// writeWorkbookRels links the sheets as rId1…rIdN and the styles after them.
func writeWorkbookRels(b *bufio.Writer, sheets int) {
	b.WriteString(xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i := range sheets {
		fmt.Fprintf(b, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	fmt.Fprintf(b, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, sheets+1)
	b.WriteString("</Relationships>")
}

const packageRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
	`</Relationships>`

// styles holds the cell styles in the order of the style constants; the two
// fills are the ones the format requires.
const styles = xmlHeader + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2">` +
	`<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
	`<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
	`</fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="4">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`</cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`

// countingWriter counts the bytes written, for WriteTo's result.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
