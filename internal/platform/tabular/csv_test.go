package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func asRowError(err error, re **RowError) bool { return errors.As(err, re) }

func windows1252(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16LE(t testing.TB, s string) []byte {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type line struct {
	n   int
	row []string
}

// String writes a line with its values quoted, so that differences in spaces show.
func (l line) String() string { return fmt.Sprintf("%d:%q", l.n, l.row) }

// readAll reads the whole table, failing on any error.
func readAll(t *testing.T, tab *Table) []line {
	t.Helper()
	var out []line
	for {
		row, n, err := tab.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		out = append(out, line{n, row})
	}
}

func TestCSVAsPartnersExportIt(t *testing.T) {
	cases := []struct {
		name    string
		content []byte
		header  []string
		lines   []line
	}{
		{"Excel in French: semicolons, UTF-8 with a byte-order mark, CRLF",
			[]byte("\xEF\xBB\xBFNom;Prénom;Date de naissance\r\nLefèvre;Zoé;15/03/1990\r\nNowak;Sami;01/02/2001\r\n"),
			[]string{"Nom", "Prénom", "Date de naissance"},
			[]line{{2, []string{"Lefèvre", "Zoé", "15/03/1990"}}, {3, []string{"Nowak", "Sami", "01/02/2001"}}}},
		{"an ANSI export is windows-1252",
			windows1252(t, "Nom;Prénom;Adresse\nLefèvre;Zoé;12 rue de l'Église\nŒuvray;Anaïs;\n"),
			[]string{"Nom", "Prénom", "Adresse"},
			[]line{{2, []string{"Lefèvre", "Zoé", "12 rue de l'Église"}}, {3, []string{"Œuvray", "Anaïs", ""}}}},
		{"commas, quoted values holding commas, quotes and line breaks",
			[]byte("Nom,Adresse,Note\n\"Martin, Jr\",\"3 place \"\"du Marché\"\"\nBât. B\",ok\nNowak,,\"suivi \"\"renforcé\"\"\"\n"),
			[]string{"Nom", "Adresse", "Note"},
			[]line{{2, []string{"Martin, Jr", "3 place \"du Marché\"\nBât. B", "ok"}}, {4, []string{"Nowak", "", "suivi \"renforcé\""}}}},
		{"tabs, blank lines and rows of empty cells are skipped, short rows padded",
			[]byte("Nom\tPrénom\tEmail\n\nMartin\tJulie\n\t\t\nNowak\tSami\tsami@example.fr\n"),
			[]string{"Nom", "Prénom", "Email"},
			[]line{{3, []string{"Martin", "Julie", ""}}, {5, []string{"Nowak", "Sami", "sami@example.fr"}}}},
		{"Excel's sep= line names the separator",
			[]byte("sep=,\nNom;usage,Prénom\nMartin;Dupont,Julie\n"),
			[]string{"Nom;usage", "Prénom"},
			[]line{{3, []string{"Martin;Dupont", "Julie"}}}},
		{"a quoted header value does not fool the separator",
			[]byte("\"Nom; d'usage\",Prénom,Sexe\nMartin,Julie,F\n"),
			[]string{"Nom; d'usage", "Prénom", "Sexe"},
			[]line{{2, []string{"Martin", "Julie", "F"}}}},
		{"Excel's Unicode text is UTF-16 with tabs",
			utf16LE(t, "Nom\tPrénom\r\nLefèvre\tZoé\r\n"),
			[]string{"Nom", "Prénom"},
			[]line{{2, []string{"Lefèvre", "Zoé"}}}},
		{"trailing separators and spaces are dropped from the header and values",
			[]byte("Nom ; Prénom ;;\n Martin ; Julie ;;\n"),
			[]string{"Nom", "Prénom"},
			[]line{{2, []string{"Martin", "Julie"}}}},
		{"a stray quote inside a value is text",
			[]byte("Nom;Surnom\nMartin;Le \"grand\"\n"),
			[]string{"Nom", "Surnom"},
			[]line{{2, []string{"Martin", "Le \"grand\""}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := openBytes(t, tc.content, "liste.csv")
			if err != nil {
				t.Fatal(err)
			}
			if tab.Format() != CSV || fmt.Sprintf("%q", tab.Header()) != fmt.Sprintf("%q", tc.header) {
				t.Fatalf("header %q, want %q", tab.Header(), tc.header)
			}
			if got := readAll(t, tab); fmt.Sprint(got) != fmt.Sprint(tc.lines) {
				t.Errorf("rows\n got %v\nwant %v", got, tc.lines)
			}
		})
	}
}

func TestCSVRowErrorsLetTheRestBeRead(t *testing.T) {
	tab, err := openBytes(t, []byte("Nom;Prénom\nMartin;Julie;en trop\nNowak;Sami;\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := tab.Next()
	var re *RowError
	if !errors.As(err, &re) || n != 2 || re.Line != 2 || !strings.Contains(err.Error(), "ligne 2 : 3 colonnes au lieu de 2") {
		t.Fatalf("a value outside the columns: line %d, %v", n, err)
	}
	row, n, err := tab.Next()
	if err != nil || n != 3 || row[0] != "Nowak" {
		t.Fatalf("the next row, whose extra cell is empty: %q %d %v", row, n, err)
	}
}

func TestCSVRefusesWhatIsNotATable(t *testing.T) {
	huge := append([]byte("Nom;Prénom\nMartin;Julie\n"), bytes.Repeat([]byte("x"), 2*maxRowBytes)...)
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"an empty file", nil, "Le fichier est vide"},
		{"only blank lines", []byte("\n;;\n\r\n"), "Le fichier est vide"},
		{"a binary file", []byte("%PDF-1.7\n\x00\x01\x02"), "ni un tableau CSV ni un classeur XLSX"},
	}
	for _, tc := range cases {
		if _, err := openBytes(t, tc.content, "liste.csv"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	tab, err := openBytes(t, huge, "liste.csv")
	if err != nil {
		t.Fatal(err)
	}
	tab.Next()
	if _, _, err := tab.Next(); err == nil || !strings.Contains(err.Error(), "ligne 3 : ligne trop longue") {
		t.Errorf("a line of more than a mebibyte: %v", err)
	}
}

func TestSeparatorSniffing(t *testing.T) {
	cases := map[string]rune{
		"Nom;Prénom;Date":        ';',
		"Nom,Prénom,Date":        ',',
		"Nom\tPrénom\tDate":      '\t',
		"Nom":                    ',',
		"Nom;Prénom,Date":        ';',
		`"a,b,c";d`:              ';',
		"Nom,Prénom\nx;y;z;t;u;": ',',
		"\r\n\tNom\tPrénom":      '\t',
	}
	for first, want := range cases {
		if got := sniffSeparator([]byte(first)); got != want {
			t.Errorf("%q: %q, want %q", first, got, want)
		}
	}
}

func TestUTF8ValidationAcrossChunks(t *testing.T) {
	// "é" split across the 64 KiB chunk boundary is still valid UTF-8.
	valid := append(bytes.Repeat([]byte("a"), 64<<10-1), "éa"...)
	invalid := append(bytes.Repeat([]byte("a"), 64<<10-1), 0xE9, 'a')
	for _, tc := range []struct {
		data []byte
		want bool
	}{{valid, true}, {invalid, false}, {[]byte("Zoé"), true}, {[]byte("Zo\xe9"), false}, {[]byte("\xc3"), false}} {
		if got, err := validUTF8(bytes.NewReader(tc.data)); err != nil || got != tc.want {
			t.Errorf("%d bytes ending %q: %v %v, want %v", len(tc.data), tc.data[max(0, len(tc.data)-3):], got, err, tc.want)
		}
	}
}
