package grpcaudit

import (
	"context"
	"strings"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// ServerOptions returns the server options that install the unary and
// stream server interceptors, chained so that the caller's own interceptors
// can still be added with grpc.ChainUnaryInterceptor.
func ServerOptions(r *middleware.Reporter, opts ...Option) []grpc.ServerOption {
	s := newServer(r, newOptions(opts))
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(s.unary),
		grpc.ChainStreamInterceptor(s.stream),
	}
}

// UnaryServerInterceptor returns the interceptor that writes one line of
// kind request for each unary call served. Put it first in the chain, so
// that its line times everything after it and its request context reaches
// every later interceptor.
//
// Per call it: takes the request id (or makes one), the global request id,
// the trace context and, with [WithTrustedIdentity], the user from the incoming
// metadata and attaches them to ctx, so the handler's own lines carry them;
// echoes the request id in the response header; runs the handler under
// go-grpc-middleware's logging interceptor, whose finish-call event becomes
// the line, and its recovery interceptor, which turns a panic into an
// exception line and codes.Internal. r must not be nil.
func UnaryServerInterceptor(r *middleware.Reporter, opts ...Option) grpc.UnaryServerInterceptor {
	return newServer(r, newOptions(opts)).unary
}

// StreamServerInterceptor is [UnaryServerInterceptor] for streams: one line
// per stream, written when the handler returns.
func StreamServerInterceptor(r *middleware.Reporter, opts ...Option) grpc.StreamServerInterceptor {
	return newServer(r, newOptions(opts)).stream
}

// server holds the interceptors built once and shared by every call.
type server struct {
	r *middleware.Reporter
	o *options

	logUnary    grpc.UnaryServerInterceptor
	logStream   grpc.StreamServerInterceptor
	recUnary    grpc.UnaryServerInterceptor
	recStream   grpc.StreamServerInterceptor
	innerUnary  grpc.UnaryHandler  // s.recoveredUnary, as a value made once
	innerStream grpc.StreamHandler // s.recoveredStream, likewise
}

func newServer(r *middleware.Reporter, o *options) *server {
	s := &server{r: r, o: o}
	lopts := loggingOptions(o)
	log := adapter{r: r, kind: auditlog.KindRequest}
	s.logUnary = logging.UnaryServerInterceptor(log, lopts...)
	s.logStream = logging.StreamServerInterceptor(log, lopts...)
	ropt := recovery.WithRecoveryHandlerContext(s.recovered)
	s.recUnary = recovery.UnaryServerInterceptor(ropt)
	s.recStream = recovery.StreamServerInterceptor(ropt)
	s.innerUnary = s.recoveredUnary
	s.innerStream = s.recoveredStream
	return s
}

// unary is the chain for one unary call: our request context, then (when
// request logging is on) the logging interceptor, then recovery, then the
// handler. Recovery sits inside logging so that a panic still gets its
// request line, with codes.Internal.
func (s *server) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if s.o.skipped(info.FullMethod) {
		return s.recUnary(ctx, req, info, handler)
	}
	c := &call{fullMethod: info.FullMethod}
	ctx, id := s.begin(ctx, c)
	_ = grpc.SetHeader(ctx, metadata.MD{RequestIDKey: {id}})
	// Asked per call: switches may be flipped after the server starts.
	if !s.r.Enabled(auditlog.KindRequest) {
		return s.recUnary(ctx, req, info, handler)
	}
	c.info, c.handler = info, handler
	return s.logUnary(ctx, req, info, s.innerUnary)
}

// recoveredUnary is the handler the logging interceptor calls: recovery
// around the real handler, both found in the call.
func (s *server) recoveredUnary(ctx context.Context, req any) (any, error) {
	c := callFrom(ctx)
	return s.recUnary(ctx, req, c.info.(*grpc.UnaryServerInfo), c.handler.(grpc.UnaryHandler))
}

// stream is unary's counterpart for streams.
func (s *server) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if s.o.skipped(info.FullMethod) {
		return s.recStream(srv, ss, info, handler)
	}
	c := &call{fullMethod: info.FullMethod}
	ctx, id := s.begin(ss.Context(), c)
	wrapped := &serverStream{ServerStream: ss, ctx: ctx}
	_ = ss.SetHeader(metadata.MD{RequestIDKey: {id}})
	if !s.r.Enabled(auditlog.KindRequest) {
		return s.recStream(srv, wrapped, info, handler)
	}
	c.info, c.handler = info, handler
	return s.logStream(srv, wrapped, info, s.innerStream)
}

func (s *server) recoveredStream(srv any, ss grpc.ServerStream) error {
	c := callFrom(ss.Context())
	return s.recStream(srv, ss, c.info.(*grpc.StreamServerInfo), c.handler.(grpc.StreamHandler))
}

// begin attaches the call and its request context to ctx, and returns the
// request id it settled on, for the response header.
func (s *server) begin(ctx context.Context, c *call) (context.Context, string) {
	c.start = time.Now()
	ctx = extractTrace(ctx)
	r := incomingRequest(ctx, s.o)
	ctx = c.att.Attach(ctx, r)
	return c.bind(ctx), r.ID
}

// recovered is the recovery interceptor's handler: it writes the exception
// line (the handler honours the exception-logging switch) and returns the
// error the logging interceptor records and gRPC sends. The stack is taken
// here, still inside the panic, so it starts at the panicking frame.
func (s *server) recovered(ctx context.Context, v any) error {
	p := auditlog.Recovered(v)
	lc := middleware.Call{Event: auditlog.Event{Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "grpc"}}}
	if c := callFrom(ctx); c != nil {
		lc.RPC.Service, lc.RPC.Method = splitMethod(c.fullMethod)
	} else if m, ok := grpc.Method(ctx); ok { // a skipped method
		lc.RPC.Service, lc.RPC.Method = splitMethod(m)
	}
	_ = s.r.Panicked(ctx, p, &lc)
	return &panicStatus{p: p}
}

// panicStatus is the error of a call whose handler panicked. gRPC sends its
// status — Internal, with a message that gives nothing away — while the
// request line's exception shows the panic itself: Unwrap leads to the
// *auditlog.PanicError, whose stack the line carries.
type panicStatus struct{ p *auditlog.PanicError }

func (e *panicStatus) Error() string { return "handler panicked: " + e.p.Error() }
func (e *panicStatus) Unwrap() error { return e.p }

// GRPCStatus is what grpc-go sends to the client.
func (e *panicStatus) GRPCStatus() *status.Status {
	return status.New(codes.Internal, "internal error")
}

// splitMethod splits "/pkg.Service/Method" into its service and method.
func splitMethod(full string) (service, method string) {
	full = strings.TrimPrefix(full, "/")
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "", full
}

// serverStream gives the handler the ctx that carries the request context;
// a ServerStream's Context cannot be replaced any other way.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }
