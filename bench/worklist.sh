#!/usr/bin/env bash
# The point de situation and the orientation queue on a département-size demo
# (50,000 files with their pathways, SQLite), per role, against a baseline
# measured in the same run: counting every file.
# The benchmark builds its own data; nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench 'PeopleListBaseline|Worklist|OrientationQueue' -benchtime "${BENCHTIME:-5x}" ./internal/demo/)
echo "$out" | grep -E '^Benchmark' | awk '
	/PeopleListBaseline/ { base = $3 }
	{ name[NR] = $1; ns[NR] = $3; extra[NR] = ""; for (i = 4; i < NF; i++) if ($(i+1) == "alerts") extra[NR] = $i " alerts" }
	END {
		printf "%-44s %12s %10s  %s\n", "benchmark", "ms/op", "x baseline", ""
		for (i = 1; i <= NR; i++) if (name[i] != "") printf "%-44s %12.2f %10.0f  %s\n", name[i], ns[i] / 1e6, ns[i] / base, extra[i]
	}'
