package feedback

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"tremplin/internal/platform/errs"
)

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		in, key, label, from, to string
		ok                       bool
	}{
		{"2026-03", "2026-03", "mars 2026", "2026-03", "2026-03", true},
		{"2026-Q1", "2026-Q1", "1er trimestre 2026", "2026-01", "2026-03", true},
		{"2026-t4", "2026-Q4", "4e trimestre 2026", "2026-10", "2026-12", true},
		{"2025", "2025", "2025", "2025-01", "2025-12", true},
		{"2026-13", "", "", "", "", false},
		{"2026-Q5", "", "", "", "", false},
		{"2026-3", "", "", "", "", false},
		{"26", "", "", "", "", false},
		{"", "", "", "", "", false},
		{"2026-03-01", "", "", "", "", false},
	}
	for _, tc := range cases {
		p, err := ParsePeriod(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParsePeriod(%q): err %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		from, to := p.Months()
		if p.String() != tc.key || p.Label() != tc.label || from != tc.from || to != tc.to {
			t.Errorf("ParsePeriod(%q) = %s %q %s…%s", tc.in, p, p.Label(), from, to)
		}
	}
}

func TestAPeriodSplitsIntoFinerOnes(t *testing.T) {
	keys := func(ps []Period) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.String())
		}
		return out
	}
	year := Period{Year, 2026, 0}
	if got := keys(year.Sub(Quarter)); !slices.Equal(got, []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}) {
		t.Errorf("quarters of 2026: %v", got)
	}
	if got := keys(Period{Quarter, 2026, 2}.Sub(Month)); !slices.Equal(got, []string{"2026-04", "2026-05", "2026-06"}) {
		t.Errorf("months of Q2: %v", got)
	}
	if got := year.Sub(Month); len(got) != 12 {
		t.Errorf("months of a year: %d", len(got))
	}
}

func TestMonthsAreCountedInParis(t *testing.T) {
	// 23:30 UTC on 31 March is already April in Paris (summer time).
	if got := monthOf(time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)); got != "2026-04" {
		t.Errorf("monthOf = %s", got)
	}
	if got := monthStart("2026-01"); !got.Equal(time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("monthStart = %s", got)
	}
}

func TestParseAnswer(t *testing.T) {
	full := url.Values{"useful": {"4"}, "listened": {"3"}, "clear": {"1"}, "overall": {"0"}, "comment": {"  Merci à Sophie.  "}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range full {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	cases := []struct {
		name      string
		form      url.Values
		badFields []string
	}{
		{"every answer given", full, nil},
		{"nothing answered", url.Values{}, []string{"clear", "listened", "overall", "useful"}},
		{"a scale answer out of range", with("useful", "5"), []string{"useful"}},
		{"a scale answer of zero", with("listened", "0"), []string{"listened"}},
		{"a score above 10", with("overall", "11"), []string{"overall"}},
		{"a score that is not a number", with("overall", "dix"), []string{"overall"}},
		{"a comment of 1000 characters", with("comment", strings.Repeat("é", 1000)), nil},
		{"a comment of 1001 characters", with("comment", strings.Repeat("é", 1001)), []string{"comment"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAnswer(tc.form.Get)
			var got []string
			for f := range errs.FieldsOf(err) {
				got = append(got, f)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.badFields) {
				t.Fatalf("field errors on %v, want %v", got, tc.badFields)
			}
			if tc.badFields == nil && tc.name == "every answer given" {
				want := Answer{Useful: 4, Listened: 3, Clear: 1, Overall: 0, Comment: "Merci à Sophie."}
				if !reflect.DeepEqual(a, want) {
					t.Fatalf("answer %+v, want %+v", a, want)
				}
			}
		})
	}
}

// answers makes n answers all scoring overall, positive or not on the three questions.
func answers(n, overall int, positive bool) tally {
	t := tally{answers: n, overallSum: n * overall}
	t.dist[overall] = n
	if positive {
		t.useful, t.listened, t.clear = n, n, n
	}
	return t
}

func TestSmallGroupsAreNeverShownNorFoundByDifference(t *testing.T) {
	type org struct {
		id     string
		months map[string]tally
	}
	cases := []struct {
		name string
		orgs []org
		// want maps "scope period" (scope "" for the territory) to the expected suppression.
		want map[string]Suppression
	}{
		{
			name: "a month with five answers is shown, one with four is not",
			orgs: []org{{"a", map[string]tally{"2026-01": answers(5, 8, true), "2026-02": answers(4, 8, true)}}},
			want: map[string]Suppression{"a 2026-01": Shown, "a 2026-02": FewAnswers, "a 2026-03": FewAnswers},
		},
		{
			name: "a quarter is hidden when its shown months would reveal a small month by difference",
			orgs: []org{{"a", map[string]tally{"2026-01": answers(10, 8, true), "2026-02": answers(10, 8, true), "2026-03": answers(2, 1, false)}}},
			want: map[string]Suppression{"a 2026-Q1": Complementary, "a 2026": Complementary, "a 2026-03": FewAnswers},
		},
		{
			name: "a quarter is shown when its hidden months hold five answers together",
			orgs: []org{{"a", map[string]tally{"2026-01": answers(10, 8, true), "2026-02": answers(2, 8, true), "2026-03": answers(3, 1, false)}}},
			want: map[string]Suppression{"a 2026-Q1": Shown, "a 2026-02": FewAnswers, "a 2026-03": FewAnswers},
		},
		{
			name: "a quarter made only of small months is shown: nothing shown to subtract",
			orgs: []org{{"a", map[string]tally{"2026-01": answers(2, 8, true), "2026-02": answers(2, 8, true), "2026-03": answers(2, 1, false)}}},
			want: map[string]Suppression{"a 2026-Q1": Shown, "a 2026-01": FewAnswers},
		},
		{
			name: "the territory is hidden when one small organisation would be its difference with the others",
			orgs: []org{
				{"a", map[string]tally{"2026-01": answers(12, 8, true)}},
				{"b", map[string]tally{"2026-01": answers(3, 2, false)}},
			},
			want: map[string]Suppression{"a 2026-01": Shown, "b 2026-01": FewAnswers, " 2026-01": Complementary},
		},
		{
			name: "the territory is shown when its small organisations hold five answers together",
			orgs: []org{
				{"a", map[string]tally{"2026-01": answers(12, 8, true)}},
				{"b", map[string]tally{"2026-01": answers(3, 2, false)}},
				{"c", map[string]tally{"2026-01": answers(2, 2, false)}},
			},
			want: map[string]Suppression{" 2026-01": Shown, "b 2026-01": FewAnswers, "c 2026-01": FewAnswers},
		},
		{
			name: "the territory's quarter is hidden when an organisation's small month would be found through it",
			orgs: []org{
				{"a", map[string]tally{"2026-01": answers(12, 8, true)}},
				{"b", map[string]tally{"2026-01": answers(10, 2, false), "2026-02": answers(10, 2, false), "2026-03": answers(1, 0, false)}},
			},
			want: map[string]Suppression{"b 2026-Q1": Complementary, " 2026-Q1": Complementary, " 2026-03": FewAnswers, " 2026-01": Shown},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRaw()
			for _, o := range tc.orgs {
				r.names[o.id] = "Structure " + o.id
				for m, tl := range o.months {
					r.addAnswers(o.id, m, tl)
				}
			}
			d := newDisclosure(r)
			for key, want := range tc.want {
				scope, period, _ := strings.Cut(key, " ")
				p, err := ParsePeriod(period)
				if err != nil {
					t.Fatal(err)
				}
				if got := d.status(scope, p); got != want {
					t.Errorf("%q: %q, want %q", key, got, want)
				}
			}
		})
	}
}

func TestAShownCellGivesSharesMeanAndDistribution(t *testing.T) {
	r := newRaw()
	r.names["a"] = "Mission locale"
	r.addAnswers("a", "2026-01", answers(3, 9, true))
	r.addAnswers("a", "2026-01", answers(1, 4, false))
	r.addAnswers("a", "2026-01", answers(1, 0, false))
	for range 8 {
		r.addLink("a", "2026-01", false)
	}
	for range 2 {
		r.addLink("a", "2026-01", true)
	}
	rep := build(r, Period{Month, 2026, 1}, Month, true, false)
	if len(rep.Orgs) != 1 || len(rep.Orgs[0].Cells) != 1 {
		t.Fatalf("report %+v", rep)
	}
	c := rep.Orgs[0].Cells[0]
	rate, _ := c.ResponseRate()
	if c.Answers != 5 || c.UsefulPct != 60 || c.OverallMean != 6.2 || rate != 20 || c.Issued != 10 {
		t.Errorf("cell %+v, rate %v", c, rate)
	}
	if want := []int{1, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0}; !slices.Equal(c.Distribution, want) {
		t.Errorf("distribution %v", c.Distribution)
	}
	if len(rep.Territory) != 1 || rep.Territory[0].Answers != 5 {
		t.Errorf("territory %+v", rep.Territory)
	}
	if bars := c.Bars(); bars[9].Height != barsHeight || bars[0].Height == 0 || bars[1].Height != 0 {
		t.Errorf("bars %+v", bars)
	}
}

func TestAHiddenCellCarriesNoFigure(t *testing.T) {
	r := newRaw()
	r.names["a"] = "Mission locale"
	r.addAnswers("a", "2026-01", answers(4, 9, true))
	r.addComment("a", "2026-01", "Très bien")
	rep := build(r, Period{Month, 2026, 1}, Month, true, true)
	c := rep.Orgs[0].Cells[0]
	if c.Suppressed != FewAnswers || c.Answers != 0 || c.OverallMean != 0 || c.UsefulPct != 0 || c.Distribution != nil {
		t.Errorf("a small group leaks: %+v", c)
	}
	if len(rep.Comments) != 0 {
		t.Errorf("comments of a small group are shown: %+v", rep.Comments)
	}
}

func TestTokensAndAnswerIDs(t *testing.T) {
	token, hash := newToken()
	if !wellFormed(token) || len(hash) != 64 || hashToken(token) != hash || strings.Contains(hash, token) {
		t.Fatalf("token %q hash %q", token, hash)
	}
	other, _ := newToken()
	if other == token || answerID() == answerID() || len(answerID()) != 32 {
		t.Fatal("tokens and answer ids must be random")
	}
	for _, bad := range []string{"", "abc", strings.Repeat("!", tokenLen), token + "A"} {
		if wellFormed(bad) {
			t.Errorf("%q is taken for a token", bad)
		}
	}
}
