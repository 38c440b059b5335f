package store_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/schema"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenActions are the shapes a run produces: resolved by request id,
// created from the API line with no id known, unresolved, a glance and a
// neutron action with no timing, and one the API names otherwise
// (attrs.api_action).
func goldenActions() []action.Action {
	t := time.Date(2017, 5, 16, 0, 0, 5, 123456789, time.UTC)
	return []action.Action{
		fixture(0, 1)[0],
		{
			Time: t.Add(time.Minute), Mode: action.ModeVM, Action: "create", ResourceType: "server",
			UserID: "u1", ProjectID: "p1", RequestID: "req-create-1", Service: "nova-api",
			Method: "POST", Path: "/v2.1/p1/servers", Status: 500, Outcome: "failure", DurationMS: 0.5,
			Match:    action.MatchAPI,
			Evidence: []action.Evidence{{Source: "nova-api.log", Line: 7, Role: "access"}},
		},
		{
			Time: t.Add(2 * time.Minute), Mode: action.ModeVM, Action: action.Unknown, ResourceType: "server",
			Resource: "6e5a1b2c-0000-4000-8000-000000000001", UserID: "u1", ProjectID: "p1",
			RequestID: "req-unknown-1", Method: "POST", Path: "/v2.1/p1/servers/6e5a1b2c-0000-4000-8000-000000000001/action",
			Status: 202, Outcome: "success", Match: action.MatchUnresolved,
			Evidence: []action.Evidence{{Source: "nova-api.log", Line: 9, Role: "access"}},
		},
		{
			Time: t.Add(3 * time.Minute), Mode: action.ModeGlance, Action: "delete", ResourceType: "image",
			Resource: "img-1", Service: "glance-api", Method: "DELETE", Path: "/v2/images/img-1",
			Status: 204, Outcome: "success", Match: action.MatchAPI,
			Evidence: []action.Evidence{{Source: "glance-api.log", Line: 3, Role: "access"}},
		},
		{
			Time: t.Add(4 * time.Minute), Mode: action.ModeNeutron, Action: "create", ResourceType: "port",
			Resource: "port-\"quoted\"\n", UserID: "u2", Outcome: "unknown", Match: action.MatchTimeWindow,
		},
		{
			Time: t.Add(5 * time.Minute), Mode: action.ModeVM, Action: "live-migrate", APIAction: "os-migrateLive",
			ResourceType: "server", Resource: "6e5a1b2c-0000-4000-8000-000000000001", RequestID: "req-migrate-1",
			Service: "nova-api", Method: "POST", Path: "/v2.1/servers/6e5a1b2c-0000-4000-8000-000000000001/action",
			Status: 202, Outcome: "success", Match: action.MatchRequestID,
			Evidence: []action.Evidence{{Source: "nova-api.log", Line: 12, Role: "access"}, {Source: "nova-api.log", Line: 11, Role: "debug"}},
		},
	}
}

func TestJSONLinesGolden(t *testing.T) {
	var buf bytes.Buffer
	s := store.NewJSONLines(&buf, nil)
	acts := goldenActions()
	n, err := s.Write(context.Background(), acts[:2])
	if err != nil || n != 2 {
		t.Fatalf("Write = %d, %v; want 2, nil", n, err)
	}
	if n, err := s.Write(context.Background(), acts[2:]); err != nil || n != 4 {
		t.Fatalf("Write = %d, %v; want 4, nil", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	lines = lines[:len(lines)-1]
	if len(lines) != len(acts) {
		t.Fatalf("%d lines for %d actions:\n%s", len(lines), len(acts), buf.String())
	}
	for i, l := range lines {
		if err := schema.Validate([]byte(l)); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
	}
	golden := filepath.Join("testdata", "jsonlines.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("output differs from %s (-want +got):\n-%s\n+%s", golden, want, got)
	}
}

func TestJSONLinesEveryFixtureValidates(t *testing.T) {
	var buf bytes.Buffer
	s := store.NewJSONLines(&buf, nil)
	if _, err := s.Write(context.Background(), fixture(0, 50)); err != nil {
		t.Fatal(err)
	}
	for i, l := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		if err := schema.Validate(l); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
	}
}

// failingWriter takes n bytes and then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestJSONLinesBatchIsOneWrite(t *testing.T) {
	var calls int
	w := writerFunc(func(p []byte) (int, error) { calls++; return len(p), nil })
	s := store.NewJSONLines(w, nil)
	if _, err := s.Write(context.Background(), fixture(0, 10)); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("%d Write calls for one batch; want 1", calls)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestJSONLinesErrors(t *testing.T) {
	s := store.NewJSONLines(&failingWriter{n: 100}, nil)
	_, err := s.Write(context.Background(), fixture(3, 4))
	var be *store.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v; want a *BatchError", err)
	}
	if be.Batch != 1 || be.First.String() != "nova-api.log:103" || be.Last.String() != "nova-api.log:106" {
		t.Errorf("BatchError = %+v", be)
	}
	if !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "resume from nova-api.log:103") {
		t.Errorf("err = %q", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	s = store.NewJSONLines(&buf, nil)
	if _, err := s.Write(ctx, fixture(0, 1)); !errors.Is(err, context.Canceled) || buf.Len() != 0 {
		t.Errorf("cancelled: err = %v, wrote %q", err, buf.String())
	}
	s.Close()
	if _, err := s.Write(context.Background(), fixture(0, 1)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("after Close: err = %v", err)
	}
}
