package auditlog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"
)

// encoder builds one line. Encoders are pooled so that building a line
// reuses the buffer of an earlier one.
type encoder struct {
	c         *core
	buf       []byte
	extras    []slog.Attr
	scratch   []byte
	limit     int  // when > 0, strings longer than this are shortened
	truncated bool // a string was shortened
	noAttrs   bool // the attrs object is left out (last resort for size)
	// noReplace is set while the encoder writes With attributes, which
	// had ReplaceAttr applied once, at With time (see prepare).
	noReplace bool
	// raw is set on the encoder that builds a value's unredacted text for
	// RedactHash: the pre-encoded With attributes are redacted, so it must
	// encode them afresh.
	raw bool
	// keys caches the redactor's answers for this encoder's keys. It is
	// part of the encoder, not a pointer, so that a pooled encoder comes
	// with it at no allocation of its own.
	keys keyCache
	ts   tsCache
}

var encoderPool = sync.Pool{New: func() any { return &encoder{buf: make([]byte, 0, 1024)} }}

func getEncoder() *encoder { return encoderPool.Get().(*encoder) }

func putEncoder(e *encoder) {
	// Keep big buffers out of the pool so one huge line does not pin
	// memory for the life of the process.
	if cap(e.buf) > 64<<10 || cap(e.extras) > 256 || cap(e.scratch) > 64<<10 {
		return
	}
	clear(e.extras)
	e.extras = e.extras[:0]
	e.c = nil
	encoderPool.Put(e)
}

// lineData is everything one line is made of.
type lineData struct {
	h      *Handler
	t      time.Time
	level  slog.Level
	msg    string
	req    *Request
	span   trace.SpanContext
	seq    uint64
	extras []slog.Attr
	stack  string

	noCallerStack bool

	// The line keys the record or event sets, by value: pointing into the
	// caller's Event instead would make it escape to the heap, because
	// the error and attributes it holds leak through interface calls.
	fields
}

func spanFrom(ctx context.Context) trace.SpanContext {
	if ctx == nil {
		return trace.SpanContext{}
	}
	return trace.SpanContextFromContext(ctx)
}

// encodeLine returns the line for l, newline included, no longer than the
// core's maxLine. The result is valid until the encoder is reused.
func (e *encoder) encodeLine(l *lineData) []byte {
	e.limit, e.truncated, e.noAttrs = 0, false, false
	e.buf = e.appendLine(e.buf[:0], l)
	if len(e.buf) <= e.c.maxLine {
		return e.buf
	}
	// Too long: shorten strings, harder each round, and as a last resort
	// leave the attributes out. Fixed keys are bounded (maxChain, maxFrames),
	// so the last round always fits.
	for _, div := range []int{4, 16, 64} {
		e.limit = max(e.c.maxLine/div, 48)
		e.truncated = false
		e.buf = e.appendLine(e.buf[:0], l)
		if len(e.buf) <= e.c.maxLine {
			return e.buf
		}
	}
	e.noAttrs = true
	e.truncated = true
	e.buf = e.appendLine(e.buf[:0], l)
	if len(e.buf) > e.c.maxLine {
		// Only reachable with absurd inputs (thousands of roles); keep the
		// line valid and say so rather than exceed the bound.
		e.buf = e.appendMinimal(e.buf[:0], l)
	}
	return e.buf
}

// Member prefixes: the comma, the quoted key and the colon, made from the
// constants of keys.go so that the names live in one place. Every member is
// written with its comma, and closeObject turns the first comma into the
// opening brace; that spares the encoder tracking which member came first.
const (
	mAction        = `,"` + KeyAction + `":`
	mAttrs         = `,"` + KeyAttrs + `":`
	mContext       = `,"` + KeyContext + `":`
	mDurationMS    = `,"` + KeyDurationMS + `":`
	mException     = `,"` + KeyException + `":`
	mKind          = `,"` + KeyKind + `":"`
	mLevel         = `","` + KeyLevel + `":"`
	mMessage       = `","` + KeyMessage + `":`
	mOutcome       = `,"` + KeyOutcome + `":"`
	mRPC           = `,"` + KeyRPC + `":`
	mSchemaVersion = `,"` + KeySchemaVersion + `":`
	mSeq           = `,"` + KeySeq + `":`
	mService       = `,"` + KeyService + `":`
	mStatus        = `,"` + KeyStatus + `":`
	mTarget        = `,"` + KeyTarget + `":`
	mTimestamp     = `,"` + KeyTimestamp + `":`
	mTruncated     = `,"` + KeyTruncated + `":true`
	mUser          = `,"` + KeyUser + `":`

	mGlobalRequestID = `,"` + ContextGlobalRequestID + `":`
	mRemoteAddr      = `,"` + ContextRemoteAddr + `":`
	mRequestID       = `,"` + ContextRequestID + `":`
	mSpanID          = `,"` + ContextSpanID + `":"`
	mTraceID         = `","` + ContextTraceID + `":"`
	mUserAgent       = `,"` + ContextUserAgent + `":`

	mChain      = `,"` + ExceptionChain + `":[`
	mExMessage  = `,"` + ExceptionMessage + `":`
	mStacktrace = `,"` + ExceptionStacktrace + `":`
	mExType     = `,"` + ExceptionType + `":`

	mMethod        = `,"` + RPCMethod + `":`
	mPeer          = `,"` + RPCPeer + `":`
	mResponseBytes = `,"` + RPCResponseBytes + `":`
	mRoute         = `,"` + RPCRoute + `":`
	mRows          = `,"` + RPCRows + `":`
	mRPCService    = `,"` + RPCService + `":`
	mStatement     = `,"` + RPCStatement + `":`
	mSystem        = `,"` + RPCSystem + `":`
	mTxID          = `,"` + RPCTxID + `":`

	mTargetID   = `,"` + TargetID + `":`
	mTargetName = `,"` + TargetName + `":`
	mTargetType = `,"` + TargetType + `":`

	mDomainID  = `,"` + UserDomainID + `":`
	mUserID    = `,"` + UserID + `":`
	mUserName  = `,"` + UserName + `":`
	mProjectID = `,"` + UserProjectID + `":`
	mRoles     = `,"` + UserRoles + `":`
)

// schemaVersionText is SchemaVersion as the line writes it (a test checks
// that the two agree), so that every line need not format it.
const schemaVersionText = "1"

// closeObject ends an object whose members, each written with a leading
// comma, start at start: the first comma becomes the opening brace.
func closeObject(b []byte, start int) []byte {
	if len(b) == start {
		return append(b, '{', '}')
	}
	b[start] = '{'
	return append(b, '}')
}

// appendLine appends the whole line. Keys are written in sorted order; the
// order of the blocks below is that order.
func (e *encoder) appendLine(b []byte, l *lineData) []byte {
	start := len(b)
	b = e.member(b, mAction, l.action)
	// With no attribute from the record, With or an open group, the
	// attrs object is empty and left out: not worth building to drop.
	if !e.noAttrs && (len(l.extras) > 0 || len(l.h.top.attrs) > 0 || len(l.h.groups) > 0) {
		mark := len(b)
		b = append(b, mAttrs...)
		before := len(b)
		b = e.appendAttrs(b, l)
		if len(b) == before+2 { // {} : nothing to say
			b = b[:mark]
		}
	}
	if req := l.req; (req != nil && (req.ID != "" || req.GlobalID != "" || req.RemoteAddr != "" || req.UserAgent != "")) || l.span.IsValid() {
		b = append(b, mContext...)
		b = e.appendContext(b, req, l.span)
	}
	if l.hasDur || l.kind.timed() {
		b = append(b, mDurationMS...)
		b = appendMillis(b, max(l.dur, 0))
	}
	if l.err != nil {
		b = append(b, mException...)
		b = e.appendException(b, l.err, l.stack)
	}
	b = append(b, mKind...)
	b = append(b, l.kind.String()...)
	b = append(b, mLevel...)
	b = append(b, LevelName(l.level)...)
	b = append(b, mMessage...)
	b = e.str(b, l.msg)
	if l.outcome != OutcomeNone {
		b = append(b, mOutcome...)
		b = append(b, l.outcome.String()...)
		b = append(b, '"')
	}
	if !l.rpc.IsZero() {
		b = append(b, mRPC...)
		b = e.appendRPC(b, &l.rpc)
	}
	b = append(b, mSchemaVersion...)
	b = append(b, schemaVersionText...)
	b = append(b, mSeq...)
	b = strconv.AppendUint(b, l.seq, 10)
	if e.limit <= 0 || len(e.c.service) <= e.limit {
		b = append(b, e.c.serviceMember...)
	} else {
		b = append(b, mService...)
		b = e.str(b, e.c.service)
	}
	if l.status.Valid {
		b = append(b, mStatus...)
		b = strconv.AppendInt(b, l.status.Value, 10)
	}
	if !l.target.IsZero() {
		b = append(b, mTarget...)
		b = e.appendTarget(b, &l.target)
	}
	if !l.t.IsZero() {
		b = append(b, mTimestamp...)
		b = e.ts.append(b, l.t)
	}
	if e.truncated {
		b = append(b, mTruncated...)
	}
	u := &l.user
	if u.IsZero() && l.req != nil {
		u = &l.req.User
	}
	if !u.IsZero() {
		b = append(b, mUser...)
		b = e.appendUser(b, u)
	}
	b = closeObject(b, start)
	return append(b, '\n')
}

// appendMinimal writes the line with its fixed keys only, every string cut
// hard. It exists so that encodeLine can keep its bound whatever it is given.
func (e *encoder) appendMinimal(b []byte, l *lineData) []byte {
	e.limit = 48
	m := *l
	m.user.Roles = nil
	m.err = nil
	m.req = nil
	return e.appendLine(b, &m)
}

// str appends s as a JSON string, shortened to the encoder's limit if set.
func (e *encoder) str(b []byte, s string) []byte {
	if e.limit <= 0 || len(s) <= e.limit {
		return appendString(b, s)
	}
	return e.shortened(b, s)
}

// shortened is str for a string longer than the limit: the rare case, kept
// out of the function every string of every line goes through.
func (e *encoder) shortened(b []byte, s string) []byte {
	cut := e.limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	e.truncated = true
	b = append(b, '"')
	b = appendStringBody(b, s[:cut])
	b = append(b, "…[truncated "...)
	b = strconv.AppendInt(b, int64(len(s)-cut), 10)
	return append(b, ` bytes]"`...)
}

// member appends the member prefix m and value when value is not empty.
func (e *encoder) member(b []byte, m, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, m...)
	return e.str(b, value)
}

func (e *encoder) appendContext(b []byte, r *Request, span trace.SpanContext) []byte {
	start := len(b)
	if r != nil {
		b = e.member(b, mGlobalRequestID, r.GlobalID)
		b = e.member(b, mRemoteAddr, r.RemoteAddr)
		b = e.member(b, mRequestID, r.ID)
	}
	if span.IsValid() {
		sid := span.SpanID()
		b = append(b, mSpanID...)
		b = appendHex(b, sid[:])
		tid := span.TraceID()
		b = append(b, mTraceID...)
		b = appendHex(b, tid[:])
		b = append(b, '"')
	}
	if r != nil {
		b = e.member(b, mUserAgent, r.UserAgent)
	}
	return closeObject(b, start)
}

func (e *encoder) appendUser(b []byte, u *User) []byte {
	start := len(b)
	b = e.member(b, mDomainID, u.DomainID)
	b = e.member(b, mUserID, u.ID)
	b = e.member(b, mUserName, u.Name)
	b = e.member(b, mProjectID, u.ProjectID)
	if len(u.Roles) > 0 {
		b = append(b, mRoles...)
		b = e.appendStrings(b, u.Roles)
	}
	return closeObject(b, start)
}

// appendStrings appends ss as a JSON array of strings.
func (e *encoder) appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.str(b, s)
	}
	return append(b, ']')
}

func (e *encoder) appendTarget(b []byte, t *Target) []byte {
	start := len(b)
	b = e.member(b, mTargetID, t.ID)
	b = e.member(b, mTargetName, t.Name)
	b = e.member(b, mTargetType, t.Type)
	return closeObject(b, start)
}

func (e *encoder) appendRPC(b []byte, r *RPC) []byte {
	start := len(b)
	b = e.member(b, mMethod, r.Method)
	b = e.member(b, mPeer, r.Peer)
	if r.ResponseBytes.Valid && r.ResponseBytes.Value >= 0 {
		b = append(b, mResponseBytes...)
		b = strconv.AppendInt(b, r.ResponseBytes.Value, 10)
	}
	b = e.member(b, mRoute, r.Route)
	if r.RowsAffected.Valid && r.RowsAffected.Value >= 0 {
		b = append(b, mRows...)
		b = strconv.AppendInt(b, r.RowsAffected.Value, 10)
	}
	b = e.member(b, mRPCService, r.Service)
	b = e.member(b, mStatement, r.Statement)
	b = e.member(b, mSystem, r.System)
	b = e.member(b, mTxID, r.TransactionID)
	return closeObject(b, start)
}

func (e *encoder) appendException(b []byte, err error, stack string) []byte {
	start := len(b)
	if !e.noAttrs && hasChain(err) {
		b = append(b, mChain...)
		n := 0
		forEachWrapped(err, func(w error) {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			m := len(b)
			b = append(b, mExMessage...)
			b = e.str(b, errorMessage(w))
			b = append(b, mExType...)
			b = e.str(b, errorType(w))
			b = closeObject(b, m)
		})
		b = append(b, ']')
	}
	b = append(b, mExMessage...)
	b = e.str(b, errorMessage(err))
	b = e.member(b, mStacktrace, stack)
	b = append(b, mExType...)
	b = e.str(b, errorType(err))
	return closeObject(b, start)
}

// appendAttrKey appends an attribute's key. Keys are never shortened: two
// long keys that differ only past the cut would become one key written
// twice. (A line that is too long for its keys loses its attrs instead.)
func (e *encoder) appendAttrKey(dst []byte, key string) []byte {
	dst = appendString(dst, key)
	return append(dst, ':')
}

// appendValue appends a resolved value.
func (e *encoder) appendValue(dst []byte, v slog.Value, groups []string) []byte {
	return e.appendValueOf(dst, v, v.Kind(), groups)
}

// appendValueOf is appendValue for a caller that knows v's kind k already:
// Kind is a type switch, worth doing once per value.
func (e *encoder) appendValueOf(dst []byte, v slog.Value, k slog.Kind, groups []string) []byte {
	switch k {
	case slog.KindString:
		return e.str(dst, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(dst, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(dst, v.Uint64(), 10)
	case slog.KindFloat64:
		return appendFloat(dst, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(dst, v.Bool())
	case slog.KindDuration:
		return e.str(dst, v.Duration().String())
	case slog.KindTime:
		return appendTimestamp(dst, v.Time())
	case slog.KindGroup:
		return e.appendObject(dst, v.Group(), nil, groups)
	default:
		return e.appendAny(dst, v.Any(), groups)
	}
}

// appendAny appends an arbitrary Go value. Known shapes are written
// directly; anything else goes through encoding/json and is then rewritten
// with sorted keys and redaction. A String, Error or MarshalJSON method that
// panics yields a "!PANIC: …" string in place of the value, never a broken
// line.
func (e *encoder) appendAny(dst []byte, x any, groups []string) (out []byte) {
	mark := len(dst)
	defer func() {
		if r := recover(); r != nil {
			out = e.str(dst[:mark], "!PANIC: "+safeSprint(r))
		}
	}()
	switch x := x.(type) {
	case nil:
		return append(dst, "null"...)
	case error:
		return e.str(dst, x.Error())
	case User:
		return e.appendUser(dst, &x)
	case *User:
		if x != nil {
			return e.appendUser(dst, x)
		}
	case Target:
		return e.appendTarget(dst, &x)
	case *Target:
		if x != nil {
			return e.appendTarget(dst, x)
		}
	case RPC:
		return e.appendRPC(dst, &x)
	case *RPC:
		if x != nil {
			return e.appendRPC(dst, x)
		}
	case []string:
		return e.appendStrings(dst, x)
	case slog.Value:
		return e.appendValue(dst, x.Resolve(), groups)
	}
	js, err := json.Marshal(x)
	if err != nil {
		return e.str(dst, safeSprint(x))
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return e.str(dst, string(js))
	}
	return e.appendJSON(dst, tree)
}

// appendJSON appends a decoded JSON tree with sorted keys, redacting values
// under sensitive keys.
func (e *encoder) appendJSON(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case json.Number:
		return append(dst, x...)
	case string:
		return e.str(dst, x)
	case []any:
		dst = append(dst, '[')
		for i, el := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.appendJSON(dst, el)
		}
		return append(dst, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		first := true
		for _, k := range keys {
			sens := e.c.rd.sensitive(k)
			if sens && e.c.rd.mode == RedactDrop {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = e.appendAttrKey(dst, k)
			if !sens {
				dst = e.appendJSON(dst, x[k])
				continue
			}
			if s, ok := x[k].(string); ok {
				dst = e.c.rd.appendRedacted(dst, []byte(s))
			} else {
				raw, _ := json.Marshal(x[k])
				dst = e.c.rd.appendRedacted(dst, raw)
			}
		}
		return append(dst, '}')
	}
	return append(dst, "null"...)
}
