package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"tremplin/internal/app"
	"tremplin/internal/clauses"
	"tremplin/internal/platform/access"
)

// departmentCode matches a département code: 01–95, 2A, 2B, 971–976.
var departmentCode = regexp.MustCompile(`^(0[1-9]|1[0-9]|[3-8][0-9]|2[1-9AB]|9[0-5]|97[1-6])$`)

// importClauses imports a CSV or XLSX file of markets or of monthly hours of
// the insertion clauses, as the operator working for one territory: all or
// nothing unless --accept-valid.
func importClauses(e *env, kind string, args []string) error {
	name := "import " + kind
	fs := flags(name, e.stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dryRun := fs.Bool("dry-run", false, "check and count without writing anything")
	acceptValid := fs.Bool("accept-valid", false, "import the valid rows even when others are rejected")
	rejectedOut := fs.String("rejected", "", "CSV file receiving the rejected rows with --accept-valid (default: FILE's name with .rejets.csv)")
	territory := fs.String("territory", "", "code of the département the file belongs to (default: the only one among the organisations)")
	facilitator := fs.String("facilitator", "", "identifier of the organisation that follows the operations the file creates")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError(name + ": name one FILE")
	}
	if *rejectedOut != "" && !*acceptValid {
		return usageError(name + ": --rejected goes with --accept-valid")
	}
	if *acceptValid && *rejectedOut == "" {
		*rejectedOut = strings.TrimSuffix(files[0], filepath.Ext(files[0])) + ".rejets.csv"
	}
	f, t, err := openTable(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor, err := clausesActor(e.ctx, a, name, *territory, *facilitator)
	if err != nil {
		return err
	}
	spool, err := openRejected(*acceptValid, *rejectedOut)
	if err != nil {
		return err
	}
	defer spool.discard()
	opts := clauses.ImportOptions{DryRun: *dryRun, AcceptValid: *acceptValid, Rejected: spool.writer()}
	run := a.Clauses.ImportHours
	if kind == "markets" {
		run = a.Clauses.ImportMarkets
	}
	rep, importErr := run(e.ctx, actor, t, opts)
	if importErr != nil && len(rep.Errors) == 0 {
		return fmt.Errorf("%s: %w", files[0], importErr)
	}
	kept, err := spool.keep(importErr == nil && rep.Rejected > 0 && !*dryRun)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		printClausesReport(e, files[0], rep, importErr)
		if kept {
			fmt.Fprintf(e.stdout, "Rejected rows written to %s.\n", *rejectedOut)
		}
	}
	if importErr != nil {
		return fmt.Errorf("%s: %w", files[0], importErr)
	}
	return nil
}

// clausesActor is the operator acting for a territory, and for the
// facilitating organisation when one is named.
func clausesActor(ctx context.Context, a *app.App, name, territory, facilitatorID string) (access.Actor, error) {
	actor := access.System("cli")
	if facilitatorID != "" {
		org, err := a.Orgs.Get(ctx, actor, facilitatorID)
		if err != nil {
			return actor, fmt.Errorf("--facilitator: %w", err)
		}
		if territory != "" && !strings.EqualFold(territory, org.Territory) {
			return actor, fmt.Errorf("--facilitator: %s is an organisation of territory %s, not %s", org.Name, org.Territory, territory)
		}
		actor.OrgID, actor.OrgKind, territory = org.ID, string(org.Kind), org.Territory
	}
	territory = strings.ToUpper(strings.TrimSpace(territory))
	if territory == "" {
		found, err := organisationTerritories(ctx, a)
		if err != nil {
			return actor, err
		}
		if len(found) != 1 {
			return actor, usageError(fmt.Sprintf("%s: say the territory with --territory CODE (the organisations are in %d territories: %s)",
				name, len(found), strings.Join(found, ", ")))
		}
		territory = found[0]
	}
	if !departmentCode.MatchString(territory) {
		return actor, usageError(fmt.Sprintf("%s: --territory %q is not a département code (62, 2A, 974…)", name, territory))
	}
	actor.Territory = territory
	return actor, nil
}

// organisationTerritories lists the territories of the active organisations.
func organisationTerritories(ctx context.Context, a *app.App) ([]string, error) {
	rows, err := a.DB.QueryContext(ctx, `SELECT DISTINCT territory FROM organisations WHERE disabled_at IS NULL ORDER BY territory`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func printClausesReport(e *env, file string, rep clauses.ImportReport, importErr error) {
	mode := "imported"
	switch {
	case importErr != nil:
		mode = "refused: nothing written"
	case rep.DryRun:
		mode = "checked (dry run, nothing written)"
	case rep.Rejected > 0:
		mode = "imported, except the rejected rows"
	}
	what := "Hours"
	if rep.Kind == "markets" {
		what = "Markets"
	}
	fmt.Fprintf(e.stdout, "%s %s: %d rows, %d rejected.\n", what, file, rep.Rows, rep.Rejected)
	count := func(label string, c clauses.ImportCount) {
		fmt.Fprintf(e.stdout, "  %-13s %d created, %d updated, %d unchanged\n", label+":", c.Created, c.Updated, c.Unchanged)
	}
	if rep.Kind == "markets" {
		count("operations", rep.Operations)
		count("buyers", rep.Buyers)
		count("companies", rep.Companies)
		count("markets", rep.Markets)
		count("awards", rep.Awards)
	} else {
		count("participants", rep.Participants)
		fmt.Fprintf(e.stdout, "  %-13s %d created, %d replaced, %d unchanged\n", "lines:", rep.Lines.Created, rep.Lines.Replaced, rep.Lines.Unchanged)
	}
	fmt.Fprintf(e.stdout, "%s %s.\n", what, mode)
	for _, le := range rep.Errors {
		col := ""
		if le.Column != "" {
			col = " " + le.Column
		}
		fmt.Fprintf(e.stdout, "  line %d%s: %s\n", le.Line, col, le.Message)
	}
}
