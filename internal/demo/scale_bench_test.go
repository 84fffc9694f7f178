package demo

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"tremplin/internal/pathway"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/migrations"
	"tremplin/internal/platform/secret"
)

// deptDB is one département-size demo shared by the list benchmarks.
var deptDB struct {
	once sync.Once
	d    *db.DB
	box  *secret.Box
	dir  string
	err  error
}

func deptDemo(b *testing.B) (*db.DB, *secret.Box) {
	deptDB.once.Do(func() {
		// The database outlives each benchmark: TestMain removes its folder at the end.
		dir, err := os.MkdirTemp("", "tremplin-bench-")
		if err != nil {
			deptDB.err = err
			return
		}
		deptDB.dir = dir
		d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(dir, "dept.db"))
		if err != nil {
			deptDB.err = err
			return
		}
		if _, err := migrations.Apply(context.Background(), d); err != nil {
			deptDB.err = err
			return
		}
		deptDB.box = testBox(b)
		_, deptDB.err = Generate(context.Background(), d, deptDB.box, Options{Size: SizeDept, Seed: 62})
		deptDB.d = d
	})
	if deptDB.err != nil {
		b.Fatal(deptDB.err)
	}
	return deptDB.d, deptDB.box
}

func TestMain(m *testing.M) {
	code := m.Run()
	if deptDB.d != nil {
		deptDB.d.Close()
	}
	if deptDB.dir != "" {
		os.RemoveAll(deptDB.dir)
	}
	os.Exit(code)
}

// actorOf returns the demo account's actor in its first organisation.
func actorOf(b *testing.B, d *db.DB, email string) access.Actor {
	u, err := auth.NewService(d, auth.DefaultSettings()).UserByEmail(context.Background(), access.System("bench"), email)
	if err != nil {
		b.Fatal(err)
	}
	return u.ActorIn("", "127.0.0.1")
}

// BenchmarkPeopleListBaseline counts the 50,000 files: the floor a list page is compared with.
func BenchmarkPeopleListBaseline(b *testing.B) {
	d, _ := deptDemo(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT count(*) FROM persons`).Scan(&n); err != nil || n != 50000 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkPeopleList lists the first and a middle page as different roles on 50,000 files.
func BenchmarkPeopleList(b *testing.B) {
	d, box := deptDemo(b)
	svc := people.NewService(d, box)
	for _, who := range []string{"manager", "orientation", "referent.social", "referent.pro"} {
		a := actorOf(b, d, who+"@"+Domain)
		for _, page := range []struct {
			name   string
			filter people.Filter
		}{
			{"first", people.Filter{Limit: 50}},
			{"middle", people.Filter{Limit: 50, Offset: 2000}},
			{"search", people.Filter{Limit: 50, Query: "mar"}},
		} {
			b.Run(who+"/"+page.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, _, err := svc.List(context.Background(), a, page.filter); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkWorklist computes the point de situation over 50,000 files, per
// role: every alert kind, counted per structure and référent, first page.
// Each iteration gets a new service, so that nothing comes from its cache.
func BenchmarkWorklist(b *testing.B) {
	d, box := deptDemo(b)
	for _, who := range []string{"manager", "orientation", "referent.social", "referent.pro"} {
		a := actorOf(b, d, who+"@"+Domain)
		b.Run(who, func(b *testing.B) {
			var total int
			for i := 0; i < b.N; i++ {
				svc := pathway.NewService(d, people.NewService(d, box), pathway.DefaultSettings())
				wl, err := svc.Worklist(context.Background(), a, pathway.WorklistFilter{Limit: 100})
				if err != nil {
					b.Fatal(err)
				}
				total = wl.Total
			}
			b.ReportMetric(float64(total), "alerts")
		})
	}
}

// BenchmarkOrientationQueue lists the first page of people to orient over 50,000 files.
func BenchmarkOrientationQueue(b *testing.B) {
	d, box := deptDemo(b)
	svc := pathway.NewService(d, people.NewService(d, box), pathway.DefaultSettings())
	a := actorOf(b, d, "orientation@"+Domain)
	for i := 0; i < b.N; i++ {
		if _, _, err := svc.Queue(context.Background(), a, 50, 0); err != nil {
			b.Fatal(err)
		}
	}
}
