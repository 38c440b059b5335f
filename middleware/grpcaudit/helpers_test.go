package grpcaudit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/grpcaudit"
)

// rawCodec carries *[]byte messages as they are, so the test service needs
// no generated protobuf code. It is chosen per call by content subtype
// ("application/grpc+raw"); the health service keeps the proto codec.
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

// raw is the call option that selects rawCodec.
var raw = grpc.CallContentSubtype("raw")

// echo is the test service. The request text says what to do:
//
//	ok        reply "ok"
//	code N    fail with code N
//	panic     panic
//	wait      signal started, then block until the call is cancelled
//	whoami    log a line of its own and reply with the request context it sees
type echo struct {
	log     *slog.Logger
	started chan struct{}
}

// whoami is the reply to "whoami".
type whoami struct {
	RequestID string `json:"request_id"`
	GlobalID  string `json:"global_request_id"`
	UserID    string `json:"user_id"`
	TraceID   string `json:"trace_id"`
	SpanID    string `json:"span_id"`
}

func (e *echo) unary(ctx context.Context, in []byte) ([]byte, error) {
	cmd := string(in)
	switch {
	case cmd == "ok":
		return []byte("ok"), nil
	case strings.HasPrefix(cmd, "code "):
		n, _ := strconv.Atoi(strings.TrimPrefix(cmd, "code "))
		return nil, status.Error(codes.Code(n), "test failure")
	case cmd == "panic":
		panic("boom")
	case cmd == "wait":
		e.started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	case cmd == "whoami":
		e.log.InfoContext(ctx, "handler line")
		r, _ := auditlog.FromContext(ctx)
		sc := trace.SpanContextFromContext(ctx)
		w := whoami{RequestID: r.ID, GlobalID: r.GlobalID, UserID: r.User.ID}
		if sc.IsValid() {
			w.TraceID, w.SpanID = sc.TraceID().String(), sc.SpanID().String()
		}
		return json.Marshal(w)
	}
	return nil, status.Error(codes.InvalidArgument, "unknown command")
}

// serverStream replies to one request "N" (or "panic") with N messages.
func (e *echo) serverStream(ss grpc.ServerStream) error {
	var in []byte
	if err := ss.RecvMsg(&in); err != nil {
		return err
	}
	if string(in) == "panic" {
		panic("stream boom")
	}
	n, _ := strconv.Atoi(string(in))
	for i := range n {
		out := []byte(strconv.Itoa(i))
		if err := ss.SendMsg(&out); err != nil {
			return err
		}
	}
	return nil
}

// bidi echoes each message until the client closes its side.
func (e *echo) bidi(ss grpc.ServerStream) error {
	for {
		var in []byte
		err := ss.RecvMsg(&in)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ss.SendMsg(&in); err != nil {
			return err
		}
	}
}

var echoDesc = grpc.ServiceDesc{
	ServiceName: "test.Echo",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Unary",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			in := new([]byte)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				out, err := srv.(*echo).unary(ctx, *req.(*[]byte))
				if err != nil {
					return nil, err
				}
				return &out, nil
			}
			if icpt == nil {
				return h(ctx, in)
			}
			return icpt(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/test.Echo/Unary"}, h)
		},
	}},
	Streams: []grpc.StreamDesc{
		{
			StreamName:    "ServerStream",
			ServerStreams: true,
			Handler:       func(srv any, ss grpc.ServerStream) error { return srv.(*echo).serverStream(ss) },
		},
		{
			StreamName:    "Bidi",
			ServerStreams: true,
			ClientStreams: true,
			Handler:       func(srv any, ss grpc.ServerStream) error { return srv.(*echo).bidi(ss) },
		},
	},
}

// env is a real gRPC server on a loopback TCP port with the server
// interceptors, and two connections to it: conn with the client
// interceptors, plain without any.
type env struct {
	srv, cli *auditlogtest.Recorder
	echo     *echo
	health   *health.Server
	addr     string
	conn     *grpc.ClientConn
	plain    *grpc.ClientConn
}

// config says how to build an env; nil switches mean all on.
type config struct {
	srvSwitches, cliSwitches *auditlog.Switches
	srvOpts, cliOpts         []grpcaudit.Option
}

func newEnv(t *testing.T, cfg config) *env {
	t.Helper()
	e := &env{srv: auditlogtest.NewRecorder(t), cli: auditlogtest.NewRecorder(t)}
	srvHandler := auditlog.NewHandler(e.srv, &auditlog.Options{Service: "srv", Switches: cfg.srvSwitches})
	cliHandler := auditlog.NewHandler(e.cli, &auditlog.Options{Service: "cli", Switches: cfg.cliSwitches})
	e.echo = &echo{log: slog.New(srvHandler), started: make(chan struct{}, 16)}

	s := grpc.NewServer(grpcaudit.ServerOptions(middleware.NewReporter(srvHandler), cfg.srvOpts...)...)
	s.RegisterService(&echoDesc, e.echo)
	e.health = health.NewServer()
	healthpb.RegisterHealthServer(s, e.health)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = lis.Addr().String()
	go func() { _ = s.Serve(lis) }()
	t.Cleanup(s.Stop)

	dial := append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())},
		grpcaudit.DialOptions(middleware.NewReporter(cliHandler), cfg.cliOpts...)...)
	if e.conn, err = grpc.NewClient(e.addr, dial...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.conn.Close() })
	if e.plain, err = grpc.NewClient(e.addr, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.plain.Close() })
	return e
}

// call makes a unary call of cmd over cc.
func call(ctx context.Context, cc *grpc.ClientConn, cmd string, opts ...grpc.CallOption) ([]byte, error) {
	in, out := []byte(cmd), []byte(nil)
	err := cc.Invoke(ctx, "/test.Echo/Unary", &in, &out, append(opts, raw)...)
	return out, err
}

// ctxT returns a context that ends with the test, with a generous deadline
// so that a hung call fails the test instead of hanging it.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitLines waits until rec holds n lines, for lines written after the
// client has its answer (a server noticing a cancellation).
func waitLines(t *testing.T, rec *auditlogtest.Recorder, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for rec.Len() < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	maps := rec.Maps()
	if len(maps) != n {
		t.Fatalf("%d lines, want %d:\n%s", len(maps), n, rec)
	}
	return maps
}

// get walks m along path ("context.request_id"); nil when absent.
func get(m map[string]any, path string) any {
	var v any = m
	for k := range strings.SplitSeq(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// str is get as a string, "" when absent or not a string.
func str(m map[string]any, path string) string {
	s, _ := get(m, path).(string)
	return s
}

// num is get as an int64, -1 when absent or not a whole number.
func num(m map[string]any, path string) int64 {
	n, ok := get(m, path).(json.Number)
	if !ok {
		return -1
	}
	i, err := n.Int64()
	if err != nil {
		return -1
	}
	return i
}
