package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/schema"
	"github.com/auditlog-go/auditlog/tools/events"
)

// handlerLines writes lines with the real handler: a request line with
// every column, a plain log line, an exception, one with nested attrs and
// a string that needs escapes.
func handlerLines(t testing.TB) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	h := auditlog.NewHandler(&buf, &auditlog.Options{Service: "compute-api"})
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{
		ID: "req-7f3c", GlobalID: "req-g-0b5d", RemoteAddr: "192.0.2.10:51234",
		User: auditlog.User{ID: "a1b2", Name: "alice", ProjectID: "p-42", Roles: []string{"member"}},
	})
	at := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.LogEvent(ctx, &auditlog.Event{
		Time: at, Level: slog.LevelInfo, Kind: auditlog.KindRequest, Message: "POST /v2.1/servers/6f1b/action",
		Action: "pause", Target: auditlog.Target{Type: "server", ID: "6f1b"}, Status: auditlog.Int(202),
		Outcome: auditlog.OutcomeSuccess, Duration: 12481 * time.Microsecond,
		RPC: auditlog.RPC{System: "http", Method: "POST", Route: "/v2.1/servers/{id}/action"},
	}))
	must(h.LogEvent(context.Background(), &auditlog.Event{Time: at, Level: slog.LevelWarn, Message: "disk \"low\"\tagain", Attrs: []slog.Attr{
		slog.Group("disk", slog.String("path", "/var"), slog.Int("free_pct", 3)),
	}}))
	must(h.LogEvent(ctx, &auditlog.Event{Time: at, Level: slog.LevelError, Kind: auditlog.KindException,
		Message: "delete failed", Err: errors.New("boom"), Outcome: auditlog.OutcomeFailure}))
	var out [][]byte
	for _, l := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	if len(out) != 3 {
		t.Fatalf("handler wrote %d lines, want 3:\n%s", len(out), buf.Bytes())
	}
	return out
}

func TestLineOurs(t *testing.T) {
	lines := handlerLines(t)
	at := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	want := []events.Event{
		{Time: at, Level: "INFO", Kind: "request", Service: "compute-api", UserID: "a1b2", UserName: "alice",
			Project: "p-42", Action: "pause", TargetType: "server", TargetID: "6f1b", RequestID: "req-7f3c",
			GlobalRequestID: "req-g-0b5d", Outcome: "success", Status: 202, HasStatus: true,
			DurationMS: 12.481, HasDuration: true, Message: "POST /v2.1/servers/6f1b/action"},
		{Time: at, Level: "WARNING", Kind: "log", Service: "compute-api", Message: "disk \"low\"\tagain"},
		{Time: at, Level: "ERROR", Kind: "exception", Service: "compute-api", UserID: "a1b2", UserName: "alice",
			Project: "p-42", RequestID: "req-7f3c", GlobalRequestID: "req-g-0b5d", Outcome: "failure",
			Message: "delete failed"},
	}
	for i, l := range lines {
		if !quickValid(trimEOL(l)) {
			t.Errorf("line %d: the quick check is not sure of a line our handler wrote: %s", i, l)
		}
		sameReading(t, trimEOL(l))
		ev, err := Line(l)
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		checkEvent(t, ev, want[i], events.FormatAudit, trimEOL(l))
	}
}

// sameReading: the quick walk reads the same values for Line's fields as
// logline's walker does.
func sameReading(t *testing.T, line []byte) {
	t.Helper()
	q := make([][]byte, sl.f.Len())
	x := make([][]byte, sl.f.Len())
	if !quickRead(line, q) || !sl.f.Extract(line, x) {
		t.Fatalf("not read: %s", line)
	}
	for i := range q {
		if !bytes.Equal(q[i], x[i]) || (q[i] == nil) != (x[i] == nil) {
			t.Errorf("%s: quick walk read %q, logline %q", sl.f.Path(i), q[i], x[i])
		}
	}
}

// checkEvent compares the columns of got with want and checks Raw, ID and
// Format.
func checkEvent(t *testing.T, got, want events.Event, format string, raw []byte) {
	t.Helper()
	if !bytes.Equal(got.Raw, raw) {
		t.Errorf("Raw = %q, want %q", got.Raw, raw)
	}
	if got.ID != events.ContentID(raw) {
		t.Errorf("ID = %q, want ContentID(raw) %q", got.ID, events.ContentID(raw))
	}
	if got.Format != format {
		t.Errorf("Format = %q, want %q", got.Format, format)
	}
	got.Raw, got.ID, got.Format = nil, "", ""
	if !got.Time.Equal(want.Time) || got.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want %v (UTC)", got.Time, want.Time)
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	{
		// Event holds a slice, so compare through a copy without it.
		type cols struct {
			Level, Kind, Service, UserID, UserName, Project, Action, TargetType, TargetID string
			RequestID, GlobalRequestID, Outcome, Message                                  string
			Status                                                                        int
			HasStatus, HasDuration                                                        bool
			DurationMS                                                                    float64
		}
		c := func(e events.Event) cols {
			return cols{e.Level, e.Kind, e.Service, e.UserID, e.UserName, e.Project, e.Action, e.TargetType, e.TargetID,
				e.RequestID, e.GlobalRequestID, e.Outcome, e.Message, e.Status, e.HasStatus, e.HasDuration, e.DurationMS}
		}
		if c(got) != c(want) {
			t.Errorf("columns:\n got %+v\nwant %+v", c(got), c(want))
		}
	}
}

// osloLines runs the real oslo.log JSONFormatter with a real oslo.context
// RequestContext and returns the lines it wrote: an INFO with a context
// and an instance, a WARNING, and an exception with a traceback.
func osloLines(t testing.TB) [][]byte {
	t.Helper()
	python := "/usr/bin/python3" // Debian's, where python3-oslo.log is installed
	prog := `
import logging, sys
from oslo_log import formatters, log as oslo_logging
from oslo_context import context
h = logging.StreamHandler(sys.stdout)
h.setFormatter(formatters.JSONFormatter())
logging.getLogger("nova.api.openstack.compute.servers").addHandler(h)
logging.getLogger("nova.api.openstack.compute.servers").setLevel(logging.DEBUG)
log = oslo_logging.getLogger("nova.api.openstack.compute.servers")  # the adapter services use
ctx = context.RequestContext(user_id="u-1", project_id="p-1", user_name="alice", project_name="demo",
    global_request_id="req-11111111-2222-3333-4444-555555555555",
    request_id="req-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", auth_token="s3cr3t-t0ken")
log.info("Created server %s", "abc", context=ctx, instance_uuid="6f1b2c3d")
log.warning("plain warning")
try:
    1/0
except Exception:
    log.exception("it broke", context=ctx)
`
	out, err := exec.Command(python, "-c", prog).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("python3-oslo.log (Debian's %s) is needed: %v\n%s", python, err, ee.Stderr)
		}
		t.Fatalf("python3-oslo.log (Debian's %s) is needed: %v", python, err)
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) != 3 {
		t.Fatalf("oslo.log wrote %d lines, want 3:\n%s", len(lines), out)
	}
	return lines
}

func TestLineOsloJSON(t *testing.T) {
	lines := osloLines(t)
	want := []events.Event{
		{Level: "INFO", Kind: "log", Service: "nova.api.openstack.compute.servers", UserID: "u-1", UserName: "alice",
			Project: "p-1", RequestID: "req-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
			GlobalRequestID: "req-11111111-2222-3333-4444-555555555555", Message: "Created server abc",
			TargetType: "server", TargetID: "6f1b2c3d"},
		// oslo.context keeps the last context made as the thread's
		// current one, and the formatter writes it on every record.
		{Level: "WARNING", Kind: "log", Service: "nova.api.openstack.compute.servers", UserID: "u-1", UserName: "alice",
			Project: "p-1", RequestID: "req-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
			GlobalRequestID: "req-11111111-2222-3333-4444-555555555555", Message: "plain warning"},
		{Level: "ERROR", Kind: "exception", Service: "nova.api.openstack.compute.servers", UserID: "u-1", UserName: "alice",
			Project: "p-1", RequestID: "req-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
			GlobalRequestID: "req-11111111-2222-3333-4444-555555555555", Message: "it broke"},
	}
	for i, l := range lines {
		ev, err := Line(l)
		if err != nil {
			t.Fatalf("line %d: %v\n%s", i, err, l)
		}
		// The time is created (seconds since the epoch, in UTC), to the
		// microsecond; check it against asctime, to the millisecond.
		if ev.Time.IsZero() || ev.Time.Nanosecond()%1000 != 0 || time.Since(ev.Time) > time.Minute || time.Since(ev.Time) < 0 {
			t.Errorf("line %d: Time = %v, want now to the µs", i, ev.Time)
		}
		want[i].Time = ev.Time
		checkEvent(t, ev, want[i], events.FormatOsloJSON, l)
	}
}

func TestLineBad(t *testing.T) {
	good := handlerLines(t)[0]
	for _, c := range []struct {
		name, line string
		reason     string // a part of the error
	}{
		{"text", "2015-10-29 10:00:00.123 4567 INFO nova.api [-] hello", "not a JSON object"},
		{"garbage", "{nope", "invalid JSON"},
		{"empty", "", "empty line"},
		{"blank", "  \t", "empty line"},
		{"array", `[1,2]`, "not a JSON object"},
		{"truncated", string(good[:len(good)/2]), "ends inside a value"},
		{"no service", `{"kind":"log","level":"INFO","message":"x","schema_version":1}`, "service"},
		{"unsorted", `{"level":"INFO","kind":"log","message":"x","schema_version":1,"service":"s"}`, "sorted"},
		{"duplicate", `{"kind":"log","kind":"log","level":"INFO","message":"x","schema_version":1,"service":"s"}`, "duplicate key"},
		{"bad level", `{"kind":"log","level":"LOUD","message":"x","schema_version":1,"service":"s"}`, "/level"},
		{"unknown key", `{"kind":"log","level":"INFO","message":"x","schema_version":1,"service":"s","zzz":1}`, "zzz"},
		{"bad status", `{"kind":"log","level":"INFO","message":"x","schema_version":1,"service":"s","status":1000}`, "/status"},
		{"two objects", `{"kind":"log","level":"INFO","message":"x","schema_version":1,"service":"s"}{}`, "after the object"},
		{"oslo bad level", `{"asctime":"2026-12-03 09:50:52,343","levelname":"LOUD","message":"x","name":"n"}`, "not a level"},
		{"credential quoted", `{"kind":"log","level":"INFO","password":"hunter2","message":"x"}`, "password"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Line([]byte(c.line))
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("Line(%q) = %v, want a *LineError", c.line, err)
			}
			if !strings.Contains(err.Error(), c.reason) {
				t.Errorf("error %q does not say %q", err, c.reason)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// TestLineSchemaExamples: the schema's own examples are accepted, by the
// quick check without asking Validate.
func TestLineSchemaExamples(t *testing.T) {
	var doc struct{ Examples []map[string]any }
	if err := jsonUnmarshal(schema.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Examples) == 0 {
		t.Fatal("the schema has no examples")
	}
	for i, ex := range doc.Examples {
		line, err := jsonMarshal(ex) // encoding/json sorts map keys
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(line); err != nil {
			t.Fatalf("example %d: %v", i, err)
		}
		if !quickValid(line) {
			t.Errorf("example %d: quick check not sure: %s", i, line)
		}
		sameReading(t, line)
		if _, err := Line(line); err != nil {
			t.Errorf("example %d: %v", i, err)
		}
	}
}

// TestQuickNotSure: lines the quick check must leave to Validate, which
// takes some (an escaped key) and refuses the others.
func TestQuickNotSure(t *testing.T) {
	base := `"level":"INFO","message":"x","schema_version":1,"service":"s"`
	for _, l := range []string{
		`{"kind":"log",` + base + `,"seq":1.0}`, // an integer written as 1.0: valid, but not sure
		`{"\u006bind":"log",` + base + `}`,      // an escaped key
		`{"kind":"log",` + base + `,"timestamp":"2026-02-30T00:00:00.000000Z"}`,
		`{"kind":"log",` + base + `,"context":{}}`, // minProperties
		`{"kind":"log",` + base + `,"context":{"trace_id":"XYZ"}}`,
		`{"kind":"log",` + base + `,"attrs":{"b":1,"a":2}}`, // unsorted deep down
		`{"kind":"log",` + base + `,"attrs":{"a":01}}`,
		"{\"kind\":\"log\"," + base + ",\"attrs\":{\"a\":\"\x01\"}}",
	} {
		if quickValid([]byte(l)) {
			t.Errorf("quick check sure of %s", l)
		}
	}
}

// TestLineConcurrent: Line is safe for concurrent use (run with -race).
func TestLineConcurrent(t *testing.T) {
	lines := append(handlerLines(t), osloLines(t)...)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				l := lines[(g+i)%len(lines)]
				ev, err := Line(l)
				if err != nil || !bytes.Equal(ev.Raw, trimEOL(l)) {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkLine(b *testing.B) {
	lines := append(handlerLines(b), osloLines(b)...)
	names := []string{"request", "log", "exception", "oslo-info", "oslo-warning", "oslo-exception"}
	for i, l := range lines {
		b.Run(names[i], func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(l)))
			for b.Loop() {
				if _, err := Line(l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidate is the full validator on the same request line, for
// comparison: what the quick check saves.
func BenchmarkValidate(b *testing.B) {
	l := handlerLines(b)[0]
	b.ReportAllocs()
	for b.Loop() {
		if err := schema.Validate(l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBody is the ingest side of POST /v1/events: a body of 1,000
// handler lines read by Lines and each made an event by Line, plain and
// gzip-compressed; ns/op is per line.
func BenchmarkBody(b *testing.B) {
	lines := handlerLines(b)
	var body bytes.Buffer
	for i := range 1000 {
		body.Write(lines[i%len(lines)])
	}
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(body.Bytes())
	zw.Close()
	for _, c := range []struct {
		name string
		data []byte
	}{{"plain", body.Bytes()}, {"gzip", zb.Bytes()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(body.Len()) / 1000)
			for i := 0; i < b.N; i += 1000 {
				err := Lines(bytes.NewReader(c.data), func(n int, raw []byte) error {
					_, err := Line(raw)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
