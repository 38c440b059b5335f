package grpcaudit

import (
	"context"
	"strings"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// DialOptions returns the dial options that install the unary and stream
// client interceptors, chained so that the caller's own can still be added.
func DialOptions(r *middleware.Reporter, opts ...Option) []grpc.DialOption {
	c := newClient(r, newOptions(opts))
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(c.unary),
		grpc.WithChainStreamInterceptor(c.stream),
	}
}

// UnaryClientInterceptor returns the interceptor that writes one line of
// kind rpc for each unary call made, through go-grpc-middleware's logging
// interceptor, when rpc-performance logging is on.
//
// Every call, logged or not, carries downstream in its metadata the request
// id of ctx (a fresh one when ctx has none, attached to ctx so the line
// carries it too), the global request id, and the W3C traceparent of the
// span in ctx: the server's line then joins the client's. r must not be nil.
func UnaryClientInterceptor(r *middleware.Reporter, opts ...Option) grpc.UnaryClientInterceptor {
	return newClient(r, newOptions(opts)).unary
}

// StreamClientInterceptor is [UnaryClientInterceptor] for streams. As with
// go-grpc-middleware's own, the line is written when the stream ends as the
// caller sees it: RecvMsg returning io.EOF or an error (or the one reply of
// a client stream). A stream the caller abandons without reading to the end
// gets no line.
func StreamClientInterceptor(r *middleware.Reporter, opts ...Option) grpc.StreamClientInterceptor {
	return newClient(r, newOptions(opts)).stream
}

type client struct {
	r         *middleware.Reporter
	o         *options
	logUnary  grpc.UnaryClientInterceptor
	logStream grpc.StreamClientInterceptor
}

func newClient(r *middleware.Reporter, o *options) *client {
	log := adapter{r: r, kind: auditlog.KindRPC}
	lopts := loggingOptions(o)
	return &client{
		r:         r,
		o:         o,
		logUnary:  logging.UnaryClientInterceptor(log, lopts...),
		logStream: logging.StreamClientInterceptor(log, lopts...),
	}
}

func (cl *client) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	c := newClientCall(method)
	ctx = c.begin(ctx)
	if cl.o.skipped(method) || !cl.r.Enabled(auditlog.KindRPC) {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	opts = c.watchPeer(cc, opts)
	return cl.logUnary(ctx, method, req, reply, cc, invoker, opts...)
}

func (cl *client) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	c := newClientCall(method)
	ctx = c.begin(ctx)
	if cl.o.skipped(method) || !cl.r.Enabled(auditlog.KindRPC) {
		return streamer(ctx, desc, cc, method, opts...)
	}
	opts = c.watchPeer(cc, opts)
	return cl.logStream(ctx, desc, cc, method, streamer, opts...)
}

func newClientCall(method string) *clientCall {
	c := &clientCall{}
	c.fullMethod, c.client = method, c
	return c
}

// watchPeer asks gRPC for the address the call actually went to: rpc.peer
// names the backend that answered, not only the name dialled (which is
// kept for calls that never reached one).
func (c *clientCall) watchPeer(cc *grpc.ClientConn, opts []grpc.CallOption) []grpc.CallOption {
	c.target = cc.Target()
	return append(opts[:len(opts):len(opts)], grpc.Peer(&c.peer))
}

// begin puts the request context into the outgoing metadata and binds c to
// ctx. A request id that is missing or malformed is replaced by a fresh one
// — grpc-go refuses to send a value with a control character, and the call
// must not fail for the sake of its audit line.
func (c *clientCall) begin(ctx context.Context) context.Context {
	c.start = time.Now()
	r, _ := auditlog.FromContext(ctx)
	if !middleware.ValidRequestID(r.ID) {
		r.ID = middleware.NewRequestID()
		ctx = c.att.Attach(ctx, r)
	}
	c.out = append(c.kv[:0], RequestIDKey, r.ID)
	if middleware.ValidRequestID(r.GlobalID) {
		c.out = append(c.out, GlobalRequestIDKey, r.GlobalID)
	}
	// The identity the caller acts for, so that a server that trusts its
	// callers (WithTrustedIdentity) can put it on its own lines.
	for _, kv := range [...][2]string{
		{UserIDKey, r.User.ID}, {UserNameKey, r.User.Name}, {ProjectIDKey, r.User.ProjectID},
		{RolesKey, strings.Join(r.User.Roles, ",")},
	} {
		if v := outgoingValue(kv[1]); v != "" {
			c.out = append(c.out, kv[0], v)
		}
	}
	traceContext.Inject(ctx, outgoingCarrier{&c.out})
	ctx = metadata.AppendToOutgoingContext(ctx, c.out...)
	return c.bind(ctx)
}
