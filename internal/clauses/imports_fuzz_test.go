package clauses_test

import (
	"bytes"
	"context"
	"testing"

	"tremplin/internal/clauses"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/tabular"
)

// impFuzzService is a fresh database with the markets of the tests
// imported, and the operator of its territory.
func impFuzzService(f *testing.F) (*clauses.Service, access.Actor) {
	f.Helper()
	d := dbtest.SQLite(f)
	svc := clauses.NewService(d, nil, clauses.Settings{})
	a := access.System("fuzz")
	a.Territory = "62"
	if _, err := svc.ImportMarkets(context.Background(), a, impTable(f, "m.csv", impFile(impMarketsHeader, impMarketRows...)), clauses.ImportOptions{}); err != nil {
		f.Fatal(err)
	}
	return svc, a
}

// impFuzzCheck checks what an import of any file must answer: every error
// names a line, a bad line refuses the file unless the valid rows are
// accepted, and no input makes the import fail for another reason than the
// file itself.
func impFuzzCheck(t *testing.T, rep clauses.ImportReport, err error, acceptValid bool) {
	t.Helper()
	for _, e := range rep.Errors {
		if e.Line < 1 || e.Message == "" {
			t.Fatalf("an error without its line or message: %+v", e)
		}
	}
	switch {
	case errs.Is(err, errs.Internal):
		t.Fatalf("the file broke the import: %v", err)
	case err == nil && !acceptValid && len(rep.Errors) > 0:
		t.Fatalf("bad lines without refusal: %+v", rep.Errors)
	case len(rep.Errors) > 0 && rep.Rejected == 0:
		t.Fatalf("bad lines not counted as rejected: %+v", rep)
	case err == nil && rep.Rejected > rep.Rows:
		t.Fatalf("more rejected lines than lines: %+v", rep)
	}
}

// impFuzz runs an import on every input, as a dry run so that inputs do not
// depend on each other. Every run queries SQLite: fuzz with a short
// minimisation, e.g. go test -run XXX -fuzz FuzzImportHours -fuzzminimizetime 3s.
func impFuzz(f *testing.F, seeds [][]byte, run func(context.Context, *tabular.Table, bool) (clauses.ImportReport, error)) {
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, acceptValid bool) {
		tab, err := tabular.Open(bytes.NewReader(data), int64(len(data)), "")
		if err != nil {
			return
		}
		rep, err := run(context.Background(), tab, acceptValid)
		impFuzzCheck(t, rep, err, acceptValid)
	})
}

func FuzzImportMarkets(f *testing.F) {
	svc, a := impFuzzService(f)
	seeds := [][]byte{impFile(impMarketsHeader, impMarketRows...),
		impFile(impMarketsHeader, impMarketRows[0], "Tramway T9;T9-LOT1;Voirie;X;reserve;-1;31/02/2025;2020-01-01;123;abc"),
		[]byte("\ufeffOpération,Référence,Intitulé,Donneur_ordre,Type_clause,Heures_requises,Date_debut,Date_fin,Siret_attributaire,Heures_attributaire\r\n\"A\",\"B\",\"C\",\"D\",execution,\"1,5\",2025-01-01,2025-12-31,,\r\n")}
	impFuzz(f, seeds, func(ctx context.Context, tab *tabular.Table, acceptValid bool) (clauses.ImportReport, error) {
		return svc.ImportMarkets(ctx, a, tab, clauses.ImportOptions{DryRun: true, AcceptValid: acceptValid})
	})
}

func FuzzImportHours(f *testing.F) {
	svc, a := impFuzzService(f)
	seeds := [][]byte{impFile(impHoursHeader, impHoursRows...),
		impFile(impHoursHeader, impHoursRows[0], impHoursRows[0], "T9-LOT1;1;;;;;X;Gotham;CHOMEUR;2025-13;-1;CDX;Y")}
	for _, v := range impVariants(f) {
		seeds = append(seeds, v)
	}
	impFuzz(f, seeds, func(ctx context.Context, tab *tabular.Table, acceptValid bool) (clauses.ImportReport, error) {
		return svc.ImportHours(ctx, a, tab, clauses.ImportOptions{DryRun: true, AcceptValid: acceptValid})
	})
}
