package match

import (
	"strings"

	"tremplin/internal/platform/errs"
)

// rome is a ROME fiche packed in an integer: the grand domaine's letter
// (A = 0 … N = 13) times 10,000 plus the four digits, so that K2204 is
// 102204, its domaine professionnel (K22) 1022 and its grand domaine (K) 10.
type rome int32

// parseROME reads a fiche like "K2204" (letters A to N), tolerating case and
// spaces; what and id name the record in the error.
func parseROME(what, id, s string) (rome, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	ok := len(t) == 5 && t[0] >= 'A' && t[0] <= 'N'
	n := int32(0)
	for i := 1; ok && i < 5; i++ {
		ok = t[i] >= '0' && t[i] <= '9'
		n = n*10 + int32(t[i]-'0')
	}
	if !ok {
		return 0, errs.Newf(errs.Invalid, "%s %s : code ROME invalide %q (une lettre de A à N et quatre chiffres, par exemple K2204).", what, id, s)
	}
	return rome(int32(t[0]-'A')*10000 + n), nil
}

// domaine returns the domaine professionnel's key (K22 → 1022).
func (r rome) domaine() int32 { return int32(r) / 100 }

// grand returns the grand domaine's key (K → 10).
func (r rome) grand() int32 { return int32(r) / 10000 }

// appendTo appends the first n characters of the fiche's code to b: 5 for
// the fiche (K2204), 3 for its domaine professionnel (K22), 1 for its grand
// domaine (K).
func (r rome) appendTo(b []byte, n int) []byte {
	d := int32(r) % 10000
	code := [5]byte{'A' + byte(r.grand()), '0' + byte(d/1000), '0' + byte(d/100%10), '0' + byte(d/10%10), '0' + byte(d%10)}
	return append(b, code[:n]...)
}

// fit is how close an offer's fiche is to a person's target jobs, from none
// to the same fiche; it is also the ROME tier a search visits.
type fit int8

// The fits, from the loosest.
const (
	fitNone fit = iota
	fitGrand
	fitDomaine
	fitFiche
)

// fitOf returns the best fit of the offer's fiche o among the person's
// fiches, and the person's fiche giving it (0 for none).
func fitOf(fiches []rome, o rome) (fit, rome) {
	best, by := fitNone, rome(0)
	for _, f := range fiches {
		var k fit
		switch {
		case f == o:
			return fitFiche, f
		case f.domaine() == o.domaine():
			k = fitDomaine
		case f.grand() == o.grand():
			k = fitGrand
		}
		if k > best {
			best, by = k, f
		}
	}
	return best, by
}
