package clauses

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tremplin/internal/platform/pdf"
	"tremplin/internal/platform/xlsx"
)

// The documents are first built as a docReport — titled tables of typed
// values — and only then laid out, so that the PDF and the XLSX of a report
// always say the same thing: the PDF writes the values the French way, the
// XLSX keeps them as numbers.

// docPercent is a share in percent: "42,5 %" in a PDF, 42.5 in a workbook.
type docPercent float64

// docETP is a number of full-time equivalents, kept to two decimals.
type docETP float64

// docTotal is the label of a total row, in bold in a workbook.
type docTotal string

// docFigure is a labelled value of a report's summary.
type docFigure struct {
	label string
	value any // string, int, Hours, docPercent or docETP
}

// docTable is a titled table of a report.
type docTable struct {
	title   string
	headers []string
	widths  []float64 // fractions of the PDF page width
	rows    [][]any
	empty   string // said instead of a table without rows
	note    string // said under the table
	// bullets prints, in the PDF, the last cell of each row as a paragraph instead of a table.
	bullets bool
	// pdfGroups splits a table too wide for a portrait page into tables of these columns.
	pdfGroups [][]int
}

// docSection is a sheet of the workbook, a run of tables in the PDF.
type docSection struct {
	sheet  string
	tables []docTable
}

// docReport is a report's content before it is laid out.
type docReport struct {
	title    string
	facts    []docFigure // what the report is about: operation, buyer, period, date
	figures  []docFigure // the key figures
	sections []docSection
}

// OperationPDF writes the report of an operation for its public buyer: figures,
// markets, companies, publics, contracts, outcomes and alerts, without any
// participant's name — buyers see aggregates only.
func OperationPDF(w io.Writer, p OperationProgress, buyerName string, generated time.Time) error {
	return operationReport(p, buyerName, generated).writePDF(w)
}

// OperationXLSX writes the same report as OperationPDF as a workbook whose
// first sheet, "Synthèse", lists the key figures as numbers.
func OperationXLSX(w io.Writer, p OperationProgress, buyerName string, generated time.Time) error {
	return operationReport(p, buyerName, generated).writeXLSX(w)
}

// TerritoryPDF writes the département's report for a period: hours, ETP,
// participants, contracts by public, contract type, mode and profile, and the
// national-consolidation table.
func TerritoryPDF(w io.Writer, r Report, title string, generated time.Time) error {
	return territoryReport(r, title, generated).writePDF(w)
}

// TerritoryXLSX writes the same report as TerritoryPDF as a workbook, the
// national-consolidation table on its sheet "Consolidation nationale".
func TerritoryXLSX(w io.Writer, r Report, title string, generated time.Time) error {
	return territoryReport(r, title, generated).writeXLSX(w)
}

// NationalRows returns the national-consolidation table of a report as text:
// the header (Public, Heures, Contrats, Participants), one row per public and
// the total.
func NationalRows(r Report) [][]string {
	t := nationalTable(r)
	return append([][]string{t.headers}, t.texts()...)
}

// operationReport gathers the content of an operation's report.
func operationReport(p OperationProgress, buyerName string, generated time.Time) docReport {
	title := "Bilan des clauses d'insertion — " + p.Operation.Name
	if buyerName == "" {
		buyerName = operationBuyers(p)
	}
	from, to := operationPeriod(p, generated)
	f := p.Figures
	return docReport{
		title: title,
		facts: []docFigure{
			{"Opération", p.Operation.Name},
			{"Acheteur public", buyerName},
			{"Période", "du " + docDate(from) + " au " + docDate(to)},
			{"Édité le", docDate(generated)},
		},
		figures: []docFigure{
			{"Heures d'insertion requises", p.Required},
			{"Heures réalisées", p.Done},
			{"Taux de réalisation", docPercent(p.Percent)},
			{"Heures attendues à ce stade du calendrier", p.Expected},
			{"Équivalents temps plein (ETP = heures ÷ " + FormatDecimal(etpDivisor(f), 2) + ")", docETP(p.ETP)},
			{"Marchés", len(p.Markets)},
			{"Entreprises concernées", f.CompaniesConcerned},
			{"Entreprises ayant démarré", f.CompaniesStarted},
			{"Embauches", f.Hires},
			{"Participants", f.Participants},
			{"Contrats", f.Contracts},
		},
		sections: []docSection{
			{"Marchés", []docTable{marketsTable(p)}},
			{"Entreprises", []docTable{companiesTable(p)}},
			{"Publics", publicTables(f)},
			{"Contrats et sorties", append(contractTables(f), outcomesTable(p.Outcomes))},
			{"Alertes", []docTable{alertsTable(p.Alerts)}},
		},
	}
}

// territoryReport gathers the content of the département's report for a period.
func territoryReport(r Report, title string, generated time.Time) docReport {
	if title == "" {
		title = "Bilan des clauses d'insertion"
	}
	return docReport{
		title: title,
		facts: []docFigure{
			{"Période", "du " + docDay(r.From) + " au " + docDay(r.To)},
			{"Édité le", docDate(generated)},
		},
		figures: []docFigure{
			{"Heures réalisées", r.Hours},
			{"Équivalents temps plein (ETP = heures ÷ " + FormatDecimal(etpDivisor(r), 2) + ")", docETP(r.ETP)},
			{"Participants", r.Participants},
			{"Contrats", r.Contracts},
			{"Embauches", r.Hires},
			{"Marchés en cours sur la période", r.Markets},
			{"Heures requises sur ces marchés", r.RequiredHours},
			{"Entreprises concernées", r.CompaniesConcerned},
			{"Entreprises ayant démarré", r.CompaniesStarted},
		},
		sections: []docSection{
			{"Publics", publicTables(r)},
			{"Contrats et modes", contractTables(r)},
			{"Consolidation nationale", []docTable{nationalTable(r)}},
		},
	}
}

// etpDivisor is the divisor a report used, the default when it does not say.
func etpDivisor(r Report) float64 {
	if r.ETPDivisor > 0 {
		return r.ETPDivisor
	}
	return DefaultSettings.ETPDivisor
}

// operationBuyers names the buyers of an operation's markets when the caller gives none.
func operationBuyers(p OperationProgress) string {
	var names []string
	for _, mp := range p.Markets {
		if n := mp.Market.BuyerName; n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// operationPeriod runs from the start of the first market to the day the progress was measured.
func operationPeriod(p OperationProgress, generated time.Time) (time.Time, time.Time) {
	var from time.Time
	for _, mp := range p.Markets {
		if s := mp.Market.Start; !s.IsZero() && (from.IsZero() || s.Before(from)) {
			from = s
		}
	}
	if from.IsZero() {
		from, _ = time.Parse(time.DateOnly, p.Figures.From)
	}
	to, err := time.Parse(time.DateOnly, p.Today)
	if err != nil {
		to = generated
	}
	if from.IsZero() {
		from = to
	}
	return from, to
}

func marketsTable(p OperationProgress) docTable {
	t := docTable{title: "Marchés",
		headers:   []string{"Référence", "Intitulé", "Acheteur", "Type de clause", "Heures requises", "Heures réalisées", "Réalisation", "Avancement attendu"},
		widths:    []float64{0.12, 0.25, 0.25, 0.38, 0.17, 0.17, 0.14, 0.2},
		pdfGroups: [][]int{{0, 1, 2, 3}, {0, 4, 5, 6, 7}},
		empty:     "Aucun marché."}
	for _, mp := range p.Markets {
		m := mp.Market
		t.rows = append(t.rows, []any{m.Reference, m.Title, m.BuyerName, m.ClauseTypeLabel(),
			m.Required, mp.Done, docPercent(mp.Percent), docPercent(mp.Elapsed)})
	}
	return t
}

func companiesTable(p OperationProgress) docTable {
	t := docTable{title: "Entreprises",
		headers: []string{"Entreprise", "Rôle", "Part (heures)", "Heures réalisées", "Réalisation", "État"},
		widths:  []float64{0.28, 0.15, 0.13, 0.17, 0.12, 0.15},
		empty:   "Aucune entreprise attributaire."}
	for _, c := range p.Companies {
		t.rows = append(t.rows, []any{c.CompanyName, companyRoles(p, c), c.Share, c.Done, docPercent(c.Percent), companyState(c)})
	}
	return t
}

// companyRoles names a company's positions: the totals of an operation carry
// none, so they are read from its markets.
func companyRoles(p OperationProgress, c CompanyProgress) string {
	if c.Role != "" {
		return labelOf(AwardRoles, c.Role)
	}
	var roles []string
	for _, mp := range p.Markets {
		for _, mc := range mp.Companies {
			if l := labelOf(AwardRoles, mc.Role); mc.CompanyOrgID == c.CompanyOrgID && l != "" && !slices.Contains(roles, l) {
				roles = append(roles, l)
			}
		}
	}
	return strings.Join(roles, ", ")
}

// companyState sums up the alerts of a company: a company that started
// somewhere but is silent on another market is late, not without hours.
func companyState(c CompanyProgress) string {
	switch {
	case c.Silent && !c.Started:
		return "sans heures"
	case c.Late || c.Silent:
		return "en retard"
	}
	return "à jour"
}

// publicTables describes the participants: by public, sex, age band and QPV.
func publicTables(r Report) []docTable {
	byPublic := docTable{title: "Participants et heures par public",
		headers: []string{"Public", "Participants", "Part", "Heures", "Part des heures"},
		widths:  []float64{0.44, 0.14, 0.1, 0.16, 0.16}}
	for _, o := range optionsOf(Publics, sortedKeys(r.ParticipantsByPublic), sortedKeys(r.HoursByPublic)) {
		n, h := r.ParticipantsByPublic[o.Code], r.HoursByPublic[o.Code]
		byPublic.rows = append(byPublic.rows, []any{o.Label, n, share(n, r.Participants), h, docPercent(percent(h, r.Hours))})
	}
	byPublic.rows = append(byPublic.rows, []any{docTotal("Total"), r.Participants, share(r.Participants, r.Participants), r.Hours, docPercent(percent(r.Hours, r.Hours))})
	sexes := append(slices.Clone(Sexes), Option{"inconnu", "Non renseigné"})
	return []docTable{
		byPublic,
		countTable("Participants par sexe", "Sexe", optionsOf(sexes, sortedKeys(r.ParticipantsBySex)), r.ParticipantsBySex, r.Participants),
		countTable("Participants par âge", "Tranche d'âge", optionsOf(AgeBands, sortedKeys(r.ParticipantsByAge)), r.ParticipantsByAge, r.Participants),
		countTable("Quartiers prioritaires de la politique de la ville", "Résidence",
			[]Option{{"qpv", "Résident d'un QPV"}, {"other", "Hors QPV"}},
			map[string]int{"qpv": r.ParticipantsQPV, "other": r.Participants - r.ParticipantsQPV}, r.Participants),
	}
}

// countTable lists participants by category, with their share of the total.
func countTable(title, header string, opts []Option, counts map[string]int, total int) docTable {
	t := docTable{title: title, headers: []string{header, "Participants", "Part"}, widths: []float64{0.44, 0.14, 0.1}}
	for _, o := range opts {
		t.rows = append(t.rows, []any{o.Label, counts[o.Code], share(counts[o.Code], total)})
	}
	return t
}

// contractTables lists the contracts and hours by contract type, and the hours by mode.
func contractTables(r Report) []docTable {
	contracts := docTable{title: "Contrats par type", headers: []string{"Type de contrat", "Contrats", "Heures"},
		widths: []float64{0.44, 0.14, 0.16}}
	for _, o := range optionsOf(ContractTypes, sortedKeys(r.ContractsByType), sortedKeys(r.HoursByContract)) {
		contracts.rows = append(contracts.rows, []any{o.Label, r.ContractsByType[o.Code], r.HoursByContract[o.Code]})
	}
	contracts.rows = append(contracts.rows, []any{docTotal("Total"), r.Contracts, r.Hours})
	modes := docTable{title: "Heures par mode de réalisation", headers: []string{"Mode", "Heures", "Part"},
		widths: []float64{0.44, 0.16, 0.1}}
	for _, o := range optionsOf(Modes, sortedKeys(r.HoursByMode)) {
		modes.rows = append(modes.rows, []any{o.Label, r.HoursByMode[o.Code], docPercent(percent(r.HoursByMode[o.Code], r.Hours))})
	}
	modes.rows = append(modes.rows, []any{docTotal("Total"), r.Hours, docPercent(percent(r.Hours, r.Hours))})
	return []docTable{contracts, modes}
}

// outcomesTable counts what became of the participants, at the end of the mission and six months later.
func outcomesTable(counts map[string]map[string]int) docTable {
	t := docTable{title: "Sorties des participants", headers: []string{"Sortie"}, widths: []float64{0.44}}
	for _, st := range OutcomeStages {
		t.headers = append(t.headers, st.Label)
		t.widths = append(t.widths, 0.22)
	}
	all := map[string]int{}
	for _, byOutcome := range counts {
		for k, n := range byOutcome {
			all[k] += n
		}
	}
	for _, o := range optionsOf(Outcomes, sortedKeys(all)) {
		row := []any{o.Label}
		for _, st := range OutcomeStages {
			row = append(row, counts[st.Code][o.Code])
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// alertKinds names the kinds of alerts.
var alertKinds = []Option{
	{"silent", "Entreprise sans heures"},
	{"late", "Entreprise en retard"},
	{"market_late", "Marché en retard"},
}

func alertsTable(alerts []Alert) docTable {
	t := docTable{title: "Alertes", headers: []string{"Alerte", "Marché", "Entreprise", "Message"},
		empty: "Aucune alerte.", bullets: true}
	for _, a := range alerts {
		t.rows = append(t.rows, []any{labelOf(alertKinds, a.Kind), a.Reference, a.CompanyName, a.Message})
	}
	return t
}

// nationalTable is the table the national consolidation asks for: hours,
// contracts and participants per public.
func nationalTable(r Report) docTable {
	t := docTable{title: "Consolidation nationale", headers: []string{"Public", "Heures", "Contrats", "Participants"},
		widths: []float64{0.44, 0.16, 0.14, 0.14}}
	for _, o := range optionsOf(Publics, sortedKeys(r.HoursByPublic), sortedKeys(r.ContractsByPublic), sortedKeys(r.ParticipantsByPublic)) {
		t.rows = append(t.rows, []any{o.Label, r.HoursByPublic[o.Code], r.ContractsByPublic[o.Code], r.ParticipantsByPublic[o.Code]})
	}
	t.rows = append(t.rows, []any{docTotal("Total"), r.Hours, r.Contracts, r.Participants})
	return t
}

// optionsOf returns the options in their order, then the codes found in a
// report that no option knows, so that no figure is left out of a table.
func optionsOf(opts []Option, found ...[]string) []Option {
	out := slices.Clone(opts)
	var extra []string
	for _, codes := range found {
		for _, code := range codes {
			if !valid(opts, code) && !slices.Contains(extra, code) {
				extra = append(extra, code)
			}
		}
	}
	sort.Strings(extra)
	for _, code := range extra {
		out = append(out, Option{code, code})
	}
	return out
}

// share is n as a percentage of total.
func share(n, total int) docPercent {
	if total <= 0 {
		return 0
	}
	return docPercent(float64(n) / float64(total) * 100)
}

// docDate writes a date the French way: "1er mars 2026", "15 juin 2026".
func docDate(t time.Time) string {
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d = "1er"
	}
	return d + " " + monthNames[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// docDay writes a YYYY-MM-DD day the French way, or as given when it is not one.
func docDay(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return docDate(t)
}

// docText writes a value as the PDF shows it.
func docText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case docTotal:
		return string(x)
	case int:
		return FormatDecimal(float64(x), 0)
	case Hours:
		return x.String()
	case docPercent:
		return FormatDecimal(float64(x), 1) + " %"
	case docETP:
		return FormatDecimal(float64(x), 2)
	}
	return fmt.Sprint(v)
}

func docTexts(row []any) []string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = docText(v)
	}
	return out
}

// docCell writes a value as a workbook cell: numbers stay numbers.
func docCell(v any) any {
	switch x := v.(type) {
	case docTotal:
		return xlsx.Bold(x)
	case Hours:
		return x.Float()
	case docPercent:
		return math.Round(float64(x)*100) / 100
	case docETP:
		return math.Round(float64(x)*100) / 100
	}
	return v
}

func (d docReport) writePDF(w io.Writer) error {
	doc := pdf.New(d.title)
	doc.Title(d.title)
	for _, f := range d.facts {
		doc.Field(f.label, docText(f.value))
	}
	doc.Space(8)
	doc.Heading("Chiffres clés")
	for _, f := range d.figures {
		doc.Field(f.label, docText(f.value))
	}
	for _, s := range d.sections {
		for _, t := range s.tables {
			doc.Space(8)
			doc.Heading(t.title)
			switch {
			case len(t.rows) == 0:
				doc.Paragraph(t.empty)
			case t.bullets:
				for _, row := range t.rows {
					doc.Paragraph("• " + docText(row[len(row)-1]))
				}
			default:
				for _, g := range t.groups() {
					doc.Table(g.headers, g.widths, g.texts())
				}
			}
			if t.note != "" {
				doc.Paragraph(t.note)
			}
		}
	}
	_, err := doc.WriteTo(w)
	return err
}

// groups returns the tables the PDF prints for t: t itself, or one per group of columns.
func (t docTable) groups() []docTable {
	if len(t.pdfGroups) == 0 {
		return []docTable{t}
	}
	out := make([]docTable, len(t.pdfGroups))
	for i, cols := range t.pdfGroups {
		g := docTable{rows: make([][]any, len(t.rows))}
		for _, c := range cols {
			g.headers = append(g.headers, t.headers[c])
			g.widths = append(g.widths, t.widths[c])
			for r, row := range t.rows {
				g.rows[r] = append(g.rows[r], row[c])
			}
		}
		out[i] = g
	}
	return out
}

// texts writes the rows of t as the PDF shows them.
func (t docTable) texts() [][]string {
	out := make([][]string, len(t.rows))
	for i, row := range t.rows {
		out[i] = docTexts(row)
	}
	return out
}

func (d docReport) writeXLSX(w io.Writer) error {
	wb := xlsx.New()
	s := wb.Sheet("Synthèse")
	s.Widths(60, 45)
	s.Row(xlsx.Bold("Indicateur"), xlsx.Bold("Valeur"))
	for _, f := range append(slices.Clone(d.facts), d.figures...) {
		s.Row(f.label, docCell(f.value))
	}
	for _, sec := range d.sections {
		writeTables(wb.Sheet(sec.sheet), sec.tables)
	}
	_, err := wb.WriteTo(w)
	return err
}

// writeTables writes tables one under the other; a sheet of one table starts
// with its header, so that it reads back as a plain table.
func writeTables(s *xlsx.Sheet, tables []docTable) {
	var widths []float64
	for i, t := range tables {
		if i > 0 {
			s.Row()
		}
		if len(tables) > 1 {
			s.Row(xlsx.Bold(t.title))
		}
		header := make([]any, len(t.headers))
		for j, h := range t.headers {
			header[j] = xlsx.Bold(h)
		}
		s.Row(header...)
		widths = widen(widths, t.headers)
		if len(t.rows) == 0 {
			s.Row(t.empty)
		}
		for _, row := range t.rows {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = docCell(v)
			}
			s.Row(cells...)
			widths = widen(widths, docTexts(row))
		}
		if t.note != "" {
			s.Row(t.note)
		}
	}
	s.Widths(widths...)
}

// widen grows the column widths to fit texts, within bounds that keep a
// long title or message from making a column unreadable.
func widen(widths []float64, texts []string) []float64 {
	for len(widths) < len(texts) {
		widths = append(widths, 10)
	}
	for i, t := range texts {
		widths[i] = max(widths[i], min(float64(utf8.RuneCountInString(t))+2, 80))
	}
	return widths
}
