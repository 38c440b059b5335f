package grpcaudit

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/grpc/metadata"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
)

func TestAddrString(t *testing.T) {
	for _, a := range []net.Addr{
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 39494},
		&net.TCPAddr{IP: net.IP{10, 0, 0, 7}, Port: 1},
		&net.TCPAddr{IP: net.IPv6loopback, Port: 8774},
		&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 80, Zone: "eth0"},
		&net.TCPAddr{Port: 80},
		&net.UnixAddr{Name: "/run/nova.sock", Net: "unix"},
	} {
		if got, want := addrString(a), a.String(); got != want {
			t.Errorf("addrString(%#v) = %q, want %q", a, got, want)
		}
	}
}

// TestAdapterIgnoresOtherEvents: only the finish-call event, recognised by
// its grpc.code field, makes a line.
func TestAdapterIgnoresOtherEvents(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	a := adapter{r: middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "svc"})), kind: auditlog.KindRequest}
	a.Log(context.Background(), logging.LevelInfo, "started call", logging.ServiceFieldKey, "s", logging.MethodFieldKey, "m")
	if rec.Len() != 0 {
		t.Fatalf("start event made a line: %s", rec)
	}
	a.Log(context.Background(), logging.LevelInfo, "finished call", logging.ServiceFieldKey, "s", logging.MethodFieldKey, "m", codeField, "OK")
	if m := rec.Last(); m["message"] != "s/m" || m["kind"] != "request" {
		t.Errorf("line = %v", m)
	}
}

// FuzzIncomingRequest holds whatever a client puts in its metadata to what
// the server may write into every line of the request: a valid request id,
// and user values that are short and free of control characters.
func FuzzIncomingRequest(f *testing.F) {
	f.Add("req-1", "g-1", "9a1f", "alice", "p-42", "admin,member")
	f.Add("req-1\nforged", "a b", "x\x00", strings.Repeat("n", 300), "", ",,, ,")
	f.Add("", "", "", "", "", strings.Repeat("r,", 200))
	o := newOptions([]Option{WithTrustedIdentity(true)})
	f.Fuzz(func(t *testing.T, id, gid, uid, name, project, roleList string) {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.MD{
			RequestIDKey: {id}, GlobalRequestIDKey: {gid}, UserIDKey: {uid},
			UserNameKey: {name}, ProjectIDKey: {project}, RolesKey: {roleList},
		})
		r := incomingRequest(ctx, o)
		if !middleware.ValidRequestID(r.ID) {
			t.Errorf("request id %q", r.ID)
		}
		if r.GlobalID != "" && !middleware.ValidRequestID(r.GlobalID) {
			t.Errorf("global id %q", r.GlobalID)
		}
		if len(r.User.Roles) > maxRoles {
			t.Errorf("%d roles", len(r.User.Roles))
		}
		for _, v := range append([]string{r.User.ID, r.User.Name, r.User.ProjectID}, r.User.Roles...) {
			if clean(v) != v {
				t.Errorf("unfit value %q", v)
			}
		}
		for _, role := range r.User.Roles {
			if role == "" || strings.ContainsRune(role, ',') {
				t.Errorf("role %q", role)
			}
		}
	})
}
