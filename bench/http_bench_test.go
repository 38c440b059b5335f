package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

// The HTTP benchmarks measure what a middleware adds to a request: the same
// small GET handler alone (bare), behind ours (auditlog), behind a minimal
// slog access log (slog-access), and behind otelhttp with no-op tracer and
// meter providers — each writing to io.Discard, served in process through
// an httptest.ResponseRecorder, no network. cmd/benchtable compares the
// overheads, bare subtracted: ours does more per request than the access
// log (a request id generated and echoed, the keystone user, action and
// target, the trace id, the request context attached for the handler's
// own lines, panic recovery), and aims to cost no more.

// httpMiddlewares are listed in the order the table shows them.
var httpMiddlewares = []struct {
	name string
	wrap func(http.Handler) http.Handler
}{
	{"bare", func(h http.Handler) http.Handler { return h }},
	{"auditlog", func(h http.Handler) http.Handler {
		rep := middleware.NewReporter(auditlog.NewHandler(io.Discard, auditlogOptions()))
		// As an API behind keystonemiddleware: the identity headers are trusted.
		return httpaudit.New(rep, httpaudit.WithTrustedIdentity(true))(h)
	}},
	{"slog-access", func(h http.Handler) http.Handler {
		return slogAccess(slog.New(slog.NewJSONHandler(io.Discard, nil)))(h)
	}},
	{"otelhttp", func(h http.Handler) http.Handler {
		return otelhttp.NewHandler(h, "nova-api",
			otelhttp.WithTracerProvider(tracenoop.NewTracerProvider()),
			otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()))
	}},
}

// smallGET is the handler every variant serves: a few bytes of JSON.
var smallGET = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"server":{"id":"5f1e0b9c","status":"ACTIVE"}}`)
})

// benchRequest is a GET of one server as a client behind keystonemiddleware
// sends it: identity headers, no request id (so ours generates one), and a
// span in the context, as a tracing middleware in front would leave it.
func benchRequest() *http.Request {
	r := httptest.NewRequest("GET", "/v2.1/servers/5f1e0b9c", nil)
	r.RemoteAddr = remoteAddr
	r.Header.Set("User-Agent", "python-novaclient")
	r.Header.Set("X-User-Id", req.User.ID)
	r.Header.Set("X-User-Name", req.User.Name)
	r.Header.Set("X-Project-Id", req.User.ProjectID)
	r.Header.Set("X-Roles", "member,reader")
	r.Header.Set("X-Auth-Token", "gAAAAAB-never-logged")
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	return r.WithContext(trace.ContextWithSpanContext(context.Background(), sc))
}

// BenchmarkHTTP serves the request once per iteration with each middleware.
// Names are HTTP/<middleware>, which cmd/benchtable pairs. The request is
// shared (no middleware changes it); the recorder is new each time, as
// net/http's response is.
func BenchmarkHTTP(b *testing.B) {
	r := benchRequest()
	for _, m := range httpMiddlewares {
		b.Run(m.name, func(b *testing.B) {
			h := m.wrap(smallGET)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// slogAccess is the access log a Go service writes with nothing but the
// standard library: a status-capturing wrapper and one slog line per
// request.
func slogAccess(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("remote_addr", r.RemoteAddr),
			)
		})
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(p)
	s.bytes += n
	return n, err
}

// TestHTTPBenchLine checks that the auditlog variant writes the line the
// comparison claims: request id, user, action, target and trace id.
func TestHTTPBenchLine(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	rep := middleware.NewReporter(auditlog.NewHandler(rec, auditlogOptions()))
	w := httptest.NewRecorder()
	httpaudit.New(rep, httpaudit.WithTrustedIdentity(true))(smallGET).ServeHTTP(w, benchRequest())
	line := rec.String()
	for _, want := range []string{
		`"action":"read"`, `"target":{"id":"5f1e0b9c","type":"server"}`,
		`"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`, `"request_id":"` + w.Header().Get("X-Request-Id") + `"`,
		`"user":{"id":"9a1f3c5e","name":"alice","project_id":"4e8b2a6c","roles":["member","reader"]}`,
		`"status":200`, `"response_bytes":46`,
	} {
		if !strings.Contains(line, want) {
			t.Errorf("line lacks %s:\n%s", want, line)
		}
	}
}
