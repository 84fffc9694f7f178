package pdf

import (
	"bytes"
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
	var out bytes.Buffer
	if _, err := d.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	pdf := out.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("missing header or trailer")
	}
	if len(d.pages) < 3 {
		t.Fatalf("%d pages for 120 paragraphs, want page breaks", len(d.pages))
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
