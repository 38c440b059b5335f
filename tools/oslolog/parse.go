package oslolog

import (
	"bytes"
	"time"
)

// ParseError says why a line is not the start of a record. The caller adds
// the file and line number. The values are shared: do not modify one.
type ParseError struct {
	Reason string // "no timestamp", "unknown level", …
}

// Error reads "not an oslo.log record: no timestamp".
func (e *ParseError) Error() string { return "not an oslo.log record: " + e.Reason }

// The reasons, as shared values so that a rejected line, which is common
// (every line of a body or an XML document), allocates nothing.
var (
	errEmpty    = &ParseError{"empty line"}
	errNoTime   = &ParseError{"no timestamp"}
	errBadTime  = &ParseError{"timestamp out of range"}
	errNoLevel  = &ParseError{"no level after the timestamp"}
	errLevel    = &ParseError{"unknown level"}
	errNoLogger = &ParseError{"no logger name after the level"}
	errContext  = &ParseError{"request context without its closing bracket"}
	errInstance = &ParseError{"[instance: without its closing bracket"}
	errBadPID   = &ParseError{"process id too long"}
)

// maxSourceLen bounds the Loghub file name looked for before the timestamp.
const maxSourceLen = 255

// levels are the level names oslo.log writes, AUDIT and TRACE included;
// Record.Level is one of these strings, so it costs no allocation.
var levels = [...]string{"", "DEBUG", "INFO", "AUDIT", "WARNING", "ERROR", "CRITICAL", "TRACE"}

// span is a [start, end) range of the line.
type span struct{ from, to int }

func (s span) in(line string) string { return line[s.from:s.to] }
func (s span) of(line []byte) []byte { return line[s.from:s.to] }

// header is what [scan] finds in a line: positions and numbers, no
// strings, so that the [Grouper] can decide what to do with a line before
// it allocates anything.
type header struct {
	src    span // Loghub's file name; empty when absent
	ts     span // the timestamp as written
	stamp  stamp
	pid    int
	level  uint8 // index in levels
	logger span
	ctx    span // inside the brackets
	hasCtx bool
	inst   span
	msg    int // where the message starts
	end    int // len(line) without a trailing '\r'
}

// ParseLine parses one physical line, without its line ending, that starts
// a record. The timestamp is read in loc; nil means UTC. A trailing '\r' is
// ignored. A line that is not the start of a record returns a
// [*ParseError] that says why.
//
// All string fields of the record are substrings of one string made from
// line, the only allocation; Source is set for Loghub's form, File, Line,
// Lines and Extra are left for the caller.
func ParseLine(line []byte, loc *time.Location) (Record, error) {
	var h header
	if err := h.scan(line); err != nil {
		return Record{}, err
	}
	var r Record
	h.fill(&r, string(line[:h.end]), loc)
	return r, nil
}

// fill sets the fields of r that the first line holds; s is the line.
func (h *header) fill(r *Record, s string, loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	if h.src.to > 0 {
		r.Source = h.src.in(s)
	}
	r.Time = h.stamp.time(loc)
	r.Millis = h.stamp.Frac
	r.PID = h.pid
	r.Level = levels[h.level]
	r.Logger = h.logger.in(s)
	if h.hasCtx {
		parseContext(&r.Context, h.ctx.in(s))
	}
	if h.inst.to > 0 {
		r.Instance = h.inst.in(s)
	}
	r.Message = s[h.msg:]
	r.Lines = 1
}

// scan parses the first line of a record into h, fields only as
// positions. It is the hot path: no regexp, no allocation, each byte looked
// at about once.
func (h *header) scan(b []byte) *ParseError {
	err := h.scanLine(b)
	if err != nil && h.src.to > 0 {
		// What looked like a file name and a timestamp was text that
		// contains a date ("created_at: 2015-10-20T14:52:13").
		return errNoTime
	}
	return err
}

func (h *header) scanLine(b []byte) *ParseError {
	n := len(b)
	if n > 0 && b[n-1] == '\r' {
		n--
		b = b[:n]
	}
	h.end = n
	if n == 0 {
		return errEmpty
	}
	i, err := h.stamp.parse(b, 0)
	if err != nil {
		// Loghub's form: a file name, one space, the timestamp.
		sp := bytes.IndexByte(b[:min(n, maxSourceLen+1)], ' ')
		if sp <= 0 || !isName(b[:sp]) {
			return err
		}
		var err2 *ParseError
		i, err2 = h.stamp.parse(b, sp+1)
		if err2 != nil {
			return err
		}
		h.src = span{0, sp}
		h.ts = span{sp + 1, i}
	} else {
		h.ts = span{0, i}
	}

	// Optional process id.
	if i >= n || b[i] != ' ' {
		return errNoLevel
	}
	i++
	if i < n && isDigit(b[i]) {
		j, pid := i, 0
		for j < n && isDigit(b[j]) {
			if j-i >= 9 {
				return errBadPID
			}
			pid = pid*10 + int(b[j]-'0')
			j++
		}
		if j >= n || b[j] != ' ' {
			return errNoLevel
		}
		h.pid = pid
		i = j + 1
	}

	// Level.
	j := i
	for j < n && b[j] != ' ' {
		j++
	}
	if j == i {
		return errNoLevel
	}
	h.level = levelOf(b[i:j])
	if h.level == 0 {
		return errLevel
	}
	if j >= n {
		return errNoLogger
	}
	i = j + 1

	// Logger name.
	j = i
	for j < n && b[j] != ' ' {
		j++
	}
	if j == i || b[i] == '[' {
		return errNoLogger
	}
	h.logger = span{i, j}
	if j >= n {
		h.msg = n
		return nil
	}
	i = j + 1

	// Request context, then instance.
	if i < n && b[i] == '[' && !hasInstance(b[i:]) {
		k := bytes.IndexByte(b[i+1:], ']')
		if k >= 0 && isContext(b[i+1:i+1+k]) {
			h.ctx = span{i + 1, i + 1 + k}
			h.hasCtx = true
			i += k + 2
			if i < n && b[i] == ' ' {
				i++
			}
		} else if k < 0 && isContext(b[i+1:]) {
			return errContext
		}
	}
	if hasInstance(b[i:]) {
		from := i + len(instancePrefix)
		k := bytes.IndexByte(b[from:], ']')
		if k < 0 {
			return errInstance
		}
		h.inst = span{from, from + k}
		i = from + k + 1
		if i < n && b[i] == ' ' {
			i++
		}
	}
	h.msg = i
	return nil
}

const instancePrefix = "[instance: "

func hasInstance(b []byte) bool {
	return len(b) >= len(instancePrefix) && string(b[:len(instancePrefix)]) == instancePrefix
}

// isContext tells a request context from a message that happens to start
// with '[' (there is no context on the lines of a traceback): it is "-" or
// starts with a request id, or with None where newer releases write the
// absent global request id.
func isContext(c []byte) bool {
	if len(c) == 1 {
		return c[0] == '-'
	}
	return bytes.HasPrefix(c, []byte("req-")) ||
		(bytes.HasPrefix(c, []byte("None")) && (len(c) == 4 || c[4] == ' '))
}

// levelOf returns the index of name in levels, or 0.
func levelOf(name []byte) uint8 {
	switch string(name) {
	case "DEBUG":
		return 1
	case "INFO":
		return 2
	case "AUDIT":
		return 3
	case "WARNING":
		return 4
	case "ERROR":
		return 5
	case "CRITICAL":
		return 6
	case "TRACE":
		return 7
	}
	return 0
}

// isName accepts the file name Loghub writes before the timestamp
// ("nova-api.log.1.2017-05-16_13:53:08"): printable, no quotes or brackets,
// so that a continuation line such as "Stderr: '2022-02-04T10:21:58…" is not
// taken for a record.
func isName(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '[' || c == ']' || c == '(' || c == '{' || c == '<' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c-'0' <= 9 }
