package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"tremplin/internal/app"
	"tremplin/internal/jobs"
	"tremplin/internal/pathway"
	"tremplin/internal/platform/access"
)

// reportJSON is the steering report as `tremplin report --json` prints it.
type reportJSON struct {
	Territory string        `json:"territory"`
	From      string        `json:"from"`
	To        string        `json:"to"`
	Pathway   pathwayReport `json:"pathway"`
	Jobs      jobsReport    `json:"jobs"`
}

// jobsReport holds the figures of offers, CVs and candidacies.
type jobsReport struct {
	OffersPublished     int            `json:"offers_published"`
	Positions           int            `json:"positions"`
	OpenOffers          int            `json:"open_offers"`
	CVsOnline           int            `json:"cvs_online"`
	Positionings        int            `json:"positionings"`
	PositioningsByState map[string]int `json:"positionings_by_state"`
	Hires               int            `json:"hires"`
	MedianDaysToHire    float64        `json:"median_days_positioning_to_hire"`
}

// pathwayReport holds the figures of the shared pathway.
type pathwayReport struct {
	OrientedWithin6Weeks  ratioJSON      `json:"oriented_within_6_weeks"`
	ContractWithin1Month  ratioJSON      `json:"contract_within_1_month"`
	MedianStepGapDays     float64        `json:"median_step_gap_days"`
	StepGaps              int            `json:"step_gaps"`
	NoShowRate            ratioJSON      `json:"no_show_rate"`
	RetentionAt6Months    ratioJSON      `json:"back_to_work_retention_6_months"`
	MeanCaseload          float64        `json:"mean_caseload"`
	Caseloads             []caseloadJSON `json:"caseloads"`
	EvaluationResponse    ratioJSON      `json:"evaluation_response_rate"`
	EvaluationMeanOverall float64        `json:"evaluation_mean_overall"`
	Evaluations           int            `json:"evaluations"`
}

type ratioJSON struct {
	Num     int     `json:"count"`
	Den     int     `json:"out_of"`
	Percent float64 `json:"percent"`
}

type caseloadJSON struct {
	Referent     string `json:"referent"`
	Organisation string `json:"organisation"`
	People       int    `json:"people"`
}

func ratio(r pathway.Ratio) ratioJSON {
	return ratioJSON{Num: r.Num, Den: r.Den, Percent: float64(int(r.Percent()*10+0.5)) / 10}
}

// cmdReport prints the steering figures of a territory over a period.
func cmdReport(e *env, args []string) error {
	if len(args) > 0 && args[0] == "clauses" {
		return cmdReportClauses(e, args[1:])
	}
	fs := flags("report", e.stderr)
	territory := fs.String("territory", "", "département code, e.g. 62")
	from := fs.String("from", "", "first day, YYYY-MM-DD (default: a year before --to)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: today)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *territory == "" || fs.NArg() > 0 {
		return usageError("report: say --territory CODE")
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	start, end, err := pathway.Period(url.Values{"from": {*from}, "to": {*to}}, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		return err
	}
	f, err := a.Pathway.ComputeFigures(e.ctx, access.System("cli"), *territory, start, end)
	if err != nil {
		return err
	}
	jf, err := a.Jobs.ComputeFigures(e.ctx, access.System("cli"), *territory, start, end)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		out := toReportJSON(f)
		out.Jobs = toJobsReport(jf)
		return enc.Encode(out)
	}
	fmt.Fprintf(e.stdout, "Territory %s, %s to %s\n\nShared pathway\n", f.Territory, f.From.Format(time.DateOnly), f.To.Format(time.DateOnly))
	for _, ind := range f.Indicators() {
		fmt.Fprintf(e.stdout, "  %-42s %12s   %s\n", ind.Label, ind.Value, ind.Detail)
	}
	fmt.Fprintf(e.stdout, "\nJobs\n")
	for _, line := range []struct {
		label string
		value any
	}{
		{"Offers published", jf.OffersPublished}, {"Positions offered", jf.Positions}, {"Offers open at the end", jf.OpenOffers},
		{"CVs online", jf.CVsOnline}, {"Positionings", jf.Positionings}, {"Hires", jf.Hires},
		{"Median days from positioning to hire", jf.MedianDaysToHire},
	} {
		fmt.Fprintf(e.stdout, "  %-42s %12v\n", line.label, line.value)
	}
	for _, st := range jobs.States {
		fmt.Fprintf(e.stdout, "    %-40s %12d\n", st.Label, jf.PositioningsByState[st.Value])
	}
	return nil
}

func toJobsReport(f jobs.Figures) jobsReport {
	return jobsReport{OffersPublished: f.OffersPublished, Positions: f.Positions, OpenOffers: f.OpenOffers, CVsOnline: f.CVsOnline,
		Positionings: f.Positionings, PositioningsByState: f.PositioningsByState, Hires: f.Hires, MedianDaysToHire: f.MedianDaysToHire}
}

func toReportJSON(f pathway.Figures) reportJSON {
	out := reportJSON{Territory: f.Territory, From: f.From.Format(time.DateOnly), To: f.To.Format(time.DateOnly), Pathway: pathwayReport{
		OrientedWithin6Weeks: ratio(f.OrientedInTime), ContractWithin1Month: ratio(f.ContractInTime), MedianStepGapDays: f.MedianStepGapDays,
		StepGaps: f.StepGaps, NoShowRate: ratio(f.NoShows), RetentionAt6Months: ratio(f.Retention6Months), MeanCaseload: f.MeanCaseload,
		Caseloads: []caseloadJSON{}, EvaluationResponse: ratio(f.EvaluationResponse), EvaluationMeanOverall: f.EvaluationMean, Evaluations: f.Evaluations,
	}}
	for _, c := range f.Caseloads {
		out.Pathway.Caseloads = append(out.Pathway.Caseloads, caseloadJSON{Referent: c.Name, Organisation: c.OrgName, People: c.People})
	}
	return out
}
