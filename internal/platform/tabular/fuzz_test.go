package tabular

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// drain reads a table the way an import does, checking the invariants every
// caller relies on: rows as wide as the header, lines that go forward.
func drain(t *testing.T, tab *Table) {
	last := 0
	for range 10000 {
		row, line, err := tab.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var re *RowError
		if errors.As(err, &re) {
			if re.Line != line {
				t.Fatalf("row error on line %d reported at %d", re.Line, line)
			}
			continue
		}
		if err != nil {
			return
		}
		if len(row) != len(tab.Header()) {
			t.Fatalf("line %d: %d values for %d columns", line, len(row), len(tab.Header()))
		}
		if tab.Format() == CSV && line <= last {
			t.Fatalf("line %d after line %d", line, last)
		}
		last = line
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("\xEF\xBB\xBFNom;Prénom;Date de naissance\r\nLefèvre;Zoé;15/03/1990\r\n"))
	f.Add([]byte("Nom,Adresse\n\"Martin, Jr\",\"3 place \"\"du Marché\"\"\nBât. B\"\n"))
	f.Add([]byte("sep=;\nNom;Prénom\nMartin;Julie;en trop\n"))
	f.Add([]byte("Nom\tPrénom\n\nNowak\tSami\n"))
	f.Add(windows1252(f, "Nom;Prénom\nLefèvre;Zoé\n"))
	f.Add(utf16LE(f, "Nom\tPrénom\r\nLefèvre\tZoé\r\n"))
	f.Add([]byte("Nom;\"ouvert\nMartin;x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Open(bytes.NewReader(data), int64(len(data)), "liste.csv")
		if err != nil {
			return
		}
		drain(t, tab)
	})
}

func FuzzXLSX(f *testing.F) {
	f.Add(partnerSheet, partnerShared, partnerStyles)
	f.Add(`<worksheet><sheetData><row><c t="inlineStr"><is><t>Nom</t></is></c></row><row><c r="XFD2"><v>1e308</v></c></row></sheetData></worksheet>`, partnerShared, partnerStyles)
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" s="2"><v>-1</v></c><c r="B2" s="1"><v>2958466</v></c></row></sheetData></worksheet>`, `<sst><si><t>Nom</t></si></sst>`, partnerStyles)
	f.Fuzz(func(t *testing.T, sheet, shared, styles string) {
		data := workbookFile(t, sheet, shared, styles)
		tab, err := Open(bytes.NewReader(data), int64(len(data)), "liste.xlsx")
		if err != nil {
			return
		}
		drain(t, tab)
	})
}
