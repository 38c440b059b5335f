package logexpand

import "github.com/auditlog-go/auditlog/tools/logline"

// Plain ANSI SGR sequences; nothing here needs a terminal database.
var (
	colorReset  = []byte("\x1b[0m")
	colorKey    = []byte("\x1b[36m") // cyan
	colorTag    = []byte("\x1b[2m")  // dim: (json), (python)
	colorSecret = []byte("\x1b[35m") // magenta: [REDACTED]
	colorRed    = []byte("\x1b[1;31m")
	colorYellow = []byte("\x1b[33m")
	colorDim    = []byte("\x1b[2m")
)

// colored appends text, in color when colour is on.
func (x *Expander) colored(dst, color, text []byte) []byte {
	if !x.opts.Color || color == nil {
		return append(dst, text...)
	}
	dst = append(dst, color...)
	dst = append(dst, text...)
	return append(dst, colorReset...)
}

// levelKeys and stackKeys are the names of the level and of a stack trace
// in the lines of every writer log-format knows: one alias table
// ([logline.Aliases]) for both readers. oslo.log's JSONFormatter writes its
// stack trace as a list of lines ("traceback"), other loggers as one string.
var (
	levelKeys = keySet(logline.Names("level"))
	stackKeys = keySet(logline.Names("exception.stacktrace"))
)

func keySet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// isLevelKey reports whether a top-level key holds the level: ours and
// slog's "level", oslo.log's "levelname", and other loggers' names for it.
func isLevelKey(key []byte) bool { return levelKeys[string(key)] }

// isStackKey reports whether key names a stack trace.
func isStackKey(key []byte) bool { return stackKeys[string(key)] }

// levelColor is the colour of a level name in any of the usual spellings,
// or nil for INFO and unknown levels.
func levelColor(level []byte) []byte {
	switch levelRank(level) {
	case rankError:
		return colorRed
	case rankWarning:
		return colorYellow
	case rankDebug:
		return colorDim
	}
	return nil
}

type rank int

const (
	rankUnknown rank = iota
	rankDebug
	rankInfo
	rankWarning
	rankError
)

// levelRank maps the level names of our lines, oslo.log (DEBUG, INFO,
// AUDIT, WARNING, ERROR, CRITICAL, TRACE), slog (WARN, ERROR+2), zap
// (dpanic, panic, fatal) and zerolog (trace, warn) onto four ranks.
func levelRank(level []byte) rank {
	var buf [16]byte
	if len(level) > len(buf) {
		return rankUnknown
	}
	up := buf[:0]
	for _, c := range level {
		if c == '+' || c == '-' {
			break // slog's ERROR+2, WARN-1
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = append(up, c)
	}
	switch string(up) {
	case "DEBUG", "TRACE", "DBG", "TRC":
		return rankDebug
	case "INFO", "AUDIT", "NOTICE", "INF":
		return rankInfo
	case "WARNING", "WARN", "WRN":
		return rankWarning
	case "ERROR", "ERR", "CRITICAL", "FATAL", "PANIC", "DPANIC", "EMERGENCY", "ALERT", "CRIT", "FTL", "PNC":
		return rankError
	}
	return rankUnknown
}

// textLevel finds the level word of an oslo.log text line
// ("2015-10-29 10:52:18.445 28343 DEBUG nova.api…"): the first of its
// first five words that is a level name. It returns the word's span, or
// -1, -1.
func textLevel(line []byte) (int, int) {
	i := 0
	for w := 0; w < 5 && i < len(line); w++ {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		word := line[i:j]
		if len(word) >= 4 && len(word) <= 8 && isUpper(word) && levelRank(word) != rankUnknown {
			return i, j
		}
		i = j
	}
	return -1, -1
}

func isUpper(b []byte) bool {
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
