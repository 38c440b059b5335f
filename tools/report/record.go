package report

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/auditlog-go/auditlog/tools/logline"
)

// Record is what the analyses read of one line or text record. Its strings
// may alias the reader's buffer and are valid only during the call that
// hands the Record out: an analysis that keeps one clones it (see
// [keep]).
type Record struct {
	Time  int64 // Unix microseconds, UTC; 0 when the line has no time
	Level int   // logline's rank: RankDebug … RankCritical
	Kind  string

	Service    string
	UserID     string // the user's id, or the name when the line has no id
	UserName   string
	Project    string
	Action     string
	TargetType string
	TargetID   string
	RequestID  string
	RemoteAddr string
	Outcome    string
	// Message is the free text; for a JSON line whose message is a string
	// it is empty and msgRaw holds the string as written, read by Msg only
	// when asked for (most reports never need it, and even the search for
	// an escape in it was a tenth of a record's reading).
	Message string
	msgRaw  []byte

	Method    string // rpc.method: HTTP method, gRPC method, DB operation
	Route     string // rpc.route
	RPCSvc    string // rpc.service: gRPC service or database
	System    string // rpc.system
	Statement string // rpc.statement

	ExcType string // exception.type, or the last line of a Python traceback
	Version string // the writer's version, when the line says (attrs.version, oslo.log's extra.version)

	Status      int
	HasStatus   bool
	DurationMS  float64
	HasDuration bool

	Source string // the input's name, for the listings
	Line   int64  // its line number there
}

// Msg returns the message, decoding it when the line escaped it.
func (r *Record) Msg() string {
	if r.msgRaw != nil {
		return view(r.msgRaw)
	}
	return r.Message
}

// IsServed tells whether the record is one served call: a request line,
// or one of log-extract's lifecycle records, which stand for the access
// line they were read from (they carry its status).
func (r *Record) IsServed() bool {
	return r.Kind == "request" || r.Kind == "lifecycle" && r.HasStatus
}

// Failed tells whether the call or record ended badly: outcome failure,
// an HTTP status of 500 or more, or a level of ERROR and above.
func (r *Record) Failed() bool {
	if r.Outcome == "failure" {
		return true
	}
	if r.HasStatus && r.System != "grpc" && r.Status >= 500 {
		return true
	}
	return r.Level >= logline.RankError
}

// IsException tells whether the record is an exception: kind exception,
// or any record that names an exception type.
func (r *Record) IsException() bool { return r.Kind == "exception" || r.ExcType != "" }

// slots of the JSON walk, one per path; lookups try aliases in turn.
type jsonSlots struct {
	f *logline.Fields

	ts, asctime, created, level, levelname, levelno, kind, service, loggerName, message int
	userID, ctxUser, ctxUserID, userName, ctxUserName, project, ctxTenant, ctxProject   int
	action, targetType, targetID, requestID, ctxReqTop, remote, outcome, status, dur    int
	method, route, rpcSvc, system, statement, excType, traceback, excInfo, errSummary   int
	version, extraVersion, instUUID, schemaVersion                                      int

	// The slots of each group parseJSONInto skips when a line has none
	// of them, as bits 1<<slot.
	userSet, targetSet, requestSet, rpcSet, restSet uint64
}

var js = func() *jsonSlots {
	f := logline.NewFields()
	s := &jsonSlots{f: f}
	for p, slot := range map[string]*int{
		"timestamp": &s.ts, "asctime": &s.asctime, "created": &s.created, "level": &s.level,
		"levelname": &s.levelname, "levelno": &s.levelno, "kind": &s.kind, "service": &s.service,
		"name": &s.loggerName, "message": &s.message,
		"user.id": &s.userID, "context.user": &s.ctxUser, "context.user_id": &s.ctxUserID,
		"user.name": &s.userName, "context.user_name": &s.ctxUserName,
		"user.project_id": &s.project, "context.tenant": &s.ctxTenant, "context.project_id": &s.ctxProject,
		"action": &s.action, "target.type": &s.targetType, "target.id": &s.targetID,
		"context.request_id": &s.requestID, "request_id": &s.ctxReqTop, "context.remote_addr": &s.remote,
		"outcome": &s.outcome, "status": &s.status, "duration_ms": &s.dur,
		"rpc.method": &s.method, "rpc.route": &s.route, "rpc.service": &s.rpcSvc, "rpc.system": &s.system,
		"rpc.statement": &s.statement, "exception.type": &s.excType, "traceback": &s.traceback,
		"exc_info": &s.excInfo, "error_summary": &s.errSummary,
		"attrs.version": &s.version, "extra.version": &s.extraVersion, "extra.instance_uuid": &s.instUUID,
		"schema_version": &s.schemaVersion,
	} {
		*slot = f.Add(p)
	}
	bits := func(slots ...int) (set uint64) {
		for _, s := range slots {
			set |= 1 << s
		}
		return set
	}
	s.userSet = bits(s.userID, s.ctxUserID, s.ctxUser, s.userName, s.ctxUserName, s.project, s.ctxProject, s.ctxTenant)
	s.targetSet = bits(s.action, s.targetType, s.targetID)
	s.requestSet = bits(s.requestID, s.ctxReqTop, s.remote, s.outcome)
	s.rpcSet = bits(s.method, s.route, s.rpcSvc, s.system, s.statement)
	s.restSet = bits(s.excType, s.version, s.extraVersion)
	return s
}()

// maxSlots bounds the walk's slots (a bit each in a uint64).
const maxSlots = 64

// slots holds where the walk found each slot's value in line: from<<32 |
// to, 0 for none (a value never starts at 0). Offsets and not slices of
// line: the walk stores ten or so a line, and a slice is three words and
// a write barrier's test each time.
type slots struct {
	line []byte
	at   [maxSlots]uint64
	set  uint64 // the bit 1<<slot of each slot of at that is not 0
}

// get returns slot i's value as written, or nil.
func (v *slots) get(i int) []byte {
	x := v.at[i&(maxSlots-1)]
	if x == 0 {
		return nil
	}
	// line[from:to], which the walk or extract found in it: unchecked.
	from, to := x>>32, x&math.MaxUint32
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(v.line)), from)), to-from)
}

// extract fills v from logline's Extract, for the lines the walk leaves
// to it.
func (v *slots) extract(line []byte) bool {
	var out [maxSlots][]byte
	if !js.f.Extract(line, out[:js.f.Len()]) {
		return false
	}
	v.line, v.set = line, 0
	for i, x := range out[:js.f.Len()] {
		v.at[i] = 0
		if x != nil {
			from := cap(line) - cap(x) // x is line[from:from+len(x)]
			v.at[i] = uint64(from)<<32 | uint64(from+len(x))
			v.set |= 1 << i
		}
	}
	return true
}

// view returns the text of a JSON string value without copying when it
// has no escapes (the string aliases v), decoded otherwise; a number or
// literal is returned as written. nil and null are "".
func view(v []byte) string {
	if len(v) == 0 || len(v) == 4 && string(v) == "null" {
		return ""
	}
	if v[0] != '"' {
		return unsafe.String(&v[0], len(v))
	}
	body := v[1 : len(v)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		if len(body) == 0 {
			return ""
		}
		return unsafe.String(&body[0], len(body))
	}
	return string(logline.AppendString(nil, v, false))
}

// first2 and first3 return the first of two or three slots given (not
// null), as written (a variadic form built its slice of slots on every
// line).
func first2(v *slots, a, b int) []byte {
	if x := v.get(a); given(x) {
		return x
	}
	if x := v.get(b); given(x) {
		return x
	}
	return nil
}

func first3(v *slots, a, b, c int) []byte {
	if x := first2(v, a, b); x != nil {
		return x
	}
	if x := v.get(c); given(x) {
		return x
	}
	return nil
}

// given tells whether a slot holds a value other than null.
func given(x []byte) bool { return x != nil && !(len(x) == 4 && string(x) == "null") }

// parseJSON fills r from one JSON line. It reports false with a reason
// when the line is not a JSON object or has no time.
func parseJSON(line []byte, r *Record) (ok bool, reason string) {
	return parseJSONInto(line, r, new(slots), &dayCache{})
}

// parseJSONInto is parseJSON with the walk's slots given, so that a
// worker reuses one set, and the last date it read.
func parseJSONInto(line []byte, r *Record, v *slots, day *dayCache) (ok bool, reason string) {
	if len(line) > math.MaxUint32 {
		return false, "line longer than 4 GiB" // never: input's MaxLine is less
	}
	if !walkJSON(line, v) && !v.extract(line) {
		return false, "not a JSON object"
	}
	set := v.set
	*r = Record{Source: r.Source, Line: r.Line}
	oslo := v.get(js.schemaVersion) == nil && v.get(js.levelname) != nil
	if t, ok := stampDay(v.get(js.ts), day); ok {
		r.Time = t
	} else if t, ok := logline.ParseTime(first3(v, js.ts, js.created, js.asctime), time.UTC); ok {
		r.Time = t.UnixMicro()
	} else {
		return false, "no time (timestamp, created or asctime)"
	}
	r.Level = levelRank(first3(v, js.level, js.levelname, js.levelno))
	r.Kind = intern(view(v.get(js.kind)))
	r.Service = view(first2(v, js.service, js.loggerName))
	// The groups of slots a line has none of are left "", as their
	// views would be: most lines are log lines of none.
	if set&js.userSet != 0 {
		r.UserID = view(first3(v, js.userID, js.ctxUserID, js.ctxUser))
		r.UserName = view(first2(v, js.userName, js.ctxUserName))
		if r.UserID == "" {
			r.UserID = r.UserName
		}
		r.Project = view(first3(v, js.project, js.ctxProject, js.ctxTenant))
	}
	if set&js.targetSet != 0 {
		r.Action = view(v.get(js.action))
		r.TargetType = view(v.get(js.targetType))
		r.TargetID = view(v.get(js.targetID))
	}
	if set&js.requestSet != 0 {
		r.RequestID = view(first2(v, js.requestID, js.ctxReqTop))
		r.RemoteAddr = view(v.get(js.remote))
		r.Outcome = intern(view(v.get(js.outcome)))
	}
	if m := v.get(js.message); len(m) > 1 && m[0] == '"' {
		r.msgRaw = m
	} else {
		r.Message = view(m)
	}
	if set&js.rpcSet != 0 {
		r.Method = view(v.get(js.method))
		r.Route = view(v.get(js.route))
		r.RPCSvc = view(v.get(js.rpcSvc))
		r.System = intern(view(v.get(js.system)))
		r.Statement = view(v.get(js.statement))
	}
	if set&js.restSet != 0 {
		r.ExcType = view(v.get(js.excType))
		r.Version = view(first2(v, js.version, js.extraVersion))
	}
	if s := v.get(js.status); s != nil {
		if n, err := strconv.Atoi(view(s)); err == nil {
			r.Status, r.HasStatus = n, true
		}
	}
	if d := v.get(js.dur); d != nil {
		if f, err := strconv.ParseFloat(view(d), 64); err == nil && f >= 0 {
			r.DurationMS, r.HasDuration = f, true
		}
	}
	if oslo {
		if r.Kind == "" {
			r.Kind = "log"
		}
		if id := view(v.get(js.instUUID)); id != "" {
			r.TargetType, r.TargetID = "server", id
		}
		if tb := first2(v, js.traceback, js.excInfo); hasTrace(tb) {
			r.Kind = "exception"
			if r.ExcType == "" {
				r.ExcType = pythonExcType(lastTraceLine(view(tb)))
			}
		}
	}
	if r.Kind == "" {
		r.Kind = "log"
	}
	return true, ""
}

// stamp reads our fixed-width timestamp, "2026-11-23T09:30:00.123456Z",
// without the time package's layout machinery: it is on every line.
func stamp(v []byte) (int64, bool) { return stampDay(v, &dayCache{}) }

// dayCache is the last date stampDay read, and its day number: a run of
// lines is mostly of one day, and the date was most of a stamp's cost.
type dayCache struct {
	date string // as written, "2026-11-23"; "" for none
	days int64
}

// stampDay is stamp, the date read through c (which one goroutine uses).
func stampDay(v []byte, c *dayCache) (int64, bool) {
	if len(v) != 29 || v[0] != '"' || v[28] != '"' || v[27] != 'Z' || v[5] != '-' || v[8] != '-' || v[11] != 'T' || v[14] != ':' || v[17] != ':' || v[20] != '.' {
		return 0, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	days := c.days
	if c.date == "" || string(v[1:11]) != c.date {
		y, ok1 := num(v[1:5])
		mo, ok2 := num(v[6:8])
		d, ok3 := num(v[9:11])
		if !(ok1 && ok2 && ok3) || mo < 1 || mo > 12 || d < 1 || d > 31 {
			return 0, false
		}
		days = daysFromCivil(y, mo, d)
		c.date, c.days = string(v[1:11]), days
	}
	// The time of day eight bytes at a time: "hh:mm:ss" (the colons were
	// checked) and "uuuuuu", each byte less '0'.
	hms := binary.LittleEndian.Uint64(v[12:20])
	us := binary.LittleEndian.Uint64(v[21:29]) & 0xffff_ffff_ffff // v[27:29] is `Z"`
	if notDigits(hms)&0x8080_0080_8000_8080 != 0 || notDigits(us)&0x8080_8080_8080 != 0 {
		return 0, false
	}
	hms -= 0x3030_3030_3030_3030
	pairs := hms*10 + hms>>8 // byte i is 10×digit i + digit i+1: < 256, no carry
	h, mi, sec := int64(pairs&0xff), int64(pairs>>24&0xff), int64(pairs>>48&0xff)
	if h > 23 || mi > 59 || sec > 60 {
		return 0, false
	}
	return days*86400e6 + h*3600e6 + mi*60e6 + sec*1e6 + int64(eightDigits((us-0x3030_3030_3030)<<16)), true
}

// notDigits sets the high bit of the lowest byte of x that is not an
// ASCII digit ('0'…'9'), and of none when all are (bytes above the lowest
// such byte may be flagged too, by its carry or borrow).
func notDigits(x uint64) uint64 {
	return (x + 0x4646_4646_4646_4646) | (x - 0x3030_3030_3030_3030)
}

// eightDigits reads eight decimal digits, the most significant in the low
// byte, each already less '0'.
func eightDigits(d uint64) uint64 {
	d = (d*10 + d>>8) & 0x00ff_00ff_00ff_00ff
	d = (d*100 + d>>16) & 0x0000_ffff_0000_ffff
	return (d*10000 + d>>32) & 0xffff_ffff
}

// daysFromCivil counts days from 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	// Floor division: year 0's January and February belong to year -1,
	// and Go's / truncates towards zero.
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

func hasTrace(v []byte) bool {
	switch {
	case len(v) == 0, string(v) == "null", string(v) == `""`, string(v) == "false", string(v) == "[]":
		return false
	}
	return true
}

// lastTraceLine is the last non-empty line of a traceback given as a
// string or as a JSON list of lines (written as JSON text).
func lastTraceLine(tb string) string {
	if strings.HasPrefix(tb, "[") {
		// A list: the last string in it.
		end := strings.LastIndexByte(tb, '"')
		if end <= 0 {
			return ""
		}
		start := end - 1
		for start >= 0 && !(tb[start] == '"' && (start == 0 || tb[start-1] != '\\')) {
			start--
		}
		if start < 0 {
			return ""
		}
		tb = string(logline.AppendString(nil, []byte(tb[start:end+1]), false))
	}
	tb = strings.TrimRight(tb, "\n ")
	if i := strings.LastIndexByte(tb, '\n'); i >= 0 {
		tb = tb[i+1:]
	}
	return tb
}

// pythonExcType reads the exception's class from the last line of a
// Python traceback, "nova.exception.NoValidHost: No valid host…" or
// "ValueError", and "" when the line is not shaped like one.
func pythonExcType(line string) string {
	line = strings.TrimSpace(line)
	name, _, _ := strings.Cut(line, ":")
	if name == "" || len(name) > 128 {
		return ""
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 0) {
			return ""
		}
	}
	if c := name[0]; c == '.' || c >= '0' && c <= '9' {
		return ""
	}
	return name
}

// intern returns the constant for the common values, so that keeping one
// costs nothing and needs no clone. A switch: it is asked three times a
// line.
func intern(s string) string {
	switch s {
	case "log":
		return "log"
	case "request":
		return "request"
	case "rpc":
		return "rpc"
	case "db":
		return "db"
	case "exception":
		return "exception"
	case "lifecycle":
		return "lifecycle"
	case "success":
		return "success"
	case "failure":
		return "failure"
	case "unknown":
		return "unknown"
	case "http":
		return "http"
	case "grpc":
		return "grpc"
	case "sqlite":
		return "sqlite"
	case "postgresql":
		return "postgresql"
	case "mysql":
		return "mysql"
	}
	return s
}

// keep returns a copy of s that does not alias the reader's buffer.
func keep(s string) string { return strings.Clone(s) }

// levelRank reads a level; our five names, as we write them, skip the
// general reader.
func levelRank(v []byte) int {
	switch string(v) {
	case `"DEBUG"`:
		return logline.RankDebug
	case `"INFO"`:
		return logline.RankInfo
	case `"WARNING"`:
		return logline.RankWarning
	case `"ERROR"`:
		return logline.RankError
	case `"CRITICAL"`:
		return logline.RankCritical
	}
	if _, rank, ok := logline.LevelOf(v); ok {
		return rank
	}
	return logline.RankInfo
}
