package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
)

// find returns the registry's file for a row, "" for a new person: by NIR;
// else among the people born that day with the same name, the one with the
// same matricule first; a namesake with another NIR is someone else.
func (imp *listImport) find(ctx context.Context, match string, p Person) (string, error) {
	if match != "" {
		var id string
		err := imp.tx.QueryRowContext(ctx, `SELECT k.id FROM persons p`+keptFile+` WHERE p.nir_match = $1 AND p.nir_match <> ''
			ORDER BY `+liveFirst+`, p.created_at, p.id LIMIT 1`, match).Scan(&id)
		if !errors.Is(err, sql.ErrNoRows) {
			return id, err
		}
	}
	// An absorbed file still matches on what it said, and answers with its kept file.
	rows, err := imp.tx.QueryContext(ctx, `SELECT k.id, p.last_name, p.first_name, p.caf_matricule, p.nir_match FROM persons p`+keptFile+`
		WHERE p.birth_date = $1 ORDER BY `+liveFirst+`, p.created_at, p.id`, p.BirthDate.Format(time.DateOnly))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	name := compactName(p.LastName + p.FirstName)
	byName := ""
	for rows.Next() {
		var id, last, first, matricule, nirMatch string
		if err := rows.Scan(&id, &last, &first, &matricule, &nirMatch); err != nil {
			return "", err
		}
		if compactName(last+first) != name || (match != "" && nirMatch != "" && nirMatch != match) {
			continue
		}
		if p.CAFMatricule != "" && matricule == p.CAFMatricule {
			return id, nil
		}
		if byName == "" {
			byName = id
		}
	}
	return byName, rows.Err()
}

// write creates the file of a new person or completes a known one.
func (imp *listImport) write(ctx context.Context, row listRow, line int) error {
	match := ""
	if row.nir != "" {
		// The registry matches on the 13 identifying characters, as the CAF flow sends them.
		match = imp.box.Match(row.nir[:13])
	}
	id, err := imp.find(ctx, match, row.p)
	if err != nil {
		return err
	}
	if id != "" {
		return imp.complete(ctx, id, row, match, line)
	}
	p := row.p
	p.ID, p.Territory, p.HoldingOrgID, p.CreatedAt = db.NewID(), imp.holderT, imp.holderID, imp.now
	sealed := ""
	if row.nir != "" {
		sealed = imp.box.Seal(row.nir)
	}
	if err := Insert(ctx, imp.tx, p, sealed, match); err != nil {
		return err
	}
	if len(row.publics) > 0 {
		if _, err := imp.tx.ExecContext(ctx, `UPDATE persons SET declared_publics = $2 WHERE id = $1`, p.ID, formatPublics(row.publics)); err != nil {
			return err
		}
	}
	imp.rep.Created++
	if imp.hideUnseen {
		imp.created[p.ID] = true
	}
	imp.events = append(imp.events, audit.Event{Action: "person.create", ObjectType: "person", ObjectID: p.ID, PersonID: p.ID, Detail: "import de liste"})
	return nil
}

// known is what the registry holds of a matched person.
type knownPerson struct {
	lastName, firstName, birthName, sex, nirMatch, matricule, ftID string
	address, postalCode, communeCode, phone, email, publics        string
	birth                                                          sql.NullTime
}

// complete fills the empty fields of a known person's file and adds the
// declared publics; a value that differs from the file's is reported, never written.
func (imp *listImport) complete(ctx context.Context, id string, row listRow, match string, line int) error {
	var k knownPerson
	err := imp.tx.QueryRowContext(ctx, `SELECT last_name, first_name, birth_name, birth_date, sex, nir_match, caf_matricule, ft_id,
		address, postal_code, commune_code, phone, email, declared_publics FROM persons WHERE id = $1`, id).
		Scan(&k.lastName, &k.firstName, &k.birthName, &k.birth, &k.sex, &k.nirMatch, &k.matricule, &k.ftID,
			&k.address, &k.postalCode, &k.communeCode, &k.phone, &k.email, &k.publics)
	if err != nil {
		return err
	}
	p := row.p
	u := update{id: id}
	// A file the importer may not read is completed all the same, so that no
	// duplicate is made, but its values are never compared aloud: a conflict
	// would tell what the file holds. Nor is a file this list created, when
	// the report hides the files the importer may not read: its conflicts
	// and counts would tell that the person was new (see ListReport).
	visible, err := imp.mayRead(ctx, id)
	if err != nil {
		return err
	}
	hidden := !visible || imp.created[id]
	imp.events = append(imp.events, audit.Event{Action: "person.import_match", ObjectType: "person", ObjectID: id, PersonID: id, Detail: "import de liste"})
	conflict := func(field string) {
		if !hidden {
			imp.rep.addConflict(ListError{Line: line, Field: field,
				Message: "le dossier existant indique une autre valeur : elle est conservée"})
		}
	}
	fill := func(field, col, have, want string, same func(a, b string) bool) {
		switch {
		case want == "" || same(have, want):
		case have == "":
			u.set(col, want)
		default:
			conflict(field)
		}
	}
	exact := func(a, b string) bool { return a == b }
	byName := func(a, b string) bool { return compactName(a) == compactName(b) }
	digits := func(a, b string) bool { return onlyDigits(a) == onlyDigits(b) }
	fill("last_name", "last_name", k.lastName, p.LastName, byName)
	fill("first_name", "first_name", k.firstName, p.FirstName, byName)
	fill("birth_name", "birth_name", k.birthName, p.BirthName, byName)
	if want := p.BirthDate.Format(time.DateOnly); !k.birth.Valid {
		u.set("birth_date", want)
	} else if k.birth.Time.UTC().Format(time.DateOnly) != want {
		conflict("birth_date")
	}
	fill("sex", "sex", k.sex, p.Sex, exact)
	fill("caf_matricule", "caf_matricule", k.matricule, p.CAFMatricule, exact)
	fill("ft_id", "ft_id", k.ftID, p.FTID, exact)
	fill("address", "address", k.address, p.Address, byName)
	fill("postal_code", "postal_code", k.postalCode, p.PostalCode, exact)
	fill("commune_code", "commune_code", k.communeCode, p.CommuneCode, exact)
	if k.communeCode == "" && p.CommuneCode != "" {
		u.set("lat", p.Lat)
		u.set("lon", p.Lon)
	}
	fill("phone", "phone", k.phone, p.Phone, digits)
	fill("email", "email", k.email, p.Email, exact)
	if k.nirMatch == "" && match != "" {
		u.set("nir_match", match)
		u.set("nir_sealed", imp.box.Seal(row.nir))
	}
	had := parsePublics(k.publics)
	if all := formatPublics(append(had, row.publics...)); all != formatPublics(had) {
		u.set("declared_publics", all)
	}
	if k.birthName == "" && p.BirthName != "" {
		u.set("search_name", SearchName(Person{LastName: k.lastName, FirstName: k.firstName, BirthName: p.BirthName}))
	}
	if len(u.cols) == 0 {
		imp.rep.Unchanged++
		if hidden {
			imp.rep.hiddenUnchanged++
		}
		return nil
	}
	u.set("updated_at", imp.now)
	if _, err := imp.tx.ExecContext(ctx, u.sql(), u.args...); err != nil {
		return err
	}
	imp.rep.Updated++
	if hidden {
		imp.rep.hiddenUpdated++
	}
	imp.events = append(imp.events, audit.Event{Action: "person.update", ObjectType: "person", ObjectID: id, PersonID: id, Detail: "import de liste"})
	return nil
}

// chooseDisclosure decides whether a report that writes nothing must hide
// the files the importer may not read: only an importer that may read
// every file of the registry (the system, or a manager whose territory
// holds them all) learns nothing from the true counts.
func (imp *listImport) chooseDisclosure(ctx context.Context) error {
	s := access.ScopeForPeople(imp.actor)
	if s.All {
		return nil
	}
	var w db.Where
	inScope := scopeSQL(s, imp.now.Format(time.DateOnly), &w)
	var id string
	// CASE rather than NOT: a condition that is NULL for some file counts as out of scope.
	err := imp.tx.QueryRowContext(ctx, `SELECT p.id FROM persons p WHERE p.merged_into = ''
		AND CASE WHEN `+inScope+` THEN 0 ELSE 1 END = 1 LIMIT 1`, w.Args...).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	imp.hideUnseen, imp.created = true, map[string]bool{}
	return nil
}

// mayRead reports whether the importer may read a matched file.
func (imp *listImport) mayRead(ctx context.Context, id string) (bool, error) {
	p, _, err := getPerson(ctx, imp.tx, id, imp.now)
	if err != nil {
		return false, err
	}
	group, err := groupOf(ctx, imp.tx, id)
	if err != nil {
		return false, err
	}
	return access.CanPerson(imp.actor, Facts(p, group), access.Read, imp.now), nil
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// update builds the UPDATE of the columns a known person's file gains.
type update struct {
	id   string
	cols []string
	args []any
}

func (u *update) set(col string, v any) {
	if len(u.args) == 0 {
		u.args = append(u.args, u.id)
	}
	u.args = append(u.args, v)
	u.cols = append(u.cols, col+" = $"+strconv.Itoa(len(u.args)))
}

func (u *update) sql() string {
	return `UPDATE persons SET ` + strings.Join(u.cols, ", ") + ` WHERE id = $1`
}

// finish records the import run and its trace: counts only, no personal data.
func (imp *listImport) finish(ctx context.Context) error {
	id := db.NewID()
	rep := imp.rep
	_, err := imp.tx.ExecContext(ctx, `INSERT INTO imports (id, kind, user_id, households, persons, created, updated, unchanged,
		started_at, finished_at) VALUES ($1,'liste',$2,0,$3,$4,$5,$6,$7,$8)`,
		id, imp.actor.UserID, rep.Rows, rep.Created, rep.Updated, rep.Unchanged, imp.now, db.Now())
	if err != nil {
		return err
	}
	events := append([]audit.Event{{Action: "person.import_list", ObjectType: "import", ObjectID: id,
		Detail: fmt.Sprintf("lignes %d, créées %d, mises à jour %d, inchangées %d, rejetées %d",
			rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Rejected)}}, imp.events...)
	for len(events) > 0 {
		n := min(len(events), 500)
		if err := audit.LogBatchTx(ctx, imp.tx, imp.actor, events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}
