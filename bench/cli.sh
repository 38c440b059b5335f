#!/usr/bin/env bash
# cli.sh times log-format and log-expand against jq on the same file, side by
# side, and prints a markdown table of the medians, of the ratios jq÷ours the
# project aims for (log-format ≥ 12× `jq -r` on the template below,
# log-expand ≥ 10× `jq .`), each with PASS or MISS. It also times
# `log-format -f convert-json` against oslo.log's own convert-json (Debian's
# python3-oslo.log) on oslo.log JSON lines, and reports that ratio.
#
#   N          lines in the generated file (default 1000000, about 340 MB)
#   OSLO_N     oslo.log JSON lines for the convert-json peer (default N, at
#              most 100000: about 140 MB, a few seconds for oslo.log to write
#              and for convert-json to read); written by oslo_json_lines.py
#              with oslo.log's real JSONFormatter
#   COUNT      rounds (default 3); each round runs all four commands once
#   STRICT=1   exit 1 when a target is missed (or a tool is missing);
#              otherwise the script reports and exits 0
#   AUDITLOG_BENCH_DIR  where the generated file is kept between runs
#              (default ${TMPDIR:-/tmp}/auditlog-bench)
#   JQ         the jq to compare with (default: jq on PATH)
#   LOG_FORMAT, LOG_EXPAND  binaries to time instead of building
#              ../cmd/log-format and ../cmd/log-expand
#
# Ours run with GOMAXPROCS=1: the targets are for single-threaded throughput.
# In every round log-format's output must be byte-identical to jq's, and
# log-format -f convert-json's to convert-json's; if it is not, the script
# stops with the first differing line of each and exits 1, whatever STRICT
# says. Without convert-json on PATH its rows are n/a (a miss under
# STRICT=1). Quick check for CI:
#
#   N=20000 COUNT=1 bash bench/cli.sh
#
# The table goes to stdout and to results/cli-latest.md; one line per timed
# run goes to results/cli-latest.txt.
set -euo pipefail

cd "$(dirname "$0")"
mkdir -p results

N=${N:-1000000}
COUNT=${COUNT:-3}
JQ=${JQ:-jq}
dir=${AUDITLOG_BENCH_DIR:-${TMPDIR:-/tmp}/auditlog-bench}
file=$dir/lines-$N-seed1.jsonl

format_fmt='%(timestamp)s %(level)s %(service)s %(context.request_id)s %(user.id)s %(action)s %(target.id)s %(status)s %(duration_ms)s %(message)s'
jq_fmt='"\(.timestamp) \(.level) \(.service) \(.context.request_id // "-") \(.user.id // "-") \(.action // "-") \(.target.id // "-") \(.status // "-") \(.duration_ms // "-") \(.message)"'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log() { printf 'cli.sh: %s\n' "$*" >&2; }

command -v "$JQ" >/dev/null || {
	log "no $JQ on PATH"
	exit 2
}

# The tools: built from the main module when their command exists, unless
# given. A missing one is reported as n/a and its side skipped.
build() { # name -> path of the binary, or "" when there is none
	local name=$1 given=$2
	if [[ -n "$given" ]]; then
		echo "$given"
	elif compgen -G "../cmd/$name/*.go" >/dev/null; then
		(cd .. && go build -o "$tmp/$name" "./cmd/$name") || {
			log "building ../cmd/$name failed"
			exit 1
		}
		echo "$tmp/$name"
	else
		log "../cmd/$name does not exist yet: timing jq only for it"
		echo ""
	fi
}
log_format=$(build log-format "${LOG_FORMAT:-}")
OSLO_N=${OSLO_N:-$((N < 100000 ? N : 100000))}
log_expand=$(build log-expand "${LOG_EXPAND:-}")

# The file, made once and kept. A shorter run of the generator is a prefix
# of a longer one, so comparing the first lines tells whether a kept file
# still matches the generator as it is now.
mkdir -p "$dir"
go build -o "$tmp/genlines" ./cmd/genlines
"$tmp/genlines" -n "$((N < 2000 ? N : 2000))" -seed 1 -o "$tmp/head" 2>/dev/null
if [[ ! -s "$file" ]] || ! cmp -s -n "$(stat -c %s "$tmp/head")" "$tmp/head" "$file"; then
	log "generating $file"
	"$tmp/genlines" -n "$N" -seed 1 -o "$file.$$"
	mv "$file.$$" "$file"
fi
bytes=$(stat -c %s "$file")

# The oslo.log lines, made once and kept, by oslo.log itself, run by the
# Python that runs convert-json (its #! line).
convert_json=$(command -v convert-json || true)
oslo_file=$dir/oslo-$OSLO_N.json
oslo_bytes=0
if [[ -n "$convert_json" ]]; then
	python=$(head -1 "$convert_json" | sed -n 's/^#! *//p')
	[[ "$python" == */env\ * ]] && python=${python#*env }
	python=${python:-python3}
	if [[ ! -s "$oslo_file" ]]; then
		log "generating $oslo_file with oslo.log's JSONFormatter"
		$python oslo_json_lines.py "$OSLO_N" "$oslo_file.$$"
		mv "$oslo_file.$$" "$oslo_file"
	fi
	oslo_bytes=$(stat -c %s "$oslo_file")
else
	log "no convert-json on PATH (apt-get install python3-oslo.log): its peer rows are n/a"
fi

# measure NAME OUT CMD...: runs CMD with stdout to OUT and appends
# "NAME wall_s rss_kb" to the raw results. Wall time from bash's time (ms
# resolution); peak RSS from /usr/bin/time when there is one.
have_time=0
[[ -x /usr/bin/time ]] && have_time=1
: >results/cli-latest.txt
measure() {
	local name=$1 out=$2
	shift 2
	local TIMEFORMAT=%3R rc=0 wall rss=n/a
	if ((have_time)); then
		{ time /usr/bin/time -f %M -o "$tmp/rss" "$@" >"$out" 2>"$tmp/stderr" || rc=$?; } 2>"$tmp/wall"
	else
		{ time "$@" >"$out" 2>"$tmp/stderr" || rc=$?; } 2>"$tmp/wall"
	fi
	if ((rc != 0)); then
		log "$name failed (exit $rc):"
		head -20 "$tmp/stderr" >&2
		exit 1
	fi
	wall=$(tail -1 "$tmp/wall")
	((have_time)) && rss=$(tail -1 "$tmp/rss")
	echo "$name $wall $rss" | tee -a results/cli-latest.txt >&2
}

# same: byte identity of the two outputs, or the first differing line of each.
same() {
	local want=$1 got=$2 peer=${3:-jq -r} at line
	if cmp -s "$want" "$got"; then
		return 0
	fi
	at=$(cmp "$want" "$got" 2>&1 | head -1 || true)
	log "log-format's output differs from $peer's: ${at//$tmp\//}"
	line=$(sed -n 's/.*line \([0-9]*\).*/\1/p' <<<"$at")
	if [[ -n "$line" ]]; then
		printf '  %-12s line %s: %s\n' "$peer" "$line" "$(sed -n "${line}p" "$want" | cut -c1-2000)" >&2
		printf '  log-format   line %s: %s\n' "$line" "$(sed -n "${line}p" "$got" | cut -c1-2000)" >&2
	fi
	log "byte identity with $peer is a requirement: stopping"
	exit 1
}

# The four timed commands.
jq_format() { measure jq-r "$tmp/jq.out" "$JQ" -r "$jq_fmt" "$file"; }
our_format() {
	[[ -n "$log_format" ]] || return 0
	measure log-format "$tmp/ours.out" env GOMAXPROCS=1 "$log_format" --color=never --missing=- -f "$format_fmt" "$file"
}
jq_expand() { measure jq-dot /dev/null "$JQ" . "$file"; }
peer_convert() { measure convert-json "$tmp/cj.out" "$convert_json" "$oslo_file"; }
our_convert() {
	[[ -n "$log_format" ]] || return 0
	measure log-format-cj "$tmp/ours-cj.out" env GOMAXPROCS=1 "$log_format" --color=never -f convert-json "$oslo_file"
}
our_expand() {
	[[ -n "$log_expand" ]] || return 0
	measure log-expand /dev/null env GOMAXPROCS=1 "$log_expand" --color=never "$file"
}

log "$N lines, $bytes bytes, $COUNT rounds; ours with GOMAXPROCS=1"
identical=n/a
identical_cj=n/a
for ((round = 1; round <= COUNT; round++)); do
	# Alternate who goes first, so a slow spell of this shared machine
	# does not always land on the same side.
	if ((round % 2)); then
		jq_format
		our_format
	else
		our_format
		jq_format
	fi
	if [[ -n "$log_format" ]]; then
		same "$tmp/jq.out" "$tmp/ours.out"
		identical="yes, every round ($(stat -c %s "$tmp/jq.out") bytes of output)"
	fi
	rm -f "$tmp/jq.out" "$tmp/ours.out"
	if ((round % 2)); then
		jq_expand
		our_expand
	else
		our_expand
		jq_expand
	fi
	[[ -n "$convert_json" ]] || continue
	if ((round % 2)); then
		peer_convert
		our_convert
	else
		our_convert
		peer_convert
	fi
	if [[ -n "$log_format" ]]; then
		same "$tmp/cj.out" "$tmp/ours-cj.out" convert-json
		identical_cj="yes, every round ($(stat -c %s "$tmp/cj.out") bytes of output)"
	fi
	rm -f "$tmp/cj.out" "$tmp/ours-cj.out"
done

# The table. Medians per tool; ratios of the medians.
report() {
	awk -v bytes="$bytes" -v lines="$N" -v count="$COUNT" -v file="$file" \
		-v oslo_bytes="$oslo_bytes" -v oslo_lines="$OSLO_N" -v oslo_file="$oslo_file" -v have_peer="${convert_json:+1}" \
		-v have_format="${log_format:+1}" -v have_expand="${log_expand:+1}" '
	function median(name,   n, i, j, t, a) {
		n = split(walls[name], a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		if (n == 0) return ""
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	function maxrss(name) { return rss[name] == "" ? "n/a" : sprintf("%.1f", rss[name] / 1024) }
	function row(label, name, size,   m) {
		if (size == "") size = bytes
		m = median(name)
		if (m == "") { printf "| %s | n/a | n/a | n/a |\n", label; return }
		printf "| %s | %.3f | %.1f | %s |\n", label, m, (m > 0 ? size / 1e6 / m : 0), maxrss(name)
	}
	function ratio(label, ours, theirs, have,   mo, mt) {
		mo = median(ours); mt = median(theirs)
		if (!have || mo == "" || mt == "") { printf "| %s | n/a | — | MISS (not run) |\n", label; missed++; return }
		printf "| %s | %.1f | — | measured |\n", label, (mo > 0 ? mt / mo : 0)
	}
	function check(label, ours, theirs, target, have,   mo, mt, r) {
		mo = median(ours); mt = median(theirs)
		if (!have || mo == "" || mt == "") { printf "| %s | n/a | ≥ %d | MISS (not built) |\n", label, target; missed++; return }
		r = mo > 0 ? mt / mo : 0
		printf "| %s | %.1f | ≥ %d | %s |\n", label, r, target, r >= target ? "PASS" : "MISS"
		if (r < target) missed++
	}
	{ walls[$1] = walls[$1] " " $2; if ($3 != "n/a" && $3 + 0 > rss[$1] + 0) rss[$1] = $3 }
	END {
		printf "File: `%s` (%d lines, %.1f MB, %.1f bytes/line); %d round(s), medians; ours with GOMAXPROCS=1.\n\n", file, lines, bytes / 1e6, bytes / lines, count
		print "| command | median wall s | MB/s | peak RSS MB |"
		print "|---|---:|---:|---:|"
		row("`jq -r TEMPLATE`", "jq-r")
		row("`log-format -f TEMPLATE`", "log-format")
		row("`jq .`", "jq-dot")
		row("`log-expand`", "log-expand")
		row("`convert-json` (oslo.log JSON)", "convert-json", oslo_bytes)
		row("`log-format -f convert-json` (oslo.log JSON)", "log-format-cj", oslo_bytes)
		print ""
		print "| check | peer ÷ ours | target | result |"
		print "|---|---:|---:|---|"
		check("log-format vs `jq -r`", "log-format", "jq-r", 12, have_format)
		check("log-expand vs `jq .`", "log-expand", "jq-dot", 10, have_expand)
		ratio("log-format -f convert-json vs `convert-json`", "log-format-cj", "convert-json", have_format && have_peer)
		if (have_peer) printf "\nThe oslo.log lines: `%s` (%d lines, %.1f MB, %.1f bytes/line), written by the JSONFormatter of oslo.log.\n", oslo_file, oslo_lines, oslo_bytes / 1e6, (oslo_lines ? oslo_bytes / oslo_lines : 0)
		exit (missed > 0)
	}' results/cli-latest.txt
}
rc=0
{
	report || rc=$?
	echo
	echo "log-format output byte-identical to jq -r: $identical"
	echo "log-format -f convert-json output byte-identical to convert-json: $identical_cj"
	echo
	echo "Commands (FILE as above):"
	echo
	echo "    $JQ -r '$jq_fmt' FILE >OUT"
	echo "    GOMAXPROCS=1 log-format --color=never --missing=- -f '$format_fmt' FILE >OUT"
	echo "    $JQ . FILE >/dev/null"
	echo "    GOMAXPROCS=1 log-expand --color=never FILE >/dev/null"
	echo "    convert-json OSLO_FILE >OUT"
	echo "    GOMAXPROCS=1 log-format --color=never -f convert-json OSLO_FILE >OUT"
	((have_time)) || echo "(no /usr/bin/time: peak RSS n/a)"
} >results/cli-latest.md
cat results/cli-latest.md
if [[ "${STRICT:-0}" == 1 ]]; then
	exit "$rc"
fi
exit 0
