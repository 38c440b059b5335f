package logline

import (
	"strconv"
	"strings"
)

// Level ranks, spaced like Python's logging levels so that oslo.log's
// levelno reads directly.
const (
	RankTrace    = 5
	RankDebug    = 10
	RankInfo     = 20
	RankAudit    = 25 // oslo.log's old AUDIT, between INFO and WARNING
	RankWarning  = 30
	RankError    = 40
	RankCritical = 50
)

// ParseLevel reads a level as the writers of JSON lines spell it: our names
// and oslo.log's (DEBUG, INFO, AUDIT, WARNING, ERROR, CRITICAL), slog's and
// zap's and zerolog's (warn, fatal, panic, dpanic, trace), syslog's (notice,
// err, crit, alert, emerg), any case; or a number, read as Python's levelno
// when 10 or more (10 DEBUG … 50 CRITICAL) and as a slog level otherwise
// (-4 DEBUG, 0 INFO, 4 WARN, 8 ERROR). It returns our name for the level
// and its rank; ok is false when the text is no level it knows.
func ParseLevel(s string) (name string, rank int, ok bool) {
	s = strings.TrimSpace(s)
	// slog writes levels between the named ones as "ERROR+2" or "INFO-4":
	// read the name and let the offset go.
	if i := strings.IndexAny(s, "+-"); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			s = s[:i]
		}
	}
	switch strings.ToUpper(s) {
	case "TRACE":
		return "DEBUG", RankTrace, true
	case "DEBUG", "DBG":
		return "DEBUG", RankDebug, true
	case "INFO", "INFORMATION", "INF", "NOTICE":
		return "INFO", RankInfo, true
	case "AUDIT":
		return "INFO", RankAudit, true
	case "WARNING", "WARN", "WRN":
		return "WARNING", RankWarning, true
	case "ERROR", "ERR", "DPANIC":
		return "ERROR", RankError, true
	case "CRITICAL", "CRIT", "FATAL", "PANIC", "ALERT", "EMERG", "EMERGENCY", "FTL":
		return "CRITICAL", RankCritical, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return "", 0, false
	}
	if n < 10 { // slog: DEBUG -4, INFO 0, WARN 4, ERROR 8
		n = 20 + n*5/2
	}
	switch {
	case n >= RankCritical:
		return "CRITICAL", RankCritical, true
	case n >= RankError:
		return "ERROR", RankError, true
	case n >= RankWarning:
		return "WARNING", RankWarning, true
	case n >= RankInfo:
		return "INFO", RankInfo, true
	case n >= RankDebug:
		return "DEBUG", RankDebug, true
	}
	return "DEBUG", RankTrace, true
}

// LevelOf reads the level of a JSON value (a string or a number).
func LevelOf(v []byte) (name string, rank int, ok bool) {
	if len(v) == 0 {
		return "", 0, false
	}
	if v[0] == '"' {
		var buf [32]byte
		if len(v) > len(buf)+2 {
			return "", 0, false
		}
		return ParseLevel(string(AppendString(buf[:0], v, true)))
	}
	return ParseLevel(string(v))
}
