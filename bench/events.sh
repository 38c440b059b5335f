#!/usr/bin/env bash
# events.sh runs the event store's benchmarks (tools/events) at full size
# and checks them against the bars of issue 10:
#
#   ingest into SQLite      ≥ 50% of the raw driver's bulk insert of the same rows
#   ingest into PostgreSQL  ≥ 50% of pgx CopyFrom of the same rows
#   a user's page (one-hour window, limit 100) on 2,000,000 events: p99 ≤ 20 ms,
#   on SQLite and on PostgreSQL
#
# The insert benchmarks race the store and its peer batch by batch (1,000
# events a batch) into equivalent tables — the store's own schema and
# indexes — so both run under the same load; the ratio is the store's rate
# over the peer's. The page benchmark first stores EVENTS events through
# the store (minutes at 2,000,000), then times PAGES pages.
#
#   EVENTS     events stored for the page benchmark (default 2000000)
#   PAGES      pages timed (default 2000)
#   BATCHES    batches raced in each insert benchmark (default 300)
#   STRICT=1   exit 1 when a bar is missed
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, database test), or
# AUDITLOG_TEST_POSTGRES_DSN; each benchmark makes its own schema and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-2000000}
PAGES=${PAGES:-2000}
BATCHES=${BATCHES:-300}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== insert: store against the raw drivers, $BATCHES batches of 1000"
go test -run '^$' -bench '^BenchmarkInsert(SQLite|Postgres)$' -benchtime "${BATCHES}x" -timeout 60m \
	./tools/events/ | tee "$tmp/insert.txt"
echo
echo "== page: one user, one hour, limit 100, newest first, on $EVENTS events ($PAGES pages)"
AUDITLOG_BENCH_EVENTS=$EVENTS go test -run '^$' -bench '^BenchmarkPageUserWindow$' -benchtime "${PAGES}x" \
	-timeout 120m ./tools/events/ | tee "$tmp/page.txt"

# metric FILE BENCH-PREFIX UNIT: the value reported with UNIT on BENCH's line.
metric() {
	awk -v b="$2" -v u="$3" 'index($1, b) == 1 { for (i = 2; i < NF; i++) if ($(i + 1) == u) { print $i; exit } }' "$1"
}

fail=0
# check NAME VALUE OP BAR UNIT
check() {
	local verdict
	if [ -z "$2" ]; then
		verdict=FAIL
		fail=1
	elif awk -v v="$2" -v b="$4" -v op="$3" 'BEGIN { exit !(op == ">=" ? v >= b : v <= b) }'; then
		verdict=PASS
	else
		verdict=FAIL
		fail=1
	fi
	printf '%-44s %10s %-6s (bar %s %s)  %s\n' "$1" "${2:-missing}" "$5" "$3" "$4" "$verdict"
}

echo
echo "== bars of issue 10"
sq_store=$(metric "$tmp/insert.txt" BenchmarkInsertSQLite store-events/s)
sq_peer=$(metric "$tmp/insert.txt" BenchmarkInsertSQLite driver-events/s)
pg_store=$(metric "$tmp/insert.txt" BenchmarkInsertPostgres store-events/s)
pg_peer=$(metric "$tmp/insert.txt" BenchmarkInsertPostgres pgx-events/s)
printf '%-44s %10s events/s against %s\n' "SQLite ingest (store, driver)" "$sq_store" "$sq_peer"
printf '%-44s %10s events/s against %s\n' "PostgreSQL ingest (store, pgx CopyFrom)" "$pg_store" "$pg_peer"
check "SQLite ingest / raw driver" "$(metric "$tmp/insert.txt" BenchmarkInsertSQLite store/driver)" ">=" 0.5 ratio
check "PostgreSQL ingest / pgx CopyFrom" "$(metric "$tmp/insert.txt" BenchmarkInsertPostgres store/pgx)" ">=" 0.5 ratio
for db in sqlite postgres; do
	printf '%-44s %10s ms\n' "$db page p50" "$(metric "$tmp/page.txt" "BenchmarkPageUserWindow/$db/" p50-ms)"
	check "$db page p99 ($EVENTS events)" "$(metric "$tmp/page.txt" "BenchmarkPageUserWindow/$db/" p99-ms)" "<=" 20 ms
done
if [ "$EVENTS" -lt 2000000 ]; then
	echo "(EVENTS=$EVENTS: the page bar is for 2000000)"
fi
if [ "${STRICT:-}" = 1 ] && [ "$fail" = 1 ]; then
	exit 1
fi
