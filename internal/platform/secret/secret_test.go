package secret

import (
	"strings"
	"testing"
)

func TestSealOpenAndMatch(t *testing.T) {
	key, err := ParseKey(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	box, _ := NewBox(key)
	other, _ := NewBox(make([]byte, KeySize))
	nir := "1850562041123"
	sealed := box.Seal(nir)
	if strings.Contains(sealed, nir) || sealed == box.Seal(nir) {
		t.Fatal("sealing must hide the value and use a fresh nonce each time")
	}
	cases := []struct {
		name   string
		box    *Box
		sealed string
		want   string
		err    bool
	}{
		{"round trip", box, sealed, nir, false},
		{"empty stays empty", box, "", "", false},
		{"another key cannot open", other, sealed, "", true},
		{"altered data", box, sealed[:len(sealed)-2] + "AA", "", true},
		{"not sealed", box, nir, "", true},
	}
	for _, tc := range cases {
		got, err := tc.box.Open(tc.sealed)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: got %q, %v", tc.name, got, err)
		}
	}
	if box.Match(nir) != box.Match(nir) || box.Match(nir) == other.Match(nir) || box.Match(nir) == box.Match("1850562041124") {
		t.Error("match digests must be stable per key and differ between values and keys")
	}
}

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{strings.Repeat("ab", 32), true},
		{"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=", true},
		{"q83vEjRWeJq83vEjRWeJq83vEjRWeJq8=", false},
		{"MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=", true},
		{"short", false},
	} {
		if _, err := ParseKey(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseKey(%q): err %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}
