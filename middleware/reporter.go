package middleware

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// Call is one finished unit of work — a served request, an outbound call, a
// database call — as every transport reports it: the [auditlog.Event] of
// its line and when it started. The HTTP, gRPC and SQL middleware fill a
// Call and hand it to a [Reporter], so that their lines agree field for
// field. Of the Event's fields, as a Reporter reads them:
//
//   - Kind is KindRequest (served), KindRPC (outbound) or KindDB;
//   - Message empty means built from RPC ("POST /v2.1/servers");
//   - User zero means the user of the request context in ctx;
//   - Level is chosen by the transport from its status (HTTP 5xx is
//     ERROR, 4xx WARNING; gRPC has its own map); zero is INFO;
//   - Outcome none means failure when Err is set or Level is WARNING or
//     above, success otherwise;
//   - Time is ignored: the line's time is Start plus Duration;
//   - the caller's stack is never written (it would be the middleware's).
type Call struct {
	auditlog.Event
	Start time.Time // when the call started; zero means now minus Duration
}

// Sink is what a [Reporter] writes through. *auditlog.Handler is one, and
// the one the middleware is built for (a Reporter calls it directly, with
// no allocation); a fan-out to several handlers, or a test's, can be
// another.
type Sink interface {
	LogEvent(ctx context.Context, e *auditlog.Event) error
	Enabled(ctx context.Context, level slog.Level) bool
	Switches() auditlog.Switches
}

var _ Sink = (*auditlog.Handler)(nil)

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
	sink    Sink
	h       *auditlog.Handler // sink, when it is one: called without the interface
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

// NewReporter returns a Reporter writing through s, usually an
// *auditlog.Handler.
func NewReporter(s Sink, opts ...Option) *Reporter {
	r := &Reporter{sink: s}
	r.h, _ = s.(*auditlog.Handler)
	for _, opt := range opts {
		if opt != nil {
			opt(r)
		}
	}
	return r
}

// Handler returns the handler the reporter writes through, or nil when its
// Sink is no *auditlog.Handler.
func (r *Reporter) Handler() *auditlog.Handler { return r.h }

// Enabled reports whether calls of kind k are logged at all, so that
// middleware can skip timing what would not be written.
func (r *Reporter) Enabled(k auditlog.Kind) bool {
	var sw auditlog.Switches
	if r.h != nil {
		sw = r.h.Switches()
	} else {
		sw = r.sink.Switches()
	}
	return sw.Allows(k)
}

// logEvent writes e through the sink: directly when it is an
// *auditlog.Handler, so that e stays on the caller's stack.
func (r *Reporter) logEvent(ctx context.Context, e *auditlog.Event) error {
	if r.h != nil {
		return r.h.LogEvent(ctx, e)
	}
	return r.logSink(ctx, *e)
}

// logSink hands a copy of the event to a sink the compiler cannot see
// into, which makes it escape: only this path pays that allocation.
func (r *Reporter) logSink(ctx context.Context, e auditlog.Event) error {
	return r.sink.LogEvent(ctx, &e)
}

func (r *Reporter) levelEnabled(ctx context.Context, level slog.Level) bool {
	if r.h != nil {
		return r.h.Enabled(ctx, level)
	}
	return r.sink.Enabled(ctx, level)
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
		if r.failing.Load() && r.Enabled(k) && r.levelEnabled(ctx, level) {
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
	e := c.Event
	e.Outcome = outcome
	if e.Message == "" {
		e.Message = callMessage(&c.RPC)
	}
	e.Time = time.Time{}
	if !c.Start.IsZero() {
		e.Time = c.Start.Add(c.Duration)
	}
	// The stack here would be the middleware's, not the call's.
	e.NoCallerStack = true
	err := r.logEvent(ctx, &e)
	return r.delivered(ctx, c.Kind, c.Level, c, err)
}

// Panicked writes the exception line for a panic recovered while serving c
// (when exception logging is on). The call's own line is written separately,
// by Finished, so that a panic never costs the request its line. A write
// error is counted and handed to the error handler, as Finished's is, with
// the exception line described as a Call (see [WithErrorHandler]).
func (r *Reporter) Panicked(ctx context.Context, p *auditlog.PanicError, c *Call) error {
	msg := "panic serving " + callMessage(&c.RPC)
	err := r.logEvent(ctx, &auditlog.Event{
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
