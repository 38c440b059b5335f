#!/usr/bin/env bash
# The whole test suite, as the README gives it and .ci/run calls it:
# formatting, vet, every test of every module under the race detector, a
# short fuzz run of each parser and escaper, and one pass of each benchmark
# (to prove they run; timing is bench/run.sh's job).
#
#   bash scripts/test.sh            # everything
#   FUZZTIME=2m bash scripts/test.sh  # longer fuzzing (beware golang/go#75804 with durations)
#
# The database middleware tests need PostgreSQL and MariaDB on loopback
# (see the README); they fail, not skip, when those are down.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fuzz budgets are counts of executions, not durations: with a duration, Go
# 1.26's fuzz coordinator can report a spurious "context deadline exceeded"
# when the time runs out mid-execution (golang/go#75804, fixed in Go 1.27).
# FUZZTIME overrides every budget (a count like 100000x, or a duration).
FUZZTIME=${FUZZTIME:-}
step() { printf '\n== %s\n' "$*"; }

# Every module in the repo: the main one and the nested ones (bench, …).
mapfile -t modules < <(find . -name go.mod -not -path './.git/*' -printf '%h\n' | sort)

# What the tests need beyond Go, from Debian's packages, installed when
# missing (as root, or through sudo) and checked first, so that a missing
# tool fails in seconds, not at the end of a long run: jq (bench/cli.sh
# compares log-format's output with jq's); python3-oslo.log and
# python3-termcolor (oslo.log's own JSONFormatter and convert-json, the peer
# of log-format's compatibility test — for Debian's /usr/bin/python3, which
# need not be the python3 first on PATH); chromium (the web viewer's and
# log-report's pages are checked in a real browser). A test never skips for
# want of one of them: this fails instead.
step "tools the tests need"
have() {
  case $1 in
  jq) command -v jq >/dev/null ;;
  python3-oslo.log) /usr/bin/python3 -c 'import oslo_log, oslo_context' 2>/dev/null && command -v convert-json >/dev/null ;;
  python3-termcolor) /usr/bin/python3 -c 'import termcolor' 2>/dev/null ;;
  chromium) command -v chromium >/dev/null ;;
  esac
}
want=()
for p in jq python3-oslo.log python3-termcolor chromium; do have "$p" || want+=("$p"); done
if ((${#want[@]})); then
  echo "installing from Debian's packages: ${want[*]}"
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${want[@]}" >/dev/null; } ||
    echo "could not install ${want[*]}"
fi
missing=0
for p in jq python3-oslo.log python3-termcolor chromium; do
  have "$p" || { echo "$p is missing (Debian: apt-get install $p)"; missing=1; }
done
((missing == 0)) || exit 1
echo "jq, python3-oslo.log, python3-termcolor, chromium: present"

# Scratch space for the suite, removed at the end, so that a run leaves
# nothing behind in /tmp (bench/cli.sh would otherwise keep its generated
# lines there as a cache for the next benchmark run).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

for m in "${modules[@]}"; do
  step "go mod tidy -diff ($m)"
  (cd "$m" && go mod tidy -diff) || { echo "$m: go.mod/go.sum are not tidy: run go mod tidy there"; exit 1; }
done

# staticcheck with every check (staticcheck.conf; a driver wrapper may use
# the deprecated driver interfaces, middleware/sqlaudit/staticcheck.conf),
# at a pinned version from the module proxy, on the main module.
step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

for m in "${modules[@]}"; do
  step "go vet ($m)"
  (cd "$m" && go vet ./...)
  step "go test -race ($m)"
  (cd "$m" && go test -race -count=1 ./...)
done

step "go test without -race (what the race detector cannot run)"
# TestMonitorReplaysAGap hangs under -race on some machines (its comment
# says what is known), so it runs here without it rather than not at all.
go test -count=1 -run '^TestMonitorReplaysAGap$' ./tools/logevents

step "fuzz smoke"
# Every fuzz target in the repo is run below: one not listed would never run.
missing=$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/^func //' | sort -u |
  while read -r f; do grep -qE "^fuzz [^ ]+ $f " scripts/test.sh || echo "$f"; done)
if [ -n "$missing" ]; then echo "fuzz targets scripts/test.sh does not run: $missing" >&2; exit 1; fi
fuzz() { # package, target, executions
  go test -run '^$' -fuzz "^$2\$" -fuzztime "${FUZZTIME:-$3}" "$1"
}
fuzz ./auditlog FuzzEncoder 20000x
fuzz ./schema FuzzValidate 200000x
fuzz ./middleware/grpcaudit FuzzIncomingRequest 100000x
fuzz ./middleware/httpaudit FuzzMiddleware 20000x
fuzz ./tools/input FuzzReader 50000x
fuzz ./tools/input FuzzSplitPrefix 50000x
fuzz ./tools/input FuzzParallel 2000x
fuzz ./tools/logline FuzzExtract 100000x
fuzz ./tools/logline FuzzMaskHint 100000x
fuzz ./tools/logline FuzzPlainEnd 100000x
fuzz ./tools/logline FuzzPlainHint 100000x
fuzz ./tools/logformat FuzzCompile 50000x
fuzz ./tools/logformat FuzzConvertJSON 20000x
fuzz ./tools/logexpand FuzzExpand 20000x
fuzz ./tools/logexpand FuzzRoundTrip 20000x
fuzz ./tools/logexpand FuzzPython 50000x
fuzz ./tools/logexpand FuzzScanString 50000x
fuzz ./tools/logexpand FuzzStreamMatchesTree 20000x
fuzz ./internal/jsonscan FuzzPlainRun 50000x
fuzz ./internal/jsonscan FuzzEscapeRoundTrip 50000x
fuzz ./internal/jsonscan FuzzUnescape 50000x
fuzz ./internal/jsonscan FuzzNumber 50000x
fuzz ./internal/jsonscan FuzzStringEnd 50000x
fuzz ./internal/hexword FuzzPut64 20000x
fuzz ./tools/oslolog FuzzParseLine 100000x
fuzz ./internal/pystamp FuzzParse 100000x
fuzz ./tools/oslolog FuzzGrouper 20000x
fuzz ./tools/extract FuzzRecognisers 50000x
fuzz ./tools/extract FuzzRun 10000x
fuzz ./internal/novaapi FuzzVerb 20000x
fuzz ./tools/events FuzzParseCursor 20000x
fuzz ./tools/ingest FuzzLine 20000x
fuzz ./tools/ingest FuzzMaskJSON 20000x
fuzz ./tools/ingest FuzzMayQuote 20000x
fuzz ./tools/serve FuzzParseQuery 20000x
fuzz ./tools/serve FuzzQueryHandler 2000x
fuzz ./tools/serve FuzzWebQuery 5000x
fuzz ./tools/report FuzzParseJSON 20000x
fuzz ./tools/report FuzzStamp 20000x
fuzz ./tools/report FuzzReader 20000x
fuzz ./tools/report FuzzWalk 20000x

if [ -d bench ]; then
  step "benchmarks run once (bench/)"
  (cd bench && go test -run '^$' -bench . -benchtime 1x >/dev/null)
  # The CLIs side by side with jq on a small file: proves the script runs and
  # that log-format's output is byte-identical to jq's (speed is bench/cli.sh's
  # job at full size; see the README).
  step "CLI comparison with jq, small (bench/cli.sh)"
  N=20000 COUNT=1 AUDITLOG_BENCH_DIR="$scratch/bench" bash bench/cli.sh >/dev/null
fi

step "all passed"
