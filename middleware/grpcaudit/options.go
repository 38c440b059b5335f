package grpcaudit

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/auditlog-go/auditlog/middleware"
)

// Option configures the interceptors. Options are applied, in order, to a
// copy of the defaults, so one set of options can build every interceptor of
// a process.
type Option func(*options)

type options struct {
	skip         []string // full-method prefixes that get no line
	level        func(codes.Code) slog.Level
	userMetadata bool // take the user from x-user-id and friends; see WithTrustedIdentity
}

// HealthPrefix is the full-method prefix of the standard gRPC health service.
// Load balancers and orchestrators call it every few seconds; a line per
// probe would bury the calls an auditor cares about, so it is skipped unless
// [WithDefaultSkips](false) is given.
const HealthPrefix = "/grpc.health.v1.Health/"

func newOptions(opts []Option) *options {
	o := &options{
		skip:  []string{HealthPrefix},
		level: DefaultLevel,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// WithSkip adds full methods whose calls get no line: a method
// ("/pkg.Service/Ping", exactly) or, ending in "/", a whole service
// ("/pkg.Service/"), as [middleware.Skipped] says. Skipped server calls
// are still recovered from a panic (which still gets its exception line),
// and skipped client calls still carry the request id and trace context
// downstream; only the call's own line is left out.
func WithSkip(methods ...string) Option {
	return func(o *options) {
		o.skip = append(o.skip[:len(o.skip):len(o.skip)], methods...)
	}
}

// WithDefaultSkips with false logs calls to the gRPC health service too
// ([HealthPrefix], skipped by default); what WithSkip added stays skipped.
func WithDefaultSkips(on bool) Option {
	return func(o *options) {
		kept := make([]string, 0, len(o.skip)+1)
		for _, p := range o.skip {
			if p != HealthPrefix {
				kept = append(kept, p)
			}
		}
		if on {
			kept = append(kept, HealthPrefix)
		}
		o.skip = kept
	}
}

// WithLevels replaces [DefaultLevel] as the map from a call's code to the
// level of its line. The outcome does not follow: any code but OK is a
// failure, whatever level it is logged at.
func WithLevels(f func(codes.Code) slog.Level) Option {
	return func(o *options) {
		if f != nil {
			o.level = f
		}
	}
}

// WithTrustedIdentity with true makes the server take the user who acts from
// the incoming metadata: x-user-id, x-user-name, x-project-id and x-roles
// (httpaudit's WithTrustedIdentity is the same for keystonemiddleware's
// headers).
//
// It is off by default because those keys are only as trustworthy as
// whatever sets them. Behind a proxy that authenticates the caller and
// overwrites them (as keystonemiddleware does for OpenStack's HTTP APIs),
// they name the caller; on a server any client reaches directly, they
// would put whatever identity the client claims into the audit trail. A
// server that authenticates callers itself should attach the user with
// [auditlog.WithUser] in its own interceptor, after this package's.
func WithTrustedIdentity(on bool) Option {
	return func(o *options) { o.userMetadata = on }
}

// DefaultLevel is the level of a call's line by its code. It answers one
// question: who has to act?
//
//   - OK is INFO.
//   - Codes that say the caller asked for something it cannot have —
//     Canceled, InvalidArgument, NotFound, AlreadyExists, PermissionDenied,
//     Unauthenticated, ResourceExhausted, FailedPrecondition, Aborted,
//     OutOfRange — are WARNING: the service worked, the call failed.
//   - Codes that say the service (or one it depends on) is broken —
//     Unknown, DeadlineExceeded, Unimplemented, Internal, Unavailable,
//     DataLoss — and any code gRPC does not define, are ERROR.
//
// Canceled is a WARNING rather than INFO because the audit line must still
// read as a failure: the action may or may not have happened. The same map
// serves both sides, so a client's line and the server's line for one call
// agree; go-grpc-middleware's own defaults differ between the two and log
// client errors as low as DEBUG, which suits debugging but not an audit trail.
func DefaultLevel(c codes.Code) slog.Level {
	switch c {
	case codes.OK:
		return slog.LevelInfo
	case codes.Canceled, codes.InvalidArgument, codes.NotFound, codes.AlreadyExists,
		codes.PermissionDenied, codes.Unauthenticated, codes.ResourceExhausted,
		codes.FailedPrecondition, codes.Aborted, codes.OutOfRange:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// skipped reports whether fullMethod gets no line.
func (o *options) skipped(fullMethod string) bool { return middleware.Skipped(o.skip, fullMethod) }

// codeOf is the code gRPC sends for err, by grpc-go's own rule for a
// handler's error: the status it carries, else Canceled or DeadlineExceeded
// for a context error, else Unknown. go-grpc-middleware's default
// (status.Code) would call a handler's bare ctx.Err() Unknown and log a
// client hanging up as a server ERROR.
func codeOf(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	if s, ok := status.FromError(err); ok {
		return s.Code()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	}
	return codes.Unknown
}
