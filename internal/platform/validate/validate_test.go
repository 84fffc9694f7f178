package validate

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// referenceNIRKey computes a NIR key independently of the package, with math/big.
func referenceNIRKey(t *testing.T, body string) string {
	t.Helper()
	digits := strings.NewReplacer("2A", "19", "2B", "18").Replace(body)
	n, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		t.Fatalf("referenceNIRKey(%q): not a number", body)
	}
	rem := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 97-rem)
}

// referenceLuhn checks the Luhn formula independently of the package.
func referenceLuhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d = d * 2 % 9
			if d == 0 && s[i] == '9' {
				d = 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// wantValid fails the test when err is not nil.
func wantValid(t *testing.T, what, in string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s(%q) = %v, want valid", what, in, err)
	}
}

// wantInvalid fails the test when err is nil or not a user-facing *Error with the expected message part.
func wantInvalid(t *testing.T, what, in string, err error, msgPart string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s(%q) = nil, want an error", what, in)
		return
	}
	var ve *Error
	if !errors.As(err, &ve) {
		t.Errorf("%s(%q) error %T is not a *validate.Error", what, in, err)
	}
	if !strings.Contains(err.Error(), msgPart) {
		t.Errorf("%s(%q) = %q, want a message containing %q", what, in, err.Error(), msgPart)
	}
}

func TestReferenceKeysMatchKnownValues(t *testing.T) {
	// Keys checked by hand (97 - n mod 97), so the reference itself is trusted.
	known := map[string]string{
		"1850562041123": "16",
		"2920175123045": "27",
		"285032A004012": "85", // 2A read as 19
		"190072B033007": "86", // 2B read as 18
		"1850562041042": "97", // n is a multiple of 97
		"1850562041033": "09", // single-digit key is zero-padded
	}
	for body, key := range known {
		if got := referenceNIRKey(t, body); got != key {
			t.Errorf("referenceNIRKey(%q) = %s, want %s", body, got, key)
		}
	}
}

func TestNIR(t *testing.T) {
	valid := []struct {
		name, in, normalized string
	}{
		{"man born in May 1985 in Arras", "1 85 05 62 041 123 16", "185056204112316"},
		{"woman born in January 1992 in Paris", "292017512304527", "292017512304527"},
		{"born abroad (département 99)", "178029912345611", "178029912345611"},
		{"Corse-du-Sud, 2A read as 19", "2 85 03 2A 004 012 85", "285032A00401285"},
		{"Haute-Corse, 2B read as 18", "190072B03300786", "190072B03300786"},
		{"lower-case Corsican département", "285032a00401285", "285032A00401285"},
		{"overseas département 974", "185069741100536", "185069741100536"},
		{"unknown month (pseudo-month 42)", "1 55 42 99 352 001 " + referenceNIRKey(t, "1554299352001"), "1554299352001" + referenceNIRKey(t, "1554299352001")},
		{"unknown month (pseudo-month 99)", "1559999352001" + referenceNIRKey(t, "1559999352001"), "1559999352001" + referenceNIRKey(t, "1559999352001")},
		{"temporary number (sex digit 7)", "785056204112307", "785056204112307"},
		{"key 97", "185056204104297", "185056204104297"},
		{"key with a leading zero", "185056204103309", "185056204103309"},
		{"non-breaking and narrow spaces", "1\u00a085\u202f05 62 041 123 16", "185056204112316"},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			wantValid(t, "NIR", tc.in, NIR(tc.in))
			got, err := NormalizeNIR(tc.in)
			wantValid(t, "NormalizeNIR", tc.in, err)
			if got != tc.normalized {
				t.Errorf("NormalizeNIR(%q) = %q, want %q", tc.in, got, tc.normalized)
			}
			if key := referenceNIRKey(t, got[:13]); key != got[13:] {
				t.Errorf("test data %q: reference key is %s", got, key)
			}
		})
	}

	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"only spaces", "   ", "obligatoire"},
		{"wrong key", "185056204112317", "clé"},
		{"key 00 never exists", "185056204112300", "clé"},
		{"Corsican NIR with the key of département 20", "285032A004012" + referenceNIRKey(t, "2850320004012"), "clé"},
		{"2A and 2B swapped", "285032B00401285", "clé"},
		{"13 characters (key missing)", "1850562041123", "15 caractères"},
		{"14 characters", "18505620411231", "15 caractères"},
		{"16 characters", "1850562041123160", "15 caractères"},
		{"letters", "18505620411X316", "chiffres"},
		{"letter outside Corsica", "1850562A04112316", "15 caractères"},
		{"2C is not a Corsican département", "285032C00401285", "chiffres"},
		{"A in first position of the département", "18505A204112316", "chiffres"},
		{"non-numeric key", "18505620411231A", "clé"},
		{"sex digit 5", "5850562041123" + referenceNIRKey(t, "5850562041123"), "premier chiffre"},
		{"sex digit 0", "0850562041123" + referenceNIRKey(t, "0850562041123"), "premier chiffre"},
		{"month 00", "1850062041123" + referenceNIRKey(t, "1850062041123"), "mois"},
		{"month 13", "1851362041123" + referenceNIRKey(t, "1851362041123"), "mois"},
		{"month 19", "1851962041123" + referenceNIRKey(t, "1851962041123"), "mois"},
		{"month 43", "1854362041123" + referenceNIRKey(t, "1854362041123"), "mois"},
		{"month 49", "1854962041123" + referenceNIRKey(t, "1854962041123"), "mois"},
		{"département 00", "1850500041123" + referenceNIRKey(t, "1850500041123"), "département"},
		{"order number 000", "1850562041000" + referenceNIRKey(t, "1850562041000"), "numéro d'ordre"},
		{"dashes are not accepted", "1-85-05-62-041-123-16", "15 caractères"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			wantInvalid(t, "NIR", tc.in, NIR(tc.in), tc.msg)
			if got, err := NormalizeNIR(tc.in); err == nil || got != "" {
				t.Errorf("NormalizeNIR(%q) = %q, %v; want \"\" and an error", tc.in, got, err)
			}
		})
	}
}

func TestNIRKeyAgreesWithReference(t *testing.T) {
	// Sweep many structurally valid bodies, Corsican ones included.
	for _, dept := range []string{"01", "2A", "2B", "20", "62", "75", "97", "99"} {
		for order := 1; order <= 999; order += 37 {
			for _, prefix := range []string{"1850", "2921", "3000", "8991"} {
				body := fmt.Sprintf("%s1%s041%03d", prefix, dept, order)
				key, err := NIRKey(body)
				if err != nil {
					t.Fatalf("NIRKey(%q) = %v", body, err)
				}
				if want := referenceNIRKey(t, body); key != want {
					t.Fatalf("NIRKey(%q) = %s, want %s", body, key, want)
				}
				if err := NIR(body + key); err != nil {
					t.Fatalf("NIR(%q) = %v after computing its key", body+key, err)
				}
			}
		}
	}
}

func TestNIR13AndNIRKey(t *testing.T) {
	valid := []struct {
		in, key string
	}{
		{"1850562041123", "16"},
		{"1 85 05 62 041 123", "16"},
		{"285032A004012", "85"},
		{"285032a004012", "85"},
		{"190072B033007", "86"},
		{"1850562041042", "97"},
		{"1850562041033", "09"},
	}
	for _, tc := range valid {
		wantValid(t, "NIR13", tc.in, NIR13(tc.in))
		key, err := NIRKey(tc.in)
		wantValid(t, "NIRKey", tc.in, err)
		if key != tc.key {
			t.Errorf("NIRKey(%q) = %q, want %q", tc.in, key, tc.key)
		}
	}

	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"full NIR with key", "185056204112316", "13 caractères"},
		{"12 characters", "185056204112", "13 caractères"},
		{"sex digit 9", "9850562041123", "premier chiffre"},
		{"month 14", "1851462041123", "mois"},
		{"letters", "18505620411AB", "chiffres"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			wantInvalid(t, "NIR13", tc.in, NIR13(tc.in), tc.msg)
			key, err := NIRKey(tc.in)
			wantInvalid(t, "NIRKey", tc.in, err, tc.msg)
			if key != "" {
				t.Errorf("NIRKey(%q) = %q with an error, want \"\"", tc.in, key)
			}
		})
	}
}

func TestMaskNIR(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full NIR", "185056204112316", "1 85 05 •• ••• ••• ••"},
		{"full NIR with spaces", "2 85 03 2A 004 012 85", "2 85 03 •• ••• ••• ••"},
		{"13-character form", "1850562041123", "1 85 05 •• ••• •••"},
		{"empty", "", ""},
		{"garbage reveals nothing", "hello world", "• •• •• •• ••• ••• ••"},
		{"wrong length reveals nothing", "18505620411231", "• •• •• •• ••• ••• ••"},
		{"non-digit start reveals nothing", "A85056204112316", "• •• •• •• ••• ••• ••"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MaskNIR(tc.in)
			if got != tc.want {
				t.Errorf("MaskNIR(%q) = %q, want %q", tc.in, got, tc.want)
			}
			// Never reveal the département, commune, order number or key.
			if n := removeSpaces(tc.in); len(n) >= 13 && strings.Contains(removeSpaces(got), n[5:13]) {
				t.Errorf("MaskNIR(%q) = %q reveals the last digits", tc.in, got)
			}
		})
	}
}

func TestSIRET(t *testing.T) {
	valid := []struct {
		name, in, normalized string
	}{
		{"INSEE's own example (Luhn)", "73282932000074", "73282932000074"},
		{"grouped by SIREN and NIC", "732 829 320 00074", "73282932000074"},
		{"another Luhn-valid SIRET", "55208131766522", "55208131766522"},
		{"La Poste head office (Luhn, digit sum 26)", "35600000000048", "35600000000048"},
		{"La Poste establishment, digit sum 25", "35600000000047", "35600000000047"},
		{"La Poste establishment, digit sum 15", "356 000 000 00001", "35600000000001"},
		{"La Poste establishment, digit sum 20", "35600000000015", "35600000000015"},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			wantValid(t, "SIRET", tc.in, SIRET(tc.in))
			got, err := NormalizeSIRET(tc.in)
			wantValid(t, "NormalizeSIRET", tc.in, err)
			if got != tc.normalized {
				t.Errorf("NormalizeSIRET(%q) = %q, want %q", tc.in, got, tc.normalized)
			}
		})
	}

	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"wrong check digit", "73282932000075", "incorrect"},
		{"two digits swapped", "73282932000047", "incorrect"},
		{"13 digits", "7328293200007", "14 chiffres"},
		{"15 digits", "732829320000740", "14 chiffres"},
		{"SIREN only", "732829320", "14 chiffres"},
		{"letters", "7328293200007A", "que des chiffres"},
		{"dots", "732.829.320.00074", "que des chiffres"},
		{"Luhn-valid SIRET whose SIREN is not", "73273932000032", "incorrect"},
		{"La Poste, Luhn-valid but digit sum 24", "35600000000055", "incorrect"},
		{"La Poste, digit sum 18", "35600000000013", "incorrect"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			wantInvalid(t, "SIRET", tc.in, SIRET(tc.in), tc.msg)
		})
	}
}

func TestSIRETTestDataFollowsTheRules(t *testing.T) {
	// Cross-check the literals above with an independent Luhn and digit sum.
	checks := []struct {
		siret          string
		luhn, sumOfFiv bool
	}{
		{"73282932000074", true, false},
		{"55208131766522", true, false},
		{"35600000000048", true, false},
		{"35600000000047", false, true},
		{"35600000000001", false, true},
		{"35600000000015", false, true},
		{"35600000000055", true, false},
		{"35600000000013", false, false},
		{"73282932000075", false, false},
		{"73273932000032", true, false},
	}
	for _, c := range checks {
		sum := 0
		for _, r := range c.siret {
			sum += int(r - '0')
		}
		if got := referenceLuhn(c.siret); got != c.luhn {
			t.Errorf("referenceLuhn(%s) = %v, want %v", c.siret, got, c.luhn)
		}
		if got := sum%5 == 0; got != c.sumOfFiv {
			t.Errorf("digit sum of %s = %d, multiple of 5: %v, want %v", c.siret, sum, got, c.sumOfFiv)
		}
	}
}

func TestSIREN(t *testing.T) {
	for _, in := range []string{"732829320", "732 829 320", "356000000", "552081317", "130025265"} {
		wantValid(t, "SIREN", in, SIREN(in))
	}
	if got, _ := NormalizeSIREN("732 829 320"); got != "732829320" {
		t.Errorf("NormalizeSIREN(%q) = %q, want %q", "732 829 320", got, "732829320")
	}
	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"wrong check digit", "732829321", "incorrect"},
		{"8 digits", "73282932", "9 chiffres"},
		{"SIRET", "73282932000074", "9 chiffres"},
		{"letters", "73282932O", "que des chiffres"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			wantInvalid(t, "SIREN", tc.in, SIREN(tc.in), tc.msg)
		})
	}
}

func TestPostalCode(t *testing.T) {
	for _, in := range []string{"62000", "75001", "01000", "20000", "20200", "97400", "97133", "98000", "98800"} {
		wantValid(t, "PostalCode", in, PostalCode(in))
	}
	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"all zeros", "00000", "incorrect"},
		{"département 00", "00100", "incorrect"},
		{"département 99", "99000", "incorrect"},
		{"4 digits", "6200", "5 chiffres"},
		{"6 digits", "620000", "5 chiffres"},
		{"letters", "2A000", "5 chiffres"},
		{"surrounding spaces", " 62000", "5 chiffres"},
		{"inner space", "62 000", "5 chiffres"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			wantInvalid(t, "PostalCode", tc.in, PostalCode(tc.in), tc.msg)
		})
	}
}

func TestINSEECode(t *testing.T) {
	valid := []struct {
		name, in string
	}{
		{"Arras", "62041"},
		{"Paris 1er", "75101"},
		{"Ajaccio (Corse-du-Sud)", "2A004"},
		{"Bastia (Haute-Corse)", "2B033"},
		{"Saint-Denis (La Réunion)", "97411"},
		{"Mamoudzou (Mayotte)", "97611"},
		{"Nouméa (Nouvelle-Calédonie)", "98818"},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			wantValid(t, "INSEECode", tc.in, INSEECode(tc.in))
		})
	}
	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"4 characters", "6204", "5 caractères"},
		{"6 characters", "620410", "5 caractères"},
		{"lower-case Corsica", "2a004", "que des chiffres"},
		{"2C", "2C004", "que des chiffres"},
		{"Corsica with letters", "2A0B4", "incorrect"},
		{"old Corsican code 20", "20004", "incorrect"},
		{"département 00", "00123", "incorrect"},
		{"foreign country code", "99100", "incorrect"},
		{"commune 000", "62000", "incorrect"},
		{"Corsican commune 000", "2A000", "incorrect"},
		{"overseas 970", "97011", "incorrect"},
		{"overseas 979", "97911", "incorrect"},
		{"overseas commune 00", "97400", "incorrect"},
		{"letters", "6204A", "que des chiffres"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			wantInvalid(t, "INSEECode", tc.in, INSEECode(tc.in), tc.msg)
		})
	}
}

func TestPhone(t *testing.T) {
	valid := []struct {
		name, in, want string
	}{
		{"already normalized", "06 12 34 56 78", "06 12 34 56 78"},
		{"compact", "0612345678", "06 12 34 56 78"},
		{"dots", "01.23.45.67.89", "01 23 45 67 89"},
		{"dashes", "09-87-65-43-21", "09 87 65 43 21"},
		{"+33 with spaces", "+33 6 12 34 56 78", "06 12 34 56 78"},
		{"+33 compact", "+33612345678", "06 12 34 56 78"},
		{"+33 (0)", "+33 (0)6 12 34 56 78", "06 12 34 56 78"},
		{"0033", "0033 7 12 34 56 78", "07 12 34 56 78"},
		{"non-breaking spaces", "06\u00a012\u202f34 56 78", "06 12 34 56 78"},
		{"surrounding spaces", "  0612345678 ", "06 12 34 56 78"},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			wantValid(t, "Phone", tc.in, Phone(tc.in))
			got, err := NormalizePhone(tc.in)
			wantValid(t, "NormalizePhone", tc.in, err)
			if got != tc.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"9 digits", "061234567", "10 chiffres"},
		{"11 digits", "06123456789", "10 chiffres"},
		{"starts with 00 only", "0012345678", "français"},
		{"does not start with 0", "6123456789", "commencer par"},
		{"+33 with the trunk 0 kept", "+33 06 12 34 56 78", "10 chiffres"},
		{"+33 followed by 0", "+33 012345678", "commencer par"},
		{"foreign number", "+44 20 7946 0958", "français"},
		{"foreign 00 prefix", "0044 20 7946 0958", "français"},
		{"letters", "06 12 34 56 7A", "que des chiffres"},
		{"slashes", "06/12/34/56/78", "que des chiffres"},
		{"parentheses elsewhere", "(06) 12 34 56 78", "que des chiffres"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			wantInvalid(t, "Phone", tc.in, Phone(tc.in), tc.msg)
		})
	}
}

func TestEmail(t *testing.T) {
	valid := []struct {
		name, in, want string
	}{
		{"simple", "marie.dupont@example.fr", "marie.dupont@example.fr"},
		{"trimmed and lower-cased", "  Marie.Dupont@Example.FR ", "marie.dupont@example.fr"},
		{"plus addressing", "jean+tremplin@mail.example.com", "jean+tremplin@mail.example.com"},
		{"hyphen in domain", "contact@pole-emploi.fr", "contact@pole-emploi.fr"},
		{"digits", "a1@b2.fr", "a1@b2.fr"},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			wantValid(t, "Email", tc.in, Email(tc.in))
			got, err := NormalizeEmail(tc.in)
			wantValid(t, "NormalizeEmail", tc.in, err)
			if got != tc.want {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 60) + ".fr"
	invalid := []struct {
		name, in, msg string
	}{
		{"empty", "", "obligatoire"},
		{"no at sign", "marie.example.fr", "incorrecte"},
		{"no domain dot", "marie@localhost", "incomplet"},
		{"display name", "Marie <marie@example.fr>", "espace"},
		{"angle brackets", "<marie@example.fr>", "incorrecte"},
		{"two at signs", "marie@dupont@example.fr", "incorrecte"},
		{"inner space", "marie dupont@example.fr", "espace"},
		{"accent", "hélène@example.fr", "accentué"},
		{"quoted local part", `"marie"@example.fr`, "incorrecte"},
		{"empty domain label", "marie@example..fr", "incorrect"},
		{"trailing dot", "marie@example.fr.", "incorrect"},
		{"leading hyphen label", "marie@-example.fr", "incorrect"},
		{"one-letter top-level domain", "marie@example.f", "incorrect"},
		{"numeric top-level domain", "marie@1.2", "incorrect"},
		{"domain literal", "marie@[192.168.0.1]", "incorrect"},
		{"underscore in domain", "marie@exa_mple.fr", "incorrect"},
		{"local part over 64 characters", strings.Repeat("a", 65) + "@example.fr", "incorrecte"},
		{"over 254 characters", long, "trop longue"},
		{"Kelvin sign look-alike", "user@\u212aelvin.fr", "accentué"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			wantInvalid(t, "Email", tc.in, Email(tc.in), tc.msg)
		})
	}
}

func TestErrorIsUserFacing(t *testing.T) {
	err := NIR("185056204112317")
	var ve *Error
	if !errors.As(err, &ve) {
		t.Fatalf("NIR error %T is not a *validate.Error", err)
	}
	if ve.Msg != err.Error() {
		t.Errorf("Msg %q differs from Error() %q", ve.Msg, err.Error())
	}
}
