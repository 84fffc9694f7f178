package people_test

import (
	"bytes"
	"context"
	"testing"

	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/people/caf"
	"tremplin/internal/people/caf/caftest"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// benchHouseholds is the size of a département's monthly flow.
const benchHouseholds = 50000

// BenchmarkCAFParseBaseline reads and validates the flow without writing: the
// floor an import is compared with.
func BenchmarkCAFParseBaseline(b *testing.B) {
	flow := caftest.Flow(benchHouseholds, "62")
	b.SetBytes(int64(len(flow)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := caf.Read(bytes.NewReader(flow), func(caf.Household) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCAFImport imports a 50,000-household flow into an empty SQLite
// registry, then the same flow again (nothing changes).
func BenchmarkCAFImport(b *testing.B) {
	flow := caftest.Flow(benchHouseholds, "62")
	for _, run := range []string{"first", "again"} {
		b.Run(run, func(b *testing.B) {
			b.SetBytes(int64(len(flow)))
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				svc := benchRegistry(b)
				if run == "again" {
					if _, err := svc.ImportCAF(context.Background(), access.System("bench"), bytes.NewReader(flow), false); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				rep, err := svc.ImportCAF(context.Background(), access.System("bench"), bytes.NewReader(flow), false)
				if err != nil || rep.Households != benchHouseholds {
					b.Fatal(rep.Households, err)
				}
			}
			b.ReportMetric(float64(benchHouseholds)*float64(b.N)/b.Elapsed().Seconds(), "households/s")
		})
	}
}

func benchRegistry(b *testing.B) *people.Service {
	d := dbtest.SQLite(b)
	ctx := context.Background()
	if err := refdata.Seed(ctx, d); err != nil {
		b.Fatal(err)
	}
	if _, err := orgs.NewService(d).Create(ctx, access.System("bench"), orgs.Organisation{Name: "Département", Kind: orgs.KindDepartement, Territory: "62"}); err != nil {
		b.Fatal(err)
	}
	box, _ := secret.NewBox(make([]byte, secret.KeySize))
	return people.NewService(d, box)
}
