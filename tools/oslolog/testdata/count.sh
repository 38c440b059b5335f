#!/bin/sh
# count.sh FILE... — counts what TestSamples asserts, with grep-style regular
# expressions in awk, as a check written apart from the Go parser:
#   lines records continued joined dropped malformed, then of the records:
#   with no context, with [-], with a request id, with a user, with
#   [instance: …], and per level.
# A record starts at a line that matches HEAD. A line that matches HEAD with
# no request context, and the same timestamp, PID, logger and Loghub name as
# the record before it, is joined to that record; every other line is a
# continuation (or malformed before the first record). Extra is capped at
# 1000 lines and 1 MiB per record, as in the Grouper's defaults.
for f in "$@"; do
	case $f in *.gz) cat=zcat ;; *) cat=cat ;; esac
	$cat "$f" | awk -v name="$(basename "$f")" '
	BEGIN {
		TS = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T][0-9][0-9]:[0-9][0-9]:[0-9][0-9]([.,][0-9]+)?"
		HEAD = "^" TS " ([0-9]+ )?(DEBUG|INFO|AUDIT|WARNING|ERROR|CRITICAL|TRACE) [^ []+( |$)"
		CTX = "^\\[(-|req-[^]]*|None|None [^]]*)\\]"
	}
	{
		sub(/\r$/, "")
		lines++
		line = $0
		src = ""
		if (match(line, /^[^ "\047\[\](){<]+ /) && substr(line, RLENGTH + 1) ~ HEAD) {
			src = substr(line, 1, RLENGTH - 1)
			line = substr(line, RLENGTH + 1)
		}
		if (line ~ HEAD) {
			split(line, w, " ")
			if (w[3] ~ /^[0-9]+$/) { pid = w[3]; lv = w[4]; lg = w[5]; rest = 6 } else { pid = ""; lv = w[3]; lg = w[4]; rest = 5 }
			# what follows the logger
			tail = line
			for (i = 1; i < rest; i++) sub(/^[^ ]* ?/, "", tail)
			ctx = (tail ~ CTX)
			key = src "|" w[1] " " w[2] "|" pid "|" lg
			if (open && !ctx && key == cur) { joined++; cont(); next }
			records++; level[lv]++; open = 1; cur = key; n = 0; b = 0
			if (!ctx) noctx++
			else if (tail ~ /^\[-\]/) dash++
			else {
				c = substr(tail, 2, index(tail, "]") - 2)
				nw = split(c, cw, " ")
				if (cw[1] ~ /^req-/ || cw[2] ~ /^req-/) reqid++
				u = (cw[2] ~ /^req-/) ? cw[3] : cw[2]
				if (u != "" && u != "-" && u != "None") user++
			}
			if (ctx) sub(/^\[[^]]*\] ?/, "", tail)
			if (tail ~ /^\[instance: [^]]*\]/) inst++
			next
		}
		if (!open) { malformed++; next }
		cont()
	}
	function cont() {
		continued++
		if (n >= 1000 || b + length($0) > 1048576) { dropped++; return }
		n++; b += length($0)
	}
	END {
		printf "%s lines=%d records=%d continued=%d joined=%d dropped=%d malformed=%d", name, lines, records, continued, joined, dropped, malformed
		printf " noctx=%d dash=%d reqid=%d user=%d instance=%d", noctx, dash, reqid, user, inst
		for (l in level) printf " %s=%d", l, level[l]
		printf "\n"
	}'
done
