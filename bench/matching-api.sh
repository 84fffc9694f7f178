#!/usr/bin/env bash
# One matching query through the whole API (token, access, engine, database
# reads, JSON) on a territory of BENCH_PEOPLE online CVs (default 50,000) and
# BENCH_OFFERS open offers (default 20,000), SQLite, against one plain read of
# an offer through the same handler, measured in the same run.
# The benchmark builds its own data; nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_PEOPLE="${BENCH_PEOPLE:-50000}" BENCH_OFFERS="${BENCH_OFFERS:-20000}"
out=$(go test -run '^$' -bench 'MatchesThroughTheAPI' -benchtime "${BENCHTIME:-300x}" ./internal/app/)
echo "$BENCH_PEOPLE online CVs, $BENCH_OFFERS open offers"
echo "$out" | grep -E '^Benchmark' | awk '
	/baseline/ { base = $3 }
	{ name[NR] = $1; ns[NR] = $3 }
	END {
		printf "%-58s %10s %12s\n", "query", "ms/op", "x baseline"
		for (i = 1; i <= NR; i++) printf "%-58s %10.2f %12.1f\n", name[i], ns[i] / 1e6, ns[i] / base
	}'
