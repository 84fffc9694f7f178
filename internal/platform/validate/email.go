package validate

import (
	"net/mail"
	"strings"
)

// Maximum lengths of an e-mail address and of its local part (RFC 5321).
const (
	maxEmailLen     = 254
	maxEmailLocal   = 64
	maxDomainLabel  = 63
	minTopDomainLen = 2
)

// Email checks an e-mail address (a bare address, no display name); surrounding spaces and case are ignored.
func Email(s string) error {
	_, err := NormalizeEmail(s)
	return err
}

// NormalizeEmail validates an e-mail address and returns it trimmed and in lower case.
func NormalizeEmail(s string) (string, error) {
	e := strings.TrimSpace(s)
	if e == "" {
		return "", invalid("l'adresse e-mail est obligatoire")
	}
	if len(e) > maxEmailLen {
		return "", invalid("l'adresse e-mail est trop longue")
	}
	for i := 0; i < len(e); i++ {
		// Printable ASCII only: no accents, control characters or spaces.
		if e[i] <= ' ' || e[i] >= 0x7f {
			return "", invalid("l'adresse e-mail ne doit contenir ni espace ni caractère accentué")
		}
	}
	// Lower-casing after the ASCII check keeps non-ASCII look-alikes out
	// (the Kelvin sign would otherwise become "k").
	e = strings.ToLower(e)
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Name != "" || addr.Address != e {
		// addr.Address != e rejects "<a@b.fr>", comments and other decorated forms.
		return "", invalid("adresse e-mail incorrecte")
	}
	at := strings.LastIndexByte(e, '@')
	local, domain := e[:at], e[at+1:]
	if len(local) > maxEmailLocal || strings.ContainsRune(local, '"') {
		return "", invalid("adresse e-mail incorrecte")
	}
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	return e, nil
}

// checkDomain checks a lower-case ASCII host name with at least two labels.
func checkDomain(domain string) error {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return invalid("le domaine de l'adresse e-mail est incomplet (par exemple : nom@exemple.fr)")
	}
	for _, l := range labels {
		if l == "" || len(l) > maxDomainLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return invalid("le domaine de l'adresse e-mail est incorrect")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return invalid("le domaine de l'adresse e-mail est incorrect")
			}
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < minTopDomainLen || allDigits(tld) {
		return invalid("le domaine de l'adresse e-mail est incorrect")
	}
	return nil
}
