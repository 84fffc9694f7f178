package validate

import (
	"fmt"
	"strconv"
	"strings"
)

// NIR layout (0-based byte offsets in the 13-character body):
//
//	[0]     sex: 1 man, 2 woman; 3, 4, 7, 8 for temporary or foreign-born numbers
//	[1:3]   year of birth (two digits)
//	[3:5]   month of birth: 01-12, or 20-42 / 50-99 when the month is unknown
//	[5:7]   département of birth: 01-99, 2A or 2B (Corsica)
//	[7:10]  commune (or country when born abroad)
//	[10:13] order number in the birth register, 001-999
//	[13:15] key = 97 - (body mod 97), with 2A read as 19 and 2B as 18
const (
	nirBodyLen = 13
	nirLen     = 15
)

// NIR checks a French social security number (13 characters and a 2-digit key); spaces are ignored.
func NIR(s string) error {
	_, err := NormalizeNIR(s)
	return err
}

// NormalizeNIR validates a NIR and returns it without spaces, in upper case ("2A"/"2B").
func NormalizeNIR(s string) (string, error) {
	n := strings.ToUpper(removeSpaces(s))
	if n == "" {
		return "", invalid("le numéro de sécurité sociale est obligatoire")
	}
	if len(n) != nirLen {
		return "", invalid("le numéro de sécurité sociale doit comporter 15 caractères (13 chiffres et la clé)")
	}
	if err := checkNIRBody(n[:nirBodyLen]); err != nil {
		return "", err
	}
	if !allDigits(n[nirBodyLen:]) {
		return "", invalid("la clé du numéro de sécurité sociale doit comporter 2 chiffres")
	}
	if n[nirBodyLen:] != nirKey(n[:nirBodyLen]) {
		return "", invalid("clé du numéro de sécurité sociale incorrecte")
	}
	return n, nil
}

// NIR13 checks the 13-character form of a NIR, without its key (as sent by the CAF); spaces are ignored.
func NIR13(s string) error {
	_, err := normalizeNIR13(s)
	return err
}

// NIRKey computes the 2-digit key of a 13-character NIR, e.g. "1850562041123" → "16".
func NIRKey(nir13 string) (string, error) {
	n, err := normalizeNIR13(nir13)
	if err != nil {
		return "", err
	}
	return nirKey(n), nil
}

// MaskNIR hides a NIR for display, showing only the sex digit and birth year and month, e.g. "1 85 05 •• ••• ••• ••".
func MaskNIR(s string) string {
	n := strings.ToUpper(removeSpaces(s))
	if (len(n) == nirLen || len(n) == nirBodyLen) && allDigits(n[:5]) {
		masked := n[0:1] + " " + n[1:3] + " " + n[3:5] + " •• ••• •••"
		if len(n) == nirLen {
			masked += " ••"
		}
		return masked
	}
	if n == "" {
		return ""
	}
	// Unrecognized input: reveal nothing, not even its length.
	return "• •• •• •• ••• ••• ••"
}

// normalizeNIR13 removes spaces, upper-cases and checks a 13-character NIR body.
func normalizeNIR13(s string) (string, error) {
	n := strings.ToUpper(removeSpaces(s))
	if n == "" {
		return "", invalid("le numéro de sécurité sociale est obligatoire")
	}
	if len(n) != nirBodyLen {
		return "", invalid("le numéro de sécurité sociale sans clé doit comporter 13 caractères")
	}
	if err := checkNIRBody(n); err != nil {
		return "", err
	}
	return n, nil
}

// checkNIRBody checks the structure of an upper-case 13-character NIR body.
func checkNIRBody(n string) error {
	dept := n[5:7]
	corsica := dept == "2A" || dept == "2B"
	if !allDigits(n[:5]) || !allDigits(n[7:]) || (!corsica && !allDigits(dept)) {
		return invalid("le numéro de sécurité sociale ne doit contenir que des chiffres (et 2A ou 2B pour la Corse)")
	}
	switch n[0] {
	case '1', '2', '3', '4', '7', '8':
	default:
		return invalid("premier chiffre du numéro de sécurité sociale incorrect (1 pour un homme, 2 pour une femme)")
	}
	month, _ := strconv.Atoi(n[3:5])
	if !(month >= 1 && month <= 12 || month >= 20 && month <= 42 || month >= 50 && month <= 99) {
		return invalid("mois de naissance du numéro de sécurité sociale incorrect")
	}
	if dept == "00" {
		return invalid("département de naissance du numéro de sécurité sociale incorrect")
	}
	if n[10:13] == "000" {
		return invalid("numéro d'ordre du numéro de sécurité sociale incorrect")
	}
	return nil
}

// nirKey computes the key of a valid upper-case 13-character NIR body.
func nirKey(n string) string {
	switch n[5:7] {
	case "2A":
		n = n[:5] + "19" + n[7:]
	case "2B":
		n = n[:5] + "18" + n[7:]
	}
	var rem uint64
	for i := 0; i < len(n); i++ {
		rem = (rem*10 + uint64(n[i]-'0')) % 97
	}
	return fmt.Sprintf("%02d", 97-rem)
}
