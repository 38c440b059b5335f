#!/usr/bin/env bash
# run.sh runs the logger comparison benchmarks and prints a markdown table of
# the medians and of the ratios the project aims for, each with PASS or FAIL.
#
#   COUNT      rounds, each running every benchmark once (default 5); the
#              table shows medians
#   BENCHTIME  -benchtime per run (default 1s)
#   BENCH      -bench pattern (default .)
#   STRICT=1   exit 1 when a target is missed; otherwise the script reports
#              and exits 0
#
# The raw go test output goes to stderr as it runs and to results/latest.txt;
# the table goes to stdout and to results/latest.md.
set -euo pipefail

cd "$(dirname "$0")"
mkdir -p results

# Rounds, not -count: each round runs every benchmark once, so that a peer
# and ours are measured minutes apart at most, and a slow spell of this
# noisy machine hits both sides of a ratio rather than one.
go test -c -o results/bench.test .
: >results/latest.txt
for ((round = 1; round <= ${COUNT:-5}; round++)); do
	./results/bench.test -test.run '^$' -test.bench "${BENCH:-.}" -test.benchmem \
		-test.benchtime "${BENCHTIME:-1s}" | tee -a results/latest.txt >&2
done

strict=()
if [[ "${STRICT:-0}" == 1 ]]; then
	strict=(--strict)
fi
# Build the table before writing it so that a failed check (exit 1 under
# STRICT) still leaves the table on stdout and in results/latest.md.
rc=0
go run ./cmd/benchtable "${strict[@]}" results/latest.txt >results/latest.md || rc=$?
cat results/latest.md
exit "$rc"
