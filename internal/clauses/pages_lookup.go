package clauses

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// The lookups below serve the pages: the choices of their selects, and the
// rows behind each figure of a report, counted the way the report counts them
// so that a figure and the page it links to always agree.

// orgChoice is an organisation offered in a select of the clause pages.
type orgChoice struct {
	ID, Name, Kind, SIAEKind, SIRET string
}

// Label names the organisation with its SIRET, which tells homonyms apart.
func (o orgChoice) Label() string {
	if o.SIRET == "" {
		return o.Name
	}
	return o.Name + " (SIRET " + o.SIRET + ")"
}

// Group is the heading of the organisation's kind in a select.
func (o orgChoice) Group() string {
	switch o.Kind {
	case "siae":
		return "Structures d'insertion (SIAE)"
	case "geiq":
		return "GEIQ"
	case "public_buyer", "departement":
		return "Acheteurs publics"
	}
	return "Entreprises"
}

var (
	buyerOrgKinds   = []string{"public_buyer", "departement"}
	companyOrgKinds = []string{"employer", "siae", "geiq"}
	partnerOrgKinds = []string{"siae", "geiq", "employer"}
)

// orgChoices lists the active organisations of some kinds in the actor's
// territory, for the forms of those who open markets and award them.
func (s *Service) orgChoices(ctx context.Context, a access.Actor, kinds ...string) ([]orgChoice, error) {
	if !access.CanCreateOperation(a) {
		return nil, errForbidden
	}
	w := &db.Where{}
	if a.Territory != "" {
		w.Add("territory = $%d", a.Territory)
	}
	marks := make([]string, len(kinds))
	for i, k := range kinds {
		marks[i] = w.Arg(k)
	}
	w.Raw("kind IN (" + strings.Join(marks, ", ") + ")")
	w.Raw("disabled_at IS NULL")
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, kind, siae_kind, siret FROM organisations`+w.String()+
		` ORDER BY kind, name, id`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []orgChoice
	for rows.Next() {
		var o orgChoice
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.SIAEKind, &o.SIRET); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// companyBySIRET finds the company, SIAE or GEIQ of a SIRET in the actor's
// territory, for the award form; the error names the field "siret".
func (s *Service) companyBySIRET(ctx context.Context, a access.Actor, siret string) (string, error) {
	if !access.CanCreateOperation(a) {
		return "", errForbidden
	}
	siret = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(siret)
	id, kind, ok, err := orgBySIRET(ctx, s.db, siret)
	if err != nil {
		return "", err
	}
	var territory string
	if ok {
		if err := s.db.QueryRowContext(ctx, `SELECT territory FROM organisations WHERE id = $1`, id).Scan(&territory); err != nil {
			return "", err
		}
	}
	if !ok || !slices.Contains(companyOrgKinds, kind) || a.Territory != "" && territory != a.Territory {
		return "", errs.FieldErrors{"siret": "Aucune entreprise, SIAE ou GEIQ du territoire ne porte ce SIRET : créez-la d'abord dans les structures."}.Err()
	}
	return id, nil
}

// lineCounts are the counts of a selection of lines that the report gives next to its hours.
type lineCounts struct {
	Participants int
	// Contracts counts the distinct participant × company × market × contract type.
	Contracts int
	// Hires counts the distinct participant × company hired directly (training aside).
	Hires int
}

// countLines counts the participants, contracts and hires of the lines a filter selects, within the actor's scope.
func (s *Service) countLines(ctx context.Context, a access.Actor, f HoursFilter) (lineCounts, error) {
	var c lineCounts
	w := f.where(access.ScopeForClauses(a))
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT h.participant_id)`+declarationFrom+w.String(), w.Args...).Scan(&c.Participants); err != nil {
		return c, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT DISTINCT h.participant_id, h.company_org_id, h.market_id, h.contract_type`+
		declarationFrom+w.String()+`) x`, w.Args...).Scan(&c.Contracts); err != nil {
		return c, err
	}
	w.Raw("h.mode = 'EMBAUCHE_DIRECTE' AND h.contract_type <> 'FORMATION'")
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT DISTINCT h.participant_id, h.company_org_id`+
		declarationFrom+w.String()+`) x`, w.Args...).Scan(&c.Hires)
	return c, err
}

// periodParticipant is a participant of the lines a filter selects, with their hours.
type periodParticipant struct {
	ID, Name, Public, Sex string
	Birth                 *time.Time
	QPV                   bool
	Hours                 Hours
	// Age is the age band at the end of the period.
	Age string
}

// periodParticipants lists the participants of the lines a filter selects,
// each once, with the age band at the day end; buyers get them without names.
func (s *Service) periodParticipants(ctx context.Context, a access.Actor, f HoursFilter, end time.Time) ([]periodParticipant, error) {
	sc := access.ScopeForClauses(a)
	if sc.None {
		return nil, errs.New(errs.Forbidden, "Les participants des clauses sont réservés aux partenaires des clauses.")
	}
	w := f.where(sc)
	order := ` ORDER BY p.last_name, p.first_name, p.id`
	if !sc.Names {
		order = ` ORDER BY p.id`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.first_name, p.last_name, p.public, p.sex, p.birth_date, p.qpv, SUM(h.centihours)`+
		declarationFrom+w.String()+` GROUP BY p.id, p.first_name, p.last_name, p.public, p.sex, p.birth_date, p.qpv`+order, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []periodParticipant
	for rows.Next() {
		var pp periodParticipant
		var first, last string
		var birth nullDate
		if err := rows.Scan(&pp.ID, &first, &last, &pp.Public, &pp.Sex, &birth, &pp.QPV, &pp.Hours); err != nil {
			return nil, err
		}
		pp.Birth, pp.Age = birth.ptr(), ageBand(birth.ptr(), end)
		if pp.Sex == "" {
			pp.Sex = "inconnu"
		}
		if sc.Names {
			pp.Name = Participant{FirstName: first, LastName: last}.Name()
		} else {
			pp.ID, pp.Birth = "", nil
		}
		out = append(out, pp)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !sc.Names {
		// Rows without names must not keep the alphabetical order that would point at people.
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i], out[j]
			if a.Public != b.Public {
				return a.Public < b.Public
			}
			if a.Sex != b.Sex {
				return a.Sex < b.Sex
			}
			if a.Age != b.Age {
				return a.Age < b.Age
			}
			return a.Hours > b.Hours
		})
	}
	if sc.Names && len(out) > 0 {
		err = audit.Log(ctx, s.db, a, audit.Event{Action: "clause_participant.list", ObjectType: "clause_participant",
			Detail: "participants de la période: " + strconv.Itoa(len(out))})
	}
	return out, err
}

// periodCompany is a company awarded a market of a period.
type periodCompany struct {
	ID, Name, SIRET string
	Markets         int
	Started         bool
}

// periodCompanies lists the companies awarded the markets overlapping a
// period, and whether they declared hours by its end: the report's companies
// concerned and started.
func (s *Service) periodCompanies(ctx context.Context, a access.Actor, f ReportFilter) ([]periodCompany, error) {
	if err := checkPeriod(f); err != nil {
		return nil, err
	}
	sc := access.ScopeForClauses(a)
	if sc.None {
		return nil, errs.New(errs.Forbidden, "Les bilans des clauses sont réservés aux partenaires des clauses.")
	}
	if f.OperationID != "" {
		if _, err := s.GetOperation(ctx, a, f.OperationID); err != nil {
			return nil, err
		}
	}
	w := &db.Where{}
	marketScope(w, sc)
	w.Add("m.start_date <= $%d", db.Day(f.To))
	w.Add("m.end_date >= $%d", db.Day(f.From))
	if f.OperationID != "" {
		w.Add("m.operation_id = $%d", f.OperationID)
	}
	_, to := f.Months()
	toArg := w.Arg(string(to))
	rows, err := s.db.QueryContext(ctx, `SELECT a.company_org_id, c.name, c.siret, COUNT(DISTINCT a.market_id),
		MAX(CASE WHEN EXISTS (SELECT 1 FROM clause_hours h WHERE h.market_id = a.market_id AND h.company_org_id = a.company_org_id
		AND h.month <= `+toArg+`) THEN 1 ELSE 0 END)
		FROM clause_awards a JOIN clause_markets m ON m.id = a.market_id JOIN organisations c ON c.id = a.company_org_id`+w.String()+
		` GROUP BY a.company_org_id, c.name, c.siret ORDER BY c.name, a.company_org_id`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []periodCompany
	for rows.Next() {
		var c periodCompany
		var started int
		if err := rows.Scan(&c.ID, &c.Name, &c.SIRET, &c.Markets, &started); err != nil {
			return nil, err
		}
		c.Started = started > 0
		out = append(out, c)
	}
	return out, rows.Err()
}

// participantOutcomes returns the outcomes recorded for a participant the actor may name.
func (s *Service) participantOutcomes(ctx context.Context, a access.Actor, id string) ([]Outcome, error) {
	ok, err := participantVisible(ctx, s.db, access.ScopeForClauses(a), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errParticipantNotFound
	}
	return listOutcomes(ctx, s.db, "participant_id = $1", id)
}

// userNames returns the names of the accounts that validated or corrected something, shown next to it.
func (s *Service) userNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	w := &db.Where{}
	var marks []string
	for _, id := range ids {
		if db.ValidID(id) {
			if _, seen := out[id]; !seen {
				out[id] = ""
				marks = append(marks, w.Arg(id))
			}
		}
	}
	if len(marks) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, first_name, last_name FROM users WHERE id IN (`+strings.Join(marks, ", ")+`)`, w.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, first, last string
		if err := rows.Scan(&id, &first, &last); err != nil {
			return nil, err
		}
		out[id] = strings.TrimSpace(first + " " + last)
	}
	return out, rows.Err()
}
