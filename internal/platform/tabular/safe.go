package tabular

import "strings"

// SafeCell keeps a spreadsheet from running a value written to a file as a
// formula: a value starting with =, +, -, @, a tab or a carriage return is
// quoted.
func SafeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// SafeCells returns a row with every cell made safe by SafeCell.
func SafeCells(row []string) []string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = SafeCell(v)
	}
	return out
}
