package grpcaudit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/grpcaudit"
)

var generatedID = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUnaryOK(t *testing.T) {
	e := newEnv(t, config{})
	// No deadline: the line then has no attrs at all.
	ctx := auditlog.NewContext(t.Context(), auditlog.Request{ID: "req-client-1", GlobalID: "req-global-1"})
	var hdr metadata.MD
	out, err := call(ctx, e.conn, "ok", grpc.Header(&hdr))
	if err != nil || string(out) != "ok" {
		t.Fatalf("call = %q, %v", out, err)
	}
	if got := hdr.Get(grpcaudit.RequestIDKey); len(got) != 1 || got[0] != "req-client-1" {
		t.Errorf("response header %s = %q, want the request id", grpcaudit.RequestIDKey, got)
	}

	srv := e.srv.Maps()
	if len(srv) != 1 {
		t.Fatalf("server wrote %d lines, want 1:\n%s", len(srv), e.srv)
	}
	s := srv[0]
	for path, want := range map[string]string{
		"kind": "request", "level": "INFO", "outcome": "success", "service": "srv",
		"message": "test.Echo/Unary", "rpc.system": "grpc", "rpc.service": "test.Echo", "rpc.method": "Unary",
		"context.request_id": "req-client-1", "context.global_request_id": "req-global-1",
	} {
		if got := str(s, path); got != want {
			t.Errorf("server line %s = %q, want %q", path, got, want)
		}
	}
	if num(s, "status") != 0 {
		t.Errorf("server status = %v, want 0", get(s, "status"))
	}
	if !strings.HasPrefix(str(s, "context.remote_addr"), "127.0.0.1:") {
		t.Errorf("remote_addr = %q", str(s, "context.remote_addr"))
	}
	if !strings.HasPrefix(str(s, "context.user_agent"), "grpc-go/") {
		t.Errorf("user_agent = %q", str(s, "context.user_agent"))
	}
	if get(s, "exception") != nil || get(s, "rpc.peer") != nil || get(s, "attrs") != nil {
		t.Errorf("unary OK call without a deadline has exception, peer or attrs: %v", s)
	}
	d, err := get(s, "duration_ms").(json.Number).Float64()
	if err != nil || d <= 0 || d > 10_000 {
		t.Errorf("duration_ms = %v", get(s, "duration_ms"))
	}

	c := e.cli.Last()
	for path, want := range map[string]string{
		"kind": "rpc", "level": "INFO", "outcome": "success", "service": "cli", "rpc.peer": e.addr,
		"rpc.system": "grpc", "rpc.service": "test.Echo", "rpc.method": "Unary",
		"context.request_id": "req-client-1", "context.global_request_id": "req-global-1",
	} {
		if got := str(c, path); got != want {
			t.Errorf("client line %s = %q, want %q", path, got, want)
		}
	}
	if num(c, "status") != 0 || e.cli.Len() != 1 {
		t.Errorf("client: %d lines, status %v", e.cli.Len(), get(c, "status"))
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t, config{})
	ctx := ctxT(t)
	for code := codes.Canceled; code <= codes.Unauthenticated; code++ {
		e.srv.Reset()
		e.cli.Reset()
		_, err := call(ctx, e.conn, fmt.Sprintf("code %d", code))
		if status.Code(err) != code {
			t.Fatalf("code %v: call error %v", code, err)
		}
		want := auditlog.LevelName(grpcaudit.DefaultLevel(code))
		for side, rec := range map[string]*auditlogtest.Recorder{"server": e.srv, "client": e.cli} {
			maps := rec.Maps()
			if len(maps) != 1 {
				t.Fatalf("%v: %s wrote %d lines", code, side, len(maps))
			}
			m := maps[0]
			if num(m, "status") != int64(code) || str(m, "level") != want || str(m, "outcome") != "failure" {
				t.Errorf("%v: %s line status %v level %v outcome %v, want %d %s failure",
					code, side, get(m, "status"), get(m, "level"), get(m, "outcome"), code, want)
			}
			if !strings.Contains(str(m, "exception.message"), "test failure") {
				t.Errorf("%v: %s exception = %v", code, side, get(m, "exception"))
			}
		}
	}
}

func TestDefaultLevel(t *testing.T) {
	want := map[codes.Code]slog.Level{
		codes.OK:       slog.LevelInfo,
		codes.Canceled: slog.LevelWarn, codes.InvalidArgument: slog.LevelWarn, codes.NotFound: slog.LevelWarn,
		codes.AlreadyExists: slog.LevelWarn, codes.PermissionDenied: slog.LevelWarn,
		codes.Unauthenticated: slog.LevelWarn, codes.ResourceExhausted: slog.LevelWarn,
		codes.FailedPrecondition: slog.LevelWarn, codes.Aborted: slog.LevelWarn, codes.OutOfRange: slog.LevelWarn,
		codes.Unknown: slog.LevelError, codes.DeadlineExceeded: slog.LevelError,
		codes.Unimplemented: slog.LevelError, codes.Internal: slog.LevelError,
		codes.Unavailable: slog.LevelError, codes.DataLoss: slog.LevelError, codes.Code(99): slog.LevelError,
	}
	for c, l := range want {
		if got := grpcaudit.DefaultLevel(c); got != l {
			t.Errorf("DefaultLevel(%v) = %v, want %v", c, got, l)
		}
	}
}

func TestWithLevels(t *testing.T) {
	e := newEnv(t, config{srvOpts: []grpcaudit.Option{grpcaudit.WithLevels(func(c codes.Code) slog.Level {
		if c == codes.NotFound {
			return slog.LevelInfo
		}
		return grpcaudit.DefaultLevel(c)
	})}})
	_, _ = call(ctxT(t), e.conn, "code 5")
	if m := e.srv.Last(); str(m, "level") != "INFO" || str(m, "outcome") != "failure" {
		t.Errorf("NotFound mapped to INFO: level %v outcome %v", get(m, "level"), get(m, "outcome"))
	}
}

func TestStreams(t *testing.T) {
	e := newEnv(t, config{})
	ctx := ctxT(t)

	// Server stream: one request, three replies.
	desc := &grpc.StreamDesc{ServerStreams: true}
	cs, err := e.conn.NewStream(ctx, desc, "/test.Echo/ServerStream", raw)
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("3")
	if err := cs.SendMsg(&in); err != nil {
		t.Fatal(err)
	}
	if err := cs.CloseSend(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		var out []byte
		if err := cs.RecvMsg(&out); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("received %d messages, want 3", n)
	}

	// Bidi: three messages each way.
	bidi, err := e.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, "/test.Echo/Bidi", raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		msg := fmt.Appendf(nil, "m%d", i)
		if err := bidi.SendMsg(&msg); err != nil {
			t.Fatal(err)
		}
		var out []byte
		if err := bidi.RecvMsg(&out); err != nil || string(out) != string(msg) {
			t.Fatalf("bidi echo %q, %v", out, err)
		}
	}
	if err := bidi.CloseSend(); err != nil {
		t.Fatal(err)
	}
	var out []byte
	if err := bidi.RecvMsg(&out); !errors.Is(err, io.EOF) {
		t.Fatalf("bidi end: %v", err)
	}

	for side, rec := range map[string]*auditlogtest.Recorder{"server": e.srv, "client": e.cli} {
		maps := rec.Maps()
		if len(maps) != 2 {
			t.Fatalf("%s wrote %d lines, want one per stream:\n%s", side, len(maps), rec)
		}
		for i, want := range []struct{ method, typ string }{{"ServerStream", "server_stream"}, {"Bidi", "bidi_stream"}} {
			m := maps[i]
			if str(m, "rpc.method") != want.method || str(m, "attrs.grpc.method_type") != want.typ ||
				num(m, "status") != 0 || str(m, "outcome") != "success" {
				t.Errorf("%s line %d = %v", side, i, m)
			}
			if side == "client" && str(m, "rpc.peer") != e.addr {
				t.Errorf("client stream line %d: peer %q, want %q", i, str(m, "rpc.peer"), e.addr)
			}
		}
	}
}

func TestPanic(t *testing.T) {
	e := newEnv(t, config{})
	ctx := auditlog.NewContext(ctxT(t), auditlog.Request{ID: "req-panic"})
	_, err := call(ctx, e.conn, "panic")
	if status.Code(err) != codes.Internal {
		t.Fatalf("panicking call: %v, want Internal", err)
	}
	if strings.Contains(status.Convert(err).Message(), "boom") {
		t.Errorf("the panic value reached the client: %v", err)
	}

	// Stream handlers are recovered too.
	cs, err := e.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/test.Echo/ServerStream", raw)
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("panic")
	_ = cs.SendMsg(&in)
	_ = cs.CloseSend()
	var out []byte
	if err := cs.RecvMsg(&out); status.Code(err) != codes.Internal {
		t.Fatalf("panicking stream: %v, want Internal", err)
	}

	maps := e.srv.Maps()
	if len(maps) != 4 {
		t.Fatalf("server wrote %d lines, want exception + request for each:\n%s", len(maps), e.srv)
	}
	for i, method := range []string{"Unary", "ServerStream"} {
		exc, req := maps[2*i], maps[2*i+1]
		if str(exc, "kind") != "exception" || str(exc, "level") != "CRITICAL" || str(exc, "rpc.method") != method ||
			str(exc, "exception.type") != "panic" || str(exc, "context.request_id") != "req-panic" {
			t.Errorf("%s exception line = %v", method, exc)
		}
		// The stack starts where the panic happened, not in the recovery code.
		stack := str(exc, "exception.stacktrace")
		if first, _, _ := strings.Cut(stack, "\n"); !strings.Contains(first, "grpcaudit_test.(*echo).") {
			t.Errorf("%s stack starts at %q, want the test handler", method, first)
		}
		if str(req, "kind") != "request" || num(req, "status") != int64(codes.Internal) ||
			str(req, "level") != "ERROR" || str(req, "outcome") != "failure" || str(req, "rpc.method") != method {
			t.Errorf("%s request line = %v", method, req)
		}
	}
}

func TestRequestIDFromMetadata(t *testing.T) {
	e := newEnv(t, config{})
	junk := strings.Repeat("x", 10<<10)
	cases := []struct {
		name string
		md   []string
		want string // "" means a generated id
	}{
		{"openstack", []string{grpcaudit.RequestIDKey, "req-given-1"}, "req-given-1"},
		{"x-request-id", []string{grpcaudit.AltRequestIDKey, "abc-123"}, "abc-123"},
		{"openstack wins", []string{grpcaudit.AltRequestIDKey, "alt-1", grpcaudit.RequestIDKey, "req-os-1"}, "req-os-1"},
		{"absent", nil, ""},
		{"10KB junk", []string{grpcaudit.RequestIDKey, junk}, ""},
		{"space", []string{grpcaudit.RequestIDKey, "req-1 forged"}, ""},
		{"bad then good alt", []string{grpcaudit.RequestIDKey, "a b", grpcaudit.AltRequestIDKey, "alt-2"}, "alt-2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.srv.Reset()
			ctx := metadata.AppendToOutgoingContext(ctxT(t), tc.md...)
			var hdr metadata.MD
			out, err := call(ctx, e.plain, "whoami", grpc.Header(&hdr))
			if err != nil {
				t.Fatal(err)
			}
			var w whoami
			if err := json.Unmarshal(out, &w); err != nil {
				t.Fatal(err)
			}
			maps := e.srv.Maps()
			if len(maps) != 2 {
				t.Fatalf("%d lines, want the handler's and the request's", len(maps))
			}
			handler, req := maps[0], maps[1]
			id := str(req, "context.request_id")
			switch {
			case tc.want != "" && id != tc.want:
				t.Errorf("request_id = %q, want %q", id, tc.want)
			case tc.want == "" && !generatedID.MatchString(id):
				t.Errorf("request_id = %q, want a generated one", id)
			}
			if w.RequestID != id || str(handler, "context.request_id") != id {
				t.Errorf("handler saw %q and logged %q; the request line says %q", w.RequestID, str(handler, "context.request_id"), id)
			}
			if got := hdr.Get(grpcaudit.RequestIDKey); len(got) != 1 || got[0] != id {
				t.Errorf("echoed %q, want %q", got, id)
			}
		})
	}
}

// TestRequestIDControlCharacters calls the interceptor directly: grpc-go
// refuses to send a metadata value with a newline, so no real client can
// deliver one, but a server must not trust that every client is grpc-go.
func TestRequestIDControlCharacters(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	icpt := grpcaudit.UnaryServerInterceptor(middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "srv"})),
		grpcaudit.WithTrustedIdentity(true))
	for _, bad := range []string{"req-1\nforged", "req-1\r", "req-\x00", "req-1\u2028"} {
		rec.Reset()
		ctx := metadata.NewIncomingContext(context.Background(), metadata.MD{
			grpcaudit.RequestIDKey:       {bad},
			grpcaudit.GlobalRequestIDKey: {bad},
			grpcaudit.UserNameKey:        {"alice\n{\"forged\":1}"},
		})
		var seen auditlog.Request
		_, err := icpt(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/test.Echo/Unary"}, func(ctx context.Context, _ any) (any, error) {
			seen, _ = auditlog.FromContext(ctx)
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		m := rec.Last()
		if !generatedID.MatchString(seen.ID) || str(m, "context.request_id") != seen.ID {
			t.Errorf("%q: handler saw %q, line has %q; want one generated id", bad, seen.ID, str(m, "context.request_id"))
		}
		if seen.GlobalID != "" || seen.User.Name != "" || get(m, "user") != nil {
			t.Errorf("%q: global id %q or user %q taken from bad metadata", bad, seen.GlobalID, seen.User.Name)
		}
	}
}

func TestUserMetadata(t *testing.T) {
	md := []string{
		grpcaudit.UserIDKey, "9a1f", grpcaudit.UserNameKey, "alice", grpcaudit.ProjectIDKey, "p-42",
		grpcaudit.RolesKey, "admin, member,,reader",
	}
	// By default a client cannot name the user its calls are audited as.
	e := newEnv(t, config{})
	if _, err := call(metadata.AppendToOutgoingContext(ctxT(t), md...), e.plain, "whoami"); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.srv.Maps() {
		if get(m, "user") != nil {
			t.Errorf("user taken from metadata by default: %v", get(m, "user"))
		}
	}

	e = newEnv(t, config{srvOpts: []grpcaudit.Option{grpcaudit.WithTrustedIdentity(true)}})
	if _, err := call(metadata.AppendToOutgoingContext(ctxT(t), md...), e.plain, "whoami"); err != nil {
		t.Fatal(err)
	}
	maps := e.srv.Maps()
	if len(maps) != 2 {
		t.Fatalf("%d lines, want the handler's and the request's", len(maps))
	}
	for _, m := range maps {
		if str(m, "user.id") != "9a1f" || str(m, "user.name") != "alice" || str(m, "user.project_id") != "p-42" ||
			fmt.Sprint(get(m, "user.roles")) != "[admin member reader]" {
			t.Errorf("user = %v", get(m, "user"))
		}
	}

	// Values unfit for every line of a request are dropped one by one.
	e.srv.Reset()
	bad := []string{grpcaudit.UserIDKey, "9a1f", grpcaudit.UserNameKey, strings.Repeat("n", 1000),
		grpcaudit.RolesKey, "admin," + strings.Repeat("r", 1000)}
	if _, err := call(metadata.AppendToOutgoingContext(ctxT(t), bad...), e.plain, "ok"); err != nil {
		t.Fatal(err)
	}
	if m := e.srv.Last(); str(m, "user.id") != "9a1f" || get(m, "user.name") != nil || fmt.Sprint(get(m, "user.roles")) != "[admin]" {
		t.Errorf("user = %v", get(m, "user"))
	}
}

func TestHealthChecksSkipped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []grpcaudit.Option
		lines int
	}{
		{"default", nil, 0},
		{"WithDefaultSkips(false)", []grpcaudit.Option{grpcaudit.WithDefaultSkips(false)}, 1},
		{"nil options are ignored", []grpcaudit.Option{nil, grpcaudit.WithDefaultSkips(false), nil}, 1},
		{"skips added and the defaults dropped", []grpcaudit.Option{grpcaudit.WithSkip("/test.Echo/"), grpcaudit.WithDefaultSkips(false)}, 1},
		{"defaults back on", []grpcaudit.Option{grpcaudit.WithDefaultSkips(false), grpcaudit.WithDefaultSkips(true)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, config{srvOpts: tc.opts, cliOpts: tc.opts})
			resp, err := healthpb.NewHealthClient(e.conn).Check(ctxT(t), &healthpb.HealthCheckRequest{})
			if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
				t.Fatalf("health check: %v, %v", resp, err)
			}
			if e.srv.Len() != tc.lines || e.cli.Len() != tc.lines {
				t.Errorf("server %d, client %d lines, want %d each:\n%s%s", e.srv.Len(), e.cli.Len(), tc.lines, e.srv, e.cli)
			}
		})
	}
}

func TestSkippedMethods(t *testing.T) {
	opts := []grpcaudit.Option{grpcaudit.WithSkip("/test.Echo/Unary")}
	e := newEnv(t, config{srvOpts: opts, cliOpts: opts})
	if _, err := call(ctxT(t), e.conn, "ok"); err != nil {
		t.Fatal(err)
	}
	// A skipped method is still recovered: the panic costs the server
	// nothing but the exception line.
	if _, err := call(ctxT(t), e.conn, "panic"); status.Code(err) != codes.Internal {
		t.Fatalf("skipped panicking call: %v", err)
	}
	if e.cli.Len() != 0 || e.srv.Len() != 1 || str(e.srv.Last(), "kind") != "exception" {
		t.Errorf("server %d lines (want only the exception), client %d (want 0):\n%s", e.srv.Len(), e.cli.Len(), e.srv)
	}
}

func TestDeadline(t *testing.T) {
	e := newEnv(t, config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want, _ := ctx.Deadline()
	if _, err := call(ctx, e.conn, "ok"); err != nil {
		t.Fatal(err)
	}
	for side, m := range map[string]map[string]any{"server": e.srv.Last(), "client": e.cli.Last()} {
		got, err := time.Parse(time.RFC3339Nano, str(m, "attrs.grpc.deadline"))
		if err != nil {
			t.Fatalf("%s deadline: %v in %v", side, err, m)
		}
		// The server derives its deadline from the grpc-timeout header,
		// so it lands a little after the client's.
		if d := got.Sub(want); d < -time.Millisecond || d > 5*time.Second {
			t.Errorf("%s deadline %v, want about %v", side, got, want)
		}
	}
	e.srv.Reset()
	if _, err := call(context.Background(), e.conn, "ok"); err != nil {
		t.Fatal(err)
	}
	if get(e.srv.Last(), "attrs.grpc.deadline") != nil {
		t.Errorf("call without a deadline has one: %v", e.srv.Last())
	}
}

func TestSwitchesOff(t *testing.T) {
	off := auditlog.Switches{}
	e := newEnv(t, config{srvSwitches: &off, cliSwitches: &off})
	ctx := ctxT(t)
	var hdr metadata.MD
	if _, err := call(ctx, e.conn, "ok", grpc.Header(&hdr)); err != nil {
		t.Fatal(err)
	}
	if len(hdr.Get(grpcaudit.RequestIDKey)) != 1 {
		t.Errorf("request id not echoed with logging off")
	}
	if _, err := call(ctx, e.conn, "code 5"); status.Code(err) != codes.NotFound {
		t.Fatal(err)
	}
	if _, err := call(ctx, e.conn, "panic"); status.Code(err) != codes.Internal {
		t.Fatalf("panic with logging off: %v", err)
	}
	if e.srv.Len() != 0 || e.cli.Len() != 0 {
		t.Errorf("switched off, yet server wrote %d and client %d lines:\n%s%s", e.srv.Len(), e.cli.Len(), e.srv, e.cli)
	}

	// Exception logging alone: the panic's line, no request line.
	exc := auditlog.Switches{Exception: true}
	e = newEnv(t, config{srvSwitches: &exc, cliSwitches: &off})
	if _, err := call(ctx, e.conn, "panic"); status.Code(err) != codes.Internal {
		t.Fatal(err)
	}
	if maps := e.srv.Maps(); len(maps) != 1 || str(maps[0], "kind") != "exception" {
		t.Errorf("exception logging only: %d lines:\n%s", len(maps), e.srv)
	}
}

func TestConcurrency(t *testing.T) {
	e := newEnv(t, config{})
	const workers, each = 16, 25
	ctx := ctxT(t)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				cmd := "ok"
				if (w+i)%3 == 0 {
					cmd = "code 5"
				}
				if _, err := call(ctx, e.conn, cmd); err != nil && status.Code(err) != codes.NotFound {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	srv, cli := e.srv.Maps(), e.cli.Maps()
	if len(srv) != workers*each || len(cli) != workers*each {
		t.Fatalf("server %d, client %d lines, want %d each", len(srv), len(cli), workers*each)
	}
	// Each call's client and server line share one request id, and no two
	// calls share one.
	ids := map[string]int{}
	for _, m := range append(srv, cli...) {
		ids[str(m, "context.request_id")]++
	}
	if len(ids) != workers*each {
		t.Errorf("%d distinct request ids, want %d", len(ids), workers*each)
	}
	for id, n := range ids {
		if n != 2 {
			t.Errorf("request id %q on %d lines, want 2", id, n)
		}
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t, config{})
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	go func() {
		_, err := call(ctx, e.conn, "wait")
		done <- err
	}()
	<-e.echo.started
	cancel()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Fatalf("cancelled call: %v", err)
	}
	c := e.cli.Last()
	if num(c, "status") != int64(codes.Canceled) || str(c, "level") != "WARNING" || str(c, "outcome") != "failure" {
		t.Errorf("client line = %v", c)
	}
	s := waitLines(t, e.srv, 1)[0]
	if num(s, "status") != int64(codes.Canceled) || str(s, "level") != "WARNING" || str(s, "outcome") != "failure" {
		t.Errorf("server line = %v", s)
	}
}

// TestClientDisconnect closes the client's connection in the middle of a
// call: the server still writes its line, as Canceled.
func TestClientDisconnect(t *testing.T) {
	e := newEnv(t, config{})
	done := make(chan error, 1)
	go func() {
		_, err := call(ctxT(t), e.plain, "wait")
		done <- err
	}()
	<-e.echo.started
	e.plain.Close()
	if err := <-done; err == nil {
		t.Fatal("call survived its connection")
	}
	s := waitLines(t, e.srv, 1)[0]
	if num(s, "status") != int64(codes.Canceled) || str(s, "outcome") != "failure" {
		t.Errorf("server line = %v", s)
	}
}

// TestStreamCancel cancels a bidi stream half-way: each side still writes
// its one line, as Canceled.
func TestStreamCancel(t *testing.T) {
	e := newEnv(t, config{})
	ctx, cancel := context.WithCancel(ctxT(t))
	bidi, err := e.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, "/test.Echo/Bidi", raw)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("m")
	if err := bidi.SendMsg(&msg); err != nil {
		t.Fatal(err)
	}
	var out []byte
	if err := bidi.RecvMsg(&out); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := bidi.RecvMsg(&out); status.Code(err) != codes.Canceled {
		t.Fatalf("after cancel: %v", err)
	}
	c := waitLines(t, e.cli, 1)[0]
	s := waitLines(t, e.srv, 1)[0]
	for side, m := range map[string]map[string]any{"client": c, "server": s} {
		if num(m, "status") != int64(codes.Canceled) || str(m, "outcome") != "failure" || str(m, "attrs.grpc.method_type") != "bidi_stream" {
			t.Errorf("%s line = %v", side, m)
		}
	}
}
