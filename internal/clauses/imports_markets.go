package clauses

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"tremplin/internal/orgs"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/validate"
)

// ImportMarkets reads a file of markets, one row per market and awarded
// company with the market's fields repeated. It creates what the rows name
// and the database lacks — the operation (followed by the actor's
// organisation), the public buyer, the market, the company (by SIRET) — and
// sets each company's share of the hours. Every row is checked before
// anything is written; a file with a bad row is refused whole unless
// AcceptValid. Importing the same file again changes nothing. Awards the
// file does not name are left as they are.
func (s *Service) ImportMarkets(ctx context.Context, a access.Actor, t *tabular.Table, opt ImportOptions) (ImportReport, error) {
	rep := ImportReport{Kind: "markets", DryRun: opt.DryRun, Errors: []ImportError{}}
	if !access.CanCreateOperation(a) {
		return rep, errs.New(errs.Forbidden, "Seuls les facilitateurs des clauses importent des marchés.")
	}
	if a.Territory == "" {
		return rep, errNoTerritory
	}
	cols, err := importColumns(t.Header(), MarketsFileColumns)
	if err != nil {
		return rep, err
	}
	rows, err := readFileRows(t, cols, &rep)
	if err != nil {
		return rep, err
	}
	mi := &marketImport{s: s, a: a, ops: map[string]*opPlan{}, markets: map[string]*marketPlan{},
		companies: map[string]*companyPlan{}}
	if mi.buyers, err = s.territoryBuyers(ctx, a.Territory); err != nil {
		return rep, err
	}
	parsed := make([]*marketRow, 0, len(rows))
	for _, r := range rows {
		mr, err := mi.parse(ctx, r)
		if err != nil {
			return rep, err
		}
		parsed = append(parsed, mr)
	}
	checkMarketRows(parsed)
	if err := concludeImport(rows, t.Header(), opt, &rep); err != nil {
		return rep, err
	}
	mi.plan(parsed, &rep)
	if opt.DryRun {
		return rep, nil
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return mi.write(ctx, tx, &rep) })
	if err != nil {
		return rep, importConflict(err)
	}
	return rep, nil
}

// marketImport is an import of markets under way: what the rows name, found
// in the database or to create.
type marketImport struct {
	s         *Service
	a         access.Actor
	ops       map[string]*opPlan      // by folded name
	buyers    map[string]*buyerPlan   // by folded name
	companies map[string]*companyPlan // by SIRET
	markets   map[string]*marketPlan  // by reference
	order     []*marketPlan
}

type opPlan struct {
	op       Operation
	existing bool
	refused  string // why the actor may not use it
	used     bool
}

type buyerPlan struct {
	id, name string
	existing bool
	used     bool
}

type companyPlan struct {
	id, siret string
	existing  bool
	used      bool
}

// marketPlan is a market as the file leaves it, with its awards.
type marketPlan struct {
	old     *Market // nil for a new market
	refused string
	m       Market
	awards  []*awardPlan
	planned bool
}

type awardPlan struct {
	aw      Award
	status  importChange
	company *companyPlan
}

// importChange is what an import does to a record.
type importChange int

const (
	rowUnchanged importChange = iota
	rowCreated
	rowUpdated
)

// marketRow is a row of a file of markets, checked.
type marketRow struct {
	*fileRow
	fields    marketFields
	opName    string
	buyerName string
	siret     string
	share     Hours
}

// marketFields are the fields of a market every row of it repeats.
type marketFields struct {
	operation, reference, title, buyer, clauseType string
	required                                       Hours
	start, end                                     time.Time
}

// differs names the first column where two rows of a market disagree.
func (f marketFields) differs(g marketFields) string {
	switch {
	case f.operation != g.operation:
		return "operation"
	case f.title != g.title:
		return "intitule"
	case f.buyer != g.buyer:
		return "donneur_ordre"
	case f.clauseType != g.clauseType:
		return "type_clause"
	case f.required != g.required:
		return "heures_requises"
	case !f.start.Equal(g.start):
		return "date_debut"
	case !f.end.Equal(g.end):
		return "date_fin"
	}
	return ""
}

// parse checks a row and finds in the database what it names.
func (mi *marketImport) parse(ctx context.Context, r *fileRow) (*marketRow, error) {
	mr := &marketRow{fileRow: r}
	if !r.ok() {
		return mr, nil
	}
	f := &mr.fields
	mr.opName, f.reference, f.title, mr.buyerName = r.get("operation"), r.get("reference"), r.get("intitule"), r.get("donneur_ordre")
	f.operation, f.buyer = refdata.Fold(mr.opName), refdata.Fold(mr.buyerName)
	requireText(r, "operation", mr.opName, 200, "le nom de l'opération")
	requireText(r, "reference", f.reference, 100, "la référence du marché")
	requireText(r, "intitule", f.title, 500, "l'intitulé du marché")
	requireText(r, "donneur_ordre", mr.buyerName, 200, "le nom de l'acheteur public")
	// Names are matched without case, accents nor punctuation: one needs letters or digits.
	if mr.opName != "" && f.operation == "" {
		r.fail("operation", "le nom de l'opération doit contenir des lettres ou des chiffres.")
	}
	if mr.buyerName != "" && f.buyer == "" {
		r.fail("donneur_ordre", "le nom de l'acheteur public doit contenir des lettres ou des chiffres.")
	}
	if f.clauseType = importCode(r.get("type_clause")); !valid(ClauseTypes, f.clauseType) {
		r.fail("type_clause", "type de clause inconnu « "+clipped(r.get("type_clause"))+" » : "+codes(ClauseTypes)+".")
	}
	if v := r.get("heures_requises"); v == "" {
		r.fail("heures_requises", "les heures d'insertion dues sont obligatoires.")
	} else if h, err := parseImportHours(v); err != nil {
		r.fail("heures_requises", errs.MessageOf(err))
	} else {
		f.required = h
	}
	var err error
	if f.start, err = parseDate(r.get("date_debut")); err != nil {
		r.fail("date_debut", "date attendue (AAAA-MM-JJ ou JJ/MM/AAAA).")
	}
	if f.end, err = parseDate(r.get("date_fin")); err != nil {
		r.fail("date_fin", "date attendue (AAAA-MM-JJ ou JJ/MM/AAAA).")
	} else if !f.start.IsZero() && f.end.Before(f.start) {
		r.fail("date_fin", "la fin du marché précède son début.")
	}
	mr.siret = r.get("siret_attributaire")
	if mr.siret != "" {
		if mr.siret, err = validate.NormalizeSIRET(mr.siret); err != nil {
			r.fail("siret_attributaire", err.Error()+".")
		}
	}
	if v := r.get("heures_attributaire"); v != "" {
		if mr.share, err = parseImportHours(v); err != nil {
			r.fail("heures_attributaire", errs.MessageOf(err))
		} else if r.get("siret_attributaire") == "" {
			r.fail("siret_attributaire", "indiquez le SIRET de l'entreprise qui porte ces heures.")
		}
	}
	return mr, mi.resolve(ctx, mr)
}

// requireText checks that a mandatory text is there and not too long.
func requireText(r *fileRow, col, v string, max int, what string) {
	switch {
	case v == "":
		r.fail(col, what+" est obligatoire.")
	case utf8.RuneCountInString(v) > max:
		r.fail(col, fmt.Sprintf("%s dépasse %d caractères.", what, max))
	}
}

// resolve finds the operation, the market and the company of a row, and
// checks that the actor may change them.
func (mi *marketImport) resolve(ctx context.Context, mr *marketRow) error {
	if mr.fields.operation != "" {
		op, err := mi.operation(ctx, mr.opName)
		if err != nil {
			return err
		}
		if op.refused != "" {
			mr.fail("operation", op.refused)
		}
	}
	if ref := mr.fields.reference; ref != "" && utf8.RuneCountInString(ref) <= 100 {
		mp, err := mi.market(ctx, ref)
		if err != nil {
			return err
		}
		if mp.refused != "" {
			mr.fail("reference", mp.refused)
		}
	}
	if mr.siret != "" && mr.ok() {
		if _, err := mi.company(ctx, mr.siret); err != nil {
			return err
		}
	}
	return nil
}

func (mi *marketImport) operation(ctx context.Context, name string) (*opPlan, error) {
	key := refdata.Fold(name)
	if op, ok := mi.ops[key]; ok {
		return op, nil
	}
	old, found, err := findOperationByName(ctx, mi.s.db, mi.a.Territory, name)
	if err != nil {
		return nil, err
	}
	op := &opPlan{op: old, existing: found}
	switch {
	case found && !operationWritable(mi.a, old):
		op.refused = "l'opération « " + clipped(name) + " » est suivie par une autre structure : vous ne pouvez pas y ajouter de marché."
	case !found:
		now := db.Now()
		op.op = Operation{ID: db.NewID(), Territory: mi.a.Territory, Name: name, FacilitatorOrgID: mi.a.OrgID, CreatedAt: now, UpdatedAt: now}
		if !mi.a.System {
			op.op.FacilitatorUserID = mi.a.UserID
		}
	}
	mi.ops[key] = op
	return op, nil
}

func (mi *marketImport) market(ctx context.Context, ref string) (*marketPlan, error) {
	if mp, ok := mi.markets[ref]; ok {
		return mp, nil
	}
	old, found, err := findMarketByReference(ctx, mi.s.db, mi.a.Territory, ref)
	if err != nil {
		return nil, err
	}
	mp := &marketPlan{}
	if found {
		mp.old = &old
		if !access.CanMarket(mi.a, marketFacts(old), access.Write) || mi.a.Has(access.RolePublicBuyer) {
			mp.refused = "le marché « " + clipped(ref) + " » est suivi par une autre structure : vous ne pouvez pas le modifier."
		}
	}
	mi.markets[ref] = mp
	return mp, nil
}

func (mi *marketImport) company(ctx context.Context, siret string) (*companyPlan, error) {
	if c, ok := mi.companies[siret]; ok {
		return c, nil
	}
	id, _, found, err := orgBySIRET(ctx, mi.s.db, siret)
	if err != nil {
		return nil, err
	}
	c := &companyPlan{id: id, siret: siret, existing: found}
	if !found {
		c.id = db.NewID()
	}
	mi.companies[siret] = c
	return c, nil
}

// territoryBuyers returns the public buyers of a territory by folded name;
// the département itself buys too (the collèges' markets).
func (s *Service) territoryBuyers(ctx context.Context, territory string) (map[string]*buyerPlan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM organisations
		WHERE territory = $1 AND kind IN ($2, $3) AND disabled_at IS NULL
		ORDER BY CASE kind WHEN $2 THEN 0 ELSE 1 END, created_at, id`,
		territory, string(orgs.KindPublicBuyer), string(orgs.KindDepartement))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*buyerPlan{}
	for rows.Next() {
		b := &buyerPlan{existing: true}
		if err := rows.Scan(&b.id, &b.name); err != nil {
			return nil, err
		}
		if _, taken := out[refdata.Fold(b.name)]; !taken {
			out[refdata.Fold(b.name)] = b
		}
	}
	return out, rows.Err()
}

// checkMarketRows checks the rows against each other: the rows of a market
// repeat its fields, and name each company once.
func checkMarketRows(rows []*marketRow) {
	first := map[string]*marketRow{}
	for _, r := range rows {
		if !r.ok() {
			continue
		}
		f, seen := first[r.fields.reference]
		if !seen {
			first[r.fields.reference] = r
			continue
		}
		if col := f.fields.differs(r.fields); col != "" {
			r.fail(col, fmt.Sprintf("le marché « %s » est décrit autrement ligne %d : ses champs doivent se répéter à l'identique sur chacune de ses lignes.",
				clipped(r.fields.reference), f.line))
		}
	}
	type pair struct{ ref, siret string }
	byAward := map[pair][]*marketRow{}
	var pairs []pair
	for _, r := range rows {
		if !r.ok() || r.siret == "" {
			continue
		}
		k := pair{r.fields.reference, r.siret}
		if len(byAward[k]) == 0 {
			pairs = append(pairs, k)
		}
		byAward[k] = append(byAward[k], r)
	}
	for _, k := range pairs {
		same := byAward[k]
		if len(same) < 2 {
			continue
		}
		lines := make([]int, len(same))
		for i, r := range same {
			lines[i] = r.line
		}
		msg := fmt.Sprintf("l'entreprise %s apparaît plusieurs fois sur le marché « %s » (%s) : une ligne par entreprise.",
			k.siret, clipped(k.ref), linesLabel(lines))
		for _, r := range same {
			r.fail("siret_attributaire", msg)
		}
	}
}

// plan decides, from the valid rows, what to create and change, and counts it.
func (mi *marketImport) plan(rows []*marketRow, rep *ImportReport) {
	for _, r := range rows {
		if !r.ok() {
			continue
		}
		mp := mi.markets[r.fields.reference]
		if !mp.planned {
			mi.planMarket(mp, r)
		}
		if r.siret != "" {
			mi.planAward(mp, mi.companies[r.siret], r.share)
		}
	}
	for _, op := range mi.ops {
		if op.used {
			countFound(&rep.Operations, op.existing)
		}
	}
	for _, b := range mi.buyers {
		if b.used {
			countFound(&rep.Buyers, b.existing)
		}
	}
	for _, c := range mi.companies {
		if c.used {
			countFound(&rep.Companies, c.existing)
		}
	}
	for _, mp := range mi.order {
		countChange(&rep.Markets, marketChange(mp))
		for _, ap := range mp.awards {
			countChange(&rep.Awards, ap.status)
		}
	}
}

func countFound(c *ImportCount, existing bool) {
	if existing {
		c.Unchanged++
	} else {
		c.Created++
	}
}

func countChange(c *ImportCount, ch importChange) {
	switch ch {
	case rowCreated:
		c.Created++
	case rowUpdated:
		c.Updated++
	default:
		c.Unchanged++
	}
}

// planMarket sets a market's fields from the first valid row naming it.
func (mi *marketImport) planMarket(mp *marketPlan, r *marketRow) {
	mp.planned = true
	mi.order = append(mi.order, mp)
	op := mi.ops[r.fields.operation]
	op.used = true
	b, ok := mi.buyers[r.fields.buyer]
	if !ok {
		b = &buyerPlan{id: db.NewID(), name: r.buyerName}
		mi.buyers[r.fields.buyer] = b
	}
	b.used = true
	now := db.Now()
	if mp.old != nil {
		mp.m = *mp.old
	} else {
		mp.m = Market{ID: db.NewID(), Territory: mi.a.Territory, HoursRule: "fixed", FacilitatorOrgID: op.op.FacilitatorOrgID, CreatedAt: now}
	}
	m := &mp.m
	if m.Required != r.fields.required {
		// The file says the hours owed: a rule that gives other hours no longer applies.
		m.HoursRule = "fixed"
	}
	m.OperationID, m.OperationName, m.BuyerOrgID, m.BuyerName = op.op.ID, op.op.Name, b.id, b.name
	m.Reference, m.Title, m.ClauseType, m.Required = r.fields.reference, r.fields.title, r.fields.clauseType, r.fields.required
	m.Start, m.End, m.UpdatedAt = r.fields.start, r.fields.end, now
}

// marketChange compares a market as the file leaves it with what it was.
func marketChange(mp *marketPlan) importChange {
	o, m := mp.old, mp.m
	switch {
	case o == nil:
		return rowCreated
	case o.OperationID != m.OperationID || o.BuyerOrgID != m.BuyerOrgID || o.Title != m.Title || o.ClauseType != m.ClauseType ||
		o.Required != m.Required || o.HoursRule != m.HoursRule || !o.Start.Equal(m.Start) || !o.End.Equal(m.End):
		return rowUpdated
	}
	return rowUnchanged
}

// planAward sets a company's share on a market. A company already awarded
// keeps its position; a new one is the holder when the market has none yet,
// a co-contractor otherwise.
func (mi *marketImport) planAward(mp *marketPlan, c *companyPlan, share Hours) {
	c.used = true
	holder := false
	if mp.old != nil {
		for _, aw := range mp.old.Awards {
			holder = holder || aw.Role == "holder"
			if c.existing && aw.CompanyOrgID == c.id {
				ap := &awardPlan{aw: aw, company: c, status: rowUnchanged}
				if aw.Share != share {
					ap.aw.Share, ap.status = share, rowUpdated
				}
				mp.awards = append(mp.awards, ap)
				return
			}
		}
	}
	for _, ap := range mp.awards {
		holder = holder || ap.aw.Role == "holder"
	}
	role := "cocontractor"
	if !holder {
		role = "holder"
	}
	mp.awards = append(mp.awards, &awardPlan{company: c, status: rowCreated,
		aw: Award{ID: db.NewID(), MarketID: mp.m.ID, CompanyOrgID: c.id, Role: role, Share: share, Fulfilment: []string{}}})
}

// write applies the plan in the caller's transaction, with its audit trail.
func (mi *marketImport) write(ctx context.Context, tx *db.Tx, rep *ImportReport) error {
	var events []audit.Event
	for _, op := range mi.ops {
		if !op.used || op.existing {
			continue
		}
		if err := insertOperation(ctx, tx, op.op); err != nil {
			return err
		}
		events = append(events, audit.Event{Action: "clause_operation.create", ObjectType: "clause_operation", ObjectID: op.op.ID})
	}
	now := db.Now()
	for _, b := range mi.buyers {
		if !b.used || b.existing {
			continue
		}
		o := orgs.Organisation{ID: b.id, Name: b.name, Kind: orgs.KindPublicBuyer, Territory: mi.a.Territory, CreatedAt: now}
		if err := orgs.Insert(ctx, tx, o); err != nil {
			return err
		}
		events = append(events, audit.Event{Action: "organisation.create", ObjectType: "organisation", ObjectID: b.id, Detail: "acheteur public (import de marchés)"})
	}
	for _, c := range mi.companies {
		if !c.used || c.existing {
			continue
		}
		o := orgs.Organisation{ID: c.id, Name: "Entreprise " + c.siret, Kind: orgs.KindEmployer, Territory: mi.a.Territory, SIRET: c.siret, CreatedAt: now}
		if err := orgs.Insert(ctx, tx, o); err != nil {
			return err
		}
		events = append(events, audit.Event{Action: "organisation.create", ObjectType: "organisation", ObjectID: c.id, Detail: "entreprise (import de marchés)"})
	}
	for _, mp := range mi.order {
		ev, err := mi.writeMarket(ctx, tx, mp, now)
		if err != nil {
			return err
		}
		events = append(events, ev...)
	}
	events = append(events, audit.Event{Action: "clause_market.import", ObjectType: "clause_market",
		Detail: fmt.Sprintf("marchés : %d créés, %d modifiés, %d inchangés ; attributions : %d créées, %d modifiées ; %d ligne(s) rejetée(s)",
			rep.Markets.Created, rep.Markets.Updated, rep.Markets.Unchanged, rep.Awards.Created, rep.Awards.Updated, rep.Rejected)})
	return logImportEvents(ctx, tx, mi.a, events)
}

func (mi *marketImport) writeMarket(ctx context.Context, tx *db.Tx, mp *marketPlan, now time.Time) ([]audit.Event, error) {
	var events []audit.Event
	switch marketChange(mp) {
	case rowCreated:
		if err := insertMarket(ctx, tx, mp.m); err != nil {
			return nil, err
		}
		events = append(events, audit.Event{Action: "clause_market.create", ObjectType: "clause_market", ObjectID: mp.m.ID})
	case rowUpdated:
		if err := updateMarket(ctx, tx, mp.m); err != nil {
			return nil, err
		}
		events = append(events, audit.Event{Action: "clause_market.update", ObjectType: "clause_market", ObjectID: mp.m.ID})
	}
	for _, ap := range mp.awards {
		if ap.status == rowUnchanged {
			continue
		}
		if err := upsertAward(ctx, tx, ap.aw, now); err != nil {
			return nil, err
		}
		events = append(events, audit.Event{Action: "clause_award.set", ObjectType: "clause_market", ObjectID: mp.m.ID, Detail: "entreprise " + ap.company.id})
	}
	return events, nil
}
