package pathway

import (
	"net/http"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/api"
)

// API serves the pathway endpoints.
type API struct{ Svc *Service }

// Register adds the routes to an API mux.
func (h API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/worklist", h.worklist)
	mux.HandleFunc("GET /api/v1/orientation-queue", h.queue)
	mux.HandleFunc("GET /api/v1/people/{id}/diagnostics", h.diagnostics)
	mux.HandleFunc("POST /api/v1/people/{id}/diagnostics", h.saveDiagnostic)
	mux.HandleFunc("POST /api/v1/diagnostics/{id}/signatures", h.signDiagnostic)
	mux.HandleFunc("GET /api/v1/people/{id}/orientations", h.orientations)
	mux.HandleFunc("POST /api/v1/people/{id}/orientations", h.orient)
	mux.HandleFunc("POST /api/v1/people/{id}/reorientation-requests", h.requestReorientation)
	mux.HandleFunc("POST /api/v1/reorientation-requests/{id}/decision", h.decideReorientation)
	mux.HandleFunc("GET /api/v1/people/{id}/contracts", h.contracts)
	mux.HandleFunc("POST /api/v1/people/{id}/contracts", h.createContract)
	mux.HandleFunc("POST /api/v1/contracts/{id}/signature", h.signContract)
	mux.HandleFunc("POST /api/v1/contracts/{id}/renewal", h.renewContract)
	mux.HandleFunc("GET /api/v1/people/{id}/group", h.group)
	mux.HandleFunc("POST /api/v1/people/{id}/group", h.addMember)
	mux.HandleFunc("POST /api/v1/group-members/{id}/end", h.endMember)
}

func dayPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// AlertJSON is an alert of the point de situation.
type AlertJSON struct {
	PersonID         string `json:"person_id"`
	Kind             string `json:"kind"`
	Since            string `json:"since"`
	Detail           string `json:"detail"`
	Name             string `json:"name"`
	ReferentID       string `json:"referent_id"`
	ReferentName     string `json:"referent_name"`
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
	URL              string `json:"url"`
}

// CountJSON is a number of alerts for a structure or a référent.
type CountJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// WorklistJSON is a page of the point de situation with its counts.
type WorklistJSON struct {
	Items  []AlertJSON `json:"items"`
	Total  int         `json:"total"`
	Counts struct {
		ByKind         map[string]int `json:"by_kind"`
		ByOrganisation []CountJSON    `json:"by_organisation"`
		ByReferent     []CountJSON    `json:"by_referent"`
	} `json:"counts"`
}

func countsJSON(cs []Count) []CountJSON {
	out := make([]CountJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, CountJSON{ID: c.ID, Name: c.Name, Count: c.Count})
	}
	return out
}

func (h API) worklist(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	q := r.URL.Query()
	f := WorklistFilter{Kind: AlertKind(q.Get("kind")), OrgID: q.Get("organisation_id"), ReferentID: q.Get("referent_id"),
		Mine: q.Get("mine") == "true", Limit: limit, Offset: offset}
	wl, err := h.Svc.Worklist(r.Context(), api.Actor(r.Context()), f)
	if err != nil {
		api.Error(w, err)
		return
	}
	out := WorklistJSON{Items: make([]AlertJSON, 0, len(wl.Items)), Total: wl.Total}
	for _, al := range wl.Items {
		out.Items = append(out.Items, AlertJSON{PersonID: al.PersonID, Kind: string(al.Kind), Since: al.Since.Format(time.DateOnly), Detail: al.Detail,
			Name: al.Name, ReferentID: al.ReferentID, ReferentName: al.ReferentName, OrganisationID: al.OrgID, OrganisationName: al.OrgName,
			URL: "/personnes/" + al.PersonID})
	}
	out.Counts.ByKind = map[string]int{}
	for _, k := range AlertKinds {
		out.Counts.ByKind[string(k.Kind)] = wl.ByKind[k.Kind]
	}
	out.Counts.ByOrganisation, out.Counts.ByReferent = countsJSON(wl.ByOrganisation), countsJSON(wl.ByReferent)
	api.JSON(w, http.StatusOK, out)
}

// QueueEntryJSON is a person waiting for an orientation.
type QueueEntryJSON struct {
	PersonID       string  `json:"person_id"`
	Name           string  `json:"name"`
	Commune        string  `json:"commune"`
	RightsDate     *string `json:"rights_date"`
	Deadline       *string `json:"deadline"`
	DaysLeft       int     `json:"days_left"`
	SuggestedTrack string  `json:"suggested_track"`
	Validated      bool    `json:"diagnostic_validated"`
}

func (h API) queue(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	list, total, err := h.Svc.Queue(r.Context(), api.Actor(r.Context()), limit, offset)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, total, func(e QueueEntry) QueueEntryJSON {
		return QueueEntryJSON{PersonID: e.PersonID, Name: e.Name, Commune: e.Commune, RightsDate: dayPtr(e.RightsDate), Deadline: dayPtr(e.Deadline),
			DaysLeft: e.DaysLeft, SuggestedTrack: string(e.Suggested), Validated: e.Validated}
	})
}

// SignatureJSON is a signature of a diagnostic version.
type SignatureJSON struct {
	UserID           string    `json:"user_id"`
	Name             string    `json:"name"`
	OrganisationName string    `json:"organisation_name"`
	Qualification    string    `json:"qualification"`
	SignedAt         time.Time `json:"signed_at"`
}

// DiagnosticJSON is one version of a diagnostic.
type DiagnosticJSON struct {
	ID               string          `json:"id"`
	PersonID         string          `json:"person_id"`
	Version          int             `json:"version"`
	OrganisationID   string          `json:"organisation_id"`
	OrganisationName string          `json:"organisation_name"`
	AuthorName       string          `json:"author_name"`
	Grid             Grid            `json:"grid"`
	SuggestedTrack   string          `json:"suggested_track"`
	Validated        bool            `json:"validated"`
	ValidatedAt      *time.Time      `json:"validated_at"`
	CreatedAt        time.Time       `json:"created_at"`
	Signatures       []SignatureJSON `json:"signatures"`
}

func diagnosticJSON(d Diagnostic) DiagnosticJSON {
	j := DiagnosticJSON{ID: d.ID, PersonID: d.PersonID, Version: d.Version, OrganisationID: d.OrgID, OrganisationName: d.OrgName, AuthorName: d.AuthorName,
		Grid: d.Grid, SuggestedTrack: string(d.SuggestedTrack), Validated: d.ValidatedAt != nil, ValidatedAt: d.ValidatedAt, CreatedAt: d.CreatedAt,
		Signatures: []SignatureJSON{}}
	if j.Grid.TargetJobs == nil {
		j.Grid.TargetJobs = []string{}
	}
	if j.Grid.Obstacles == nil {
		j.Grid.Obstacles = map[string]int{}
	}
	if j.Grid.ObstacleNote == nil {
		j.Grid.ObstacleNote = map[string]string{}
	}
	for _, s := range d.Signatures {
		j.Signatures = append(j.Signatures, SignatureJSON{UserID: s.UserID, Name: s.Name, OrganisationName: s.OrgName, Qualification: s.Qualification, SignedAt: s.SignedAt})
	}
	return j
}

func (h API) diagnostics(w http.ResponseWriter, r *http.Request) {
	list, err := h.Svc.Diagnostics(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, len(list), diagnosticJSON)
}

func (h API) saveDiagnostic(w http.ResponseWriter, r *http.Request) {
	var g Grid
	if err := api.Decode(w, r, &g); err != nil {
		api.Error(w, err)
		return
	}
	d, err := h.Svc.SaveDiagnostic(r.Context(), api.Actor(r.Context()), r.PathValue("id"), g)
	if err != nil {
		api.Error(w, err)
		return
	}
	d.Grid = g
	api.JSON(w, http.StatusCreated, diagnosticJSON(d))
}

func (h API) signDiagnostic(w http.ResponseWriter, r *http.Request) {
	d, err := h.Svc.SignDiagnostic(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, diagnosticJSON(d))
}

// OrientationJSON is an orientation decision, as people show it too.
type OrientationJSON = people.OrientationJSON

func orientationJSON(o Orientation) OrientationJSON {
	return *people.Orientation{ID: o.ID, Track: string(o.Track), OrgID: o.OrgID, OrgName: o.OrgName, SuggestedTrack: string(o.SuggestedTrack),
		Reason: o.Reason, RightsDate: o.RightsDate, DecidedOn: o.DecidedOn, DeciderName: o.DeciderName, RequestID: o.RequestID}.JSON()
}

func (h API) orientations(w http.ResponseWriter, r *http.Request) {
	list, err := h.Svc.Orientations(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, len(list), orientationJSON)
}

// OrientationRequestJSON is a decision or a reorientation request as the API takes it.
type OrientationRequestJSON struct {
	Track          string `json:"track"`
	OrganisationID string `json:"organisation_id"`
	Reason         string `json:"reason"`
}

func (h API) orient(w http.ResponseWriter, r *http.Request) {
	var in OrientationRequestJSON
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	o, err := h.Svc.Orient(r.Context(), api.Actor(r.Context()), r.PathValue("id"), OrientationInput{Track: Track(in.Track), OrgID: in.OrganisationID, Reason: in.Reason})
	if err != nil {
		api.Error(w, err)
		return
	}
	list, err := h.Svc.Orientations(r.Context(), api.Actor(r.Context()), o.PersonID)
	if err != nil || len(list) == 0 {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, orientationJSON(list[0]))
}

// ReorientationJSON is a reorientation request.
type ReorientationJSON struct {
	ID             string  `json:"id"`
	PersonID       string  `json:"person_id"`
	Track          string  `json:"track"`
	OrganisationID string  `json:"organisation_id"`
	Reason         string  `json:"reason"`
	Status         string  `json:"status"`
	RequesterName  string  `json:"requester_name"`
	DecisionReason string  `json:"decision_reason"`
	DecidedAt      *string `json:"decided_at"`
	CreatedAt      string  `json:"created_at"`
}

func reorientationJSON(r ReorientationRequest) ReorientationJSON {
	j := ReorientationJSON{ID: r.ID, PersonID: r.PersonID, Track: string(r.Track), OrganisationID: r.OrgID, Reason: r.Reason, Status: r.Status,
		RequesterName: r.RequesterName, DecisionReason: r.DecisionReason, CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339)}
	if r.DecidedAt != nil {
		s := r.DecidedAt.UTC().Format(time.RFC3339)
		j.DecidedAt = &s
	}
	return j
}

func (h API) requestReorientation(w http.ResponseWriter, r *http.Request) {
	var in OrientationRequestJSON
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	req, err := h.Svc.RequestReorientation(r.Context(), api.Actor(r.Context()), r.PathValue("id"), OrientationInput{Track: Track(in.Track), OrgID: in.OrganisationID, Reason: in.Reason})
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, reorientationJSON(req))
}

// DecisionJSON is a chargé d'orientation's decision on a request.
type DecisionJSON struct {
	Accept         bool   `json:"accept"`
	OrganisationID string `json:"organisation_id"`
	Reason         string `json:"reason"`
}

func (h API) decideReorientation(w http.ResponseWriter, r *http.Request) {
	var in DecisionJSON
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	req, err := h.Svc.DecideReorientation(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in.Accept, in.OrganisationID, in.Reason)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, reorientationJSON(req))
}

// ObjectiveJSON is an objective tied to a contract.
type ObjectiveJSON struct {
	ID     string `json:"id"`
	Theme  string `json:"theme"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

// ContractJSON is a contract.
type ContractJSON struct {
	ID               string          `json:"id"`
	PersonID         string          `json:"person_id"`
	Kind             string          `json:"kind"`
	OrganisationID   string          `json:"organisation_id"`
	OrganisationName string          `json:"organisation_name"`
	Start            string          `json:"start"`
	End              string          `json:"end"`
	WeeklyHours      float64         `json:"weekly_hours"`
	Adjustment       string          `json:"adjustment"`
	AdjustReason     string          `json:"adjust_reason"`
	ActionPlan       string          `json:"action_plan"`
	Signed           bool            `json:"signed"`
	SignedOn         *string         `json:"signed_on"`
	SignedByName     string          `json:"signed_by_name"`
	RenewsID         string          `json:"renews_id"`
	Objectives       []ObjectiveJSON `json:"objectives"`
	PDF              string          `json:"pdf_url"`
}

func contractJSON(c Contract) ContractJSON {
	j := ContractJSON{ID: c.ID, PersonID: c.PersonID, Kind: string(c.Kind), OrganisationID: c.OrgID, OrganisationName: c.OrgName,
		Start: c.Start.Format(time.DateOnly), End: c.End.Format(time.DateOnly), WeeklyHours: c.WeeklyHours(), Adjustment: c.Adjustment,
		AdjustReason: c.AdjustReason, ActionPlan: c.ActionPlan, Signed: c.Signed(), SignedOn: dayPtr(c.SignedOn), SignedByName: c.SignerName,
		RenewsID: c.RenewsID, Objectives: []ObjectiveJSON{}, PDF: "/personnes/" + c.PersonID + "/contrats/" + c.ID + "/pdf"}
	for _, o := range c.Objectives {
		j.Objectives = append(j.Objectives, ObjectiveJSON{ID: o.ID, Theme: o.Theme, Title: o.Title, Status: o.Status})
	}
	return j
}

func (h API) contracts(w http.ResponseWriter, r *http.Request) {
	list, err := h.Svc.Contracts(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, len(list), contractJSON)
}

// ContractRequestJSON is a contract as the API takes it; weekly_hours
// defaults to 15 for a contrat d'engagement.
type ContractRequestJSON struct {
	Kind         string   `json:"kind"`
	Start        string   `json:"start"`
	End          string   `json:"end"`
	WeeklyHours  *float64 `json:"weekly_hours"`
	Adjustment   string   `json:"adjustment"`
	AdjustReason string   `json:"adjust_reason"`
	ActionPlan   string   `json:"action_plan"`
	ObjectiveIDs []string `json:"objective_ids"`
}

func (h API) createContract(w http.ResponseWriter, r *http.Request) {
	var in ContractRequestJSON
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	ci := ContractInput{Kind: ContractKind(in.Kind), Start: in.Start, End: in.End, Adjustment: in.Adjustment, AdjustReason: in.AdjustReason,
		ActionPlan: in.ActionPlan, ObjectiveIDs: in.ObjectiveIDs}
	if in.WeeklyHours != nil {
		ci.WeeklyHours, ci.WeeklyHoursOK = *in.WeeklyHours, true
	}
	c, err := h.Svc.CreateContract(r.Context(), api.Actor(r.Context()), r.PathValue("id"), ci)
	if err != nil {
		api.Error(w, err)
		return
	}
	h.writeContract(w, r, c.ID, http.StatusCreated)
}

func (h API) writeContract(w http.ResponseWriter, r *http.Request, id string, status int) {
	c, err := h.Svc.Contract(r.Context(), api.Actor(r.Context()), id)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, status, contractJSON(c))
}

// SignatureRequestJSON records a contract's signature.
type SignatureRequestJSON struct {
	SignedOn     string `json:"signed_on"`
	PersonSigned bool   `json:"person_signed"`
}

func (h API) signContract(w http.ResponseWriter, r *http.Request) {
	var in SignatureRequestJSON
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	c, err := h.Svc.SignContract(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in.SignedOn, in.PersonSigned)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, contractJSON(c))
}

func (h API) renewContract(w http.ResponseWriter, r *http.Request) {
	var in struct {
		End string `json:"end"`
	}
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	c, err := h.Svc.RenewContract(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in.End)
	if err != nil {
		api.Error(w, err)
		return
	}
	h.writeContract(w, r, c.ID, http.StatusCreated)
}

// MemberJSON is a membership of a follow-up group.
type MemberJSON struct {
	ID               string  `json:"id"`
	UserID           string  `json:"user_id"`
	Name             string  `json:"name"`
	OrganisationID   string  `json:"organisation_id"`
	OrganisationName string  `json:"organisation_name"`
	Role             string  `json:"role"`
	Start            string  `json:"start"`
	End              *string `json:"end"`
}

func memberJSON(m people.GroupMember) MemberJSON {
	return MemberJSON{ID: m.ID, UserID: m.UserID, Name: m.Name, OrganisationID: m.OrgID, OrganisationName: m.OrgName, Role: m.Role,
		Start: m.Start.Format(time.DateOnly), End: dayPtr(m.End)}
}

func (h API) group(w http.ResponseWriter, r *http.Request) {
	_, group, err := h.Svc.Group(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, group, len(group), memberJSON)
}

// MemberRequestJSON adds a professional to a group.
type MemberRequestJSON struct {
	UserID         string `json:"user_id"`
	OrganisationID string `json:"organisation_id"`
	Role           string `json:"role"`
	Start          string `json:"start"`
}

func (h API) addMember(w http.ResponseWriter, r *http.Request) {
	var in MemberRequestJSON
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	m, err := h.Svc.AddMember(r.Context(), api.Actor(r.Context()), r.PathValue("id"), MemberInput{UserID: in.UserID, OrgID: in.OrganisationID, Role: in.Role, Start: in.Start})
	if err != nil {
		api.Error(w, err)
		return
	}
	_, group, err := h.Svc.Group(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	for _, g := range group {
		if g.ID == m.ID {
			api.JSON(w, http.StatusCreated, memberJSON(g))
			return
		}
	}
	api.JSON(w, http.StatusCreated, memberJSON(m))
}

func (h API) endMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		End string `json:"end"`
	}
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	if err := h.Svc.EndMember(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in.End); err != nil {
		api.Error(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
