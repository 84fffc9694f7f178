package people

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/validate"
)

// ListField is a column of a partner's list that the import understands.
type ListField struct {
	Key      string
	Label    string
	Required bool
	// Public is set for the yes/no columns that declare a public.
	Public Public
	// exact are folded column names that mean the field; contains are word
	// sequences that a longer column name may hold.
	exact, contains []string
}

// ListFields are the fields a list may fill, in the order forms show them.
var ListFields = []ListField{
	{Key: "last_name", Label: "Nom", Required: true,
		exact:    []string{"nom", "nom de famille", "nom d usage", "nom usage", "nom usuel", "last name", "lastname", "surname"},
		contains: []string{"nom de famille", "nom d usage", "nom usuel"}},
	{Key: "first_name", Label: "Prénom", Required: true,
		exact:    []string{"prenom", "prenoms", "prenom usuel", "first name", "firstname"},
		contains: []string{"prenom", "prenoms"}},
	{Key: "birth_name", Label: "Nom de naissance",
		exact:    []string{"nom de naissance", "nom naissance", "nom de jeune fille", "nom patronymique", "birth name"},
		contains: []string{"nom de naissance", "nom de jeune fille", "nom patronymique"}},
	{Key: "birth_date", Label: "Date de naissance", Required: true,
		exact:    []string{"date de naissance", "date naissance", "naissance", "ne le", "ne e le", "nee le", "ddn", "birth date", "birthdate", "date of birth", "dob"},
		contains: []string{"date de naissance", "date naissance", "ne e le", "ne le", "nee le"}},
	{Key: "sex", Label: "Sexe",
		exact:    []string{"sexe", "genre", "civilite", "sex", "gender"},
		contains: []string{"sexe", "civilite"}},
	{Key: "nir", Label: "NIR (n° de sécurité sociale)",
		exact: []string{"nir", "nss", "n securite sociale", "no securite sociale", "num securite sociale", "numero securite sociale",
			"numero de securite sociale", "securite sociale", "n secu", "num secu", "numero secu", "n ss"},
		contains: []string{"nir", "securite sociale", "numero secu", "num secu"}},
	{Key: "caf_matricule", Label: "Matricule CAF/MSA",
		exact: []string{"matricule caf", "matricule", "matricule msa", "matricule caf msa", "n allocataire", "no allocataire",
			"numero allocataire", "num allocataire", "numero caf", "n caf"},
		contains: []string{"matricule", "allocataire"}},
	{Key: "ft_id", Label: "Identifiant France Travail",
		exact: []string{"identifiant france travail", "id france travail", "identifiant ft", "id ft", "n france travail",
			"numero france travail", "identifiant pole emploi", "id pole emploi", "identifiant pe", "id pe", "numero pole emploi",
			"n pole emploi", "ide", "identifiant demandeur d emploi", "numero demandeur d emploi"},
		contains: []string{"identifiant france travail", "id france travail", "numero france travail", "identifiant pole emploi",
			"numero pole emploi", "identifiant ft"}},
	{Key: "address", Label: "Adresse",
		exact:    []string{"adresse", "adresse postale", "adresse 1", "adresse ligne 1", "rue", "voie", "address"},
		contains: []string{"adresse postale"}},
	{Key: "postal_code", Label: "Code postal",
		exact:    []string{"code postal", "cp", "postal code", "zip"},
		contains: []string{"code postal"}},
	{Key: "commune_code", Label: "Code commune INSEE",
		exact:    []string{"code insee", "code commune", "insee", "code commune insee", "code insee commune", "cog", "code officiel geographique"},
		contains: []string{"code insee", "code commune", "insee"}},
	{Key: "commune", Label: "Commune (nom)",
		exact:    []string{"commune", "ville", "localite", "nom commune", "nom de la commune", "commune de residence", "ville de residence", "city"},
		contains: []string{"commune", "ville"}},
	{Key: "phone", Label: "Téléphone",
		exact: []string{"telephone", "tel", "portable", "mobile", "telephone portable", "telephone mobile", "tel portable",
			"numero de telephone", "n telephone", "phone"},
		contains: []string{"telephone", "portable"}},
	{Key: "email", Label: "Courriel",
		exact:    []string{"email", "e mail", "courriel", "mail", "mel", "adresse mail", "adresse e mail", "adresse email", "adresse electronique"},
		contains: []string{"mail", "courriel"}},
	{Key: "ase", Label: "Jeune sorti de l'ASE", Public: PublicASE,
		exact:    []string{"ase", "sortant ase", "sortie ase", "sorti ase", "jeune sorti de l ase", "jeune ase", "aide sociale a l enfance"},
		contains: []string{"ase", "aide sociale a l enfance"}},
	{Key: "deld", Label: "DELD (demandeur d'emploi de longue durée)", Public: PublicDELD,
		exact:    []string{"deld", "demandeur d emploi de longue duree", "de longue duree"},
		contains: []string{"deld", "longue duree"}},
	{Key: "detld", Label: "DETLD (demandeur d'emploi de très longue durée)", Public: PublicDETLD,
		exact:    []string{"detld", "demandeur d emploi de tres longue duree", "de tres longue duree"},
		contains: []string{"detld", "tres longue duree"}},
	{Key: "rqth", Label: "RQTH (travailleur handicapé)", Public: PublicRQTH,
		exact:    []string{"rqth", "travailleur handicape", "reconnaissance travailleur handicape", "boeth"},
		contains: []string{"rqth", "travailleur handicape"}},
	{Key: "qpv", Label: "Résident d'un QPV", Public: PublicQPV,
		exact:    []string{"qpv", "quartier prioritaire", "resident qpv", "residant qpv", "habitant qpv"},
		contains: []string{"qpv", "quartier prioritaire"}},
	{Key: "parent_isole", Label: "Parent isolé", Public: PublicSingleParent,
		exact:    []string{"parent isole", "parent isolee", "parent seul", "famille monoparentale", "monoparental", "monoparentale"},
		contains: []string{"parent isole", "parent seul", "monoparental", "monoparentale"}},
}

// guessOrder is the order in which the guess looks for fields inside longer
// column names: the most specific first ("très longue durée" before
// "longue durée", "adresse mail" before "adresse").
var guessOrder = []string{"detld", "deld", "rqth", "qpv", "parent_isole", "ase", "email", "phone", "nir", "birth_name", "birth_date",
	"first_name", "last_name", "caf_matricule", "ft_id", "commune_code", "postal_code", "commune", "address", "sex"}

// listField returns the field with a key.
func listField(key string) (ListField, bool) {
	i := slices.IndexFunc(ListFields, func(f ListField) bool { return f.Key == key })
	if i < 0 {
		return ListField{}, false
	}
	return ListFields[i], true
}

// FieldLabel gives the French name of a list field, "" for the file itself.
func FieldLabel(key string) string {
	f, _ := listField(key)
	return f.Label
}

// Mapping tells, for each field, the name of the column of the file that gives it.
type Mapping map[string]string

// GuessMapping recognises the usual column names of partners' lists ("Nom",
// "Prénom", "Date de naissance", "N° sécurité sociale", "Matricule CAF",
// "Code INSEE", "RQTH"…), accents, case and punctuation aside. Each column
// serves one field at most.
func GuessMapping(header []string) Mapping {
	folded := make([][]string, len(header))
	for i, h := range header {
		folded[i] = strings.Fields(refdata.Fold(h))
	}
	taken := make([]bool, len(header))
	m := Mapping{}
	find := func(key string, match func(words []string) bool) {
		if _, done := m[key]; done {
			return
		}
		for i, words := range folded {
			if !taken[i] && len(words) > 0 && match(words) {
				m[key], taken[i] = header[i], true
				return
			}
		}
	}
	for _, f := range ListFields {
		find(f.Key, func(words []string) bool { return slices.Contains(f.exact, strings.Join(words, " ")) })
	}
	for _, key := range guessOrder {
		f, _ := listField(key)
		find(key, func(words []string) bool {
			return slices.ContainsFunc(f.contains, func(c string) bool { return containsWords(words, strings.Fields(c)) })
		})
	}
	return m
}

// containsWords reports whether part appears in words as a contiguous sequence.
func containsWords(words, part []string) bool {
	for i := 0; i+len(part) <= len(words); i++ {
		if slices.Equal(words[i:i+len(part)], part) {
			return true
		}
	}
	return false
}

// ParseMapping reads "field=Column,field=Column" as the command line gives it.
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{}
	fe := errs.FieldErrors{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		key, col, ok := strings.Cut(pair, "=")
		key = strings.TrimSpace(key)
		if _, known := listField(key); !ok || !known {
			fe.Add("map", fmt.Sprintf("« %s » : attendu champ=Colonne, champ parmi %s", strings.TrimSpace(pair), fieldKeys()))
			continue
		}
		m[key] = strings.TrimSpace(col)
	}
	return m, fe.Err()
}

func fieldKeys() string {
	keys := make([]string, len(ListFields))
	for i, f := range ListFields {
		keys[i] = f.Key
	}
	return strings.Join(keys, ", ")
}

// With returns m with the fields of over replacing its own; a field mapped
// to "" in over is left out.
func (m Mapping) With(over Mapping) Mapping {
	out := Mapping{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range over {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// columns checks a mapping against a header and returns the column index of each field.
func (m Mapping) columns(header []string) (map[string]int, error) {
	fe := errs.FieldErrors{}
	cols := map[string]int{}
	for key, col := range m {
		if _, ok := listField(key); !ok {
			fe.Add(key, "champ inconnu : attendu "+fieldKeys())
			continue
		}
		if col == "" {
			continue
		}
		i := slices.Index(header, col)
		if i < 0 {
			i = slices.IndexFunc(header, func(h string) bool { return refdata.Fold(h) == refdata.Fold(col) && refdata.Fold(col) != "" })
		}
		if i < 0 {
			fe.Add(key, fmt.Sprintf("la colonne « %s » n'existe pas dans le fichier", col))
			continue
		}
		cols[key] = i
	}
	for _, f := range ListFields {
		if _, ok := cols[f.Key]; f.Required && !ok {
			fe.Add(f.Key, "choisissez la colonne qui le donne (champ obligatoire)")
		}
	}
	_, byName := cols["commune"]
	_, postal := cols["postal_code"]
	_, code := cols["commune_code"]
	if byName && !postal && !code {
		fe.Add("postal_code", "le code postal est nécessaire pour reconnaître la commune par son nom")
	}
	if len(fe) > 0 {
		return nil, &errs.Error{Code: errs.Invalid, Message: "La correspondance des colonnes est incomplète.", Fields: fe}
	}
	return cols, nil
}

// Options say how a list is imported.
type Options struct {
	// DryRun checks and counts without writing anything.
	DryRun bool
	// KeepValid writes the valid rows and returns the rejected ones, instead
	// of refusing the whole file when one row is invalid.
	KeepValid bool
}

// ListError is a problem with one value of a row (Field empty: the whole row or file).
type ListError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Label names the field of the error in French.
func (e ListError) Label() string { return FieldLabel(e.Field) }

// ListReport tells what importing a list did, or would do in a dry run.
type ListReport struct {
	Rows      int         `json:"rows"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Rejected  int         `json:"rejected"`
	Errors    []ListError `json:"errors"`
	// Conflicts are values of the file that differ from a known person's
	// file: the registry keeps its own and says so here.
	Conflicts []ListError `json:"conflicts"`
	DryRun    bool        `json:"dry_run"`
	Mapping   Mapping     `json:"mapping"`
	header    []string
	rejected  []rejectedRow
	// unlisted counts errors beyond maxListedErrors.
	unlisted int
}

// rejectedRow is a row of the file that was not imported, with why.
type rejectedRow struct {
	values  []string
	message string
}

// maxListedErrors bounds the errors a report lists, for a file whose every row is wrong.
const maxListedErrors = 10000

// RejectedRows returns how many rejected rows the report keeps for WriteRejected.
func (r ListReport) RejectedRows() int { return len(r.rejected) }

// WriteRejected writes the rejected rows as a CSV file the way French
// spreadsheets open it (UTF-8 with a byte-order mark, ';'): the file's own
// columns, then a column "erreur" saying what to correct.
func (r ListReport) WriteRejected(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	header := slices.Clone(r.header)
	errCol := slices.IndexFunc(header, func(h string) bool { return refdata.Fold(h) == "erreur" })
	if errCol < 0 {
		errCol = len(header)
		header = append(header, "erreur")
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	safeHeader := make([]string, len(header))
	for i, h := range header {
		safeHeader[i] = safeCell(h)
	}
	cw.Write(safeHeader)
	for _, row := range r.rejected {
		out := make([]string, len(header))
		for i, v := range row.values {
			out[i] = safeCell(v)
		}
		out[errCol] = row.message
		cw.Write(out)
	}
	cw.Flush()
	return cw.Error()
}

// signedNumber is a value that may start with a sign without being a formula.
var signedNumber = regexp.MustCompile(`^[+-]?[0-9 .]+$`)

// safeCell keeps a spreadsheet from running a value as a formula when the
// rejected rows are opened, while phone numbers like "+33 6…" stay as they are.
func safeCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		// Only a number or a phone number ("+33 6 12…") may start with a sign.
		if !signedNumber.MatchString(v) {
			return "'" + v
		}
	}
	return v
}

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
// KeepValid the valid rows are written and the others come back in the report.
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
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Serialize(ctx, db.PeopleImportLock); err != nil {
			return err
		}
		imp := &listImport{tx: tx, box: s.box, actor: a, now: started, cols: cols, rep: &rep, keep: opts.KeepValid,
			communes: map[string]refdata.Commune{}, postal: map[string][]refdata.Commune{}}
		if err := imp.loadHolder(ctx, a.OrgID); err != nil {
			return err
		}
		if err := imp.run(ctx, t); err != nil {
			return err
		}
		rep.finishErrors()
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
		return rep, nil
	}
	return rep, err
}

// finishErrors adds the count of the errors not listed.
func (r *ListReport) finishErrors() {
	if r.unlisted > 0 {
		r.Errors = append(r.Errors, ListError{Message: fmt.Sprintf("… et %d autres erreurs non détaillées.", r.unlisted)})
	}
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
	holderID, holderT string
	communes          map[string]refdata.Commune
	postal            map[string][]refdata.Commune
	events            []audit.Event
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
			imp.rep.Rows++
			imp.reject(line, nil, []ListError{{Line: line, Message: re.Msg}})
			continue
		case err != nil:
			imp.rep.Errors = append(imp.rep.Errors, ListError{Line: line, Message: errs.MessageOf(err)})
			return &errs.Error{Code: errs.Invalid, Message: "Le fichier n'a pas pu être lu jusqu'au bout : rien n'a été enregistré.", Cause: err}
		}
		imp.rep.Rows++
		row, problems, err := imp.parse(ctx, values, line)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			imp.reject(line, values, problems)
			continue
		}
		if err := imp.write(ctx, row, line); err != nil {
			return err
		}
	}
}

// reject records a row that will not be imported.
func (imp *listImport) reject(line int, values []string, problems []ListError) {
	imp.rep.Rejected++
	for _, p := range problems {
		if len(imp.rep.Errors) < maxListedErrors {
			imp.rep.Errors = append(imp.rep.Errors, p)
		} else {
			imp.rep.unlisted++
		}
	}
	if !imp.keep {
		return
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
	imp.rep.rejected = append(imp.rep.rejected, rejectedRow{values: values,
		message: "ligne " + strconv.Itoa(line) + " : " + strings.Join(parts, " / ")})
}

// listRow is a valid row, ready to be matched and written.
type listRow struct {
	p       Person
	nir     string
	publics []Public
}

// parse validates every mapped value of a row and names each problem.
func (imp *listImport) parse(ctx context.Context, values []string, line int) (listRow, []ListError, error) {
	var row listRow
	var problems []ListError
	get := func(key string) string {
		if i, ok := imp.cols[key]; ok && i < len(values) {
			return values[i]
		}
		return ""
	}
	check := func(key string, fn func(string) error) {
		if err := fn(get(key)); err != nil {
			problems = append(problems, ListError{Line: line, Field: key, Message: err.Error()})
		}
	}
	p := &row.p
	check("last_name", func(v string) (err error) { p.LastName, err = personName(v, true); return })
	check("first_name", func(v string) (err error) { p.FirstName, err = personName(v, true); return })
	check("birth_name", func(v string) (err error) { p.BirthName, err = personName(v, false); return })
	check("birth_date", func(v string) error {
		d, err := birthDate(v, imp.now)
		p.BirthDate = d
		return err
	})
	check("sex", func(v string) (err error) { p.Sex, err = sexCode(v); return })
	check("nir", func(v string) (err error) { row.nir, err = listNIR(v, p.BirthDate); return })
	check("caf_matricule", func(v string) (err error) { p.CAFMatricule, err = identifier(v, "le matricule"); return })
	check("ft_id", func(v string) (err error) { p.FTID, err = identifier(v, "l'identifiant"); return })
	check("address", func(v string) (err error) { p.Address, err = address(v); return })
	check("postal_code", func(v string) (err error) { p.PostalCode, err = postalCode(v); return })
	check("phone", func(v string) (err error) { p.Phone, err = phone(v); return })
	check("email", func(v string) (err error) {
		if v != "" {
			p.Email, err = validate.NormalizeEmail(v)
		}
		return
	})
	for _, f := range ListFields {
		if f.Public == "" {
			continue
		}
		check(f.Key, func(v string) error {
			yes, err := yesNo(v)
			if yes {
				row.publics = append(row.publics, f.Public)
			}
			return err
		})
	}
	field, problem, err := imp.place(ctx, p, get("commune_code"), get("commune"))
	if problem != "" {
		problems = append(problems, ListError{Line: line, Field: field, Message: problem})
	}
	return row, problems, err
}

// place finds the person's commune from its INSEE code, else from its name
// and postal code, else from a postal code that serves one commune only. It
// returns the field and the problem of a value that names no commune.
func (imp *listImport) place(ctx context.Context, p *Person, code, name string) (field, problem string, err error) {
	switch {
	case code != "":
		code = strings.ToUpper(strings.ReplaceAll(code, " ", ""))
		if len(code) == 4 && isDigits(code) {
			// A spreadsheet drops the leading zero of codes typed as numbers.
			code = "0" + code
		}
		if err := validate.INSEECode(code); err != nil {
			return "commune_code", err.Error(), nil
		}
		c, ok, err := imp.commune(ctx, code)
		if err != nil || !ok {
			return "commune_code", "code commune INSEE inconnu", err
		}
		p.CommuneCode, p.Lat, p.Lon = c.Code, &c.Lat, &c.Lon
	case name != "":
		if p.PostalCode == "" {
			return "commune", "le code postal est nécessaire pour reconnaître la commune", nil
		}
		list, err := imp.byPostalCode(ctx, p.PostalCode)
		want := communeKey(name)
		i := slices.IndexFunc(list, func(c refdata.Commune) bool { return communeKey(c.Name) == want })
		if err != nil || i < 0 {
			return "commune", "aucune commune de ce nom pour ce code postal", err
		}
		p.CommuneCode, p.Lat, p.Lon = list[i].Code, &list[i].Lat, &list[i].Lon
	case p.PostalCode != "":
		list, err := imp.byPostalCode(ctx, p.PostalCode)
		if err != nil {
			return "postal_code", "", err
		}
		if len(list) == 1 {
			p.CommuneCode, p.Lat, p.Lon = list[0].Code, &list[0].Lat, &list[0].Lon
		}
	}
	return "", "", nil
}

// communeKey folds a commune name with the usual abbreviations spelled out.
func communeKey(name string) string {
	words := strings.Fields(refdata.Fold(name))
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		}
	}
	return strings.Join(words, " ")
}

func (imp *listImport) commune(ctx context.Context, code string) (refdata.Commune, bool, error) {
	if c, ok := imp.communes[code]; ok {
		return c, c.Code != "", nil
	}
	c, err := refdata.CommuneByCode(ctx, imp.tx, code)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return c, false, err
	}
	imp.communes[code] = c
	return c, c.Code != "", nil
}

func (imp *listImport) byPostalCode(ctx context.Context, pc string) ([]refdata.Commune, error) {
	if list, ok := imp.postal[pc]; ok {
		return list, nil
	}
	list, err := refdata.CommunesByPostalCode(ctx, imp.tx, pc)
	imp.postal[pc] = list
	return list, err
}

// personName cleans a name: spaces collapsed, capitals and small letters as
// typed unless the whole name is in one case ("DUPONT" becomes "Dupont").
func personName(v string, required bool) (string, error) {
	v = strings.Join(strings.Fields(v), " ")
	switch {
	case v == "" && required:
		return "", errors.New("obligatoire")
	case v == "":
		return "", nil
	case len([]rune(v)) > 100:
		return "", errors.New("100 caractères au plus")
	case strings.IndexFunc(v, unicode.IsDigit) >= 0:
		return "", errors.New("un nom ne contient pas de chiffres")
	case strings.IndexFunc(v, unicode.IsLetter) < 0:
		return "", errors.New("un nom contient au moins une lettre")
	}
	if v == strings.ToUpper(v) || v == strings.ToLower(v) {
		v = titleCase(v)
	}
	return v, nil
}

// birthDate reads a date as JJ/MM/AAAA (or with '-' or '.') or AAAA-MM-JJ,
// with or without a time after it.
func birthDate(v string, now time.Time) (*time.Time, error) {
	v, _, _ = strings.Cut(strings.TrimSpace(v), " ")
	v, _, _ = strings.Cut(v, "T")
	if v == "" {
		return nil, errors.New("obligatoire")
	}
	bad := errors.New("date incorrecte : attendu JJ/MM/AAAA ou AAAA-MM-JJ")
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 {
		return nil, bad
	}
	if len(parts[0]) == 4 {
		parts[0], parts[2] = parts[2], parts[0]
	}
	day, errD := strconv.Atoi(parts[0])
	month, errM := strconv.Atoi(parts[1])
	year, errY := strconv.Atoi(parts[2])
	if errD != nil || errM != nil || errY != nil || len(parts[2]) != 4 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return nil, bad
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	switch {
	case d.Day() != day || int(d.Month()) != month:
		return nil, errors.New("cette date n'existe pas")
	case d.After(now):
		return nil, errors.New("la date de naissance est dans le futur")
	case year < 1900:
		return nil, errors.New("la date de naissance est antérieure à 1900")
	}
	return &d, nil
}

// sexCode reads the sex as the CAF codes it: 1 man, 2 woman.
func sexCode(v string) (string, error) {
	switch refdata.Fold(v) {
	case "":
		return "", nil
	case "1", "h", "m", "homme", "masculin", "mr", "m r", "monsieur":
		return "1", nil
	case "2", "f", "femme", "feminin", "mme", "madame", "mlle", "mademoiselle":
		return "2", nil
	}
	return "", errors.New("attendu 1 ou 2, H, F ou M")
}

// listNIR validates a NIR (with its key, or its 13 characters alone) and
// checks it against the birth date when the NIR carries a real birth month.
func listNIR(v string, birth *time.Time) (string, error) {
	v = strings.NewReplacer(" ", "", ".", "", "-", "").Replace(v)
	if v == "" {
		return "", nil
	}
	if len(v) == 13 {
		key, err := validate.NIRKey(v)
		if err != nil {
			return "", err
		}
		v += key
	}
	n, err := validate.NormalizeNIR(v)
	if err != nil {
		return "", err
	}
	month, _ := strconv.Atoi(n[3:5])
	if birth != nil && (n[0] == '1' || n[0] == '2') && month >= 1 && month <= 12 &&
		(n[1:3] != fmt.Sprintf("%02d", birth.Year()%100) || month != int(birth.Month())) {
		return "", errors.New("le numéro de sécurité sociale ne correspond pas à l'année et au mois de naissance")
	}
	return n, nil
}

// identifier reads a matricule or an identifier: letters and digits, 20 at most.
func identifier(v, what string) (string, error) {
	v = strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	if len(v) > 20 || strings.IndexFunc(v, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') }) >= 0 {
		return "", errors.New(what + " ne contient que des chiffres et des lettres (20 au plus)")
	}
	return v, nil
}

func address(v string) (string, error) {
	v = strings.Join(strings.Fields(v), " ")
	if len([]rune(v)) > 300 {
		return "", errors.New("300 caractères au plus")
	}
	return v, nil
}

func postalCode(v string) (string, error) {
	v = strings.ReplaceAll(v, " ", "")
	if v == "" {
		return "", nil
	}
	if len(v) == 4 && isDigits(v) {
		// A spreadsheet drops the leading zero of a code typed as a number.
		v = "0" + v
	}
	if err := validate.PostalCode(v); err != nil {
		return "", err
	}
	return v, nil
}

func phone(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if digits := strings.ReplaceAll(v, " ", ""); len(digits) == 9 && isDigits(digits) && digits[0] != '0' {
		// A spreadsheet drops the leading zero of a number typed as a number.
		v = "0" + digits
	}
	return validate.NormalizePhone(v)
}

// yesNo reads the answer of a public's column; empty means no.
func yesNo(v string) (bool, error) {
	switch refdata.Fold(v) {
	case "", "non", "n", "0", "faux", "false", "no": // "-" folds to ""
		return false, nil
	case "oui", "o", "1", "x", "vrai", "true", "yes", "y":
		return true, nil
	}
	return false, fmt.Errorf("valeur « %s » non reconnue : attendu oui ou non", v)
}

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// compactName folds a name and drops its spaces, so that "Le Goff",
// "LEGOFF" and "le-goff" compare equal.
func compactName(s string) string { return strings.ReplaceAll(refdata.Fold(s), " ", "") }

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
	// would tell what the file holds.
	visible, err := imp.mayRead(ctx, id)
	if err != nil {
		return err
	}
	imp.events = append(imp.events, audit.Event{Action: "person.import_match", ObjectType: "person", ObjectID: id, PersonID: id, Detail: "import de liste"})
	conflict := func(field string) {
		if visible {
			imp.rep.Conflicts = append(imp.rep.Conflicts, ListError{Line: line, Field: field,
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
		return nil
	}
	u.set("updated_at", imp.now)
	if _, err := imp.tx.ExecContext(ctx, u.sql(), u.args...); err != nil {
		return err
	}
	imp.rep.Updated++
	imp.events = append(imp.events, audit.Event{Action: "person.update", ObjectType: "person", ObjectID: id, PersonID: id, Detail: "import de liste"})
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
