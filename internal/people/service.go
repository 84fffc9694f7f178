package people

import (
	"context"
	"strconv"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/secret"
	"tremplin/internal/platform/validate"
)

var errNotFound = errs.New(errs.NotFound, "Personne introuvable.")

// Service is the registry use cases.
type Service struct {
	db  *db.DB
	box *secret.Box
}

// NewService returns the registry service; box protects the NIR.
func NewService(d *db.DB, box *secret.Box) *Service { return &Service{db: d, box: box} }

// List returns the files the actor may see that match f, and their total.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Person, int, error) {
	if !a.Authenticated() {
		return nil, 0, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	f.Offset = max(f.Offset, 0)
	match := ""
	if f.NIR != "" {
		nir, err := validate.NormalizeNIR(f.NIR)
		if err != nil {
			return nil, 0, errs.FieldErrors{"nir": err.Error()}.Err()
		}
		// The registry matches on the 13 identifying characters, as the CAF flow sends them.
		match = s.box.Match(nir[:13])
	}
	// Lists show the files of the actor's staff roles; an employer with no
	// other role lists its candidates, as candidates only.
	scope, candidates := access.ScopeForPeople(StaffOnly(a)), false
	if scope.None && a.Has(access.RoleEmployer) && !a.System {
		scope, candidates = access.PersonScope{EmployerOrgID: a.OrgID}, true
	}
	list, total, err := listPeople(ctx, s.db, scope, f, match, db.Now())
	if err != nil {
		return nil, 0, err
	}
	if candidates {
		for i := range list {
			list[i] = asCandidate(list[i])
		}
	} else if err := withOrientations(ctx, s.db, list); err != nil {
		return nil, 0, err
	}
	// A list shows names, births and matricules: each file shown is traced, so
	// that "who saw this person" has an answer; the search terms never are.
	events := []audit.Event{{Action: "person.search", ObjectType: "person", Detail: "résultats: " + strconv.Itoa(len(list))}}
	for _, p := range list {
		events = append(events, audit.Event{Action: "person.list", ObjectType: "person", ObjectID: p.ID, PersonID: p.ID})
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
	return list, total, err
}

// Get returns a file the actor may see, with its follow-up group; the read is traced.
func (s *Service) Get(ctx context.Context, a access.Actor, id string) (Person, []GroupMember, error) {
	if !db.ValidID(id) {
		return Person{}, nil, errNotFound
	}
	p, sealed, err := getPerson(ctx, s.db, id, db.Now())
	if err != nil {
		return Person{}, nil, err
	}
	group, err := groupOf(ctx, s.db, id)
	if err != nil {
		return Person{}, nil, err
	}
	facts, err := s.facts(ctx, a, p, group)
	if err != nil {
		return Person{}, nil, err
	}
	if !access.CanPerson(a, facts, access.Read, db.Now()) {
		return Person{}, nil, errNotFound
	}
	if candidateView(a, facts) {
		// An employer reads a consenting candidate's identity and contact
		// details, never the social file (rights, NIR, orientation).
		err = audit.Log(ctx, s.db, a, audit.Event{Action: "person.read", ObjectType: "person", ObjectID: id, PersonID: id, Detail: "vue candidat"})
		return asCandidate(p), nil, err
	}
	if nir, err := s.box.Open(sealed); err == nil && nir != "" {
		p.NIRMasked = validate.MaskNIR(nir)
	}
	one := []Person{p}
	if err := withOrientations(ctx, s.db, one); err != nil {
		return Person{}, nil, err
	}
	p = one[0]
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "person.read", ObjectType: "person", ObjectID: id, PersonID: id})
	return p, group, err
}

// Authorize loads a file with its follow-up group and checks that the actor
// may act on it; a file the actor may not see is reported as not found. The
// capabilities built on the registry call it before every read or write of
// a sub-resource, and audit what they do with it themselves.
func (s *Service) Authorize(ctx context.Context, a access.Actor, id string, act access.Action) (Person, []GroupMember, error) {
	if !a.Authenticated() {
		return Person{}, nil, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !db.ValidID(id) {
		return Person{}, nil, errNotFound
	}
	p, _, err := getPerson(ctx, s.db, id, db.Now())
	if err != nil {
		return Person{}, nil, err
	}
	group, err := groupOf(ctx, s.db, id)
	if err != nil {
		return Person{}, nil, err
	}
	facts, err := s.facts(ctx, a, p, group)
	if err != nil {
		return Person{}, nil, err
	}
	if !access.CanPerson(a, facts, act, db.Now()) {
		return Person{}, nil, errNotFound
	}
	if candidateView(a, facts) {
		return asCandidate(p), nil, nil
	}
	return p, group, nil
}

// facts returns the policy's facts about a file; an employer's positionings
// are loaded only for employers, the only actors they matter to.
func (s *Service) facts(ctx context.Context, a access.Actor, p Person, group []GroupMember) (access.Person, error) {
	f := Facts(p, group)
	if a.Has(access.RoleEmployer) {
		var err error
		if f.Positionings, err = positioningsOf(ctx, s.db, p.ID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// candidateView reports whether the actor reads the file only as an
// employer reads a candidate: through a consented positioning, with no
// other right on it.
func candidateView(a access.Actor, f access.Person) bool {
	if !a.Has(access.RoleEmployer) || a.System {
		return false
	}
	return !access.CanPerson(StaffOnly(a), f, access.Read, db.Now())
}

// asCandidate keeps what an employer may know of a candidate: name, commune
// and contact details — not the home's position, nor who follows the person
// (which would tell the employer the person receives the RSA, say).
func asCandidate(p Person) Person {
	return Person{ID: p.ID, Territory: p.Territory, FirstName: p.FirstName, LastName: p.LastName, Sex: p.Sex,
		CommuneCode: p.CommuneCode, CommuneName: p.CommuneName, Phone: p.Phone, Email: p.Email,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, CandidateOnly: true}
}

// StaffOnly returns the actor without the employer role: the capabilities
// built on the registry list and follow files as professionals; an
// employer's view of its candidates goes through the jobs capability.
func StaffOnly(a access.Actor) access.Actor {
	if !a.Has(access.RoleEmployer) {
		return a
	}
	var roles []access.Role
	for _, r := range a.Roles {
		if r != access.RoleEmployer {
			roles = append(roles, r)
		}
	}
	a.Roles = roles
	return a
}
