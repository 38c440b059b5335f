package auditlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/schema"
)

// lineCatcher keeps every Write and fails on a Write that is not one line.
type lineCatcher struct {
	t     *testing.T
	lines [][]byte
}

func (c *lineCatcher) Write(p []byte) (int, error) {
	c.lines = append(c.lines, append([]byte(nil), p...))
	return len(p), nil
}

type fuzzValuer struct{ s string }

func (v fuzzValuer) LogValue() slog.Value {
	if strings.HasPrefix(v.s, "p") {
		panic(v.s)
	}
	return slog.GroupValue(slog.String(v.s, v.s), slog.String("password", v.s))
}

type fuzzStringer struct{ s string }

func (v fuzzStringer) String() string {
	if strings.HasPrefix(v.s, "p") {
		panic(v.s)
	}
	return v.s
}

// FuzzEncoder feeds arbitrary strings, numbers and misbehaving values through
// every way a value reaches a line. Whatever comes in, exactly one Write of
// one valid line must come out, and the message must survive intact (as
// valid UTF-8) unless the line says it was truncated.
func FuzzEncoder(f *testing.F) {
	f.Add("hello", "key", "value", 1.5, int64(7), []byte("raw"))
	f.Add("line1\nline2\r\n{\"forged\":true}", "k\n", "\u2028\u2029", math.NaN(), int64(-1), []byte{0xff, 0xfe, 0})
	f.Add(strings.Repeat("x", 9000), "", "", math.Inf(1), int64(math.MinInt64), []byte(nil))
	f.Add("\x00\x01\x1f\x7f\"\\", "password", "hunter2", math.Inf(-1), int64(0), []byte("\xed\xa0\x80"))
	f.Add("p-panic", "p", "panic", math.Copysign(0, -1), int64(1), []byte("{}")) // negative zero: the literal -0.0 is plain 0
	f.Fuzz(func(t *testing.T, msg, key, val string, fl float64, n int64, raw []byte) {
		c := &lineCatcher{t: t}
		h := auditlog.NewHandler(c, &auditlog.Options{Service: val, MaxLineBytes: 8192})
		logger := slog.New(h).With(key, val).WithGroup(key)
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: val, User: auditlog.User{Name: key, Roles: []string{val}}})
		logger.ErrorContext(ctx, msg,
			key, val,
			"f", fl,
			"n", n,
			"raw", raw,
			"rawstr", string(raw),
			"valuer", fuzzValuer{val},
			"stringer", fuzzStringer{val},
			"any", map[string]any{key: val, "nested": []any{fl, val, nil}},
			"err", errors.New(val),
			slog.Group(val, slog.String(key, msg)),
		)
		_ = h.LogEvent(ctx, &auditlog.Event{Message: msg, Action: val, Target: auditlog.Target{ID: key},
			RPC: auditlog.RPC{Statement: val}, Attrs: []slog.Attr{slog.String(key, val)}})
		if len(c.lines) != 2 {
			t.Fatalf("%d writes, want 2", len(c.lines))
		}
		for _, line := range c.lines {
			if len(line) > 8192 {
				t.Errorf("line of %d bytes over the limit", len(line))
			}
			if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
				t.Fatalf("not exactly one line: %q", line)
			}
			if err := schema.Validate(line); err != nil {
				t.Fatalf("invalid line: %v\n%q", err, line)
			}
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatal(err)
			}
			if m["truncated"] == true {
				continue
			}
			if want := strings.ToValidUTF8(msg, "\uFFFD"); m["message"] != want && utf8.ValidString(msg) {
				t.Errorf("message changed: got %q, want %q", m["message"], want)
			}
		}
	})
}
