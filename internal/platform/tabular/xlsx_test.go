package tabular

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// The parts of a workbook as Excel and LibreOffice write them, trimmed to
// what a reader needs.
const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`
	packageRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>`
	oneSheetWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<workbookPr/><sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>`
	// styles: 0 general, 1 built-in date (14), 2 custom date dd/mm/yyyy, 3 time (20), 4 two decimals, 5 custom currency with a locale.
	partnerStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[$€-40C]\ #,##0.00;[Red]\-#,##0.00"/></numFmts>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="20"/><xf numFmtId="2"/><xf numFmtId="165"/></cellXfs>
</styleSheet>`
	partnerShared = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">
<si><t>Nom</t></si><si><t>Prénom</t></si><si><t>Date de naissance</t></si><si><t xml:space="preserve">N° sécurité sociale </t></si>
<si><r><rPr><b/></rPr><t>Le </t></r><r><t>Goff</t></r><rPh sb="0" eb="1"><t>ruby</t></rPh></si><si><t>Zoé</t></si>
</sst>`
)

// partnerSheet is a mission locale's list: shared and inline strings, dates
// typed three ways, a NIR typed as a number, empty cells and a gap in the rows.
const partnerSheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><t>RQTH</t></is></c><c r="F1" s="4"/></row>
<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" s="1"><v>36892</v></c><c r="D2"><v>2.91037504112301E+14</v></c><c r="E2" t="b"><v>1</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><r><t>Mar</t></r><r><t>tin</t></r></is></c><c r="C3" s="2"><v>32874.99999</v></c><c r="E3" t="b"><v>0</v></c><c r="H3"><v>12</v></c></row>
<row r="4"><c r="A4" s="4"/><c r="B4" t="str"><f>""</f><v></v></c></row>
<row r="6"><c t="str"><v>Nowak</v></c><c t="inlineStr"><is><t>Sami</t></is></c><c s="3"><v>0.5</v></c><c s="4"><v>1234.5</v></c><c t="e"><v>#N/A</v></c></row>
<row r="7"><c r="A7" t="inlineStr"><is><t>Bernard</t></is></c><c r="C7" t="d"><v>1990-05-17T00:00:00</v></c><c r="D7" s="5"><v>42</v></c></row>
</sheetData></worksheet>`

// zipFile builds a zip archive holding the named parts.
func zipFile(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// workbookFile builds an XLSX file with one worksheet and the given shared strings and styles.
func workbookFile(t testing.TB, sheet, shared, styles string) []byte {
	t.Helper()
	return zipFile(t, map[string]string{
		"[Content_Types].xml": contentTypes, "_rels/.rels": packageRels, "xl/workbook.xml": oneSheetWorkbook,
		"xl/_rels/workbook.xml.rels": workbookRels, "xl/worksheets/sheet1.xml": sheet,
		"xl/sharedStrings.xml": shared, "xl/styles.xml": styles,
	})
}

func openBytes(t *testing.T, b []byte, name string) (*Table, error) {
	t.Helper()
	return Open(bytes.NewReader(b), int64(len(b)), name)
}

func TestXLSXGivesTheValuesAsTheSpreadsheetShowsThem(t *testing.T) {
	tab, err := openBytes(t, workbookFile(t, partnerSheet, partnerShared, partnerStyles), "liste.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Format() != XLSX {
		t.Errorf("format %s", tab.Format())
	}
	wantHeader := []string{"Nom", "Prénom", "Date de naissance", "N° sécurité sociale", "RQTH"}
	if fmt.Sprint(tab.Header()) != fmt.Sprint(wantHeader) {
		t.Fatalf("header %q, want %q (trimmed, without the styled empty column)", tab.Header(), wantHeader)
	}
	want := []struct {
		line int
		row  []string
		why  string
	}{
		{2, []string{"Le Goff", "Zoé", "2001-01-01", "291037504112301", "VRAI"}, "rich shared string, built-in date, NIR typed as a number, boolean"},
		{3, []string{"Martin", "", "1990-01-01", "", "FAUX"}, "inline runs, custom date format rounded to the day, empty cell kept in place, value outside the header dropped"},
		{6, []string{"Nowak", "Sami", "12:00:00", "1234.5", "#N/A"}, "cells without references, a time of day, an error value; row 4 is blank"},
		{7, []string{"Bernard", "", "1990-05-17", "42", ""}, "an ISO date cell, a currency format that is not a date"},
	}
	for _, w := range want {
		row, line, err := tab.Next()
		if err != nil {
			t.Fatalf("%s: %v", w.why, err)
		}
		if line != w.line || fmt.Sprintf("%q", row) != fmt.Sprintf("%q", w.row) {
			t.Errorf("%s:\n got line %d %q\nwant line %d %q", w.why, line, row, w.line, w.row)
		}
	}
	if _, _, err := tab.Next(); err == nil || err.Error() != "EOF" {
		t.Fatalf("after the last row: %v", err)
	}
}

func TestXLSXFindsTheFirstVisibleWorksheet(t *testing.T) {
	workbook := `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<workbookPr date1904="1"/><sheets><sheet name="Graphique" sheetId="3" r:id="rId9"/><sheet name="Paramètres" sheetId="2" state="hidden" r:id="rId5"/><sheet name="Jeunes" sheetId="1" r:id="rId7"/></sheets></workbook>`
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/params.xml"/>
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/jeunes.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>`
	sheet := func(title string) string {
		return `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>` + title +
			`</t></is></c><c r="B1" t="inlineStr"><is><t>Né le</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Nowak</t></is></c><c r="B2" s="1"><v>31558</v></c></row></sheetData></worksheet>`
	}
	file := zipFile(t, map[string]string{
		"_rels/.rels": packageRels, "xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels,
		"xl/worksheets/params.xml": sheet("Paramètre"), "xl/worksheets/jeunes.xml": sheet("Nom"), "xl/styles.xml": partnerStyles,
	})
	tab, err := openBytes(t, file, "")
	if err != nil {
		t.Fatal(err)
	}
	row, _, err := tab.Next()
	if err != nil || tab.Header()[0] != "Nom" {
		t.Fatalf("header %q: %v", tab.Header(), err)
	}
	// 31558 days after 1 January 1904 is 27 May 1990.
	if row[1] != "1990-05-27" {
		t.Errorf("a date of a 1904 workbook: %q", row[1])
	}
}

func TestXLSXErrorsNameTheLine(t *testing.T) {
	sheet := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>99</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>Martin</t></is></c></row>
<row r="4"><c r="AAAA4"><v>1</v></c></row>
<row r="5"><c r="A5"><v>1</v></c>`
	tab, err := openBytes(t, workbookFile(t, sheet, partnerShared, partnerStyles), "liste.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		line              int
		value, err        string
		recoverable, last bool
	}{
		{2, "", "ligne 2 : cellule A2 : texte partagé introuvable", true, false},
		{3, "Martin", "", false, false},
		{4, "", `ligne 4 : référence de cellule "AAAA4" incorrecte`, true, false},
		{5, "", "ligne 5 : feuille de calcul illisible ou endommagée", false, true},
	}
	for _, st := range steps {
		row, line, err := tab.Next()
		if line != st.line {
			t.Errorf("line %d, want %d", line, st.line)
		}
		if st.err == "" {
			if err != nil || row[0] != st.value {
				t.Fatalf("line %d: %q, %v", st.line, row, err)
			}
			continue
		}
		var re *RowError
		if err == nil || !strings.Contains(err.Error(), st.err) || asRowError(err, &re) != st.recoverable {
			t.Fatalf("line %d: error %v, want %q (recoverable %v)", st.line, err, st.err, st.recoverable)
		}
	}
	if _, _, err := tab.Next(); err == nil || err.Error() != "EOF" {
		t.Fatalf("a broken sheet ends the table: %v", err)
	}
}

func TestXLSXRefusesWhatItCannotRead(t *testing.T) {
	noWorkbook := zipFile(t, map[string]string{"word/document.xml": "<document/>"})
	chartsOnly := zipFile(t, map[string]string{
		"xl/workbook.xml":            oneSheetWorkbook,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`,
	})
	emptySheet := workbookFile(t, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`, partnerShared, partnerStyles)
	cases := []struct {
		name, file string
		content    []byte
		want       string
	}{
		{"a zip that is not a workbook", "liste.xlsx", noWorkbook, "illisible ou endommagé"},
		{"a workbook without worksheet", "liste.xlsx", chartsOnly, "aucune feuille de calcul"},
		{"an empty worksheet", "liste.xlsx", emptySheet, "Le fichier est vide"},
		{"a text file named .xlsx", "liste.xlsx", []byte("Nom;Prénom\n"), "n'est pas un classeur XLSX"},
		{"an Excel 97 file", "liste.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "Excel 97-2003"},
		{"an OpenDocument spreadsheet", "liste.ods", zipFile(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), "OpenDocument"},
	}
	for _, tc := range cases {
		if _, err := openBytes(t, tc.content, tc.file); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestNumberFormatsThatAreDates(t *testing.T) {
	cases := []struct {
		id   int
		code string
		want cellKind
	}{
		{0, "", plainNumber},
		{14, "", dateNumber},
		{17, "", dateNumber},
		{20, "", timeNumber},
		{22, "", dateNumber},
		{2, "", plainNumber},
		{164, "dd/mm/yyyy", dateNumber},
		{165, `[$-40C]d\ mmmm\ yyyy;@`, dateNumber},
		{166, "mmm-yy", dateNumber},
		{167, "hh:mm", timeNumber},
		{168, "mm:ss", timeNumber},
		{169, `#,##0 "jours"`, plainNumber},
		{170, `[Red]0.00;[Blue]-0.00`, plainNumber},
		{171, "General", plainNumber},
		{172, "0.00E+00", plainNumber},
		{173, "dd/mm/yyyy hh:mm", dateNumber},
	}
	for _, tc := range cases {
		if got := formatKind(tc.id, tc.code); got != tc.want {
			t.Errorf("format %d %q: kind %d, want %d", tc.id, tc.code, got, tc.want)
		}
	}
}

func TestCellReferences(t *testing.T) {
	for ref, want := range map[string]int{"A1": 0, "C5": 2, "Z9": 25, "AA10": 26, "XFD1": 16383, "b2": 1} {
		if got, ok := columnOf(ref); !ok || got != want {
			t.Errorf("%s: %d %v, want %d", ref, got, ok, want)
		}
		if name := cellName(want, 7); !strings.EqualFold(name[:len(name)-1], strings.TrimRight(ref, "0123456789")) {
			t.Errorf("cellName(%d) = %s", want, name)
		}
	}
	for _, bad := range []string{"", "12", "AAAA1"} {
		if _, ok := columnOf(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestXLSXRefusesDeepNestingAndHugeCells guards memory: a small zip of deeply
// nested elements, or one huge shared string used by every row, is refused
// instead of being held or copied.
func TestXLSXRefusesDeepNestingAndHugeCells(t *testing.T) {
	deep := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)
	cases := []struct {
		name  string
		sheet string
		strs  []string
		want  string
	}{
		{"nested elements before the rows", `<worksheet>` + deep + `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row></sheetData></worksheet>`, nil, "imbriquée"},
		{"a cell of 40 KiB", `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>`,
			[]string{strings.Repeat("x", 40<<10)}, "trop longue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shared := `<sst>`
			for _, str := range c.strs {
				shared += `<si><t>` + str + `</t></si>`
			}
			tab, err := openBytes(t, workbookFile(t, c.sheet, shared+`</sst>`, partnerStyles), "liste.xlsx")
			if err == nil {
				for {
					_, _, err = tab.Next()
					if err != nil {
						break
					}
				}
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}
