package people

import "testing"

func TestSafeCellNeutralisesFormulas(t *testing.T) {
	cases := map[string]string{
		"=HYPERLINK(\"x\")":   "'=HYPERLINK(\"x\")",
		"@SUM(A1)":            "'@SUM(A1)",
		"+1+cmd|'/C calc'!A0": "'+1+cmd|'/C calc'!A0",
		"-1+2":                "'-1+2",
		"+33 6 12 34 56 78":   "+33 6 12 34 56 78",
		"-12.5":               "-12.5",
		"Dupont":              "Dupont",
		"":                    "",
		"\tleading tab":       "'\tleading tab",
	}
	for in, want := range cases {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
