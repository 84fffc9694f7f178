package clauses_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"tremplin/internal/clauses"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

// The benchmark of the territory's annual report (bench/clauses.sh): a
// département of 1,000,000 monthly declarations over five years, built
// deterministically, and a neighbouring territory whose lines the report must
// leave out. The baseline, measured in the same run, is the naive scan: every
// line of the territory read with its participant's public, the period and
// the figures worked out in Go. Both must give the same figures.

// benchTerritory is the size of one territory's clauses.
type benchTerritory struct {
	code                 string
	operations, markets  int
	participants, lines  int
	facilitators, buyers int
}

// benchTerritories are the Pas-de-Calais measured and the Nord beside it.
var benchTerritories = []benchTerritory{
	{code: "62", operations: 60, markets: 1000, participants: 60000, lines: 1_000_000, facilitators: 6, buyers: 40},
	{code: "59", operations: 6, markets: 100, participants: 6000, lines: 100_000, facilitators: 1, buyers: 5},
}

const (
	benchCompanies = 2500
	benchSIAE      = 40
	// benchMonths are 2021-01 to 2025-12: every line falls in them.
	benchMonths = 60
)

// weighted is a code drawn with a weight.
type weighted struct {
	code   string
	weight int
}

// benchPublics follow the seeds: close to half of the participants receive the RSA.
var benchPublics = []weighted{{"BRSA", 45}, {"DELD", 20}, {"JEUNE_26", 14}, {"RQTH", 7}, {"MINIMA_SOCIAUX", 6}, {"SIAE", 5}, {"AUTRE", 3}}

var benchContracts = []weighted{{"CDD", 28}, {"INTERIM", 25}, {"CDDI", 15}, {"CDI", 10}, {"APPRENTISSAGE", 6}, {"PROFESSIONNALISATION", 6}, {"FORMATION", 10}}

func draw(r *rand.Rand, w []weighted) string {
	total := 0
	for _, x := range w {
		total += x.weight
	}
	n := r.IntN(total)
	for _, x := range w {
		if n < x.weight {
			return x.code
		}
		n -= x.weight
	}
	return w[len(w)-1].code
}

// benchMonth returns the month i months after 2021-01.
func benchMonth(i int) string { return fmt.Sprintf("%04d-%02d", 2021+i/12, i%12+1) }

// benchMarket is what the builder keeps of a market to place its lines.
type benchMarket struct {
	id, operation, facilitator string
	first, last                int // months of the dates, as indexes from 2021-01
	companies                  []int
}

// benchData is the built database and what the checks need from it.
type benchData struct {
	deptOrg      string
	facilitators map[string][]string // territory → PLIE ids
	markets      map[string]benchMarket
	lines        int
	// totals is the time taken to build the yearly totals of all the lines.
	totals time.Duration
}

// builder writes the rows in multi-row INSERTs inside one transaction.
type builder struct {
	ctx context.Context
	tx  *db.Tx
	rnd *rand.Rand
	seq uint64
	now time.Time
}

// id returns a UUID-shaped identifier, increasing like the UUIDv7 the application makes.
func (g *builder) id() string {
	g.seq++
	r := g.rnd.Uint64()
	return fmt.Sprintf("0190%04x-%04x-7%03x-%04x-%012x", uint16(g.seq>>16), uint16(g.seq), r&0xfff, 0x8000|(r>>12)&0x3fff, (r>>26)&0xffffffffffff)
}

// batch accumulates the rows of one table and flushes them as multi-row INSERTs.
type batch struct {
	g     *builder
	head  string
	ncols int
	rows  int
	args  []any
}

func (g *builder) batch(table string, cols ...string) *batch {
	return &batch{g: g, head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ", ncols: len(cols)}
}

// add appends a row, flushing every 1,000 rows (14,000 parameters at most: under both engines' limits).
func (b *batch) add(vals ...any) error {
	if len(vals) != b.ncols {
		return fmt.Errorf("%s: %d values for %d columns", b.head, len(vals), b.ncols)
	}
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows == 1000 {
		return b.flush()
	}
	return nil
}

func (b *batch) flush() error {
	if b.rows == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(b.head)
	for i := range b.rows {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range b.ncols {
			if j > 0 {
				q.WriteByte(',')
			}
			if b.g.tx.Dialect() == db.SQLite {
				// SQLite looks "$n" up among the statement's named
				// parameters: with 14,000 of them, each bind costs a scan.
				q.WriteByte('?')
			} else {
				q.WriteString("$" + strconv.Itoa(i*b.ncols+j+1))
			}
		}
		q.WriteByte(')')
	}
	_, err := b.g.tx.ExecContext(b.g.ctx, q.String(), b.args...)
	b.rows, b.args = 0, b.args[:0]
	return err
}

// buildClauses fills a migrated database with the benchmark's territories.
func buildClauses(ctx context.Context, d *db.DB) (*benchData, error) {
	data := &benchData{facilitators: map[string][]string{}, markets: map[string]benchMarket{}}
	if d.Dialect() == db.SQLite {
		// The writer's page cache holds the indexes being filled (2 MB by
		// default: random inserts would then spill to the WAL again and again);
		// it is set back once the data is written.
		if _, err := d.ExecContext(ctx, "PRAGMA cache_size = -1048576"); err != nil {
			return nil, err
		}
		defer d.ExecContext(ctx, "PRAGMA cache_size = -2000")
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		g := &builder{ctx: ctx, tx: tx, rnd: rand.New(rand.NewPCG(62, 2025)), now: time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)}
		companies, siae, err := g.organisations(data)
		if err != nil {
			return err
		}
		for ti, t := range benchTerritories {
			if err := g.territory(data, ti, t, companies, siae); err != nil {
				return err
			}
		}
		// The lines were inserted directly: their yearly totals are built as the demo's are.
		start := time.Now()
		err = clauses.RebuildYearTotals(ctx, tx)
		data.totals = time.Since(start)
		return err
	})
	return data, err
}

// organisations writes the département, the companies and the SIAE shared by both territories.
func (g *builder) organisations(data *benchData) (companies, siae []string, err error) {
	b := g.batch("organisations", "id", "name", "kind", "siae_kind", "territory", "siret", "search_name", "created_at")
	org := func(name, kind, siaeKind, territory string) (string, error) {
		id := g.id()
		return id, b.add(id, name, kind, siaeKind, territory, "", " "+refdata.Fold(name), g.now)
	}
	if data.deptOrg, err = org("Département du Pas-de-Calais", "departement", "", "62"); err != nil {
		return nil, nil, err
	}
	for i := range benchCompanies {
		id, err := org(fmt.Sprintf("Entreprise %04d BTP", i), "employer", "", "62")
		if err != nil {
			return nil, nil, err
		}
		companies = append(companies, id)
	}
	for i := range benchSIAE {
		id, err := org(fmt.Sprintf("ETTI %02d", i), "siae", "ETTI", "62")
		if err != nil {
			return nil, nil, err
		}
		siae = append(siae, id)
	}
	return companies, siae, b.flush()
}

// territory writes the PLIE, buyers, operations, markets, awards, participants and lines of one territory.
func (g *builder) territory(data *benchData, ti int, t benchTerritory, companies, siae []string) error {
	orgs := g.batch("organisations", "id", "name", "kind", "siae_kind", "territory", "siret", "search_name", "created_at")
	var plies, buyers []string
	for i := range t.facilitators + t.buyers {
		id, name, kind := g.id(), fmt.Sprintf("PLIE %s-%d", t.code, i), "plie"
		if i >= t.facilitators {
			name, kind = fmt.Sprintf("Acheteur %s-%d", t.code, i), "public_buyer"
			buyers = append(buyers, id)
		} else {
			plies = append(plies, id)
		}
		if err := orgs.add(id, name, kind, "", t.code, "", " "+refdata.Fold(name), g.now); err != nil {
			return err
		}
	}
	if err := orgs.flush(); err != nil {
		return err
	}
	data.facilitators[t.code] = plies
	markets, err := g.markets(data, t, plies, buyers, len(companies))
	if err != nil {
		return err
	}
	if err := g.awards(markets, companies); err != nil {
		return err
	}
	participants, err := g.participants(t, plies)
	if err != nil {
		return err
	}
	n, err := g.lines(t, ti, markets, companies, participants, siae)
	data.lines += n
	return err
}

// markets writes the operations and their markets, starting between 2021-01 and 2025-09, lasting 6 to 36 months.
func (g *builder) markets(data *benchData, t benchTerritory, plies, buyers []string, ncompanies int) ([]benchMarket, error) {
	ops := g.batch("clause_operations", "id", "territory", "name", "facilitator_org_id", "pooled", "search_name", "created_at", "updated_at")
	opIDs, opPLIE := make([]string, t.operations), make([]string, t.operations)
	for i := range t.operations {
		name := fmt.Sprintf("Opération %s-%02d", t.code, i)
		opIDs[i], opPLIE[i] = g.id(), plies[g.rnd.IntN(len(plies))]
		if err := ops.add(opIDs[i], t.code, name, opPLIE[i], i%5 == 0, refdata.Fold(name), g.now, g.now); err != nil {
			return nil, err
		}
	}
	if err := ops.flush(); err != nil {
		return nil, err
	}
	mb := g.batch("clause_markets", "id", "operation_id", "territory", "buyer_org_id", "reference", "title", "amount_cents",
		"start_date", "end_date", "clause_type", "required_centihours", "facilitator_org_id", "created_at", "updated_at")
	out := make([]benchMarket, t.markets)
	for i := range t.markets {
		op := g.rnd.IntN(t.operations)
		first := g.rnd.IntN(57)
		last := first + 5 + g.rnd.IntN(31)
		m := benchMarket{id: g.id(), operation: opIDs[op], facilitator: opPLIE[op], first: first, last: last,
			companies: slices.Clone(g.rnd.Perm(ncompanies)[:1+g.rnd.IntN(4)])}
		start := benchMonth(first) + fmt.Sprintf("-%02d", 1+g.rnd.IntN(28))
		end := fmt.Sprintf("%04d-%02d-%02d", 2021+last/12, last%12+1, 1+g.rnd.IntN(28))
		if err := mb.add(m.id, m.operation, t.code, buyers[g.rnd.IntN(len(buyers))], fmt.Sprintf("M%s-%04d", t.code, i),
			fmt.Sprintf("Lot %d", i), int64(50_000_00+g.rnd.IntN(5_000_000_00)), start, end, "execution",
			int64(500_00+g.rnd.IntN(20_000_00)), m.facilitator, g.now, g.now); err != nil {
			return nil, err
		}
		out[i] = m
		data.markets[m.id] = m
	}
	return out, mb.flush()
}

func (g *builder) awards(markets []benchMarket, companies []string) error {
	b := g.batch("clause_awards", "id", "market_id", "company_org_id", "role", "share_centihours", "fulfilment", "created_at")
	for _, m := range markets {
		for j, c := range m.companies {
			role := "holder"
			if j > 0 {
				role = []string{"cocontractor", "subcontractor"}[g.rnd.IntN(2)]
			}
			if err := b.add(g.id(), m.id, companies[c], role, int64(100_00+g.rnd.IntN(5000_00)), "direct_hire", g.now); err != nil {
				return err
			}
		}
	}
	return b.flush()
}

var benchFirstNames = []string{"Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès", "Jules", "Karim", "Léa", "Mehdi", "Nora", "Océane", "Paul"}
var benchLastNames = []string{"Martin", "Bernard", "Dubois", "Lefebvre", "Leroy", "Roux", "Petit", "Durand", "Moreau", "Lambert", "Fontaine", "Caron", "Dupont", "Lemaire"}

// participants writes a territory's participants: publics as in the seeds, one in four a woman, a few without birth date.
func (g *builder) participants(t benchTerritory, plies []string) ([]string, error) {
	b := g.batch("clause_participants", "id", "territory", "external_id", "first_name", "last_name", "birth_date", "sex",
		"qpv", "public", "public_reason", "match_key", "search_name", "created_by_org", "created_at", "updated_at")
	ids := make([]string, t.participants)
	for i := range t.participants {
		first, last := benchFirstNames[g.rnd.IntN(len(benchFirstNames))], benchLastNames[g.rnd.IntN(len(benchLastNames))]
		var birth any
		key := refdata.Fold(last) + "|" + refdata.Fold(first)
		if g.rnd.IntN(20) > 0 {
			bd := fmt.Sprintf("%04d-%02d-%02d", 1960+g.rnd.IntN(47), 1+g.rnd.IntN(12), 1+g.rnd.IntN(28))
			birth, key = bd, key+"|"+bd
		}
		sex := "M"
		if g.rnd.IntN(4) == 0 {
			sex = "F"
		}
		public, reason := draw(g.rnd, benchPublics), ""
		if public == "AUTRE" {
			reason = "Avis motivé du facilitateur"
		}
		ids[i] = g.id()
		if err := b.add(ids[i], t.code, fmt.Sprintf("P%s-%06d", t.code, i), first, last, birth, sex, g.rnd.IntN(10) < 3,
			public, reason, key, refdata.Fold(last+" "+first), plies[g.rnd.IntN(len(plies))], g.now, g.now); err != nil {
			return nil, err
		}
	}
	return ids, b.flush()
}

// modeOf returns how the hours of a contract were obtained, and whether an SIAE placed the person.
func modeOf(r *rand.Rand, contract string) (string, bool) {
	switch contract {
	case "INTERIM":
		return "MISE_A_DISPOSITION", true
	case "CDDI":
		if r.IntN(5) < 3 {
			return "SOUS_TRAITANCE", true
		}
		return "MISE_A_DISPOSITION", true
	case "FORMATION":
		return "FORMATION", false
	}
	if r.IntN(10) == 0 {
		return "COTRAITANCE", true
	}
	return "EMBAUCHE_DIRECTE", false
}

// lines writes exactly t.lines monthly lines: runs of 1 to 12 months of one
// participant for one company on one market, inside the market's dates and
// before 2026, on markets drawn by their months × companies; a key already
// written is skipped, so the unique key holds.
func (g *builder) lines(t benchTerritory, ti int, markets []benchMarket, companies, participants, siae []string) (int, error) {
	cum := make([]int, len(markets))
	total := 0
	for i, m := range markets {
		total += (min(m.last, benchMonths-1) - m.first + 1) * len(m.companies)
		cum[i] = total
	}
	b := g.batch("clause_hours", "id", "territory", "market_id", "company_org_id", "participant_id", "month", "contract_type",
		"mode", "centihours", "via_org_id", "source", "created_at", "updated_at")
	seen := make(map[uint64]bool, t.lines)
	n := 0
	for n < t.lines {
		mi := sort.SearchInts(cum, g.rnd.IntN(total)+1)
		m := markets[mi]
		c := m.companies[g.rnd.IntN(len(m.companies))]
		p := g.rnd.IntN(len(participants))
		contract := draw(g.rnd, benchContracts)
		ci := slices.IndexFunc(benchContracts, func(w weighted) bool { return w.code == contract })
		mode, placed := modeOf(g.rnd, contract)
		via := ""
		if placed {
			via = siae[g.rnd.IntN(len(siae))]
		}
		last := min(m.last, benchMonths-1)
		from := m.first + g.rnd.IntN(last-m.first+1)
		to := min(from+g.rnd.IntN(12), last)
		for month := from; month <= to && n < t.lines; month++ {
			key := uint64(ti)<<60 | uint64(mi)<<40 | uint64(c)<<27 | uint64(p)<<10 | uint64(month)<<3 | uint64(ci)
			if seen[key] {
				continue
			}
			seen[key] = true
			if err := b.add(g.id(), t.code, m.id, companies[c], participants[p], benchMonth(month), contract, mode,
				int64(700+g.rnd.IntN(15167-700+1)), via, "import", g.now, g.now); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, b.flush()
}

// lineTotals are the figures of a report that come from the lines.
type lineTotals struct {
	Hours                clauses.Hours
	Participants         int
	ParticipantsByPublic map[string]int
	ParticipantsBySex    map[string]int
	ParticipantsByAge    map[string]int
	ParticipantsQPV      int
	HoursByPublic        map[string]clauses.Hours
	HoursByContract      map[string]clauses.Hours
	HoursByMode          map[string]clauses.Hours
	Hires, Contracts     int
	ContractsByType      map[string]int
	ContractsByPublic    map[string]int
	lines                int
}

func totalsOf(r clauses.Report) lineTotals {
	return lineTotals{Hours: r.Hours, Participants: r.Participants, ParticipantsByPublic: r.ParticipantsByPublic,
		ParticipantsBySex: r.ParticipantsBySex, ParticipantsByAge: r.ParticipantsByAge, ParticipantsQPV: r.ParticipantsQPV,
		HoursByPublic: r.HoursByPublic, HoursByContract: r.HoursByContract, HoursByMode: r.HoursByMode,
		Hires: r.Hires, Contracts: r.Contracts, ContractsByType: r.ContractsByType, ContractsByPublic: r.ContractsByPublic}
}

// differences lists the figures on which two totals disagree.
func (a lineTotals) differences(b lineTotals) []string {
	var out []string
	check := func(name string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out = append(out, fmt.Sprintf("%s: report %v, naive scan %v", name, x, y))
		}
	}
	check("hours", a.Hours, b.Hours)
	check("participants", a.Participants, b.Participants)
	check("hires", a.Hires, b.Hires)
	check("contracts", a.Contracts, b.Contracts)
	check("participants in a QPV", a.ParticipantsQPV, b.ParticipantsQPV)
	for _, p := range clauses.Publics {
		check("participants "+p.Code, a.ParticipantsByPublic[p.Code], b.ParticipantsByPublic[p.Code])
		check("hours "+p.Code, a.HoursByPublic[p.Code], b.HoursByPublic[p.Code])
		check("contracts "+p.Code, a.ContractsByPublic[p.Code], b.ContractsByPublic[p.Code])
	}
	for _, c := range clauses.ContractTypes {
		check("contracts "+c.Code, a.ContractsByType[c.Code], b.ContractsByType[c.Code])
		check("hours "+c.Code, a.HoursByContract[c.Code], b.HoursByContract[c.Code])
	}
	for _, m := range clauses.Modes {
		check("hours "+m.Code, a.HoursByMode[m.Code], b.HoursByMode[m.Code])
	}
	for _, band := range clauses.AgeBands {
		check("participants "+band.Code, a.ParticipantsByAge[band.Code], b.ParticipantsByAge[band.Code])
	}
	for _, sex := range []string{"F", "M", "inconnu"} {
		check("participants "+sex, a.ParticipantsBySex[sex], b.ParticipantsBySex[sex])
	}
	return out
}

// naiveFigures is the baseline: every line of the territory with its
// participant's facts, the period and the markets kept in Go.
func naiveFigures(ctx context.Context, d *db.DB, territory string, from, to clauses.Month, keep map[string]bool) (lineTotals, error) {
	t := lineTotals{ParticipantsByPublic: map[string]int{}, ParticipantsBySex: map[string]int{}, ParticipantsByAge: map[string]int{},
		HoursByPublic: map[string]clauses.Hours{}, HoursByContract: map[string]clauses.Hours{}, HoursByMode: map[string]clauses.Hours{},
		ContractsByType: map[string]int{}, ContractsByPublic: map[string]int{}}
	rows, err := d.QueryContext(ctx, `SELECT h.participant_id, h.company_org_id, h.market_id, h.month, h.contract_type, h.mode,
		h.centihours, p.public, p.sex, p.birth_date, p.qpv
		FROM clause_hours h JOIN clause_participants p ON p.id = h.participant_id WHERE h.territory = $1`, territory)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	end := to.Start().AddDate(0, 1, -1)
	seen, hires, contracts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var pid, company, market, month, contract, mode, public, sex string
		var hours clauses.Hours
		var birth sql.NullTime
		var qpv bool
		if err := rows.Scan(&pid, &company, &market, &month, &contract, &mode, &hours, &public, &sex, &birth, &qpv); err != nil {
			return t, err
		}
		if clauses.Month(month) < from || clauses.Month(month) > to || keep != nil && !keep[market] {
			continue
		}
		t.lines++
		t.Hours += hours
		t.HoursByPublic[public] += hours
		t.HoursByContract[contract] += hours
		t.HoursByMode[mode] += hours
		if k := pid + "|" + company + "|" + market + "|" + contract; !contracts[k] {
			contracts[k] = true
			t.ContractsByType[contract]++
			t.ContractsByPublic[public]++
		}
		if mode == "EMBAUCHE_DIRECTE" && contract != "FORMATION" {
			hires[pid+"|"+company] = true
		}
		if !seen[pid] {
			seen[pid] = true
			t.ParticipantsByPublic[public]++
			if sex == "" {
				sex = "inconnu"
			}
			t.ParticipantsBySex[sex]++
			t.ParticipantsByAge[clauses.AgeBand(db.DayPtr(birth), end)]++
			if qpv {
				t.ParticipantsQPV++
			}
		}
	}
	t.Participants, t.Hires, t.Contracts = len(seen), len(hires), len(contracts)
	return t, rows.Err()
}

// timings runs f runs times and returns the durations sorted.
func timings(b *testing.B, runs int, f func() error) []time.Duration {
	b.Helper()
	out := make([]time.Duration, runs)
	for i := range out {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		out[i] = time.Since(start)
	}
	slices.Sort(out)
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchRuns is the number of timed runs of each measure (CLAUSES_RUNS, 7 by default).
func benchRuns() int {
	if n, err := strconv.Atoi(os.Getenv("CLAUSES_RUNS")); err == nil && n > 0 {
		return n
	}
	return 7
}

// BenchmarkClausesReport builds the data set on each engine and times the
// report against the naive scan; run it with -benchtime 1x (bench/clauses.sh).
func BenchmarkClausesReport(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchClausesReport(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchClausesReport(b, dbtest.Postgres(b)) })
}

// benchCase is one report measured: who asks, for what period and operation, and the markets it covers.
type benchCase struct {
	name     string
	actor    access.Actor
	filter   clauses.ReportFilter
	keep     map[string]bool
	from, to clauses.Month
}

func benchClausesReport(b *testing.B, d *db.DB) {
	ctx := context.Background()
	start := time.Now()
	data, err := buildClauses(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	built := time.Since(start)
	start = time.Now()
	if err := settle(ctx, d); err != nil {
		b.Fatal(err)
	}
	settled := time.Since(start)
	if want := 1_100_000; data.lines != want {
		b.Fatalf("%d lines built, want %d", data.lines, want)
	}
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	svc := clauses.NewService(d, people.NewService(d, box), clauses.Settings{})
	b.ResetTimer()
	for _, c := range benchCases(data) {
		runCase(b, ctx, d, svc, c)
	}
	b.ReportMetric(built.Seconds(), "build-s")
	b.ReportMetric(settled.Seconds(), "settle-s")
	b.ReportMetric(data.totals.Seconds(), "totals-s")
	b.ReportMetric(float64(benchTerritories[0].lines), "lines")
}

// settle leaves the database as a running server would after the bulk load:
// PostgreSQL's autovacuum would analyse the tables and mark their pages all
// visible (index-only scans need it) within minutes; on SQLite the 900 MB
// write-ahead log of the load is folded into the file, which every reader
// would otherwise search first (the application never runs ANALYZE there).
func settle(ctx context.Context, d *db.DB) error {
	if d.Dialect() == db.SQLite {
		_, err := d.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		return err
	}
	for _, t := range []string{"clause_operations", "clause_markets", "clause_awards", "clause_participants", "clause_hours", "clause_year_people", "clause_year_contracts", "organisations"} {
		if _, err := d.ExecContext(ctx, "VACUUM ANALYZE "+t); err != nil {
			return err
		}
	}
	return nil
}

// benchCases are the département's year 2025, its first facilitator's year
// 2025, and that facilitator's largest operation over its whole life.
func benchCases(data *benchData) []benchCase {
	year := clauses.ReportFilter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	manager := access.Actor{UserID: "bench-manager", OrgID: data.deptOrg, OrgKind: "departement", Territory: "62", Roles: []access.Role{access.RoleManager}}
	plie := data.facilitators["62"][0]
	facilitator := access.Actor{UserID: "bench-facilitator", OrgID: plie, OrgKind: "plie", Territory: "62", Roles: []access.Role{access.RoleFacilitator}}
	ofPLIE, byOperation := map[string]bool{}, map[string]map[string]bool{}
	for id, m := range data.markets {
		if m.facilitator != plie {
			continue
		}
		ofPLIE[id] = true
		if byOperation[m.operation] == nil {
			byOperation[m.operation] = map[string]bool{}
		}
		byOperation[m.operation][id] = true
	}
	largest := ""
	for op, ms := range byOperation {
		if largest == "" || len(ms) > len(byOperation[largest]) || len(ms) == len(byOperation[largest]) && op < largest {
			largest = op
		}
	}
	if largest == "" {
		panic("the first facilitator runs no market: change the seed")
	}
	life := clauses.ReportFilter{From: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), OperationID: largest}
	return []benchCase{
		{name: "territory", actor: manager, filter: year, from: "2025-01", to: "2025-12"},
		{name: "facilitator", actor: facilitator, filter: year, keep: ofPLIE, from: "2025-01", to: "2025-12"},
		{name: "operation", actor: facilitator, filter: life, keep: byOperation[largest], from: "2021-01", to: "2025-12"},
	}
}

// runCase checks the report against the naive scan, then times both (one untimed run each first).
func runCase(b *testing.B, ctx context.Context, d *db.DB, svc *clauses.Service, c benchCase) {
	b.Helper()
	r, err := svc.Report(ctx, c.actor, c.filter)
	if err != nil {
		b.Fatalf("%s: %v", c.name, err)
	}
	naive, err := naiveFigures(ctx, d, "62", c.from, c.to, c.keep)
	if err != nil {
		b.Fatalf("%s naive scan: %v", c.name, err)
	}
	if diff := totalsOf(r).differences(naive); len(diff) > 0 || r.Participants == 0 {
		b.Fatalf("%s: the report and the naive scan disagree:\n%s", c.name, strings.Join(diff, "\n"))
	}
	runs := benchRuns()
	rep := timings(b, runs, func() error { _, err := svc.Report(ctx, c.actor, c.filter); return err })
	scan := timings(b, runs, func() error { _, err := naiveFigures(ctx, d, "62", c.from, c.to, c.keep); return err })
	b.ReportMetric(ms(rep[0]), c.name+"-report-min-ms")
	b.ReportMetric(ms(rep[runs/2]), c.name+"-report-median-ms")
	b.ReportMetric(ms(scan[0]), c.name+"-naive-min-ms")
	b.ReportMetric(ms(scan[runs/2]), c.name+"-naive-median-ms")
	b.ReportMetric(float64(naive.lines), c.name+"-lines")
	b.ReportMetric(float64(r.Participants), c.name+"-participants")
	b.ReportMetric(float64(r.Markets), c.name+"-markets")
}
