package people

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
	"tremplin/internal/platform/tabular"
)

// MayImportList reports whether the actor may import lists of people: the
// administrators and chargés d'orientation of the structures that hold
// files (not employers or public buyers), the département's managers, and
// operators.
func MayImportList(a access.Actor) bool {
	if a.System {
		return true
	}
	if a.OrgKind == "employer" || a.OrgKind == "public_buyer" {
		return false
	}
	return a.HasAny(access.RoleOrgAdmin, access.RoleOrientation) || access.IsDeptManager(a)
}

// ImportList brings the registry up to date from a partner's list. Each row
// is matched to a known person as the CAF import does (NIR, else matricule,
// birth date and name, else birth date and name): a known person only gets
// the values their file lacks and the publics the list declares; anyone else
// gets a new file held by the actor's organisation. By default one invalid
// row refuses the whole file and the report names every error; with
// KeepValid the valid rows are written and the others come back in the report
// (or go to Options.Rejected). A list of more than maxListRows rows is
// refused. A report that wrote nothing never tells a file the actor may not
// read from a new person (see ListReport).
func (s *Service) ImportList(ctx context.Context, a access.Actor, t *tabular.Table, m Mapping, opts Options) (ListReport, error) {
	rep := ListReport{DryRun: opts.DryRun, Errors: []ListError{}, Conflicts: []ListError{}, header: t.Header()}
	if !MayImportList(a) {
		return rep, errs.New(errs.Forbidden, "Seuls les administrateurs et chargés d'orientation des structures, et les responsables du département, importent des listes de personnes.")
	}
	if a.OrgID == "" {
		return rep, errs.New(errs.Invalid, "Choisissez la structure qui portera les dossiers créés.")
	}
	if len(m) == 0 {
		m = GuessMapping(t.Header())
	}
	rep.Mapping = m
	cols, err := m.columns(t.Header())
	if err != nil {
		return rep, err
	}
	started := db.Now()
	var imp *listImport
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Serialize(ctx, db.PeopleImportLock); err != nil {
			return err
		}
		imp = &listImport{tx: tx, box: s.box, actor: a, now: started, cols: cols, rep: &rep, keep: opts.KeepValid,
			communes: map[string]refdata.Commune{}, postal: map[string][]refdata.Commune{}}
		if opts.KeepValid && opts.Rejected != nil {
			imp.rejectedOut = newRejectedWriter(opts.Rejected, t.Header())
		}
		if err := imp.loadHolder(ctx, a.OrgID); err != nil {
			return err
		}
		if err := imp.chooseDisclosure(ctx); err != nil {
			return err
		}
		if err := imp.run(ctx, t); err != nil {
			return err
		}
		rep.finishLists()
		if imp.rejectedOut != nil {
			if err := imp.rejectedOut.flush(); err != nil {
				return err
			}
		}
		if rep.Rejected > 0 && !opts.KeepValid {
			return errs.Newf(errs.Invalid, "%d ligne(s) sur %d ne peuvent pas être importées : rien n'a été enregistré.", rep.Rejected, rep.Rows)
		}
		if err := imp.finish(ctx); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if imp != nil && (err != nil || opts.DryRun) && (imp.hideUnseen || rep.hiddenUpdated+rep.hiddenUnchanged > 0) {
		// Nothing was written: the report tells nothing of the files the actor may not read.
		rep.hideUnseen()
	}
	return rep, err
}

// tooManyRows refuses a list longer than maxListRows: its report keeps the
// message alone, since its counts stop at the limit.
func (imp *listImport) tooManyRows() error {
	r := imp.rep
	*r = ListReport{DryRun: r.DryRun, Rows: r.Rows, Errors: []ListError{}, Conflicts: []ListError{}, Mapping: r.Mapping, header: r.header}
	return errs.Newf(errs.Invalid, "La liste compte plus de %s lignes, le maximum pour un import : découpez-la en plusieurs fichiers. Rien n'a été enregistré.",
		thousands(maxListRows))
}

// thousands writes a count the French way, "200 000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	return b.String()
}

// listImport holds what one import run has learnt so far.
type listImport struct {
	tx                *db.Tx
	box               *secret.Box
	actor             access.Actor
	now               time.Time
	cols              map[string]int
	rep               *ListReport
	keep              bool
	rejectedOut       *rejectedWriter
	holderID, holderT string
	communes          map[string]refdata.Commune
	postal            map[string][]refdata.Commune
	events            []audit.Event
	// hideUnseen is set when the registry holds files the actor may not
	// read; created then keeps the files this list created (see ListReport).
	hideUnseen bool
	created    map[string]bool
}

// loadHolder checks the organisation that will hold the new files.
func (imp *listImport) loadHolder(ctx context.Context, orgID string) error {
	var kind string
	err := imp.tx.QueryRowContext(ctx, `SELECT kind, territory FROM organisations WHERE id = $1 AND disabled_at IS NULL`, orgID).
		Scan(&kind, &imp.holderT)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(errs.NotFound, "Structure introuvable.")
	}
	if err != nil {
		return err
	}
	if kind == "employer" || kind == "public_buyer" {
		return errs.New(errs.Forbidden, "Un employeur ou un acheteur public ne porte pas de dossiers de personnes.")
	}
	imp.holderID = orgID
	return nil
}

// run reads every row: an unreadable file stops the import, an invalid row is rejected.
func (imp *listImport) run(ctx context.Context, t *tabular.Table) error {
	for {
		values, line, err := t.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var re *tabular.RowError
		switch {
		case errors.As(err, &re):
			if imp.rep.Rows >= maxListRows {
				return imp.tooManyRows()
			}
			imp.rep.Rows++
			if err := imp.reject(line, nil, []ListError{{Line: line, Message: re.Msg}}); err != nil {
				return err
			}
			continue
		case err != nil:
			imp.rep.Errors = append(imp.rep.Errors, ListError{Line: line, Message: errs.MessageOf(err)})
			return &errs.Error{Code: errs.Invalid, Message: "Le fichier n'a pas pu être lu jusqu'au bout : rien n'a été enregistré.", Cause: err}
		}
		// The limit is checked as the rows stream in, before the first row
		// past it is handled; the transaction then writes nothing.
		if imp.rep.Rows >= maxListRows {
			return imp.tooManyRows()
		}
		imp.rep.Rows++
		row, problems, err := imp.parse(ctx, values, line)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			if err := imp.reject(line, values, problems); err != nil {
				return err
			}
			continue
		}
		if err := imp.write(ctx, row, line); err != nil {
			return err
		}
	}
}

// reject records a row that will not be imported: its problems go to the
// report (the first maxListedErrors of them), the row itself to
// Options.Rejected or, the first maxKeptRejected rows, to the report.
func (imp *listImport) reject(line int, values []string, problems []ListError) error {
	imp.rep.Rejected++
	for _, p := range problems {
		imp.rep.addError(p)
	}
	if !imp.keep {
		return nil
	}
	if imp.rejectedOut == nil && len(imp.rep.rejected) >= maxKeptRejected {
		imp.rep.unkept++
		return nil
	}
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.Message
		if l := FieldLabel(p.Field); l != "" {
			parts[i] = l + " : " + p.Message
		}
	}
	if values == nil {
		values = make([]string, len(imp.rep.header))
	}
	row := rejectedRow{values: values, message: "ligne " + strconv.Itoa(line) + " : " + strings.Join(parts, " / ")}
	if imp.rejectedOut != nil {
		imp.rep.unkept++
		return imp.rejectedOut.write(row)
	}
	imp.rep.rejected = append(imp.rep.rejected, row)
	return nil
}
