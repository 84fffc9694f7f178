package db

import (
	"database/sql"
	"time"
)

// Day formats a date the way DATE columns are written on both engines.
func Day(t time.Time) string { return t.Format(time.DateOnly) }

// NullDay formats an optional date, NULL when absent.
func NullDay(t *time.Time) any {
	if t == nil {
		return nil
	}
	return Day(*t)
}

// DayPtr returns a nullable DATE column as a *time.Time at midnight UTC.
func DayPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	d := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// TimePtr returns a nullable TIMESTAMP column as a *time.Time in UTC.
func TimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
