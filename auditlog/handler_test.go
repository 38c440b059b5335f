package auditlog_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/spf13/pflag"
	"go.opentelemetry.io/otel/trace"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/schema"
)

var fixedTime = time.Date(2026, 11, 23, 9, 30, 0, 123456789, time.UTC)

// newLogger returns a logger writing to a recorder that validates every line.
func newLogger(t *testing.T, opts *auditlog.Options) (*slog.Logger, *auditlogtest.Recorder) {
	t.Helper()
	rec := auditlogtest.NewRecorder(t)
	if opts == nil {
		opts = &auditlog.Options{}
	}
	if opts.Service == "" {
		opts.Service = "test-svc"
	}
	if opts.Sequence == nil {
		opts.Sequence = new(auditlog.Sequence)
	}
	return auditlog.New(rec, opts), rec
}

func TestSlogtest(t *testing.T) {
	var buf bytes.Buffer
	newHandler := func(t *testing.T) slog.Handler {
		buf.Reset()
		return auditlog.NewHandler(&buf, &auditlog.Options{Service: "slogtest"})
	}
	// slogtest wants slog's view of a line: msg, level and time at the top
	// with the attributes beside them. Ours keeps attributes under "attrs";
	// this maps one onto the other and checks every line on the way.
	result := func(t *testing.T) map[string]any {
		line := buf.Bytes()
		if err := schema.Validate(line); err != nil {
			t.Errorf("invalid line: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("unmarshal %q: %v", line, err)
		}
		out := map[string]any{slog.MessageKey: m["message"], slog.LevelKey: m["level"]}
		if ts, ok := m["timestamp"]; ok {
			out[slog.TimeKey] = ts
		}
		if attrs, ok := m["attrs"].(map[string]any); ok {
			for k, v := range attrs {
				out[k] = v
			}
		}
		return out
	}
	slogtest.Run(t, newHandler, result)
}

func TestKeysMatchSchema(t *testing.T) {
	if got, want := schema.TopLevelKeys(), auditlog.TopLevelKeys(); !equalStrings(got, want) {
		t.Errorf("top-level keys: schema has %v, auditlog has %v", got, want)
	}
	nested := schema.NestedKeys()
	for key, want := range auditlog.NestedKeys() {
		if got := nested[key]; !equalStrings(got, want) {
			t.Errorf("keys of %q: schema has %v, auditlog has %v", key, got, want)
		}
	}
	for key := range nested {
		if _, ok := auditlog.NestedKeys()[key]; !ok && key != auditlog.KeyAttrs {
			t.Errorf("schema object %q has no entry in auditlog.NestedKeys()", key)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLineShape(t *testing.T) {
	logger, rec := newLogger(t, &auditlog.Options{Now: func() time.Time { return fixedTime }})
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{
		ID: "req-1", GlobalID: "req-g", RemoteAddr: "10.0.0.1:5555", UserAgent: "curl/8",
		User: auditlog.User{ID: "u1", Name: "alice", ProjectID: "p1", DomainID: "default", Roles: []string{"member"}},
	})
	logger.LogAttrs(ctx, slog.LevelWarn, "server paused",
		auditlog.Action("pause"),
		auditlog.Target{Type: "server", ID: "abc"}.Attr(),
		auditlog.Status(202),
		auditlog.OutcomeSuccess.Attr(),
		auditlog.KindLifecycle.Attr(),
		slog.String("zeta", "last"), slog.Int("alpha", 1),
	)
	want := `{"action":"pause","attrs":{"alpha":1,"zeta":"last"},"context":{"global_request_id":"req-g","remote_addr":"10.0.0.1:5555","request_id":"req-1","user_agent":"curl/8"},"kind":"lifecycle","level":"WARNING","message":"server paused","outcome":"success","schema_version":1,"seq":1,"service":"test-svc","status":202,"target":{"id":"abc","type":"server"},"timestamp":"2026-11-23T09:30:00.123456Z","user":{"domain_id":"default","id":"u1","name":"alice","project_id":"p1","roles":["member"]}}` + "\n"
	if got := rec.String(); got != want {
		t.Errorf("line:\n got %s\nwant %s", got, want)
	}
}

func TestAttributesThatAreNotLineKeysStayInAttrs(t *testing.T) {
	logger, rec := newLogger(t, nil)
	// Right key, wrong type: kept, in attrs, not lost and not misread.
	logger.Info("m", "action", 42, "status", "teapot", "kind", "bogus", "user", "bob")
	attrs := rec.Last()["attrs"].(map[string]any)
	for _, k := range []string{"action", "status", "kind", "user"} {
		if _, ok := attrs[k]; !ok {
			t.Errorf("attrs lost %q: %v", k, attrs)
		}
	}
	if _, ok := rec.Last()["action"]; ok {
		t.Errorf("a non-string action became the line's action")
	}
}

func TestLevels(t *testing.T) {
	logger, rec := newLogger(t, &auditlog.Options{Level: slog.LevelDebug - 8})
	for _, l := range []slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelInfo, slog.LevelInfo + 2,
		slog.LevelWarn, slog.LevelError, auditlog.LevelCritical, auditlog.LevelCritical + 8} {
		logger.Log(context.Background(), l, "x")
	}
	var got []string
	for _, m := range rec.Maps() {
		got = append(got, m["level"].(string))
	}
	want := "DEBUG DEBUG INFO INFO WARNING ERROR CRITICAL CRITICAL"
	if strings.Join(got, " ") != want {
		t.Errorf("levels = %v, want %v", got, want)
	}
	quiet, rec2 := newLogger(t, nil)
	quiet.Debug("hidden")
	if rec2.Len() != 0 {
		t.Errorf("debug line written at default level")
	}
	for in, want := range map[string]slog.Level{"warning": slog.LevelWarn, "WARN": slog.LevelWarn, "Critical": auditlog.LevelCritical} {
		if l, ok := auditlog.ParseLevel(in); !ok || l != want {
			t.Errorf("ParseLevel(%q) = %v, %v", in, l, ok)
		}
	}
}

func TestContextAndSpan(t *testing.T) {
	logger, rec := newLogger(t, nil)
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	ctx = auditlog.WithRequestID(ctx, "req-a")
	ctx = auditlog.WithGlobalRequestID(ctx, "req-g")
	ctx = auditlog.WithUser(ctx, auditlog.User{ID: "u"})
	ctx = auditlog.WithProject(ctx, "p")
	ctx = auditlog.WithRemoteAddr(ctx, "[::1]:1")
	ctx = auditlog.WithUserAgent(ctx, "ua")
	logger.InfoContext(ctx, "x")
	m := rec.Last()
	c := m["context"].(map[string]any)
	want := map[string]string{"trace_id": tid.String(), "span_id": sid.String(), "request_id": "req-a",
		"global_request_id": "req-g", "remote_addr": "[::1]:1", "user_agent": "ua"}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("context.%s = %v, want %v", k, c[k], v)
		}
	}
	u := m["user"].(map[string]any)
	if u["id"] != "u" || u["project_id"] != "p" {
		t.Errorf("user = %v", u)
	}
	// A user given on the line wins over the request's.
	logger.InfoContext(ctx, "x", auditlog.User{ID: "other"}.Attr())
	if got := rec.Last()["user"].(map[string]any)["id"]; got != "other" {
		t.Errorf("user id = %v, want other", got)
	}
	// The helpers copy: the parent ctx is unchanged.
	parent := auditlog.WithRequestID(context.Background(), "one")
	_ = auditlog.WithRequestID(parent, "two")
	if r, _ := auditlog.FromContext(parent); r.ID != "one" {
		t.Errorf("parent ctx changed to %q", r.ID)
	}
	if _, ok := auditlog.FromContext(context.Background()); ok {
		t.Errorf("FromContext on an empty ctx reported a request")
	}
}

type pathErr struct{ op string }

func (e *pathErr) Error() string { return "bad " + e.op }

func TestExceptions(t *testing.T) {
	logger, rec := newLogger(t, nil)
	base := &pathErr{op: "open"}
	err := fmt.Errorf("loading config: %w", fmt.Errorf("reading: %w", base))
	logger.Error("failed", "err", err)
	ex := rec.Last()["exception"].(map[string]any)
	if ex["type"] != "*fmt.wrapError" || ex["message"] != "loading config: reading: bad open" {
		t.Errorf("exception = %v", ex)
	}
	chain := ex["chain"].([]any)
	if len(chain) != 2 || chain[1].(map[string]any)["type"] != "*auditlog_test.pathErr" {
		t.Errorf("chain = %v", chain)
	}
	if st := ex["stacktrace"].(string); !strings.Contains(st, "auditlog_test.TestExceptions") || strings.Contains(st, "log/slog.") {
		t.Errorf("stack does not start at the caller:\n%s", st)
	}

	joined := errors.Join(fs.ErrNotExist, errors.New("second"))
	logger.Error("joined", auditlog.Err(joined))
	chain = rec.Last()["exception"].(map[string]any)["chain"].([]any)
	if len(chain) != 2 {
		t.Errorf("joined chain = %v", chain)
	}

	// A recovered panic keeps the panic's own stack.
	func() {
		defer func() {
			v := recover()
			logger.LogAttrs(context.Background(), auditlog.LevelCritical, "panic",
				auditlog.KindException.Attr(), auditlog.Err(auditlog.Recovered(v)))
		}()
		panicky()
	}()
	ex = rec.Last()["exception"].(map[string]any)
	if ex["type"] != "panic" || ex["message"] != "panic: kaboom" || !strings.Contains(ex["stacktrace"].(string), "panicky") {
		t.Errorf("panic exception = %v", ex)
	}
	if rec.Last()["kind"] != "exception" || rec.Last()["level"] != "CRITICAL" {
		t.Errorf("panic line = %v", rec.Last())
	}
	var pe *pathErr
	if !errors.As(&auditlog.PanicError{Value: base}, &pe) {
		t.Errorf("PanicError does not unwrap to its error value")
	}
}

func panicky() { panic("kaboom") }

type badError struct{}

func (badError) Error() string { panic("no message for you") }

type badStringer struct{}

func (badStringer) String() string { panic("no string") }

func (badStringer) MarshalJSON() ([]byte, error) { panic("no json") }

type badValuer struct{}

func (badValuer) LogValue() slog.Value { panic("no value") }

func TestPanickingValuesGiveValidLines(t *testing.T) {
	logger, rec := newLogger(t, nil)
	logger.Error("x", "err", badError{}, "s", badStringer{}, "v", badValuer{}, "nilp", (*pathErr)(nil))
	if rec.Len() != 1 {
		t.Fatalf("lines = %d, want 1", rec.Len())
	}
	m := rec.Last()
	if msg := m["exception"].(map[string]any)["message"].(string); !strings.Contains(msg, "PANIC") {
		t.Errorf("exception message = %q", msg)
	}
	attrs := m["attrs"].(map[string]any)
	if s, _ := attrs["s"].(string); !strings.Contains(s, "PANIC") {
		t.Errorf("s = %v", attrs["s"])
	}
	if s, _ := attrs["v"].(string); !strings.Contains(s, "panic") {
		t.Errorf("v = %v", attrs["v"])
	}
}

type creds struct {
	User     string
	Password string
	Nested   map[string]string
}

type secretValuer struct{}

func (secretValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", "bob"), slog.String("api_key", "k-123"))
}

func TestRedactionDefaults(t *testing.T) {
	logger, rec := newLogger(t, nil)
	header := map[string][]string{"X-Auth-Token": {"tok-1"}, "Accept": {"json"}}
	logger.Info("x",
		"password", "hunter2",
		"X-Subject-Token", "tok-2",
		slog.Group("req", slog.String("Authorization", "Bearer tok-3"), slog.String("path", "/v2")),
		"headers", header,
		"creds", creds{User: "bob", Password: "hunter3", Nested: map[string]string{"secret": "s-4"}},
		"valuer", secretValuer{},
		"db_passwd", 1234,
	)
	line := rec.String()
	for _, secret := range []string{"hunter2", "tok-1", "tok-2", "tok-3", "hunter3", "s-4", "k-123", "1234"} {
		if strings.Contains(line, secret) {
			t.Errorf("secret %q reached the line: %s", secret, line)
		}
	}
	for _, kept := range []string{"/v2", "json", "bob"} {
		if !strings.Contains(line, kept) {
			t.Errorf("non-secret %q was lost: %s", kept, line)
		}
	}
	if strings.Count(line, auditlog.Masked) != 8 {
		t.Errorf("want 8 masked values: %s", line)
	}
}

func TestRedactionModes(t *testing.T) {
	t.Run("drop", func(t *testing.T) {
		logger, rec := newLogger(t, &auditlog.Options{Redaction: &auditlog.Redaction{Mode: auditlog.RedactDrop}})
		logger.Info("x", "token", "t", "keep", 1)
		attrs := rec.Last()["attrs"].(map[string]any)
		if _, ok := attrs["token"]; ok || attrs["keep"] == nil {
			t.Errorf("attrs = %v", attrs)
		}
	})
	t.Run("hash", func(t *testing.T) {
		r := &auditlog.Redaction{Mode: auditlog.RedactHash, Salt: []byte("pepper")}
		logger, rec := newLogger(t, &auditlog.Options{Redaction: r})
		logger.Info("x", "token", "tok-1", "other_token", "tok-1", "secret", "tok-2")
		attrs := rec.Last()["attrs"].(map[string]any)
		if attrs["token"] != r.Hash("tok-1") || attrs["other_token"] != r.Hash("tok-1") {
			t.Errorf("hash = %v, want %v", attrs["token"], r.Hash("tok-1"))
		}
		if attrs["secret"] == attrs["token"] || !strings.HasPrefix(attrs["secret"].(string), "hmac-sha256:") {
			t.Errorf("secret = %v", attrs["secret"])
		}
		// The hash is a plain HMAC-SHA256 anyone holding the salt can compute.
		mac := hmac.New(sha256.New, []byte("pepper"))
		mac.Write([]byte("tok-1"))
		if want := "hmac-sha256:" + hex.EncodeToString(mac.Sum(nil)); attrs["token"] != want {
			t.Errorf("token = %v, want %v", attrs["token"], want)
		}
	})
	t.Run("extra keys", func(t *testing.T) {
		logger, rec := newLogger(t, &auditlog.Options{Redaction: &auditlog.Redaction{Keys: []string{"SSN"}}})
		logger.Info("x", "user_ssn", "123", "token", "t")
		attrs := rec.Last()["attrs"].(map[string]any)
		if attrs["user_ssn"] != auditlog.Masked || attrs["token"] != auditlog.Masked {
			t.Errorf("attrs = %v", attrs)
		}
	})
	t.Run("off", func(t *testing.T) {
		logger, rec := newLogger(t, &auditlog.Options{Redaction: &auditlog.Redaction{Mode: auditlog.RedactOff}})
		logger.Info("x", "token", "visible")
		if rec.Last()["attrs"].(map[string]any)["token"] != "visible" {
			t.Errorf("RedactOff still redacted")
		}
	})
}

func TestWithAttrsSetLineKeys(t *testing.T) {
	logger, rec := newLogger(t, nil)
	l := logger.With(auditlog.Target{Type: "server", ID: "s1"}.Attr(), "component", "api")
	l.Info("one", auditlog.Action("reboot"))
	m := rec.Last()
	if m["action"] != "reboot" || m["target"].(map[string]any)["id"] != "s1" || m["attrs"].(map[string]any)["component"] != "api" {
		t.Errorf("line = %v", m)
	}
	// Inside a group, line keys are ordinary attributes.
	l.WithGroup("g").Info("two", auditlog.Action("x"))
	m = rec.Last()
	if _, ok := m["action"]; ok {
		t.Errorf("action escaped the group: %v", m)
	}
	if m["attrs"].(map[string]any)["g"].(map[string]any)["action"] != "x" {
		t.Errorf("grouped action lost: %v", m)
	}
}

func TestDuplicateKeysWrittenOnce(t *testing.T) {
	logger, rec := newLogger(t, nil)
	logger.With("a", 1).Info("x", "a", 2, "b", 1, "b", 3)
	attrs := rec.Last()["attrs"].(map[string]any)
	if attrs["a"] != json.Number("2") || attrs["b"] != json.Number("3") {
		t.Errorf("attrs = %v (the last value should win)", attrs)
	}
	if strings.Count(rec.String(), `"b"`) != 1 {
		t.Errorf("key written twice: %s", rec.String())
	}
}

func TestSwitches(t *testing.T) {
	sw := auditlog.AllSwitches()
	fs := pflag.NewFlagSet("svc", pflag.ContinueOnError)
	sw.RegisterFlags(fs)
	if err := fs.Parse([]string{"--no-request-logging", "--db-performance-logging=false", "--no-exception-logging", "--exception-logging"}); err != nil {
		t.Fatal(err)
	}
	if sw.Request || !sw.RPC || sw.DB || !sw.Exception {
		t.Fatalf("switches after flags = %+v", sw)
	}
	logger, rec := newLogger(t, &auditlog.Options{Switches: &sw})
	h := logger.Handler().(*auditlog.Handler)
	ctx := context.Background()
	for _, k := range []auditlog.Kind{auditlog.KindLog, auditlog.KindRequest, auditlog.KindRPC, auditlog.KindDB, auditlog.KindException, auditlog.KindLifecycle} {
		if err := h.LogEvent(ctx, &auditlog.Event{Kind: k, Message: k.String()}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range rec.Maps() {
		got = append(got, m["message"].(string))
	}
	if strings.Join(got, ",") != "log,rpc,exception,lifecycle" {
		t.Errorf("written kinds = %v", got)
	}
	if h.Switches() != sw {
		t.Errorf("Switches() = %+v", h.Switches())
	}
	usage := fs.FlagUsages()
	if !strings.Contains(usage, "--rpc-performance-logging") || !strings.Contains(usage, "--no-rpc-performance-logging to turn off") {
		t.Errorf("usage:\n%s", usage)
	}
	if strings.Contains(usage, "turn off --") {
		t.Errorf("the --no- forms are not hidden:\n%s", usage)
	}
}

// TestSwitchesStdFlag: the standard library's flag package registers the
// same pairs.
func TestSwitchesStdFlag(t *testing.T) {
	sw := auditlog.AllSwitches()
	fs := flag.NewFlagSet("svc", flag.ContinueOnError)
	sw.RegisterFlags(fs)
	if err := fs.Parse([]string{"-no-request-logging", "--rpc-performance-logging=false", "-no-db-performance-logging=false"}); err != nil {
		t.Fatal(err)
	}
	if sw.Request || sw.RPC || !sw.DB || !sw.Exception {
		t.Fatalf("switches after flags = %+v", sw)
	}
	if err := fs.Parse([]string{"-no-exception-logging=maybe"}); err == nil {
		t.Error("a bad value was taken")
	}
}

func TestTruncation(t *testing.T) {
	logger, rec := newLogger(t, &auditlog.Options{MaxLineBytes: 4096})
	big := strings.Repeat("é", 50_000)
	logger.Error("long "+big, "blob", big, "err", errors.New(big))
	line := rec.Lines()[0]
	if len(line) > 4096 {
		t.Errorf("line is %d bytes, over the 4096 limit", len(line))
	}
	m := rec.Last()
	if m["truncated"] != true || !strings.Contains(m["message"].(string), "truncated") {
		t.Errorf("line does not say it was truncated: %.300s", line)
	}
	// Many attributes, each small: the last resort drops attrs, still valid.
	var args []any
	for i := range 2000 {
		args = append(args, fmt.Sprintf("key%04d", i), strings.Repeat("v", 40))
	}
	logger.Info("many", args...)
	if n := len(rec.Lines()[1]); n > 4096 {
		t.Errorf("line is %d bytes", n)
	}
	if rec.Last()["truncated"] != true {
		t.Errorf("not marked truncated")
	}
	// A line under the limit is untouched.
	logger.Info("short")
	if _, ok := rec.Last()["truncated"]; ok {
		t.Errorf("short line marked truncated")
	}
}

func TestValues(t *testing.T) {
	logger, rec := newLogger(t, nil)
	logger.Info("x",
		"nan", math.NaN(), "inf", math.Inf(1), "ninf", math.Inf(-1), "f", 1.5, "tiny", 1e-9,
		"u", uint64(math.MaxUint64), "d", 1500*time.Millisecond, "t", fixedTime, "b", true,
		"nil", nil, "strs", []string{"a", "b"}, "bytes", []byte("hi"),
		"ctl", "a\x00b\u2028c\x1f", "bad", "\xff\xfe", "ch", make(chan int),
	)
	a := rec.Last()["attrs"].(map[string]any)
	checks := map[string]any{
		"nan": "NaN", "inf": "+Inf", "ninf": "-Inf", "f": json.Number("1.5"), "tiny": json.Number("1e-09"),
		"u": json.Number("18446744073709551615"), "d": "1.5s", "t": "2026-11-23T09:30:00.123456Z", "b": true,
		"nil": nil, "bytes": "aGk=", "ctl": "a\x00b\u2028c\x1f", "bad": "\ufffd\ufffd",
	}
	for k, want := range checks {
		if a[k] != want {
			t.Errorf("attrs.%s = %#v, want %#v", k, a[k], want)
		}
	}
	if !strings.Contains(rec.String(), `\u2028`) {
		t.Errorf("U+2028 not escaped: %s", rec.String())
	}
}

// notSafeWriter fails the test if two Writes overlap.
type notSafeWriter struct {
	t      *testing.T
	busy   atomic.Bool
	buf    bytes.Buffer
	writes int
}

func (w *notSafeWriter) Write(p []byte) (int, error) {
	if !w.busy.CompareAndSwap(false, true) {
		w.t.Errorf("concurrent Write calls")
	}
	defer w.busy.Store(false)
	w.writes++
	return w.buf.Write(p)
}

func TestConcurrentLinesNeverInterleave(t *testing.T) {
	const goroutines, perG = 16, 500
	w := &notSafeWriter{t: t}
	h := auditlog.NewHandler(w, &auditlog.Options{Sequence: new(auditlog.Sequence), Service: "race"})
	logger := slog.New(h)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			ctx := auditlog.WithRequestID(context.Background(), fmt.Sprintf("req-%d", g))
			for i := range perG {
				if i%2 == 0 {
					logger.InfoContext(ctx, "slog line", "g", g, "i", i, "pad", strings.Repeat("x", i))
				} else {
					_ = h.LogEvent(ctx, &auditlog.Event{Kind: auditlog.KindRPC, Message: "event", Duration: time.Duration(i),
						Attrs: []slog.Attr{slog.Int("g", g), slog.Int("i", i)}})
				}
			}
		})
	}
	wg.Wait()
	lines := bytes.Split(bytes.TrimSuffix(w.buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != goroutines*perG || w.writes != goroutines*perG {
		t.Fatalf("lines = %d, writes = %d, want %d", len(lines), w.writes, goroutines*perG)
	}
	seen := make(map[float64]bool)
	next := make(map[float64]float64)
	for _, line := range lines {
		if err := schema.Validate(append(line, '\n')); err != nil {
			t.Fatalf("bad line: %v", err)
		}
		var m struct {
			Seq   float64
			Attrs struct{ G, I float64 }
		}
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		if seen[m.Seq] {
			t.Errorf("seq %v twice", m.Seq)
		}
		seen[m.Seq] = true
		if m.Attrs.I != next[m.Attrs.G] {
			t.Errorf("goroutine %v: line %v out of order or missing (want %v)", m.Attrs.G, m.Attrs.I, next[m.Attrs.G])
		}
		next[m.Attrs.G] = m.Attrs.I + 1
	}
	for i := 1; i <= goroutines*perG; i++ {
		if !seen[float64(i)] {
			t.Errorf("seq %d missing", i)
		}
	}
}

func TestLogEventAllocatesNothing(t *testing.T) {
	h := auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "nova-api"})
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: "req-1", User: auditlog.User{ID: "u"}})
	allocs := testing.AllocsPerRun(1000, func() {
		ev := benchEvent() // built per call, as a middleware would: must stay on the stack
		if err := h.LogEvent(ctx, &ev); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("LogEvent allocates %v times per line, want 0", allocs)
	}
}

func benchEvent() auditlog.Event {
	return auditlog.Event{
		Level: slog.LevelInfo, Kind: auditlog.KindRequest, Message: "POST /v2.1/servers/action",
		Action: "pause", Target: auditlog.Target{Type: "server", ID: "5f1e0b9c-2c4a-4d0e-9a53-1c0c7f9b6a10"},
		RPC:    auditlog.RPC{System: "http", Method: "POST", Route: "/v2.1/servers/{id}/action", ResponseBytes: auditlog.Int(0)},
		Status: auditlog.Int(202), Outcome: auditlog.OutcomeSuccess, Duration: 12345 * time.Microsecond,
	}
}

func TestLogEventNil(t *testing.T) {
	h := auditlog.NewHandler(io.Discard, nil)
	if err := h.LogEvent(context.Background(), nil); !errors.Is(err, auditlog.ErrNilEvent) {
		t.Errorf("err = %v", err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriteErrorReachesCaller(t *testing.T) {
	boom := errors.New("disk full")
	h := auditlog.NewHandler(failingWriter{boom}, nil)
	if err := h.LogEvent(context.Background(), &auditlog.Event{Message: "x"}); !errors.Is(err, boom) {
		t.Errorf("LogEvent err = %v", err)
	}
	var r slog.Record
	r.Message = "x"
	if err := h.Handle(context.Background(), r); !errors.Is(err, boom) {
		t.Errorf("Handle err = %v", err)
	}
}

func TestReplaceAttr(t *testing.T) {
	var groupsSeen []string
	logger, rec := newLogger(t, &auditlog.Options{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == "drop" {
			return slog.Attr{}
		}
		if a.Key == "inner" {
			groupsSeen = append(groupsSeen, strings.Join(groups, "."))
		}
		if a.Key == "rename" {
			a.Key = "token" // renamed into a sensitive key: still redacted
		}
		return a
	}})
	logger.Info("x", "drop", 1, "rename", "secret-value", slog.Group("g", slog.Int("inner", 1)))
	attrs := rec.Last()["attrs"].(map[string]any)
	if _, ok := attrs["drop"]; ok || attrs["token"] != auditlog.Masked {
		t.Errorf("attrs = %v", attrs)
	}
	if strings.Join(groupsSeen, "|") != "g" {
		t.Errorf("groups seen = %v", groupsSeen)
	}
}

func TestKeyConstantsNeedNoEscaping(t *testing.T) {
	// appendKey writes constant keys without escaping them; this is what
	// makes that safe.
	keys := append([]string(nil), auditlog.TopLevelKeys()...)
	for _, nested := range auditlog.NestedKeys() {
		keys = append(keys, nested...)
	}
	for _, k := range keys {
		for _, c := range []byte(k) {
			if !(c >= 'a' && c <= 'z' || c == '_') {
				t.Errorf("key %q has %q: appendKey would need to escape it", k, c)
			}
		}
	}
}

func TestNewContextKeepsParent(t *testing.T) {
	type k struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), k{}, "v"))
	ctx := auditlog.NewContext(parent, auditlog.Request{ID: "req-1"})
	if ctx.Value(k{}) != "v" {
		t.Errorf("parent value lost")
	}
	cancel()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("cancellation not passed on: %v", ctx.Err())
	}
	inner := auditlog.NewContext(ctx, auditlog.Request{ID: "req-2"})
	if r, _ := auditlog.FromContext(inner); r.ID != "req-2" {
		t.Errorf("inner request = %q", r.ID)
	}
}

func TestAttachment(t *testing.T) {
	type perRequest struct {
		_ int // what a middleware keeps per request besides
		auditlog.Attachment
	}
	pr := &perRequest{}
	ctx := pr.Attach(context.Background(), auditlog.Request{ID: "req-att"})
	if r, ok := auditlog.FromContext(ctx); !ok || r.ID != "req-att" {
		t.Errorf("FromContext = %+v, %v", r, ok)
	}
	// The per-request object is the middleware's; attaching into it adds
	// no allocation.
	allocs := testing.AllocsPerRun(100, func() {
		_ = pr.Attach(context.Background(), auditlog.Request{ID: "x"})
	})
	if allocs != 0 {
		t.Errorf("Attach allocates %v times", allocs)
	}
}

func TestKeysThatWouldCollideWhenWritten(t *testing.T) {
	logger, rec := newLogger(t, &auditlog.Options{MaxLineBytes: 4096})
	// Different invalid bytes are all written as U+FFFD; found by FuzzEncoder.
	logger.Info("x", "\xff", 1, "\xfe", 2)
	// Long keys alike up to where values would be cut.
	long := strings.Repeat("k", 3000)
	logger.Info("y", long+"1", 1, long+"2", 2)
	if rec.Len() != 2 {
		t.Fatalf("%d lines", rec.Len())
	}
	// The recorder has validated both lines (no key twice); the first keeps
	// one of the two values rather than writing the key twice.
	if attrs := rec.Maps()[0]["attrs"].(map[string]any); len(attrs) != 1 {
		t.Errorf("attrs = %v", attrs)
	}
}
