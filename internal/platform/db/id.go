package db

import (
	"time"

	"github.com/google/uuid"
)

// NewID returns a random, time-ordered identifier (UUIDv7) for records about
// people: never sequential, so a URL reveals nothing about other records.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// ValidID reports whether s looks like an identifier made by NewID, so
// handlers can answer 404 without a query for malformed ones.
func ValidID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// Now returns the current time in UTC truncated to microseconds, the precision
// both engines keep, so values read back compare equal.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
