package clauses

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

// hoursPageLines is the number of lines a page of hours shows.
const hoursPageLines = 100

// ---- lines of hours ----

type hoursData struct {
	pageView
	Lines      DeclarationPage
	Counts     lineCounts
	Pager      web.Pager
	Operations []Operation
	ShowNames  bool
	// Narrowed says what the list is narrowed to beyond the filters of the form.
	Narrowed []string
	// Keep are the narrowing parameters the filter form carries on.
	Keep url.Values
}

func (h Web) listHours(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), web.Actor(r.Context())
	sc := access.ScopeForClauses(a)
	if sc.None {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Les heures d'insertion sont réservées aux partenaires des clauses."))
		return
	}
	q := r.URL.Query()
	ops, err := h.Svc.ListOperations(ctx, a)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	d := hoursData{pageView: h.view(a, "heures"), Operations: ops, ShowNames: sc.Names, Keep: url.Values{}}
	page := web.Page{Title: "Heures déclarées", Data: d, Form: q}
	f, err := hoursFilter(q)
	if err != nil {
		h.R.FormPage(w, r, templates, "templates/clauses_hours.html", page, err)
		return
	}
	for _, k := range []string{"market_id", "company_org_id", "participant_id"} {
		if v := q.Get(k); v != "" {
			d.Keep.Set(k, v)
		}
	}
	d.Pager = web.NewPager(r, hoursPageLines)
	f.Limit, f.Offset = d.Pager.Limit, d.Pager.Offset
	if d.Lines, err = h.Svc.ListDeclarations(ctx, a, f); err != nil {
		h.R.Error(w, r, err)
		return
	}
	d.Pager.Total = d.Lines.Total
	if d.Counts, err = h.Svc.countLines(ctx, a, f); err != nil {
		h.R.Error(w, r, err)
		return
	}
	d.Narrowed = h.narrowing(r, a, f, d.Lines)
	page.Data = d
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_hours.html", page)
}

// narrowing describes the market, company or participant a list of lines is narrowed to.
func (h Web) narrowing(r *http.Request, a access.Actor, f HoursFilter, page DeclarationPage) []string {
	var out []string
	if f.MarketID != "" {
		if m, err := h.Svc.GetMarket(r.Context(), a, f.MarketID); err == nil {
			out = append(out, "marché "+m.Reference+" – "+m.Title)
		}
	}
	if f.CompanyOrgID != "" && len(page.Lines) > 0 {
		out = append(out, "entreprise "+page.Lines[0].CompanyName)
	}
	if f.ParticipantID != "" && len(page.Lines) > 0 && page.Lines[0].ParticipantName != "" {
		out = append(out, "participant "+page.Lines[0].ParticipantName)
	}
	return out
}

type lineData struct {
	pageView
	D           Declaration
	Market      Market
	Corrections []Correction
	Names       map[string]string
	CanWrite    bool
}

// Name returns the name of the account that made a change.
func (d lineData) Name(id string) string {
	if n := d.Names[id]; n != "" {
		return n
	}
	return "Traitement automatique"
}

func (h Web) linePage(r *http.Request) (web.Page, error) {
	ctx, a := r.Context(), web.Actor(r.Context())
	dec, cs, err := h.Svc.GetDeclaration(ctx, a, r.PathValue("id"))
	if err != nil {
		return web.Page{}, err
	}
	m, err := h.Svc.GetMarket(ctx, a, dec.MarketID)
	if err != nil {
		return web.Page{}, err
	}
	d := lineData{pageView: h.view(a, "heures"), D: dec, Market: m, Corrections: cs,
		CanWrite: access.CanDeclaration(a, access.Declaration{Market: marketFacts(m), CompanyOrgID: dec.CompanyOrgID, ViaOrgID: dec.ViaOrgID}, access.Write)}
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.ChangedBy)
	}
	if d.Names, err = h.Svc.userNames(ctx, ids); err != nil {
		return web.Page{}, err
	}
	form := url.Values{"hours": {plainDecimal(dec.Hours.Float())}, "mode": {dec.Mode}}
	for k, v := range r.PostForm {
		form[k] = v
	}
	return web.Page{Title: "Heures de " + dec.Month.Label() + " – " + dec.MarketReference, Data: d, Form: form}, nil
}

func (h Web) showLine(w http.ResponseWriter, r *http.Request) {
	p, err := h.linePage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_line.html", p)
}

func (h Web) correctLine(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	ctx, a := r.Context(), web.Actor(r.Context())
	old, _, err := h.Svc.GetDeclaration(ctx, a, r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	fe := errs.FieldErrors{}
	hours := parseHoursField(fe, r.PostForm, "hours", false)
	err = fe.Err()
	var d Declaration
	if err == nil {
		d, err = h.Svc.Declare(ctx, a, DeclarationInput{MarketID: old.MarketID, CompanyOrgID: old.CompanyOrgID, ParticipantID: old.ParticipantID,
			Month: string(old.Month), ContractType: old.ContractType, Hours: hours, Mode: r.PostForm.Get("mode"), ViaOrgID: old.ViaOrgID}, "ui")
	}
	if err != nil {
		p, loadErr := h.linePage(r)
		if loadErr != nil {
			h.R.Error(w, r, loadErr)
			return
		}
		h.R.FormPage(w, r, templates, "templates/clauses_line.html", p, err)
		return
	}
	web.Redirect(w, r, "/clauses/heures/"+d.ID, "Correction enregistrée : "+d.Hours.String()+" h.")
}

// ---- participants ----

type participantsData struct {
	pageView
	// Period is set when the list is the participants of the lines of a period.
	Period    bool
	List      []Participant
	Rows      []periodParticipant
	Hours     Hours
	Pager     web.Pager
	Count     int
	ShowNames bool
	Narrowed  []string
	// Keep are the period parameters the search form carries on.
	Keep url.Values
}

// periodKeys are the parameters that turn the participants' list into those of a period.
var periodKeys = []string{"from", "to", "operation_id", "market_id", "contract_type", "mode", "sex", "age", "qpv", "au"}

func (h Web) listParticipants(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), web.Actor(r.Context())
	sc := access.ScopeForClauses(a)
	if sc.None {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Les participants des clauses sont réservés aux partenaires des clauses."))
		return
	}
	q := r.URL.Query()
	d := participantsData{pageView: h.view(a, "participants"), ShowNames: sc.Names, Keep: url.Values{}}
	for _, k := range periodKeys {
		if q.Get(k) != "" {
			d.Period = true
			d.Keep.Set(k, q.Get(k))
		}
	}
	page := web.Page{Title: "Participants", Data: d, Form: q}
	var err error
	if d.Period {
		err = h.periodList(r, a, q, &d)
	} else {
		d.Pager = web.NewPager(r, 50)
		public := q.Get("public")
		d.List, d.Pager.Total, err = h.Svc.ListParticipants(ctx, a, ParticipantFilter{Query: strings.TrimSpace(q.Get("q")), Public: public,
			Limit: d.Pager.Limit, Offset: d.Pager.Offset})
		d.Count = d.Pager.Total
	}
	page.Data = d
	if err != nil {
		if errs.FieldsOf(err) != nil {
			h.R.FormPage(w, r, templates, "templates/clauses_participants.html", page, err)
			return
		}
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_participants.html", page)
}

// periodList fills the participants of the lines a query selects, narrowed by sex, age band and QPV.
func (h Web) periodList(r *http.Request, a access.Actor, q url.Values, d *participantsData) error {
	f, err := hoursFilter(q)
	fe := errs.FieldErrors{}
	end := dayParam(q, "au", fe)
	sex, age, qpv := q.Get("sex"), q.Get("age"), q.Get("qpv") != ""
	if sex != "" && !valid(pageOptions["sex"], sex) {
		fe.Add("sex", "Sexe inconnu.")
	}
	if age != "" && !valid(AgeBands, age) {
		fe.Add("age", "Tranche d'âge inconnue.")
	}
	if err != nil || len(fe) > 0 {
		for k, v := range errs.FieldsOf(err) {
			fe.Add(k, v)
		}
		return fe.Err()
	}
	at := h.Svc.today()
	if end != nil {
		at = *end
	} else if f.To != "" {
		at = f.To.Start().AddDate(0, 1, -1)
	}
	rows, err := h.Svc.periodParticipants(r.Context(), a, f, at)
	if err != nil {
		return err
	}
	for _, p := range rows {
		if sex != "" && p.Sex != sex || age != "" && p.Age != age || qpv && !p.QPV {
			continue
		}
		d.Rows = append(d.Rows, p)
		d.Hours += p.Hours
	}
	d.Count = len(d.Rows)
	if f.From != "" || f.To != "" {
		d.Narrowed = append(d.Narrowed, "heures de "+monthRange(f.From, f.To))
	}
	for _, c := range []struct{ list, code string }{{"public", f.Public}, {"contract", f.ContractType}, {"mode", f.Mode}, {"sex", sex}, {"age", age}} {
		if c.code != "" {
			d.Narrowed = append(d.Narrowed, d.Label(c.list, c.code))
		}
	}
	if qpv {
		d.Narrowed = append(d.Narrowed, "résidant en QPV")
	}
	if !at.IsZero() && age != "" {
		d.Narrowed = append(d.Narrowed, "âge au "+at.Format("02/01/2006"))
	}
	return nil
}

// monthRange writes a period of months in French.
func monthRange(from, to Month) string {
	switch {
	case from != "" && to != "":
		return from.Label() + " à " + to.Label()
	case from != "":
		return "depuis " + from.Label()
	}
	return "jusqu'à " + to.Label()
}

// outcomeRow is an outcome with the name of its operation.
type outcomeRow struct {
	Stage, Outcome, Detail string
	ObservedOn             time.Time
	OperationName          string
}

type participantData struct {
	pageView
	P           Participant
	ValidatedBy string
	Outcomes    []outcomeRow
	// Operations are those whose outcomes the actor records.
	Operations                       []Operation
	CanEdit, CanValidate, CanOutcome bool
	LinesHref                        string
}

func (h Web) participantPage(r *http.Request) (web.Page, error) {
	ctx, a := r.Context(), web.Actor(r.Context())
	p, err := h.Svc.GetParticipant(ctx, a, r.PathValue("id"))
	if err != nil {
		return web.Page{}, err
	}
	d := participantData{pageView: h.view(a, "participants"), P: p, LinesHref: "/clauses/heures?participant_id=" + p.ID,
		CanEdit: !access.IsDeptManager(a) || a.Has(access.RoleFacilitator), CanValidate: canValidate(a)}
	if p.ValidatedBy != "" {
		names, err := h.Svc.userNames(ctx, []string{p.ValidatedBy})
		if err != nil {
			return web.Page{}, err
		}
		d.ValidatedBy = names[p.ValidatedBy]
	}
	ops, err := h.Svc.ListOperations(ctx, a)
	if err != nil {
		return web.Page{}, err
	}
	names := map[string]string{}
	for _, o := range ops {
		names[o.ID] = o.Name
		if operationWritable(a, o) && (!access.IsDeptManager(a) || a.Has(access.RoleFacilitator)) {
			d.Operations = append(d.Operations, o)
		}
	}
	d.CanOutcome = len(d.Operations) > 0
	outs, err := h.Svc.participantOutcomes(ctx, a, p.ID)
	if err != nil {
		return web.Page{}, err
	}
	for _, o := range outs {
		if n, ok := names[o.OperationID]; ok {
			d.Outcomes = append(d.Outcomes, outcomeRow{Stage: o.Stage, Outcome: o.Outcome, Detail: o.Detail, ObservedOn: o.ObservedOn, OperationName: n})
		}
	}
	form := url.Values{"external_id": {p.ExternalID}, "first_name": {p.FirstName}, "last_name": {p.LastName}, "sex": {p.Sex},
		"commune_code": {p.CommuneCode}, "public": {p.Public}, "public_reason": {p.PublicReason}, "person_id": {p.PersonID},
		"stage": {"end"}, "observed_on": {db.Day(h.Svc.today())}}
	if p.BirthDate != nil {
		form.Set("birth_date", db.Day(*p.BirthDate))
	}
	if p.ProofDate != nil {
		form.Set("proof_date", db.Day(*p.ProofDate))
	}
	if p.QPV {
		form.Set("qpv", "1")
	}
	if len(d.Operations) == 1 {
		form.Set("operation_id", d.Operations[0].ID)
	}
	for k, v := range r.PostForm {
		form[k] = v
	}
	return web.Page{Title: p.Name(), Data: d, Form: form}, nil
}

func (h Web) renderParticipant(w http.ResponseWriter, r *http.Request, formErr error) {
	p, err := h.participantPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if formErr != nil {
		h.R.FormPage(w, r, templates, "templates/clauses_participant.html", p, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/clauses_participant.html", p)
}

func (h Web) showParticipant(w http.ResponseWriter, r *http.Request) { h.renderParticipant(w, r, nil) }

func (h Web) updateParticipant(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := participantInputOf(r.PostForm)
	in.PersonID = r.PostForm.Get("person_id")
	if _, err := h.Svc.UpdateParticipant(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in); err != nil {
		h.renderParticipant(w, r, err)
		return
	}
	web.Redirect(w, r, "/clauses/participants/"+r.PathValue("id"), "Participant enregistré.")
}

func (h Web) recordOutcome(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	err := errs.FieldErrors{"operation_id": "Choisissez l'opération."}.Err()
	if f.Get("operation_id") != "" {
		_, err = h.Svc.RecordOutcome(r.Context(), web.Actor(r.Context()), OutcomeInput{ParticipantID: r.PathValue("id"),
			OperationID: f.Get("operation_id"), Stage: f.Get("stage"), Outcome: f.Get("outcome"), Detail: f.Get("detail"), ObservedOn: f.Get("observed_on")})
	}
	if errs.Is(err, errs.NotFound) && errs.FieldsOf(err) == nil {
		err = errs.FieldErrors{"operation_id": "Opération introuvable parmi les vôtres."}.Err()
	}
	if err != nil {
		h.renderParticipant(w, r, err)
		return
	}
	web.Redirect(w, r, "/clauses/participants/"+r.PathValue("id")+"#sorties", "Sortie enregistrée.")
}
