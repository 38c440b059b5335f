#!/usr/bin/env bash
# report.sh times log-report's `users` and `perf` against the same answers
# computed with jq + sort + uniq + awk, side by side on one generated file,
# checks that both sides agree, and prints a markdown table of the medians
# with PASS or FAIL for the bars of issue 13:
#
#   - log-report ≥ 10× the jq pipeline, for users and for perf, each side
#     with the machine's cores (jq's pipeline runs its stages at once;
#     log-report parses JSON lines on every core);
#   - ≥ 300,000 lines/s on one core (log-report with GOMAXPROCS=1),
#     "3× GoAccess-class";
#   - peak RSS ≤ 200 MB (/usr/bin/time -f %M).
#
# The answers compared: users — active users per day (UTC) and the ten
# biggest users by actions; perf — count, p50, p90, p99 and max of
# duration_ms by route for served requests. Counts and maxima must be equal;
# percentiles within log-report's stated 1% relative error of the exact
# value of rank floor(p×(n−1)) that awk picks from jq's sorted output. A
# disagreement stops the script with exit 1, whatever STRICT says.
#
#   N          lines in the generated file (default 1000000, about 350 MB)
#   COUNT      rounds (default 3); each runs the six commands, alternating
#              which side goes first
#   STRICT=1   exit 1 when a bar is missed; otherwise report and exit 0
#   AUDITLOG_BENCH_DIR  where the generated file is kept (default
#              ${TMPDIR:-/tmp}/auditlog-bench), shared with cli.sh
#   JQ         the jq to compare with (default: jq on PATH)
#   LOG_REPORT a binary to time instead of building ../cmd/log-report
#
# Quick check: N=20000 COUNT=1 bash bench/report.sh
# The table goes to stdout and results/report-latest.md; one line per timed
# run to results/report-latest.txt.
set -euo pipefail

cd "$(dirname "$0")"
mkdir -p results

N=${N:-1000000}
COUNT=${COUNT:-3}
JQ=${JQ:-jq}
dir=${AUDITLOG_BENCH_DIR:-${TMPDIR:-/tmp}/auditlog-bench}
file=$dir/lines-$N-seed1.jsonl
TOP=10

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log() { printf 'report.sh: %s\n' "$*" >&2; }

command -v "$JQ" >/dev/null || { log "no $JQ on PATH (apt-get install jq)"; exit 2; }
[[ -x /usr/bin/time ]] || { log "no /usr/bin/time (apt-get install time): peak RSS is one of the bars"; exit 2; }

if [[ -n "${LOG_REPORT:-}" ]]; then
	log_report=$LOG_REPORT
else
	(cd .. && go build -o "$tmp/log-report" ./cmd/log-report)
	log_report=$tmp/log-report
fi

# The file, made once and kept, as cli.sh does: a shorter run of the
# generator is a prefix of a longer one, so comparing the first lines tells
# whether a kept file still matches the generator.
mkdir -p "$dir"
go build -o "$tmp/genlines" ./cmd/genlines
"$tmp/genlines" -n "$((N < 2000 ? N : 2000))" -seed 1 -o "$tmp/head" 2>/dev/null
if [[ ! -s "$file" ]] || ! cmp -s -n "$(stat -c %s "$tmp/head")" "$tmp/head" "$file"; then
	log "generating $file"
	"$tmp/genlines" -n "$N" -seed 1 -o "$file.$$"
	mv "$file.$$" "$file"
fi
bytes=$(stat -c %s "$file")

# measure NAME OUT CMD...: runs CMD (a shell pipeline for jq's side) with
# stdout to OUT; appends "NAME wall_s rss_kb" to the raw results. For a
# pipeline the RSS is the largest of its processes' (each stage under
# /usr/bin/time).
: >results/report-latest.txt
measure() {
	local name=$1 out=$2 cmd=$3 TIMEFORMAT=%3R rc=0 wall rss
	rm -f "$tmp"/rss.*
	{ time bash -c "$cmd" >"$out" 2>"$tmp/stderr" || rc=$?; } 2>"$tmp/wall"
	if ((rc != 0)); then
		log "$name failed (exit $rc):"
		head -20 "$tmp/stderr" >&2
		exit 1
	fi
	wall=$(tail -1 "$tmp/wall")
	rss=$(cat "$tmp"/rss.* 2>/dev/null | sort -n | tail -1)
	echo "$name $wall ${rss:-n/a}" | tee -a results/report-latest.txt >&2
}
T() { printf '/usr/bin/time -f %%M -o %s/rss.%s' "$tmp" "$1"; } # a stage under time

# jq's side. The user is user.id, or user.name without one, as log-report
# reads it; an action is a request or lifecycle line naming an action.
jq_users="$(T 1) $JQ -r 'select((.user.id // .user.name) != null) | \"\(.timestamp[0:10]) \(.user.id // .user.name)\"' '$file' | $(T 2) sort -u | $(T 3) awk '{print \$1}' | $(T 4) uniq -c | awk '{print \"day\", \$2, \$1}' > '$tmp/jq-days';
$(T 5) $JQ -r 'select((.kind == \"request\" or .kind == \"lifecycle\") and (.action // \"\") != \"\" and (.user.id // .user.name) != null) | (.user.id // .user.name)' '$file' | $(T 6) sort | $(T 7) uniq -c | $(T 8) sort -k1,1nr -k2,2 | head -$TOP | awk '{print \"top\", \$2, \$1}' > '$tmp/jq-top';
cat '$tmp/jq-days' '$tmp/jq-top'"
# A route is "service METHOD route" (no method for gRPC), of request lines
# with a route and a duration; awk picks the ranks from the sorted values.
jq_perf="$(T 1) $JQ -r 'select(.kind == \"request\" and .rpc.route != null and .duration_ms != null) | \"\(.service) \(if .rpc.system == \"grpc\" or .rpc.method == null then \"\" else .rpc.method + \" \" end)\(.rpc.route)\t\(.duration_ms)\"' '$file' | $(T 2) sort -t\$'\t' -k1,1 -k2,2g | $(T 3) awk -F'\t' '
function flush() { if (n) printf \"%s\t%d\t%s\t%s\t%s\t%s\n\", key, n, v[int(0.5*(n-1))+1], v[int(0.9*(n-1))+1], v[int(0.99*(n-1))+1], v[n] }
\$1 != key { flush(); key = \$1; n = 0 }
{ v[++n] = \$2 }
END { flush() }' | sort"
ours_users="$(T 1) '$log_report' users -o csv --section daily --section top-actions --top $TOP '$file' | awk -F, '\$1 == \"daily\" {print \"day\", \$2, \$3} \$1 == \"top-actions\" {print \"top\", \$2, \$5}'"
ours_perf="$(T 1) '$log_report' perf -o csv --section route --top 50 '$file' | awk -F, -v OFS='\t' '\$1 == \"route\" {print \$2, \$3, \$4, \$5, \$6, \$7}' | sort"

agree_users() {
	if ! cmp -s "$tmp/jq-users.out" "$tmp/ours-users.out"; then
		log "users: log-report and jq disagree (-jq +log-report):"
		diff "$tmp/jq-users.out" "$tmp/ours-users.out" | head -20 >&2
		exit 1
	fi
}
agree_perf() {
	# Same routes and counts, same max; percentiles within 1%.
	if ! awk -F'\t' 'NR == FNR { want[$1] = $0; next }
		{ split(want[$1], w, "\t"); if (!($1 in want)) { print "route only in log-report: " $1; bad++; next }
		  seen[$1] = 1
		  if (w[2] != $2) { print $1 ": count " $2 ", jq " w[2]; bad++ }
		  if (w[6] + 0 != $6 + 0) { print $1 ": max " $6 ", jq " w[6]; bad++ }
		  for (i = 3; i <= 5; i++) { d = $i - w[i]; if (d < 0) d = -d; if (w[i] > 0 && d / w[i] > 0.01 + 1e-9) { print $1 ": column " i " " $i ", exact " w[i]; bad++ } } }
		END { for (k in want) if (!(k in seen)) { print "route only in jq: " k; bad++ } exit bad > 0 }' \
		"$tmp/jq-perf.out" "$tmp/ours-perf.out" >&2; then
		log "perf: log-report and jq disagree beyond the stated error: stopping"
		exit 1
	fi
}

log "$N lines, $bytes bytes, $COUNT rounds, $(nproc) cores"
for ((round = 1; round <= COUNT; round++)); do
	if ((round % 2)); then
		measure jq-users "$tmp/jq-users.out" "$jq_users"
		measure log-report-users "$tmp/ours-users.out" "$ours_users"
		measure jq-perf "$tmp/jq-perf.out" "$jq_perf"
		measure log-report-perf "$tmp/ours-perf.out" "$ours_perf"
	else
		measure log-report-users "$tmp/ours-users.out" "$ours_users"
		measure jq-users "$tmp/jq-users.out" "$jq_users"
		measure log-report-perf "$tmp/ours-perf.out" "$ours_perf"
		measure jq-perf "$tmp/jq-perf.out" "$jq_perf"
	fi
	agree_users
	agree_perf
	# One core: the same commands, their answers checked again.
	measure log-report-users-1core "$tmp/ours-users.out" "GOMAXPROCS=1 $ours_users"
	measure log-report-perf-1core "$tmp/ours-perf.out" "GOMAXPROCS=1 $ours_perf"
	agree_users
	agree_perf
done
days=$(grep -c '^day ' "$tmp/ours-users.out")
routes=$(wc -l <"$tmp/ours-perf.out")

awk -v cores="$(nproc)" -v bytes="$bytes" -v lines="$N" -v count="$COUNT" -v file="$file" -v days="$days" -v routes="$routes" -v top="$TOP" '
function median(name,   n, i, j, t, a) {
	n = split(walls[name], a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
function row(label, name,   m) {
	m = median(name)
	printf "| %s | %.3f | %.0f | %.1f |\n", label, m, (m > 0 ? lines / m : 0), rss[name] / 1024
}
function check(label, value, target, ok, fmt) {
	printf "| %s | " fmt " | %s | %s |\n", label, value, target, ok ? "PASS" : "FAIL"
	if (!ok) failed++
}
{ walls[$1] = walls[$1] " " $2; if ($3 + 0 > rss[$1] + 0) rss[$1] = $3 }
END {
	printf "File: `%s` (%d lines, %.1f MB); %d round(s), medians, interleaved; %d cores.\n", file, lines, bytes / 1e6, count, cores
	printf "Answers compared every round and equal: active users on each of %d day(s), the top %d users by actions; %d routes by count and max, p50/p90/p99 within 1%%.\n\n", days, top, routes
	print "| command | median wall s | lines/s | peak RSS MB |"
	print "|---|---:|---:|---:|"
	row("`jq` + `sort` + `uniq` (users)", "jq-users")
	row("`log-report users`", "log-report-users")
	row("`jq` + `sort` + `awk` (perf)", "jq-perf")
	row("`log-report perf`", "log-report-perf")
	row("`GOMAXPROCS=1 log-report users`", "log-report-users-1core")
	row("`GOMAXPROCS=1 log-report perf`", "log-report-perf-1core")
	print ""
	print "| check | value | target | result |"
	print "|---|---:|---:|---|"
	u = median("jq-users") / median("log-report-users"); p = median("jq-perf") / median("log-report-perf")
	check("users: jq ÷ log-report", u, "≥ 10", u >= 10, "%.1f")
	check("perf: jq ÷ log-report", p, "≥ 10", p >= 10, "%.1f")
	lu = lines / median("log-report-users-1core"); lp = lines / median("log-report-perf-1core")
	check("users: lines/s on one core", lu, "≥ 300000", lu >= 300000, "%.0f")
	check("perf: lines/s on one core", lp, "≥ 300000", lp >= 300000, "%.0f")
	m = 0
	for (k in rss) if (k ~ /^log-report/ && rss[k] / 1024 > m) m = rss[k] / 1024
	check("log-report peak RSS MB", m, "≤ 200", m <= 200, "%.1f")
	exit (failed > 0)
}' results/report-latest.txt | tee results/report-latest.md && rc=0 || rc=$?
if ((rc != 0)) && [[ "${STRICT:-}" == 1 ]]; then
	exit 1
fi
exit 0
