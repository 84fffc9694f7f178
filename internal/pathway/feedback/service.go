package feedback

import (
	"context"
	"log/slog"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Service is the evaluation use cases.
type Service struct {
	db     *db.DB
	people *people.Service
	// publicURL prefixes the links handed to the people.
	publicURL string
	// now is the clock; tests move it to the next month.
	now func() time.Time
}

// NewService returns the evaluation service; publicURL is the address the
// people reach Tremplin at (TREMPLIN_PUBLIC_URL).
func NewService(d *db.DB, ppl *people.Service, publicURL string) *Service {
	return &Service{db: d, people: ppl, publicURL: publicURL, now: db.Now}
}

// questionnaire is the actor recording answers: the system, with no user,
// organisation or address, since the person answering is nobody's account.
var questionnaire = access.System("questionnaire d'avis")

// URL returns the public address of the questionnaire for a token.
func (s *Service) URL(token string) string { return s.publicURL + "/avis/" + token }

// Issue creates a private single-use link for a person, on behalf of the
// actor's organisation. A link of that organisation still unused and
// unexpired is replaced (the person may have lost it): the new address is
// the only one that works, and is returned once.
func (s *Service) Issue(ctx context.Context, a access.Actor, personID string) (Issued, error) {
	if _, _, err := s.people.Authorize(ctx, a, personID, access.Write); err != nil {
		return Issued{}, err
	}
	if a.System || a.OrgID == "" {
		return Issued{}, errs.New(errs.Forbidden, "Un lien d'avis est remis au nom d'une structure : choisissez la structure pour laquelle vous agissez.")
	}
	token, hash := newToken()
	now := s.now()
	l := linkRow{hash: hash, personID: personID, orgID: a.OrgID, territory: a.Territory, issuedBy: a.UserID,
		createdAt: now, expiresAt: now.Add(LinkValidity)}
	var replaced bool
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if replaced, err = insertLink(ctx, tx, l); err != nil {
			return err
		}
		ev := audit.Event{Action: "feedback.link.create", ObjectType: "person", ObjectID: personID, PersonID: personID}
		if replaced {
			ev.Detail = "remplace un lien non utilisé"
		}
		return audit.LogTx(ctx, tx, a, ev)
	})
	if err != nil {
		return Issued{}, err
	}
	return Issued{URL: s.URL(token), ExpiresAt: l.expiresAt, Replaced: replaced}, nil
}

// Links returns the links issued for a person the actor may see, and
// whether the actor may issue one; the read is traced.
func (s *Service) Links(ctx context.Context, a access.Actor, personID string) (people.Person, []Link, bool, error) {
	if a.Has(access.RoleEmployer) && !a.System {
		// An employer may read a consenting candidate, never who asked them for an evaluation.
		return people.Person{}, nil, false, errs.New(errs.NotFound, "Personne introuvable.")
	}
	p, group, err := s.people.Authorize(ctx, a, personID, access.Read)
	if err != nil {
		return people.Person{}, nil, false, err
	}
	links, err := personLinks(ctx, s.db, personID)
	if err != nil {
		return people.Person{}, nil, false, err
	}
	canIssue := !a.System && a.OrgID != "" && access.CanPerson(a, people.Facts(p, group), access.Write, s.now())
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "feedback.links.read", ObjectType: "person", ObjectID: personID, PersonID: personID})
	return p, links, canIssue, err
}

// Open checks that a token opens a questionnaire and returns the name of
// the organisation it asks about.
func (s *Service) Open(ctx context.Context, token string) (string, error) {
	if !wellFormed(token) {
		return "", errGone
	}
	return openLink(ctx, s.db, hashToken(token), s.now())
}

// Answer records a person's answers given through a link. One transaction
// uses the link up and puts the answers aside, pending, with nothing that
// points to the link; they are recorded later, in another transaction, with
// others (see Flush). A link that no longer works is refused before the
// answers are even read.
func (s *Service) Answer(ctx context.Context, token string, form func(string) string) error {
	if _, err := s.Open(ctx, token); err != nil {
		return err
	}
	ans, err := ParseAnswer(form)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		now := s.now()
		orgID, terr, err := useLink(ctx, tx, hashToken(token), now)
		if err != nil {
			return err
		}
		if err := insertPending(ctx, tx, orgID, terr, monthOf(now), ans); err != nil {
			return err
		}
		// Neither the person nor the link: the trace must not tie the answer to anyone.
		return audit.LogTx(ctx, tx, questionnaire, audit.Event{Action: "feedback.answer", ObjectType: "organisation", ObjectID: orgID})
	})
	if err != nil {
		return err
	}
	if err := s.Flush(ctx); err != nil {
		// The answer is kept, pending: the next flush records it.
		slog.Error("record pending evaluation answers", "err", err)
	}
	return nil
}

// pendingBatch is the fewest answers of an organisation and month recorded
// together during the month: the results then change by a group at a time,
// and nobody can tell which of the group's links gave which answer.
const pendingBatch = MinAnswers

// Flush records the pending answers that are due: those of an organisation
// and month once pendingBatch of them wait, and all of a month that is over.
// Each organisation and month is recorded in a transaction of its own. It
// runs after each answer and before results are read; two processes may run
// it at once.
func (s *Service) Flush(ctx context.Context) error {
	groups, err := pendingGroups(ctx, s.db)
	if err != nil {
		return err
	}
	current := monthOf(s.now())
	for _, g := range groups {
		over := g.period < current
		if !over && g.n < pendingBatch {
			continue
		}
		if err := s.db.InTx(ctx, func(tx *db.Tx) error { return flushGroup(ctx, tx, g.orgID, g.period, over) }); err != nil {
			return err
		}
	}
	return nil
}

// Request asks for results: the periods of Granularity within Range, for
// one organisation or (empty OrgID) every one the actor may read.
type Request struct {
	Range       Period
	Granularity Granularity
	OrgID       string
}

// CanReadResults reports whether the actor may read the results: the
// département's managers for their territory, and the administrators and
// managers of an organisation for their own.
func CanReadResults(a access.Actor) bool {
	_, ok := resultsScope(a)
	return ok
}

// readerScope is what an actor may read of the results.
type readerScope struct {
	resultScope
	// dept is true for the département's managers: the territory's totals and the comments.
	dept bool
}

func resultsScope(a access.Actor) (readerScope, bool) {
	switch {
	case !a.Authenticated() || a.System || a.OrgID == "":
		return readerScope{}, false
	case access.IsDeptManager(a):
		return readerScope{resultScope: resultScope{territory: a.Territory}, dept: true}, true
	case a.HasAny(access.RoleOrgAdmin, access.RoleManager):
		return readerScope{resultScope: resultScope{orgID: a.OrgID}}, true
	}
	return readerScope{}, false
}

var errNoResults = errs.New(errs.NotFound, "Page introuvable.")

// Results returns the aggregated results the actor may read; the read is traced.
func (s *Service) Results(ctx context.Context, a access.Actor, req Request) (Report, error) {
	sc, ok := resultsScope(a)
	if !ok {
		return Report{}, errNoResults
	}
	if err := req.check(); err != nil {
		return Report{}, err
	}
	withTerritory := sc.dept && req.OrgID == ""
	if req.OrgID != "" {
		if sc.orgID != "" && req.OrgID != sc.orgID {
			return Report{}, errNoResults
		}
		sc.orgID = req.OrgID
	}
	if err := s.Flush(ctx); err != nil {
		return Report{}, err
	}
	from, to := req.Range.Months()
	r, err := loadRaw(ctx, s.db, sc.resultScope, from, to, sc.dept)
	if err != nil {
		return Report{}, err
	}
	rep := build(r, req.Range, req.Granularity, withTerritory, sc.dept)
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "feedback.results.read", ObjectType: "organisation", ObjectID: sc.orgID,
		Detail: "période " + req.Range.String() + ", par " + string(req.Granularity)})
	return rep, err
}

// check refuses a breakdown coarser than the range, or a range far in the future.
func (r Request) check() error {
	rank := map[Granularity]int{Month: 0, Quarter: 1, Year: 2}
	g, okG := rank[r.Granularity]
	rg, okR := rank[r.Range.Granularity]
	if !okG || !okR || g > rg {
		return errs.New(errs.Invalid, "Les résultats se découpent par mois, trimestre ou année, sans dépasser la période demandée.")
	}
	if r.Range.Year > time.Now().Year()+1 {
		return errPeriod
	}
	return nil
}
