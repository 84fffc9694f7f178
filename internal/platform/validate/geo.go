package validate

// PostalCode checks a French postal code: exactly 5 digits, starting with 01 to 98 (97x/98x overseas).
func PostalCode(s string) error {
	if s == "" {
		return invalid("le code postal est obligatoire")
	}
	if len(s) != 5 || !allDigits(s) {
		return invalid("le code postal doit comporter 5 chiffres")
	}
	if s[:2] == "00" || s[:2] == "99" {
		return invalid("code postal incorrect")
	}
	return nil
}

// INSEECode checks an INSEE commune code: 5 digits, or 2A/2B and 3 digits for Corsica (97x/98x overseas).
func INSEECode(s string) error {
	if s == "" {
		return invalid("le code commune INSEE est obligatoire")
	}
	if len(s) != 5 {
		return invalid("le code commune INSEE doit comporter 5 caractères")
	}
	dept, commune := s[:2], s[2:]
	switch {
	case dept == "2A" || dept == "2B":
		if !allDigits(commune) {
			return invalid("code commune INSEE incorrect")
		}
	case allDigits(s):
		switch dept {
		case "97":
			// 971 Guadeloupe … 978 Saint-Martin.
			if s[2] < '1' || s[2] > '8' {
				return invalid("code commune INSEE incorrect")
			}
			commune = s[3:]
		case "98":
			// 984 TAAF, 986 Wallis-et-Futuna … 989 Clipperton.
			if s[2] < '4' || s[2] > '9' || s[2] == '5' {
				return invalid("code commune INSEE incorrect")
			}
			commune = s[3:]
		case "00", "20", "96", "99":
			// 20 was split into 2A/2B, 96 is unused and 99 codes countries.
			return invalid("code commune INSEE incorrect")
		}
	default:
		return invalid("le code commune INSEE ne doit contenir que des chiffres (ou 2A/2B pour la Corse)")
	}
	if allZeros(commune) {
		return invalid("code commune INSEE incorrect")
	}
	return nil
}

// allZeros reports whether s is made of '0' only.
func allZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
