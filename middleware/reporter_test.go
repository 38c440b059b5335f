package middleware_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
)

func TestReporterOutcomeAndSwitches(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	sw := auditlog.AllSwitches()
	sw.DB = false
	r := middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "svc", Switches: &sw}))
	ctx := context.Background()
	calls := []middleware.Call{
		{Event: auditlog.Event{Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "http", Method: "GET", Route: "/x"}, Status: auditlog.Int(200), Duration: time.Millisecond}},
		{Event: auditlog.Event{Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "http", Method: "GET", Route: "/y"}, Status: auditlog.Int(404), Level: slog.LevelWarn}},
		{Event: auditlog.Event{Kind: auditlog.KindRPC, RPC: auditlog.RPC{System: "grpc", Service: "pkg.Svc", Method: "Get"}, Err: errors.New("unavailable")}},
		{Event: auditlog.Event{Kind: auditlog.KindDB, RPC: auditlog.RPC{System: "sqlite", Method: "query"}}},
	}
	for i := range calls {
		if err := r.Finished(ctx, &calls[i]); err != nil {
			t.Fatal(err)
		}
	}
	if r.Enabled(auditlog.KindDB) || !r.Enabled(auditlog.KindRequest) {
		t.Errorf("Enabled does not follow the switches")
	}
	maps := rec.Maps()
	if len(maps) != 3 {
		t.Fatalf("%d lines, want 3 (db switched off)", len(maps))
	}
	want := []struct{ msg, outcome string }{
		{"GET /x", "success"}, {"GET /y", "failure"}, {"pkg.Svc/Get", "failure"},
	}
	for i, w := range want {
		if maps[i]["message"] != w.msg || maps[i]["outcome"] != w.outcome {
			t.Errorf("line %d: message %v outcome %v, want %q %q", i, maps[i]["message"], maps[i]["outcome"], w.msg, w.outcome)
		}
	}
	ex, ok := maps[2]["exception"].(map[string]any)
	if !ok {
		t.Fatalf("failed call has no exception: %v", maps[2])
	}
	if st, ok := ex["stacktrace"]; ok {
		t.Errorf("a returned error got the reporter's stack: %v", st)
	}
}

func TestReporterPanicked(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	r := middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "svc"}))
	c := &middleware.Call{Event: auditlog.Event{Kind: auditlog.KindRequest, RPC: auditlog.RPC{Method: "DELETE", Route: "/servers/{id}"}}}
	_ = r.Panicked(context.Background(), &auditlog.PanicError{Value: "boom"}, c)
	m := rec.Last()
	if m["kind"] != "exception" || m["level"] != "CRITICAL" || m["message"] != "panic serving DELETE /servers/{id}" {
		t.Errorf("line = %v", m)
	}
}

// flaky is a destination whose writes fail while down is set.
type flaky struct {
	down  bool
	lines int
}

var errFlaky = errors.New("destination down")

func (f *flaky) Write(p []byte) (int, error) {
	if f.down {
		return 0, errFlaky
	}
	f.lines++
	return len(p), nil
}

// TestReporterErrorHandler checks that every lost line — a call's and a
// panic's — reaches the error handler with the call it described, is
// counted, and sets Failing until a line is written again; and that lines
// the switches leave out do not clear it.
func TestReporterErrorHandler(t *testing.T) {
	type seen struct {
		kind   auditlog.Kind
		method string
		level  slog.Level
		err    error
		cause  error
	}
	var got []seen
	dst := &flaky{}
	sw := auditlog.AllSwitches()
	r := middleware.NewReporter(auditlog.NewHandler(dst, &auditlog.Options{Service: "svc", Switches: &sw}),
		middleware.WithErrorHandler(func(_ context.Context, c *middleware.Call, err error) {
			got = append(got, seen{c.Kind, c.RPC.Method, c.Level, err, c.Err})
		}))
	ctx := context.Background()
	get := &middleware.Call{Event: auditlog.Event{Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "http", Method: "GET", Route: "/x"}, Status: auditlog.Int(200)}}
	del := &middleware.Call{Event: auditlog.Event{Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "http", Method: "DELETE", Route: "/x/{id}"}}}
	query := &middleware.Call{Event: auditlog.Event{Kind: auditlog.KindDB, RPC: auditlog.RPC{System: "sqlite", Method: "query"}}}
	boom := &auditlog.PanicError{Value: "boom"}

	if err := r.Finished(ctx, get); err != nil || r.Errors() != 0 || r.Failing() || len(got) != 0 {
		t.Fatalf("healthy: err %v, Errors %d, Failing %v, handler told %d times", err, r.Errors(), r.Failing(), len(got))
	}
	dst.down = true
	if err := r.Finished(ctx, get); !errors.Is(err, errFlaky) {
		t.Errorf("Finished = %v, want the writer's error", err)
	}
	if err := r.Panicked(ctx, boom, del); !errors.Is(err, errFlaky) {
		t.Errorf("Panicked = %v, want the writer's error", err)
	}
	if r.Errors() != 2 || !r.Failing() {
		t.Errorf("after two lost lines: Errors %d, Failing %v; want 2, true", r.Errors(), r.Failing())
	}
	want := []seen{
		{auditlog.KindRequest, "GET", slog.LevelInfo, errFlaky, nil},
		{auditlog.KindException, "DELETE", auditlog.LevelCritical, errFlaky, boom},
	}
	if len(got) != len(want) {
		t.Fatalf("handler told %d times, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.kind != w.kind || g.method != w.method || g.level != w.level || !errors.Is(g.err, w.err) || g.cause != w.cause {
			t.Errorf("report %d = %+v, want %+v", i, g, w)
		}
	}
	if del.Kind != auditlog.KindRequest || del.Err != nil {
		t.Errorf("Panicked changed the caller's call: %+v", del)
	}

	dst.down = false
	sw.DB = false
	if err := r.Finished(ctx, query); err != nil || !r.Failing() {
		t.Errorf("a switched-off line: err %v, Failing %v; want nil, still true", err, r.Failing())
	}
	if err := r.Finished(ctx, get); err != nil || r.Failing() {
		t.Errorf("a line written: err %v, Failing %v; want nil, false", err, r.Failing())
	}
	if r.Errors() != 2 || len(got) != 2 || dst.lines != 2 {
		t.Errorf("after recovery: Errors %d, handler told %d times, %d lines written; want 2, 2, 2", r.Errors(), len(got), dst.lines)
	}
}

// TestReporterNoErrorHandler checks that without a handler lost lines are
// still counted.
func TestReporterNoErrorHandler(t *testing.T) {
	r := middleware.NewReporter(auditlog.NewHandler(&flaky{down: true}, nil), nil)
	for range 3 {
		_ = r.Finished(context.Background(), &middleware.Call{Event: auditlog.Event{Kind: auditlog.KindRequest}})
	}
	if r.Errors() != 3 || !r.Failing() {
		t.Errorf("Errors %d, Failing %v; want 3, true", r.Errors(), r.Failing())
	}
}

func TestSkipped(t *testing.T) {
	patterns := []string{"/healthz", "/grpc.health.v1.Health/", "/static/"}
	for name, want := range map[string]bool{
		"/healthz": true, "/healthz/deep": false, "/health": false,
		"/grpc.health.v1.Health/Check": true, "/grpc.health.v1.Health": false,
		"/static/app.js": true, "/static": false, "": false,
	} {
		if got := middleware.Skipped(patterns, name); got != want {
			t.Errorf("Skipped(%q) = %v, want %v", name, got, want)
		}
	}
}

// fanout is a Sink that is no *auditlog.Handler: it writes every event to
// each of its handlers.
type fanout []*auditlog.Handler

func (f fanout) LogEvent(ctx context.Context, e *auditlog.Event) error {
	var errs []error
	for _, h := range f {
		errs = append(errs, h.LogEvent(ctx, e))
	}
	return errors.Join(errs...)
}
func (f fanout) Enabled(ctx context.Context, l slog.Level) bool { return f[0].Enabled(ctx, l) }
func (f fanout) Switches() auditlog.Switches                    { return f[0].Switches() }

func TestReporterSink(t *testing.T) {
	a, b := auditlogtest.NewRecorder(t), auditlogtest.NewRecorder(t)
	sw := auditlog.AllSwitches()
	sw.DB = false
	r := middleware.NewReporter(fanout{
		auditlog.NewHandler(a, &auditlog.Options{Service: "svc", Switches: &sw}),
		auditlog.NewHandler(b, &auditlog.Options{Service: "svc"}),
	})
	if r.Handler() != nil {
		t.Error("Handler() of a fan-out sink is not nil")
	}
	if r.Enabled(auditlog.KindDB) {
		t.Error("Enabled does not ask the sink's switches")
	}
	c := &middleware.Call{Start: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC), Event: auditlog.Event{
		Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "http", Method: "GET", Route: "/x"}, Status: auditlog.Int(200), Duration: time.Second}}
	if err := r.Finished(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	for _, rec := range []*auditlogtest.Recorder{a, b} {
		m := rec.Last()
		if m["message"] != "GET /x" || m["outcome"] != "success" || m["timestamp"] != "2026-11-23T09:30:01.000000Z" {
			t.Errorf("line through the sink: %v", m)
		}
	}
}
