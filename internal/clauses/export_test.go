package clauses_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"tremplin/internal/clauses"
	"tremplin/internal/platform/tabular"
)

var exportGenerated = time.Date(2026, 6, 15, 10, 30, 0, 0, time.UTC)

// exportFigures are the figures of the tramway: three participants, one of
// them in a QPV, two hired, 510 hours done.
func exportFigures() clauses.Report {
	return clauses.Report{From: "2026-03-01", To: "2026-06-15", ETPDivisor: 1607,
		Hours: 51000, ETP: 510.0 / 1607, Participants: 3,
		ParticipantsByPublic: map[string]int{"BRSA": 2, "JEUNE_26": 1},
		HoursByPublic:        map[string]clauses.Hours{"BRSA": 40000, "JEUNE_26": 11000},
		ParticipantsBySex:    map[string]int{"F": 1, "M": 2},
		ParticipantsByAge:    map[string]int{"moins_26": 1, "26_44": 2},
		ParticipantsQPV:      1,
		Markets:              2, CompaniesConcerned: 2, CompaniesStarted: 1, RequiredHours: 200000, Hires: 2,
		Contracts: 3, ContractsByType: map[string]int{"CDD": 2, "CDI": 1}, ContractsByPublic: map[string]int{"BRSA": 2, "JEUNE_26": 1},
		HoursByContract: map[string]clauses.Hours{"CDD": 37000, "CDI": 14000},
		HoursByMode:     map[string]clauses.Hours{"EMBAUCHE_DIRECTE": 41000, "MISE_A_DISPOSITION": 10000},
	}
}

// exportOperation is the tramway's progress: one market 42,5 % done, one
// company late, another silent.
func exportOperation() clauses.OperationProgress {
	t901 := clauses.Market{ID: "m1", Reference: "T9-01", Title: "Voies et plateformes", BuyerName: "Syndicat des transports",
		ClauseType: "execution", Required: 120000, Start: date("2026-03-01"), End: date("2026-12-31")}
	t902 := clauses.Market{ID: "m2", Reference: "T9-02", Title: "Stations", BuyerName: "Syndicat des transports",
		ClauseType: "marche_insertion", Required: 80000, Start: date("2026-04-01"), End: date("2026-09-30")}
	late := clauses.CompanyProgress{CompanyOrgID: "c1", CompanyName: "Bâtir SA", Role: "holder", Share: 120000, Done: 51000,
		Percent: 42.5, Started: true, Late: true}
	silent := clauses.CompanyProgress{CompanyOrgID: "c2", CompanyName: "Voies & Fils", Role: "subcontractor", Share: 80000, Silent: true}
	lateTotal, silentTotal := late, silent
	lateTotal.Role, silentTotal.Role = "", "" // the operation's totals carry no role
	return clauses.OperationProgress{
		Operation: clauses.Operation{ID: "op", Name: "Tramway T9"},
		Markets: []clauses.MarketProgress{
			{Market: t901, Done: 51000, Percent: 42.5, Elapsed: 60, Companies: []clauses.CompanyProgress{late}},
			{Market: t902, Elapsed: 30, Companies: []clauses.CompanyProgress{silent}},
		},
		Companies: []clauses.CompanyProgress{lateTotal, silentTotal},
		Required:  200000, Done: 51000, Expected: 96000, Percent: 25.5, ETP: 510.0 / 1607,
		Figures: exportFigures(),
		Alerts: []clauses.Alert{
			{Kind: "late", Reference: "T9-01", CompanyName: "Bâtir SA",
				Message: "Bâtir SA est en retard sur le marché T9-01 : 510 h réalisées pour 720 h attendues au prorata de sa part."},
			{Kind: "silent", Reference: "T9-02", CompanyName: "Voies & Fils",
				Message: "Voies & Fils n'a déclaré aucune heure sur le marché T9-02 (part : 800 h)."},
		},
		Outcomes: map[string]map[string]int{"end": {"cdi": 1, "none": 2}, "six_months": {"cdd6": 1}},
		Today:    "2026-06-15",
	}
}

var tjRe = regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) Tj`)

// pdfTexts returns the texts the pages draw, decoded from WinAnsi and joined
// by spaces, so that a field's label and value, or a wrapped line, read on.
func pdfTexts(t *testing.T, doc []byte) string {
	t.Helper()
	var parts []string
	for _, m := range tjRe.FindAllSubmatch(doc, -1) {
		var raw []byte
		for i := 0; i < len(m[1]); i++ {
			if m[1][i] == '\\' && i+1 < len(m[1]) {
				i++
			}
			raw = append(raw, m[1][i])
		}
		s, err := charmap.Windows1252.NewDecoder().Bytes(raw)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, string(s))
	}
	return strings.Join(parts, " ")
}

// wellFormedPDF checks the header, the trailer and that startxref points at the xref table.
func wellFormedPDF(t *testing.T, doc []byte) {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("%PDF-")) || !bytes.HasSuffix(doc, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF: starts %q, ends %q", doc[:min(len(doc), 8)], doc[max(0, len(doc)-8):])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("no startxref")
	}
	if off, _ := strconv.Atoi(string(m[1])); !bytes.HasPrefix(doc[off:], []byte("xref\n")) {
		t.Fatal("startxref does not point at the xref table")
	}
}

func TestOperationPDFGivesTheBuyerItsFiguresInFrench(t *testing.T) {
	var buf bytes.Buffer
	if err := clauses.OperationPDF(&buf, exportOperation(), "Syndicat des transports", exportGenerated); err != nil {
		t.Fatal(err)
	}
	wellFormedPDF(t, buf.Bytes())
	text := pdfTexts(t, buf.Bytes())
	cases := []struct{ name, want string }{
		{"title", "Bilan des clauses d'insertion — Tramway T9"},
		{"buyer", "Acheteur public : Syndicat des transports"},
		{"period from the first market to today", "Période : du 1er mars 2026 au 15 juin 2026"},
		{"date of edition", "Édité le : 15 juin 2026"},
		{"hours required, thousands spaced", "Heures d'insertion requises : 2 000"},
		{"hours done", "Heures réalisées : 510"},
		{"percentage", "Taux de réalisation : 25,5 %"},
		{"ETP with its divisor", "Équivalents temps plein (ETP = heures ÷ 1 607) : 0,32"},
		{"companies concerned", "Entreprises concernées : 2"},
		{"companies started", "Entreprises ayant démarré : 1"},
		{"hires", "Embauches : 2"},
		{"participants", "Participants : 3"},
		{"a market with its clause type", "T9-01 Voies et plateformes Syndicat des transports Condition d'exécution (art. L2112-2)"},
		{"a market's hours against the schedule", "T9-01 1 200 510 42,5 % 60 %"},
		{"a late company", "Bâtir SA Titulaire 1 200 510 42,5 % en retard"},
		{"a silent company", "Voies & Fils Sous-traitant 800 0 0 % sans heures"},
		{"participants by public", "Bénéficiaire du RSA 2 66,7 % 400 78,4 %"},
		{"by sex", "Femme 1 33,3 %"},
		{"by age band", "26 à 44 ans 2 66,7 %"},
		{"QPV", "Résident d'un QPV 1 33,3 %"},
		{"contracts by type", "CDD 2 370"},
		{"hours by mode", "Mise à disposition 100 19,6 %"},
		{"outcomes at the end and six months later", "À la fin de la mission Six mois après"},
		{"an outcome", "CDD de 6 mois ou plus 0 1"},
		{"the first alert", "• Bâtir SA est en retard sur le marché T9-01 : 510 h réalisées pour 720 h attendues au prorata de sa part."},
		{"the second alert", "• Voies & Fils n'a déclaré aucune heure sur le marché T9-02 (part : 800 h)."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(text, c.want) {
				t.Errorf("the PDF does not say %q:\n%s", c.want, text)
			}
		})
	}
	printable(t, text)
}

// cutRe finds a text cut with "…": the labels end their own "…" with a parenthesis.
var cutRe = regexp.MustCompile(`\p{L}…(\s|$)`)

// printable checks that every character was encoded and no cell was too narrow for its text.
func printable(t *testing.T, text string) {
	t.Helper()
	if strings.Contains(text, "?") {
		t.Errorf("a character could not be encoded: %s", text)
	}
	if at := cutRe.FindStringIndex(text); at != nil {
		t.Errorf("a cell too narrow for its text is cut: %q", text[max(0, at[0]-40):at[1]])
	}
}

func TestOperationPDFOfAnOperationWithoutMarkets(t *testing.T) {
	var buf bytes.Buffer
	p := clauses.OperationProgress{Operation: clauses.Operation{Name: "Gymnase"}, Today: "2026-06-15"}
	if err := clauses.OperationPDF(&buf, p, "", exportGenerated); err != nil {
		t.Fatal(err)
	}
	wellFormedPDF(t, buf.Bytes())
	text := pdfTexts(t, buf.Bytes())
	for _, want := range []string{"Bilan des clauses d'insertion — Gymnase", "Période : du 15 juin 2026 au 15 juin 2026",
		"Aucun marché.", "Aucune entreprise attributaire.", "Aucune alerte.", "Taux de réalisation : 0 %", "ETP = heures ÷ 1 607"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q:\n%s", want, text)
		}
	}
}

// zipParts returns the parts of an XLSX package by name.
func zipParts(t *testing.T, file []byte) map[string][]byte {
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

// sheetNames lists the sheets of a workbook in order.
func sheetNames(t *testing.T, parts map[string][]byte) []string {
	t.Helper()
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(parts["xl/workbook.xml"], &wb); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
	}
	return names
}

// xlsxCell is a cell of a worksheet: numeric when it has no type.
type xlsxCell struct {
	Ref  string `xml:"r,attr"`
	Type string `xml:"t,attr"`
	V    string `xml:"v"`
	Text string `xml:"is>t"`
}

// sheetCells reads a worksheet's cells by reference.
func sheetCells(t *testing.T, parts map[string][]byte, n int) map[string]xlsxCell {
	t.Helper()
	var ws struct {
		Cells []xlsxCell `xml:"sheetData>row>c"`
	}
	if err := xml.Unmarshal(parts["xl/worksheets/sheet"+strconv.Itoa(n)+".xml"], &ws); err != nil {
		t.Fatal(err)
	}
	out := map[string]xlsxCell{}
	for _, c := range ws.Cells {
		out[c.Ref] = c
	}
	return out
}

// summary reads the first sheet as the tables importers read, value by indicator.
func summary(t *testing.T, file []byte) map[string]string {
	t.Helper()
	tab, err := tabular.Open(bytes.NewReader(file), int64(len(file)), "bilan.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if h := tab.Header(); !slices.Equal(h, []string{"Indicateur", "Valeur"}) {
		t.Fatalf("header %q", h)
	}
	out := map[string]string{}
	for {
		row, _, err := tab.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[row[0]] = row[1]
	}
}

// numeric checks that cells hold numbers, not text.
func numeric(t *testing.T, cells map[string]xlsxCell, want map[string]string) {
	t.Helper()
	for ref, v := range want {
		c, ok := cells[ref]
		switch {
		case !ok:
			t.Errorf("cell %s is missing", ref)
		case c.Type != "":
			t.Errorf("cell %s is of type %q (%q), want a number %s", ref, c.Type, c.Text, v)
		case c.V != v:
			t.Errorf("cell %s = %s, want %s", ref, c.V, v)
		}
	}
}

func TestOperationXLSXHasTheSheetsOfTheReportWithNumbers(t *testing.T) {
	var buf bytes.Buffer
	if err := clauses.OperationXLSX(&buf, exportOperation(), "Syndicat des transports", exportGenerated); err != nil {
		t.Fatal(err)
	}
	got := summary(t, buf.Bytes())
	for label, want := range map[string]string{
		"Opération":                   "Tramway T9",
		"Acheteur public":             "Syndicat des transports",
		"Période":                     "du 1er mars 2026 au 15 juin 2026",
		"Heures d'insertion requises": "2000",
		"Heures réalisées":            "510",
		"Taux de réalisation":         "25.5",
		"Équivalents temps plein (ETP = heures ÷ 1\u202f607)": "0.32",
		"Entreprises ayant démarré":                           "1",
		"Participants":                                        "3",
		"Contrats":                                            "3",
	} {
		if got[label] != want {
			t.Errorf("Synthèse: %q = %q, want %q", label, got[label], want)
		}
	}
	parts := zipParts(t, buf.Bytes())
	want := []string{"Synthèse", "Marchés", "Entreprises", "Publics", "Contrats et sorties", "Alertes"}
	if names := sheetNames(t, parts); !slices.Equal(names, want) {
		t.Fatalf("sheets %q, want %q", names, want)
	}
	// Marchés: T9-01 on row 2, hours required, done, %, schedule.
	markets := sheetCells(t, parts, 2)
	numeric(t, markets, map[string]string{"E2": "1200", "F2": "510", "G2": "42.5", "H2": "60", "F3": "0"})
	if c := markets["D2"]; c.Text != "Condition d'exécution (art. L2112-2)" {
		t.Errorf("clause type %q", c.Text)
	}
	// Entreprises: Bâtir SA, then Voies & Fils with its state.
	companies := sheetCells(t, parts, 3)
	numeric(t, companies, map[string]string{"C2": "1200", "D2": "510", "E2": "42.5", "C3": "800"})
	if c := companies["F3"]; c.Text != "sans heures" {
		t.Errorf("state of a silent company %q", c.Text)
	}
	// Publics: title, header, then BRSA on row 3.
	publics := sheetCells(t, parts, 4)
	numeric(t, publics, map[string]string{"B3": "2", "D3": "400", "C3": "66.67"})
	alerts := sheetCells(t, parts, 6)
	if c := alerts["D3"]; !strings.Contains(c.Text, "Voies & Fils n'a déclaré aucune heure") {
		t.Errorf("second alert %q", c.Text)
	}
}

func TestTerritoryReportsTellThePeriodByPublic(t *testing.T) {
	r := exportFigures()
	var doc bytes.Buffer
	if err := clauses.TerritoryPDF(&doc, r, "Clauses d'insertion — Pas-de-Calais", exportGenerated); err != nil {
		t.Fatal(err)
	}
	wellFormedPDF(t, doc.Bytes())
	text := pdfTexts(t, doc.Bytes())
	for _, want := range []string{
		"Clauses d'insertion — Pas-de-Calais",
		"Période : du 1er mars 2026 au 15 juin 2026",
		"Heures réalisées : 510",
		"ETP = heures ÷ 1 607) : 0,32",
		"Participants : 3", "Contrats : 3", "Embauches : 2",
		"Marchés en cours sur la période : 2",
		"Heures requises sur ces marchés : 2 000",
		"Entreprises concernées : 2", "Entreprises ayant démarré : 1",
		"Jeune de moins de 26 ans sans qualification 1 33,3 % 110 21,6 %",
		"Homme 2 66,7 %", "Moins de 26 ans 1 33,3 %",
		"CDI 1 140", "Embauche directe 410 80,4 %",
		"Consolidation nationale", "Bénéficiaire du RSA 400 2 2", "Total 510 3 3",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q:\n%s", want, text)
		}
	}

	printable(t, text)

	var book bytes.Buffer
	if err := clauses.TerritoryXLSX(&book, r, "Clauses d'insertion — Pas-de-Calais", exportGenerated); err != nil {
		t.Fatal(err)
	}
	got := summary(t, book.Bytes())
	if got["Heures réalisées"] != "510" || got["Participants"] != "3" || got["Période"] != "du 1er mars 2026 au 15 juin 2026" {
		t.Errorf("Synthèse %v", got)
	}
	parts := zipParts(t, book.Bytes())
	want := []string{"Synthèse", "Publics", "Contrats et modes", "Consolidation nationale"}
	if names := sheetNames(t, parts); !slices.Equal(names, want) {
		t.Fatalf("sheets %q, want %q", names, want)
	}
	// Consolidation nationale: header, seven publics, the total on row 9.
	national := sheetCells(t, parts, 4)
	numeric(t, national, map[string]string{"B2": "400", "C2": "2", "D2": "2", "B9": "510", "C9": "3", "D9": "3"})
	if c := national["A9"]; c.Text != "Total" {
		t.Errorf("A9 = %q, want the total", c.Text)
	}
}

func TestNationalRowsGiveHoursContractsAndParticipantsPerPublic(t *testing.T) {
	big := clauses.Report{Hours: 12345650, Participants: 1253, Contracts: 1400,
		HoursByPublic:        map[string]clauses.Hours{"BRSA": 12000000, "RQTH": 345650},
		ParticipantsByPublic: map[string]int{"BRSA": 1200, "RQTH": 53}, ContractsByPublic: map[string]int{"BRSA": 1340, "RQTH": 60}}
	unknown := clauses.Report{Hours: 1000, Participants: 1, Contracts: 1,
		HoursByPublic: map[string]clauses.Hours{"ANCIEN": 1000}, ParticipantsByPublic: map[string]int{"ANCIEN": 1},
		ContractsByPublic: map[string]int{"ANCIEN": 1}}
	header := []string{"Public", "Heures", "Contrats", "Participants"}
	empty := func(label string) []string { return []string{label, "0", "0", "0"} }
	cases := []struct {
		name string
		r    clauses.Report
		want [][]string
	}{
		{"every public, then the total", big, [][]string{header,
			{"Bénéficiaire du RSA", "120\u202f000", "1\u202f340", "1\u202f200"},
			empty("Demandeur d'emploi de longue durée"),
			empty("Jeune de moins de 26 ans sans qualification"),
			{"Travailleur handicapé (RQTH)", "3\u202f456,5", "60", "53"},
			empty("Bénéficiaire de minima sociaux (ASS, AAH…)"),
			empty("Salarié d'une SIAE"),
			empty("Autre, validé par le facilitateur sur avis motivé"),
			{"Total", "123\u202f456,5", "1\u202f400", "1\u202f253"},
		}},
		{"a public no option knows is kept", unknown, [][]string{header,
			empty("Bénéficiaire du RSA"),
			empty("Demandeur d'emploi de longue durée"),
			empty("Jeune de moins de 26 ans sans qualification"),
			empty("Travailleur handicapé (RQTH)"),
			empty("Bénéficiaire de minima sociaux (ASS, AAH…)"),
			empty("Salarié d'une SIAE"),
			empty("Autre, validé par le facilitateur sur avis motivé"),
			{"ANCIEN", "10", "1", "1"},
			{"Total", "10", "1", "1"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := clauses.NationalRows(c.r)
			if !slices.EqualFunc(got, c.want, slices.Equal) {
				t.Fatalf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}
