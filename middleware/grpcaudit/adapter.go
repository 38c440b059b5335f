package grpcaudit

import (
	"context"
	"log/slog"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// Field keys the adapter asks go-grpc-middleware for, and the one it
// recognises the finish-call event by.
const (
	// errorField carries the error itself, through WithErrorFields: the
	// default grpc.error field is its message only, which would lose the
	// type and the chain the exception object shows.
	errorField = "auditlog.error"
	codeField  = "grpc.code" // present on the finish-call event only
)

// call is what the interceptors keep for one call, in one allocation: the
// request context handlers see (att), the ctx node through which the
// adapter and the recovery handler find the call (node), and room for the
// line's attrs so that building them allocates nothing more.
type call struct {
	att  auditlog.Attachment
	node callCtx

	// start is taken by our own interceptor, before go-grpc-middleware's
	// runs, and the line's duration is time.Since(start) when the
	// finish-call event arrives. go-grpc-middleware measures too, but
	// hands its duration only through a DurationToFields function, which
	// would cost two allocations per call to carry the exact value (its
	// default grpc.time_ms is text rounded to the microsecond). Ours also
	// counts the interceptors' own work, which the caller waits for.
	start      time.Time
	fullMethod string

	// For the server: the rest of the chain, which the logging interceptor
	// calls back through a handler fixed at construction (no closure per
	// call).
	info    any // *grpc.UnaryServerInfo or *grpc.StreamServerInfo
	handler any // grpc.UnaryHandler or grpc.StreamHandler

	grpcAttrs [2]slog.Attr
	attrBuf   [1]slog.Attr

	client *clientCall // set for calls made, nil for calls served
}

// clientCall is a call made: what the client adds to call.
type clientCall struct {
	call
	target string    // the ClientConn's target
	peer   peer.Peer // filled in by grpc.Peer once the call is done
	kv     [6]string // room for the outgoing metadata pairs
	out    []string  // the pairs, in kv unless they outgrow it
}

// callKey is the context key of *call.
type callKey struct{}

// callCtx is the ctx node that carries a call: a context.WithValue would
// cost an allocation of its own.
type callCtx struct {
	context.Context
	c *call
}

func (n *callCtx) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return n.c
	}
	return n.Context.Value(key)
}

// bind makes c findable from ctx and returns the ctx to pass on.
func (c *call) bind(ctx context.Context) context.Context {
	c.node = callCtx{Context: ctx, c: c}
	return &c.node
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// adapter is the logging.Logger that go-grpc-middleware's logging
// interceptor reports to. It turns the finish-call event into a
// [middleware.Call] and hands it to the shared Reporter, so that gRPC lines
// agree field for field with HTTP and SQL ones.
type adapter struct {
	r    *middleware.Reporter
	kind auditlog.Kind // KindRequest for a server, KindRPC for a client
}

var _ logging.Logger = adapter{}

// Log writes the line of a finished call. Other events (the interceptor is
// built to emit only FinishCall, but a field list without grpc.code is how
// one would look) are ignored: an audit trail wants one line per call.
//
// The level is the one go-grpc-middleware computed with [WithLevels]' map;
// the code is recomputed from the error with the same rule the interceptor
// used, which is cheaper and exacter than parsing the code's name back.
func (a adapter) Log(ctx context.Context, level logging.Level, _ string, fields ...any) {
	c := callFrom(ctx)
	var attrs []slog.Attr
	if c != nil {
		attrs = c.attrBuf[:0]
	}
	lc := middleware.Call{Event: auditlog.Event{Kind: a.kind, Level: slog.Level(level), RPC: auditlog.RPC{System: "grpc"}}}
	finished := false
	methodType := ""
	for i := 0; i+1 < len(fields); i += 2 {
		k, _ := fields[i].(string)
		v := fields[i+1]
		switch k {
		case codeField:
			finished = true
		case logging.ServiceFieldKey:
			lc.RPC.Service, _ = v.(string)
		case logging.MethodFieldKey:
			lc.RPC.Method, _ = v.(string)
		case logging.MethodTypeFieldKey:
			methodType, _ = v.(string)
		case errorField:
			lc.Err, _ = v.(error)
		case logging.SystemTag[0], logging.ComponentFieldKey, "peer.address", "grpc.error",
			"grpc.start_time", "grpc.request.deadline", "grpc.time_ms":
			// Known already: the system is "grpc", the component is the
			// adapter's kind, the server's peer is the request context's
			// remote_addr, the error is errorField, the start and the
			// duration are the call's own, and the deadline is taken from
			// ctx as a time rather than as text.
		default:
			// Fields a handler added with logging.InjectFields.
			if k != "" {
				attrs = append(attrs, slog.Any(k, v))
			}
		}
	}
	if !finished {
		return
	}
	lc.Status = auditlog.Int(int64(codeOf(lc.Err)))
	if c != nil {
		// "/pkg.Service/Method" without its slash is the message the
		// Reporter would build from service and method, without building it.
		if m := c.fullMethod; len(m) == len(lc.RPC.Service)+len(lc.RPC.Method)+2 {
			lc.Message = m[1:]
		}
		lc.Start, lc.Duration = c.start, time.Since(c.start)
		if cc := c.client; cc != nil {
			lc.RPC.Peer = cc.target
			if cc.peer.Addr != nil {
				lc.RPC.Peer = addrString(cc.peer.Addr)
			}
		}
	}
	var g []slog.Attr
	if c != nil {
		g = c.grpcAttrs[:0]
	}
	// Only streams say what they are: most calls are unary, and every
	// attribute costs the line a redaction check and a sort. No
	// method_type means unary.
	if methodType != "" && methodType != string(interceptors.Unary) {
		g = append(g, slog.String("method_type", methodType))
	}
	if d, ok := ctx.Deadline(); ok {
		g = append(g, slog.Time("deadline", d))
	}
	if len(g) > 0 {
		attrs = append(attrs, slog.Attr{Key: "grpc", Value: slog.GroupValue(g...)})
	}
	lc.Attrs = attrs
	// A lost line is the Reporter's to count and report (a logging.Logger
	// has no error to return, and the call's own result must not change).
	_ = a.r.Finished(ctx, &lc)
}

// loggingOptions are the go-grpc-middleware options every interceptor of
// this package uses: one event per call, this package's level map and code
// rule, the error as a value, and no duration or time text, which the
// adapter does not read.
func loggingOptions(o *options) []logging.Option {
	return []logging.Option{
		logging.WithLogOnEvents(logging.FinishCall),
		logging.WithLevels(func(c codes.Code) logging.Level { return logging.Level(o.level(c)) }),
		logging.WithCodes(codeOf),
		// The duration is measured by our interceptor (see call.start).
		logging.WithDurationField(func(time.Duration) logging.Fields { return nil }),
		// The adapter reads no time as text (the start is call.start, the
		// deadline comes from ctx as a time.Time), so grpc.start_time and
		// grpc.request.deadline are formatted with an empty layout, which
		// costs nothing, rather than RFC 3339, which costs a string per call.
		logging.WithTimestampFormat(""),
		logging.WithErrorFields(func(err error) logging.Fields {
			return logging.Fields{errorField, err}
		}),
	}
}
