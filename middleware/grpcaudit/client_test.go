package grpcaudit_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/grpcaudit"
)

// clientSpan is a span context as an instrumented caller would have one,
// made without an OpenTelemetry SDK.
func clientSpan(t *testing.T) trace.SpanContext {
	t.Helper()
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})
}

func TestPropagation(t *testing.T) {
	e := newEnv(t, config{})
	sc := clientSpan(t)
	ctx := trace.ContextWithSpanContext(ctxT(t), sc)
	ctx = auditlog.NewContext(ctx, auditlog.Request{ID: "req-prop-1", GlobalID: "req-global-9", User: auditlog.User{ID: "u1"}})
	out, err := call(ctx, e.conn, "whoami")
	if err != nil {
		t.Fatal(err)
	}
	var w whoami
	if err := json.Unmarshal(out, &w); err != nil {
		t.Fatal(err)
	}
	if w.RequestID != "req-prop-1" || w.GlobalID != "req-global-9" {
		t.Errorf("server saw request id %q, global %q", w.RequestID, w.GlobalID)
	}
	if w.TraceID != sc.TraceID().String() || w.SpanID != sc.SpanID().String() {
		t.Errorf("server saw trace %s span %s, want %s %s", w.TraceID, w.SpanID, sc.TraceID(), sc.SpanID())
	}
	// The user is not propagated: the server learns who acts from its own
	// authentication, not from the caller's request context.
	if w.UserID != "" {
		t.Errorf("user %q propagated", w.UserID)
	}

	srv, cli := e.srv.Maps(), e.cli.Last()
	for _, m := range append(srv, cli) {
		if str(m, "context.trace_id") != sc.TraceID().String() || str(m, "context.span_id") != sc.SpanID().String() ||
			str(m, "context.request_id") != "req-prop-1" {
			t.Errorf("%s line context = %v", str(m, "kind"), get(m, "context"))
		}
	}
	if str(cli, "user.id") != "u1" {
		t.Errorf("client line lost its own user: %v", get(cli, "user"))
	}
}

// TestGeneratedClientID: a call made outside any request still carries an
// id, the same on the client's line and the server's.
func TestGeneratedClientID(t *testing.T) {
	e := newEnv(t, config{})
	if _, err := call(ctxT(t), e.conn, "ok"); err != nil {
		t.Fatal(err)
	}
	c, s := str(e.cli.Last(), "context.request_id"), str(e.srv.Last(), "context.request_id")
	if !generatedID.MatchString(c) || c != s {
		t.Errorf("client line id %q, server line id %q; want one generated id", c, s)
	}
	if get(e.srv.Last(), "context.trace_id") != nil {
		t.Errorf("trace id without a span: %v", e.srv.Last())
	}
}

// TestMalformedClientID: a request id that gRPC would refuse to send does
// not fail the call; a fresh one replaces it.
func TestMalformedClientID(t *testing.T) {
	e := newEnv(t, config{})
	ctx := auditlog.NewContext(ctxT(t), auditlog.Request{ID: "req-1\nforged", GlobalID: "bad\x00"})
	if _, err := call(ctx, e.conn, "ok"); err != nil {
		t.Fatalf("call failed over a bad request id: %v", err)
	}
	c, s := e.cli.Last(), e.srv.Last()
	if id := str(c, "context.request_id"); !generatedID.MatchString(id) || str(s, "context.request_id") != id {
		t.Errorf("client id %q, server id %q", id, str(s, "context.request_id"))
	}
	if get(s, "context.global_request_id") != nil {
		t.Errorf("bad global id sent: %v", get(s, "context"))
	}
}

func TestClientUnavailable(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	r := middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "cli"}))
	// Nothing listens on port 1.
	conn, err := grpc.NewClient("127.0.0.1:1", append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())},
		grpcaudit.DialOptions(r)...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := call(ctxT(t), conn, "ok"); status.Code(err) != codes.Unavailable {
		t.Fatalf("call to nothing: %v", err)
	}
	m := rec.Last()
	if num(m, "status") != int64(codes.Unavailable) || str(m, "level") != "ERROR" || str(m, "rpc.peer") != "127.0.0.1:1" ||
		!strings.Contains(str(m, "exception.message"), "Unavailable") {
		t.Errorf("line = %v", m)
	}
}

func TestClientSwitch(t *testing.T) {
	sw := auditlog.AllSwitches()
	sw.RPC = false
	e := newEnv(t, config{cliSwitches: &sw})
	ctx := auditlog.NewContext(ctxT(t), auditlog.Request{ID: "req-nolog"})
	if _, err := call(ctx, e.conn, "ok"); err != nil {
		t.Fatal(err)
	}
	if e.cli.Len() != 0 {
		t.Errorf("rpc-performance-logging off, yet %d client lines", e.cli.Len())
	}
	// Propagation does not depend on logging.
	if id := str(e.srv.Last(), "context.request_id"); id != "req-nolog" {
		t.Errorf("server saw %q", id)
	}
}

// TestInjectedFields: fields added with go-grpc-middleware's
// logging.InjectFields reach the line's attrs.
func TestInjectedFields(t *testing.T) {
	e := newEnv(t, config{})
	ctx := logging.InjectFields(ctxT(t), logging.Fields{"tenant", "t1"})
	if _, err := call(ctx, e.conn, "ok"); err != nil {
		t.Fatal(err)
	}
	if got := str(e.cli.Last(), "attrs.tenant"); got != "t1" {
		t.Errorf("attrs.tenant = %q in %v", got, e.cli.Last())
	}
}

// TestExistingSpanKept: a span already in the server's ctx (one an
// instrumented server started as the caller's child) wins over the
// traceparent in the metadata.
func TestExistingSpanKept(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	icpt := grpcaudit.UnaryServerInterceptor(middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "srv"})))
	local := clientSpan(t)
	ctx := metadata.NewIncomingContext(context.Background(), metadata.MD{
		"traceparent": {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
	})
	ctx = trace.ContextWithSpanContext(ctx, local)
	if _, err := icpt(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/test.Echo/Unary"}, func(context.Context, any) (any, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if got := str(rec.Last(), "context.trace_id"); got != local.TraceID().String() {
		t.Errorf("trace_id = %q, want the span already in ctx, %s", got, local.TraceID())
	}

	// Without one, the traceparent is taken.
	rec.Reset()
	ctx = metadata.NewIncomingContext(context.Background(), metadata.MD{
		"traceparent": {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
	})
	if _, err := icpt(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/test.Echo/Unary"}, func(context.Context, any) (any, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if m := rec.Last(); str(m, "context.trace_id") != "0af7651916cd43dd8448eb211c80319c" || str(m, "context.span_id") != "b7ad6b7169203331" {
		t.Errorf("context = %v", get(m, "context"))
	}
}
