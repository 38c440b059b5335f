#!/usr/bin/env bash
# extract.sh times log-extract against `grep -cE` on the real 83 MB nova-api
# log (os-log-merger/debug-router-net-vm-creation, see
# shared/data/openstack/SOURCES.md), side by side, and reports the median
# wall times, their ratio and log-extract's peak RSS against the targets:
# at most 5× grep's wall time and at most 64 MB.
#
#   COUNT      rounds (default 5), interleaved
#   STRICT=1   exit 1 when a target is missed
#   AUDITLOG_OPENSTACK_DATA  where shared/data/openstack is
#              (default: ../shared beside the repository, or /work/shared)
#
# Both read the unpacked file (unpacked once into a temporary directory), so
# neither pays for gzip. grep counts the API access lines of the requests
# log-extract looks at; log-extract runs single-threaded (GOMAXPROCS=1) and
# does the whole job: parse, correlate, and print the actions as JSON lines.
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-5}
data=${AUDITLOG_OPENSTACK_DATA:-}
if [ -z "$data" ]; then
	for d in ../../shared/data/openstack /work/shared/data/openstack; do
		[ -f "$d/SOURCES.md" ] && { data=$d; break; }
	done
fi
data=$(cd "$data" && pwd)
src=$data/os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-api.log-20151113.gz
[ -f "$src" ] || { echo "extract.sh: $src not found (set AUDITLOG_OPENSTACK_DATA)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "extract.sh: /usr/bin/time is needed for peak RSS (Debian package: time)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/nova-api.log
gzip -dc "$src" >"$log"
(cd .. && go build -o "$tmp/log-extract" ./cmd/log-extract)

pattern='"(POST|PUT|PATCH|DELETE) [^"]* HTTP/1\.[01]" status: [0-9]+'

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

: >"$tmp/grep.t"; : >"$tmp/ours.t"; : >"$tmp/ours.rss"
# Wall time to the millisecond from the clock around each command (time's
# %e has only hundredths, too coarse for grep here); peak RSS from time's %M.
now() { date +%s%N; }
for ((i = 1; i <= COUNT; i++)); do
	t0=$(now)
	grep -cE "$pattern" "$log" >"$tmp/grep.out"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }' >>"$tmp/grep.t"
	t0=$(now)
	GOMAXPROCS=1 /usr/bin/time -f '%M' -o "$tmp/rss" "$tmp/log-extract" -q "$log" >"$tmp/ours.out"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }' >>"$tmp/ours.t"
	cat "$tmp/rss" >>"$tmp/ours.rss"
done

g=$(median <"$tmp/grep.t")
o=$(median <"$tmp/ours.t")
rss=$(sort -n "$tmp/ours.rss" | tail -1)
ratio=$(awk -v o="$o" -v g="$g" 'BEGIN { if (g > 0) printf "%.2f", o / g; else print "inf" }')
rssmb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
size=$(stat -c %s "$log")
actions=$(wc -l <"$tmp/ours.out")
matches=$(cat "$tmp/grep.out")

speed=PASS; awk -v r="$ratio" 'BEGIN { exit !(r <= 5) }' || speed=MISS
mem=PASS; awk -v m="$rssmb" 'BEGIN { exit !(m <= 64) }' || mem=MISS

cat <<REPORT
File: nova-api.log-20151113 unpacked ($size bytes, $(wc -l <"$log") lines); $COUNT rounds, medians.

| command | median wall s | peak RSS MB | output |
|---|---:|---:|---|
| \`grep -cE '$pattern'\` | $g | – | $matches matching lines |
| \`log-extract -q\` (GOMAXPROCS=1) | $o | $rssmb | $actions actions |

| check | value | target | result |
|---|---:|---:|---|
| log-extract ÷ grep wall time | $ratio | ≤ 5 | $speed |
| log-extract peak RSS | $rssmb MB | ≤ 64 MB | $mem |
REPORT

# The translation tables (nova's catalogs, for logs written with a locale
# set): the extraction with and without them, alternated in one benchmark.
langs=$(cd .. && AUDITLOG_OPENSTACK_DATA=$data go test -run '^$' -bench '^BenchmarkLanguages$' -benchtime "${COUNT}x" ./tools/extract/ |
	awk '/^BenchmarkLanguages/ { for (i = 2; i < NF; i++) if ($(i+1) == "tables/none") { sub(/^BenchmarkLanguages\//, "", $1); sub(/-[0-9]+$/, "", $1); print $1, $i } }')
lang=PASS
echo
echo "| log | with tables ÷ English only | target | result |"
echo "|---|---:|---:|---|"
while read -r name r; do
	res=PASS; awk -v r="$r" 'BEGIN { exit !(r <= 1.05) }' || { res=MISS; lang=MISS; }
	echo "| $name | $r | ≤ 1.05 | $res |"
done <<<"$langs"

if [ "${STRICT:-0}" = 1 ] && { [ $speed = MISS ] || [ $mem = MISS ] || [ $lang = MISS ]; }; then exit 1; fi
