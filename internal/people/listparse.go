package people

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/validate"
)

// listRow is a valid row, ready to be matched and written.
type listRow struct {
	p       Person
	nir     string
	publics []Public
}

// parse validates every mapped value of a row and names each problem.
func (imp *listImport) parse(ctx context.Context, values []string, line int) (listRow, []ListError, error) {
	var row listRow
	var problems []ListError
	get := func(key string) string {
		if i, ok := imp.cols[key]; ok && i < len(values) {
			return values[i]
		}
		return ""
	}
	check := func(key string, fn func(string) error) {
		if err := fn(get(key)); err != nil {
			problems = append(problems, ListError{Line: line, Field: key, Message: err.Error()})
		}
	}
	p := &row.p
	check("last_name", func(v string) (err error) { p.LastName, err = personName(v, true); return })
	check("first_name", func(v string) (err error) { p.FirstName, err = personName(v, true); return })
	check("birth_name", func(v string) (err error) { p.BirthName, err = personName(v, false); return })
	check("birth_date", func(v string) error {
		d, err := birthDate(v, imp.now)
		p.BirthDate = d
		return err
	})
	check("sex", func(v string) (err error) { p.Sex, err = sexCode(v); return })
	check("nir", func(v string) (err error) { row.nir, err = listNIR(v, p.BirthDate); return })
	check("caf_matricule", func(v string) (err error) { p.CAFMatricule, err = identifier(v, "le matricule"); return })
	check("ft_id", func(v string) (err error) { p.FTID, err = identifier(v, "l'identifiant"); return })
	check("address", func(v string) (err error) { p.Address, err = address(v); return })
	check("postal_code", func(v string) (err error) { p.PostalCode, err = postalCode(v); return })
	check("phone", func(v string) (err error) { p.Phone, err = phone(v); return })
	check("email", func(v string) (err error) {
		if v != "" {
			p.Email, err = validate.NormalizeEmail(v)
		}
		return
	})
	for _, f := range ListFields {
		if f.Public == "" {
			continue
		}
		check(f.Key, func(v string) error {
			yes, err := yesNo(v)
			if yes {
				row.publics = append(row.publics, f.Public)
			}
			return err
		})
	}
	field, problem, err := imp.place(ctx, p, get("commune_code"), get("commune"))
	if problem != "" {
		problems = append(problems, ListError{Line: line, Field: field, Message: problem})
	}
	return row, problems, err
}

// place finds the person's commune from its INSEE code, else from its name
// and postal code, else from a postal code that serves one commune only. It
// returns the field and the problem of a value that names no commune.
func (imp *listImport) place(ctx context.Context, p *Person, code, name string) (field, problem string, err error) {
	switch {
	case code != "":
		code = strings.ToUpper(strings.ReplaceAll(code, " ", ""))
		if len(code) == 4 && isDigits(code) {
			// A spreadsheet drops the leading zero of codes typed as numbers.
			code = "0" + code
		}
		if err := validate.INSEECode(code); err != nil {
			return "commune_code", err.Error(), nil
		}
		c, ok, err := imp.commune(ctx, code)
		if err != nil || !ok {
			return "commune_code", "code commune INSEE inconnu", err
		}
		p.CommuneCode, p.Lat, p.Lon = c.Code, &c.Lat, &c.Lon
	case name != "":
		if p.PostalCode == "" {
			return "commune", "le code postal est nécessaire pour reconnaître la commune", nil
		}
		list, err := imp.byPostalCode(ctx, p.PostalCode)
		want := communeKey(name)
		i := slices.IndexFunc(list, func(c refdata.Commune) bool { return communeKey(c.Name) == want })
		if err != nil || i < 0 {
			return "commune", "aucune commune de ce nom pour ce code postal", err
		}
		p.CommuneCode, p.Lat, p.Lon = list[i].Code, &list[i].Lat, &list[i].Lon
	case p.PostalCode != "":
		list, err := imp.byPostalCode(ctx, p.PostalCode)
		if err != nil {
			return "postal_code", "", err
		}
		if len(list) == 1 {
			p.CommuneCode, p.Lat, p.Lon = list[0].Code, &list[0].Lat, &list[0].Lon
		}
	}
	return "", "", nil
}

// communeKey folds a commune name with the usual abbreviations spelled out.
func communeKey(name string) string {
	words := strings.Fields(refdata.Fold(name))
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		}
	}
	return strings.Join(words, " ")
}

func (imp *listImport) commune(ctx context.Context, code string) (refdata.Commune, bool, error) {
	if c, ok := imp.communes[code]; ok {
		return c, c.Code != "", nil
	}
	c, err := refdata.CommuneByCode(ctx, imp.tx, code)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return c, false, err
	}
	imp.communes[code] = c
	return c, c.Code != "", nil
}

func (imp *listImport) byPostalCode(ctx context.Context, pc string) ([]refdata.Commune, error) {
	if list, ok := imp.postal[pc]; ok {
		return list, nil
	}
	list, err := refdata.CommunesByPostalCode(ctx, imp.tx, pc)
	imp.postal[pc] = list
	return list, err
}

// personName cleans a name: spaces collapsed, capitals and small letters as
// typed unless the whole name is in one case ("DUPONT" becomes "Dupont").
func personName(v string, required bool) (string, error) {
	v = strings.Join(strings.Fields(v), " ")
	switch {
	case v == "" && required:
		return "", errors.New("obligatoire")
	case v == "":
		return "", nil
	case len([]rune(v)) > 100:
		return "", errors.New("100 caractères au plus")
	case strings.IndexFunc(v, unicode.IsDigit) >= 0:
		return "", errors.New("un nom ne contient pas de chiffres")
	case strings.IndexFunc(v, unicode.IsLetter) < 0:
		return "", errors.New("un nom contient au moins une lettre")
	}
	if v == strings.ToUpper(v) || v == strings.ToLower(v) {
		v = titleCase(v)
	}
	return v, nil
}

// birthDate reads a date as JJ/MM/AAAA (or with '-' or '.') or AAAA-MM-JJ,
// with or without a time after it.
func birthDate(v string, now time.Time) (*time.Time, error) {
	v, _, _ = strings.Cut(strings.TrimSpace(v), " ")
	v, _, _ = strings.Cut(v, "T")
	if v == "" {
		return nil, errors.New("obligatoire")
	}
	bad := errors.New("date incorrecte : attendu JJ/MM/AAAA ou AAAA-MM-JJ")
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 {
		return nil, bad
	}
	if len(parts[0]) == 4 {
		parts[0], parts[2] = parts[2], parts[0]
	}
	day, errD := strconv.Atoi(parts[0])
	month, errM := strconv.Atoi(parts[1])
	year, errY := strconv.Atoi(parts[2])
	if errD != nil || errM != nil || errY != nil || len(parts[2]) != 4 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return nil, bad
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	switch {
	case d.Day() != day || int(d.Month()) != month:
		return nil, errors.New("cette date n'existe pas")
	case d.After(now):
		return nil, errors.New("la date de naissance est dans le futur")
	case year < 1900:
		return nil, errors.New("la date de naissance est antérieure à 1900")
	}
	return &d, nil
}

// sexCode reads the sex as the CAF codes it: 1 man, 2 woman.
func sexCode(v string) (string, error) {
	switch refdata.Fold(v) {
	case "":
		return "", nil
	case "1", "h", "m", "homme", "masculin", "mr", "m r", "monsieur":
		return "1", nil
	case "2", "f", "femme", "feminin", "mme", "madame", "mlle", "mademoiselle":
		return "2", nil
	}
	return "", errors.New("attendu 1 ou 2, H, F ou M")
}

// listNIR validates a NIR (with its key, or its 13 characters alone) and
// checks it against the birth date when the NIR carries a real birth month.
func listNIR(v string, birth *time.Time) (string, error) {
	v = strings.NewReplacer(" ", "", ".", "", "-", "").Replace(v)
	if v == "" {
		return "", nil
	}
	if len(v) == 13 {
		key, err := validate.NIRKey(v)
		if err != nil {
			return "", err
		}
		v += key
	}
	n, err := validate.NormalizeNIR(v)
	if err != nil {
		return "", err
	}
	month, _ := strconv.Atoi(n[3:5])
	if birth != nil && (n[0] == '1' || n[0] == '2') && month >= 1 && month <= 12 &&
		(n[1:3] != fmt.Sprintf("%02d", birth.Year()%100) || month != int(birth.Month())) {
		return "", errors.New("le numéro de sécurité sociale ne correspond pas à l'année et au mois de naissance")
	}
	return n, nil
}

// identifier reads a matricule or an identifier: letters and digits, 20 at most.
func identifier(v, what string) (string, error) {
	v = strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	if len(v) > 20 || strings.IndexFunc(v, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') }) >= 0 {
		return "", errors.New(what + " ne contient que des chiffres et des lettres (20 au plus)")
	}
	return v, nil
}

func address(v string) (string, error) {
	v = strings.Join(strings.Fields(v), " ")
	if len([]rune(v)) > 300 {
		return "", errors.New("300 caractères au plus")
	}
	return v, nil
}

func postalCode(v string) (string, error) {
	v = strings.ReplaceAll(v, " ", "")
	if v == "" {
		return "", nil
	}
	if len(v) == 4 && isDigits(v) {
		// A spreadsheet drops the leading zero of a code typed as a number.
		v = "0" + v
	}
	if err := validate.PostalCode(v); err != nil {
		return "", err
	}
	return v, nil
}

func phone(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if digits := strings.ReplaceAll(v, " ", ""); len(digits) == 9 && isDigits(digits) && digits[0] != '0' {
		// A spreadsheet drops the leading zero of a number typed as a number.
		v = "0" + digits
	}
	return validate.NormalizePhone(v)
}

// yesNo reads the answer of a public's column; empty means no.
func yesNo(v string) (bool, error) {
	switch refdata.Fold(v) {
	case "", "non", "n", "0", "faux", "false", "no": // "-" folds to ""
		return false, nil
	case "oui", "o", "1", "x", "vrai", "true", "yes", "y":
		return true, nil
	}
	return false, fmt.Errorf("valeur « %s » non reconnue : attendu oui ou non", v)
}

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// compactName folds a name and drops its spaces, so that "Le Goff",
// "LEGOFF" and "le-goff" compare equal.
func compactName(s string) string { return strings.ReplaceAll(refdata.Fold(s), " ", "") }
