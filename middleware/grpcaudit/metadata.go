package grpcaudit

import (
	"context"
	"net"
	"net/netip"
	"strings"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// The metadata keys the interceptors read and write. gRPC metadata keys are
// lower case on the wire.
const (
	// RequestIDKey carries the request id, as OpenStack's
	// X-OpenStack-Request-ID header does. The server takes it from here
	// (or from [AltRequestIDKey]), the client sends it here, and the
	// server echoes the id it used in its response header under this key.
	RequestIDKey = "x-openstack-request-id"
	// AltRequestIDKey is the request id key most other stacks use; the
	// server reads it when RequestIDKey is absent or refused.
	AltRequestIDKey = "x-request-id"
	// GlobalRequestIDKey carries the id of the whole operation across
	// services.
	GlobalRequestIDKey = "x-openstack-global-request-id"

	// The user who acts, as an authenticating proxy sets it; read only
	// with [WithTrustedIdentity]. RolesKey is a comma-separated list.
	UserIDKey    = "x-user-id"
	UserNameKey  = "x-user-name"
	ProjectIDKey = "x-project-id"
	RolesKey     = "x-roles"

	// traceparentKey is W3C trace context's header; its presence is what
	// makes extraction worth trying.
	traceparentKey = "traceparent"
)

// Limits on what the server takes from metadata into every line of a
// request. A value over the limit, or with a control character, is dropped:
// a client must not be able to make each line of its request carry 10 KB
// of its text.
const (
	maxValueLen = 256
	maxRoles    = 64
)

// traceContext is the one propagator both sides use. It is W3C trace
// context only: the interceptors need trace and span ids, not baggage, and
// must work without an OpenTelemetry SDK or a global propagator set.
var traceContext propagation.TraceContext

// first returns the first value of key in the incoming metadata of ctx.
func first(ctx context.Context, key string) string {
	if v := metadata.ValueFromIncomingContext(ctx, key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// incomingRequest builds the request context of a served call from its
// metadata and peer. The request id is the caller's when it is well formed,
// and a fresh one otherwise, so every line of a request has one.
func incomingRequest(ctx context.Context, o *options) auditlog.Request {
	var r auditlog.Request
	if id := first(ctx, RequestIDKey); middleware.ValidRequestID(id) {
		r.ID = id
	} else if id := first(ctx, AltRequestIDKey); middleware.ValidRequestID(id) {
		r.ID = id
	} else {
		r.ID = middleware.NewRequestID()
	}
	if id := first(ctx, GlobalRequestIDKey); middleware.ValidRequestID(id) {
		r.GlobalID = id
	}
	if o.userMetadata {
		r.User.ID = clean(first(ctx, UserIDKey))
		r.User.Name = clean(first(ctx, UserNameKey))
		r.User.ProjectID = clean(first(ctx, ProjectIDKey))
		r.User.Roles = roles(first(ctx, RolesKey))
	}
	r.UserAgent = clean(first(ctx, "user-agent"))
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		r.RemoteAddr = addrString(p.Addr)
	}
	return r
}

// addrString is a.String(), in one allocation rather than four for the
// TCP addresses nearly every call comes from.
func addrString(a net.Addr) string {
	t, ok := a.(*net.TCPAddr)
	if !ok || t == nil {
		return a.String()
	}
	ap := t.AddrPort()
	if !ap.Addr().IsValid() {
		return a.String()
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
}

// clean returns v when it is fit to go into every line of a request, and
// "" otherwise.
func clean(v string) string {
	if len(v) > maxValueLen {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == 0x7f {
			return ""
		}
	}
	return v
}

// outgoingValue returns v when grpc-go will send it as a metadata value
// (printable ASCII, bounded), and "" otherwise: an odd user name must not
// make the call fail for the sake of its audit line.
func outgoingValue(v string) string {
	if len(v) > maxValueLen {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return v
}

// roles splits a comma-separated role list, dropping empty and unfit
// entries and anything past maxRoles.
func roles(v string) []string {
	if v == "" || len(v) > maxRoles*maxValueLen {
		return nil
	}
	var out []string
	for part := range strings.SplitSeq(v, ",") {
		if r := clean(strings.TrimSpace(part)); r != "" && len(out) < maxRoles {
			out = append(out, r)
		}
	}
	return out
}

// extractTrace returns ctx with the caller's span context from the
// traceparent metadata, so that lines carry trace_id and span_id even when
// no OpenTelemetry SDK runs here. A span already in ctx (one an otelgrpc
// stats handler started, say) is kept: it is the better parent.
func extractTrace(ctx context.Context) context.Context {
	// The metadata first: most calls carry no traceparent, and then the
	// walk of ctx for a span can be skipped.
	if first(ctx, traceparentKey) == "" || trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	return traceContext.Extract(ctx, incomingCarrier{ctx})
}

// incomingCarrier reads a served call's metadata for the propagator.
type incomingCarrier struct{ ctx context.Context }

func (c incomingCarrier) Get(key string) string { return first(c.ctx, key) }
func (c incomingCarrier) Set(string, string)    {} // incoming metadata is read-only

func (c incomingCarrier) Keys() []string {
	md, _ := metadata.FromIncomingContext(c.ctx)
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	return keys
}

// outgoingCarrier collects what the propagator injects as metadata
// key-value pairs, so the client attaches them in one
// AppendToOutgoingContext with its own keys.
type outgoingCarrier struct{ kv *[]string }

func (c outgoingCarrier) Get(key string) string {
	for i := 0; i+1 < len(*c.kv); i += 2 {
		if (*c.kv)[i] == key {
			return (*c.kv)[i+1]
		}
	}
	return ""
}

func (c outgoingCarrier) Set(key, value string) { *c.kv = append(*c.kv, key, value) }

func (c outgoingCarrier) Keys() []string {
	keys := make([]string, 0, len(*c.kv)/2)
	for i := 0; i < len(*c.kv); i += 2 {
		keys = append(keys, (*c.kv)[i])
	}
	return keys
}

var (
	_ propagation.TextMapCarrier = incomingCarrier{}
	_ propagation.TextMapCarrier = outgoingCarrier{}
)
