package clauses

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"tremplin/internal/platform/api"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

func (h API) registerResources(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/clause-operations", h.listOperations)
	mux.HandleFunc("POST /api/v1/clause-operations", h.createOperation)
	mux.HandleFunc("GET /api/v1/clause-operations/{id}", h.getOperation)
	mux.HandleFunc("PUT /api/v1/clause-operations/{id}", h.updateOperation)
	mux.HandleFunc("GET /api/v1/markets", h.listMarkets)
	mux.HandleFunc("POST /api/v1/markets", h.createMarket)
	mux.HandleFunc("GET /api/v1/markets/{id}", h.getMarket)
	mux.HandleFunc("PUT /api/v1/markets/{id}", h.updateMarket)
	mux.HandleFunc("POST /api/v1/markets/{id}/awards", h.setAward)
	mux.HandleFunc("DELETE /api/v1/markets/{id}/awards/{company}", h.removeAward)
	mux.HandleFunc("GET /api/v1/clause-participants", h.listParticipants)
	mux.HandleFunc("POST /api/v1/clause-participants", h.createParticipant)
	mux.HandleFunc("GET /api/v1/clause-participants/{id}", h.getParticipant)
	mux.HandleFunc("PUT /api/v1/clause-participants/{id}", h.updateParticipant)
	mux.HandleFunc("GET /api/v1/hours", h.listHours)
	mux.HandleFunc("POST /api/v1/hours", h.declare)
	mux.HandleFunc("GET /api/v1/hours/{id}", h.getHours)
	mux.HandleFunc("POST /api/v1/clause-outcomes", h.recordOutcome)
	mux.HandleFunc("GET /api/v1/reports/clauses", h.report)
}

// marketJSON writes a market's dates as days.
type marketJSON struct {
	Market
	Start string `json:"start_date"`
	End   string `json:"end_date"`
}

func toMarketJSON(m Market) marketJSON {
	if m.Awards == nil {
		m.Awards = []Award{}
	}
	return marketJSON{Market: m, Start: db.Day(m.Start), End: db.Day(m.End)}
}

// participantJSON writes a participant's dates as days.
type participantJSON struct {
	Participant
	BirthDate *string `json:"birth_date,omitempty"`
	ProofDate *string `json:"proof_date,omitempty"`
}

func dayString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := db.Day(*t)
	return &s
}

func toParticipantJSON(p Participant) participantJSON {
	return participantJSON{Participant: p, BirthDate: dayString(p.BirthDate), ProofDate: dayString(p.ProofDate)}
}

func (h API) listOperations(w http.ResponseWriter, r *http.Request) {
	ops, err := h.Svc.ListOperations(r.Context(), api.Actor(r.Context()))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, ops, len(ops), func(o Operation) Operation { return o })
}

func (h API) createOperation(w http.ResponseWriter, r *http.Request) {
	var in OperationInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	o, err := h.Svc.CreateOperation(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, o)
}

// progressJSON is an operation's progress with its markets' dates as days.
type progressJSON struct {
	OperationProgress
	Markets []marketProgressJSON `json:"markets"`
}

type marketProgressJSON struct {
	MarketProgress
	Market marketJSON `json:"market"`
}

func toProgressJSON(p OperationProgress) progressJSON {
	out := progressJSON{OperationProgress: p, Markets: make([]marketProgressJSON, 0, len(p.Markets))}
	for _, mp := range p.Markets {
		out.Markets = append(out.Markets, toMarketProgressJSON(mp))
	}
	return out
}

func toMarketProgressJSON(mp MarketProgress) marketProgressJSON {
	if mp.Companies == nil {
		mp.Companies = []CompanyProgress{}
	}
	return marketProgressJSON{MarketProgress: mp, Market: toMarketJSON(mp.Market)}
}

func (h API) getOperation(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.OperationProgress(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, toProgressJSON(p))
}

func (h API) updateOperation(w http.ResponseWriter, r *http.Request) {
	var in OperationInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	o, err := h.Svc.UpdateOperation(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, o)
}

// dayParam reads an optional YYYY-MM-DD query parameter.
func dayParam(q url.Values, name string, fe errs.FieldErrors) *time.Time {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fe.Add(name, "Date attendue au format AAAA-MM-JJ.")
		return nil
	}
	return &t
}

func (h API) listMarkets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fe := errs.FieldErrors{}
	f := MarketFilter{OperationID: q.Get("operation_id"), CompanyOrgID: q.Get("company_org_id"), From: dayParam(q, "from", fe), To: dayParam(q, "to", fe)}
	if err := fe.Err(); err != nil {
		api.Error(w, err)
		return
	}
	ms, err := h.Svc.ListMarkets(r.Context(), api.Actor(r.Context()), f)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, ms, len(ms), toMarketJSON)
}

func (h API) createMarket(w http.ResponseWriter, r *http.Request) {
	var in MarketInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	m, err := h.Svc.CreateMarket(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, toMarketJSON(m))
}

// marketDetailJSON is a market with its progress and the figures of its lines.
type marketDetailJSON struct {
	marketJSON
	Progress marketProgressJSON `json:"progress"`
	Figures  Report             `json:"figures"`
}

func (h API) getMarket(w http.ResponseWriter, r *http.Request) {
	mp, fig, err := h.Svc.MarketProgress(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, marketDetailJSON{marketJSON: toMarketJSON(mp.Market), Progress: toMarketProgressJSON(mp), Figures: fig})
}

func (h API) updateMarket(w http.ResponseWriter, r *http.Request) {
	var in MarketInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	m, err := h.Svc.UpdateMarket(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, toMarketJSON(m))
}

func (h API) setAward(w http.ResponseWriter, r *http.Request) {
	var in AwardInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	m, err := h.Svc.SetAward(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, toMarketJSON(m))
}

func (h API) removeAward(w http.ResponseWriter, r *http.Request) {
	if err := h.Svc.RemoveAward(r.Context(), api.Actor(r.Context()), r.PathValue("id"), r.PathValue("company")); err != nil {
		api.Error(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h API) listParticipants(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	q := r.URL.Query()
	list, total, err := h.Svc.ListParticipants(r.Context(), api.Actor(r.Context()),
		ParticipantFilter{Query: q.Get("q"), Public: q.Get("public"), Limit: limit, Offset: offset})
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, total, toParticipantJSON)
}

func (h API) createParticipant(w http.ResponseWriter, r *http.Request) {
	var in ParticipantInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	p, err := h.Svc.CreateParticipant(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, toParticipantJSON(p))
}

func (h API) getParticipant(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.GetParticipant(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, toParticipantJSON(p))
}

func (h API) updateParticipant(w http.ResponseWriter, r *http.Request) {
	var in ParticipantInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	p, err := h.Svc.UpdateParticipant(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, toParticipantJSON(p))
}

// hoursFilter reads the filter of lines of hours from a query (API and pages share it).
func hoursFilter(q url.Values) (HoursFilter, error) {
	f := HoursFilter{OperationID: q.Get("operation_id"), MarketID: q.Get("market_id"), CompanyOrgID: q.Get("company_org_id"),
		ParticipantID: q.Get("participant_id"), Public: q.Get("public"), ContractType: q.Get("contract_type"), Mode: q.Get("mode")}
	fe := errs.FieldErrors{}
	for name, dst := range map[string]*Month{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			m, err := ParseMonth(v)
			if err != nil {
				fe.Add(name, "Mois attendu au format AAAA-MM.")
			}
			*dst = m
		}
	}
	f.check(fe)
	return f, fe.Err()
}

func (h API) listHours(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	f, err := hoursFilter(r.URL.Query())
	if err != nil {
		api.Error(w, err)
		return
	}
	f.Limit, f.Offset = limit, offset
	page, err := h.Svc.ListDeclarations(r.Context(), api.Actor(r.Context()), f)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, page)
}

func (h API) declare(w http.ResponseWriter, r *http.Request) {
	var in DeclarationInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	d, err := h.Svc.Declare(r.Context(), api.Actor(r.Context()), in, "api")
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, d)
}

// declarationJSON is a line of hours with its corrections.
type declarationJSON struct {
	Declaration
	Corrections []Correction `json:"corrections"`
}

func (h API) getHours(w http.ResponseWriter, r *http.Request) {
	d, cs, err := h.Svc.GetDeclaration(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	if cs == nil {
		cs = []Correction{}
	}
	api.JSON(w, http.StatusOK, declarationJSON{Declaration: d, Corrections: cs})
}

// outcomeJSON writes the day an outcome was observed.
type outcomeJSON struct {
	Outcome
	ObservedOn string `json:"observed_on"`
}

func (h API) recordOutcome(w http.ResponseWriter, r *http.Request) {
	var in OutcomeInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	o, err := h.Svc.RecordOutcome(r.Context(), api.Actor(r.Context()), in)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, outcomeJSON{Outcome: o, ObservedOn: db.Day(o.ObservedOn)})
}

// reportFilter reads from, to and operation from a query.
func reportFilter(q url.Values) (ReportFilter, error) {
	fe := errs.FieldErrors{}
	f := ReportFilter{OperationID: q.Get("operation")}
	if f.OperationID == "" {
		f.OperationID = q.Get("operation_id")
	}
	from, to := dayParam(q, "from", fe), dayParam(q, "to", fe)
	if from == nil && fe["from"] == "" {
		fe.Add("from", "Date de début attendue (from=AAAA-MM-JJ).")
	}
	if to == nil && fe["to"] == "" {
		fe.Add("to", "Date de fin attendue (to=AAAA-MM-JJ).")
	}
	if err := fe.Err(); err != nil {
		return f, err
	}
	f.From, f.To = *from, *to
	return f, nil
}

func (h API) report(w http.ResponseWriter, r *http.Request) {
	f, err := reportFilter(r.URL.Query())
	if err != nil {
		api.Error(w, err)
		return
	}
	rep, err := h.Svc.Report(r.Context(), api.Actor(r.Context()), f)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, rep)
}
