#!/usr/bin/env bash
# cli.sh times log-format and log-expand against jq on the same files, side
# by side, and prints a markdown table of the medians and of every ratio the
# project aims for, each with PASS or MISS:
#
#   - log-format ≥ 15× `jq -r` single-threaded (GOMAXPROCS=1), on every data
#     set and template below; ≥ 25× on both cores (GOMAXPROCS=2, the file
#     split in chunks: --jobs' default);
#   - log-expand ≥ 15× `jq .` single-threaded and ≥ 25× on both cores, on
#     every data set;
#   - log-format ≥ 1.3× a gjson-based formatter (bench/cmd/gjsonformat, the
#     same template filled with tidwall/gjson), both single-threaded.
#
# Two data sets:
#
#   ours   N lines of our audit lines (bench/cmd/genlines: sorted keys,
#          ~340 bytes a line), with the full template (ten fields), three
#          fields (%(timestamp)s %(level)s %(message)s) and one (%(message)s)
#   oslo   OTHER_N lines as oslo.log's JSONFormatter writes them
#          (bench/cmd/genother: its key order, ~2 KB a line, the template's
#          keys at the front, long messages with embedded JSON, \u escapes
#          everywhere), with three fields and one, read through log-format's
#          aliases (timestamp finds asctime, level levelname)
#
# It also times `log-format -f convert-json` against oslo.log's own
# convert-json (Debian's python3-oslo.log) on lines written by oslo.log
# itself, and reports that ratio.
#
#   N          lines of the ours data set (default 1000000, about 340 MB)
#   OTHER_N    lines of the oslo data set (default N, at most 300000: about
#              610 MB)
#   OSLO_N     oslo.log JSON lines for the convert-json peer (default N, at
#              most 100000: about 140 MB); written by oslo_json_lines.py
#              with oslo.log's real JSONFormatter
#   COUNT      rounds (default 3); each round runs every command once, peer
#              and ours in alternating order
#   STRICT=1   exit 1 when a target is missed (or a tool is missing);
#              otherwise the script reports and exits 0
#   AUDITLOG_BENCH_DIR  where the generated files are kept between runs
#              (default ${TMPDIR:-/tmp}/auditlog-bench)
#   JQ         the jq to compare with (default: jq on PATH)
#   LOG_FORMAT, LOG_EXPAND  binaries to time instead of building
#              ../cmd/log-format and ../cmd/log-expand
#
# The timed runs write to /dev/null (see format_case for why). Every round,
# the output of log-format (on one core and on two) and of gjsonformat,
# made again untimed, must be byte-identical to jq's, and log-format -f
# convert-json's to convert-json's; log-expand's output on two cores is
# checked once against its output on one. If any differs, the script stops
# with the first differing line and exits 1, whatever STRICT says. Without
# convert-json on PATH its rows are n/a (a miss under STRICT=1). Quick check
# for CI:
#
#   N=20000 COUNT=1 bash bench/cli.sh
#
# The table goes to stdout and to results/cli-latest.md; one line per timed
# run goes to results/cli-latest.txt.
set -euo pipefail

cd "$(dirname "$0")"
mkdir -p results

N=${N:-1000000}
OTHER_N=${OTHER_N:-$((N < 300000 ? N : 300000))}
OSLO_N=${OSLO_N:-$((N < 100000 ? N : 100000))}
COUNT=${COUNT:-3}
JQ=${JQ:-jq}
dir=${AUDITLOG_BENCH_DIR:-${TMPDIR:-/tmp}/auditlog-bench}

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
log_expand=$(build log-expand "${LOG_EXPAND:-}")
go build -o "$tmp/gjsonformat" ./cmd/gjsonformat

# The files, made once and kept. A shorter run of a generator is a prefix
# of a longer one, so comparing the first lines tells whether a kept file
# still matches the generator as it is now.
mkdir -p "$dir"
generate() { # generator lines file
	local gen=$1 n=$2 file=$3
	go build -o "$tmp/$gen" "./cmd/$gen"
	"$tmp/$gen" -n "$((n < 2000 ? n : 2000))" -seed 1 -o "$tmp/head" 2>/dev/null
	if [[ ! -s "$file" ]] || ! cmp -s -n "$(stat -c %s "$tmp/head")" "$tmp/head" "$file"; then
		log "generating $file"
		"$tmp/$gen" -n "$n" -seed 1 -o "$file.$$"
		mv "$file.$$" "$file"
	fi
}
ours_file=$dir/lines-$N-seed1.jsonl
other_file=$dir/other-$OTHER_N-seed1.jsonl
generate genlines "$N" "$ours_file"
generate genother "$OTHER_N" "$other_file"

# The oslo.log lines for convert-json, made once and kept, by oslo.log
# itself, run by the Python that runs convert-json (its #! line).
convert_json=$(command -v convert-json || true)
oslo_file=$dir/oslo-$OSLO_N.json
if [[ -n "$convert_json" ]]; then
	python=$(head -1 "$convert_json" | sed -n 's/^#! *//p')
	[[ "$python" == */env\ * ]] && python=${python#*env }
	python=${python:-python3}
	if [[ ! -s "$oslo_file" ]]; then
		log "generating $oslo_file with oslo.log's JSONFormatter"
		$python oslo_json_lines.py "$OSLO_N" "$oslo_file.$$"
		mv "$oslo_file.$$" "$oslo_file"
	fi
else
	log "no convert-json on PATH (apt-get install python3-oslo.log): its peer rows are n/a"
fi

# The cases: data set, template name, log-format's template, jq's filter,
# gjsonformat's template (the keys as the data set writes them).
full_fmt='%(timestamp)s %(level)s %(service)s %(context.request_id)s %(user.id)s %(action)s %(target.id)s %(status)s %(duration_ms)s %(message)s'
full_jq='"\(.timestamp) \(.level) \(.service) \(.context.request_id // "-") \(.user.id // "-") \(.action // "-") \(.target.id // "-") \(.status // "-") \(.duration_ms // "-") \(.message)"'
three_fmt='%(timestamp)s %(level)s %(message)s'
one_fmt='%(message)s'
cases=(
	"ours|full|$full_fmt|$full_jq|$full_fmt"
	"ours|three|$three_fmt|\"\\(.timestamp) \\(.level) \\(.message)\"|$three_fmt"
	"ours|one|$one_fmt|.message // \"-\"|$one_fmt"
	"oslo|three|$three_fmt|\"\\(.asctime) \\(.levelname) \\(.message)\"|%(asctime)s %(levelname)s %(message)s"
	"oslo|one|$one_fmt|.message // \"-\"|$one_fmt"
)
datafile() { if [[ $1 == ours ]]; then echo "$ours_file"; else echo "$other_file"; fi; }

# measure NAME OUT CMD...: runs CMD with stdout to OUT and appends
# "NAME wall_s rss_kb cpu_s" to the raw results. Wall time from bash's time
# (ms resolution); peak RSS and CPU time (user + system) from /usr/bin/time
# when there is one. The goals are for wall time; CPU time is shown beside
# it because on a shared machine wall time also counts the waits for a core.
have_time=0
[[ -x /usr/bin/time ]] && have_time=1
: >results/cli-latest.txt
measure() {
	local name=$1 out=$2
	shift 2
	local TIMEFORMAT=%3R rc=0 wall rss=n/a cpu=n/a
	if ((have_time)); then
		{ time /usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@" >"$out" 2>"$tmp/stderr" || rc=$?; } 2>"$tmp/wall"
	else
		{ time "$@" >"$out" 2>"$tmp/stderr" || rc=$?; } 2>"$tmp/wall"
	fi
	if ((rc != 0)); then
		log "$name failed (exit $rc):"
		head -20 "$tmp/stderr" >&2
		exit 1
	fi
	wall=$(tail -1 "$tmp/wall")
	if ((have_time)); then
		read -r rss user sys < <(tail -1 "$tmp/rss")
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	fi
	echo "$name $wall $rss $cpu" | tee -a results/cli-latest.txt >&2
}

# same WANT GOT PEER WHO: byte identity of the two outputs, or the first
# differing line of each.
same() {
	local want=$1 got=$2 peer=$3 who=$4 at line
	if cmp -s "$want" "$got"; then
		return 0
	fi
	at=$(cmp "$want" "$got" 2>&1 | head -1 || true)
	log "$who's output differs from $peer's: ${at//$tmp\//}"
	line=$(sed -n 's/.*line \([0-9]*\).*/\1/p' <<<"$at")
	if [[ -n "$line" ]]; then
		printf '  %-12s line %s: %s\n' "$peer" "$line" "$(sed -n "${line}p" "$want" | cut -c1-2000)" >&2
		printf '  %-12s line %s: %s\n' "$who" "$line" "$(sed -n "${line}p" "$got" | cut -c1-2000)" >&2
	fi
	log "byte identity with $peer is a requirement: stopping"
	exit 1
}

# pair FIRST SECOND: runs the two in the round's order.
round=0
pair() {
	if ((round % 2)); then
		"$1"
		"$2"
	else
		"$2"
		"$1"
	fi
}

# The log-format cases of one round: jq, ours on one core, gjsonformat,
# ours on both cores. The timed runs write to /dev/null: the kernel's cost
# of taking a 100-160 MB output file into its page cache is neither tool's
# work, and it swung from 0.1 to 1.0 s of system time between identical
# runs of the same binary, more than log-format's own time. The outputs are
# then made again, untimed, and every one is checked against jq's (made
# once, in the first round, as the reference: jq is deterministic).
format_case() {
	local ds tpl fmt jqf gfmt file key ref
	IFS='|' read -r ds tpl fmt jqf gfmt <<<"$1"
	file=$(datafile "$ds")
	key=$ds-$tpl
	ref=$tmp/ref-$key
	peer() { measure "jq-r:$key" /dev/null "$JQ" -r "$jqf" "$file"; }
	ours1() { [[ -z "$log_format" ]] || measure "format1:$key" /dev/null env GOMAXPROCS=1 "$log_format" --color=never --missing=- -f "$fmt" "$file"; }
	gj() { measure "gjson:$key" /dev/null env GOMAXPROCS=1 "$tmp/gjsonformat" "$gfmt" "$file"; }
	ours2() { [[ -z "$log_format" ]] || measure "format2:$key" /dev/null env GOMAXPROCS=2 "$log_format" --color=never --missing=- -f "$fmt" "$file"; }
	pair peer ours1
	pair gj ours2
	[[ -s "$ref" ]] || "$JQ" -r "$jqf" "$file" >"$ref"
	GOMAXPROCS=1 "$tmp/gjsonformat" "$gfmt" "$file" >"$tmp/gjson.out"
	same "$ref" "$tmp/gjson.out" "jq -r" gjsonformat
	if [[ -n "$log_format" ]]; then
		GOMAXPROCS=1 "$log_format" --color=never --missing=- -f "$fmt" "$file" >"$tmp/ours1.out"
		same "$ref" "$tmp/ours1.out" "jq -r" "log-format"
		GOMAXPROCS=2 "$log_format" --color=never --missing=- -f "$fmt" "$file" >"$tmp/ours2.out"
		same "$ref" "$tmp/ours2.out" "jq -r" "log-format on 2 cores"
		echo "$key $(stat -c %s "$ref")" >>"$tmp/identical"
	fi
	rm -f "$tmp/ours1.out" "$tmp/ours2.out" "$tmp/gjson.out"
}

expand_case() {
	local ds=$1 file
	file=$(datafile "$ds")
	peer() { measure "jq-dot:$ds" /dev/null "$JQ" . "$file"; }
	ours1() { [[ -z "$log_expand" ]] || measure "expand1:$ds" /dev/null env GOMAXPROCS=1 "$log_expand" --color=never "$file"; }
	ours2() { [[ -z "$log_expand" ]] || measure "expand2:$ds" /dev/null env GOMAXPROCS=2 "$log_expand" --color=never "$file"; }
	pair peer ours1
	ours2
}

convert_case() {
	[[ -n "$convert_json" ]] || return 0
	peer() { measure convert-json /dev/null "$convert_json" "$oslo_file"; }
	ours() { [[ -z "$log_format" ]] || measure log-format-cj /dev/null env GOMAXPROCS=1 "$log_format" --color=never -f convert-json "$oslo_file"; }
	pair peer ours
	if [[ -n "$log_format" ]]; then
		[[ -s "$tmp/ref-cj" ]] || "$convert_json" "$oslo_file" >"$tmp/ref-cj"
		GOMAXPROCS=1 "$log_format" --color=never -f convert-json "$oslo_file" >"$tmp/ours-cj.out"
		same "$tmp/ref-cj" "$tmp/ours-cj.out" convert-json "log-format -f convert-json"
		identical_cj="yes, every round ($(stat -c %s "$tmp/ref-cj") bytes of output)"
	fi
	rm -f "$tmp/ours-cj.out"
}

# log-expand on two cores writes what it writes on one: checked once, out
# of the timed runs (its output is several times its input).
if [[ -n "$log_expand" ]]; then
	for ds in ours oslo; do
		f=$(datafile "$ds")
		GOMAXPROCS=1 "$log_expand" --color=never "$f" | cksum >"$tmp/e1"
		GOMAXPROCS=2 "$log_expand" --color=never "$f" | cksum >"$tmp/e2"
		cmp -s "$tmp/e1" "$tmp/e2" || {
			log "log-expand's output on 2 cores differs from its output on 1 ($ds): stopping"
			exit 1
		}
	done
fi

log "ours: $N lines, $(stat -c %s "$ours_file") bytes; oslo: $OTHER_N lines, $(stat -c %s "$other_file") bytes; $COUNT rounds"
identical_cj=n/a
: >"$tmp/identical"
for ((round = 1; round <= COUNT; round++)); do
	for c in "${cases[@]}"; do
		format_case "$c"
	done
	expand_case ours
	expand_case oslo
	convert_case
done

# The table. Medians per command; ratios of the medians.
report() {
	awk -v count="$COUNT" -v ours_file="$ours_file" -v ours_lines="$N" -v ours_bytes="$(stat -c %s "$ours_file")" \
		-v other_file="$other_file" -v other_lines="$OTHER_N" -v other_bytes="$(stat -c %s "$other_file")" \
		-v oslo_file="$oslo_file" -v oslo_lines="$OSLO_N" -v oslo_bytes="$( [[ -s "$oslo_file" ]] && stat -c %s "$oslo_file" || echo 0)" \
		-v have_peer="${convert_json:+1}" -v have_format="${log_format:+1}" -v have_expand="${log_expand:+1}" '
	function median(name,   n, i, j, t, a) {
		n = split(walls[name], a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		if (n == 0) return ""
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	function maxrss(name) { return rss[name] == "" ? "n/a" : sprintf("%.1f", rss[name] / 1024) }
	function size(name) { return name ~ /ours/ ? ours_bytes : name ~ /oslo/ ? other_bytes : oslo_bytes }
	function row(label, name,   m, c) {
		m = median(name)
		if (m == "") { printf "| %s | n/a | n/a | n/a | n/a |\n", label; return }
		c = median("cpu " name)
		printf "| %s | %.3f | %.1f | %s | %s |\n", label, m, (m > 0 ? size(name) / 1e6 / m : 0), (c == "" ? "n/a" : sprintf("%.2f", c)), maxrss(name)
	}
	function ratio(label, ours, theirs, have,   mo, mt) {
		mo = median(ours); mt = median(theirs)
		if (!have || mo == "" || mt == "") { printf "| %s | n/a | — | MISS (not run) | — |\n", label; missed++; return }
		printf "| %s | %.1f | — | measured | — |\n", label, (mo > 0 ? mt / mo : 0)
	}
	function check(label, ours, theirs, target, have,   mo, mt, r, co, ct) {
		mo = median(ours); mt = median(theirs)
		if (!have || mo == "" || mt == "") { printf "| %s | n/a | ≥ %s | MISS (not built) | n/a |\n", label, target; missed++; return }
		r = mo > 0 ? mt / mo : 0
		co = median("cpu " ours); ct = median("cpu " theirs)
		printf "| %s | %.2f | ≥ %s | %s | %s |\n", label, r, target, r >= target ? "PASS" : "MISS", (co > 0 && ct != "" ? sprintf("%.2f", ct / co) : "n/a")
		if (r < target) missed++
	}
	{
		walls[$1] = walls[$1] " " $2
		if ($3 != "n/a" && $3 + 0 > rss[$1] + 0) rss[$1] = $3
		if ($4 != "" && $4 != "n/a") walls["cpu " $1] = walls["cpu " $1] " " $4
	}
	END {
		split("ours-full ours-three ours-one oslo-three oslo-one", keys, " ")
		tpl["full"] = "ten fields"; tpl["three"] = "three fields"; tpl["one"] = "%(message)s"
		printf "Data sets: ours `%s` (%d lines, %.1f MB, %.0f bytes/line); oslo `%s` (%d lines, %.1f MB, %.0f bytes/line). %d round(s), medians; \"1 core\" is GOMAXPROCS=1, \"2 cores\" GOMAXPROCS=2 (the file split in chunks).\n\n", ours_file, ours_lines, ours_bytes / 1e6, ours_bytes / ours_lines, other_file, other_lines, other_bytes / 1e6, other_bytes / other_lines, count
		print "| command | median wall s | MB/s (wall) | median CPU s | peak RSS MB |"
		print "|---|---:|---:|---:|---:|"
		for (k = 1; k <= 5; k++) {
			key = keys[k]; split(key, p, "-"); d = p[1] ", " tpl[p[2]]
			row("`jq -r` " d, "jq-r:" key)
			row("gjsonformat " d ", 1 core", "gjson:" key)
			row("log-format " d ", 1 core", "format1:" key)
			row("log-format " d ", 2 cores", "format2:" key)
		}
		for (k = 1; k <= 2; k++) {
			d = k == 1 ? "ours" : "oslo"
			row("`jq .` " d, "jq-dot:" d)
			row("log-expand " d ", 1 core", "expand1:" d)
			row("log-expand " d ", 2 cores", "expand2:" d)
		}
		row("`convert-json` (oslo.log JSON)", "convert-json")
		row("`log-format -f convert-json` (oslo.log JSON), 1 core", "log-format-cj")
		print ""
		print "| check | peer ÷ ours (wall) | target | result | peer ÷ ours (CPU time, for reference) |"
		print "|---|---:|---:|---|---:|"
		for (k = 1; k <= 5; k++) {
			key = keys[k]; split(key, p, "-"); d = p[1] ", " tpl[p[2]]
			check("log-format vs `jq -r`, " d ", 1 core", "format1:" key, "jq-r:" key, 15, have_format)
			check("log-format vs `jq -r`, " d ", 2 cores", "format2:" key, "jq-r:" key, 25, have_format)
			check("log-format vs gjsonformat, " d ", 1 core each", "format1:" key, "gjson:" key, 1.3, have_format)
		}
		for (k = 1; k <= 2; k++) {
			d = k == 1 ? "ours" : "oslo"
			check("log-expand vs `jq .`, " d ", 1 core", "expand1:" d, "jq-dot:" d, 15, have_expand)
			check("log-expand vs `jq .`, " d ", 2 cores", "expand2:" d, "jq-dot:" d, 25, have_expand)
		}
		ratio("log-format -f convert-json vs `convert-json`", "log-format-cj", "convert-json", have_format && have_peer)
		if (have_peer) printf "\nThe oslo.log lines for convert-json: `%s` (%d lines, %.1f MB, %.1f bytes/line), written by the JSONFormatter of oslo.log.\n", oslo_file, oslo_lines, oslo_bytes / 1e6, (oslo_lines ? oslo_bytes / oslo_lines : 0)
		exit (missed > 0)
	}' results/cli-latest.txt
}
rc=0
{
	report || rc=$?
	echo
	if [[ -s "$tmp/identical" ]]; then
		echo "Output byte-identical to jq -r (log-format on 1 and 2 cores, gjsonformat), every round:"
		sort -u "$tmp/identical" | awk '{ printf "%s (%d bytes)%s", $1, $2, "; " }' | sed 's/; $//'
		echo
	else
		echo "Output byte-identical to jq -r: n/a (no log-format)"
	fi
	echo "log-expand's output identical on 1 and 2 cores: ${log_expand:+yes (checked once per data set)}"
	echo "log-format -f convert-json output byte-identical to convert-json: $identical_cj"
	echo
	echo "Commands (FILE as above, TEMPLATE, FILTER and KEYS per case; timed with OUT = /dev/null, then run again untimed into files that are compared):"
	echo
	echo "    $JQ -r FILTER FILE >OUT"
	echo "    GOMAXPROCS=1 gjsonformat KEYS FILE >OUT"
	echo "    GOMAXPROCS=1 log-format --color=never --missing=- -f TEMPLATE FILE >OUT    (2 cores: GOMAXPROCS=2)"
	echo "    $JQ . FILE >/dev/null"
	echo "    GOMAXPROCS=1 log-expand --color=never FILE >/dev/null                      (2 cores: GOMAXPROCS=2)"
	echo "    convert-json OSLO_FILE >OUT"
	echo "    GOMAXPROCS=1 log-format --color=never -f convert-json OSLO_FILE >OUT"
	echo
	for c in "${cases[@]}"; do
		IFS='|' read -r ds tpl fmt jqf gfmt <<<"$c"
		echo "    $ds/$tpl: TEMPLATE '$fmt'  FILTER '$jqf'  KEYS '$gfmt'"
	done
	((have_time)) || echo "(no /usr/bin/time: peak RSS n/a)"
} >results/cli-latest.md
cat results/cli-latest.md
if [[ "${STRICT:-0}" == 1 ]]; then
	exit "$rc"
fi
exit 0
