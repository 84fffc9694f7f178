package clauses

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

// periodQuery reads the period of a report page, the last full calendar year
// when none is given; the query it returns carries the period it chose.
func (h Web) periodQuery(r *http.Request) (ReportFilter, url.Values, error) {
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" {
		from, to := defaultPeriod(h.Svc.today())
		q.Set("from", db.Day(from))
		q.Set("to", db.Day(to))
	}
	f, err := reportFilter(q)
	return f, q, err
}

// reportTitlePrefix starts the title of a report narrowed to an operation, before its name.
const reportTitlePrefix = "Bilan des clauses d'insertion – "

// reportTitle names a report: the operation's when it is narrowed to one.
func (h Web) reportTitle(r *http.Request, f ReportFilter) string {
	if f.OperationID != "" {
		if o, err := h.Svc.GetOperation(r.Context(), web.Actor(r.Context()), f.OperationID); err == nil {
			return reportTitlePrefix + o.Name
		}
	}
	return "Bilan des clauses d'insertion"
}

type reportData struct {
	pageView
	R          Report
	Main       []figure
	Breakdown  breakdown
	Totals     publicFigures
	Operations []Operation
	Title      string
	// PDF and XLSX download the same report: the same period and operation.
	PDF, XLSX string
}

func (h Web) report(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), web.Actor(r.Context())
	if access.ScopeForClauses(a).None {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Les bilans des clauses sont réservés aux partenaires des clauses."))
		return
	}
	ops, err := h.Svc.ListOperations(ctx, a)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	f, q, err := h.periodQuery(r)
	d := reportData{pageView: h.view(a, "bilan"), Operations: ops, Title: "Bilan des clauses d'insertion"}
	page := web.Page{Title: d.Title, Data: d, Form: q}
	if err == nil {
		d.R, err = h.Svc.Report(ctx, a, f)
	}
	if err != nil {
		if errs.FieldsOf(err) != nil {
			h.R.FormPage(w, r, templates, "templates/clauses_report.html", page, err)
			return
		}
		h.R.Error(w, r, err)
		return
	}
	l := linksOf(d.R)
	rep := d.R
	d.Title = h.reportTitle(r, f)
	d.Main = []figure{
		{Label: "Heures réalisées", Value: rep.Hours.String(), Href: l.hours(), Key: "hours"},
		{Label: "Équivalents temps plein (heures ÷ " + FormatDecimal(rep.ETPDivisor, 2) + ")", Value: d.ETP(rep.Hours), Href: l.hours(), Key: "etp"},
		{Label: "Participants", Value: itoaFR(rep.Participants), Href: l.hours(), Key: "participants"},
		{Label: "Contrats", Value: itoaFR(rep.Contracts), Href: l.hours(), Key: "contracts"},
		{Label: "Embauches", Value: itoaFR(rep.Hires), Href: l.hours("mode", "EMBAUCHE_DIRECTE"), Key: "hires"},
		{Label: "Marchés en cours sur la période", Value: itoaFR(rep.Markets), Href: l.markets(), Key: "markets"},
		{Label: "Heures requises sur ces marchés", Value: rep.RequiredHours.String(), Href: l.markets(), Key: "required"},
		{Label: "Entreprises concernées", Value: itoaFR(rep.CompaniesConcerned), Href: l.companies(), Key: "concerned"},
		{Label: "Entreprises ayant démarré", Value: itoaFR(rep.CompaniesStarted), Href: l.companies("demarrees", "1"), Key: "started"},
	}
	d.Breakdown = breakdownOf(rep, l, rep.ContractsByPublic)
	d.Totals = publicFigures{Label: "Total",
		Participants: figure{Value: itoaFR(rep.Participants), Href: l.hours(), Key: "participants"},
		Hours:        figure{Value: rep.Hours.String(), Href: l.hours(), Key: "hours"},
		Contracts:    figure{Value: itoaFR(rep.Contracts), Href: l.hours(), Key: "contracts"}}
	dl := url.Values{"from": {db.Day(f.From)}, "to": {db.Day(f.To)}}
	if f.OperationID != "" {
		dl.Set("operation", f.OperationID)
	}
	d.PDF, d.XLSX = "/clauses/bilan.pdf?"+dl.Encode(), "/clauses/bilan.xlsx?"+dl.Encode()
	page.Title, page.Data = d.Title, d
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_report.html", page)
}

func (h Web) reportDownload(w http.ResponseWriter, r *http.Request, ext, contentType string,
	write func(io.Writer, Report, string, time.Time) error) {
	f, _, err := h.periodQuery(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	rep, err := h.Svc.Report(r.Context(), web.Actor(r.Context()), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	title := h.reportTitle(r, f)
	name := "bilan-clauses-" + db.Day(f.From) + "-" + db.Day(f.To)
	if op := strings.TrimPrefix(title, reportTitlePrefix); op != title {
		name = "bilan-" + safeFileName(op) + "-" + db.Day(f.From) + "-" + db.Day(f.To)
	}
	h.download(w, r, contentType, name+"."+ext, func(out io.Writer) error { return write(out, rep, title, h.Svc.today()) })
}

func (h Web) reportPDF(w http.ResponseWriter, r *http.Request) {
	h.reportDownload(w, r, "pdf", pdfType, TerritoryPDF)
}

func (h Web) reportXLSX(w http.ResponseWriter, r *http.Request) {
	h.reportDownload(w, r, "xlsx", xlsxType, TerritoryXLSX)
}

// ---- companies of a period ----

type companiesData struct {
	pageView
	Rows               []periodCompany
	Concerned, Started int
	OnlyStarted        bool
	From, To           time.Time
	Operation          string
	Operations         []Operation
}

func (h Web) listCompanies(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), web.Actor(r.Context())
	if access.ScopeForClauses(a).None {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Les bilans des clauses sont réservés aux partenaires des clauses."))
		return
	}
	ops, err := h.Svc.ListOperations(ctx, a)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	f, q, err := h.periodQuery(r)
	d := companiesData{pageView: h.view(a, "bilan"), Operations: ops, OnlyStarted: q.Get("demarrees") != "", From: f.From, To: f.To}
	page := web.Page{Title: "Entreprises attributaires de la période", Data: d, Form: q}
	var rows []periodCompany
	if err == nil {
		rows, err = h.Svc.periodCompanies(ctx, a, f)
	}
	if err != nil {
		if errs.FieldsOf(err) != nil {
			h.R.FormPage(w, r, templates, "templates/clauses_companies.html", page, err)
			return
		}
		h.R.Error(w, r, err)
		return
	}
	for _, o := range ops {
		if o.ID == f.OperationID {
			d.Operation = o.Name
		}
	}
	for _, c := range rows {
		d.Concerned++
		if c.Started {
			d.Started++
		}
		if c.Started || !d.OnlyStarted {
			d.Rows = append(d.Rows, c)
		}
	}
	page.Data = d
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_companies.html", page)
}
