package httpaudit_test

import (
	"bufio"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

// env is one audited server on loopback, its lines held by a Recorder that
// validates each of them against the schema.
type env struct {
	rec    *auditlogtest.Recorder
	h      *auditlog.Handler
	srv    *httptest.Server
	served chan struct{} // one value per request the middleware finished
}

// newEnv starts a real server running handler behind the middleware. sw, when
// non-nil, sets the auditlog switches. The server stands for an OpenStack
// API behind keystonemiddleware: it trusts the identity headers
// (WithTrustedIdentity), unless opts say otherwise.
func newEnv(t *testing.T, handler http.Handler, sw *auditlog.Switches, opts ...httpaudit.Option) *env {
	t.Helper()
	opts = append([]httpaudit.Option{httpaudit.WithTrustedIdentity(true)}, opts...)
	e := &env{rec: auditlogtest.NewRecorder(t), served: make(chan struct{}, 4096)}
	e.h = auditlog.NewHandler(e.rec, &auditlog.Options{Service: "test-api", Switches: sw})
	audited := httpaudit.New(middleware.NewReporter(e.h), opts...)(handler)
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Deferred, so that a request whose handler panics on through
		// the middleware is counted too.
		defer func() { e.served <- struct{}{} }()
		audited.ServeHTTP(w, r)
	}))
	// Panics re-raised on purpose would otherwise litter the test log.
	e.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// wait blocks until the middleware has finished n more requests: a client
// can have the whole response before the handler returns, so a test that
// looks at lines must wait for the server side first.
func (e *env) wait(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for range n {
		select {
		case <-e.served:
		case <-timeout:
			t.Fatalf("timed out waiting for %d requests to finish", n)
		}
	}
}

// do sends a request with the given headers and body, reads the whole
// response, and waits for the server side to finish.
func (e *env) do(t *testing.T, method, path string, hdr map[string]string, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, 1)
	return resp, string(b)
}

// raw writes request bytes on a fresh TCP connection and returns the
// response, for requests Go's client refuses to send.
func (e *env) raw(t *testing.T, request string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// requestLines returns the decoded lines of kind request.
func requestLines(rec *auditlogtest.Recorder) []map[string]any {
	return linesOfKind(rec, "request")
}

func linesOfKind(rec *auditlogtest.Recorder, kind string) []map[string]any {
	var out []map[string]any
	for _, m := range rec.Maps() {
		if m["kind"] == kind {
			out = append(out, m)
		}
	}
	return out
}

// get returns the value at a dotted path in a decoded line ("rpc.route").
func get(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// str returns get as a string; numbers in their JSON spelling.
func str(m map[string]any, path string) string {
	switch v := get(m, path).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// expect checks dotted paths of a line against their string forms; "" means
// absent.
func expect(t *testing.T, m map[string]any, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got := str(m, k); got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if t.Failed() {
		b, _ := json.Marshal(m)
		t.Logf("line: %s", b)
	}
}

// newRecorderReporter returns a Recorder and a Reporter writing to it, for
// tests that call the middleware directly.
func newRecorderReporter(t *testing.T, sw *auditlog.Switches) (*auditlogtest.Recorder, *middleware.Reporter) {
	rec := auditlogtest.NewRecorder(t)
	return rec, middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "test-api", Switches: sw}))
}

func newRequest(method, target, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return httptest.NewRequest(method, target, rd)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
