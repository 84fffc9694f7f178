package pdf

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestWrapKeepsLinesWithinTheWidth(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		max   float64
		lines int
	}{
		{"short text stays on one line", "Contrat d'engagement", 400, 1},
		{"empty text is one empty line", "", 400, 1},
		{"long text wraps", strings.Repeat("mobilité emploi ", 40), 300, 0},
		{"a word longer than the line is cut", strings.Repeat("x", 200), 100, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := wrap(c.text, false, 10, c.max)
			if c.lines > 0 && len(got) != c.lines {
				t.Fatalf("%d lines, want %d: %q", len(got), c.lines, got)
			}
			for _, l := range got {
				if width(l, false, 10) > c.max {
					t.Fatalf("line %q is %.1f points wide, over %.1f", l, width(l, false, 10), c.max)
				}
			}
			if strings.Join(strings.Fields(strings.Join(got, " ")), "") != strings.Join(strings.Fields(c.text), "") {
				t.Fatalf("wrapping lost text: %q", got)
			}
		})
	}
}

func TestEscapeEncodesFrenchInWinAnsiAndEscapesDelimiters(t *testing.T) {
	cases := map[string]string{
		"Référent (social)": "R\xe9f\xe9rent \\(social\\)",
		"a\\b":              "a\\\\b",
		"œuvre € ":          "\x9cuvre \x80 ",
		"日本":                "??",
	}
	for in, want := range cases {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDocumentIsAWellFormedPDF checks the structure a reader relies on: the
// cross-reference offsets point at their objects and pages break.
func TestDocumentIsAWellFormedPDF(t *testing.T) {
	d := New("Contrat")
	d.Title("Contrat d'engagement")
	d.Field("Personne", "Léa Dupont")
	for i := 0; i < 120; i++ {
		d.Paragraph("Objectif : retrouver un emploi dans la logistique, avec un accompagnement renforcé et des immersions.")
	}
	d.SignatureBoxes("La personne", "Le référent")
	if len(d.pages) < 3 {
		t.Fatalf("%d pages for 120 paragraphs, want page breaks", len(d.pages))
	}
	checkWellFormed(t, d)
}

// checkWellFormed writes d and checks the structure a reader relies on.
func checkWellFormed(t *testing.T, d *Document) {
	t.Helper()
	var out bytes.Buffer
	if _, err := d.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	pdf := out.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("missing header or trailer")
	}
	m := regexp.MustCompile(`startxref\n(\d+)`).FindSubmatch(pdf)
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref")) {
		t.Fatal("startxref does not point at the xref table")
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n`).FindAllSubmatch(pdf[xref:], -1)
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if !bytes.HasPrefix(pdf[off:], []byte(strconv.Itoa(i+1)+" 0 obj")) {
			t.Fatalf("xref entry %d points at %q", i+1, pdf[off:off+10])
		}
	}
	for _, m := range regexp.MustCompile(`/Length (\d+) >>\nstream\n`).FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		if !bytes.HasPrefix(pdf[m[1]+n:], []byte("endstream")) {
			t.Fatal("a stream's length is wrong")
		}
	}
}

// drawn is a text a page draws: its font, position and escaped text.
type drawn struct {
	bold bool
	x, y float64
	text string
}

var drawRe = regexp.MustCompile(`BT /F(\d) [\d.]+ Tf (-?[\d.]+) (-?[\d.]+) Td \(((?:[^()\\]|\\.)*)\) Tj ET`)

// texts lists the texts a page draws, in order.
func texts(page *bytes.Buffer) []drawn {
	var out []drawn
	for _, m := range drawRe.FindAllStringSubmatch(page.String(), -1) {
		x, _ := strconv.ParseFloat(m[2], 64)
		y, _ := strconv.ParseFloat(m[3], 64)
		out = append(out, drawn{bold: m[1] == "2", x: x, y: y, text: m[4]})
	}
	return out
}

func TestTableSpansPagesRepeatingItsHeader(t *testing.T) {
	headers := []string{"Marché", "Entreprise", "Heures"}
	var rows [][]string
	for i := range 200 {
		rows = append(rows, []string{fmt.Sprintf("Marché n° %d", i), "Bâtiments & Fils", "1 234"})
	}
	d := New("Rapport")
	d.Title("Clauses d'insertion")
	d.Table(headers, []float64{0.5, 0.3, 0.2}, rows)
	if len(d.pages) < 3 {
		t.Fatalf("%d pages for 200 rows, want page breaks", len(d.pages))
	}
	next := 0
	for p, page := range d.pages {
		got := texts(page)
		if p == 0 {
			got = got[1:] // the title
		}
		for i, h := range headers {
			if i >= len(got) || !got[i].bold || got[i].text != escape(h) {
				t.Fatalf("page %d does not start with the header %q: %+v", p+1, headers, got[:min(len(got), 3)])
			}
		}
		if n := strings.Count(page.String(), " l S\n"); n != 1 {
			t.Errorf("page %d has %d lines under a header, want 1", p+1, n)
		}
		for _, tx := range got[len(headers):] {
			if tx.bold {
				t.Fatalf("page %d draws %q in bold below the header", p+1, tx.text)
			}
			if tx.y < margin {
				t.Fatalf("page %d draws %q at %.2f, below the bottom margin", p+1, tx.text, tx.y)
			}
			if strings.HasPrefix(tx.text, "March") {
				if want := escape(fmt.Sprintf("Marché n° %d", next)); tx.text != want {
					t.Fatalf("page %d: row %q, want %q", p+1, tx.text, want)
				}
				next++
			}
		}
	}
	if next != len(rows) {
		t.Fatalf("%d rows drawn, want %d", next, len(rows))
	}
	checkWellFormed(t, d)
}

func TestTableCellsFitTheirColumnAndNumbersAlignRight(t *testing.T) {
	long := "Rénovation énergétique du groupe scolaire Jules-Ferry et de son gymnase"
	row := []string{long, "1\u202f234,50", "12 %", "Lyon"}
	d := New("Rapport")
	d.Table([]string{"Marché", "Montant", "Part", "Lieu"}, []float64{0.25, 0.25, 0.25, 0.25}, [][]string{row})
	got := texts(d.pages[0])[4:]
	if len(got) != 4 {
		t.Fatalf("%d cells drawn, want 4: %+v", len(got), got)
	}
	colW := (pageW - 2*margin) / 4
	cases := []struct {
		name  string
		text  string // as written, before escaping
		right bool
	}{
		{"long text is cut with an ellipsis", "", false},
		{"amount", "1 234,50", true},
		{"percentage", "12 %", true},
		{"short text", "Lyon", false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cell := got[i]
			left, right := margin+float64(i)*colW+cellPad, margin+float64(i+1)*colW-cellPad
			var w float64
			if c.text == "" {
				if !strings.HasSuffix(cell.text, "\x85") || !strings.HasPrefix(escape(long), strings.TrimSuffix(cell.text, "\x85")) {
					t.Fatalf("cell %q is not a cut of %q", cell.text, long)
				}
				w = width(strings.TrimSuffix(cell.text, "\x85"), false, tableSize) + tableSize // "…" is one em wide
			} else {
				if cell.text != escape(c.text) {
					t.Fatalf("cell %q, want %q", cell.text, escape(c.text))
				}
				w = width(c.text, false, tableSize)
			}
			if cell.x < left-0.01 || cell.x+w > right+0.01 {
				t.Errorf("cell spans %.2f–%.2f, outside its column %.2f–%.2f", cell.x, cell.x+w, left, right)
			}
			if aligned := math.Abs(cell.x+w-right) < 0.01; aligned != c.right {
				t.Errorf("right-aligned %v, want %v (x %.2f, width %.2f, right %.2f)", aligned, c.right, cell.x, w, right)
			}
		})
	}
}

func TestFitCutsTextWithAnEllipsis(t *testing.T) {
	cases := []struct {
		name, text string
		limit      float64
		want       string
	}{
		{"text that fits is kept", "Lyon", 100, "Lyon"},
		{"long text is cut", "Rénovation du gymnase", 60, "Rénovation…"},
		{"no space before the ellipsis", "ab cd", 22, "ab…"},
		{"no room even for the ellipsis", "abc", 5, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fit(c.text, false, 9, c.limit); got != c.want {
				t.Fatalf("fit(%q, %.0f) = %q, want %q", c.text, c.limit, got, c.want)
			}
		})
	}
}

func TestFrenchNumbersAreRecognised(t *testing.T) {
	cases := map[string]bool{
		"1 234,50":   true,
		"1\u202f234": true,
		"1\u00a0000": true,
		"12 %":       true,
		"-3,5":       true,
		"1 200 €":    true,
		"0":          true,
		"":           false,
		"%":          false,
		"-":          false,
		"12.5":       false,
		"Lot 3":      false,
		"2024-01-15": false,
		"15/01/2024": false,
		"3 heures":   false,
	}
	for in, want := range cases {
		if got := frenchNumber(in); got != want {
			t.Errorf("frenchNumber(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestColumnsShareTheUsableWidth(t *testing.T) {
	usable := pageW - 2*margin
	cases := []struct {
		name   string
		widths []float64
		n      int
		want   []float64 // fractions of the usable width
	}{
		{"fractions as given", []float64{0.5, 0.3, 0.2}, 3, []float64{0.5, 0.3, 0.2}},
		{"a total under 1 leaves room", []float64{0.2, 0.2}, 2, []float64{0.2, 0.2}},
		{"no widths share equally", nil, 4, []float64{0.25, 0.25, 0.25, 0.25}},
		{"missing widths share the rest", []float64{0.5}, 3, []float64{0.5, 0.25, 0.25}},
		{"a total over 1 is scaled down", []float64{1, 1}, 2, []float64{0.5, 0.5}},
		{"a negative width is none", []float64{-1, 0.5}, 2, []float64{0, 0.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cols := columns(c.widths, c.n)
			if len(cols) != len(c.want) {
				t.Fatalf("%d columns, want %d", len(cols), len(c.want))
			}
			x := margin
			for i, col := range cols {
				if math.Abs(col.x-x) > 1e-9 || math.Abs(col.w-c.want[i]*usable) > 1e-9 {
					t.Fatalf("column %d at %.2f width %.2f, want %.2f width %.2f", i, col.x, col.w, x, c.want[i]*usable)
				}
				x += col.w
			}
		})
	}
}

func TestTableToleratesRaggedInput(t *testing.T) {
	d := New("Rapport")
	d.Table([]string{"A", "B"}, nil, [][]string{{"1"}, {"1", "2", "3"}, nil, {"", "\t"}})
	d.Table(nil, nil, [][]string{{"x"}})
	d.Table(nil, []float64{0.5}, [][]string{{"sans en-tête", "ignoré"}})
	got := texts(d.pages[0])
	var text []string
	for _, tx := range got {
		text = append(text, tx.text)
	}
	want := []string{"A", "B", "1", "1", "2", escape("sans en-tête")}
	if strings.Join(text, "|") != strings.Join(want, "|") {
		t.Fatalf("drawn %q, want %q", text, want)
	}
	checkWellFormed(t, d)
}

func FuzzDocument(f *testing.F) {
	f.Add("Contrat (CER) \\ é € 日本")
	f.Fuzz(func(t *testing.T, s string) {
		d := New(s)
		d.Title(s)
		d.Paragraph(s)
		d.Field(s, s)
		var out bytes.Buffer
		if _, err := d.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
	})
}
