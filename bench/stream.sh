#!/usr/bin/env bash
# The live stream's bars (issue 11), measured on this machine and judged:
#   - end-to-end latency, POST to a subscriber reading it, at 5,000 events/s
#     with 50 subscribers on loopback: p99 <= 50 ms (BenchmarkStreamLatency,
#     tools/serve: the whole server — ingest, SQLite store, hub, SSE);
#   - one server holding 1,000 idle subscribers: peak RSS <= 200 MB
#     (BenchmarkIdleSubscribers, cmd/log-serve: the real binary).
#
#   bash bench/stream.sh                 # 10 s of load, 1,000 idle streams
#   STREAM_SECONDS=30 STRICT=1 bash bench/stream.sh   # STRICT: a miss fails
set -euo pipefail
cd "$(dirname "$0")/.."
export STREAM_SECONDS=${STREAM_SECONDS:-10} IDLE_SUBSCRIBERS=${IDLE_SUBSCRIBERS:-1000}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench 'StreamLatency' -benchtime 1x ./tools/serve | tee -a "$out"
go test -run '^$' -bench 'IdleSubscribers' -benchtime 1x ./cmd/log-serve | tee -a "$out"
metric() { # benchmark, unit
	awk -v b="$1" -v u="$2" '$1 ~ b { for (i = 2; i < NF; i++) if ($(i+1) == u) print $i }' "$out" | tail -1
}
p99=$(metric StreamLatency p99_ms)
rate=$(metric StreamLatency events/s)
rss=$(metric IdleSubscribers peak_rss_MB)
fail=0
judge() { # what, value, op, bar
	if awk -v v="$2" -v b="$4" "BEGIN { exit !(v $3 b) }"; then r=PASS; else r=FAIL; fail=1; fi
	printf '%-58s %10s  %s %s  %s\n' "$1" "$2" "$3" "$4" "$r"
}
echo
judge "latency p99, ms (${rate} events/s sent, 50 subscribers)" "$p99" "<=" 50
judge "peak RSS, MB, ${IDLE_SUBSCRIBERS} idle subscribers" "$rss" "<=" 200
if [[ ${STRICT:-0} == 1 && $fail == 1 ]]; then exit 1; fi
