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
