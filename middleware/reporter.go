package middleware

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// Call is one finished unit of work — a served request, an outbound call, a
// database call — as every transport reports it. The HTTP, gRPC and SQL
// middleware fill a Call and hand it to a [Reporter], so that their lines
// agree field for field.
type Call struct {
	Kind     auditlog.Kind // KindRequest (served), KindRPC (outbound) or KindDB
	Message  string        // e.g. "POST /v2.1/servers 202"; empty means built from RPC
	Action   string
	Target   auditlog.Target
	User     auditlog.User // zero means the user of the request context in ctx
	RPC      auditlog.RPC
	Status   auditlog.OptInt
	Start    time.Time     // when the call started; zero means now minus Duration
	Duration time.Duration // how long it took
	Err      error         // the call's error, if it failed; becomes the exception
	// Level is the line's level, chosen by the transport from its status
	// (HTTP 5xx is ERROR, 4xx WARNING; gRPC has its own map). Zero is INFO.
	Level slog.Level
	// Outcome overrides the default: failure when Err is set or Level is
	// WARNING or above, success otherwise.
	Outcome auditlog.Outcome
	Attrs   []slog.Attr
}

// Reporter writes the line of each finished call through an auditlog
// handler, honouring its switches. It is safe for concurrent use.
//
// A line the handler cannot write — its writer returned an error, as an
// [auditlog.AsyncWriter] under [auditlog.Fail] does when its buffer is full
// or its destination is failing — never fails the call it describes. The
// Reporter counts it ([Reporter.Errors]), remembers that the trail is
// failing ([Reporter.Failing]) and hands it to the function set with
// [WithErrorHandler], so the service sees every lost line.
type Reporter struct {
	h       *auditlog.Handler
	onError func(ctx context.Context, c *Call, err error)
	lost    atomic.Uint64
	failing atomic.Bool
}

// An Option configures [NewReporter].
type Option func(*Reporter)

// WithErrorHandler sets the function called with each line the reporter
// could not write: the ctx of the call (so its request id is at hand), the
// call the line described, and the writer's error (wrapping
// [auditlog.ErrBufferFull], the destination's error, [auditlog.ErrClosed]…).
// For the exception line of a panic, c is a copy of the served call with
// Kind [auditlog.KindException], Level [auditlog.LevelCritical] and the
// panic as Err.
//
// f runs on the goroutine of the call, after the call has happened and
// before the middleware returns, possibly concurrently with itself: it
// must be quick and safe for concurrent use. c is its own copy (it may
// keep it, though c.Attrs is shared with the caller). Report
// somewhere other than the failing trail — a metric, an alert, standard
// error; a line logged through the same handler would most likely be lost
// too. nil (the default) means the error is only counted.
func WithErrorHandler(f func(ctx context.Context, c *Call, err error)) Option {
	return func(r *Reporter) { r.onError = f }
}

// NewReporter returns a Reporter writing through h.
func NewReporter(h *auditlog.Handler, opts ...Option) *Reporter {
	r := &Reporter{h: h}
	for _, opt := range opts {
		if opt != nil {
			opt(r)
		}
	}
	return r
}

// Handler returns the handler the reporter writes through.
func (r *Reporter) Handler() *auditlog.Handler { return r.h }

// Enabled reports whether calls of kind k are logged at all, so that
// middleware can skip timing what would not be written.
func (r *Reporter) Enabled(k auditlog.Kind) bool {
	sw := r.h.Switches()
	return sw.Allows(k)
}

// Errors returns how many lines the reporter could not write since it was
// made — call lines and exception lines alike — for a service to export as
// a metric (a counter: it only grows). Lines that a writer accepted and
// lost later are not in it: an [auditlog.AsyncWriter] counts those itself
// (Dropped under Drop, Close's count of undelivered lines).
func (r *Reporter) Errors() uint64 { return r.lost.Load() }

// Failing reports whether the last line the reporter tried to write was
// lost. It turns true with a failed write and false again with the next
// line written, so a service can refuse new work while its audit trail is
// down (see the package documentation) and take it up again as soon as a
// line gets through.
func (r *Reporter) Failing() bool { return r.failing.Load() }

// delivered records the result of one write of a line of kind k at level,
// and hands a failure to the error handler. Only a line that was written
// clears Failing — one the switches or the level left out proves nothing —
// and that is checked only after a failure, so the common path is one
// shared read.
func (r *Reporter) delivered(ctx context.Context, k auditlog.Kind, level slog.Level, c *Call, err error) error {
	if err == nil {
		if r.failing.Load() && r.Enabled(k) && r.h.Enabled(ctx, level) {
			r.failing.Store(false)
		}
		return nil
	}
	r.lost.Add(1)
	r.failing.Store(true)
	if r.onError != nil {
		// A copy, made only here: handing c itself to a function the
		// compiler cannot see into would make every caller's Call escape
		// to the heap, one allocation per request on the common path.
		cp := *c
		r.onError(ctx, &cp, err)
	}
	return err
}

// Finished writes the line for c. It returns the writer's error, after
// counting it and handing it to the error handler ([WithErrorHandler]);
// middleware need do nothing more with it, since an audit sink failing
// never fails the call it describes.
func (r *Reporter) Finished(ctx context.Context, c *Call) error {
	outcome := c.Outcome
	if outcome == auditlog.OutcomeNone {
		outcome = auditlog.OutcomeSuccess
		if c.Err != nil || c.Level >= slog.LevelWarn {
			outcome = auditlog.OutcomeFailure
		}
	}
	msg := c.Message
	if msg == "" {
		msg = callMessage(&c.RPC)
	}
	var t time.Time
	if !c.Start.IsZero() {
		t = c.Start.Add(c.Duration)
	}
	err := r.h.LogEvent(ctx, &auditlog.Event{
		Time:     t,
		Level:    c.Level,
		Kind:     c.Kind,
		Message:  msg,
		Action:   c.Action,
		Target:   c.Target,
		User:     c.User,
		RPC:      c.RPC,
		Status:   c.Status,
		Outcome:  outcome,
		Duration: c.Duration,
		Err:      c.Err,
		// The stack here would be the middleware's, not the call's.
		NoCallerStack: true,
		Attrs:         c.Attrs,
	})
	return r.delivered(ctx, c.Kind, c.Level, c, err)
}

// Panicked writes the exception line for a panic recovered while serving c
// (when exception logging is on). The call's own line is written separately,
// by Finished, so that a panic never costs the request its line. A write
// error is counted and handed to the error handler, as Finished's is, with
// the exception line described as a Call (see [WithErrorHandler]).
func (r *Reporter) Panicked(ctx context.Context, p *auditlog.PanicError, c *Call) error {
	msg := "panic serving " + callMessage(&c.RPC)
	err := r.h.LogEvent(ctx, &auditlog.Event{
		Level:   auditlog.LevelCritical,
		Kind:    auditlog.KindException,
		Message: msg,
		Action:  c.Action,
		Target:  c.Target,
		RPC:     c.RPC,
		Err:     p,
	})
	if err == nil {
		return r.delivered(ctx, auditlog.KindException, auditlog.LevelCritical, c, nil)
	}
	lost := *c
	lost.Kind, lost.Level, lost.Message, lost.Err = auditlog.KindException, auditlog.LevelCritical, msg, p
	lost.Status, lost.Outcome, lost.Attrs = auditlog.OptInt{}, auditlog.OutcomeNone, nil
	return r.delivered(ctx, auditlog.KindException, auditlog.LevelCritical, &lost, err)
}

// callMessage is the default message of a call: its method and route (or
// service), as an operator would type them.
func callMessage(rpc *auditlog.RPC) string {
	switch {
	case rpc.Method != "" && rpc.Route != "":
		return rpc.Method + " " + rpc.Route
	case rpc.Service != "" && rpc.Method != "":
		return rpc.Service + "/" + rpc.Method
	case rpc.Method != "":
		return rpc.Method
	}
	return rpc.System
}
