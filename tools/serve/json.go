package serve

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/tools/events"
)

// The answer's JSON is written by hand, not by encoding/json: a
// json.RawMessage is compacted and has <, > and & escaped on the way out,
// and the line must come back byte for byte.

// appendEvent writes one event: its columns (those the line has), then
// the line itself under "line" — embedded as it is when it is JSON, as a
// string when it is text, and as base64 under "line_base64" in the rare
// case it is not UTF-8 (a JSON string cannot carry such bytes).
func appendEvent(b []byte, e *events.Event) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"time":"`...)
	b = e.Time.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
	b = append(b, '"')
	str := func(key, v string) {
		if v != "" {
			b = append(b, ',', '"')
			b = append(b, key...)
			b = append(b, '"', ':')
			b = appendString(b, v)
		}
	}
	str("level", e.Level)
	str("kind", e.Kind)
	str("service", e.Service)
	str("user_id", e.UserID)
	str("user_name", e.UserName)
	str("project", e.Project)
	str("action", e.Action)
	str("target_type", e.TargetType)
	str("target_id", e.TargetID)
	str("request_id", e.RequestID)
	str("global_request_id", e.GlobalRequestID)
	str("outcome", e.Outcome)
	if e.HasStatus {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
	}
	if e.HasDuration {
		b = append(b, `,"duration_ms":`...)
		b = strconv.AppendFloat(b, e.DurationMS, 'f', -1, 64)
	}
	str("message", e.Message)
	str("format", e.Format)
	switch {
	case e.Format != events.FormatOsloText && json.Valid(e.Raw):
		b = append(b, `,"line":`...)
		b = append(b, e.Raw...)
	case utf8.Valid(e.Raw):
		b = append(b, `,"line":`...)
		b = appendString(b, string(e.Raw))
	default:
		b = append(b, `,"line_base64":"`...)
		b = base64.StdEncoding.AppendEncode(b, e.Raw)
		b = append(b, '"')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string; s is valid UTF-8 or has its bad
// bytes written as U+FFFD. U+2028 and U+2029 are escaped, as in our lines.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// timeString is how the API writes a time: the lines' own form.
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}
