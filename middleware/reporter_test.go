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
		{Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "http", Method: "GET", Route: "/x"}, Status: auditlog.Int(200), Duration: time.Millisecond},
		{Kind: auditlog.KindRequest, RPC: auditlog.RPC{System: "http", Method: "GET", Route: "/y"}, Status: auditlog.Int(404), Level: slog.LevelWarn},
		{Kind: auditlog.KindRPC, RPC: auditlog.RPC{System: "grpc", Service: "pkg.Svc", Method: "Get"}, Err: errors.New("unavailable")},
		{Kind: auditlog.KindDB, RPC: auditlog.RPC{System: "sqlite", Method: "query"}},
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
	c := &middleware.Call{Kind: auditlog.KindRequest, RPC: auditlog.RPC{Method: "DELETE", Route: "/servers/{id}"}}
	_ = r.Panicked(context.Background(), &auditlog.PanicError{Value: "boom"}, c)
	m := rec.Last()
	if m["kind"] != "exception" || m["level"] != "CRITICAL" || m["message"] != "panic serving DELETE /servers/{id}" {
		t.Errorf("line = %v", m)
	}
}
