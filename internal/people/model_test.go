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
	}
	for _, tc := range cases {
		if got := Publics(tc.person, today); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
