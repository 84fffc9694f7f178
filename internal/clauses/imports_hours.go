package clauses

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/validate"
)

// ImportHours reads a file of monthly hours, one row per participant,
// company, market, month and contract. The market must be known and the
// company awarded it; the actor must be allowed to declare for that company
// there. A participant is found by the facilitator's identifier, else by
// name and birth date, and recorded when unknown (a light record the import
// never changes afterwards). A line of the same key is replaced, with its
// history, never added twice. Every row is checked before anything is
// written; a file with a bad row is refused whole unless AcceptValid.
func (s *Service) ImportHours(ctx context.Context, a access.Actor, t *tabular.Table, opt ImportOptions) (ImportReport, error) {
	rep := ImportReport{Kind: "hours", DryRun: opt.DryRun, Errors: []ImportError{}}
	if !mayImportHours(a) {
		return rep, errs.New(errs.Forbidden, "Vous ne pouvez pas importer d'heures d'insertion.")
	}
	cols, err := importColumns(t.Header(), HoursFileColumns)
	if err != nil {
		return rep, err
	}
	if err := identityColumns(cols); err != nil {
		return rep, err
	}
	rows, err := readFileRows(t, cols, &rep)
	if err != nil {
		return rep, err
	}
	hi := &hoursImport{s: s, a: a, companies: map[string]companyRef{}, markets: map[string][]Market{},
		people: map[string]*personRef{}, communes: map[string]communeRef{}, lines: map[[2]string]map[declarationKey]Declaration{}}
	parsed := make([]*hoursRow, 0, len(rows))
	for _, r := range rows {
		hr, err := hi.parse(ctx, r)
		if err != nil {
			return rep, err
		}
		parsed = append(parsed, hr)
	}
	checkHoursKeys(parsed)
	if err := concludeImport(rows, t.Header(), opt, &rep); err != nil {
		return rep, err
	}
	if err := hi.plan(ctx, parsed, &rep); err != nil {
		return rep, err
	}
	if opt.DryRun {
		return rep, nil
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return hi.write(ctx, tx, parsed, &rep) })
	if err != nil {
		return rep, importConflict(err)
	}
	return rep, nil
}

// mayImportHours reports whether the actor may declare hours at all: the
// facilitators, the companies and structures that place people, the system.
func mayImportHours(a access.Actor) bool {
	return a.Authenticated() && !a.Has(access.RolePublicBuyer) &&
		(a.System || a.HasAny(access.RoleFacilitator, access.RoleEmployer, access.RoleSIAEStaff, access.RoleOrgAdmin))
}

// identityColumns checks that the header can identify participants.
func identityColumns(cols map[string]int) error {
	if _, ok := cols["participant"]; ok {
		return nil
	}
	for _, c := range []string{"nom", "prenom", "date_naissance"} {
		if _, ok := cols[c]; !ok {
			return errs.New(errs.Invalid, "L'en-tête doit nommer la colonne participant, ou les colonnes nom, prenom et date_naissance qui identifient les participants.")
		}
	}
	return nil
}

// hoursImport is an import of hours under way, with what it found.
type hoursImport struct {
	s         *Service
	a         access.Actor
	companies map[string]companyRef // by SIRET as written
	markets   map[string][]Market   // by reference
	people    map[string]*personRef // by territory and identity
	communes  map[string]communeRef // by territory and value
	lines     map[[2]string]map[declarationKey]Declaration
}

type companyRef struct {
	id, siret, problem string
}

type communeRef struct{ code, problem string }

// personRef is a participant the file names: found, or to record.
type personRef struct {
	// may caches whether the actor may add hours to the existing participant.
	may      *bool
	existing *Participant
	p        Participant // the new participant, when not existing
	line     int         // the line that first describes a new one
	used     bool
}

// id identifies the participant in the keys of the file.
func (p *personRef) id() string {
	if p.existing != nil {
		return p.existing.ID
	}
	return p.p.ID
}

// hoursRow is a row of a file of hours, checked.
type hoursRow struct {
	*fileRow
	market   *Market
	company  string
	via      string
	person   *personRef
	month    Month
	hours    Hours
	contract string
	mode     string
	status   importChange
}

func (hr *hoursRow) key() declarationKey {
	return declarationKey{hr.market.ID, hr.company, hr.person.id(), hr.month, hr.contract}
}

// parse checks a row and finds what it names.
func (hi *hoursImport) parse(ctx context.Context, r *fileRow) (*hoursRow, error) {
	hr := &hoursRow{fileRow: r}
	if !r.ok() {
		return hr, nil
	}
	c, err := hi.company(ctx, r.get("siret"))
	if err != nil {
		return nil, err
	}
	if c.problem != "" {
		r.fail("siret", c.problem)
	}
	if err := hi.findMarket(ctx, hr, c.id); err != nil {
		return nil, err
	}
	hi.checkLine(hr)
	territory := ""
	if hr.market != nil {
		territory = hr.market.Territory
	}
	if hr.person, err = hi.participant(ctx, r, territory); err != nil {
		return nil, err
	}
	return hr, nil
}

// checkLine reads the month, hours, contract and mode of a row.
func (hi *hoursImport) checkLine(hr *hoursRow) {
	r := hr.fileRow
	month, err := parseImportMonth(r.get("mois"))
	if err != nil {
		r.fail("mois", "mois attendu au format AAAA-MM (par exemple 2025-03), lu « "+clipped(r.get("mois"))+" ».")
	}
	if v := r.get("heures"); v == "" {
		r.fail("heures", "les heures du mois sont obligatoires.")
	} else if hr.hours, err = parseImportHours(v); err != nil {
		r.fail("heures", errs.MessageOf(err))
	}
	hr.contract, hr.mode = strings.ToUpper(importCode(r.get("type_contrat"))), strings.ToUpper(importCode(r.get("mode")))
	// Without its market, a row's month is only checked for its form.
	m := Market{End: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}
	if hr.market != nil {
		m = *hr.market
	}
	fe := errs.FieldErrors{}
	mo := checkLine(fe, string(month), hr.hours, hr.contract, hr.mode, m, hi.s.today())
	if hr.via != "" && !placementMode(hr.mode) {
		// A person the company hired itself is not shown to its partner structures.
		hr.via = ""
	}
	for _, f := range []struct{ field, col string }{{"month", "mois"}, {"hours", "heures"}, {"contract_type", "type_contrat"}, {"mode", "mode"}} {
		if msg, ok := fe[f.field]; ok && (f.field != "month" || month != "") {
			r.fail(f.col, lowerFirst(msg))
		}
	}
	hr.month = mo
}

// parseImportMonth reads YYYY-MM, and the first day of a month, which is
// what a spreadsheet keeps of a cell typed "2025-03" or "03/2025".
func parseImportMonth(s string) (Month, error) {
	if m, err := ParseMonth(s); err == nil {
		return m, nil
	}
	d, err := parseDate(s)
	if err != nil || d.Day() != 1 {
		return "", fmt.Errorf("not a month")
	}
	return ParseMonth(string(MonthOf(d)))
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func (hi *hoursImport) company(ctx context.Context, siret string) (companyRef, error) {
	if c, ok := hi.companies[siret]; ok {
		return c, nil
	}
	c := companyRef{siret: siret}
	norm, err := validate.NormalizeSIRET(siret)
	if err != nil {
		c.problem = err.Error() + "."
	} else {
		id, _, found, err := orgBySIRET(ctx, hi.s.db, norm)
		if err != nil {
			return c, err
		}
		c.id, c.siret = id, norm
		if !found {
			c.problem = "entreprise inconnue : aucune structure n'a le SIRET " + norm + " (importez d'abord le fichier des marchés)."
		}
	}
	hi.companies[siret] = c
	return c, nil
}

// findMarket finds the market a row names among those the actor sees:
// the one of the actor's territory first, else the one the company is
// awarded elsewhere (a company works beyond its own département).
func (hi *hoursImport) findMarket(ctx context.Context, hr *hoursRow, companyID string) error {
	ref := hr.get("reference_marche")
	if ref == "" {
		hr.fail("reference_marche", "la référence du marché est obligatoire.")
		return nil
	}
	all, ok := hi.markets[ref]
	if !ok {
		var err error
		if all, err = marketsByReference(ctx, hi.s.db, ref); err != nil {
			return err
		}
		hi.markets[ref] = all
	}
	var seen []Market
	for _, m := range all {
		if access.CanMarket(hi.a, marketFacts(m), access.Read) || hi.writable(m, companyID) {
			seen = append(seen, m)
		}
	}
	seen = narrowMarkets(seen, func(m Market) bool { return m.Territory == hi.a.Territory })
	seen = narrowMarkets(seen, func(m Market) bool { _, ok := awarded(m, companyID); return ok })
	switch {
	case len(seen) == 0:
		hr.fail("reference_marche", "marché inconnu « "+clipped(ref)+" ».")
		return nil
	case len(seen) > 1:
		hr.fail("reference_marche", "plusieurs marchés portent la référence « "+clipped(ref)+" » : importez les heures depuis le territoire du marché.")
		return nil
	}
	m := seen[0]
	hr.market = &m
	if companyID == "" {
		return nil
	}
	aw, ok := awarded(m, companyID)
	switch {
	case !ok:
		hr.fail("siret", "l'entreprise n'est pas attributaire du marché « "+clipped(ref)+" ».")
	case !hi.writable(m, companyID):
		hr.fail("siret", "vous ne pouvez pas déclarer d'heures pour cette entreprise sur ce marché.")
	default:
		hr.company, hr.via = companyID, aw.PartnerOrgID
	}
	return nil
}

// writable reports whether the actor may declare hours of the company on the market.
func (hi *hoursImport) writable(m Market, companyID string) bool {
	aw, ok := awarded(m, companyID)
	return ok && access.CanDeclaration(hi.a, access.Declaration{Market: marketFacts(m), CompanyOrgID: companyID, ViaOrgID: aw.PartnerOrgID}, access.Write)
}

// narrow keeps the items that pass, unless none does.
func narrowMarkets(ms []Market, keep func(Market) bool) []Market {
	var out []Market
	for _, m := range ms {
		if keep(m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return ms
	}
	return out
}

// marketsByReference returns the markets of a reference in every territory, with their awards.
func marketsByReference(ctx context.Context, q db.Querier, ref string) ([]Market, error) {
	return queryMarkets(ctx, q, ` WHERE m.reference = $1 ORDER BY m.territory`, ref)
}

// participant finds or describes the participant of a row; territory is
// empty when the market is unknown, and then only the columns are checked.
func (hi *hoursImport) participant(ctx context.Context, r *fileRow, territory string) (*personRef, error) {
	ext, last, first, birthText := r.get("participant"), r.get("nom"), r.get("prenom"), r.get("date_naissance")
	if ext == "" && (last == "" || first == "" || birthText == "") {
		r.fail("participant", "sans identifiant, le nom, le prénom et la date de naissance identifient le participant : complétez-les.")
		return nil, nil
	}
	in := ParticipantInput{ExternalID: ext, FirstName: first, LastName: last, BirthDate: birthText, Sex: r.get("sexe"),
		Public: strings.ToUpper(importCode(r.get("public"))), PublicReason: r.get("motif_public")}
	desc, fields := in.participant()
	problems := errs.FieldsOf(fields)
	if in.Public == "" {
		delete(problems, "public")
	}
	for _, f := range []struct{ field, col string }{{"external_id", "participant"}, {"birth_date", "date_naissance"}, {"sex", "sexe"}, {"public", "public"}} {
		if msg, ok := problems[f.field]; ok {
			if f.field == "public" {
				msg = "public inconnu « " + clipped(r.get("public")) + " » : " + codes(Publics) + "."
			}
			r.fail(f.col, lowerFirst(msg))
		}
	}
	if v := r.get("commune"); v != "" && territory != "" {
		c, err := hi.commune(ctx, v, territory)
		if err != nil {
			return nil, err
		}
		if c.problem != "" {
			r.fail("commune", c.problem)
		}
		desc.CommuneCode = c.code
	}
	if territory == "" || !r.ok() {
		return nil, nil
	}
	p, err := hi.findPerson(ctx, territory, desc)
	if err != nil || p == nil {
		return p, err
	}
	if p.existing != nil {
		checkSamePerson(r, p.existing, desc)
		if r.ok() && !p.attachable(ctx, hi, desc) {
			r.fail("participant", "ce participant est déjà enregistré par une autre structure : donnez son nom, son prénom et sa date de naissance pour le retrouver.")
		}
		return p, nil
	}
	if p.line == 0 {
		// The first row describing a new participant records them.
		if msg, ok := problems["first_name"]; ok {
			r.fail("prenom", lowerFirst(msg))
		}
		if msg, ok := problems["last_name"]; ok {
			r.fail("nom", lowerFirst(msg))
		}
		switch {
		case desc.Public == "":
			r.fail("public", "le public est obligatoire pour un nouveau participant : "+codes(Publics)+".")
		case problems["public_reason"] != "":
			r.fail("motif_public", "un public AUTRE est validé par le facilitateur sur avis motivé : donnez-le dans la colonne motif_public.")
		}
		if !r.ok() {
			return nil, nil
		}
		now := db.Now()
		desc.ID, desc.Territory, desc.CreatedAt, desc.UpdatedAt = db.NewID(), territory, now, now
		p.p, p.line = desc, r.line
		return p, nil
	}
	if col := describedOtherwise(p.p, desc); col != "" {
		r.fail(col, fmt.Sprintf("le participant est décrit autrement ligne %d.", p.line))
	}
	return p, nil
}

// findPerson returns the participant of a description: one the file already
// named, one of the territory, or a new one to describe.
func (hi *hoursImport) findPerson(ctx context.Context, territory string, d Participant) (*personRef, error) {
	key := territory + "\x00nk:" + matchKey(d.LastName, d.FirstName, d.BirthDate)
	if d.ExternalID != "" {
		key = territory + "\x00id:" + d.ExternalID
	}
	if p, ok := hi.people[key]; ok {
		return p, nil
	}
	p := &personRef{}
	var old Participant
	var found bool
	var err error
	if d.ExternalID != "" {
		old, found, err = findParticipantByExternal(ctx, hi.s.db, territory, d.ExternalID)
	}
	if err == nil && !found && d.LastName != "" && d.FirstName != "" && d.BirthDate != nil {
		old, found, err = findParticipantByKey(ctx, hi.s.db, territory, matchKey(d.LastName, d.FirstName, d.BirthDate))
		// Under an identifier the file does not know, a participant recorded
		// with another identifier is another person of the same name.
		found = found && (d.ExternalID == "" || old.ExternalID == "")
	}
	if err != nil {
		return nil, err
	}
	if found {
		p.existing = &old
	}
	hi.people[key] = p
	return p, nil
}

// checkSamePerson refuses a row whose identifier names a participant
// recorded under other names; the message does not tell those names.
func checkSamePerson(r *fileRow, old *Participant, d Participant) {
	if d.LastName != "" && refdata.Fold(d.LastName) != refdata.Fold(old.LastName) ||
		d.FirstName != "" && refdata.Fold(d.FirstName) != refdata.Fold(old.FirstName) {
		r.fail("participant", "l'identifiant « "+clipped(d.ExternalID)+" » désigne un participant enregistré sous un autre nom : vérifiez l'identifiant, le nom et le prénom.")
	}
}

// describedOtherwise names the first column where a row describes a new
// participant differently from the row that first did.
func describedOtherwise(first, d Participant) string {
	switch {
	case d.LastName != "" && refdata.Fold(d.LastName) != refdata.Fold(first.LastName):
		return "nom"
	case d.FirstName != "" && refdata.Fold(d.FirstName) != refdata.Fold(first.FirstName):
		return "prenom"
	case d.BirthDate != nil && (first.BirthDate == nil || !d.BirthDate.Equal(*first.BirthDate)):
		return "date_naissance"
	case d.Sex != "" && d.Sex != first.Sex:
		return "sexe"
	case d.CommuneCode != "" && d.CommuneCode != first.CommuneCode:
		return "commune"
	case d.Public != "" && d.Public != first.Public:
		return "public"
	}
	return ""
}

// commune reads the commune of residence: an INSEE code, a postal code
// serving one commune, or a name, of the market's département first.
func (hi *hoursImport) commune(ctx context.Context, v, territory string) (communeRef, error) {
	key := territory + "\x00" + v
	if c, ok := hi.communes[key]; ok {
		return c, nil
	}
	c, err := resolveCommune(ctx, hi.s.db, v, territory)
	if err != nil {
		return c, err
	}
	hi.communes[key] = c
	return c, nil
}

func resolveCommune(ctx context.Context, q db.Querier, v, territory string) (communeRef, error) {
	if code := strings.ToUpper(v); isCommuneCode(code) {
		return communeByCode(ctx, q, code)
	}
	rows, err := q.QueryContext(ctx, `SELECT code, department FROM communes WHERE search_name = $1 ORDER BY code`, refdata.Fold(v))
	if err != nil {
		return communeRef{}, err
	}
	defer rows.Close()
	var here, elsewhere []string
	for rows.Next() {
		var c, dep string
		if err := rows.Scan(&c, &dep); err != nil {
			return communeRef{}, err
		}
		if dep == territory {
			here = append(here, c)
		} else {
			elsewhere = append(elsewhere, c)
		}
	}
	if err := rows.Err(); err != nil {
		return communeRef{}, err
	}
	switch {
	case len(here) == 1:
		return communeRef{code: here[0]}, nil
	case len(here) == 0 && len(elsewhere) == 1:
		return communeRef{code: elsewhere[0]}, nil
	case len(here)+len(elsewhere) == 0:
		return communeRef{problem: "commune inconnue « " + clipped(v) + " » : écrivez son code INSEE (par exemple 62041)."}, nil
	}
	return communeRef{problem: "plusieurs communes s'appellent « " + clipped(v) + " » : écrivez le code INSEE de la commune."}, nil
}

// communeByCode reads an INSEE code, or a postal code serving one commune;
// without the reference data, the code is kept as written.
func communeByCode(ctx context.Context, q db.Querier, code string) (communeRef, error) {
	var known, all int
	err := q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM communes WHERE code = $1), CASE WHEN EXISTS (SELECT 1 FROM communes) THEN 1 ELSE 0 END`, code).Scan(&known, &all)
	switch {
	case err != nil:
		return communeRef{}, err
	case known > 0 || all == 0:
		return communeRef{code: code}, nil
	case !digits(code):
		return communeRef{problem: "code commune INSEE inconnu « " + code + " »."}, nil
	}
	cs, err := refdata.CommunesByPostalCode(ctx, q, code)
	switch {
	case err != nil:
		return communeRef{}, err
	case len(cs) == 1:
		return communeRef{code: cs[0].Code}, nil
	case len(cs) > 1:
		return communeRef{problem: fmt.Sprintf("le code postal %s dessert %d communes : écrivez le code INSEE de la commune.", code, len(cs))}, nil
	}
	return communeRef{problem: "code commune INSEE inconnu « " + code + " »."}, nil
}

// checkHoursKeys refuses the rows that repeat a key of the file: which of
// them is right is for the sender to say.
func checkHoursKeys(rows []*hoursRow) {
	byKey := map[declarationKey][]*hoursRow{}
	var keys []declarationKey
	for _, r := range rows {
		if !r.ok() {
			continue
		}
		k := r.key()
		if len(byKey[k]) == 0 {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	for _, k := range keys {
		same := byKey[k]
		if len(same) < 2 {
			continue
		}
		lines := make([]int, len(same))
		for i, r := range same {
			lines[i] = r.line
		}
		msg := fmt.Sprintf("même marché, entreprise, participant, mois et type de contrat sur les %s : une seule ligne par clé.", linesLabel(lines))
		for _, r := range same {
			r.fail("", msg)
		}
	}
}

// plan decides, for every valid row, whether it adds, replaces or repeats a
// line, and counts the participants to record.
func (hi *hoursImport) plan(ctx context.Context, rows []*hoursRow, rep *ImportReport) error {
	counted := map[*personRef]bool{}
	for _, r := range rows {
		if !r.ok() {
			continue
		}
		if !counted[r.person] {
			counted[r.person] = true
			r.person.used = true
			countFound(&rep.Participants, r.person.existing != nil)
		}
		r.status = rowCreated
		if r.person.existing != nil {
			old, err := hi.declared(ctx, r.market.ID, r.company)
			if err != nil {
				return err
			}
			if d, ok := old[r.key()]; ok {
				r.status = rowUpdated
				if d.Hours == r.hours && d.Mode == r.mode && d.ViaOrgID == r.via {
					r.status = rowUnchanged
				}
			}
		}
		switch r.status {
		case rowCreated:
			rep.Lines.Created++
		case rowUpdated:
			rep.Lines.Replaced++
		default:
			rep.Lines.Unchanged++
		}
	}
	return nil
}

// declared returns the lines already declared by a company on a market, by key.
func (hi *hoursImport) declared(ctx context.Context, marketID, companyID string) (map[declarationKey]Declaration, error) {
	pair := [2]string{marketID, companyID}
	if m, ok := hi.lines[pair]; ok {
		return m, nil
	}
	rows, err := hi.s.db.QueryContext(ctx, `SELECT participant_id, month, contract_type, mode, centihours, via_org_id
		FROM clause_hours WHERE market_id = $1 AND company_org_id = $2`, marketID, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[declarationKey]Declaration{}
	for rows.Next() {
		d := Declaration{MarketID: marketID, CompanyOrgID: companyID}
		var month string
		if err := rows.Scan(&d.ParticipantID, &month, &d.ContractType, &d.Mode, &d.Hours, &d.ViaOrgID); err != nil {
			return nil, err
		}
		d.Month = Month(month)
		m[d.key()] = d
	}
	hi.lines[pair] = m
	return m, rows.Err()
}

// write records the new participants and the lines in the caller's
// transaction; a line of the same key is replaced with its history.
func (hi *hoursImport) write(ctx context.Context, tx *db.Tx, rows []*hoursRow, rep *ImportReport) error {
	var events []audit.Event
	recorded := map[*personRef]bool{}
	stale := staleYears{}
	now := db.Now()
	for _, r := range rows {
		if !r.ok() {
			continue
		}
		p := r.person
		if p.existing == nil && !recorded[p] {
			recorded[p] = true
			if err := insertParticipant(ctx, tx, p.p, hi.a.OrgID); err != nil {
				return err
			}
			events = append(events, audit.Event{Action: "clause_participant.create", ObjectType: "clause_participant", ObjectID: p.p.ID})
		}
		d := Declaration{Territory: r.market.Territory, MarketID: r.market.ID, CompanyOrgID: r.company, ParticipantID: p.id(),
			Month: r.month, ContractType: r.contract, Mode: r.mode, Hours: r.hours, ViaOrgID: r.via, Source: "import"}
		id, changed, err := upsertDeclaration(ctx, tx, d, hi.a.UserID, now)
		if err != nil {
			return err
		}
		if changed {
			stale.add(d)
			personID := ""
			if p.existing != nil {
				personID = p.existing.PersonID
			}
			events = append(events, audit.Event{Action: "clause_hours.declare", ObjectType: "clause_hours", ObjectID: id, PersonID: personID,
				Detail: string(r.month) + " " + r.hours.String() + " h (import)"})
		}
	}
	if err := stale.refresh(ctx, tx); err != nil {
		return err
	}
	events = append(events, audit.Event{Action: "clause_hours.import", ObjectType: "clause_hours",
		Detail: fmt.Sprintf("lignes : %d créées, %d remplacées, %d inchangées ; %d participant(s) enregistré(s) ; %d ligne(s) rejetée(s)",
			rep.Lines.Created, rep.Lines.Replaced, rep.Lines.Unchanged, rep.Participants.Created, rep.Rejected)})
	return logImportEvents(ctx, tx, hi.a, events)
}

// attachable reports, once per participant, whether the actor may add hours
// to the recorded participant a row names (see Service.mayAttach).
func (p *personRef) attachable(ctx context.Context, hi *hoursImport, d Participant) bool {
	if p.may == nil {
		ok, err := hi.s.mayAttach(ctx, hi.s.db, hi.a, *p.existing, d)
		ok = ok && err == nil
		p.may = &ok
	}
	return *p.may
}
