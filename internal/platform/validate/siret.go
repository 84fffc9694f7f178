package validate

// laPosteSIREN is the SIREN of La Poste, whose establishments use a specific checksum.
const laPosteSIREN = "356000000"

// laPosteHeadOffice is the SIRET of La Poste's head office, the only one of its
// establishments that follows the Luhn formula instead of the sum-of-digits rule.
const laPosteHeadOffice = "35600000000048"

// SIRET checks a 14-digit establishment number (Luhn on SIREN and SIRET, La Poste exception); spaces are ignored.
func SIRET(s string) error {
	_, err := NormalizeSIRET(s)
	return err
}

// NormalizeSIRET validates a SIRET and returns its 14 digits without spaces.
func NormalizeSIRET(s string) (string, error) {
	n := removeSpaces(s)
	if n == "" {
		return "", invalid("le numéro SIRET est obligatoire")
	}
	if !allDigits(n) {
		return "", invalid("le numéro SIRET ne doit contenir que des chiffres")
	}
	if len(n) != 14 {
		return "", invalid("le numéro SIRET doit comporter 14 chiffres")
	}
	if n[:9] == laPosteSIREN {
		// INSEE rule for La Poste: the sum of the 14 digits is a multiple of 5,
		// except for the head office whose SIRET follows the Luhn formula.
		if n == laPosteHeadOffice || digitSum(n)%5 == 0 {
			return n, nil
		}
		return "", invalid("numéro SIRET incorrect (vérifiez les chiffres saisis)")
	}
	// The SIREN carries its own Luhn key, and the SIRET one covers all 14
	// digits: checking both catches typos that one check alone would miss.
	if !luhn(n[:9]) || !luhn(n) {
		return "", invalid("numéro SIRET incorrect (vérifiez les chiffres saisis)")
	}
	return n, nil
}

// SIREN checks a 9-digit company number (Luhn checksum); spaces are ignored.
func SIREN(s string) error {
	_, err := NormalizeSIREN(s)
	return err
}

// NormalizeSIREN validates a SIREN and returns its 9 digits without spaces.
func NormalizeSIREN(s string) (string, error) {
	n := removeSpaces(s)
	if n == "" {
		return "", invalid("le numéro SIREN est obligatoire")
	}
	if !allDigits(n) {
		return "", invalid("le numéro SIREN ne doit contenir que des chiffres")
	}
	if len(n) != 9 {
		return "", invalid("le numéro SIREN doit comporter 9 chiffres")
	}
	if !luhn(n) {
		return "", invalid("numéro SIREN incorrect (vérifiez les chiffres saisis)")
	}
	return n, nil
}

// digitSum returns the sum of the digits of an ASCII digit string.
func digitSum(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i] - '0')
	}
	return sum
}
