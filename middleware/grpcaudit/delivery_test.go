package grpcaudit_test

import (
	"errors"
	"log/slog"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware/grpcaudit"
	"github.com/auditlog-go/auditlog/middleware/internal/failtrail"
	"github.com/auditlog-go/auditlog/schema"
)

// TestDeliveryErrors makes real calls over loopback, client and server
// both audited through one trail that loses every line (an AsyncWriter
// under Fail whose destination is down, or whose buffer is full), and
// checks that the service's error handler is told of each lost line with
// the call it described — the client's rpc line, the server's request line,
// a panic's exception line — that the Reporter counts them, and that the
// calls themselves end as they would have. On a healthy trail nothing is
// reported and every line arrives.
func TestDeliveryErrors(t *testing.T) {
	for _, mode := range failtrail.Modes {
		t.Run(mode.String(), func(t *testing.T) {
			tr := failtrail.New(t, mode, "grpc-test")
			rep := tr.Reporter()
			s := grpc.NewServer(grpcaudit.ServerOptions(rep)...)
			s.RegisterService(&echoDesc, &echo{log: slog.New(tr.Handler), started: make(chan struct{}, 1)})
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = s.Serve(lis) }()
			t.Cleanup(s.Stop)
			conn, err := grpc.NewClient(lis.Addr().String(), append([]grpc.DialOption{
				grpc.WithTransportCredentials(insecure.NewCredentials())}, grpcaudit.DialOptions(rep)...)...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })

			ctx := auditlog.WithRequestID(ctxT(t), "req-delivery-1")
			if out, err := call(ctx, conn, "ok"); err != nil || string(out) != "ok" {
				t.Errorf("the call got %q, %v; want \"ok\": a lost line must not fail it", out, err)
			}
			ctx = auditlog.WithRequestID(ctxT(t), "req-delivery-2")
			if _, err := call(ctx, conn, "panic"); status.Code(err) != codes.Internal {
				t.Errorf("the panicking call got %v, want Internal", err)
			}

			if mode == failtrail.Healthy {
				lines := tr.Lines(t)
				if len(lines) != 5 { // per call: server request line and client rpc line; one exception
					t.Errorf("%d lines delivered, want 5: %q", len(lines), lines)
				}
				for _, l := range lines {
					if err := schema.Validate([]byte(l)); err != nil {
						t.Errorf("line %s: %v", l, err)
					}
				}
				if n, s := rep.Errors(), tr.Seen(); n != 0 || len(s) != 0 || rep.Failing() {
					t.Errorf("healthy trail: Errors %d, handler told %d times, Failing %v; want 0, 0, false", n, len(s), rep.Failing())
				}
				return
			}

			// The server reports before it answers, and the client before
			// the call returns, so the order is fixed.
			seen := tr.WaitSeen(t, 5)
			type want struct {
				kind      auditlog.Kind
				code      int64
				requestID string
			}
			wants := []want{
				{auditlog.KindRequest, int64(codes.OK), "req-delivery-1"},
				{auditlog.KindRPC, int64(codes.OK), "req-delivery-1"},
				{auditlog.KindException, -1, "req-delivery-2"},
				{auditlog.KindRequest, int64(codes.Internal), "req-delivery-2"},
				{auditlog.KindRPC, int64(codes.Internal), "req-delivery-2"},
			}
			if len(seen) != len(wants) {
				t.Fatalf("handler told of %d lost lines, want %d: %+v", len(seen), len(wants), seen)
			}
			for i, w := range wants {
				s := seen[i]
				c := s.Call
				code := int64(-1)
				if c.Status.Valid {
					code = c.Status.Value
				}
				if c.Kind != w.kind || c.RPC.System != "grpc" || c.RPC.Service != "test.Echo" || c.RPC.Method != "Unary" ||
					code != w.code || s.RequestID != w.requestID {
					t.Errorf("lost line %d: kind %s, %s %s/%s, code %d, request %s; want %s, grpc test.Echo/Unary, code %d, request %s",
						i, c.Kind, c.RPC.System, c.RPC.Service, c.RPC.Method, code, s.RequestID, w.kind, w.code, w.requestID)
				}
				if !tr.WantErr(s.Err) {
					t.Errorf("lost line %d: error %v, want the trail's (%s)", i, s.Err, mode)
				}
			}
			var pe *auditlog.PanicError
			if !errors.As(seen[2].Call.Err, &pe) {
				t.Errorf("the lost exception line's call has error %v, want the panic", seen[2].Call.Err)
			}
			if n := rep.Errors(); n != uint64(len(wants)) || !rep.Failing() {
				t.Errorf("Errors %d, Failing %v; want %d, true", n, rep.Failing(), len(wants))
			}
		})
	}
}
