package people

import (
	"net/http"
	"time"

	"tremplin/internal/platform/api"
)

// PersonJSON is a person as the API shows it.
type PersonJSON struct {
	ID           string           `json:"id"`
	FirstName    string           `json:"first_name"`
	LastName     string           `json:"last_name"`
	BirthName    string           `json:"birth_name,omitempty"`
	BirthDate    *string          `json:"birth_date"`
	Sex          string           `json:"sex"`
	CommuneCode  string           `json:"commune_code"`
	CommuneName  string           `json:"commune_name"`
	PostalCode   string           `json:"postal_code"`
	Lat          *float64         `json:"lat"`
	Lon          *float64         `json:"lon"`
	CAFMatricule string           `json:"caf_matricule"`
	NIR          string           `json:"nir_masked,omitempty"`
	Territory    string           `json:"territory"`
	HoldingOrgID string           `json:"holding_organisation_id"`
	RSA          *RSAJSON         `json:"rsa"`
	Publics      []Public         `json:"publics"`
	Orientation  *OrientationJSON `json:"orientation"`
	Referent     *ReferentJSON    `json:"referent"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

// RSAJSON is a person's RSA rights, with the CAF codes as the flow gives them.
type RSAJSON struct {
	StateCode      string  `json:"state_code"`
	DroitsDevoirs  bool    `json:"droits_devoirs"`
	SuspensionCode string  `json:"suspension_code"`
	SuspensionDate *string `json:"suspension_date"`
	ClosureCode    string  `json:"closure_code"`
	ClosureDate    *string `json:"closure_date"`
	RequestDate    *string `json:"request_date"`
	Role           string  `json:"role"`
}

func dayString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// ReferentJSON is the référent of a person.
type ReferentJSON struct {
	UserID           string `json:"user_id"`
	Name             string `json:"name"`
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
}

// ToJSON converts a person for the API.
func ToJSON(p Person) PersonJSON {
	j := PersonJSON{
		ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, BirthName: p.BirthName, Sex: p.Sex,
		CommuneCode: p.CommuneCode, CommuneName: p.CommuneName, PostalCode: p.PostalCode, Lat: p.Lat, Lon: p.Lon,
		CAFMatricule: p.CAFMatricule, NIR: p.NIRMasked, Territory: p.Territory, HoldingOrgID: p.HoldingOrgID, UpdatedAt: p.UpdatedAt,
	}
	if p.BirthDate != nil {
		d := p.BirthDate.Format(time.DateOnly)
		j.BirthDate = &d
	}
	j.Publics = Publics(p, time.Now())
	if j.Publics == nil {
		j.Publics = []Public{}
	}
	if r := p.RSA; r != nil {
		j.RSA = &RSAJSON{StateCode: r.StateCode, DroitsDevoirs: r.DroitsDevoirs, SuspensionCode: r.SuspensionCode,
			SuspensionDate: dayString(r.SuspensionDate), ClosureCode: r.ClosureCode, ClosureDate: dayString(r.ClosureDate),
			RequestDate: dayString(r.RequestDate), Role: r.Role}
	}
	if p.Orientation != nil {
		j.Orientation = p.Orientation.JSON()
	}
	if r := p.Referent; r != nil {
		j.Referent = &ReferentJSON{UserID: r.UserID, Name: r.Name, OrganisationID: r.OrgID, OrganisationName: r.OrgName}
	}
	return j
}

// API serves the people endpoints.
type API struct{ Svc *Service }

// Register adds the routes to an API mux.
func (h API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/people", h.list)
	mux.HandleFunc("GET /api/v1/people/{id}", h.get)
	mux.HandleFunc("POST /api/v1/imports/caf", h.importCAF)
	mux.HandleFunc("POST /api/v1/imports/people", h.importPeople)
	h.registerMerge(mux)
}

// maxFlowBytes bounds an uploaded flow: a département's monthly flow is far smaller.
const maxFlowBytes = 1 << 30

// importCAF takes the flow as the request body; dry_run=true checks without writing.
func (h API) importCAF(w http.ResponseWriter, r *http.Request) {
	dryRun := r.URL.Query().Get("dry_run") == "true"
	rep, err := h.Svc.ImportCAF(r.Context(), api.Actor(r.Context()), http.MaxBytesReader(w, r.Body, maxFlowBytes), dryRun)
	if err != nil && len(rep.Errors) == 0 {
		api.Error(w, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		// The report names the lines that stopped the import: it is the answer.
		status = http.StatusUnprocessableEntity
	}
	api.JSON(w, status, rep)
}

func (h API) list(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	q := r.URL.Query()
	f := Filter{Query: q.Get("q"), Matricule: q.Get("matricule"), NIR: q.Get("nir"), Limit: limit, Offset: offset}
	list, total, err := h.Svc.List(r.Context(), api.Actor(r.Context()), f)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, list, total, ToJSON)
}

func (h API) get(w http.ResponseWriter, r *http.Request) {
	p, _, err := h.Svc.Get(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, ToJSON(p))
}
