package people

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"tremplin/internal/people/caf"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/secret"
)

// ImportReport tells what a CAF/MSA flow import did (or would do, in a dry run).
type ImportReport struct {
	Households int           `json:"households"`
	Persons    int           `json:"persons"`
	Created    int           `json:"created"`
	Updated    int           `json:"updated"`
	Unchanged  int           `json:"unchanged"`
	Rejected   int           `json:"rejected"`
	Errors     []ImportError `json:"errors"`
	FlowType   string        `json:"flow_type"`
	FlowDate   string        `json:"flow_date"`
	DryRun     bool          `json:"dry_run"`
	// Declared is the number of files the flow announces (it also counts the separate anomaly flow).
	Declared int `json:"declared_households"`
}

// ImportError is a line of the file that could not be imported.
type ImportError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// errDryRun rolls a dry run back once its report is complete.
var errDryRun = errors.New("dry run")

// mayImport reports whether the actor may feed the registry from the CAF flow:
// the département's managers and chargés d'orientation, and operators.
func mayImport(a access.Actor) bool {
	return a.System || (a.OrgKind == "departement" && a.HasAny(access.RoleManager, access.RoleOrientation))
}

// ImportCAF reads a CAF/MSA flow and brings the registry up to date in one
// transaction: a file that does not follow the schema, or a household that
// cannot be placed, leaves the registry untouched and the report names the
// lines. Re-importing the same file changes nothing.
func (s *Service) ImportCAF(ctx context.Context, a access.Actor, r io.Reader, dryRun bool) (ImportReport, error) {
	rep := ImportReport{DryRun: dryRun, Errors: []ImportError{}}
	if !mayImport(a) {
		return rep, errs.New(errs.Forbidden, "Seuls les responsables et chargés d'orientation du département importent le flux CAF/MSA.")
	}
	started := db.Now()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Serialize(ctx, db.PeopleImportLock); err != nil {
			return err
		}
		imp := &cafImport{tx: tx, box: s.box, actor: a, now: started, rep: &rep, depts: map[string]string{}, communes: map[string]commune{}}
		opts := caf.Options{OnHeader: func(h caf.Header) error {
			imp.flowDate = h.ReferenceDate.Format(time.DateOnly)
			rep.FlowType, rep.FlowDate = h.Type, imp.flowDate
			return nil
		}}
		_, totals, err := opts.Read(r, func(h caf.Household) error { return imp.household(ctx, h) })
		if err != nil {
			return err
		}
		rep.Declared = totals.DeclaredHouseholds
		if len(rep.Errors) > 0 {
			return errs.Newf(errs.Invalid, "%d foyer(s) du flux ne peuvent pas être importés : rien n'a été enregistré.", rep.Rejected)
		}
		if err := imp.finish(ctx, started); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	var se *caf.SchemaError
	switch {
	case errors.Is(err, errDryRun):
		return rep, nil
	case errors.As(err, &se):
		rep.Errors = append(rep.Errors, ImportError{Line: se.Line, Message: se.Error()})
		return rep, &errs.Error{Code: errs.Invalid, Message: se.Error(), Cause: err}
	}
	return rep, err
}

// cafImport holds what one import run has learnt so far.
type cafImport struct {
	tx       *db.Tx
	box      *secret.Box
	actor    access.Actor
	now      time.Time
	flowDate string
	rep      *ImportReport
	// depts maps a département code to its organisation, which holds RSA files.
	depts    map[string]string
	communes map[string]commune
	events   []audit.Event
}

type commune struct {
	found    bool
	lat, lon float64
}

// territoryOf turns the flow's IDEPARTE ("062", "02A", "974") into a département code.
func territoryOf(id string) string {
	id = strings.TrimSpace(id)
	if len(id) == 3 && id[0] == '0' {
		return id[1:]
	}
	return id
}

func (imp *cafImport) reject(line int, format string, args ...any) {
	imp.rep.Rejected++
	imp.rep.Errors = append(imp.rep.Errors, ImportError{Line: line, Message: fmt.Sprintf(format, args...)})
}

// household brings one RSA file and its members up to date.
func (imp *cafImport) household(ctx context.Context, h caf.Household) error {
	imp.rep.Households++
	imp.rep.Persons += len(h.Persons)
	territory := territoryOf(h.Partner.ID)
	if !imp.actor.System && territory != imp.actor.Territory {
		imp.reject(h.Line, "le foyer %s relève du département %s, pas du vôtre", h.Organism.Matricule, territory)
		return nil
	}
	holder, err := imp.department(ctx, territory)
	if err != nil {
		return err
	}
	if holder == "" {
		imp.reject(h.Line, "aucune structure « Département » pour le territoire %s : créez-la avant d'importer", territory)
		return nil
	}
	hid, changed, err := imp.upsertHousehold(ctx, h, territory)
	if err != nil {
		return err
	}
	for _, p := range h.Persons {
		if !changed {
			imp.rep.Unchanged++
			continue
		}
		if err := imp.person(ctx, h, p, hid, territory, holder); err != nil {
			return err
		}
	}
	return nil
}

func (imp *cafImport) department(ctx context.Context, territory string) (string, error) {
	if id, ok := imp.depts[territory]; ok {
		return id, nil
	}
	var id string
	err := imp.tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE kind = 'departement' AND territory = $1 AND disabled_at IS NULL
		ORDER BY created_at LIMIT 1`, territory).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	imp.depts[territory] = id
	return id, nil
}

// householdDigest summarises what the flow says of a household and its members.
func householdDigest(h caf.Household) string {
	sum := sha256.New()
	fmt.Fprintf(sum, "%+v|%+v|%+v|%+v|%+v", h.Organism, h.Request, h.RSA, h.Addresses, h.FamilySituation)
	for _, p := range h.Persons {
		fmt.Fprintf(sum, "|%s", personDigest(p))
	}
	return hex.EncodeToString(sum.Sum(nil))
}

func personDigest(p caf.Person) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%+v", p)))
	return hex.EncodeToString(sum[:])
}

// rsaState is what the registry keeps of a household's rights.
type rsaState struct {
	state, suspension, closure string
	suspendedOn, closedOn      any
	droitsDevoirs              bool
}

func stateOf(h caf.Household) rsaState {
	st := rsaState{state: h.RSA.State, droitsDevoirs: h.RSA.HouseholdRightsAndDuties}
	if n := len(h.RSA.PaymentSuspensions); n > 0 {
		st.suspension, st.suspendedOn = h.RSA.PaymentSuspensions[n-1].Reason, dateOrNil(h.RSA.PaymentSuspensions[n-1].Since)
	}
	if n := len(h.RSA.RightSuspensions); n > 0 && st.suspension == "" {
		st.suspension, st.suspendedOn = h.RSA.RightSuspensions[n-1].Reason, dateOrNil(h.RSA.RightSuspensions[n-1].Since)
	}
	closure := h.RSA.Closure
	if closure.Reason == "" {
		closure = h.RSA.EarlierClosure
	}
	st.closure, st.closedOn = closure.Reason, dateOrNil(closure.Date)
	return st
}

func dateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

// upsertHousehold stores the household and its rights, recording what changed;
// changed is false when the flow says nothing new about it.
func (imp *cafImport) upsertHousehold(ctx context.Context, h caf.Household, territory string) (string, bool, error) {
	digest := householdDigest(h)
	st := stateOf(h)
	var id, oldDigest, oldState, oldSusp, oldClos string
	err := imp.tx.QueryRowContext(ctx, `SELECT id, flow_digest, rsa_state, suspension_code, closure_code FROM households
		WHERE fonorg = $1 AND matricule = $2`, h.Organism.Function, h.Organism.Matricule).Scan(&id, &oldDigest, &oldState, &oldSusp, &oldClos)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id = db.NewID()
		_, err = imp.tx.ExecContext(ctx, `INSERT INTO households (id, territory, fonorg, numorg, matricule, request_date, request_number,
			rsa_state, suspension_code, suspension_date, closure_code, closure_date, droits_devoirs, flow_digest, last_flow_date, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16)`,
			id, territory, h.Organism.Function, h.Organism.Number, h.Organism.Matricule, dateOrNil(h.Request.Date), h.Request.Number,
			st.state, st.suspension, st.suspendedOn, st.closure, st.closedOn, st.droitsDevoirs, digest, imp.flowDate, imp.now)
		if err != nil {
			return "", false, err
		}
		return id, true, imp.event(ctx, id, "entry", st.state, dateOrNil(h.Request.Date))
	case err != nil:
		return "", false, err
	case oldDigest == digest:
		return id, false, nil
	}
	_, err = imp.tx.ExecContext(ctx, `UPDATE households SET territory = $2, numorg = $3, request_date = $4, request_number = $5, rsa_state = $6,
		suspension_code = $7, suspension_date = $8, closure_code = $9, closure_date = $10, droits_devoirs = $11, flow_digest = $12,
		last_flow_date = $13, updated_at = $14 WHERE id = $1`,
		id, territory, h.Organism.Number, dateOrNil(h.Request.Date), h.Request.Number, st.state, st.suspension, st.suspendedOn,
		st.closure, st.closedOn, st.droitsDevoirs, digest, imp.flowDate, imp.now)
	if err != nil {
		return "", false, err
	}
	for _, ch := range []struct {
		kind, old, new string
		on             any
	}{
		{"state", oldState, st.state, nil},
		{"suspension", oldSusp, st.suspension, st.suspendedOn},
		{"closure", oldClos, st.closure, st.closedOn},
	} {
		if ch.old != ch.new {
			if err := imp.event(ctx, id, ch.kind, ch.new, ch.on); err != nil {
				return "", false, err
			}
		}
	}
	return id, true, nil
}

func (imp *cafImport) event(ctx context.Context, householdID, kind, code string, on any) error {
	_, err := imp.tx.ExecContext(ctx, `INSERT INTO rsa_events (id, household_id, kind, code, on_date, flow_date, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, db.NewID(), householdID, kind, code, on, imp.flowDate, imp.now)
	return err
}

// person finds the member in the registry (by NIR, else by matricule, birth
// date and name) and creates or updates the file.
func (imp *cafImport) person(ctx context.Context, h caf.Household, cp caf.Person, householdID, territory, holder string) error {
	p := Person{Territory: territory, HoldingOrgID: holder, FirstName: titleCase(cp.FirstName), LastName: titleCase(cp.LastName),
		BirthName: titleCase(cp.BirthName), Sex: cp.Sex, CAFMatricule: h.Organism.Matricule, FTID: cp.FranceTravailID}
	if !cp.BirthDate.IsZero() {
		b := cp.BirthDate
		p.BirthDate = &b
	}
	if err := imp.address(ctx, h, &p); err != nil {
		return err
	}
	digest := personDigest(cp)
	match := ""
	if len(cp.NIR) == 13 {
		match = imp.box.Match(cp.NIR)
	}
	k, err := imp.findPerson(ctx, match, p)
	if err != nil {
		return err
	}
	id := k.id
	droits := cp.RightsAndDutiesKnown && cp.RightsAndDuties
	if id == "" {
		p.ID, p.CreatedAt = db.NewID(), imp.now
		sealed := ""
		if cp.NIR != "" {
			sealed = imp.box.Seal(cp.NIR)
		}
		if err := Insert(ctx, imp.tx, p, sealed, match); err != nil {
			return err
		}
		if _, err := imp.tx.ExecContext(ctx, `UPDATE persons SET household_id = $2, household_role = $3, droits_devoirs = $4, flow_digest = $5
			WHERE id = $1`, p.ID, householdID, cp.RSARole, droits, digest); err != nil {
			return err
		}
		imp.rep.Created++
		if err := imp.newlyDroitsDevoirs(ctx, householdID, p.ID, droits, false); err != nil {
			return err
		}
		imp.events = append(imp.events, audit.Event{Action: "person.create", ObjectType: "person", ObjectID: p.ID, PersonID: p.ID, Detail: "flux CAF"})
		return nil
	}
	if k.digest == digest {
		imp.rep.Unchanged++
		return nil
	}
	_, err = imp.tx.ExecContext(ctx, `UPDATE persons SET territory = $2, first_name = $3, last_name = $4, birth_name = $5, birth_date = $6, sex = $7,
		caf_matricule = $8, ft_id = $9, address = $10, postal_code = $11, commune_code = $12, lat = $13, lon = $14, household_id = $15,
		household_role = $16, droits_devoirs = $17, flow_digest = $18, search_name = $19, updated_at = $20,
		nir_match = CASE WHEN $21 = '' THEN nir_match ELSE $21 END,
		nir_sealed = CASE WHEN $21 = '' THEN nir_sealed ELSE $22 END
		WHERE id = $1`,
		id, territory, p.FirstName, p.LastName, p.BirthName, dateOrNil(cp.BirthDate), p.Sex, p.CAFMatricule, p.FTID, p.Address,
		p.PostalCode, p.CommuneCode, p.Lat, p.Lon, householdID, cp.RSARole, droits, digest, SearchName(p), imp.now, match, sealOrEmpty(imp.box, cp.NIR))
	if err != nil {
		return err
	}
	imp.rep.Updated++
	imp.events = append(imp.events, audit.Event{Action: "person.update", ObjectType: "person", ObjectID: id, PersonID: id, Detail: "flux CAF"})
	return imp.newlyDroitsDevoirs(ctx, householdID, id, droits, k.droitsDevoirs)
}

// newlyDroitsDevoirs records that a person became subject to rights and
// duties, for the monthly report.
func (imp *cafImport) newlyDroitsDevoirs(ctx context.Context, householdID, personID string, now, before bool) error {
	if !now || before {
		return nil
	}
	_, err := imp.tx.ExecContext(ctx, `INSERT INTO rsa_events (id, household_id, person_id, kind, code, on_date, flow_date, created_at)
		VALUES ($1,$2,$3,'droits_devoirs','1',NULL,$4,$5)`, db.NewID(), householdID, personID, imp.flowDate, imp.now)
	return err
}

func sealOrEmpty(box *secret.Box, nir string) string {
	if nir == "" {
		return ""
	}
	return box.Seal(nir)
}

// findPerson returns the registry's file for a member of the flow.
// known is what the registry already holds of a member of the flow.
type known struct {
	id, digest    string
	droitsDevoirs bool
}

func (imp *cafImport) findPerson(ctx context.Context, match string, p Person) (known, error) {
	var k known
	var err error
	if match != "" {
		err = imp.tx.QueryRowContext(ctx, `SELECT k.id, k.flow_digest, k.droits_devoirs FROM persons p`+keptFile+`
			WHERE p.nir_match = $1 AND p.nir_match <> '' ORDER BY `+liveFirst+`, p.created_at LIMIT 1`, match).Scan(&k.id, &k.digest, &k.droitsDevoirs)
		if !errors.Is(err, sql.ErrNoRows) {
			return k, err
		}
	}
	if p.BirthDate == nil {
		return known{}, nil
	}
	err = imp.tx.QueryRowContext(ctx, `SELECT k.id, k.flow_digest, k.droits_devoirs FROM persons p`+keptFile+`
		WHERE p.caf_matricule = $1 AND p.caf_matricule <> '' AND p.birth_date = $2 AND p.search_name = $3
		ORDER BY `+liveFirst+`, p.created_at LIMIT 1`, p.CAFMatricule, p.BirthDate.Format(time.DateOnly), SearchName(p)).
		Scan(&k.id, &k.digest, &k.droitsDevoirs)
	if errors.Is(err, sql.ErrNoRows) {
		return known{}, nil
	}
	return k, err
}

// address takes the household's current French address and places it at its commune.
func (imp *cafImport) address(ctx context.Context, h caf.Household, p *Person) error {
	for _, ad := range h.Addresses {
		if ad.Rank != "01" && len(h.Addresses) > 1 {
			continue
		}
		parts := []string{ad.Complement1, ad.Complement2, strings.TrimSpace(ad.Number + " " + ad.StreetType + " " + ad.StreetName), ad.Locality}
		var kept []string
		for _, s := range parts {
			if s = strings.TrimSpace(s); s != "" {
				kept = append(kept, s)
			}
		}
		p.Address, p.PostalCode, p.CommuneCode = strings.Join(kept, ", "), ad.PostalCode, ad.INSEECode
		c, err := imp.commune(ctx, ad.INSEECode)
		if err != nil || !c.found {
			return err
		}
		p.Lat, p.Lon = &c.lat, &c.lon
		return nil
	}
	return nil
}

func (imp *cafImport) commune(ctx context.Context, code string) (commune, error) {
	if c, ok := imp.communes[code]; ok || code == "" {
		return c, nil
	}
	var c commune
	err := imp.tx.QueryRowContext(ctx, `SELECT lat, lon FROM communes WHERE code = $1`, code).Scan(&c.lat, &c.lon)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, err
	}
	c.found = err == nil
	imp.communes[code] = c
	return c, nil
}

// finish records the import run and its trace.
func (imp *cafImport) finish(ctx context.Context, started time.Time) error {
	id := db.NewID()
	var flowDate any
	if imp.flowDate != "" {
		flowDate = imp.flowDate
	}
	_, err := imp.tx.ExecContext(ctx, `INSERT INTO imports (id, kind, user_id, flow_type, flow_date, households, persons, created, updated, unchanged,
		started_at, finished_at) VALUES ($1,'caf',$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		id, imp.actor.UserID, imp.rep.FlowType, flowDate, imp.rep.Households, imp.rep.Persons, imp.rep.Created, imp.rep.Updated,
		imp.rep.Unchanged, started, db.Now())
	if err != nil {
		return err
	}
	events := append([]audit.Event{{Action: "import.caf", ObjectType: "import", ObjectID: id,
		Detail: fmt.Sprintf("foyers %d, créés %d, mis à jour %d", imp.rep.Households, imp.rep.Created, imp.rep.Updated)}}, imp.events...)
	// Audit entries go in batches: one statement per few hundred people.
	for len(events) > 0 {
		n := min(len(events), 500)
		if err := audit.LogBatchTx(ctx, imp.tx, imp.actor, events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// titleCase turns the flow's upper-case names into "Jean-Pierre Le Goff".
func titleCase(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	out := []rune(s)
	upper := true
	for i, r := range out {
		if upper {
			out[i] = []rune(strings.ToUpper(string(r)))[0]
		}
		upper = r == ' ' || r == '-' || r == '\''
	}
	return string(out)
}
