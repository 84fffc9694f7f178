package people

import (
	"slices"
	"testing"
	"time"
)

func TestPublicsAreDerivedFromTheData(t *testing.T) {
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	born := func(s string) *time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return &d
	}
	cases := []struct {
		name   string
		person Person
		want   []Public
	}{
		{"no data, no public", Person{}, nil},
		{"applicant of an open right", Person{RSA: &RSA{StateCode: "2", Role: "DEM"}, BirthDate: born("1985-01-01")}, []Public{PublicBRSA}},
		{"partner of a suspended payment", Person{RSA: &RSA{StateCode: "4", Role: "CJT"}}, []Public{PublicBRSA}},
		{"child of the household", Person{RSA: &RSA{StateCode: "2", Role: "ENF"}}, nil},
		{"closed right", Person{RSA: &RSA{StateCode: "5", Role: "DEM"}}, nil},
		{"25 the day before the 26th birthday", Person{BirthDate: born("2000-11-24")}, []Public{PublicUnder26}},
		{"26 on the birthday", Person{BirthDate: born("2000-11-23")}, nil},
		{"50 on the birthday", Person{BirthDate: born("1976-11-23")}, []Public{Public50Plus}},
		{"49 the day before", Person{BirthDate: born("1976-11-24")}, nil},
		{"young applicant", Person{RSA: &RSA{StateCode: "3", Role: "DEM"}, BirthDate: born("2003-05-01")}, []Public{PublicBRSA, PublicUnder26}},
		{"declared publics follow the derived ones, in a stable order",
			Person{BirthDate: born("2005-02-01"), DeclaredPublics: []Public{PublicQPV, PublicASE}}, []Public{PublicUnder26, PublicASE, PublicQPV}},
		{"a public declared twice is given once", Person{DeclaredPublics: []Public{PublicRQTH, PublicRQTH}}, []Public{PublicRQTH}},
		{"a derived public declared too is given once",
			Person{RSA: &RSA{StateCode: "2", Role: "DEM"}, DeclaredPublics: []Public{PublicBRSA, PublicSingleParent}}, []Public{PublicBRSA, PublicSingleParent}},
	}
	for _, tc := range cases {
		if got := Publics(tc.person, today); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDeclaredPublicsAreStoredAsKnownCodes(t *testing.T) {
	cases := []struct {
		stored string
		want   []Public
		again  string
	}{
		{"", nil, ""},
		{"ase", []Public{PublicASE}, "ase"},
		{"qpv,ase, rqth", []Public{PublicQPV, PublicASE, PublicRQTH}, "ase,rqth,qpv"},
		{"deld,inconnu,deld,detld", []Public{PublicDELD, PublicDETLD}, "deld,detld"},
		{"brsa,parent_isole", []Public{PublicSingleParent}, "parent_isole"},
	}
	for _, tc := range cases {
		got := parsePublics(tc.stored)
		if !slices.Equal(got, tc.want) || formatPublics(got) != tc.again {
			t.Errorf("%q: read %v, written %q; want %v and %q", tc.stored, got, formatPublics(got), tc.want, tc.again)
		}
	}
	for _, p := range append([]Public{PublicBRSA, PublicUnder26, Public50Plus}, DeclarablePublics...) {
		if PublicLabel(p) == "" {
			t.Errorf("%s has no label", p)
		}
	}
}
