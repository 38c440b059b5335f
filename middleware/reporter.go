package middleware

import (
	"context"
	"log/slog"
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
type Reporter struct {
	h *auditlog.Handler
}

// NewReporter returns a Reporter writing through h.
func NewReporter(h *auditlog.Handler) *Reporter { return &Reporter{h: h} }

// Handler returns the handler the reporter writes through.
func (r *Reporter) Handler() *auditlog.Handler { return r.h }

// Enabled reports whether calls of kind k are logged at all, so that
// middleware can skip timing what would not be written.
func (r *Reporter) Enabled(k auditlog.Kind) bool {
	sw := r.h.Switches()
	return sw.Allows(k)
}

// Finished writes the line for c. It returns the writer's error, which
// middleware ignores unless the delivery policy asks callers to care: an
// audit sink failing never fails the call it describes.
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
	return r.h.LogEvent(ctx, &auditlog.Event{
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
}

// Panicked writes the exception line for a panic recovered while serving c
// (when exception logging is on). The call's own line is written separately,
// by Finished, so that a panic never costs the request its line.
func (r *Reporter) Panicked(ctx context.Context, p *auditlog.PanicError, c *Call) error {
	return r.h.LogEvent(ctx, &auditlog.Event{
		Level:   auditlog.LevelCritical,
		Kind:    auditlog.KindException,
		Message: "panic serving " + callMessage(&c.RPC),
		Action:  c.Action,
		Target:  c.Target,
		RPC:     c.RPC,
		Err:     p,
	})
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
