package refdata

import (
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"

	"tremplin/internal/platform/errs"
)

var (
	romeFichePattern  = regexp.MustCompile(`^[A-N]\d{4}$`)
	romeDomainPattern = regexp.MustCompile(`^[A-N](\d{2})?$`)
)

// ParseROMECSV reads a ROME file: France Travail's referential (columns such
// as code_rome and libelle_rome) or our own code,label file. The code decides
// the kind of each line: A is a grand domaine, A12 a domaine professionnel,
// A1203 a fiche. A code seen twice keeps its first label.
func ParseROMECSV(r io.Reader) (ROME, error) {
	t, err := openTable(r)
	if err != nil {
		return ROME{}, err
	}
	label := t.col("libelle_rome", "libelle", "label", "intitule")
	if label < 0 {
		label = t.colContaining("libell", "intitul", "label")
	}
	var rome ROME
	seen := map[string]bool{}
	code := -1
	for {
		rec, line, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ROME{}, err
		}
		if code < 0 {
			if code = romeCodeColumn(t, rec); code < 0 || label < 0 {
				return ROME{}, errs.New(errs.Invalid, "colonnes introuvables : il faut un code ROME (code_rome) et un libellé (libelle_rome)")
			}
		}
		if err := addROMELine(&rome, seen, strings.ToUpper(rec[code]), rec[label]); err != nil {
			return ROME{}, errs.Newf(errs.Invalid, "ligne %d : %s", line, errs.MessageOf(err))
		}
	}
	if len(rome.Domains)+len(rome.Fiches) == 0 {
		return ROME{}, errs.New(errs.Invalid, "le fichier ne contient aucun code ROME")
	}
	slices.SortFunc(rome.Domains, func(a, b ROMEDomain) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(rome.Fiches, func(a, b ROMEFiche) int { return strings.Compare(a.Code, b.Code) })
	return rome, nil
}

// romeCodeColumn picks the code column: code_rome when present, else the
// first column named like a code whose value on the first line is a ROME code
// (France Travail's files also carry OGR numbers in code_ogr columns).
func romeCodeColumn(t *table, first []string) int {
	if i := t.col("code_rome", "code_fiche_em", "code_fiche", "rome", "code"); i >= 0 {
		return i
	}
	for i, h := range t.header {
		if strings.Contains(h, "code") && i < len(first) && isROMECode(strings.ToUpper(first[i])) {
			return i
		}
	}
	return -1
}

func isROMECode(s string) bool {
	return romeFichePattern.MatchString(s) || romeDomainPattern.MatchString(s)
}

func addROMELine(rome *ROME, seen map[string]bool, code, label string) error {
	if !isROMECode(code) {
		return errs.Newf(errs.Invalid, "code ROME %q invalide (attendu une lettre de A à N suivie de 0, 2 ou 4 chiffres)", code)
	}
	if label == "" {
		return errs.Newf(errs.Invalid, "libellé vide pour le code ROME %s", code)
	}
	if seen[code] {
		return nil
	}
	seen[code] = true
	switch len(code) {
	case 5:
		rome.Fiches = append(rome.Fiches, ROMEFiche{Code: code, Label: label, Domain: code[:3]})
	case 3:
		rome.Domains = append(rome.Domains, ROMEDomain{Code: code, Label: label, Parent: code[:1]})
	default:
		rome.Domains = append(rome.Domains, ROMEDomain{Code: code, Label: label})
	}
	return nil
}
