package ingest

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
	"github.com/auditlog-go/auditlog/schema"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/logline"
)

// LineError says why a line is not an event. Reason is what a client is
// told (the API lists it with the line number); for our own lines it is
// schema.Validate's text, which names the key and quotes the line.
type LineError struct {
	Reason string
	Err    error // schema.Validate's error, when it gave the reason
}

func (e *LineError) Error() string { return e.Reason }
func (e *LineError) Unwrap() error { return e.Err }

// cols are the values Line reads, in one walk of the line, for both
// formats. Where oslo.log's JSONFormatter names a column differently
// (levelname, name, context.user, context.tenant…), logline's aliases
// find it: the first name of each lookup is ours, the rest are tried in
// turn. Our lines cannot hold the other names (the schema closes the top
// level and context), so the lookups read them as their own keys.
type cols struct {
	f *logline.Fields

	level, service, userID, userName, project, requestID, globalRequestID, message logline.Lookup

	schemaVersion, timestamp, kind, action, targetType, targetID, outcome, status, duration int

	// oslo.log's JSONFormatter only
	asctime, created, levelname, levelno, traceback, excInfo, instUUID, instDUUID int
}

const maxSlots = 64

var sl = func() *cols {
	f := logline.NewFields()
	c := &cols{f: f}
	for p, l := range map[string]*logline.Lookup{
		"level": &c.level, "service": &c.service, "user.id": &c.userID, "user.name": &c.userName,
		"user.project_id": &c.project, "context.request_id": &c.requestID,
		"context.global_request_id": &c.globalRequestID, "message": &c.message,
	} {
		*l = f.AddLookup(p, true)
	}
	for p, slot := range map[string]*int{
		"schema_version": &c.schemaVersion, "timestamp": &c.timestamp, "kind": &c.kind,
		"action": &c.action, "target.type": &c.targetType, "target.id": &c.targetID,
		"outcome": &c.outcome, "status": &c.status, "duration_ms": &c.duration,
		"asctime": &c.asctime, "created": &c.created, "levelname": &c.levelname, "levelno": &c.levelno,
		"traceback": &c.traceback, "exc_info": &c.excInfo,
		"extra.instance_uuid": &c.instUUID, "extra.instance.uuid": &c.instDUUID,
	} {
		*slot = f.Add(p)
	}
	if f.Len() > maxSlots {
		panic("ingest: more slots than maxSlots")
	}
	return c
}()

// Line reads one line, our audit line or an oslo.log JSONFormatter line,
// into an event. A trailing "\n" or "\r\n" is not part of the line. The
// event's Raw is a copy of the line byte for byte and its ID is
// events.ContentID of it, so the same line always makes the same event.
//
// Our lines (they have schema_version, or are not oslo.log's) must be
// valid against schema/ (see [schema.Validate]; a line is checked by a
// quick walk first, which also reads its columns, and only a line it
// cannot vouch for pays for logline's field walker and the full
// validator, whose error is the one returned). log-extract's lifecycle
// records are such lines. An oslo.log line is recognised by levelname and
// asctime or created: its logger (name) is the service, its kind is log,
// or exception when it carries a traceback.
//
// The error is a [*LineError]. Line is safe for concurrent use and, for a
// valid line, allocates the event's strings and Raw and nothing else.
func Line(raw []byte) (events.Event, error) {
	ev, err, _ := parse(raw)
	return ev, err
}

// parse is Line that also says whether the line claims to be one of the
// two formats (it has schema_version, or oslo.log's levelname and time),
// so that a follower can tell a broken line of ours from a body that
// continues a text record.
func parse(raw []byte) (ev events.Event, err error, claimed bool) {
	raw = trimEOL(raw)
	var buf [maxSlots][]byte
	v := buf[:sl.f.Len()]
	if quickRead(raw, v) {
		// One of ours, surely valid; its fields are read.
		return audit(raw, v), nil, true
	}
	if !sl.f.Extract(raw, v) {
		return events.Event{}, invalid(raw), false
	}
	for i, x := range v {
		if x != nil && isNull(x) {
			v[i] = nil
		}
	}
	if v[sl.schemaVersion] == nil && v[sl.levelname] != nil && (v[sl.asctime] != nil || v[sl.created] != nil) {
		ev, err := osloJSON(raw, v)
		return ev, err, true
	}
	claimed = v[sl.schemaVersion] != nil
	if !quickValid(raw) {
		if err := schema.Validate(raw); err != nil {
			return events.Event{}, validateError(err), claimed
		}
	}
	return audit(raw, v), nil, true
}

// invalid explains a line the walk refused: Validate says where it breaks.
func invalid(raw []byte) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return &LineError{Reason: "empty line"}
	}
	if err := schema.Validate(raw); err != nil {
		return validateError(err)
	}
	// The walk and Validate disagree (a structure Validate takes and the
	// walk does not): say so rather than accept what was not read.
	return &LineError{Reason: "line not readable as a JSON object"}
}

// validateError is Validate's verdict as a LineError. Validate quotes the
// start of the line, which may hold a credential in the open ("password":
// "…"): the reason goes to clients and logs, so what logline's scanner
// finds there is masked.
func validateError(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, "(line: "); i >= 0 {
		msg = msg[:i] + string(logline.AppendMaskedText(nil, []byte(msg[i:]), logline.SensitiveName))
	}
	return &LineError{Reason: maskJSONPairs(msg), Err: err}
}

// maskJSONPairs replaces the string value of each "key":"value" pair in s
// whose key is sensitive: the compact JSON Validate quotes, which the
// free-text scanner does not read.
func maskJSONPairs(s string) string {
	var b []byte
	at := 0
	for i := 0; i < len(s); {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			break
		}
		ks := i + q + 1
		ke := jsonscan.StringEndString(s, ks)
		if ke < 0 {
			break
		}
		j := ke + 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || s[j] != ':' {
			i = ke + 1
			continue
		}
		j++
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || s[j] != '"' {
			i = j
			continue
		}
		ve := jsonscan.StringEndString(s, j+1)
		if ve < 0 {
			ve = len(s) // cut short by the quote's end: hide the rest
		}
		if logline.SensitiveName([]byte(s[ks:ke])) && s[j+1:ve] != logline.Masked {
			b = append(b, s[at:j+1]...)
			b = append(b, logline.Masked...)
			at = ve
		}
		i = ve + 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[min(at, len(s)):]...))
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

func isNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }

// reader turns the values found in a line into strings: unescaped ones
// are substrings of one copy of the line, so a line costs one string
// allocation however many columns it fills.
type reader struct {
	line []byte
	s    string
}

func newReader(raw []byte) reader { return reader{line: raw, s: string(raw)} }

// str returns the decoded string value v ("" for a non-string or nil).
func (r *reader) str(v []byte) string {
	if len(v) < 2 || v[0] != '"' {
		return ""
	}
	body := v[1 : len(v)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		off := cap(r.line) - cap(body)
		if off >= 0 && off+len(body) <= len(r.s) {
			return r.s[off : off+len(body)]
		}
		return string(body)
	}
	return strings.ToValidUTF8(string(logline.AppendString(nil, v, false)), "\uFFFD")
}

// intern returns the constant for the common values of enumerated
// columns, so they cost nothing.
func intern(s string, known []string) string {
	for _, k := range known {
		if s == k {
			return k
		}
	}
	return s
}

var kinds = []string{"log", "request", "rpc", "db", "exception", "lifecycle"}
var outcomes = []string{"success", "failure", "unknown"}

// audit fills the event of one of our lines, already valid.
func audit(raw []byte, v [][]byte) events.Event {
	r := newReader(raw)
	ev := events.Event{
		Format:     events.FormatAudit,
		Kind:       intern(r.str(v[sl.kind]), kinds),
		Action:     r.str(v[sl.action]),
		TargetType: r.str(v[sl.targetType]),
		TargetID:   r.str(v[sl.targetID]),
		Outcome:    intern(r.str(v[sl.outcome]), outcomes),
	}
	r.common(&ev, v)
	ev.Level, _, _ = logline.LevelOf(sl.level.Get(v))
	if ts := v[sl.timestamp]; len(ts) > 2 {
		if t, ok := parseStamp(ts[1 : len(ts)-1]); ok {
			ev.Time = t.UTC().Truncate(time.Microsecond)
		}
	}
	if s := v[sl.status]; s != nil {
		if n, err := strconv.Atoi(string(s)); err == nil {
			ev.Status, ev.HasStatus = n, true
		}
	}
	if d := v[sl.duration]; d != nil {
		if f, err := strconv.ParseFloat(string(d), 64); err == nil {
			ev.DurationMS, ev.HasDuration = f, true
		}
	}
	finish(&ev, raw)
	return ev
}

// common fills the columns both formats have, through the lookups.
func (r *reader) common(ev *events.Event, v [][]byte) {
	ev.Service = r.str(sl.service.Get(v))
	ev.UserID = r.str(sl.userID.Get(v))
	ev.UserName = r.str(sl.userName.Get(v))
	ev.Project = r.str(sl.project.Get(v))
	ev.RequestID = r.str(sl.requestID.Get(v))
	ev.GlobalRequestID = r.str(sl.globalRequestID.Get(v))
	ev.Message = r.str(sl.message.Get(v))
}

func finish(ev *events.Event, raw []byte) {
	if m, changed := maskJSON(raw); changed {
		raw = m // credentials replaced (see mask.go): what is kept, and named
	}
	ev.Raw = bytes.Clone(raw)
	if ev.Raw == nil {
		ev.Raw = []byte{}
	}
	ev.ID = events.ContentID(raw)
	ev.Message = maskString(ev.Message)
}

// osloJSON fills the event of an oslo.log JSONFormatter line.
func osloJSON(raw []byte, v [][]byte) (events.Event, error) {
	if !utf8.Valid(raw) {
		return events.Event{}, &LineError{Reason: "oslo.log JSON line with invalid UTF-8"}
	}
	r := newReader(raw)
	ev := events.Event{Format: events.FormatOsloJSON, Kind: "log"}
	var ok bool
	if ev.Level, _, ok = logline.LevelOf(v[sl.levelname]); !ok {
		if ev.Level, _, ok = logline.LevelOf(v[sl.levelno]); !ok {
			return events.Event{}, &LineError{Reason: "oslo.log JSON line: levelname " + strconv.Quote(r.str(v[sl.levelname])) + " is not a level"}
		}
	}
	if t, ok := logline.ParseTime(v[sl.created], nil); ok {
		ev.Time = t.UTC().Round(time.Microsecond)
	} else if t, ok := logline.ParseTime(v[sl.asctime], time.UTC); ok {
		ev.Time = t.UTC().Round(time.Microsecond)
	} else {
		return events.Event{}, &LineError{Reason: "oslo.log JSON line: neither created nor asctime is a time"}
	}
	if hasTrace(v[sl.traceback]) || hasTrace(v[sl.excInfo]) {
		ev.Kind = "exception"
	}
	r.common(&ev, v)
	if id := first(r.str(v[sl.instUUID]), r.str(v[sl.instDUUID])); id != "" {
		ev.TargetType, ev.TargetID = "server", id
	}
	finish(&ev, raw)
	return ev, nil
}

// hasTrace tells whether a traceback or exc_info value holds anything:
// oslo.log writes null, a list of lines, or (older releases) a string.
func hasTrace(v []byte) bool {
	switch {
	case len(v) == 0, isNull(v), string(v) == `""`, string(v) == "false":
		return false
	case v[0] == '[':
		return len(bytes.TrimSpace(v[1:len(v)-1])) > 0
	}
	return true
}

func first(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
