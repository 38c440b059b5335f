package auditlog

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a [Handler]. A nil *Options means all defaults; so does
// the zero value of each field.
type Options struct {
	// Service names the service in every line. Default: the program's base
	// name (os.Args[0]).
	Service string

	// Level is the minimum level logged. Default: slog.LevelInfo.
	Level slog.Leveler

	// StackLevel is the level from which an error attribute brings the
	// stack of the logging call into the exception, as zap's
	// AddStacktrace does: walking the stack costs microseconds, and a
	// warning about a retried call does not need one. Default:
	// slog.LevelError. A recovered panic's own stack ([PanicError]) is
	// written at any level.
	StackLevel slog.Leveler

	// Switches turns the four kinds of machine-generated line on and off, as
	// nova's --[no]request_logging and friends did. nil means all on. The
	// handler reads the Switches it is given whenever it logs, so flags
	// registered with [Switches.RegisterFlags] and parsed after NewHandler
	// still take effect; set them before logging starts.
	Switches *Switches

	// Redaction says how values under sensitive keys are hidden. nil means
	// RedactMask over DefaultSensitiveKeys: redaction is on unless asked off.
	Redaction *Redaction

	// MaxLineBytes caps the length of a line, newline included. A line that
	// would be longer has its longest values shortened (each marked with
	// "…[truncated N bytes]") and carries "truncated":true. Default 64 KiB;
	// values below 4 KiB are raised to 4 KiB.
	MaxLineBytes int

	// Sequence numbers the lines (the seq key). nil means the process-wide
	// sequence shared by every handler that has none of its own, so seq is
	// unique within a process. Give each output its own Sequence when a
	// reader must prove that no line of that output is missing.
	Sequence *Sequence

	// ReplaceAttr, when set, is called for each attribute bound for the
	// attrs object (never for the line's own keys), after LogValuers are
	// resolved and before redaction, as in slog.HandlerOptions.
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr

	// Now, when set, gives the time of every line instead of the record's
	// time. For tests and examples that need exact output.
	Now func() time.Time
}

// Sequence hands out line numbers 1, 2, 3… It is safe for concurrent use.
// Numbers are taken as lines are built, so under concurrency lines may reach
// the writer slightly out of order; a gap means a line was not written.
type Sequence struct{ n atomic.Uint64 }

func (s *Sequence) next() uint64 { return s.n.Add(1) }

var processSequence Sequence

// Handler is a slog.Handler that writes audit lines. It is safe for
// concurrent use; each line is one Write call on the writer, made under a
// lock (unless the writer is known to be safe on its own), so lines never
// interleave.
type Handler struct {
	c      *core
	def    fields  // line keys set through With (action, user, …)
	hasDef bool    // whether def holds anything
	top    level   // other With attributes, at the top of attrs
	groups []level // open groups, outermost first, with their With attributes
}

// core is what every handler derived from one NewHandler shares.
type core struct {
	mu      sync.Mutex
	w       io.Writer
	locked  bool
	service string
	// serviceMember is the service's member of the line, its comma
	// included, encoded once: every line carries it.
	serviceMember []byte
	level         slog.Leveler
	stack         slog.Leveler // StackLevel
	sw            *Switches
	rd            *redactor
	seq           *Sequence
	maxLine       int
	replace       func([]string, slog.Attr) slog.Attr
	now           func() time.Time
}

var _ slog.Handler = (*Handler)(nil)

const (
	defaultMaxLine = 64 << 10
	minMaxLine     = 4 << 10
)

// NewHandler returns a Handler that writes audit lines to w.
func NewHandler(w io.Writer, opts *Options) *Handler {
	if opts == nil {
		opts = &Options{}
	}
	c := &core{
		w:       w,
		locked:  !selfSynchronised(w),
		service: opts.Service,
		level:   opts.Level,
		stack:   opts.StackLevel,
		sw:      opts.Switches,
		rd:      newRedactor(opts.Redaction),
		seq:     opts.Sequence,
		maxLine: opts.MaxLineBytes,
		replace: opts.ReplaceAttr,
		now:     opts.Now,
	}
	if c.service == "" {
		c.service = DefaultService()
	}
	c.serviceMember = appendString([]byte(mService), c.service)
	if c.level == nil {
		c.level = slog.LevelInfo
	}
	if c.stack == nil {
		c.stack = slog.LevelError
	}
	if c.sw == nil {
		all := AllSwitches()
		c.sw = &all
	}
	if c.seq == nil {
		c.seq = &processSequence
	}
	if c.maxLine == 0 {
		c.maxLine = defaultMaxLine
	}
	c.maxLine = max(c.maxLine, minMaxLine)
	return &Handler{c: c}
}

// New is shorthand for slog.New(NewHandler(w, opts)).
func New(w io.Writer, opts *Options) *slog.Logger { return slog.New(NewHandler(w, opts)) }

// DefaultService is the service name used when none is configured: the base
// name of the running program.
func DefaultService() string {
	if len(os.Args) > 0 && os.Args[0] != "" {
		if s := filepath.Base(os.Args[0]); s != "." && s != string(filepath.Separator) {
			return s
		}
	}
	return "unknown"
}

// selfSynchronised reports whether w is known to make whole, non-interleaved
// writes on its own, so the handler's lock can be skipped.
func selfSynchronised(w io.Writer) bool {
	switch w.(type) {
	case *AsyncWriter:
		return true
	}
	return w == io.Discard
}

// Enabled reports whether a line at level l would be written.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.c.level.Level()
}

// Switches returns the handler's switches, for middleware that decides
// whether to time a call at all.
func (h *Handler) Switches() Switches { return *h.c.sw }

// WithAttrs returns a handler whose lines carry attrs. Outside any group,
// attributes that set a line key ([Action], [User.Attr], [Target.Attr]…) set
// it for every line, and the rest go to the attrs object. Those are encoded
// here, once, redacted as every line would redact them, so that each line
// only copies their bytes; ReplaceAttr sees them here, once.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	if n := len(h.groups); n > 0 {
		h2.groups = slices.Clone(h.groups)
		h2.groups[n-1] = h.c.extend(h.groups[n-1], attrs)
		return &h2
	}
	var rest []slog.Attr
	for _, a := range attrs {
		a.Value = a.Value.Resolve()
		if h2.def.take(a) {
			h2.hasDef = true
		} else {
			rest = append(rest, a)
		}
	}
	if len(rest) > 0 {
		h2.top = h.c.extend(h.top, rest)
	}
	return &h2
}

// WithGroup returns a handler that nests later attributes under name inside
// the attrs object. An empty name is ignored, as slog asks.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	var parent []string
	if n := len(h.groups); n > 0 {
		parent = h.groups[n-1].path
	}
	h2.groups = append(slices.Clip(h.groups), h.c.newLevel(parent, name))
	return &h2
}

// Handle writes r as one line. The error is the writer's: under the Fail
// delivery policy it tells the caller the line did not go out.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	var l lineData
	l.t, l.level, l.msg = r.Time, r.Level, r.Message
	if h.hasDef {
		l.fields = h.def // copied only when With set a line key
	}
	enc := getEncoder()
	extras := enc.extras[:0]
	topLevel := len(h.groups) == 0
	r.Attrs(func(a slog.Attr) bool {
		if !topLevel || !l.take(a) {
			extras = append(extras, a)
		}
		return true
	})
	enc.extras = extras
	l.extras = extras
	err := h.emit(ctx, enc, &l)
	putEncoder(enc)
	return err
}

// Event is one audit line, for the typed fast path [Handler.LogEvent]: no
// attribute is boxed, so logging an Event allocates nothing. Zero fields are
// left out of the line (or taken from the handler's With attributes and the
// request context in ctx).
type Event struct {
	Time     time.Time // zero means now
	Level    slog.Level
	Kind     Kind
	Message  string
	Action   string
	Target   Target
	User     User // zero means the user of the request context
	RPC      RPC
	Status   OptInt
	Outcome  Outcome
	Duration time.Duration // written when non-zero, and always for timed kinds
	Err      error         // becomes the exception object
	// NoCallerStack leaves the logging call's stack out of the exception:
	// for an error a call returned, where the middleware that reports it
	// happens to be says nothing. A panic's own stack is still written.
	NoCallerStack bool
	Attrs         []slog.Attr // go to the attrs object, like slog attributes
}

// ErrNilEvent is returned by LogEvent for a nil event.
var ErrNilEvent = errors.New("auditlog: nil event")

// LogEvent writes e as one line, with the request context of ctx. It is the
// fast path: it allocates nothing unless e carries an error or attributes
// that need it. It does not keep e. It returns the writer's error.
func (h *Handler) LogEvent(ctx context.Context, e *Event) error {
	if e == nil {
		return ErrNilEvent
	}
	if e.Level < h.c.level.Level() {
		return nil
	}
	// Field by field into a zero line, rather than a composite literal,
	// which the compiler builds aside and then copies.
	var l lineData
	l.t, l.level, l.msg, l.extras, l.noCallerStack = e.Time, e.Level, e.Message, e.Attrs, e.NoCallerStack
	l.kind, l.action, l.target, l.user, l.rpc = e.Kind, e.Action, e.Target, e.User, e.RPC
	l.status, l.outcome, l.dur, l.hasDur, l.err = e.Status, e.Outcome, e.Duration, e.Duration != 0, e.Err
	if l.t.IsZero() {
		l.t = time.Now()
	}
	if h.hasDef {
		h.def.under(&l.fields)
	}
	enc := getEncoder()
	if len(h.groups) > 0 {
		// Inside a group everything is an attribute; copy so the caller's
		// slice is never kept.
		enc.extras = append(enc.extras[:0], e.Attrs...)
		l.extras = enc.extras
	}
	err := h.emit(ctx, enc, &l)
	putEncoder(enc)
	return err
}

// emit completes the line with what the handler and ctx know, builds it and
// writes it.
func (h *Handler) emit(ctx context.Context, enc *encoder, l *lineData) error {
	c := h.c
	if !c.sw.allows(l.kind) {
		return nil
	}
	if c.now != nil {
		l.t = c.now()
	}
	if l.err != nil {
		l.stack = stackOf(l.err, !l.noCallerStack && l.level >= c.stack.Level())
	}
	l.h = h
	l.req = requestFrom(ctx)
	l.span = spanFrom(ctx)
	l.seq = c.seq.next()
	enc.c = c
	return c.write(enc.encodeLine(l))
}

func (c *core) write(p []byte) error {
	if !c.locked {
		_, err := c.w.Write(p)
		return err
	}
	c.mu.Lock()
	_, err := c.w.Write(p)
	c.mu.Unlock()
	return err
}

// fields are the line keys a record can set through attributes.
type fields struct {
	kind    Kind
	action  string
	target  Target
	user    User
	rpc     RPC
	status  OptInt
	outcome Outcome
	dur     time.Duration
	hasDur  bool
	err     error
}

// under fills the keys l leaves empty from f (the handler's With
// attributes).
func (f *fields) under(l *fields) {
	if l.kind == KindLog {
		l.kind = f.kind
	}
	if l.action == "" {
		l.action = f.action
	}
	if l.target.IsZero() {
		l.target = f.target
	}
	if l.user.IsZero() {
		l.user = f.user
	}
	if l.rpc.IsZero() {
		l.rpc = f.rpc
	}
	if !l.status.Valid {
		l.status = f.status
	}
	if l.outcome == OutcomeNone {
		l.outcome = f.outcome
	}
	if !l.hasDur {
		l.dur, l.hasDur = f.dur, f.hasDur
	}
	if l.err == nil {
		l.err = f.err
	}
}

// take sets a line key from a if a is one of the attributes that set a line
// key (a line key's name with a value of that key's type), and reports
// whether it did. Anything else belongs in attrs.
func (f *fields) take(a slog.Attr) bool {
	v := a.Value
	switch a.Key {
	case KeyAction:
		if v.Kind() == slog.KindString {
			f.action = v.String()
			return true
		}
	case KeyKind:
		if v.Kind() == slog.KindString {
			if k, ok := ParseKind(v.String()); ok {
				f.kind = k
				return true
			}
		}
	case KeyOutcome:
		if v.Kind() == slog.KindString {
			if o, ok := ParseOutcome(v.String()); ok {
				f.outcome = o
				return true
			}
		}
	case KeyStatus:
		if v.Kind() == slog.KindInt64 {
			// Int64 checks the kind again each time: once is enough.
			if n := v.Int64(); n >= 0 && n <= 999 {
				f.status = Int(n)
				return true
			}
		}
	case KeyDurationMS:
		if v.Kind() == slog.KindDuration {
			f.dur, f.hasDur = v.Duration(), true
			return true
		}
	case KeyUser:
		switch u := anyOf(v).(type) {
		case User:
			f.user = u
			return true
		case *User:
			if u != nil {
				f.user = *u
				return true
			}
		}
	case KeyTarget:
		switch t := anyOf(v).(type) {
		case Target:
			f.target = t
			return true
		case *Target:
			if t != nil {
				f.target = *t
				return true
			}
		}
	case KeyRPC:
		switch r := anyOf(v).(type) {
		case RPC:
			f.rpc = r
			return true
		case *RPC:
			if r != nil {
				f.rpc = *r
				return true
			}
		}
	case KeyException, "err", "error":
		// The usual slog spellings of an error attribute become the
		// exception too, so existing slog code gets structured exceptions.
		if err, ok := anyOf(v).(error); ok && err != nil {
			f.err = err
			return true
		}
	}
	return false
}

func anyOf(v slog.Value) any {
	if v.Kind() != slog.KindAny {
		return nil
	}
	return v.Any()
}
