package tabular

import "testing"

func TestCellsASpreadsheetWouldRunAreQuoted(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=SOMME(A1:A2)", "'=SOMME(A1:A2)"},
		{"+33 6 12 34 56 78", "'+33 6 12 34 56 78"},
		{"-12", "'-12"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"Durand", "Durand"},
		{"151,67", "151,67"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := SafeCell(tc.in); got != tc.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := SafeCells([]string{"=1", "a"}); got[0] != "'=1" || got[1] != "a" {
		t.Errorf("SafeCells = %q", got)
	}
}
