package clauses

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/web"
)

func (h Web) registerPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /clauses", web.RequireUser(h.home))
	mux.HandleFunc("GET /clauses/operations/nouvelle", web.RequireUser(h.newOperation))
	mux.HandleFunc("POST /clauses/operations", web.RequireUser(h.createOperation))
	mux.HandleFunc("GET /clauses/operations/{id}", web.RequireUser(h.showOperation))
	mux.HandleFunc("POST /clauses/operations/{id}", web.RequireUser(h.updateOperation))
	mux.HandleFunc("GET /clauses/operations/{id}/bilan.pdf", web.RequireUser(h.operationPDF))
	mux.HandleFunc("GET /clauses/operations/{id}/bilan.xlsx", web.RequireUser(h.operationXLSX))
	mux.HandleFunc("GET /clauses/marches", web.RequireUser(h.listMarkets))
	mux.HandleFunc("POST /clauses/marches", web.RequireUser(h.createMarket))
	mux.HandleFunc("GET /clauses/marches/{id}", web.RequireUser(h.showMarket))
	mux.HandleFunc("POST /clauses/marches/{id}", web.RequireUser(h.updateMarket))
	mux.HandleFunc("POST /clauses/marches/{id}/attributaires", web.RequireUser(h.setAward))
	mux.HandleFunc("POST /clauses/marches/{id}/attributaires/{company}/retrait", web.RequireUser(h.removeAward))
	mux.HandleFunc("POST /clauses/marches/{id}/heures", web.RequireUser(h.declare))
	mux.HandleFunc("GET /clauses/heures", web.RequireUser(h.listHours))
	mux.HandleFunc("GET /clauses/heures/{id}", web.RequireUser(h.showLine))
	mux.HandleFunc("POST /clauses/heures/{id}", web.RequireUser(h.correctLine))
	mux.HandleFunc("GET /clauses/participants", web.RequireUser(h.listParticipants))
	mux.HandleFunc("GET /clauses/participants/{id}", web.RequireUser(h.showParticipant))
	mux.HandleFunc("POST /clauses/participants/{id}", web.RequireUser(h.updateParticipant))
	mux.HandleFunc("POST /clauses/participants/{id}/sorties", web.RequireUser(h.recordOutcome))
	mux.HandleFunc("GET /clauses/entreprises", web.RequireUser(h.listCompanies))
	mux.HandleFunc("GET /clauses/bilan", web.RequireUser(h.report))
	mux.HandleFunc("GET /clauses/bilan.pdf", web.RequireUser(h.reportPDF))
	mux.HandleFunc("GET /clauses/bilan.xlsx", web.RequireUser(h.reportXLSX))
}

// ---- what every page shares ----

// pageView formats the figures of the clause pages the French way and names
// the codes; every page's data embeds it, templates call $.Data.Pct and the like.
type pageView struct {
	Divisor float64
	// Tabs are the sections of the clauses, the current one marked.
	Tabs []web.Tab
}

func (h Web) view(a access.Actor, current string) pageView {
	return pageView{Divisor: h.Svc.Settings().ETPDivisor, Tabs: clauseTabs(a, current)}
}

// clauseTabs are the sections of the clauses an actor may open.
func clauseTabs(a access.Actor, current string) []web.Tab {
	sc := access.ScopeForClauses(a)
	home := "Opérations"
	if sc.CompanyOrgID != "" {
		home = "Mes marchés"
	}
	tabs := []web.Tab{{Key: "accueil", Label: home, Href: "/clauses"}, {Key: "marches", Label: "Marchés", Href: "/clauses/marches"},
		{Key: "heures", Label: "Heures déclarées", Href: "/clauses/heures"}}
	if sc.Names {
		tabs = append(tabs, web.Tab{Key: "participants", Label: "Participants", Href: "/clauses/participants"})
	}
	tabs = append(tabs, web.Tab{Key: "bilan", Label: "Bilan", Href: "/clauses/bilan"})
	for i := range tabs {
		tabs[i].Current = tabs[i].Key == current
	}
	return tabs
}

// Pct writes a percentage, "42,5 %".
func (pageView) Pct(f float64) string { return FormatDecimal(f, 1) + "\u00a0%" }

// Bar is a percentage for the value of a <progress max="100">: bounded, with a dot.
func (pageView) Bar(f float64) string {
	return strconv.FormatFloat(math.Max(0, math.Min(100, f)), 'f', 1, 64)
}

// ETP converts hours to full-time equivalents with the département's divisor.
func (v pageView) ETP(h Hours) string {
	if v.Divisor <= 0 {
		return "0"
	}
	return FormatDecimal(h.Float()/v.Divisor, 1)
}

// Dec writes a decimal with at most two decimals.
func (pageView) Dec(f float64) string { return FormatDecimal(f, 2) }

// Num writes an integer with thousands separators.
func (pageView) Num(n int) string { return FormatDecimal(float64(n), 0) }

// Euros writes an amount in cents as euros.
func (pageView) Euros(cents int64) string { return FormatDecimal(float64(cents)/100, 2) + "\u00a0€" }

// Day writes a date (a time or a YYYY-MM-DD text) as the French read it, empty for none.
func (pageView) Day(t any) string {
	switch v := t.(type) {
	case string:
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return d.Format("02/01/2006")
		}
	case time.Time:
		if !v.IsZero() {
			return v.Format("02/01/2006")
		}
	case *time.Time:
		if v != nil && !v.IsZero() {
			return v.Format("02/01/2006")
		}
	}
	return ""
}

// pageOptions are the coded lists the templates name.
var pageOptions = map[string][]Option{
	"public": Publics, "contract": ContractTypes, "mode": Modes, "outcome": Outcomes, "stage": OutcomeStages,
	"fulfilment": Fulfilments, "role": AwardRoles, "clause": ClauseTypes, "rule": HoursRules, "age": AgeBands,
	"sex":    {{"F", "Femme"}, {"M", "Homme"}, {"inconnu", "Non renseigné"}},
	"source": {{"ui", "Saisie en ligne"}, {"api", "API"}, {"import", "Import de fichier"}},
}

// Label returns the French label of a code of a list ("public", "contract"…).
func (pageView) Label(list, code string) string { return labelOf(pageOptions[list], code) }

// Options returns a coded list for a select.
func (pageView) Options(list string) []Option { return pageOptions[list] }

// figure is one number of a page with the address of the rows behind it; Key
// names the same number on the page it links to.
type figure struct {
	Label, Value, Href, Key string
}

// rowLinks builds the addresses of the rows behind the figures of a period
// and, optionally, an operation.
type rowLinks struct {
	from, to    time.Time
	operationID string
}

func linksOf(r Report) rowLinks {
	from, _ := time.Parse(time.DateOnly, r.From)
	to, _ := time.Parse(time.DateOnly, r.To)
	return rowLinks{from: from, to: to, operationID: r.OperationID}
}

func (l rowLinks) query(fromTo func(time.Time) string, kv []string) string {
	v := url.Values{"from": {fromTo(l.from)}, "to": {fromTo(l.to)}}
	if l.operationID != "" {
		v.Set("operation_id", l.operationID)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func monthText(t time.Time) string { return string(MonthOf(t)) }

// hours addresses the lines of the period, narrowed by pairs of parameters.
func (l rowLinks) hours(kv ...string) string { return "/clauses/heures?" + l.query(monthText, kv) }

// participants addresses the participants of the period, aged at its last day.
func (l rowLinks) participants(kv ...string) string {
	return "/clauses/participants?" + l.query(monthText, append(kv, "au", db.Day(l.to)))
}

// markets addresses the markets overlapping the period.
func (l rowLinks) markets() string { return "/clauses/marches?" + l.query(db.Day, nil) }

// companies addresses the companies awarded those markets.
func (l rowLinks) companies(kv ...string) string {
	return "/clauses/entreprises?" + l.query(db.Day, kv)
}

// breakdown is a report's figures by public, contract, mode and profile, each linked to its rows.
type breakdown struct {
	ByPublic   []publicFigures
	ByContract []contractFigures
	ByMode     []figure
	BySex      []figure
	ByAge      []figure
	QPV        figure
}

// publicFigures are the figures of one public.
type publicFigures struct {
	Label                          string
	Participants, Hours, Contracts figure
}

// contractFigures are the figures of one contract type.
type contractFigures struct {
	Label            string
	Contracts, Hours figure
}

// breakdownOf lays out a report's breakdowns; contracts per public come from
// the lines since the report counts contracts in total only (nil: not shown).
func breakdownOf(r Report, l rowLinks, contracts map[string]int) breakdown {
	var b breakdown
	for _, o := range Publics {
		pf := publicFigures{Label: o.Label,
			Participants: figure{Label: "Participants", Value: itoaFR(r.ParticipantsByPublic[o.Code]), Href: l.hours("public", o.Code), Key: "participants"},
			Hours:        figure{Label: "Heures", Value: r.HoursByPublic[o.Code].String(), Href: l.hours("public", o.Code), Key: "hours"}}
		if contracts != nil {
			pf.Contracts = figure{Label: "Contrats", Value: itoaFR(contracts[o.Code]), Href: l.hours("public", o.Code), Key: "contracts"}
		}
		b.ByPublic = append(b.ByPublic, pf)
	}
	for _, o := range ContractTypes {
		b.ByContract = append(b.ByContract, contractFigures{Label: o.Label,
			Contracts: figure{Label: "Contrats", Value: itoaFR(r.ContractsByType[o.Code]), Href: l.hours("contract_type", o.Code), Key: "contracts"},
			Hours:     figure{Label: "Heures", Value: r.HoursByContract[o.Code].String(), Href: l.hours("contract_type", o.Code), Key: "hours"}})
	}
	for _, o := range Modes {
		b.ByMode = append(b.ByMode, figure{Label: o.Label, Value: r.HoursByMode[o.Code].String(), Href: l.hours("mode", o.Code), Key: "hours"})
	}
	for _, o := range pageOptions["sex"] {
		b.BySex = append(b.BySex, figure{Label: o.Label, Value: itoaFR(r.ParticipantsBySex[o.Code]), Href: l.participants("sex", o.Code), Key: "participants"})
	}
	for _, o := range AgeBands {
		b.ByAge = append(b.ByAge, figure{Label: o.Label, Value: itoaFR(r.ParticipantsByAge[o.Code]), Href: l.participants("age", o.Code), Key: "participants"})
	}
	b.QPV = figure{Label: "Résidant en quartier prioritaire (QPV)", Value: itoaFR(r.ParticipantsQPV), Href: l.participants("qpv", "1"), Key: "participants"}
	return b
}

func itoaFR(n int) string { return FormatDecimal(float64(n), 0) }

// prefixed renames the fields of a form error, for a page showing several
// forms whose fields share names; renames maps a service field to the form's.
func prefixed(err error, prefix string, renames map[string]string) error {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	out := errs.FieldErrors{}
	for k, v := range fields {
		if r, ok := renames[k]; ok {
			k = r
		}
		out[prefix+k] = v
	}
	return &errs.Error{Code: errs.CodeOf(err), Message: errs.MessageOf(err), Fields: out}
}

// marketRenames names the amount field the way the forms do: in euros, not cents.
var marketRenames = map[string]string{"amount_cents": "amount"}

// parseDecimal reads a French or English decimal; empty is zero.
func parseDecimal(s string) (float64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// parseHoursField reads hours typed in a form into fe under name; empty is zero when optional.
func parseHoursField(fe errs.FieldErrors, f url.Values, name string, optional bool) Hours {
	v := strings.TrimSpace(f.Get(name))
	if v == "" && optional {
		return 0
	}
	h, err := ParseHours(v)
	if err != nil {
		fe.Add(name, "Nombre d'heures attendu, par exemple 151,67.")
	}
	return h
}

// safeFileName turns a title into a file name any system accepts.
func safeFileName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range refdata.Fold(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > 60 {
		out = strings.TrimSuffix(out[:60], "-")
	}
	if out == "" {
		out = "bilan"
	}
	return out
}

// Content types of the downloads.
const (
	pdfType  = "application/pdf"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// download writes a document built in memory as an attachment, or the error page when it fails.
func (h Web) download(w http.ResponseWriter, r *http.Request, contentType, name string, write func(io.Writer) error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	buf.WriteTo(w)
}

// ---- home ----

// companyMarket is a market of a company's "Mes marchés" with the company's own line.
type companyMarket struct {
	MarketProgress
	Own *CompanyProgress
}

// operationRow is an operation of the list with its progress.
type operationRow struct {
	Operation
	Progress OperationProgress
}

type homeData struct {
	pageView
	Company            bool
	Markets            []companyMarket
	Operations         []operationRow
	CanCreate          bool
	CanImportMarkets   bool
	CanImportHours     bool
	CanSeeParticipants bool
}

func (h Web) home(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), web.Actor(r.Context())
	sc := access.ScopeForClauses(a)
	if sc.None {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Les clauses d'insertion sont réservées à leurs partenaires : facilitateurs, acheteurs, entreprises et structures d'insertion."))
		return
	}
	d := homeData{pageView: h.view(a, "accueil"), Company: sc.CompanyOrgID != "", CanCreate: access.CanCreateOperation(a),
		CanImportMarkets: access.CanCreateOperation(a), CanImportHours: !a.Has(access.RolePublicBuyer) && (access.CanCreateOperation(a) || sc.CompanyOrgID != ""),
		CanSeeParticipants: sc.Names}
	title := "Clauses d'insertion"
	if d.Company {
		mps, err := h.Svc.CompanyOverview(ctx, a)
		if err != nil {
			h.R.Error(w, r, err)
			return
		}
		for _, mp := range mps {
			cm := companyMarket{MarketProgress: mp}
			for i := range mp.Companies {
				if mp.Companies[i].CompanyOrgID == sc.CompanyOrgID {
					cm.Own = &mp.Companies[i]
				}
			}
			d.Markets = append(d.Markets, cm)
		}
		title = "Mes marchés à clause d'insertion"
	} else {
		ops, err := h.Svc.ListOperations(ctx, a)
		if err != nil {
			h.R.Error(w, r, err)
			return
		}
		for _, o := range ops {
			p, err := h.Svc.OperationProgress(ctx, a, o.ID)
			if err != nil {
				h.R.Error(w, r, err)
				return
			}
			d.Operations = append(d.Operations, operationRow{Operation: o, Progress: p})
		}
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_home.html", web.Page{Title: title, Data: d})
}

// ---- operations ----

type operationFormData struct {
	pageView
}

func (h Web) newOperation(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	if !access.CanCreateOperation(a) {
		h.R.Error(w, r, errForbidden)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_operation_form.html",
		web.Page{Title: "Nouvelle opération", Data: operationFormData{h.view(a, "accueil")}, Form: url.Values{}})
}

func operationInput(f url.Values) OperationInput {
	return OperationInput{Name: f.Get("name"), Description: f.Get("description"), Pooled: f.Get("pooled") != ""}
}

func (h Web) createOperation(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	a := web.Actor(r.Context())
	o, err := h.Svc.CreateOperation(r.Context(), a, operationInput(r.PostForm))
	if err != nil {
		h.R.FormPage(w, r, templates, "templates/clauses_operation_form.html",
			web.Page{Title: "Nouvelle opération", Data: operationFormData{h.view(a, "accueil")}}, err)
		return
	}
	web.Redirect(w, r, "/clauses/operations/"+o.ID, "Opération créée : ajoutez-lui ses marchés.")
}

type operationData struct {
	pageView
	P         OperationProgress
	Key       []figure
	Breakdown breakdown
	CanWrite  bool
	Buyers    []orgChoice
	// MarketsHref lists the markets of the operation; HoursHref its lines.
	MarketsHref, HoursHref string
}

// State names a company's state against its share.
func (operationData) State(c CompanyProgress) string {
	switch {
	case c.Silent:
		return "Sans heures"
	case c.Late:
		return "En retard"
	case c.Share == 0 && !c.Started:
		return "Sans part fixée"
	}
	return "À jour"
}

// OutcomeCount reads the count of an outcome at a stage.
func (d operationData) OutcomeCount(stage, outcome string) int { return d.P.Outcomes[stage][outcome] }

func (h Web) operationPage(r *http.Request, id string) (web.Page, error) {
	ctx, a := r.Context(), web.Actor(r.Context())
	p, err := h.Svc.OperationProgress(ctx, a, id)
	if err != nil {
		return web.Page{}, err
	}
	l := linksOf(p.Figures)
	f := p.Figures
	id = p.Operation.ID
	d := operationData{pageView: h.view(a, "accueil"), P: p, CanWrite: operationWritable(a, p.Operation),
		MarketsHref: "/clauses/marches?operation_id=" + id, HoursHref: "/clauses/heures?operation_id=" + id}
	d.Key = []figure{
		{Label: "Heures d'insertion requises", Value: p.Required.String(), Href: d.MarketsHref, Key: "required"},
		{Label: "Heures réalisées", Value: p.Done.String(), Href: d.HoursHref, Key: "hours"},
		{Label: "Taux de réalisation", Value: d.Pct(p.Percent)},
		{Label: "Équivalents temps plein (heures ÷ " + FormatDecimal(d.Divisor, 2) + ")", Value: d.ETP(p.Done), Href: d.HoursHref, Key: "etp"},
		{Label: "Heures attendues à ce jour", Value: p.Expected.String()},
		{Label: "Entreprises concernées", Value: itoaFR(f.CompaniesConcerned), Href: l.companies(), Key: "concerned"},
		{Label: "Entreprises ayant démarré", Value: itoaFR(f.CompaniesStarted), Href: l.companies("demarrees", "1"), Key: "started"},
		{Label: "Embauches", Value: itoaFR(f.Hires), Href: l.hours("mode", "EMBAUCHE_DIRECTE"), Key: "hires"},
		{Label: "Participants", Value: itoaFR(f.Participants), Href: l.hours(), Key: "participants"},
		{Label: "Contrats", Value: itoaFR(f.Contracts), Href: l.hours(), Key: "contracts"},
	}
	d.Breakdown = breakdownOf(f, l, nil)
	if d.CanWrite {
		if d.Buyers, err = h.Svc.orgChoices(ctx, a, buyerOrgKinds...); err != nil {
			return web.Page{}, err
		}
	}
	form := url.Values{"name": {p.Operation.Name}, "description": {p.Operation.Description}, "clause_type": {"execution"}, "hours_rule": {"fixed"}}
	if p.Operation.Pooled {
		form.Set("pooled", "1")
	}
	for k, v := range r.PostForm {
		form[k] = v
	}
	return web.Page{Title: p.Operation.Name, Data: d, Form: form}, nil
}

// renderOperation renders an operation's page, with the errors of a form posted to it when formErr is set.
func (h Web) renderOperation(w http.ResponseWriter, r *http.Request, id string, formErr error) {
	p, err := h.operationPage(r, id)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if formErr != nil {
		h.R.FormPage(w, r, templates, "templates/clauses_operation.html", p, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_operation.html", p)
}

func (h Web) showOperation(w http.ResponseWriter, r *http.Request) {
	h.renderOperation(w, r, r.PathValue("id"), nil)
}

func (h Web) updateOperation(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	o, err := h.Svc.UpdateOperation(r.Context(), web.Actor(r.Context()), r.PathValue("id"), operationInput(r.PostForm))
	if err != nil {
		h.renderOperation(w, r, r.PathValue("id"), err)
		return
	}
	web.Redirect(w, r, "/clauses/operations/"+o.ID, "Opération modifiée.")
}

func (h Web) operationDownload(w http.ResponseWriter, r *http.Request, ext, contentType string,
	write func(io.Writer, OperationProgress, string, time.Time) error) {
	p, err := h.Svc.OperationProgress(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.download(w, r, contentType, "bilan-"+safeFileName(p.Operation.Name)+"."+ext, func(out io.Writer) error {
		return write(out, p, "", h.Svc.today())
	})
}

func (h Web) operationPDF(w http.ResponseWriter, r *http.Request) {
	h.operationDownload(w, r, "pdf", pdfType, OperationPDF)
}

func (h Web) operationXLSX(w http.ResponseWriter, r *http.Request) {
	h.operationDownload(w, r, "xlsx", xlsxType, OperationXLSX)
}
