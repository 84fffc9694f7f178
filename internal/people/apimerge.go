package people

import (
	"net/http"
	"time"

	"tremplin/internal/platform/api"
)

// DuplicateFileJSON is a file of a candidate pair as the API shows it.
type DuplicateFileJSON struct {
	ID             string  `json:"id"`
	FirstName      string  `json:"first_name"`
	LastName       string  `json:"last_name"`
	BirthDate      *string `json:"birth_date"`
	CommuneName    string  `json:"commune_name"`
	CAFMatricule   string  `json:"caf_matricule"`
	HoldingOrgID   string  `json:"holding_organisation_id"`
	HoldingOrgName string  `json:"holding_organisation_name"`
	HasNIR         bool    `json:"has_nir"`
	RSAHousehold   bool    `json:"rsa_household"`
	Steps          int     `json:"steps"`
	Contracts      int     `json:"contracts"`
	CreatedAt      string  `json:"created_at"`
}

// DuplicatePairJSON is a candidate pair: keep is the file suggested to keep.
type DuplicatePairJSON struct {
	Codes     []string          `json:"reason_codes"`
	Reasons   []string          `json:"reasons"`
	Keep      DuplicateFileJSON `json:"keep"`
	Duplicate DuplicateFileJSON `json:"duplicate"`
}

func duplicateFileJSON(f DuplicateFile) DuplicateFileJSON {
	return DuplicateFileJSON{ID: f.ID, FirstName: f.FirstName, LastName: f.LastName, BirthDate: dayString(f.BirthDate),
		CommuneName: f.CommuneName, CAFMatricule: f.CAFMatricule, HoldingOrgID: f.HoldingOrgID, HoldingOrgName: f.HoldingOrg,
		HasNIR: f.HasNIR, RSAHousehold: f.RSA, Steps: f.Steps, Contracts: f.Contracts, CreatedAt: f.CreatedAt.UTC().Format(time.RFC3339)}
}

func duplicatePairJSON(p DuplicatePair) DuplicatePairJSON {
	return DuplicatePairJSON{Codes: p.Codes, Reasons: p.Reasons, Keep: duplicateFileJSON(p.Keep), Duplicate: duplicateFileJSON(p.Duplicate)}
}

// registerMerge adds the endpoints that find duplicate files and merge them.
func (h API) registerMerge(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/people/duplicates", h.duplicates)
	mux.HandleFunc("POST /api/v1/people/{id}/merge", h.merge)
}

func (h API) duplicates(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := api.Page(r)
	if err != nil {
		api.Error(w, err)
		return
	}
	pairs, total, err := h.Svc.Duplicates(r.Context(), api.Actor(r.Context()), limit, offset)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.WriteList(w, pairs, total, duplicatePairJSON)
}

// mergeInput is the body of a merge: the file absorbed into the one of the path.
type mergeInput struct {
	DuplicateID string `json:"duplicate_id"`
	Reason      string `json:"reason"`
}

func (h API) merge(w http.ResponseWriter, r *http.Request) {
	var in mergeInput
	if err := api.Decode(w, r, &in); err != nil {
		api.Error(w, err)
		return
	}
	p, err := h.Svc.Merge(r.Context(), api.Actor(r.Context()), r.PathValue("id"), in.DuplicateID, in.Reason)
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, ToJSON(p))
}
