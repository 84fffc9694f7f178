#!/usr/bin/env bash
# The territory's annual report of the insertion clauses on 1,000,000 monthly
# declarations (Pas-de-Calais: 1,000 markets in 60 operations over 2021-2025,
# 2,500 companies, 60,000 participants), with 100,000 more lines in the Nord
# that the report must leave out. The data is built deterministically by the
# benchmark (multi-row INSERTs; nothing is downloaded), on SQLite and, when a
# server answers, on PostgreSQL (TREMPLIN_TEST_POSTGRES_URL, else the local
# server on 127.0.0.1:5432). The baseline, measured in the same run, is the
# naive scan: every line of the territory read with its participant's public,
# the period and the figures worked out in Go. The benchmark fails if the two
# disagree on hours, participants, publics, hires or contracts. The lines are
# inserted directly, so their yearly totals (which the département's annual
# report reads) are then rebuilt in the same transaction, as the demo does.
# CLAUSES_RUNS sets the number of timed runs of each measure (7 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/clauses.test" ./internal/clauses/

if [ -z "${TREMPLIN_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
	export TREMPLIN_TEST_POSTGRES_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }

run() {
	local engine=$1
	echo "== $engine (load average before: $(load); $(nproc) cores)"
	(cd internal/clauses && "$dir/clauses.test" -test.run '^$' -test.bench "ClausesReport/^${engine}\$" -test.benchtime 1x \
		-test.timeout 2h) >"$dir/$engine.out" 2>&1 || { cat "$dir/$engine.out" >&2; exit 1; }
	if ! grep -qE '^BenchmarkClausesReport' "$dir/$engine.out"; then
		grep -E 'SKIP|skipped' "$dir/$engine.out" | sed 's/^ *//' | head -1
		return
	fi
	grep -E '^BenchmarkClausesReport' "$dir/$engine.out" | awk -v engine="$engine" '
		function thousands(n,   s, out) {
			s = sprintf("%d", n + 0.5); out = ""
			while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
			return s out
		}
		{ for (i = 3; i < NF; i += 2) m[$(i + 1)] = $i }
		END {
			printf "data built in %.1f s (1,100,000 lines in one transaction, their yearly totals in %.1f s), settled (VACUUM ANALYZE or WAL checkpoint) in %.1f s\n", m["build-s"], m["totals-s"], m["settle-s"]
			printf "%-34s %9s %7s %21s %23s %8s\n", "report", "lines", "people", "report min / median", "naive scan min / median", "ratio"
			split("territory facilitator operation", cases, " ")
			label["territory"] = "département 62, year 2025"
			label["facilitator"] = "one PLIE (facilitator), year 2025"
			label["operation"] = "its largest operation, 2021-2025"
			for (i = 1; i <= 3; i++) {
				c = cases[i]
				printf "%-34s %9s %7s %9s / %6s ms %10s / %6s ms %7.1fx\n", label[c], thousands(m[c "-lines"]), thousands(m[c "-participants"]),
					thousands(m[c "-report-min-ms"]), thousands(m[c "-report-median-ms"]),
					thousands(m[c "-naive-min-ms"]), thousands(m[c "-naive-median-ms"]),
					m[c "-naive-median-ms"] / m[c "-report-median-ms"]
			}
			printf "%s: report 2025 (%s lines) median %s ms, naive scan %s ms, ratio %.1fx (aim: under 200 ms)\n", engine,
				thousands(m["lines"]), thousands(m["territory-report-median-ms"]), thousands(m["territory-naive-median-ms"]),
				m["territory-naive-median-ms"] / m["territory-report-median-ms"]
		}'
	echo "(load average after: $(load))"
}

run sqlite
echo
run postgres
