#!/usr/bin/env bash
# Demo generation with the real binary: the small size (about 1,000 people) is
# the baseline of the same run, the département size (about 50,000 people) is
# compared with it per person. The target is well under a minute for dept.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tremplin" ./cmd/tremplin
run() {
	mkdir -p "$work/$1"
	(cd "$work/$1" && "$work/tremplin" migrate >/dev/null &&
		"$work/tremplin" demo --size "$1" | sed -n 's/.*generated in \([0-9.]*\)\(m\?s\).*/\1 \2/p')
}
seconds() { awk -v v="$1" -v u="$2" 'BEGIN { print (u == "ms") ? v / 1000 : v }'; }
read -r small_v small_u < <(run small)
read -r dept_v dept_u < <(run dept)
small=$(seconds "$small_v" "$small_u")
dept=$(seconds "$dept_v" "$dept_u")
awk -v s="$small" -v d="$dept" 'BEGIN {
	printf "small (1,000 people):  %6.2f s\n", s
	printf "dept (50,000 people):  %6.2f s  (target: under 60 s)\n", d
	printf "per person, dept / small: %.2f\n", (d / 50000) / (s / 1000)
}'
