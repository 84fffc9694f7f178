package feedback

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// Suppression says why the answer figures of a cell are not shown.
type Suppression string

// The reasons a cell's figures are hidden.
const (
	// Shown: the cell holds enough answers and no difference with its
	// neighbours isolates a small group.
	Shown Suppression = ""
	// FewAnswers: fewer than MinAnswers answers.
	FewAnswers Suppression = "few_answers"
	// Complementary: enough answers, but subtracting the figures shown
	// elsewhere (finer periods, other organisations) would isolate a small group.
	Complementary Suppression = "complementary"
)

// Cell is the results of one organisation, or of the whole territory, over one period.
type Cell struct {
	Period Period
	// Issued counts the links issued in the period; LinksAnswered those of
	// them that were used since. They say nothing of the answers.
	Issued, LinksAnswered int
	// Suppressed is set when the answer figures below are withheld; they are then zero.
	Suppressed Suppression
	Answers    int
	// UsefulPct, ListenedPct and ClearPct are the shares (0–100) of
	// "plutôt oui" and "tout à fait" answers to the three questions.
	UsefulPct, ListenedPct, ClearPct float64
	OverallMean                      float64
	// Distribution counts the answers per overall score, 0 to 10.
	Distribution []int
}

// ResponseRate is the percentage of the period's links that were answered;
// ok is false when no link was issued.
func (c Cell) ResponseRate() (pct float64, ok bool) {
	if c.Issued == 0 {
		return 0, false
	}
	return 100 * float64(c.LinksAnswered) / float64(c.Issued), true
}

// Bar is one bar of the distribution chart.
type Bar struct {
	Score, Count int
	X, Y, Height int
}

// barsHeight is the height of the distribution chart, in SVG units.
const barsHeight = 32

// Bars lays out the distribution as an 11-bar chart, 8 units per bar.
func (c Cell) Bars() []Bar {
	top := slices.Max(append([]int{1}, c.Distribution...))
	out := make([]Bar, 0, len(c.Distribution))
	for score, n := range c.Distribution {
		h := n * barsHeight / top
		if n > 0 {
			h = max(h, 1)
		}
		out = append(out, Bar{Score: score, Count: n, X: score * 8, Y: barsHeight - h, Height: h})
	}
	return out
}

// OrgResults is the results of one organisation over the periods asked.
type OrgResults struct {
	OrgID, OrgName string
	Cells          []Cell
}

// CommentGroup is the free comments of one organisation and period, in random order and undated.
type CommentGroup struct {
	OrgName  string
	Period   Period
	Comments []string
}

// Report is what an actor may read of the results.
type Report struct {
	Range       Period
	Granularity Granularity
	// Territory is the whole territory's results, for the département's managers only.
	Territory []Cell
	Orgs      []OrgResults
	// Comments are shown to the département's managers only.
	Comments []CommentGroup
}

// tally adds up the raw answers of a group; it never leaves the package.
type tally struct {
	answers                 int
	useful, listened, clear int // positive answers
	overallSum              int
	dist                    [11]int
}

func (t *tally) add(o tally) {
	t.answers += o.answers
	t.useful += o.useful
	t.listened += o.listened
	t.clear += o.clear
	t.overallSum += o.overallSum
	for i, n := range o.dist {
		t.dist[i] += n
	}
}

// linkCount counts the links of a group.
type linkCount struct{ issued, answered int }

// raw is what the store loads for a report: per organisation and month.
type raw struct {
	names    map[string]string
	answers  map[string]map[string]tally // organisation → month → answers
	links    map[string]map[string]linkCount
	comments map[string]map[string][]string
}

func newRaw() *raw {
	return &raw{names: map[string]string{}, answers: map[string]map[string]tally{},
		links: map[string]map[string]linkCount{}, comments: map[string]map[string][]string{}}
}

func (r *raw) addAnswers(org, month string, t tally) {
	if r.answers[org] == nil {
		r.answers[org] = map[string]tally{}
	}
	cur := r.answers[org][month]
	cur.add(t)
	r.answers[org][month] = cur
}

func (r *raw) addLink(org, month string, used bool) {
	if r.links[org] == nil {
		r.links[org] = map[string]linkCount{}
	}
	c := r.links[org][month]
	c.issued++
	if used {
		c.answered++
	}
	r.links[org][month] = c
}

func (r *raw) addComment(org, month, text string) {
	if r.comments[org] == nil {
		r.comments[org] = map[string][]string{}
	}
	r.comments[org][month] = append(r.comments[org][month], text)
}

// orgs returns the organisations with links or answers, by name.
func (r *raw) orgs() []string {
	var ids []string
	for id := range r.names {
		if len(r.answers[id]) > 0 || len(r.links[id]) > 0 {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		return strings.Compare(strings.ToLower(r.names[a]), strings.ToLower(r.names[b]))
	})
	return ids
}

// territory is the scope of the territory-wide cells; organisation ids are never empty.
const territory = ""

type cellKey struct {
	scope  string
	period Period
}

// disclosure decides which cells may be shown, remembering each decision.
type disclosure struct {
	r       *raw
	orgs    []string
	decided map[cellKey]Suppression
}

func newDisclosure(r *raw) *disclosure {
	return &disclosure{r: r, orgs: r.orgs(), decided: map[cellKey]Suppression{}}
}

// tally adds up the answers of a scope (an organisation, or the territory) over a period.
func (d *disclosure) tally(scope string, p Period) tally {
	scopes := []string{scope}
	if scope == territory {
		scopes = d.orgs
	}
	var t tally
	from, to := p.Months()
	for _, s := range scopes {
		for m := from; m <= to; m = nextMonth(m) {
			t.add(d.r.answers[s][m])
		}
	}
	return t
}

func (d *disclosure) links(scope string, p Period) linkCount {
	scopes := []string{scope}
	if scope == territory {
		scopes = d.orgs
	}
	var c linkCount
	from, to := p.Months()
	for _, s := range scopes {
		for m := from; m <= to; m = nextMonth(m) {
			c.issued += d.r.links[s][m].issued
			c.answered += d.r.links[s][m].answered
		}
	}
	return c
}

// status decides whether a cell is shown. A cell needs MinAnswers answers;
// and for every finer breakdown of it that readers may also see (shorter
// periods; for the territory, its organisations), the cells of that
// breakdown that stay hidden must hold, together, no answer or at least
// MinAnswers: otherwise the cell minus the shown ones would reveal a small group.
func (d *disclosure) status(scope string, p Period) Suppression {
	key := cellKey{scope, p}
	if s, ok := d.decided[key]; ok {
		return s
	}
	s := d.decide(scope, p)
	d.decided[key] = s
	return s
}

func (d *disclosure) decide(scope string, p Period) Suppression {
	if d.tally(scope, p).answers < MinAnswers {
		return FewAnswers
	}
	type breakdown struct {
		scopes []string
		g      Granularity
	}
	var breakdowns []breakdown
	for _, g := range p.Granularity.finer() {
		breakdowns = append(breakdowns, breakdown{[]string{scope}, g})
	}
	if scope == territory {
		for _, g := range append(p.Granularity.finer(), p.Granularity) {
			breakdowns = append(breakdowns, breakdown{d.orgs, g})
		}
	}
	for _, b := range breakdowns {
		hidden := 0
		for _, s := range b.scopes {
			for _, sub := range p.Sub(b.g) {
				if d.status(s, sub) != Shown {
					hidden += d.tally(s, sub).answers
				}
			}
		}
		if hidden > 0 && hidden < MinAnswers {
			return Complementary
		}
	}
	return Shown
}

// cell computes the figures of a cell, withholding them unless it may be shown.
func (d *disclosure) cell(scope string, p Period) Cell {
	lc := d.links(scope, p)
	c := Cell{Period: p, Issued: lc.issued, LinksAnswered: lc.answered, Suppressed: d.status(scope, p)}
	if c.Suppressed != Shown {
		return c
	}
	t := d.tally(scope, p)
	n := float64(t.answers)
	c.Answers = t.answers
	c.UsefulPct, c.ListenedPct, c.ClearPct = 100*float64(t.useful)/n, 100*float64(t.listened)/n, 100*float64(t.clear)/n
	c.OverallMean = float64(t.overallSum) / n
	c.Distribution = t.dist[:]
	return c
}

// active reports whether a scope had links or answers in the period: empty periods are not listed.
func (d *disclosure) active(scope string, p Period) bool {
	return d.links(scope, p).issued > 0 || d.tally(scope, p).answers > 0
}

// build turns raw figures into the report of the periods of granularity g in rng.
func build(r *raw, rng Period, g Granularity, withTerritory, withComments bool) Report {
	d := newDisclosure(r)
	rep := Report{Range: rng, Granularity: g}
	periods := rng.Sub(g)
	if withTerritory {
		for _, p := range periods {
			if d.active(territory, p) {
				rep.Territory = append(rep.Territory, d.cell(territory, p))
			}
		}
	}
	for _, org := range d.orgs {
		res := OrgResults{OrgID: org, OrgName: r.names[org]}
		for _, p := range periods {
			if d.active(org, p) {
				res.Cells = append(res.Cells, d.cell(org, p))
			}
			if withComments && d.status(org, p) == Shown {
				if texts := d.comments(org, p); len(texts) > 0 {
					rep.Comments = append(rep.Comments, CommentGroup{OrgName: r.names[org], Period: p, Comments: texts})
				}
			}
		}
		if len(res.Cells) > 0 {
			rep.Orgs = append(rep.Orgs, res)
		}
	}
	return rep
}

// comments gathers the comments of an organisation over a period in random
// order, so that their order says nothing of when or by whom they were written.
func (d *disclosure) comments(org string, p Period) []string {
	var out []string
	from, to := p.Months()
	for m := from; m <= to; m = nextMonth(m) {
		out = append(out, d.r.comments[org][m]...)
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
