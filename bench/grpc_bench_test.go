package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/metadata"
	grpcpeer "google.golang.org/grpc/peer"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/grpcaudit"
)

// The gRPC benchmarks compare a unary server interceptor that writes one
// line per call: none (bare), ours (auditlog), and go-grpc-middleware's
// logging interceptor with a slog JSON handler (grpcmw-slog), both writing
// to io.Discard. go-grpc-middleware is set to log only the finished call,
// so each writes one line; ours also does what the peer does not — request
// id from metadata, the request context, the response header, trace
// context, panic recovery — so the comparison is of everything a service
// would install.
//
// BenchmarkGRPC calls the interceptor directly with a handler that does
// nothing: the interceptor's cost alone, without the network's noise.
// BenchmarkGRPCLoopback makes the same call over a real TCP connection on
// 127.0.0.1, to show how small that cost is next to a call.

// interceptors returns the server interceptors under comparison, by name.
func interceptors() []struct {
	name string
	icpt grpc.UnaryServerInterceptor
} {
	slogger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	toSlog := logging.LoggerFunc(func(ctx context.Context, l logging.Level, msg string, fields ...any) {
		slogger.Log(ctx, slog.Level(l), msg, fields...)
	})
	r := middleware.NewReporter(auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "bench"}))
	return []struct {
		name string
		icpt grpc.UnaryServerInterceptor
	}{
		{"bare", nil},
		{"auditlog", grpcaudit.UnaryServerInterceptor(r)},
		{"grpcmw-slog", logging.UnaryServerInterceptor(toSlog, logging.WithLogOnEvents(logging.FinishCall))},
	}
}

// benchStream stands in for gRPC's transport stream so that setting the
// response header costs what building the header costs, as in a server.
type benchStream struct{}

func (benchStream) Method() string                  { return "/nova.Compute/GetServer" }
func (benchStream) SetHeader(metadata.MD) error     { return nil }
func (benchStream) SendHeader(metadata.MD) error    { return nil }
func (benchStream) SetTrailer(md metadata.MD) error { return nil }

// serverCallContext is the ctx gRPC gives a unary handler: incoming
// metadata as grpc-go sends it, a request id, the peer and the stream.
func serverCallContext() context.Context {
	ctx := metadata.NewIncomingContext(context.Background(), metadata.MD{
		":authority":             {"127.0.0.1:8774"},
		"content-type":           {"application/grpc"},
		"user-agent":             {"grpc-go/1.85.0"},
		"x-openstack-request-id": {req.ID},
	})
	ctx = grpcpeer.NewContext(ctx, &grpcpeer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 39494}})
	return grpc.NewContextWithServerTransportStream(ctx, benchStream{})
}

func BenchmarkGRPC(b *testing.B) {
	ctx := serverCallContext()
	info := &grpc.UnaryServerInfo{FullMethod: "/nova.Compute/GetServer"}
	reply := new(int)
	handler := func(context.Context, any) (any, error) { return reply, nil }
	for _, ic := range interceptors() {
		b.Run(ic.name, func(b *testing.B) {
			b.ReportAllocs()
			if ic.icpt == nil {
				for b.Loop() {
					if _, err := handler(ctx, nil); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			for b.Loop() {
				if _, err := ic.icpt(ctx, nil, info, handler); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// rawCodec carries *[]byte messages as they are, so the benchmark service
// needs no generated protobuf code.
type rawCodec struct{}

func (rawCodec) Name() string { return "raw" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("raw codec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func init() { encoding.RegisterCodec(rawCodec{}) }

// pingDesc is a one-method service that replies with what it is sent.
var pingDesc = grpc.ServiceDesc{
	ServiceName: "bench.Ping",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Ping",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			in := new([]byte)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(_ context.Context, req any) (any, error) { return req, nil }
			if icpt == nil {
				return h(ctx, in)
			}
			return icpt(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/bench.Ping/Ping"}, h)
		},
	}},
}

func BenchmarkGRPCLoopback(b *testing.B) {
	for _, ic := range interceptors() {
		b.Run(ic.name, func(b *testing.B) {
			var opts []grpc.ServerOption
			if ic.icpt != nil {
				opts = append(opts, grpc.UnaryInterceptor(ic.icpt))
			}
			s := grpc.NewServer(opts...)
			s.RegisterService(&pingDesc, struct{}{})
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go func() { _ = s.Serve(lis) }()
			defer s.Stop()
			conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			ctx := metadata.AppendToOutgoingContext(context.Background(), "x-openstack-request-id", req.ID)
			in := []byte("ping")
			b.ReportAllocs()
			for b.Loop() {
				var out []byte
				if err := conn.Invoke(ctx, "/bench.Ping/Ping", &in, &out, grpc.CallContentSubtype("raw")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
