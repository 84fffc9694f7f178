package clauses

import (
	"context"

	"tremplin/internal/platform/access"
)

// ReportFromLines computes a report from the monthly lines even where the
// yearly totals would answer, so that tests can compare the two.
func (s *Service) ReportFromLines(ctx context.Context, a access.Actor, f ReportFilter) (Report, error) {
	f.fromLines = true
	return s.Report(ctx, a, f)
}

// TerritoryYear exposes which reports the yearly totals answer.
var TerritoryYear = territoryYear

// AgeBand gives the benchmark's naive scan the report's age bands.
var AgeBand = ageBand
