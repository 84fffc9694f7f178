package validate

import (
	"strings"
	"testing"
)

// checkNormalizer asserts the invariants shared by every validate/normalize pair:
// the validator agrees with the normalizer, a normalized value is valid, and
// normalizing is idempotent.
func checkNormalizer(t *testing.T, in string, validate func(string) error, normalize func(string) (string, error)) string {
	t.Helper()
	out, err := normalize(in)
	if verr := validate(in); (verr == nil) != (err == nil) {
		t.Fatalf("validator and normalizer disagree on %q: %v vs %v", in, verr, err)
	}
	if err != nil {
		if out != "" {
			t.Fatalf("normalize(%q) = %q with error %v, want \"\"", in, out, err)
		}
		if _, ok := err.(*Error); !ok || err.Error() == "" {
			t.Fatalf("normalize(%q) error %#v is not a user-facing *Error", in, err)
		}
		return ""
	}
	if err := validate(out); err != nil {
		t.Fatalf("normalize(%q) = %q, which is invalid: %v", in, out, err)
	}
	again, err := normalize(out)
	if err != nil || again != out {
		t.Fatalf("normalize not idempotent: %q → %q → %q (%v)", in, out, again, err)
	}
	return out
}

func FuzzNIR(f *testing.F) {
	for _, s := range []string{
		"185056204112316", "1 85 05 62 041 123 16", "285032a00401285", "190072B03300786",
		"1850562041123", "185056204104297", "", "2A", "0000000000000000", "1\u00a085\u202f0562041123 16",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := checkNormalizer(t, s, NIR, NormalizeNIR)
		if out != "" {
			if len(out) != 15 {
				t.Fatalf("NormalizeNIR(%q) = %q, want 15 characters", s, out)
			}
			if key, err := NIRKey(out[:13]); err != nil || key != out[13:] {
				t.Fatalf("NIRKey(%q) = %q, %v; NIR %q has key %q", out[:13], key, err, out, out[13:])
			}
		}
		if err := NIR13(s); err == nil {
			key, err := NIRKey(s)
			if err != nil {
				t.Fatalf("NIR13(%q) valid but NIRKey fails: %v", s, err)
			}
			if err := NIR(s + key); err != nil {
				t.Fatalf("NIR(%q + key %q) = %v", s, key, err)
			}
		}
		masked := MaskNIR(s)
		if n := removeSpaces(s); len(n) >= 13 && strings.Contains(removeSpaces(masked), n[5:13]) {
			t.Fatalf("MaskNIR(%q) = %q reveals the last digits", s, masked)
		}
	})
}

func FuzzSIRET(f *testing.F) {
	for _, s := range []string{
		"73282932000074", "732 829 320 00074", "35600000000048", "35600000000047",
		"35600000000055", "73282932000075", "", "732829320",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := checkNormalizer(t, s, SIRET, NormalizeSIRET); out != "" {
			if len(out) != 14 || !allDigits(out) {
				t.Fatalf("NormalizeSIRET(%q) = %q, want 14 digits", s, out)
			}
			if out[:9] != laPosteSIREN {
				if err := SIREN(out[:9]); err != nil {
					t.Fatalf("valid SIRET %q has an invalid SIREN: %v", out, err)
				}
			}
		}
		checkNormalizer(t, s, SIREN, NormalizeSIREN)
		_ = PostalCode(s)
		_ = INSEECode(s)
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{
		"06 12 34 56 78", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033712345678",
		"01.23.45.67.89", "09-87-65-43-21", "", "+", "0033", "+33(0)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := checkNormalizer(t, s, Phone, NormalizePhone); out != "" {
			if len(out) != 14 || out[0] != '0' || out[1] == '0' {
				t.Fatalf("NormalizePhone(%q) = %q, want \"0X XX XX XX XX\"", s, out)
			}
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"marie.dupont@example.fr", "  Marie.Dupont@Example.FR ", "Marie <marie@example.fr>",
		`"a b"@example.fr`, "a@b", "a@[127.0.0.1]", "", "@", "a@b.c.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := checkNormalizer(t, s, Email, NormalizeEmail); out != "" {
			if len(out) > maxEmailLen || out != strings.ToLower(out) || strings.Count(out, "@") != 1 {
				t.Fatalf("NormalizeEmail(%q) = %q breaks the output rules", s, out)
			}
		}
	})
}
