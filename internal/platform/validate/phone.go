package validate

import (
	"strings"
	"unicode"
)

// Phone checks a French phone number (10 digits starting with 0[1-9]); spaces, dots, dashes and +33/0033 are accepted.
func Phone(s string) error {
	_, err := NormalizePhone(s)
	return err
}

// NormalizePhone validates a French phone number and returns it as "0X XX XX XX XX".
func NormalizePhone(s string) (string, error) {
	n := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '-' {
			return -1
		}
		return r
	}, s)
	if n == "" {
		return "", invalid("le numéro de téléphone est obligatoire")
	}
	international := false
	for _, prefix := range []string{"+33", "0033"} {
		if rest, ok := strings.CutPrefix(n, prefix); ok {
			// "+33 (0)6 …" is a common way to write the trunk prefix.
			rest = strings.TrimPrefix(rest, "(0)")
			n = "0" + rest
			international = true
			break
		}
	}
	if !international && (strings.HasPrefix(n, "+") || strings.HasPrefix(n, "00")) {
		return "", invalid("seuls les numéros de téléphone français sont acceptés")
	}
	if !allDigits(n) {
		return "", invalid("le numéro de téléphone ne doit contenir que des chiffres")
	}
	if len(n) != 10 {
		return "", invalid("le numéro de téléphone doit comporter 10 chiffres")
	}
	if n[0] != '0' || n[1] == '0' {
		return "", invalid("le numéro de téléphone doit commencer par 01 à 09")
	}
	var b strings.Builder
	b.Grow(14)
	for i := 0; i < 10; i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n[i : i+2])
	}
	return b.String(), nil
}
