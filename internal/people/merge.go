package people

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Why two files look like one person, as bits so that a pair found for
// several reasons is listed once with all of them.
const (
	sameNIR       = 1
	sameMatricule = 2
	sameName      = 4
)

// duplicateReasons names the reasons in the order they are shown, strongest first.
var duplicateReasons = []struct {
	bit         int
	code, label string
}{
	{sameNIR, "nir", "Même NIR"},
	{sameMatricule, "matricule", "Même matricule CAF/MSA et même date de naissance"},
	{sameName, "name", "Même nom et même date de naissance"},
}

// DuplicateFile is what a list of candidate duplicates shows of each file.
type DuplicateFile struct {
	ID, FirstName, LastName string
	BirthDate               *time.Time
	CommuneName             string
	CAFMatricule            string
	HoldingOrgID            string
	HoldingOrg              string
	HasNIR                  bool
	// RSA is true when the file is tied to a household of the CAF/MSA flow.
	RSA              bool
	Steps, Contracts int
	CreatedAt        time.Time
}

// Name returns "Last name First name" as lists show it.
func (f DuplicateFile) Name() string { return f.LastName + " " + f.FirstName }

// DuplicatePair is two files that may be the same person. Keep is the file
// suggested to keep: the one the CAF/MSA flow feeds, else the one with the
// longer history, else the older.
type DuplicatePair struct {
	Keep, Duplicate DuplicateFile
	// Codes and Reasons say why, as codes ("nir", "matricule", "name") and in French.
	Codes, Reasons []string
}

// HistoryCounts is what a file holds beyond its identity, shown before a merge.
type HistoryCounts struct {
	Group, Diagnostics, Orientations, Contracts, Plan, Steps, ReviewItems int
}

// MergeSide is one file of a merge comparison.
type MergeSide struct {
	Person  Person
	History HistoryCounts
}

// MergePreview is the side-by-side comparison shown before a merge.
type MergePreview struct {
	Keep, Duplicate MergeSide
	// DifferentNIR is true when both files carry a NIR and they differ: two people.
	DifferentNIR bool
}

// Absorbed is a file that was merged into another one.
type Absorbed struct {
	ID       string
	Name     string
	MergedAt time.Time
	Reason   string
}

// MayMerge reports whether the actor's role lets it look for duplicates and
// merge them: the département's managers, chargés d'orientation and
// organisation administrators (each within the files it may write).
func MayMerge(a access.Actor) bool {
	return a.Authenticated() && (a.System || access.IsDeptManager(a) || a.HasAny(access.RoleOrientation, access.RoleOrgAdmin))
}

var errMayNotMerge = errs.New(errs.Forbidden,
	"Seuls les responsables départementaux, les chargés d'orientation et les administrateurs de structure fusionnent des dossiers.")

// mergeScope is the files among which the actor looks for duplicates: its
// territory for a département manager, the files its organisation holds for a
// chargé d'orientation or an administrator.
func mergeScope(a access.Actor) access.PersonScope {
	if a.System {
		return access.PersonScope{All: true}
	}
	var s access.PersonScope
	if access.IsDeptManager(a) {
		s.Territory = a.Territory
	}
	if a.HasAny(access.RoleOrgAdmin, access.RoleOrientation) {
		s.HoldingOrgID = a.OrgID
	}
	return s
}

// Duplicates lists the pairs of files that may be the same person among the
// files the actor may merge: same NIR; same matricule and birth date; same
// birth date and name (never two files with different NIRs). Every file shown
// is traced, as in any list.
func (s *Service) Duplicates(ctx context.Context, a access.Actor, limit, offset int) ([]DuplicatePair, int, error) {
	if !a.Authenticated() {
		return nil, 0, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !MayMerge(a) {
		return nil, 0, errMayNotMerge
	}
	if limit <= 0 {
		limit = 50
	}
	limit, offset = min(limit, 500), max(offset, 0)
	now := db.Now()
	pairs, total, err := duplicatePairs(ctx, s.db, mergeScope(a), now.Format(time.DateOnly), limit, offset)
	if err != nil {
		return nil, 0, err
	}
	events := []audit.Event{{Action: "person.duplicates", ObjectType: "person", Detail: "paires: " + strconv.Itoa(len(pairs))}}
	for _, p := range pairs {
		for _, f := range []DuplicateFile{p.Keep, p.Duplicate} {
			events = append(events, audit.Event{Action: "person.list", ObjectType: "person", ObjectID: f.ID, PersonID: f.ID})
		}
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
	return pairs, total, err
}

// authorizeMerge checks that the actor may merge duplicateID into keepID: its
// role, write access to both files, two distinct live files. A file already
// absorbed is a conflict when the actor may see where it went, else not found.
func (s *Service) authorizeMerge(ctx context.Context, a access.Actor, keepID, duplicateID string) error {
	if !a.Authenticated() {
		return errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !MayMerge(a) {
		return errMayNotMerge
	}
	if keepID == duplicateID {
		return errs.FieldErrors{"duplicate_id": "Un dossier ne peut pas être fusionné avec lui-même."}.Err()
	}
	if err := s.authorizeLive(ctx, a, keepID, "Le dossier à conserver a déjà été fusionné dans un autre dossier : conservez ce dernier."); err != nil {
		return err
	}
	return s.authorizeLive(ctx, a, duplicateID, "Le dossier à absorber a déjà été fusionné dans un autre dossier.")
}

// authorizeLive is Authorize for writing, telling an absorbed file apart to
// whoever may read the file it went into.
func (s *Service) authorizeLive(ctx context.Context, a access.Actor, id, absorbedMsg string) error {
	_, _, err := s.Authorize(ctx, a, id, access.Write)
	if !errs.Is(err, errs.NotFound) {
		return err
	}
	if _, ok, kerr := s.KeptFile(ctx, a, id); kerr != nil {
		return kerr
	} else if ok {
		return errs.New(errs.Conflict, absorbedMsg)
	}
	return err
}

// Preview compares two files before a merge: both must be files the actor
// may merge. Both full files are shown, so both reads are traced.
func (s *Service) Preview(ctx context.Context, a access.Actor, keepID, duplicateID string) (MergePreview, error) {
	if err := s.authorizeMerge(ctx, a, keepID, duplicateID); err != nil {
		return MergePreview{}, err
	}
	var pv MergePreview
	for _, side := range []struct {
		id string
		to *MergeSide
	}{{keepID, &pv.Keep}, {duplicateID, &pv.Duplicate}} {
		p, _, err := s.Get(ctx, a, side.id)
		if err != nil {
			return MergePreview{}, err
		}
		h, err := historyCounts(ctx, s.db, side.id)
		if err != nil {
			return MergePreview{}, err
		}
		*side.to = MergeSide{Person: p, History: h}
	}
	var err error
	pv.DifferentNIR, err = differentNIRs(ctx, s.db, keepID, duplicateID)
	return pv, err
}

// Merge merges the file duplicateID into keepID, in one transaction: every
// row of the duplicate's history (follow-up group, RSA events, diagnostics,
// orientations, contracts, action plan, steps, case reviews, evaluation
// links) moves to the kept file, the kept file's empty fields are filled from
// the duplicate, and the duplicate is marked absorbed: it leaves every list,
// and imports that still match it update the kept file. Two files with
// different NIRs are two people and are never merged.
func (s *Service) Merge(ctx context.Context, a access.Actor, keepID, duplicateID, reason string) (Person, error) {
	if err := s.authorizeMerge(ctx, a, keepID, duplicateID); err != nil {
		return Person{}, err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 5 {
		return Person{}, errs.FieldErrors{"reason": "Indiquez pourquoi ces deux dossiers sont la même personne (5 caractères au moins)."}.Err()
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		m := merger{tx: tx, actor: a, keep: keepID, dup: duplicateID, now: db.Now(), reason: reason}
		return m.run(ctx)
	})
	if err != nil {
		return Person{}, err
	}
	p, _, err := s.Get(ctx, a, keepID)
	return p, err
}

// KeptFile returns the file an absorbed file was merged into, when the actor
// may read it: a link to an absorbed file leads there. ok is false for a live
// or unknown file, and for a kept file the actor may not see.
func (s *Service) KeptFile(ctx context.Context, a access.Actor, id string) (string, bool, error) {
	if !db.ValidID(id) {
		return "", false, nil
	}
	keep, err := mergedInto(ctx, s.db, id)
	if err != nil || keep == "" {
		return "", false, err
	}
	if _, _, err := s.Authorize(ctx, a, keep, access.Read); errs.Is(err, errs.NotFound) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	return keep, true, nil
}

// AbsorbedFiles lists the files merged into a file the actor may read.
func (s *Service) AbsorbedFiles(ctx context.Context, a access.Actor, id string) ([]Absorbed, error) {
	if _, _, err := s.Authorize(ctx, a, id, access.Read); err != nil {
		return nil, err
	}
	return absorbedInto(ctx, s.db, id)
}
