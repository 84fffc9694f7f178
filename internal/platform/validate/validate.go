// Package validate checks and normalizes the French identifiers and contact
// details the platform collects: NIR (social security number), SIRET/SIREN,
// postal and INSEE commune codes, phone numbers and e-mail addresses.
//
// Every validator returns nil or an *Error whose message is in French and safe
// to show to users. A validator X accepts the same inputs as its NormalizeX
// counterpart, which returns the canonical form to store.
package validate

import (
	"strings"
	"unicode"
)

// Error is a validation error whose message is French and safe to show to users.
type Error struct {
	Msg string
}

// Error returns the user-facing message.
func (e *Error) Error() string { return e.Msg }

// invalid builds a validation error with a user-facing message.
func invalid(msg string) error { return &Error{Msg: msg} }

// removeSpaces drops every Unicode white space (including non-breaking and
// narrow non-breaking spaces, common in French typography).
func removeSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// allDigits reports whether s is non-empty and made of ASCII digits only.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// luhn reports whether the ASCII digit string s passes the Luhn checksum.
func luhn(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
