package feedback

import "time"

// SetClock makes the service read the time from now, to step into the next month.
func SetClock(s *Service, now func() time.Time) { s.now = now }
