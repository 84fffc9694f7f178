package feedback

import (
	"net/http"
	"time"

	"tremplin/internal/platform/api"
)

// API serves the evaluation endpoints.
type API struct{ Svc *Service }

// Register adds the routes to an API mux.
func (h API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/people/{id}/feedback-links", h.issue)
	mux.HandleFunc("GET /api/v1/feedback/summary", h.summary)
}

// LinkJSON is a link just issued: its address is given this once.
type LinkJSON struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	Replaced  bool      `json:"replaced"`
}

func (h API) issue(w http.ResponseWriter, r *http.Request) {
	issued, err := h.Svc.Issue(r.Context(), api.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusCreated, LinkJSON{URL: issued.URL, ExpiresAt: issued.ExpiresAt, Replaced: issued.Replaced})
}

// CellJSON is the results of one organisation, or of the territory, over
// the period; the answer figures are null when suppressed is set.
type CellJSON struct {
	OrganisationID   string   `json:"organisation_id,omitempty"`
	OrganisationName string   `json:"organisation_name,omitempty"`
	LinksIssued      int      `json:"links_issued"`
	LinksAnswered    int      `json:"links_answered"`
	ResponseRate     *float64 `json:"response_rate"`
	Suppressed       *string  `json:"suppressed"`
	Answers          *int     `json:"answers"`
	UsefulPositive   *float64 `json:"useful_positive"`
	ListenedPositive *float64 `json:"listened_positive"`
	ClearPositive    *float64 `json:"clear_positive"`
	OverallMean      *float64 `json:"overall_mean"`
	Distribution     []int    `json:"overall_distribution"`
}

// SummaryJSON is the aggregated results of one period.
type SummaryJSON struct {
	Period        string     `json:"period"`
	Granularity   string     `json:"granularity"`
	From          string     `json:"from"`
	To            string     `json:"to"`
	MinAnswers    int        `json:"min_answers"`
	Territory     *CellJSON  `json:"territory"`
	Organisations []CellJSON `json:"organisations"`
}

// share turns a percentage into a fraction rounded to 4 decimals.
func share(pct float64) *float64 {
	f := float64(int(pct*100+0.5)) / 10000
	return &f
}

func cellJSON(c Cell) CellJSON {
	j := CellJSON{LinksIssued: c.Issued, LinksAnswered: c.LinksAnswered}
	if pct, ok := c.ResponseRate(); ok {
		j.ResponseRate = share(pct)
	}
	if c.Suppressed != Shown {
		s := string(c.Suppressed)
		j.Suppressed = &s
		return j
	}
	mean := float64(int(c.OverallMean*100+0.5)) / 100
	j.Answers, j.OverallMean, j.Distribution = &c.Answers, &mean, c.Distribution
	j.UsefulPositive, j.ListenedPositive, j.ClearPositive = share(c.UsefulPct), share(c.ListenedPct), share(c.ClearPct)
	return j
}

func (h API) summary(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := periodOf(monthOf(time.Now()), Month)
	if v := q.Get("period"); v != "" {
		parsed, err := ParsePeriod(v)
		if err != nil {
			api.Error(w, err)
			return
		}
		p = parsed
	}
	rep, err := h.Svc.Results(r.Context(), api.Actor(r.Context()), Request{Range: p, Granularity: p.Granularity, OrgID: q.Get("organisation_id")})
	if err != nil {
		api.Error(w, err)
		return
	}
	from, to := p.Months()
	out := SummaryJSON{Period: p.String(), Granularity: string(p.Granularity), From: from, To: to, MinAnswers: MinAnswers,
		Organisations: []CellJSON{}}
	if len(rep.Territory) > 0 {
		t := cellJSON(rep.Territory[0])
		out.Territory = &t
	}
	for _, o := range rep.Orgs {
		c := cellJSON(o.Cells[0])
		c.OrganisationID, c.OrganisationName = o.OrgID, o.OrgName
		out.Organisations = append(out.Organisations, c)
	}
	api.JSON(w, http.StatusOK, out)
}
