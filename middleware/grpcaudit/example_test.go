package grpcaudit_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/grpcaudit"
	"github.com/auditlog-go/auditlog/schema"
)

// A server and a client, each with the package's interceptors, and one call
// between them: the server's request line and the client's rpc line share
// the request id and the trace id the client's ctx carried.
func Example() {
	out := stable{os.Stdout}
	seq := new(auditlog.Sequence)
	now := func() time.Time { return time.Date(2026, 11, 23, 15, 51, 31, 123051000, time.UTC) }
	srvLog := auditlog.NewHandler(out, &auditlog.Options{Service: "compute", Sequence: seq, Now: now})
	cliLog := auditlog.NewHandler(out, &auditlog.Options{Service: "api", Sequence: seq, Now: now})

	// The health service stands in for a real one. Its calls are skipped
	// unless WithDefaultSkips(false) is given, as here.
	srv := grpc.NewServer(grpcaudit.ServerOptions(middleware.NewReporter(srvLog), grpcaudit.WithDefaultSkips(false))...)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	dial := append(grpcaudit.DialOptions(middleware.NewReporter(cliLog), grpcaudit.WithDefaultSkips(false)),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	conn, err := grpc.NewClient(lis.Addr().String(), dial...)
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	// The caller is serving a request of its own, in a traced span.
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	ctx = auditlog.NewContext(ctx, auditlog.Request{ID: "req-demo-0001", User: auditlog.User{ID: "9a1f"}})

	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"context":{"remote_addr":"127.0.0.1:40000","request_id":"req-demo-0001","span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","user_agent":"grpc-go/1.x"},"duration_ms":0.25,"kind":"request","level":"INFO","message":"grpc.health.v1.Health/Check","outcome":"success","rpc":{"method":"Check","service":"grpc.health.v1.Health","system":"grpc"},"schema_version":1,"seq":1,"service":"compute","status":0,"timestamp":"2026-11-23T15:51:31.123051Z"}
	// {"context":{"request_id":"req-demo-0001","span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"},"duration_ms":0.25,"kind":"rpc","level":"INFO","message":"grpc.health.v1.Health/Check","outcome":"success","rpc":{"method":"Check","peer":"127.0.0.1:40000","service":"grpc.health.v1.Health","system":"grpc"},"schema_version":1,"seq":2,"service":"api","status":0,"timestamp":"2026-11-23T15:51:31.123051Z","user":{"id":"9a1f"}}
}

// stable rewrites what differs from run to run — durations, ports, the
// grpc-go version — so that the example can show whole lines. It holds each
// line to the schema first, as auditlogtest.Recorder does in the tests: a
// line that fails shows up in the output, and so fails the example.
type stable struct{ w io.Writer }

var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"duration_ms":[0-9.e-]+`), `"duration_ms":0.25`},
	{regexp.MustCompile(`127\.0\.0\.1:[0-9]+`), `127.0.0.1:40000`},
	{regexp.MustCompile(`grpc-go/[0-9][^"]*`), `grpc-go/1.x`},
}

func (s stable) Write(p []byte) (int, error) {
	if err := schema.Validate(p); err != nil {
		fmt.Fprintln(s.w, "invalid line:", err)
	}
	q := p
	for _, v := range volatile {
		q = v.re.ReplaceAll(q, []byte(v.with))
	}
	if _, err := s.w.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}
