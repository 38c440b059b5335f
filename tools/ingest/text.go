package ingest

import (
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/logline"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// Text makes the event of an oslo.log text record (see [oslolog.Grouper]):
// its level, its logger as the service, the request ids and the user and
// project of its request context, "[instance: …]" as a server target, and
// its message. Raw is the record's lines joined by "\n": its first line,
// rebuilt from the record's fields in oslo.log's layout (a Record does not
// keep the line as written; [TextAt] takes it when the caller has it, as
// the follower does), then the continuation lines as written.
//
// The kind is exception when the record carries a Python traceback (or is
// a TRACE line, which old releases wrote for each line of one), log
// otherwise; TRACE reads as ERROR, the level of the record whose traceback
// it is. Time is the record's time in UTC (the Grouper read it in its
// location), to the microsecond.
func Text(rec oslolog.Record) events.Event {
	return TextAt(rec, headOf(&rec))
}

// TextAt is [Text] with the record's first line as written (without its
// line ending), so that Raw, and the ID, are those of the bytes in the
// file.
func TextAt(rec oslolog.Record, head string) events.Event {
	ev := events.Event{
		Format:          events.FormatOsloText,
		Kind:            "log",
		Service:         rec.Logger,
		UserID:          rec.Context.User,
		Project:         rec.Context.Project,
		RequestID:       rec.Context.RequestID,
		GlobalRequestID: rec.Context.GlobalRequestID,
		Message:         rec.Message,
		Time:            rec.Time.UTC().Truncate(time.Microsecond),
	}
	if rec.Instance != "" {
		ev.TargetType, ev.TargetID = "server", rec.Instance
	}
	if rec.Level == "TRACE" {
		ev.Level, ev.Kind = "ERROR", "exception"
	} else if name, _, ok := logline.ParseLevel(rec.Level); ok {
		ev.Level = name
	} else {
		ev.Level = "INFO"
	}
	for _, x := range rec.Extra {
		if strings.Contains(x, "Traceback (most recent call last)") {
			ev.Kind = "exception"
			break
		}
	}
	n := len(head)
	for _, x := range rec.Extra {
		n += 1 + len(x)
	}
	raw := make([]byte, 0, n)
	raw = append(raw, head...)
	for _, x := range rec.Extra {
		raw = append(raw, '\n')
		raw = append(raw, x...)
	}
	ev.Raw = maskText(raw) // credentials replaced (see mask.go)
	ev.ID = events.ContentID(ev.Raw)
	ev.Message = maskString(ev.Message)
	return ev
}

// headOf rebuilds a record's first line the way oslo.log's default
// format writes it: "2015-10-29 10:00:00.123 4567 INFO nova.api [ctx]
// [instance: …] message".
func headOf(r *oslolog.Record) string {
	var b strings.Builder
	if r.Source != "" && r.Source != r.File {
		b.WriteString(r.Source)
		b.WriteByte(' ')
	}
	layout := "2006-01-02 15:04:05"
	if r.Millis {
		layout += ".000"
	}
	b.WriteString(r.Time.Format(layout))
	if r.PID != 0 {
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(r.PID))
	}
	b.WriteByte(' ')
	b.WriteString(r.Level)
	b.WriteByte(' ')
	b.WriteString(r.Logger)
	if r.HasContext() {
		b.WriteString(" [")
		b.WriteString(r.Context.Raw)
		b.WriteByte(']')
	}
	if r.Instance != "" {
		b.WriteString(" [instance: ")
		b.WriteString(r.Instance)
		b.WriteByte(']')
	}
	b.WriteByte(' ')
	b.WriteString(r.Message)
	return b.String()
}
