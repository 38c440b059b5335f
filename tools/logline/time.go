package logline

import (
	"strconv"
	"time"

	"github.com/auditlog-go/auditlog/internal/pystamp"
)

// timeLayouts are the timestamp forms JSON log lines use, most likely
// first. Forms without a zone are read in the location given to ParseTime.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999", // oslo.log's asctime with a '.'
	"2006-01-02 15:04:05,999999999", // Python logging's default asctime
	"2006-01-02T15:04:05,999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700 MST", // Go's time.Time.String
}

// ParseTime reads a timestamp value: a string in one of the usual forms
// (RFC 3339, oslo.log's and Python's asctime "2015-10-29 10:00:00,123"), or
// a number of seconds since the epoch (oslo.log's created, zap's ts), with
// milliseconds, microseconds or nanoseconds recognised by their size.
// Strings without a zone are read in loc (nil means UTC).
func ParseTime(v []byte, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	if len(v) == 0 {
		return time.Time{}, false
	}
	if v[0] == '"' {
		var buf [64]byte
		if len(v) > len(buf)+2 {
			return time.Time{}, false
		}
		raw := AppendString(buf[:0], v, true)
		// The forms without a zone, and ours with "Z", are read by
		// position, one way with the text parser (internal/pystamp);
		// the layouts take the rest.
		if st, n, err := pystamp.Parse(raw); err == nil {
			switch {
			case n == len(raw):
				return st.Time(loc), true
			case n == len(raw)-1 && raw[n] == 'Z':
				return st.Time(time.UTC), true
			}
		}
		s := string(raw)
		for _, layout := range timeLayouts {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f < 0 {
		return time.Time{}, false
	}
	switch {
	case f >= 1e17:
		return time.Unix(0, int64(f)).UTC(), true
	case f >= 1e14:
		return time.UnixMicro(int64(f)).UTC(), true
	case f >= 1e11:
		return time.UnixMilli(int64(f)).UTC(), true
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
}
