#!/usr/bin/env bash
# Assignment of a mass-recruitment campaign at département size: 4,000
# candidates on 115 sites with capacities in Pas-de-Calais (built in memory;
# nothing is downloaded). Prints the time of Solve and the travel of its plan
# against "nearest free site first" (NearestFree) in the same run, then the
# linear program that checks it (gonum's dense simplex) against Solve on
# instances of the same proportions, growing until the LP takes more than
# LP_LIMIT seconds (60 by default); each LP optimum is checked equal to Solve's.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${LP_LIMIT:-60}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/assign.test" ./internal/platform/assign/
bench() { "$dir/assign.test" -test.run '^$' -test.bench "$1" -test.benchtime "$2" | grep -E '^Benchmark'; }

echo "== 4,000 candidates, 115 sites (capacities: 4,200 places)"
bench '4000x115' "${BENCHTIME:-5x}" | awk '
	{ sub(/-[0-9]+$/, "", $1); sub(/^Benchmark/, "", $1); sub(/4000x115$/, "", $1)
	  name[NR] = $1; ns[NR] = $3; km[NR] = $5; placed[NR] = $7 }
	/NearestFree/ { greedy = $5 } /Solve/ { solve = $5 }
	END {
		printf "%-12s %10s %8s %10s\n", "plan", "ms", "placed", "total km"
		for (i = 1; i <= NR; i++) printf "%-12s %10.1f %8d %10.0f\n", name[i], ns[i] / 1e6, placed[i], km[i]
		printf "travel saved by Solve: %.0f km (%.1f %%)\n", greedy - solve, 100 * (greedy - solve) / greedy
	}'

echo
echo "== linear program (gonum simplex) vs Solve on the same instances, limit ${limit} s"
printf "%-10s %12s %12s %10s %14s\n" "instance" "LP s" "Solve ms" "x Solve" "optimum (m)"
# The sizes are those of lpSizes in the benchmark, as "NxM".
sizes=$(sed -n 's/^var lpSizes = \[\]\[2\]int{{\(.*\)}}$/\1/p' internal/platform/assign/bench_test.go | sed 's/}, {/ /g; s/, /x/g')
[ -n "$sizes" ] || { echo "lpSizes not found in bench_test.go" >&2; exit 1; }
last="" stopped=""
for size in $sizes; do
	rc=0
	ASSIGN_LP_LARGE=1 timeout "$limit" "$dir/assign.test" -test.run '^$' -test.bench "VersusLP/^${size}\$/^lp\$" \
		-test.benchtime 1x >"$dir/lp.out" 2>&1 || rc=$?
	if [ "$rc" -eq 124 ]; then
		printf "%-10s %12s\n" "$size" "> ${limit} s: stopped"
		stopped=$size
		break
	elif [ "$rc" -ne 0 ]; then
		cat "$dir/lp.out" >&2
		exit "$rc"
	fi
	solve=$(bench "VersusLP/^${size}\$/^solve\$" 20x)
	printf "%s\n%s\n" "$(grep -E '^Benchmark' "$dir/lp.out")" "$solve" | awk -v size="$size" '
		/\/lp/ { lp = $3; metres = $5 } /\/solve/ { solve = $3 }
		END { printf "%-10s %12.2f %12.3f %10.0f %14d\n", size, lp / 1e9, solve / 1e6, lp / solve, metres }'
	last=$size
done
echo "largest instance the LP solves within ${limit} s: ${last:-none}"
awk -v stopped="$stopped" 'BEGIN { n = 4000; m = 115; rows = n + m; cols = n * m + n + m
	printf "4000x115: LP not run: its dense standard form is %d rows x %d columns (%.1f GB of float64)", rows, cols, rows * cols * 8 / 1e9
	if (stopped != "") printf ", and it already exceeds the limit at %s", stopped
	printf "\n" }'
