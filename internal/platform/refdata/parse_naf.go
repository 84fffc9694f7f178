package refdata

import (
	"errors"
	"io"
	"slices"
	"strings"

	"tremplin/internal/platform/errs"
)

// nafSections maps NAF rév. 2 sections to their first and last divisions.
var nafSections = []struct {
	letter   string
	from, to int
}{
	{"A", 1, 3}, {"B", 5, 9}, {"C", 10, 33}, {"D", 35, 35}, {"E", 36, 39},
	{"F", 41, 43}, {"G", 45, 47}, {"H", 49, 53}, {"I", 55, 56}, {"J", 58, 63},
	{"K", 64, 66}, {"L", 68, 68}, {"M", 69, 75}, {"N", 77, 82}, {"O", 84, 84},
	{"P", 85, 85}, {"Q", 86, 88}, {"R", 90, 93}, {"S", 94, 96}, {"T", 97, 98},
	{"U", 99, 99},
}

// NormalizeNAF returns a NAF code in its dotted form ("8121Z" and "81.21z"
// give "81.21Z"; "A", "81", "81.2", "81.21" stay), or an Invalid error.
func NormalizeNAF(code string) (string, error) {
	c := strings.ToUpper(strings.Join(strings.Fields(code), ""))
	if len(c) == 1 && c >= "A" && c <= "U" {
		return c, nil
	}
	if i := strings.IndexByte(c, '.'); i >= 0 {
		if i != 2 {
			return "", errs.Newf(errs.Invalid, "code NAF %q invalide", code)
		}
		c = c[:2] + c[3:]
	}
	suffix := ""
	if n := len(c); n == 5 && c[4] >= 'A' && c[4] <= 'Z' {
		c, suffix = c[:4], c[4:]
	}
	if len(c) < 2 || len(c) > 4 || !isDigits(c) || (suffix != "" && len(c) != 4) {
		return "", errs.Newf(errs.Invalid, "code NAF %q invalide", code)
	}
	if _, ok := nafSectionOfDivision(c[:2]); !ok {
		return "", errs.Newf(errs.Invalid, "code NAF %q invalide : la division %s n'existe pas", code, c[:2])
	}
	if len(c) == 2 {
		return c, nil
	}
	return c[:2] + "." + c[2:] + suffix, nil
}

// NAFSection returns the section letter (A–U) of a normalised NAF code.
func NAFSection(code string) (string, bool) {
	if len(code) == 1 {
		return code, code >= "A" && code <= "U"
	}
	if len(code) < 2 {
		return "", false
	}
	return nafSectionOfDivision(code[:2])
}

func nafSectionOfDivision(division string) (string, bool) {
	if !isDigits(division) {
		return "", false
	}
	d := int(division[0]-'0')*10 + int(division[1]-'0')
	for _, s := range nafSections {
		if d >= s.from && d <= s.to {
			return s.letter, true
		}
	}
	return "", false
}

// ParseNAFCSV reads a NAF file with columns code,label and an optional
// section, named (code, libelle, section…) on a header line; the section is
// computed from the division and, when given, must agree with it.
func ParseNAFCSV(r io.Reader) ([]NAFCode, error) {
	t, err := openTable(r)
	if err != nil {
		return nil, err
	}
	code := t.col("code", "code_naf", "naf", "code_ape", "ape", "id")
	if code < 0 {
		code = t.colContaining("code")
	}
	label := t.col("label", "libelle", "intitule", "libelle_naf")
	if label < 0 {
		label = t.colContaining("libell", "intitul", "label")
	}
	section := t.col("section")
	if code < 0 || label < 0 {
		return nil, errs.New(errs.Invalid, "colonnes introuvables : il faut un code (code) et un libellé (libelle)")
	}
	var out []NAFCode
	seen := map[string]bool{}
	for {
		rec, line, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		c, err := parseNAFLine(rec[code], rec[label], field(rec, section))
		if err != nil {
			return nil, errs.Newf(errs.Invalid, "ligne %d : %s", line, errs.MessageOf(err))
		}
		if !seen[c.Code] {
			seen[c.Code] = true
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, errs.New(errs.Invalid, "le fichier ne contient aucun code NAF")
	}
	slices.SortFunc(out, func(a, b NAFCode) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

func parseNAFLine(rawCode, label, rawSection string) (NAFCode, error) {
	code, err := NormalizeNAF(rawCode)
	if err != nil {
		return NAFCode{}, err
	}
	if label == "" {
		return NAFCode{}, errs.Newf(errs.Invalid, "libellé vide pour le code NAF %s", code)
	}
	section, _ := NAFSection(code)
	if given := strings.ToUpper(rawSection); given != "" && given != section {
		return NAFCode{}, errs.Newf(errs.Invalid, "le code NAF %s relève de la section %s, pas %q", code, section, rawSection)
	}
	return NAFCode{Code: code, Label: label, Section: section}, nil
}
