package main

import (
	"fmt"
	"os"

	"tremplin/internal/app"
	"tremplin/internal/jobs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/tabular"
)

// importOffers imports a CSV or XLSX file of job offers, each naming its
// employer by SIRET: all or nothing unless --keep-valid.
func importOffers(e *env, args []string) error {
	fs := flags("import offers", e.stderr)
	keepValid := fs.Bool("keep-valid", false, "import the valid rows even when others are rejected")
	rejectedOut := fs.String("rejected", "", "CSV file receiving the rejected rows (with --keep-valid)")
	dryRun := fs.Bool("dry-run", false, "check and count without writing anything")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError("import offers: name one FILE")
	}
	if *keepValid != (*rejectedOut != "") {
		return usageError("import offers: --keep-valid goes with --rejected OUT.csv")
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
	spool, err := openRejected(*keepValid, *rejectedOut)
	if err != nil {
		return err
	}
	defer spool.discard()
	opts := jobs.OfferImportOptions{DryRun: *dryRun, KeepValid: *keepValid, Rejected: spool.writer()}
	rep, importErr := a.Jobs.ImportOffers(e.ctx, access.System("cli"), t, opts)
	if importErr != nil && len(rep.Errors) == 0 {
		return fmt.Errorf("%s: %w", files[0], importErr)
	}
	if _, err := spool.keep(importErr == nil && rep.Rejected > 0 && !*dryRun); err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		verb := "imported"
		if *dryRun {
			verb = "checked (dry run, nothing written)"
		}
		fmt.Fprintf(e.stdout, "%s: %d rows %s: %d offers created, %d updated, %d rejected\n", files[0], rep.Rows, verb, rep.Created, rep.Updated, rep.Rejected)
		for _, le := range rep.Errors {
			fmt.Fprintf(e.stdout, "  line %d: %s\n", le.Line, le.Message)
		}
	}
	if importErr != nil {
		return fmt.Errorf("%s: %w", files[0], importErr)
	}
	return nil
}

// openTable opens a CSV or XLSX file as a table; the caller closes the file.
func openTable(path string) (*os.File, *tabular.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	t, err := tabular.Open(f, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, t, nil
}
