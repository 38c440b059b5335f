package auditlog

import "log/slog"

// LevelCritical is the level above slog.LevelError that OpenStack operators
// know as CRITICAL: the service cannot go on as it is.
const LevelCritical slog.Level = slog.LevelError + 4

// The level names of the line. They are oslo.log's names, so that an operator
// who greps nova logs for WARNING or CRITICAL finds ours too.
const (
	LevelNameDebug    = "DEBUG"
	LevelNameInfo     = "INFO"
	LevelNameWarning  = "WARNING"
	LevelNameError    = "ERROR"
	LevelNameCritical = "CRITICAL"
)

// LevelName maps a slog level to the line's level name. Levels between the
// named ones round down (slog.LevelInfo+2 is INFO), and anything below
// slog.LevelDebug is DEBUG, so that every line carries one of five names.
func LevelName(l slog.Level) string {
	switch {
	case l >= LevelCritical:
		return LevelNameCritical
	case l >= slog.LevelError:
		return LevelNameError
	case l >= slog.LevelWarn:
		return LevelNameWarning
	case l >= slog.LevelInfo:
		return LevelNameInfo
	default:
		return LevelNameDebug
	}
}

// ParseLevel is the inverse of [LevelName]. It also accepts slog's names
// (WARN) and is case-insensitive; ok is false for anything else.
func ParseLevel(name string) (l slog.Level, ok bool) {
	switch upperASCII(name) {
	case LevelNameDebug:
		return slog.LevelDebug, true
	case LevelNameInfo:
		return slog.LevelInfo, true
	case LevelNameWarning, "WARN":
		return slog.LevelWarn, true
	case LevelNameError:
		return slog.LevelError, true
	case LevelNameCritical, "FATAL":
		return LevelCritical, true
	}
	return 0, false
}

func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'a' && c <= 'z' {
					b[j] = c - 'a' + 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
