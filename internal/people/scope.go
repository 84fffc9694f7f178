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
	day := today.Format(time.DateOnly)
	scope, err := narrowScope(ctx, q, access.ScopeForPeople(a), day)
	if err != nil {
		return "", err
	}
	return scopeSQL(scope, day, w), nil
}
