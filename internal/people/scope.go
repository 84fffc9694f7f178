package people

import (
	"context"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
)

// ScopeSQL returns the condition, on persons aliased p, that selects the
// files the actor may read on the day of today, with its arguments added to
// w: the capabilities built on the registry list their objects through it so
// that their lists agree with access.CanPerson.
func ScopeSQL(ctx context.Context, q db.Querier, a access.Actor, today time.Time, w *db.Where) (string, error) {
	s, err := NarrowScope(ctx, q, a, today)
	if err != nil {
		return "", err
	}
	return s.SQL(w), nil
}

// Scope is an actor's scope of files narrowed once, for a request that runs
// several queries over the same files.
type Scope struct {
	scope access.PersonScope
	day   string
}

// NarrowScope computes the actor's scope on the day of today, as a
// professional: an employer's candidates are no file of its lists.
func NarrowScope(ctx context.Context, q db.Querier, a access.Actor, today time.Time) (Scope, error) {
	day := today.Format(time.DateOnly)
	s, err := narrowScope(ctx, q, access.ScopeForPeople(StaffOnly(a)), day)
	return Scope{scope: s, day: day}, err
}

// SQL returns the scope's condition on persons aliased p, its arguments added to w.
func (s Scope) SQL(w *db.Where) string { return scopeSQL(s.scope, s.day, w) }
