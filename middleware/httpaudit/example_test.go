package httpaudit_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

// The middleware writes one line per request: here a Nova server action,
// named by its body, with the user that keystonemiddleware's headers name
// (trusted here, as an OpenStack API behind keystonemiddleware may: it is
// off by default) and the caller's request id. The clock is fixed so that
// the output is exact; duration_ms is 0 for the same reason.
func Example() {
	clock := func() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 123456000, time.UTC) }
	h := auditlog.NewHandler(os.Stdout, &auditlog.Options{
		Service:  "nova-api",
		Now:      clock,
		Sequence: new(auditlog.Sequence),
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2.1/servers/{id}/action", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	handler := httpaudit.New(middleware.NewReporter(h), httpaudit.WithTrustedIdentity(true), httpaudit.WithClock(clock))(mux)

	r := httptest.NewRequest("POST", "/v2.1/servers/5f1e0b9c/action", strings.NewReader(`{"pause": null}`))
	r.Header.Set("X-OpenStack-Request-ID", "req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88")
	r.Header.Set("X-User-Id", "9a1f")
	r.Header.Set("X-User-Name", "alice")
	r.Header.Set("X-Project-Id", "p-42")
	r.Header.Set("X-Auth-Token", "gAAAAAB-never-logged")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("X-Openstack-Request-Id"))
	// Output:
	// {"action":"pause","context":{"remote_addr":"192.0.2.1:1234","request_id":"req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88"},"duration_ms":0,"kind":"request","level":"INFO","message":"POST /v2.1/servers/5f1e0b9c/action","outcome":"success","rpc":{"method":"POST","response_bytes":0,"route":"/v2.1/servers/{id}/action","system":"http"},"schema_version":1,"seq":1,"service":"nova-api","status":202,"target":{"id":"5f1e0b9c","type":"server"},"timestamp":"2026-11-23T09:30:00.123456Z","user":{"id":"9a1f","name":"alice","project_id":"p-42"}}
	// 202 req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88
}

// ComputeActions names Nova's server actions by the single key of the
// request body, and everything else by the method.
func ExampleComputeActions() {
	for _, r := range []httpaudit.ActionRequest{
		{Method: "POST", Path: "/v2.1/servers"},
		{Method: "POST", Path: "/v2.1/servers/5f1e0b9c/action", Body: []byte(`{"os-stop": null}`), BodyComplete: true},
		{Method: "POST", Path: "/v2.1/servers/5f1e0b9c/action", Body: []byte(`not json`), BodyComplete: true},
		{Method: "POST", Path: "/v2.1/servers/5f1e0b9c/remote-consoles"},
		{Method: "DELETE", Path: "/v2/p-42/servers/5f1e0b9c"},
	} {
		action, target := httpaudit.ComputeActions.Name(&r)
		line := fmt.Sprintf("%-6s %-40s %-8s %s %s", r.Method, r.Path, action, target.Type, target.ID)
		fmt.Println(strings.TrimSpace(line))
	}
	// Output:
	// POST   /v2.1/servers                            create   server
	// POST   /v2.1/servers/5f1e0b9c/action            stop     server 5f1e0b9c
	// POST   /v2.1/servers/5f1e0b9c/action            unknown  server 5f1e0b9c
	// POST   /v2.1/servers/5f1e0b9c/remote-consoles   console  server 5f1e0b9c
	// DELETE /v2/p-42/servers/5f1e0b9c                delete   server 5f1e0b9c
}

// TestExampleLinesAreValid runs Example with its output captured and holds
// each audit line it prints to the schema, as every test's lines are.
func TestExampleLinesAreValid(t *testing.T) {
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = wr
	func() {
		defer func() { os.Stdout = stdout }()
		Example()
	}()
	wr.Close()
	out, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	rec := auditlogtest.NewRecorder(t)
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if strings.HasPrefix(line, "{") {
			rec.Write([]byte(line))
		}
	}
	if rec.Len() != 1 {
		t.Errorf("%d audit lines in the example's output, want 1:\n%s", rec.Len(), out)
	}
}
