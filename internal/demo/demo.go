// Package demo fills an empty database with a realistic, entirely fictitious
// département: the partners of the insertion service, staff accounts for
// every role with one shared password, and people with their follow-up
// groups. The same seed always draws the same names, births, communes and
// assignments, so a demo can be rebuilt identically.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// Password is the password shared by every demo account.
const Password = "Tremplin-demo-2026"

// The sizes of a demo.
const (
	SizeSmall = "small"
	SizeDept  = "dept"
)

// sizes gives the number of people of each size.
var sizes = map[string]int{SizeSmall: 1_000, SizeDept: 50_000}

// Options choose what to generate.
type Options struct {
	// Size is SizeSmall (about 1,000 people, the default) or SizeDept (about 50,000).
	Size string
	// Seed makes the draw reproducible: equal seeds give equal demos.
	Seed int64
	// Department is the code of the département, "62" (Pas-de-Calais) by default.
	Department string
	// Progress receives progress lines starting with "\r" when not nil.
	Progress io.Writer
}

// Account is a demo staff account to sign in with.
type Account struct {
	Email    string
	Password string
	Role     string
	Org      string
}

// Result tells what was generated.
type Result struct {
	Accounts      []Account
	Organisations int
	People        int
	Took          time.Duration
}

// clock gives the current time; tests pin it so that dates are reproducible.
var clock = db.Now

// pcgStream is the second PCG word: any constant will do, it only has to stay the same.
const pcgStream = 0x7472656d706c696e // "tremplin"

// Generate fills an empty database with a demo département; it refuses with
// a Conflict error when the database already has accounts.
func Generate(ctx context.Context, d *db.DB, box *secret.Box, opt Options) (Result, error) {
	began := time.Now()
	size := strings.ToLower(strings.TrimSpace(opt.Size))
	if size == "" {
		size = SizeSmall
	}
	count, ok := sizes[size]
	if !ok {
		return Result{}, errs.Newf(errs.Invalid, "Taille de démonstration inconnue %q : choisissez %s ou %s.", opt.Size, SizeSmall, SizeDept)
	}
	code := strings.ToUpper(strings.TrimSpace(opt.Department))
	if code == "" {
		code = "62"
	}
	if _, ok := departments[code]; !ok {
		return Result{}, errs.Newf(errs.Invalid, "Département inconnu %q.", opt.Department)
	}
	if box == nil {
		return Result{}, errors.New("demo: a box is needed to seal the NIR")
	}
	users := auth.NewService(d, auth.DefaultSettings())
	has, err := users.HasUsers(ctx)
	if err != nil {
		return Result{}, err
	}
	if has {
		return Result{}, errs.New(errs.Conflict, "La base contient déjà des comptes : la démonstration ne se génère que sur une base vide.")
	}
	communes, err := departmentCommunes(ctx, d, code)
	if err != nil {
		return Result{}, err
	}

	// Draw everything first, from one generator, so that the draw never
	// depends on the database or on timing.
	r := rand.New(rand.NewPCG(uint64(opt.Seed), pcgStream))
	now := clock()
	pl := &planner{r: r, t: newTerritory(code, communes), big: size == SizeDept, now: now,
		names: map[string]bool{}, sirets: map[string]bool{}, emails: map[string]bool{}, byKind: map[orgs.Kind][]int{}}
	pl.planOrganisations()
	pl.planAccounts()
	persons, err := newPeopleGen(r, pl.t, now.UTC().Truncate(24*time.Hour), pl.orgs, pl.account).generate(count)
	if err != nil {
		return Result{}, err
	}

	pathways := newPathwayGen(opt.Seed, now.UTC().Truncate(24*time.Hour), code, pl.orgs, pl.account).generate(persons)
	newJobsGen(opt.Seed, pl).generate(persons, &pathways)
	newClausesGen(opt.Seed, pl).generate(persons, &pathways)

	// The trace of the generation is written with the people: all or nothing.
	detail := fmt.Sprintf("taille %s, graine %d, département %s : %d structures, %d comptes, %d personnes",
		size, opt.Seed, code, len(pl.orgs), len(pl.account), len(persons))
	w := &writer{d: d, box: box, progress: newProgress(opt.Progress), detail: detail}
	if err := w.write(ctx, pl.orgs, pl.account, persons, pathways); err != nil {
		if cerr := w.undo(context.WithoutCancel(ctx)); cerr != nil {
			err = errors.Join(err, fmt.Errorf("remove the partial demo: %w", cerr))
		}
		return Result{}, err
	}
	res := Result{Organisations: len(pl.orgs), People: len(persons)}
	for _, a := range pl.account {
		acc := Account{Email: a.email, Password: Password, Role: string(a.role)}
		if a.org >= 0 {
			acc.Org = pl.orgs[a.org].org.Name
		}
		res.Accounts = append(res.Accounts, acc)
	}
	res.Took = time.Since(began)
	return res, nil
}

// departmentCommunes returns the communes of the département, loading the
// embedded reference data first if the table is empty.
func departmentCommunes(ctx context.Context, d *db.DB, code string) ([]refdata.Commune, error) {
	list, err := refdata.CommunesByDepartment(ctx, d, code)
	if err != nil || len(list) > 0 {
		return list, err
	}
	if err := refdata.Seed(ctx, d); err != nil {
		return nil, fmt.Errorf("load reference data: %w", err)
	}
	list, err = refdata.CommunesByDepartment(ctx, d, code)
	if err == nil && len(list) == 0 {
		err = errs.Newf(errs.Invalid, "Aucune commune connue pour le département %s.", code)
	}
	return list, err
}

// progress writes progress lines at most ten times a second.
type progress struct {
	w    io.Writer
	last time.Time
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

// report writes "\rwhat : done/total", throttled unless done is total, which
// also ends the line.
func (p *progress) report(what string, done, total int) {
	if p.w == nil {
		return
	}
	end := done >= total
	if !end && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r%s : %d/%d", what, done, total)
	if end {
		fmt.Fprintln(p.w)
	}
}

// writer stores a drawn demo and remembers what it created, to undo it on failure.
type writer struct {
	d        *db.DB
	box      *secret.Box
	progress *progress
	detail   string
	mu       sync.Mutex
	orgIDs   []string
	userIDs  []string
}

func (w *writer) write(ctx context.Context, orgList []orgPlan, accounts []accountPlan, persons []personPlan, pathways pathwayRows) error {
	err := w.d.InTx(ctx, func(tx *db.Tx) error {
		for _, o := range orgList {
			org := o.org
			if err := org.Normalize(); err != nil {
				return fmt.Errorf("demo organisation %q: %w", org.Name, err)
			}
			if err := orgs.Insert(ctx, tx, org); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range orgList {
		w.orgIDs = append(w.orgIDs, o.org.ID)
	}
	userIDs, err := w.createAccounts(ctx, orgList, accounts)
	if err != nil {
		return err
	}
	return w.insertPeople(ctx, orgList, accounts, userIDs, persons, pathways)
}

// createAccounts creates the accounts through the account service, a few at
// a time: hashing a password takes tens of milliseconds.
func (w *writer) createAccounts(ctx context.Context, orgList []orgPlan, accounts []accountPlan) ([]string, error) {
	ids := make([]string, len(accounts))
	failures := make([]error, len(accounts))
	svc := auth.NewService(w.d, auth.DefaultSettings())
	sys := access.System("demo")
	jobs := make(chan int)
	var wg sync.WaitGroup
	done := 0
	for range min(4, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				a := accounts[i]
				nu := auth.NewUser{Email: a.email, FirstName: a.first, LastName: a.last, Password: Password, PlatformAdmin: a.platformAdmin}
				if a.org >= 0 {
					nu.Memberships = []auth.NewMembership{{OrgID: orgList[a.org].org.ID, Role: a.role, Qualification: a.qual}}
				}
				u, err := svc.CreateUser(ctx, sys, nu)
				w.mu.Lock()
				if err == nil {
					ids[i] = u.ID
					w.userIDs = append(w.userIDs, u.ID)
				}
				failures[i] = err
				done++
				w.progress.report("comptes", done, len(accounts))
				w.mu.Unlock()
			}
		}()
	}
	for i := range accounts {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, err := range failures {
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", accounts[i].email, err)
		}
	}
	return ids, nil
}

// undo removes the organisations and accounts created before a failure, so
// that the demo can be generated again; the audit trail keeps its entries.
func (w *writer) undo(ctx context.Context) error {
	if len(w.orgIDs) == 0 && len(w.userIDs) == 0 {
		return nil
	}
	return w.d.InTx(ctx, func(tx *db.Tx) error {
		for _, step := range []struct {
			query string
			ids   []string
		}{
			{`DELETE FROM memberships WHERE user_id IN (%s)`, w.userIDs},
			{`DELETE FROM users WHERE id IN (%s)`, w.userIDs},
			{`DELETE FROM organisations WHERE id IN (%s)`, w.orgIDs},
		} {
			for ids := range slices.Chunk(step.ids, 500) {
				args := make([]any, len(ids))
				for i, id := range ids {
					args[i] = id
				}
				if _, err := tx.ExecContext(ctx, fmt.Sprintf(step.query, db.In(1, len(ids))), args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
