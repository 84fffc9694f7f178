package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/tabular"
)

// report is a buyer's report as the insertion clauses will produce it: a
// bold header, French text, integers and amounts, an empty cell.
func report() *Workbook {
	w := New()
	s := w.Sheet("Clauses d'insertion")
	s.Widths(30, 24, 10, 12)
	s.Row(Bold("Marché"), Bold("Entreprise"), Bold("Heures"), Bold("Montant (€)"))
	s.Row("Rénovation du gymnase Léo-Lagrange", "Bâtiments & Fils <SARL>", 420, 15234.5)
	s.Row("Entretien des espaces verts", `Société "Œuvre verte"`, int64(1200), 0.25)
	s.Row("Marché à bons de commande", nil, 0, -3.0)
	t := w.Sheet("Synthèse")
	t.Row(Bold("Indicateur"), Bold("Valeur"))
	t.Row("Heures réalisées", 1620)
	t.Row("Taux de réalisation", 0.8125)
	return w
}

func write(t *testing.T, w *Workbook) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := w.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

// unzip returns the parts of the package by name.
func unzip(t *testing.T, file []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = b
	}
	return parts
}

type cellXML struct {
	R  string  `xml:"r,attr"`
	S  string  `xml:"s,attr"`
	T  *string `xml:"t,attr"`
	V  string  `xml:"v"`
	IS *struct {
		T string `xml:"t"`
	} `xml:"is"`
}

// cells decodes the rows of a worksheet part.
func cells(t *testing.T, sheet []byte) [][]cellXML {
	t.Helper()
	var ws struct {
		Rows []struct {
			Cells []cellXML `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal(sheet, &ws); err != nil {
		t.Fatal(err)
	}
	var out [][]cellXML
	for _, r := range ws.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func (c cellXML) text() string {
	if c.IS != nil {
		return c.IS.T
	}
	return c.V
}

func TestTheFirstSheetReadsBackWithTheTabularReader(t *testing.T) {
	file := write(t, report())
	tab, err := tabular.Open(bytes.NewReader(file), int64(len(file)), "rapport.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Marché", "Entreprise", "Heures", "Montant (€)"}; !reflect.DeepEqual(tab.Header(), want) {
		t.Fatalf("header %q, want %q", tab.Header(), want)
	}
	want := [][]string{
		{"Rénovation du gymnase Léo-Lagrange", "Bâtiments & Fils <SARL>", "420", "15234.5"},
		{"Entretien des espaces verts", `Société "Œuvre verte"`, "1200", "0.25"},
		{"Marché à bons de commande", "", "0", "-3"},
	}
	for i, w := range want {
		row, line, err := tab.Next()
		if err != nil {
			t.Fatalf("row %d: %v", i+2, err)
		}
		if line != i+2 || !reflect.DeepEqual(row, w) {
			t.Errorf("line %d: %q, want line %d: %q", line, row, i+2, w)
		}
	}
	if _, _, err := tab.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last row: %v, want io.EOF", err)
	}
}

func TestTheSecondSheetHoldsItsOwnRows(t *testing.T) {
	parts := unzip(t, write(t, report()))
	var got [][]string
	for _, row := range cells(t, parts["xl/worksheets/sheet2.xml"]) {
		var values []string
		for _, c := range row {
			values = append(values, c.R+"="+c.text())
		}
		got = append(got, values)
	}
	want := [][]string{
		{"A1=Indicateur", "B1=Valeur"},
		{"A2=Heures réalisées", "B2=1620"},
		{"A3=Taux de réalisation", "B3=0.8125"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sheet 2: %q, want %q", got, want)
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(parts["xl/workbook.xml"], &wb); err != nil {
		t.Fatal(err)
	}
	if len(wb.Sheets) != 2 || wb.Sheets[0].Name != "Clauses d'insertion" || wb.Sheets[1].Name != "Synthèse" {
		t.Fatalf("workbook sheets %+v", wb.Sheets)
	}
}

func TestEveryPartIsWellFormedXML(t *testing.T) {
	parts := unzip(t, write(t, report()))
	for _, name := range []string{
		"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
		"xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
	} {
		if parts[name] == nil {
			t.Errorf("part %s is missing", name)
		}
	}
	for name, body := range parts {
		dec := xml.NewDecoder(bytes.NewReader(body))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
}

// TestCellsCarryTheirTypeAndStyle checks what Excel shows: numbers as
// numbers (no t attribute) formatted #,##0 or #,##0.00, headers in bold.
func TestCellsCarryTheirTypeAndStyle(t *testing.T) {
	parts := unzip(t, write(t, report()))
	var st struct {
		Fonts []struct {
			Bold *struct{} `xml:"b"`
		} `xml:"fonts>font"`
		Xfs []struct {
			NumFmtID string `xml:"numFmtId,attr"`
			FontID   int    `xml:"fontId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal(parts["xl/styles.xml"], &st); err != nil {
		t.Fatal(err)
	}
	rows := cells(t, parts["xl/worksheets/sheet1.xml"])
	cases := []struct {
		name     string
		cell     cellXML
		typ      string // "" for a number
		numFmtID string
		bold     bool
	}{
		{"header", rows[0][0], "inlineStr", "0", true},
		{"text", rows[1][0], "inlineStr", "0", false},
		{"int", rows[1][2], "", "3", false},
		{"float", rows[1][3], "", "4", false},
		{"int64", rows[2][2], "", "3", false},
		{"float with an integer value", rows[3][2], "", "4", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			typ := ""
			if c.cell.T != nil {
				typ = *c.cell.T
				if typ == "" {
					t.Fatal("empty t attribute")
				}
			}
			if typ != c.typ {
				t.Errorf("t=%q, want %q", typ, c.typ)
			}
			s, err := strconv.Atoi(c.cell.S)
			if err != nil || s >= len(st.Xfs) {
				t.Fatalf("style %q is not a cellXfs index", c.cell.S)
			}
			xf := st.Xfs[s]
			if xf.NumFmtID != c.numFmtID {
				t.Errorf("number format %s, want %s", xf.NumFmtID, c.numFmtID)
			}
			if bold := st.Fonts[xf.FontID].Bold != nil; bold != c.bold {
				t.Errorf("bold %v, want %v", bold, c.bold)
			}
		})
	}
}

func TestTextLosesTheCharactersXMLCannotCarry(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Zoé & Léa <3 \"ok\" 'oui'", "Zoé & Léa <3 \"ok\" 'oui'"},
		{"a\x00b\x01c\x1fd\x7fe\u0085f", "abcdef"},
		{"ligne 1\r\nligne 2\tsuite", "ligne 1\nligne 2\tsuite"},
		{"\uFFFE\uFFFFfin\U0001F600", "fin\U0001F600"},
		{"  espaces  ", "  espaces  "},
	}
	for _, c := range cases {
		w := New()
		w.Sheet("Texte").Row(c.in)
		rows := cells(t, unzip(t, write(t, w))["xl/worksheets/sheet1.xml"])
		if got := rows[0][0].text(); got != c.want {
			t.Errorf("%q read back as %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLongTextIsCutToWhatExcelAccepts(t *testing.T) {
	w := New()
	w.Sheet("Texte").Row(strings.Repeat("é", maxCellChars+10), strings.Repeat("😀", maxCellChars))
	rows := cells(t, unzip(t, write(t, w))["xl/worksheets/sheet1.xml"])
	for _, c := range rows[0] {
		if n := len(utf16.Encode([]rune(c.text()))); n > maxCellChars || n < maxCellChars-1 {
			t.Errorf("cell %s holds %d UTF-16 units, want at most %d", c.R, n, maxCellChars)
		}
	}
}

func TestEmptyAndOtherCells(t *testing.T) {
	w := New()
	w.Sheet("Divers").Row(nil, "", Bold(""), true, "fin")
	rows := cells(t, unzip(t, write(t, w))["xl/worksheets/sheet1.xml"])
	var got []string
	for _, c := range rows[0] {
		got = append(got, c.R+"="+c.text())
	}
	if want := []string{"D1=true", "E1=fin"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("cells %q, want %q", got, want)
	}
}

func TestSheetNamesAreMadeAcceptableToExcel(t *testing.T) {
	long := strings.Repeat("Clauses sociales ", 3)
	cases := []struct {
		name  string
		given []string
		want  []string
	}{
		{"forbidden characters become dashes", []string{`Bilan [2024/2025]: a*b?c\d`}, []string{"Bilan -2024-2025-- a-b-c-d"}},
		{"control characters are dropped", []string{"Bi\tlan\n"}, []string{"Bilan"}},
		{"names are cut to 31 characters", []string{long}, []string{"Clauses sociales Clauses social"}},
		{"apostrophes and spaces at the ends go", []string{" 'Synthèse' "}, []string{"Synthèse"}},
		{"an empty name is numbered", []string{"A", "  "}, []string{"A", "Feuille 2"}},
		{"duplicates are numbered, ignoring case", []string{"Marchés", "marchés", "MARCHÉS"}, []string{"Marchés", "marchés (2)", "MARCHÉS (3)"}},
		{"a numbered long name stays within 31", []string{long, long}, []string{"Clauses sociales Clauses social", "Clauses sociales Clauses so (2)"}},
		{"History is reserved", []string{"History"}, []string{"History (2)"}},
		{"accents count as one character", []string{strings.Repeat("é", 40)}, []string{strings.Repeat("é", 31)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := New()
			var got []string
			for _, n := range c.given {
				got = append(got, w.Sheet(n).name)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("names %q, want %q", got, c.want)
			}
		})
	}
}

func TestColumnWidthsAreWrittenBeforeTheData(t *testing.T) {
	w := New()
	s := w.Sheet("Largeurs")
	s.Widths(30, 0, 12.5, 1000)
	s.Row("a")
	sheet := string(unzip(t, write(t, w))["xl/worksheets/sheet1.xml"])
	want := `<cols><col min="1" max="1" width="30" customWidth="1"/><col min="3" max="3" width="12.5" customWidth="1"/><col min="4" max="4" width="255" customWidth="1"/></cols><sheetData>`
	if !strings.Contains(sheet, want) {
		t.Fatalf("sheet %s\nwant %s", sheet, want)
	}
}

func TestAWorkbookWithoutSheetsGetsAnEmptyOne(t *testing.T) {
	parts := unzip(t, write(t, New()))
	if !strings.Contains(string(parts["xl/workbook.xml"]), `<sheet name="Feuille 1" sheetId="1" r:id="rId1"/>`) || parts["xl/worksheets/sheet1.xml"] == nil {
		t.Fatalf("workbook %s", parts["xl/workbook.xml"])
	}
}

func TestSheetsBeyondExcelLimitsAreRefused(t *testing.T) {
	tooLong := New()
	s := tooLong.Sheet("Longue")
	s.rows = maxRows - 1 // as if the rows had been written
	s.Row("avant-dernière")
	s.Row("de trop")
	tooWide := New()
	tooWide.Sheet("Large").Row(make([]any, maxColumns+1)...)
	for name, w := range map[string]*Workbook{"rows": tooLong, "columns": tooWide} {
		if _, err := w.WriteTo(io.Discard); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("too many %s: %v, want an invalid error", name, err)
		}
	}
	fits := New()
	s = fits.Sheet("Juste")
	s.rows = maxRows - 1
	s.Row(make([]any, maxColumns)...)
	if _, err := fits.WriteTo(io.Discard); err != nil {
		t.Fatalf("a sheet at the limits: %v", err)
	}
}

// TestLibreOfficeOpensTheWorkbook converts the workbook to CSV when
// LibreOffice is installed: a file it cannot read converts to nothing.
func TestLibreOfficeOpensTheWorkbook(t *testing.T) {
	bin, err := exec.LookPath("soffice")
	if err != nil {
		if bin, err = exec.LookPath("libreoffice"); err != nil {
			t.Skip("LibreOffice is not installed")
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "rapport.xlsx")
	if err := os.WriteFile(in, write(t, report()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "rapport.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Marché,Entreprise,Heures,Montant (€)", "Rénovation du gymnase Léo-Lagrange", `"Société ""Œuvre verte"""`} {
		if !strings.Contains(string(csv), want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv)
		}
	}
}
