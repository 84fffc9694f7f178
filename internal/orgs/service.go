package orgs

import (
	"context"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Service is the organisation use cases.
type Service struct{ db *db.DB }

// NewService returns the organisation service over d.
func NewService(d *db.DB) *Service { return &Service{db: d} }

var errNotFound = errs.New(errs.NotFound, "Structure introuvable.")

// Create registers an organisation; platform admins and département managers of its territory may.
func (s *Service) Create(ctx context.Context, a access.Actor, o Organisation) (Organisation, error) {
	if err := o.Normalize(); err != nil {
		return Organisation{}, err
	}
	if !CanCreate(a, o.Territory) {
		return Organisation{}, errs.New(errs.Forbidden, "Vous ne pouvez pas créer de structure sur ce territoire.")
	}
	o.ID, o.CreatedAt = db.NewID(), db.Now()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := Insert(ctx, tx, o); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "organisation.create", ObjectType: "organisation", ObjectID: o.ID})
	})
	if err != nil {
		return Organisation{}, err
	}
	return get(ctx, s.db, o.ID)
}

// CanCreate reports whether the actor may register organisations on a
// territory: platform admins anywhere, département managers on their own.
func CanCreate(a access.Actor, territory string) bool {
	return a.System || a.PlatformAdmin || (access.IsDeptManager(a) && a.Territory == territory)
}

// Update changes an organisation the actor administers.
func (s *Service) Update(ctx context.Context, a access.Actor, o Organisation) (Organisation, error) {
	cur, err := s.Get(ctx, a, o.ID)
	if err != nil {
		return Organisation{}, err
	}
	if !access.CanOrganisation(a, facts(cur), access.Write) {
		return Organisation{}, errs.New(errs.Forbidden, "Vous ne pouvez pas modifier cette structure.")
	}
	if err := o.Normalize(); err != nil {
		return Organisation{}, err
	}
	if o.Territory != cur.Territory && !(a.System || a.PlatformAdmin) {
		return Organisation{}, errs.FieldErrors{"territory": "Seul un administrateur de la plateforme peut changer le territoire."}.Err()
	}
	// The kind decides what members see (a département's managers see the territory's files).
	if o.Kind != cur.Kind && !(a.System || a.PlatformAdmin) {
		return Organisation{}, errs.FieldErrors{"kind": "Seul un administrateur de la plateforme peut changer le type de structure."}.Err()
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := update(ctx, tx, o); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "organisation.update", ObjectType: "organisation", ObjectID: o.ID})
	})
	if err != nil {
		return Organisation{}, err
	}
	return get(ctx, s.db, o.ID)
}

func facts(o Organisation) access.Organisation {
	return access.Organisation{ID: o.ID, Territory: o.Territory}
}

// Get returns an organisation the actor may see.
func (s *Service) Get(ctx context.Context, a access.Actor, id string) (Organisation, error) {
	if !db.ValidID(id) {
		return Organisation{}, errNotFound
	}
	o, err := get(ctx, s.db, id)
	if err != nil {
		return Organisation{}, err
	}
	if !access.CanOrganisation(a, facts(o), access.Read) {
		return Organisation{}, errNotFound
	}
	return o, nil
}

// List returns the organisations the actor may see: all for platform admins,
// those of the actor's territory for everyone else.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Organisation, int, error) {
	if !a.Authenticated() {
		return nil, 0, errs.New(errs.Unauthorized, "Connexion requise.")
	}
	if !(a.System || a.PlatformAdmin) {
		if a.Territory == "" {
			return []Organisation{}, 0, nil
		}
		f.Territory = a.Territory
	}
	return list(ctx, s.db, f)
}
