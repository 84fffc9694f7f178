#!/usr/bin/env bash
# Two-way job matching on a département-size data set built in memory and
# deterministically (nothing is downloaded): 50,000 people and 20,000 open
# offers over the Pas-de-Calais, ROME codes over 504 fiches, radii of 10 to
# 40 km, top 20. The baseline, measured in the same run, is the brute force:
# every offer scored for every person. It is timed on 1,000 people (every
# 50th) and extrapolated to all; on them both answers are compared (items,
# scores, order, reasons, totals) and the benchmark fails on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench 'MatchingDept' -benchtime 1x -timeout 30m ./internal/jobs/match/)
echo "$out" | grep -E '^BenchmarkMatchingDept' | awk '
	{ for (i = 3; i < NF; i += 2) m[$(i + 1)] = $i }
	END {
		printf "matching: 50,000 people x 20,000 open offers, radius 10-40 km, top 20\n"
		printf "engine loaded (70,000 upserts)          %9.2f s\n", m["build-s"]
		printf "top 20 for every person, index          %9.2f s\n", m["index-all-s"]
		printf "top 20 for every person, brute force    %9.2f s   (measured on %d people, extrapolated x50)\n", m["brute-extrapolated-s"], m["people-identical"]
		printf "speedup                                 %9.1f x   (on the sample, run one after the other: %.1f x)\n", m["speedup"], m["speedup-sample"]
		printf "identical results                       %9d people, %d offers\n", m["people-identical"], m["offers-identical"]
		printf "OffersFor, one query                    p50 %6.0f us   p99 %6.0f us\n", m["offersfor-p50-µs"], m["offersfor-p99-µs"]
		printf "CandidatesFor, one query                p50 %6.0f us   p99 %6.0f us   (%.1f x the brute force)\n", m["candidatesfor-p50-µs"], m["candidatesfor-p99-µs"], m["speedup-candidates"]
	}'
