package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"tremplin/internal/app"
	"tremplin/internal/platform/access"
)

// cmdPeople runs the operator's tools on the registry of people.
func cmdPeople(e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "merge":
			return peopleMerge(e, args[1:])
		case "duplicates":
			return peopleDuplicates(e, args[1:])
		}
	}
	return usageError("people: say merge --keep ID --duplicate ID --reason TEXT, or duplicates")
}

// peopleMerge merges a duplicate file into the kept one, as the system.
func peopleMerge(e *env, args []string) error {
	fs := flags("people merge", e.stderr)
	keep := fs.String("keep", "", "identifier of the file to keep (required)")
	dup := fs.String("duplicate", "", "identifier of the file absorbed into it (required)")
	reason := fs.String("reason", "", "why both files are the same person (required, 5 characters at least)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *keep == "" || *dup == "" || strings.TrimSpace(*reason) == "" || fs.NArg() != 0 {
		return usageError("people merge: --keep ID, --duplicate ID and --reason TEXT are required")
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.People.Merge(e.ctx, access.System("cli"), *keep, *dup, *reason); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "File %s merged into %s: its history now belongs to the kept file.\n", *dup, *keep)
	return nil
}

// peopleDuplicates prints the candidate pairs of duplicate files, the file
// suggested to keep first, so that an operator finds the identifiers to merge.
func peopleDuplicates(e *env, args []string) error {
	fs := flags("people duplicates", e.stderr)
	limit := fs.Int("limit", 100, "number of pairs to print (at most 500)")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	pairs, total, err := a.People.Duplicates(e.ctx, access.System("cli"), *limit, 0)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEEP\tDUPLICATE\tREASONS")
	for _, p := range pairs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Keep.ID, p.Duplicate.ID, strings.Join(p.Codes, ","))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d pair(s) of possible duplicates.\n", total)
	return nil
}
