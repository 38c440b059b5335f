package serve

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/tools/events"
)

func TestParseAge(t *testing.T) {
	for _, tc := range []struct {
		n        int
		timeline string
		want     time.Duration
	}{
		{90, "days", 90 * 24 * time.Hour}, {12, "hours", 12 * time.Hour}, {30, "minutes", 30 * time.Minute},
	} {
		if got, err := ParseAge(tc.n, tc.timeline); err != nil || got != tc.want {
			t.Errorf("ParseAge(%d, %s) = %v, %v", tc.n, tc.timeline, got, err)
		}
	}
	for _, bad := range []struct {
		n int
		s string
	}{{0, "days"}, {-1, "days"}, {1, "weeks"}, {1 << 40, "days"}} {
		if _, err := ParseAge(bad.n, bad.s); err == nil {
			t.Errorf("ParseAge(%d, %s) took it", bad.n, bad.s)
		}
	}
	if d, err := ParseRetention("90d"); err != nil || d != 90*24*time.Hour {
		t.Errorf("90d: %v %v", d, err)
	}
	for _, bad := range []string{"", "0d", "-1h", "soon"} {
		if _, err := ParseRetention(bad); err == nil {
			t.Errorf("ParseRetention(%q) took it", bad)
		}
	}
}

// TestPurge purges a real store: keep filters hold, a dry run removes
// nothing, and each purge writes one audit line saying what it removed.
func TestPurge(t *testing.T) {
	st := openStore(t)
	lines := genLines(t, 40) // a second apart from base; every 4th a failure
	ts := newTestServer(t, st, nil)
	if r := ts.post(t, tokAdmin, lines); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	rec := auditlogtest.NewRecorder(t)
	log := slog.New(auditlog.NewHandler(rec, &auditlog.Options{Service: "log-serve"}))
	clock := func() time.Time { return base.Add(20*time.Second + 30*time.Minute) }
	keep, err := ParseFilters("outcome=failure")
	if err != nil {
		t.Fatal(err)
	}
	o := PurgeOptions{Age: 30 * time.Minute, Keep: [][]events.Filter{keep}, DryRun: true, Now: clock}
	res, err := Purge(context.Background(), st, log, o)
	if err != nil || res.Removed != 15 || res.Kept != 5 {
		t.Fatalf("dry run: %+v, %v; want 15 removed, 5 kept", res, err)
	}
	if got, _ := ts.listAll(t, "/v1/events", tokAdmin); len(got) != 40 {
		t.Fatalf("a dry run removed events: %d left", len(got))
	}
	o.DryRun = false
	if res, err = Purge(context.Background(), st, log, o); err != nil || res.Removed != 15 {
		t.Fatalf("purge: %+v, %v", res, err)
	}
	if got, _ := ts.listAll(t, "/v1/events", tokAdmin); len(got) != 25 {
		t.Errorf("%d left, want 25", len(got))
	}
	if rec.Len() != 2 {
		t.Fatalf("%d purge lines, want one per purge:\n%s", rec.Len(), rec)
	}
	m := rec.Last()
	attrs, _ := m["attrs"].(map[string]any)
	if m["kind"] != "lifecycle" || m["action"] != "purge" || m["outcome"] != "success" || fmt.Sprint(attrs["removed"]) != "15" ||
		fmt.Sprint(attrs["kept"]) != "5" || attrs["oldest"] != "2026-11-23T09:00:00.000000Z" || attrs["dry_run"] != false ||
		!strings.Contains(rec.String(), `"keep":["outcome=failure"]`) {
		t.Errorf("purge line: %s", rec.Lines()[1])
	}
}

// TestRetain: the server's periodic purge runs at once, then every
// interval, one line each, until its context ends.
func TestRetain(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	if r := ts.post(t, tokAdmin, genLines(t, 10)); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	rec := auditlogtest.NewRecorder(t)
	log := slog.New(auditlog.NewHandler(rec, &auditlog.Options{Service: "log-serve"}))
	keep, _ := ParseFilters("outcome=failure")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		Retain(ctx, ts.store, log, time.Hour, 20*time.Millisecond, [][]events.Filter{keep})
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for rec.Len() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if rec.Len() < 3 {
		t.Fatalf("%d purge lines in 10s", rec.Len())
	}
	if first := rec.Maps()[0]; fmt.Sprint(first["attrs"].(map[string]any)["removed"]) != "8" {
		t.Errorf("first purge: %v", first)
	}
	if got, _ := ts.listAll(t, "/v1/events", tokAdmin); len(got) != 2 {
		t.Errorf("%d left, want the 2 failures kept", len(got))
	}
}
