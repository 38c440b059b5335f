package bench

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/auditlog-go/auditlog/auditlog"
)

// The one audit event every logger writes: a finished HTTP request, with the
// request context of the caller. Every benchmark and test uses these values.
var (
	req = auditlog.Request{
		ID:       "req-6c2f1c8e",
		GlobalID: "req-0e5f3b7a",
		User: auditlog.User{
			ID:        "9a1f3c5e",
			Name:      "alice",
			ProjectID: "4e8b2a6c",
		},
	}

	// remoteAddr is attached by BenchmarkAttachContext only; the line
	// benchmarks leave it out so that their context has the five ids the
	// peers write.
	remoteAddr = "203.0.113.7:53122"

	target = auditlog.Target{Type: "server", ID: "5f1e0b9c"}
	rpc    = auditlog.RPC{Method: "POST", Route: "/servers"}
)

const (
	service  = "nova-api"
	message  = "POST /servers"
	action   = "create"
	status   = 202
	duration = 48250 * time.Microsecond
)

// requestContext returns the ctx a request handler would log with: the
// request context attached once, as middleware does.
func requestContext() context.Context {
	return auditlog.NewContext(context.Background(), req)
}

// emitFunc writes the event once. It must be safe for concurrent use.
type emitFunc func(ctx context.Context) error

// A peer is one way of writing the event: its name in benchmark output, and
// a constructor that builds the logger once, writing to w, and returns the
// per-line call.
type peer struct {
	name string
	new  func(w io.Writer) emitFunc
}

// peers are listed in the order the benchmark table shows them. run.sh and
// cmd/benchtable pair results by these names.
var peers = []peer{
	{"auditlog-typed", newAuditlogTyped},
	{"auditlog-slog", newAuditlogSlog},
	{"zerolog", newZerolog},
	{"zap", newZap},
	{"slog-json", newSlogJSON},
	{"auditlog-plain", newAuditlogPlain},
	{"slog-json-plain", newSlogJSONPlain},
	{"auditlog-kv", newAuditlogKV},
	{"slog-json-kv", newSlogJSONKV},
	{"auditlog-with", newAuditlogWith},
	{"slog-json-with", newSlogJSONWith},
}

func auditlogOptions() *auditlog.Options {
	return &auditlog.Options{Service: service}
}

// newAuditlogTyped uses the typed fast path. The user and the request ids
// come from ctx.
func newAuditlogTyped(w io.Writer) emitFunc {
	h := auditlog.NewHandler(w, auditlogOptions())
	ev := &auditlog.Event{
		Level:    slog.LevelInfo,
		Kind:     auditlog.KindRequest,
		Message:  message,
		Action:   action,
		Target:   target,
		RPC:      rpc,
		Status:   auditlog.Int(status),
		Outcome:  auditlog.OutcomeSuccess,
		Duration: duration,
	}
	return func(ctx context.Context) error { return h.LogEvent(ctx, ev) }
}

// newAuditlogSlog goes through slog.Logger with the package's attribute
// constructors, as code that already uses slog would.
func newAuditlogSlog(w io.Writer) emitFunc {
	logger := slog.New(auditlog.NewHandler(w, auditlogOptions()))
	return func(ctx context.Context) error {
		logSlogAttrs(ctx, logger)
		return nil
	}
}

func init() {
	// zerolog's defaults already, set so that the line does not change
	// if they do: duration_ms as a float number of milliseconds.
	zerolog.DurationFieldUnit = time.Millisecond
	zerolog.DurationFieldFormat = zerolog.DurationFormatFloat
}

// newZerolog writes the fields one by one, the request context as a nested
// dict built per line from the same values.
func newZerolog(w io.Writer) emitFunc {
	logger := zerolog.New(w).With().Timestamp().Str("service", service).Logger()
	return func(context.Context) error {
		e := logger.Info()
		e.Str("kind", "request").
			Str("action", action).
			Str("target_type", target.Type).
			Str("target_id", target.ID).
			Str("method", rpc.Method).
			Str("route", rpc.Route).
			Int("status", status).
			Str("outcome", "success").
			Dur("duration_ms", duration).
			Dict("context", e.CreateDict().
				Str("request_id", req.ID).
				Str("global_request_id", req.GlobalID).
				Str("user_id", req.User.ID).
				Str("user_name", req.User.Name).
				Str("project_id", req.User.ProjectID)).
			Msg(message)
		return nil
	}
}

// zapRequest writes the request context as a zap object. It holds a pointer
// only, so passing it as a zapcore.ObjectMarshaler does not allocate.
type zapRequest struct{ r *auditlog.Request }

func (z zapRequest) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("request_id", z.r.ID)
	enc.AddString("global_request_id", z.r.GlobalID)
	enc.AddString("user_id", z.r.User.ID)
	enc.AddString("user_name", z.r.User.Name)
	enc.AddString("project_id", z.r.User.ProjectID)
	return nil
}

// zapMillis writes a duration as a float number of milliseconds, so that
// zap's duration_ms matches the others. It costs what zap's default
// (seconds as a float) costs.
func zapMillis(d time.Duration, enc zapcore.PrimitiveArrayEncoder) {
	enc.AppendFloat64(float64(d) / float64(time.Millisecond))
}

// newZap uses zap's production JSON encoder config on a bare core (no
// sampling, no caller), durations in milliseconds.
func newZap(w io.Writer) emitFunc {
	cfg := zap.NewProductionEncoderConfig()
	cfg.EncodeDuration = zapMillis
	core := zapcore.NewCore(zapcore.NewJSONEncoder(cfg), zapcore.AddSync(w), zap.InfoLevel)
	logger := zap.New(core).With(zap.String("service", service))
	return func(context.Context) error {
		logger.Info(message,
			zap.String("kind", "request"),
			zap.String("action", action),
			zap.String("target_type", target.Type),
			zap.String("target_id", target.ID),
			zap.String("method", rpc.Method),
			zap.String("route", rpc.Route),
			zap.Int("status", status),
			zap.String("outcome", "success"),
			zap.Duration("duration_ms", duration),
			zap.Object("context", zapRequest{&req}),
		)
		return nil
	}
}

// newSlogJSON is the standard library's JSON handler with default options.
// slog writes a duration as integer nanoseconds, hence duration_ns.
func newSlogJSON(w io.Writer) emitFunc {
	logger := slog.New(slog.NewJSONHandler(w, nil)).With(slog.String("service", service))
	return func(ctx context.Context) error {
		logger.LogAttrs(ctx, slog.LevelInfo, message,
			slog.String("kind", "request"),
			slog.String("action", action),
			slog.String("target_type", target.Type),
			slog.String("target_id", target.ID),
			slog.String("method", rpc.Method),
			slog.String("route", rpc.Route),
			slog.Int("status", status),
			slog.String("outcome", "success"),
			slog.Duration("duration_ns", duration),
			slog.Group("context",
				slog.String("request_id", req.ID),
				slog.String("global_request_id", req.GlobalID),
				slog.String("user_id", req.User.ID),
				slog.String("user_name", req.User.Name),
				slog.String("project_id", req.User.ProjectID),
			),
		)
		return nil
	}
}

// The plain peers are a slog user who knows nothing of the package's
// constructors: ordinary slog.String, slog.Group, slog.Int and slog.Duration
// attributes, written three ways (LogAttrs, key/value pairs, and a logger
// made once with With). Our handler takes the attributes whose key and kind
// match a line key (action, kind, outcome, status, duration_ms) onto the
// line; the target and rpc groups are ordinary groups and go to attrs.
//
// Each has a slog-json counterpart making the same call. slog's JSONHandler
// cannot read the request context from ctx, so its calls add it as a
// "context" group, as the slog-json peer does; ours takes it from ctx.

// logPlain is the auditlog-plain call, on any slog.Logger.
func logPlain(ctx context.Context, logger *slog.Logger) {
	logger.LogAttrs(ctx, slog.LevelInfo, message,
		slog.String("kind", "request"),
		slog.String("action", action),
		slog.Group("target", slog.String("type", target.Type), slog.String("id", target.ID)),
		slog.Group("rpc", slog.String("method", rpc.Method), slog.String("route", rpc.Route)),
		slog.Int("status", status),
		slog.String("outcome", "success"),
		slog.Duration("duration_ms", duration),
	)
}

// logKV is the auditlog-kv call: the same attributes as key/value pairs.
// It is InfoContext rather than Info so that the handler sees the request
// context, as it would in a request handler.
func logKV(ctx context.Context, logger *slog.Logger) {
	logger.InfoContext(ctx, message,
		"kind", "request",
		"action", action,
		slog.Group("target", "type", target.Type, "id", target.ID),
		slog.Group("rpc", "method", rpc.Method, "route", rpc.Route),
		"status", status,
		"outcome", "success",
		"duration_ms", duration,
	)
}

// withFixed is the logger an endpoint makes once: what does not change from
// one request to the next, fixed with With.
func withFixed(logger *slog.Logger) *slog.Logger {
	return logger.With(
		slog.String("kind", "request"),
		slog.Group("rpc", slog.String("method", rpc.Method), slog.String("route", rpc.Route)),
	)
}

// logWith is the auditlog-with call on a withFixed logger: the attributes
// that change per request.
func logWith(ctx context.Context, logger *slog.Logger) {
	logger.LogAttrs(ctx, slog.LevelInfo, message,
		slog.String("action", action),
		slog.Group("target", slog.String("type", target.Type), slog.String("id", target.ID)),
		slog.Int("status", status),
		slog.String("outcome", "success"),
		slog.Duration("duration_ms", duration),
	)
}

func newAuditlogPlain(w io.Writer) emitFunc {
	logger := slog.New(auditlog.NewHandler(w, auditlogOptions()))
	return func(ctx context.Context) error {
		logPlain(ctx, logger)
		return nil
	}
}

func newAuditlogKV(w io.Writer) emitFunc {
	logger := slog.New(auditlog.NewHandler(w, auditlogOptions()))
	return func(ctx context.Context) error {
		logKV(ctx, logger)
		return nil
	}
}

func newAuditlogWith(w io.Writer) emitFunc {
	logger := withFixed(slog.New(auditlog.NewHandler(w, auditlogOptions())))
	return func(ctx context.Context) error {
		logWith(ctx, logger)
		return nil
	}
}

// slogJSONLogger is slog's JSON handler with default options and the
// service fixed, as in newSlogJSON.
func slogJSONLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil)).With(slog.String("service", service))
}

// contextGroup is the request context as the slog-json peers must write it.
func contextGroup() slog.Attr {
	return slog.Group("context",
		slog.String("request_id", req.ID),
		slog.String("global_request_id", req.GlobalID),
		slog.String("user_id", req.User.ID),
		slog.String("user_name", req.User.Name),
		slog.String("project_id", req.User.ProjectID),
	)
}

func newSlogJSONPlain(w io.Writer) emitFunc {
	logger := slogJSONLogger(w)
	return func(ctx context.Context) error {
		logger.LogAttrs(ctx, slog.LevelInfo, message,
			slog.String("kind", "request"),
			slog.String("action", action),
			slog.Group("target", slog.String("type", target.Type), slog.String("id", target.ID)),
			slog.Group("rpc", slog.String("method", rpc.Method), slog.String("route", rpc.Route)),
			slog.Int("status", status),
			slog.String("outcome", "success"),
			slog.Duration("duration_ms", duration),
			contextGroup(),
		)
		return nil
	}
}

func newSlogJSONKV(w io.Writer) emitFunc {
	logger := slogJSONLogger(w)
	return func(ctx context.Context) error {
		logger.InfoContext(ctx, message,
			"kind", "request",
			"action", action,
			slog.Group("target", "type", target.Type, "id", target.ID),
			slog.Group("rpc", "method", rpc.Method, "route", rpc.Route),
			"status", status,
			"outcome", "success",
			"duration_ms", duration,
			slog.Group("context",
				"request_id", req.ID,
				"global_request_id", req.GlobalID,
				"user_id", req.User.ID,
				"user_name", req.User.Name,
				"project_id", req.User.ProjectID,
			),
		)
		return nil
	}
}

func newSlogJSONWith(w io.Writer) emitFunc {
	logger := withFixed(slogJSONLogger(w))
	return func(ctx context.Context) error {
		logger.LogAttrs(ctx, slog.LevelInfo, message,
			slog.String("action", action),
			slog.Group("target", slog.String("type", target.Type), slog.String("id", target.ID)),
			slog.Int("status", status),
			slog.String("outcome", "success"),
			slog.Duration("duration_ms", duration),
			contextGroup(),
		)
		return nil
	}
}
