package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"tremplin/internal/app"
	"tremplin/internal/clauses"
	"tremplin/internal/platform/access"
)

// cmdReportClauses prints the insertion-clause figures of a period.
func cmdReportClauses(e *env, args []string) error {
	fs := flags("report clauses", e.stderr)
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	operation := fs.String("operation", "", "only this operation (its id)")
	territory := fs.String("territory", "", "only this département (default: every territory)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usageError("report clauses: say --from YYYY-MM-DD --to YYYY-MM-DD")
	}
	start, err1 := time.Parse(time.DateOnly, *from)
	end, err2 := time.Parse(time.DateOnly, *to)
	if err1 != nil || err2 != nil {
		return usageError("report clauses: --from and --to are dates written YYYY-MM-DD")
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := access.System("cli")
	actor.Territory = strings.ToUpper(strings.TrimSpace(*territory))
	r, err := a.Clauses.Report(e.ctx, actor, clauses.ReportFilter{From: start, To: end, OperationID: *operation})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printClauseReport(e, r)
	return nil
}

func printClauseReport(e *env, r clauses.Report) {
	fmt.Fprintf(e.stdout, "Insertion clauses, %s to %s\n\n", r.From, r.To)
	for _, line := range []struct {
		label string
		value any
	}{
		{"Hours worked", r.Hours}, {fmt.Sprintf("Full-time equivalents (hours / %g)", r.ETPDivisor), clauses.FormatDecimal(r.ETP, 1)},
		{"Participants", r.Participants}, {"Contracts", r.Contracts}, {"Hires", r.Hires},
		{"Markets under way", r.Markets}, {"Hours required by those markets", r.RequiredHours},
		{"Companies concerned", r.CompaniesConcerned}, {"Companies started", r.CompaniesStarted},
	} {
		fmt.Fprintf(e.stdout, "  %-42s %14v\n", line.label, line.value)
	}
	fmt.Fprintf(e.stdout, "\n  %-42s %14s %14s\n", "By public", "participants", "hours")
	for _, p := range clauses.Publics {
		fmt.Fprintf(e.stdout, "  %-42s %14d %14v\n", p.Code, r.ParticipantsByPublic[p.Code], r.HoursByPublic[p.Code])
	}
}
