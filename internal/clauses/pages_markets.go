package clauses

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

// ---- list ----

type marketsData struct {
	pageView
	Markets    []Market
	Required   Hours
	Operations []Operation
	// Operation names the operation the list is narrowed to.
	Operation string
	CanCreate bool
}

func (h Web) listMarkets(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), web.Actor(r.Context())
	if access.ScopeForClauses(a).None {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Les marchés à clause sont réservés aux partenaires des clauses."))
		return
	}
	q := r.URL.Query()
	fe := errs.FieldErrors{}
	f := MarketFilter{OperationID: q.Get("operation_id"), From: dayParam(q, "from", fe), To: dayParam(q, "to", fe)}
	ops, err := h.Svc.ListOperations(ctx, a)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	d := marketsData{pageView: h.view(a, "marches"), Operations: ops, CanCreate: access.CanCreateOperation(a)}
	for _, o := range ops {
		if o.ID == f.OperationID {
			d.Operation = o.Name
		}
	}
	page := web.Page{Title: "Marchés à clause d'insertion", Data: d, Form: q}
	if err := fe.Err(); err != nil {
		h.R.FormPage(w, r, templates, "templates/clauses_markets.html", page, err)
		return
	}
	if d.Markets, err = h.Svc.ListMarkets(ctx, a, f); err != nil {
		if errs.FieldsOf(err) != nil {
			h.R.FormPage(w, r, templates, "templates/clauses_markets.html", page, err)
			return
		}
		h.R.Error(w, r, err)
		return
	}
	for _, m := range d.Markets {
		d.Required += m.Required
	}
	page.Data = d
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_markets.html", page)
}

// ---- forms of a market ----

// plainDecimal writes a number for a form field, with a comma and no separators.
func plainDecimal(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', -1, 64), ".", ",", 1)
}

// marketInputOf reads a market form whose fields carry a prefix; amounts are typed in euros.
func marketInputOf(f url.Values, prefix string) (MarketInput, errs.FieldErrors) {
	fe := errs.FieldErrors{}
	get := func(name string) string { return f.Get(prefix + name) }
	in := MarketInput{OperationID: get("operation_id"), BuyerOrgID: get("buyer_org_id"), Reference: get("reference"), Title: get("title"),
		StartDate: get("start_date"), EndDate: get("end_date"), ClauseType: get("clause_type"), HoursRule: get("hours_rule")}
	if euros, ok := parseDecimal(get("amount")); ok {
		in.AmountCents = int64(math.Round(euros * 100))
	} else {
		fe.Add(prefix+"amount", "Montant attendu en euros, par exemple 1 250 000,50.")
	}
	var ok bool
	if in.RuleBase, ok = parseDecimal(get("rule_base")); !ok {
		fe.Add(prefix+"rule_base", "Nombre attendu, par exemple 20 000.")
	}
	if in.RuleRate, ok = parseDecimal(get("rule_rate")); !ok {
		fe.Add(prefix+"rule_rate", "Nombre attendu, par exemple 7 ou 2,5.")
	}
	if in.HoursRule == "" || in.HoursRule == "fixed" {
		in.RequiredHours = parseHoursField(fe, f, prefix+"required_hours", true)
	}
	return in, fe
}

// marketValues fills the market form with a market's fields.
func marketValues(m Market, prefix string) url.Values {
	v := url.Values{"reference": {m.Reference}, "title": {m.Title}, "amount": {plainDecimal(float64(m.AmountCents) / 100)},
		"start_date": {db.Day(m.Start)}, "end_date": {db.Day(m.End)}, "clause_type": {m.ClauseType}, "hours_rule": {m.HoursRule},
		"required_hours": {plainDecimal(m.Required.Float())}}
	if m.HoursRule != "fixed" {
		v.Set("rule_base", plainDecimal(m.RuleBase))
		v.Set("rule_rate", plainDecimal(m.RuleRate))
	}
	out := url.Values{}
	for k, vs := range v {
		out[prefix+k] = vs
	}
	return out
}

func (h Web) createMarket(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in, fe := marketInputOf(r.PostForm, "")
	opID := in.OperationID
	err := fe.Err()
	var m Market
	if err == nil {
		m, err = h.Svc.CreateMarket(r.Context(), web.Actor(r.Context()), in)
	}
	if err != nil {
		if errs.FieldsOf(err) == nil || !db.ValidID(opID) {
			h.R.Error(w, r, err)
			return
		}
		h.renderOperation(w, r, opID, prefixed(err, "", marketRenames))
		return
	}
	web.Redirect(w, r, "/clauses/marches/"+m.ID, "Marché « "+m.Reference+" » ajouté : indiquez ses entreprises attributaires.")
}

// ---- a market's page ----

// awardRow is an awarded company with its progress.
type awardRow struct {
	Award
	Progress CompanyProgress
}

type marketData struct {
	pageView
	P       MarketProgress
	Key     []figure
	Awards  []awardRow
	Figures Report
	// CanEdit: the facilitators and the buyer change the market; CanAward: the facilitators only.
	CanEdit, CanAward bool
	Companies         []orgChoice
	Partners          []orgChoice
	// Declarable are the companies the actor may declare hours for; Fixed is set when there is one, its own.
	Declarable   []Award
	Fixed        *Award
	Participants []Participant
	Lines        DeclarationPage
	LinesHref    string
	ShowNames    bool
}

// Checked tells a checkbox list whether a value was chosen.
func (marketData) Checked(form url.Values, name, value string) bool {
	for _, v := range form[name] {
		if v == value {
			return true
		}
	}
	return false
}

// FulfilmentLabels names the means of an award.
func (d marketData) FulfilmentLabels(codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = d.Label("fulfilment", c)
	}
	return strings.Join(out, ", ")
}

func (h Web) marketPage(r *http.Request) (web.Page, error) {
	ctx, a := r.Context(), web.Actor(r.Context())
	mp, fig, err := h.Svc.MarketProgress(ctx, a, r.PathValue("id"))
	if err != nil {
		return web.Page{}, err
	}
	m := mp.Market
	sc := access.ScopeForClauses(a)
	d := marketData{pageView: h.view(a, "marches"), P: mp, Figures: fig, ShowNames: sc.Names,
		CanEdit:  access.CanMarket(a, marketFacts(m), access.Write),
		CanAward: access.CanMarket(a, marketFacts(m), access.Write) && !a.Has(access.RolePublicBuyer)}
	l := linksOf(fig)
	d.LinesHref = l.hours("market_id", m.ID)
	d.Key = []figure{
		{Label: "Heures d'insertion requises", Value: m.Required.String()},
		{Label: "Heures réalisées", Value: mp.Done.String(), Href: d.LinesHref, Key: "hours"},
		{Label: "Taux de réalisation", Value: d.Pct(mp.Percent)},
		{Label: "Équivalents temps plein", Value: d.ETP(mp.Done), Href: d.LinesHref, Key: "etp"},
		{Label: "Heures attendues à ce jour", Value: mp.Expected.String()},
		{Label: "Calendrier écoulé", Value: d.Pct(mp.Elapsed)},
		{Label: "Participants", Value: itoaFR(fig.Participants), Href: d.LinesHref, Key: "participants"},
		{Label: "Embauches", Value: itoaFR(fig.Hires), Href: l.hours("market_id", m.ID, "mode", "EMBAUCHE_DIRECTE"), Key: "hires"},
	}
	for _, c := range mp.Companies {
		row := awardRow{Progress: c}
		if aw, ok := awarded(m, c.CompanyOrgID); ok {
			row.Award = aw
		}
		d.Awards = append(d.Awards, row)
	}
	for _, aw := range m.Awards {
		if access.CanDeclaration(a, access.Declaration{Market: marketFacts(m), CompanyOrgID: aw.CompanyOrgID, ViaOrgID: aw.PartnerOrgID}, access.Write) {
			d.Declarable = append(d.Declarable, aw)
		}
	}
	if len(d.Declarable) == 1 && d.Declarable[0].CompanyOrgID == a.OrgID {
		d.Fixed = &d.Declarable[0]
	}
	if d.CanAward {
		if d.Companies, err = h.Svc.orgChoices(ctx, a, companyOrgKinds...); err != nil {
			return web.Page{}, err
		}
		if d.Partners, err = h.Svc.orgChoices(ctx, a, partnerOrgKinds...); err != nil {
			return web.Page{}, err
		}
	}
	if len(d.Declarable) > 0 {
		if d.Participants, _, err = h.Svc.ListParticipants(ctx, a, ParticipantFilter{Limit: 1000}); err != nil {
			return web.Page{}, err
		}
	}
	if d.Lines, err = h.Svc.ListDeclarations(ctx, a, HoursFilter{MarketID: m.ID, Limit: 20}); err != nil {
		return web.Page{}, err
	}
	form := marketValues(m, "mk_")
	form.Set("month", string(MonthOf(h.Svc.today().AddDate(0, -1, 0))))
	form.Set("mode", "EMBAUCHE_DIRECTE")
	form.Set("aw_role", "holder")
	for k, v := range r.PostForm {
		form[k] = v
	}
	return web.Page{Title: m.Reference + " – " + m.Title, Data: d, Form: form}, nil
}

// renderMarket renders a market's page, with the errors of a form posted to it when formErr is set.
func (h Web) renderMarket(w http.ResponseWriter, r *http.Request, formErr error) {
	p, err := h.marketPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if formErr != nil {
		h.R.FormPage(w, r, templates, "templates/clauses_market.html", p, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_market.html", p)
}

func (h Web) showMarket(w http.ResponseWriter, r *http.Request) { h.renderMarket(w, r, nil) }

func (h Web) marketURL(r *http.Request, anchor string) string {
	return "/clauses/marches/" + r.PathValue("id") + anchor
}

func (h Web) updateMarket(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in, fe := marketInputOf(r.PostForm, "mk_")
	err := fe.Err()
	if err == nil {
		_, err = h.Svc.UpdateMarket(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
		err = prefixed(err, "mk_", marketRenames)
	}
	if err != nil {
		h.renderMarket(w, r, err)
		return
	}
	web.Redirect(w, r, h.marketURL(r, ""), "Marché modifié.")
}

func (h Web) setAward(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	ctx, a, f := r.Context(), web.Actor(r.Context()), r.PostForm
	fe := errs.FieldErrors{}
	share := parseHoursField(fe, f, "aw_share_hours", true)
	company := f.Get("aw_company_org_id")
	if company == "" && strings.TrimSpace(f.Get("aw_siret")) != "" {
		id, err := h.Svc.companyBySIRET(ctx, a, f.Get("aw_siret"))
		if err != nil {
			h.renderMarket(w, r, prefixed(err, "aw_", nil))
			return
		}
		company = id
	}
	err := fe.Err()
	if err == nil {
		_, err = h.Svc.SetAward(ctx, a, r.PathValue("id"), AwardInput{CompanyOrgID: company, Role: f.Get("aw_role"), ShareHours: share,
			Fulfilment: f["aw_fulfilment"], PartnerOrgID: f.Get("aw_partner_org_id")})
		err = prefixed(err, "aw_", nil)
	}
	if err != nil {
		h.renderMarket(w, r, err)
		return
	}
	web.Redirect(w, r, h.marketURL(r, "#attributaires"), "Entreprise attributaire enregistrée.")
}

func (h Web) removeAward(w http.ResponseWriter, r *http.Request) {
	if err := h.Svc.RemoveAward(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("company")); err != nil {
		h.renderMarket(w, r, err)
		return
	}
	web.Redirect(w, r, h.marketURL(r, "#attributaires"), "Entreprise retirée du marché.")
}

// participantInputOf reads the fields describing a participant.
func participantInputOf(f url.Values) ParticipantInput {
	return ParticipantInput{ExternalID: f.Get("external_id"), FirstName: f.Get("first_name"), LastName: f.Get("last_name"),
		BirthDate: f.Get("birth_date"), Sex: f.Get("sex"), CommuneCode: f.Get("commune_code"), QPV: f.Get("qpv") != "",
		Public: f.Get("public"), PublicReason: f.Get("public_reason"), ProofDate: f.Get("proof_date"), Validate: f.Get("validate") != ""}
}

func (h Web) declare(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	fe := errs.FieldErrors{}
	hours := parseHoursField(fe, f, "hours", false)
	if err := fe.Err(); err != nil {
		h.renderMarket(w, r, err)
		return
	}
	in := DeclarationInput{MarketID: r.PathValue("id"), CompanyOrgID: f.Get("company_org_id"), ParticipantID: f.Get("participant_id"),
		Month: f.Get("month"), Hours: hours, ContractType: f.Get("contract_type"), Mode: f.Get("mode")}
	if in.ParticipantID == "" {
		p := participantInputOf(f)
		p.Validate = false
		in.Participant = &p
	}
	d, err := h.Svc.Declare(r.Context(), web.Actor(r.Context()), in, "ui")
	if err != nil {
		h.renderMarket(w, r, err)
		return
	}
	web.Redirect(w, r, h.marketURL(r, "#heures"), "Heures enregistrées : "+d.Hours.String()+" h en "+d.Month.Label()+".")
}

// defaultPeriod is the last full calendar year before today.
func defaultPeriod(today time.Time) (time.Time, time.Time) {
	y := today.Year() - 1
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
}
