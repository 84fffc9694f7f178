#!/usr/bin/env bash
# CAF/MSA flow import on a synthetic flow of 50,000 households (built in
# memory; nothing is downloaded), into an empty SQLite registry and again into
# the filled one, against reading and validating the same flow without writing,
# measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench 'CAF' -benchtime 1x ./internal/people/)
echo "$out" | grep -E '^Benchmark' | awk '
	/CAFParseBaseline/ { base = $3 }
	{ name[NR] = $1; ns[NR] = $3 }
	END {
		printf "%-34s %10s %12s %12s\n", "benchmark", "s", "households/s", "x baseline"
		for (i = 1; i <= NR; i++) if (name[i] != "")
			printf "%-34s %10.2f %12.0f %12.2f\n", name[i], ns[i] / 1e9, 50000 / (ns[i] / 1e9), ns[i] / base
	}'
