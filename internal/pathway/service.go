package pathway

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Settings are the delays the point de situation watches; a département sets them.
type Settings struct {
	// NoContactDays is how long a followed person may go without an appointment.
	NoContactDays int
	// StepGapDays is the longest acceptable wait between the end of a step and the next one.
	StepGapDays int
	// ContractExpiryDays is how early a contract about to end is flagged.
	ContractExpiryDays int
}

// DefaultSettings are the delays used when the configuration says nothing.
func DefaultSettings() Settings {
	return Settings{NoContactDays: 90, StepGapDays: 30, ContractExpiryDays: 30}
}

// Service is the shared pathway's use cases.
type Service struct {
	db     *db.DB
	people *people.Service
	set    Settings
	// now is the clock; tests move it.
	now func() time.Time
	// worklists keeps the slow worklists of the last minute, by actor.
	worklists sync.Map
}

// NewService returns the pathway service over the registry.
func NewService(d *db.DB, p *people.Service, set Settings) *Service {
	return &Service{db: d, people: p, set: set, now: db.Now}
}

// SetClock replaces the clock, for tests that need a given day.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// today is the current UTC day at midnight.
func (s *Service) today() time.Time { return s.now().UTC().Truncate(24 * time.Hour) }

// person loads a file the actor may act on. An employer may read a
// candidate who agreed to be positioned on its offer, never the pathway:
// diagnostic, orientation and contracts stay with the professionals.
func (s *Service) person(ctx context.Context, a access.Actor, id string, act access.Action) (people.Person, []people.GroupMember, error) {
	if a.Has(access.RoleEmployer) && !a.System {
		return people.Person{}, nil, errNotFound
	}
	return s.people.Authorize(ctx, a, id, act)
}

// logRead traces a read of a part of a person's file.
func (s *Service) logRead(ctx context.Context, a access.Actor, action, personID string) error {
	return audit.Log(ctx, s.db, a, audit.Event{Action: action, ObjectType: "person", ObjectID: personID, PersonID: personID})
}

var errNotFound = errs.New(errs.NotFound, "Élément introuvable.")

// dayOrNil formats an optional day for a DATE column.
func dayOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateOnly)
}

// day formats a day for a DATE column.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// parseDay reads a form or JSON date, naming the field on error.
func parseDay(field, v string, fe errs.FieldErrors) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fe.Add(field, "Date invalide : attendu AAAA-MM-JJ.")
	}
	return t
}

// ownerTables names, per kind of object, the table whose person_id owns it.
var ownerTables = map[string]string{
	"diagnostic": "diagnostics", "contract": "contracts", "reorientation": "reorientation_requests", "member": "follow_up_members",
}

// ownerOf returns the person an object belongs to, or not found.
func (s *Service) ownerOf(ctx context.Context, kind, id string) (string, error) {
	table, ok := ownerTables[kind]
	if !ok || !db.ValidID(id) {
		return "", errNotFound
	}
	var owner string
	err := s.db.QueryRowContext(ctx, `SELECT person_id FROM `+table+` WHERE id = $1`, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	return owner, err
}
