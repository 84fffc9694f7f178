// Package pdf writes simple printable documents — titles, headings,
// paragraphs, labelled values — as PDF 1.4 with the standard Helvetica fonts,
// so that a contract can be printed and signed without any dependency.
package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// A4 page in points, with 2 cm margins.
const (
	pageW, pageH = 595.28, 841.89
	margin       = 56.7
	lineGap      = 1.35
)

// Document is a flowing document laid out page by page.
type Document struct {
	pages []*bytes.Buffer
	y     float64
	title string
}

// New starts a document whose metadata title is title.
func New(title string) *Document {
	d := &Document{title: title}
	d.newPage()
	return d
}

func (d *Document) newPage() {
	d.pages = append(d.pages, &bytes.Buffer{})
	d.y = pageH - margin
}

// Title writes the document's main title.
func (d *Document) Title(text string) { d.text(text, true, 16, 0, 8) }

// Heading writes a section heading.
func (d *Document) Heading(text string) { d.text(text, true, 12, 0, 4) }

// Paragraph writes wrapped body text; blank lines in text separate paragraphs.
func (d *Document) Paragraph(text string) {
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		d.text(para, false, 10, 0, 3)
	}
}

// Field writes a label in bold followed by its value, wrapped.
func (d *Document) Field(label, value string) {
	d.text(label+" :", true, 10, 0, 0)
	d.y += 10 * lineGap // the value continues on the label's line
	d.textAt(value, false, 10, width(label+" :", true, 10)+6, 3)
}

// Space adds vertical space in points.
func (d *Document) Space(points float64) { d.y -= points }

// SignatureBoxes draws one empty box per signer, side by side, with their labels.
func (d *Document) SignatureBoxes(labels ...string) {
	const h = 70
	if d.y-h-20 < margin {
		d.newPage()
	}
	w := (pageW - 2*margin - float64(len(labels)-1)*12) / float64(len(labels))
	buf := d.pages[len(d.pages)-1]
	for i, l := range labels {
		x := margin + float64(i)*(w+12)
		fmt.Fprintf(buf, "BT /F2 9 Tf %.2f %.2f Td (%s) Tj ET\n", x, d.y-9, escape(l))
		fmt.Fprintf(buf, "0.5 w %.2f %.2f %.2f %.2f re S\n", x, d.y-14-h, w, float64(h))
	}
	d.y -= h + 24
}

func (d *Document) text(s string, bold bool, size, indent, after float64) {
	d.textAt(s, bold, size, indent, after)
}

// textAt wraps s to the page width from indent, breaking pages as needed.
func (d *Document) textAt(s string, bold bool, size, indent, after float64) {
	lines := wrap(s, bold, size, pageW-2*margin-indent)
	font := "/F1"
	if bold {
		font = "/F2"
	}
	for i, line := range lines {
		if d.y-size*lineGap < margin {
			d.newPage()
		}
		d.y -= size * lineGap
		x := margin
		if i == 0 {
			x += indent
		}
		if line != "" {
			fmt.Fprintf(d.pages[len(d.pages)-1], "BT %s %.1f Tf %.2f %.2f Td (%s) Tj ET\n", font, size, x, d.y, escape(line))
		}
	}
	d.y -= after
}

// wrap breaks s into lines no wider than max points.
func wrap(s string, bold bool, size, max float64) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	line := ""
	for _, w := range words {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if line != "" && width(try, bold, size) > max {
			lines = append(lines, line)
			try = w
		}
		for width(try, bold, size) > max && len([]rune(try)) > 1 {
			// A word longer than the line is cut where it overflows.
			r := []rune(try)
			cut := len(r) - 1
			for cut > 1 && width(string(r[:cut]), bold, size) > max {
				cut--
			}
			lines = append(lines, string(r[:cut]))
			try = string(r[cut:])
		}
		line = try
	}
	return append(lines, line)
}

// width measures s in points with the Helvetica metrics.
func width(s string, bold bool, size float64) float64 {
	table := &regular
	if bold {
		table = &boldWidths
	}
	total := 0
	for _, r := range norm.NFD.String(s) {
		switch {
		case r >= 32 && r <= 126:
			total += table[r-32]
		case r >= 0x300 && r <= 0x36f:
			// Combining accents take no width of their own.
		default:
			total += 556
		}
	}
	return float64(total) * size / 1000
}

// escape encodes s in WinAnsi and escapes the PDF string delimiters;
// characters outside WinAnsi become "?".
func escape(s string) string {
	enc := charmap.Windows1252.NewEncoder()
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		out, err := enc.String(string(r))
		if err != nil || out == "" {
			out = "?"
		}
		for _, c := range []byte(out) {
			switch c {
			case '(', ')', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				if c < 32 {
					continue
				}
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// WriteTo writes the document as PDF.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	var out bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(d.pages)
	// Objects: 1 catalog, 2 pages, 3 regular font, 4 bold font, 5 info, then a page and its content per page.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, n)
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	obj(fmt.Sprintf("<< /Title (%s) /Producer (Tremplin) >>", escape(d.title)))
	for i, p := range d.pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", pageW, pageH, 7+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", p.Len(), p.String()))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.WriteTo(w)
}

// Helvetica and Helvetica-Bold advance widths of the printable ASCII
// characters (32–126), in thousandths of the font size, from the Adobe AFM files.
var regular = [95]int{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
}

var boldWidths = [95]int{
	278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
	975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
	333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
	611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
}

// Table layout, in points: body size, padding on each side of a cell, and
// the height of a row.
const (
	tableSize = 9
	cellPad   = 3
	rowH      = tableSize*lineGap + 3
)

// Table draws a table: the bold header row underlined, then the rows, the
// header repeated at the top of each new page. widths are fractions of the
// width between the margins (columns without one share what is left); a
// text too wide for its column is cut with "…", and numbers written the
// French way ("1 234,50", "12 %") are aligned right.
func (d *Document) Table(headers []string, widths []float64, rows [][]string) {
	cols := columns(widths, max(len(headers), len(widths)))
	if len(cols) == 0 {
		return
	}
	if d.y-2*rowH < margin { // the header and at least one row
		d.newPage()
	}
	d.tableHeader(headers, cols)
	for _, row := range rows {
		if d.y-rowH < margin {
			d.newPage()
			d.tableHeader(headers, cols)
		}
		d.tableRow(row, cols, false)
	}
	d.y -= 6
}

// column is the left edge and the width of a table column, in points.
type column struct{ x, w float64 }

// columns places n columns from fractions of the usable width: missing or
// negative fractions share the rest, and a total over 1 is scaled down.
func columns(widths []float64, n int) []column {
	fractions := make([]float64, n)
	total, missing := 0.0, 0
	for i := range fractions {
		if i < len(widths) && widths[i] > 0 {
			fractions[i] = widths[i]
			total += widths[i]
		} else if i >= len(widths) {
			missing++
		}
	}
	if missing > 0 && total < 1 {
		for i := len(widths); i < n; i++ {
			fractions[i] = (1 - total) / float64(missing)
		}
		total = 1
	}
	usable := pageW - 2*margin
	scale := usable
	if total > 1 {
		scale = usable / total
	}
	cols := make([]column, n)
	x := margin
	for i, f := range fractions {
		cols[i] = column{x: x, w: f * scale}
		x += cols[i].w
	}
	return cols
}

// tableHeader draws the header row and the line under it; a table without
// headers has neither.
func (d *Document) tableHeader(headers []string, cols []column) {
	if len(headers) == 0 {
		return
	}
	d.tableRow(headers, cols, true)
	right := cols[len(cols)-1].x + cols[len(cols)-1].w
	fmt.Fprintf(d.pages[len(d.pages)-1], "0.5 w %.2f %.2f m %.2f %.2f l S\n", margin, d.y+1.5, right, d.y+1.5)
}

// tableRow draws one row of cells at the current position.
func (d *Document) tableRow(cells []string, cols []column, bold bool) {
	font := "/F1"
	if bold {
		font = "/F2"
	}
	baseline := d.y - rowH + 4
	buf := d.pages[len(d.pages)-1]
	for i, c := range cols {
		if i >= len(cells) {
			break
		}
		// A PDF line never breaks: every kind of space prints as a space.
		text := fit(strings.Join(strings.Fields(cells[i]), " "), bold, tableSize, c.w-2*cellPad)
		if text == "" {
			continue
		}
		x := c.x + cellPad
		if frenchNumber(cells[i]) {
			x = c.x + c.w - cellPad - width(text, bold, tableSize)
		}
		fmt.Fprintf(buf, "BT %s %.1f Tf %.2f %.2f Td (%s) Tj ET\n", font, float64(tableSize), x, baseline, escape(text))
	}
	d.y -= rowH
}

// fit cuts s with "…" so that it is no wider than limit points.
func fit(s string, bold bool, size, limit float64) string {
	if width(s, bold, size) <= limit {
		return s
	}
	// "…" is one em wide in Helvetica; width counts it as an ordinary
	// character outside ASCII, narrower.
	ellipsis := size
	if ellipsis > limit {
		return ""
	}
	used, end := 0.0, 0
	for i, r := range s {
		used += width(string(r), bold, size)
		if used+ellipsis > limit {
			break
		}
		end = i + utf8.RuneLen(r)
	}
	return strings.TrimRight(s[:end], " ") + "…"
}

// frenchNumber reports whether s reads as a number written the French way:
// digits grouped by spaces (ordinary, no-break or narrow no-break), a
// decimal comma, an optional leading minus, a % or € sign.
func frenchNumber(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "-")
	digits := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r == ' ' || r == '\u00a0' || r == '\u202f' || r == ',' || r == '%' || r == '€':
		default:
			return false
		}
	}
	return digits
}
