#!/usr/bin/env bash
# Lists of people on a département-size demo (50,000 files, SQLite), per role
# and page, against a baseline measured in the same run: counting every file.
# The benchmark builds its own data; nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench 'PeopleList' -benchtime "${BENCHTIME:-10x}" ./internal/demo/)
echo "$out" | grep -E '^Benchmark' | awk '
	/PeopleListBaseline/ { base = $3 }
	{ name[NR] = $1; ns[NR] = $3 }
	END {
		printf "%-48s %12s %10s\n", "benchmark", "ms/op", "x baseline"
		for (i = 1; i <= NR; i++) if (name[i] != "") printf "%-48s %12.2f %10.0f\n", name[i], ns[i] / 1e6, ns[i] / base
	}'
