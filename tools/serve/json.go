package serve

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/auditlog"
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

// appendString writes s as a JSON string as our lines write strings: bad
// UTF-8 as U+FFFD, control characters, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte { return auditlog.AppendJSONString(b, s) }

// timeString is how the API writes a time: the lines' own form.
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}
