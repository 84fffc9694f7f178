// Package feedback lets the people evaluate the support they got (seed 004):
// a professional hands the person a private single-use link, the person
// answers a short questionnaire without an account, and the answers are only
// ever read aggregated per organisation and period, behind a small-group rule.
//
// An answer carries no person, no link and no time: only its organisation,
// its territory and the month it was given, under a random identifier. It is
// not even written in the transaction that uses the link (on PostgreSQL a
// row keeps the id of the transaction that wrote it): it waits, pending, and
// is recorded later with others of its organisation and month, in random
// order. So nobody, not even the département, can tie an answer back to a
// person.
package feedback

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

// MinAnswers is the smallest group of answers whose figures are shown:
// below it, a reader who knows who answered could guess what they said.
const MinAnswers = 5

// LinkValidity is how long a link works after it is issued.
const LinkValidity = 60 * 24 * time.Hour

// MaxComment bounds the free comment, in characters.
const MaxComment = 1000

// Scale is the four-step answer to the three questions, 1 to 4.
var Scale = []Choice{{1, "Pas du tout"}, {2, "Plutôt non"}, {3, "Plutôt oui"}, {4, "Tout à fait"}}

// Choice is one option of a question.
type Choice struct {
	Value int
	Label string
}

// positive is the lowest step counted as a positive answer ("plutôt oui").
const positive = 3

// Question is one of the three scaled questions, by form field.
type Question struct {
	Field, Text string
}

// Questions are the scaled questions in the order the questionnaire asks them.
var Questions = []Question{
	{"useful", "L'aide reçue vous a-t-elle été utile ?"},
	{"listened", "Vous êtes-vous senti(e) écouté(e) ?"},
	{"clear", "Les choses vous ont-elles été expliquées clairement ?"},
}

// OverallQuestion asks for the overall score.
const OverallQuestion = "Quelle note donneriez-vous à l'accompagnement, de 0 à 10 ?"

// Answer is what a person says of the support they got.
type Answer struct {
	Useful, Listened, Clear int // 1 to 4, see Scale
	Overall                 int // 0 to 10
	Comment                 string
}

// missing says, per field, what the person forgot to answer.
var missing = map[string]string{
	"useful":   "Indiquez si l'aide reçue vous a été utile.",
	"listened": "Indiquez si vous vous êtes senti(e) écouté(e).",
	"clear":    "Indiquez si les choses vous ont été expliquées clairement.",
	"overall":  "Choisissez une note de 0 à 10.",
}

// ParseAnswer reads an answer from the questionnaire's fields; every missing
// or wrong answer is reported on its field.
func ParseAnswer(get func(string) string) (Answer, error) {
	fe := errs.FieldErrors{}
	scaled := func(field string) int {
		n, err := strconv.Atoi(get(field))
		if err != nil || n < 1 || n > len(Scale) {
			fe.Add(field, missing[field])
		}
		return n
	}
	a := Answer{Useful: scaled("useful"), Listened: scaled("listened"), Clear: scaled("clear")}
	overall, err := strconv.Atoi(get("overall"))
	if err != nil || overall < 0 || overall > 10 {
		fe.Add("overall", missing["overall"])
	}
	a.Overall = overall
	a.Comment = strings.TrimSpace(get("comment"))
	if !utf8.ValidString(a.Comment) {
		fe.Add("comment", "Votre commentaire contient des caractères illisibles.")
	} else if utf8.RuneCountInString(a.Comment) > MaxComment {
		fe.Add("comment", fmt.Sprintf("Votre commentaire dépasse %d caractères : raccourcissez-le un peu.", MaxComment))
	}
	return a, fe.Err()
}

// Link is a link issued for a person, as the person's file shows it: whether
// it was used, never what was answered.
type Link struct {
	OrgName   string
	IssuedBy  string
	CreatedAt time.Time
	ExpiresAt time.Time
	Used      bool
}

// Expired reports whether the link stopped working unused at now.
func (l Link) Expired(now time.Time) bool { return !l.Used && !now.Before(l.ExpiresAt) }

// Issued is a link just created: its address is shown once and never stored.
type Issued struct {
	URL       string
	ExpiresAt time.Time
	// Replaced is true when an unused link of the same organisation stopped working.
	Replaced bool
}

// Granularity is the length of a period of results.
type Granularity string

// The granularities of the results.
const (
	Month   Granularity = "month"
	Quarter Granularity = "quarter"
	Year    Granularity = "year"
)

// finer lists the granularities strictly finer than g, finest first.
func (g Granularity) finer() []Granularity {
	switch g {
	case Quarter:
		return []Granularity{Month}
	case Year:
		return []Granularity{Month, Quarter}
	}
	return nil
}

// Period is a month, a quarter or a year.
type Period struct {
	Granularity Granularity
	Year        int
	// N is the month (1–12) or the quarter (1–4); 0 for a year.
	N int
}

const periodHelp = "Période attendue : AAAA-MM (un mois), AAAA-Qn ou AAAA-Tn (un trimestre), ou AAAA (une année)."

var errPeriod = &errs.Error{Code: errs.Invalid, Message: periodHelp, Fields: map[string]string{"period": periodHelp}}

// ParsePeriod reads "2026-03" (a month), "2026-Q1" or "2026-T1" (a quarter) or "2026" (a year).
func ParsePeriod(s string) (Period, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	year, rest, hasRest := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 || y < 2000 || y > 2999 {
		return Period{}, errPeriod
	}
	if !hasRest {
		return Period{Year, y, 0}, nil
	}
	if q, ok := strings.CutPrefix(rest, "Q"); ok || strings.HasPrefix(rest, "T") {
		if !ok {
			q = rest[1:]
		}
		n, err := strconv.Atoi(q)
		if err != nil || len(q) != 1 || n < 1 || n > 4 {
			return Period{}, errPeriod
		}
		return Period{Quarter, y, n}, nil
	}
	m, err := strconv.Atoi(rest)
	if err != nil || len(rest) != 2 || m < 1 || m > 12 {
		return Period{}, errPeriod
	}
	return Period{Month, y, m}, nil
}

// String is the period's key: 2026-03, 2026-Q1 or 2026.
func (p Period) String() string {
	switch p.Granularity {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

var monthNames = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// Label names the period in French: "mars 2026", "1er trimestre 2026", "2026".
func (p Period) Label() string {
	switch p.Granularity {
	case Month:
		return monthNames[p.N-1] + " " + strconv.Itoa(p.Year)
	case Quarter:
		if p.N == 1 {
			return "1er trimestre " + strconv.Itoa(p.Year)
		}
		return fmt.Sprintf("%de trimestre %d", p.N, p.Year)
	}
	return strconv.Itoa(p.Year)
}

// Months returns the first and last months of the period, as YYYY-MM.
func (p Period) Months() (from, to string) {
	first, last := 1, 12
	switch p.Granularity {
	case Month:
		first, last = p.N, p.N
	case Quarter:
		first, last = 3*p.N-2, 3*p.N
	}
	return fmt.Sprintf("%04d-%02d", p.Year, first), fmt.Sprintf("%04d-%02d", p.Year, last)
}

// Sub returns the periods of granularity g inside p, in order (p itself when g is p's).
func (p Period) Sub(g Granularity) []Period {
	from, to := p.Months()
	var out []Period
	for m := from; m <= to; m = nextMonth(m) {
		sub := periodOf(m, g)
		if len(out) == 0 || out[len(out)-1] != sub {
			out = append(out, sub)
		}
	}
	return out
}

// periodOf returns the period of granularity g holding the month (YYYY-MM).
func periodOf(month string, g Granularity) Period {
	y, _ := strconv.Atoi(month[:4])
	m, _ := strconv.Atoi(month[5:7])
	switch g {
	case Month:
		return Period{Month, y, m}
	case Quarter:
		return Period{Quarter, y, (m + 2) / 3}
	}
	return Period{Year, y, 0}
}

// paris is the zone months are counted in: an answer given on the evening of
// the 31st belongs to that month for the people who read the results.
var paris = web.Paris

// monthOf returns the month (YYYY-MM) of t in Paris.
func monthOf(t time.Time) string { return t.In(paris).Format("2006-01") }

// validMonth reports whether s is a month written YYYY-MM.
func validMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

// monthStart returns the first instant of the month (YYYY-MM) in Paris, in UTC.
func monthStart(month string) time.Time {
	t, _ := time.ParseInLocation("2006-01", month, paris)
	return t.UTC()
}

// nextMonth returns the month after month (YYYY-MM).
func nextMonth(month string) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, 1, 0).Format("2006-01")
}
