package httpaudit_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

func TestRoutePatterns(t *testing.T) {
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, r *http.Request) {}
	mux.HandleFunc("GET api.example.com/v1/things/{id}", ok)
	mux.HandleFunc("/v1/files/{path...}", ok)
	mux.HandleFunc("GET /{$}", ok)
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep, httpaudit.WithActionMap(httpaudit.CRUDActions))(mux)
	for _, c := range []struct{ host, path, route, targetType, targetID string }{
		{"api.example.com", "/v1/things/t-1", "/v1/things/{id}", "things", "t-1"},
		{"other", "/v1/files/a/b/c", "/v1/files/{path...}", "files", "a"},
		{"other", "/", "/{$}", "", ""},
	} {
		r := newRequest("GET", c.path, "")
		r.Host = c.host
		h.ServeHTTP(newRecorder(), r)
		expect(t, rec.Last(), map[string]string{"rpc.route": c.route, "target.type": c.targetType, "target.id": c.targetID, "status": "200"})
	}
}

func TestTraceID(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	audited := httpaudit.New(rep)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	// A tracing middleware in front puts the span in the request context.
	r := newRequest("GET", "/", "")
	audited.ServeHTTP(newRecorder(), r.WithContext(trace.ContextWithSpanContext(r.Context(), sc)))
	expect(t, rec.Last(), map[string]string{
		"context.trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
		"context.span_id":  "00f067aa0ba902b7",
	})
}

func TestNilReporterPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("New(nil) did not panic")
		}
	}()
	httpaudit.New(nil)
}

func TestOptionsAreIndependent(t *testing.T) {
	// Options apply to a copy of the defaults: one New's options never leak
	// into another's.
	rec, rep := newRecorderReporter(t, nil)
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	a := httpaudit.New(rep, httpaudit.WithDefaultSkips(false), httpaudit.WithSkip("/a"), httpaudit.WithHeaders("Accept"))(ok)
	b := httpaudit.New(rep)(ok)
	for _, h := range []http.Handler{a, b} {
		r := newRequest("GET", "/healthz", "")
		r.Header.Set("Accept", "x")
		h.ServeHTTP(newRecorder(), r)
	}
	if rec.Len() != 1 || str(rec.Last(), "attrs.headers.Accept") != "x" {
		t.Errorf("want one line, from a, with the header:\n%s", rec)
	}
}

// TestAllocations holds the middleware to what its design promises: the
// response writer, which also holds the request copy, the request context,
// the roles, a generated request id and the message — nothing else, unless
// the message is too long for the writer's room.
func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(nil) })
	newReq := func(id, path string) *http.Request {
		if path == "" {
			path = "/v2.1/servers/5f1e0b9c"
		}
		r := newRequest("GET", path, "")
		for k, v := range keystone {
			r.Header.Set(k, v)
		}
		if id != "" {
			r.Header.Set("X-Openstack-Request-Id", id)
		}
		return r
	}
	// The line, validated once through a Recorder; measured below over
	// io.Discard, since a Recorder allocates to keep each line.
	rec, rep := newRecorderReporter(t, nil)
	httpaudit.New(rep, httpaudit.WithTrustedIdentity(true))(handler).ServeHTTP(newRecorder(), newReq("", ""))
	expect(t, rec.Last(), map[string]string{"action": "read", "user.roles": `["member","reader"]`, "status": "200"})

	discard := middleware.NewReporter(auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "test-api"}))
	audited := httpaudit.New(discard, httpaudit.WithTrustedIdentity(true))(handler)
	// A writer that allocates nothing itself, so that every allocation
	// counted is the middleware's.
	w := &nopWriter{h: http.Header{}}
	long := "/v2.1/servers/" + strings.Repeat("5f1e0b9c", 20)
	for _, c := range []struct {
		id, path string
		want     float64
	}{{"", "", 1}, {"req-from-client", "", 1}, {"", long, 2}} {
		r := newReq(c.id, c.path)
		if got := testing.AllocsPerRun(1000, func() { audited.ServeHTTP(w, r) }); got != c.want {
			t.Errorf("id %q, path %d bytes: %v allocations per request, want %v", c.id, len(r.URL.Path), got, c.want)
		}
	}
	// The writer's fields are sized to fill its size class (704 bytes), no
	// more: a field added, or the message's room grown, moves it to the
	// next (768). A few bytes more per request are the runtime's own (a
	// pool refilled after a collection).
	r := newReq("", "")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 1000 {
		audited.ServeHTTP(w, r)
	}
	runtime.ReadMemStats(&after)
	if got := (after.TotalAlloc - before.TotalAlloc) / 1000; got >= 768 {
		t.Errorf("%d bytes allocated per request, want the writer's 704", got)
	}
}

type nopWriter struct{ h http.Header }

func (n *nopWriter) Header() http.Header         { return n.h }
func (n *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (n *nopWriter) WriteHeader(int)             {}

// TestMessage checks the message, which the writer holds when it fits,
// around the length where it stops fitting, and that a message kept by the
// error handler, after the request, is still the request's.
func TestMessage(t *testing.T) {
	var kept []string
	rep := middleware.NewReporter(auditlog.NewHandler(failingWriter{}, nil),
		middleware.WithErrorHandler(func(_ context.Context, c *middleware.Call, _ error) { kept = append(kept, c.Message) }))
	rec, recRep := newRecorderReporter(t, nil)
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	var want []string
	for n := 70; n <= 110; n++ {
		path := "/" + strings.Repeat("p", n-len("DELETE /"))
		want = append(want, "DELETE "+path)
		for _, h := range []http.Handler{httpaudit.New(rep)(ok), httpaudit.New(recRep)(ok)} {
			h.ServeHTTP(newRecorder(), newRequest("DELETE", path, ""))
		}
		if got := str(rec.Last(), "message"); got != want[len(want)-1] {
			t.Errorf("message %q, want %q", got, want[len(want)-1])
		}
	}
	runtime.GC() // the writers are garbage now
	if !slices.Equal(kept, want) {
		t.Errorf("messages kept by the error handler:\n%q\nwant\n%q", kept, want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("trail down") }

func TestLongRequestLineIsCut(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := newRequest("GET", "/", "")
	r.Method = strings.Repeat("M", 1000)
	r.URL.Path = "/" + strings.Repeat("é", 5000)
	h.ServeHTTP(newRecorder(), r)
	m := rec.Last()
	msg, route, method := str(m, "message"), str(m, "rpc.route"), str(m, "rpc.method")
	if len(msg) > 1200 || len(route) > 1100 || len(method) > 70 || !strings.HasSuffix(route, "…") {
		t.Errorf("message %d bytes, route %d, method %d: want them cut", len(msg), len(route), len(method))
	}
	if !utf8.ValidString(route) {
		t.Errorf("route cut inside a character")
	}
	if get(m, "truncated") != nil {
		t.Errorf("the line needed the handler's truncation")
	}
}
