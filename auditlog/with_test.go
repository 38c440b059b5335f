package auditlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// The With attributes are encoded once, at With time, and copied into each
// line; these tests hold that path to what the record path writes, and above
// all to redaction: a credential fixed with With must never reach a line,
// however deep it sits and whichever way the line is built.

// secrets are the values TestWithRedaction hides, under sensitive keys at
// every depth: With at the top, in a With group value, after WithGroup,
// inside a LogValuer, under a sensitive WithGroup name, and in the record.
var secrets = []string{"hunter2", "pw-2", "k-3", "tok-4", "k-123", "s-5", "tok-6", "s-7"}

// logSecrets writes two lines: the record's attributes inside a group under
// a sensitive name (redacted whole), then beside the With groups. note is a
// With value that can make the lines too long.
func logSecrets(logger *slog.Logger, note string) {
	req := logger.With(
		"password", "hunter2",
		slog.Group("db", slog.String("dsn_password", "pw-2"), slog.Group("deep", slog.String("api_key", "k-3"), slog.String("host", "db1"))),
		"component", "api",
		"note", note,
	).WithGroup("req").With(
		"X-Auth-Token", "tok-4",
		"valuer", secretValuer{},
	)
	req.WithGroup("credentials").With("user", "s-5").Info("x", "token", "tok-6", slog.Group("g", "secret", "s-7", "path", "/v2"))
	req.Info("x", "token", "tok-6", slog.Group("g", "secret", "s-7", "path", "/v2"))
}

func TestWithRedaction(t *testing.T) {
	salt := []byte("pepper")
	for _, tc := range []struct {
		name string
		r    *auditlog.Redaction
		// check looks at the decoded attrs of the two lines.
		check func(t *testing.T, a1, a2 map[string]any)
	}{
		{"mask", nil, func(t *testing.T, a1, a2 map[string]any) {
			for _, v := range []any{a1["password"], dig(a1, "db", "dsn_password"), dig(a1, "db", "deep", "api_key"),
				dig(a1, "req", "X-Auth-Token"), dig(a1, "req", "valuer", "api_key"), dig(a1, "req", "credentials"),
				dig(a2, "req", "token"), dig(a2, "req", "g", "secret")} {
				if v != auditlog.Masked {
					t.Errorf("a secret is %#v, want %q", v, auditlog.Masked)
				}
			}
		}},
		{"drop", &auditlog.Redaction{Mode: auditlog.RedactDrop}, func(t *testing.T, a1, a2 map[string]any) {
			for _, v := range []any{a1["password"], dig(a1, "req", "X-Auth-Token"), dig(a1, "req", "credentials"),
				dig(a2, "req", "token"), dig(a2, "req", "g", "secret")} {
				if v != nil {
					t.Errorf("a secret is %#v, want it dropped", v)
				}
			}
			if dig(a2, "req", "g", "path") != "/v2" {
				t.Errorf("req.g.path lost")
			}
		}},
		{"hash", &auditlog.Redaction{Mode: auditlog.RedactHash, Salt: salt}, func(t *testing.T, a1, a2 map[string]any) {
			r := &auditlog.Redaction{Salt: salt}
			if a1["password"] != r.Hash("hunter2") || dig(a1, "db", "deep", "api_key") != r.Hash("k-3") || dig(a2, "req", "token") != r.Hash("tok-6") {
				t.Errorf("password = %v, api_key = %v, token = %v", a1["password"], dig(a1, "db", "deep", "api_key"), dig(a2, "req", "token"))
			}
			// A group under a sensitive name is hashed whole: the hash of
			// its unredacted JSON, which holds the record's attributes.
			want := r.Hash(`{"g":{"path":"/v2","secret":"s-7"},"token":"tok-6","user":"s-5"}`)
			if got := dig(a1, "req", "credentials"); got != want {
				t.Errorf("credentials = %v, want %v", got, want)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, maxLine := range []int{0, 4096} {
				logger, rec := newLogger(t, &auditlog.Options{Redaction: tc.r, MaxLineBytes: maxLine})
				note := "short"
				if maxLine > 0 {
					// Long enough to make the lines be shortened, which
					// encodes the With attributes afresh.
					note = strings.Repeat("n", 8000)
				}
				logSecrets(logger, note)
				text := rec.String()
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Errorf("MaxLineBytes %d: secret %q reached a line: %.600s", maxLine, s, text)
					}
				}
				lines := rec.Maps()
				var attrs []map[string]any
				for _, m := range lines {
					if maxLine > 0 && m["truncated"] != true {
						t.Fatalf("line was not shortened: %.300s", text)
					}
					a := m["attrs"].(map[string]any)
					if dig(a, "db", "deep", "host") != "db1" || a["component"] != "api" {
						t.Errorf("a non-secret was lost: %.600s", text)
					}
					attrs = append(attrs, a)
				}
				tc.check(t, attrs[0], attrs[1])
			}
		})
	}
}

// dig follows keys through decoded objects.
func dig(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// TestWithMatchesRecord: attributes fixed with With, and groups opened with
// WithGroup, make the same attrs object as the same attributes given on the
// record, values of every kind, duplicates and odd keys included.
func TestWithMatchesRecord(t *testing.T) {
	type point struct{ X, Y int }
	values := []slog.Attr{
		slog.String("s", "v\n\"q\""), slog.Int("i", -3), slog.Uint64("u", 7), slog.Float64("f", 1.5),
		slog.Bool("b", true), slog.Duration("d", 1500*time.Millisecond), slog.Time("t", fixedTime),
		slog.Any("p", point{1, 2}), slog.Any("nil", nil), slog.Any("v", secretValuer{}),
		slog.Group("grp", slog.String("z", "1"), slog.String("a", "2"), slog.Group("empty")),
		slog.Group("", slog.String("inline", "yes")), {}, slog.String("\xffbad", "k"),
		slog.String("dup", "first"), slog.String("api_key", "k"), slog.String("zeta", "last"),
	}
	record := []slog.Attr{slog.String("dup", "second"), slog.String("m", "mid"), slog.Group("grp", slog.String("x", "rec"))}
	line := func(build func(*slog.Logger)) []byte {
		var buf bytes.Buffer
		build(slog.New(auditlog.NewHandler(&buf, &auditlog.Options{Service: "t", Now: func() time.Time { return fixedTime }})))
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, buf.Bytes())
		}
		out, _ := json.Marshal(m["attrs"])
		return out
	}
	for split := 0; split <= len(values); split++ {
		// values[:split] fixed by one With call, the rest by a second.
		first, second := values[:split], values[split:]
		want := line(func(l *slog.Logger) {
			l.LogAttrs(context.Background(), slog.LevelInfo, "x", append(append(append([]slog.Attr(nil), first...), second...), record...)...)
		})
		got := line(func(l *slog.Logger) {
			l.With(attrsAny(first)...).With(attrsAny(second)...).LogAttrs(context.Background(), slog.LevelInfo, "x", record...)
		})
		if !bytes.Equal(got, want) {
			t.Errorf("split %d: With gives\n%s\nthe record gives\n%s", split, got, want)
		}
		wantG := line(func(l *slog.Logger) {
			inner := append(append([]slog.Attr(nil), second...), record...)
			l.LogAttrs(context.Background(), slog.LevelInfo, "x", slog.Group("outer", append(attrsAny(first), slog.Group("inner", attrsAny(inner)...))...))
		})
		gotG := line(func(l *slog.Logger) {
			l.WithGroup("outer").With(attrsAny(first)...).WithGroup("inner").With(attrsAny(second)...).LogAttrs(context.Background(), slog.LevelInfo, "x", record...)
		})
		if !bytes.Equal(gotG, wantG) {
			t.Errorf("split %d, in groups: With gives\n%s\nthe record gives\n%s", split, gotG, wantG)
		}
	}
}

func attrsAny(as []slog.Attr) []any {
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = a
	}
	return out
}

// TestWithReplaceAttrOnce: ReplaceAttr sees a With attribute once, when With
// is called, not on every line, and not twice on a line being shortened
// (a ReplaceAttr that is not idempotent would show it).
func TestWithReplaceAttrOnce(t *testing.T) {
	calls := map[string]int{}
	logger, rec := newLogger(t, &auditlog.Options{MaxLineBytes: 4096, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		calls[strings.Join(append(groups, a.Key), ".")]++
		if a.Key == "tag" {
			a.Value = slog.StringValue("x:" + a.Value.String())
		}
		return a
	}})
	l := logger.With("tag", "t").WithGroup("g").With("tag", "u", slog.Group("sub", "tag", "w"))
	for range 3 {
		l.Info("x")
	}
	l.Info("long", "blob", strings.Repeat("b", 8000))
	for _, k := range []string{"tag", "g.tag", "g.sub.tag"} {
		if calls[k] != 1 {
			t.Errorf("ReplaceAttr saw %s %d times, want 1 (calls: %v)", k, calls[k], calls)
		}
	}
	for i, m := range rec.Maps() {
		a := m["attrs"].(map[string]any)
		if a["tag"] != "x:t" || dig(a, "g", "tag") != "x:u" || dig(a, "g", "sub", "tag") != "x:w" {
			t.Errorf("line %d: attrs = %v", i, a)
		}
	}
	if rec.Last()["truncated"] != true {
		t.Errorf("last line not shortened")
	}
}

// TestSensitiveKeysPastTheCache: the redactor caches its answer for a
// bounded number of keys; keys past the bound are still redacted.
func TestSensitiveKeysPastTheCache(t *testing.T) {
	logger, rec := newLogger(t, nil)
	for i := range 3000 {
		logger.Info("x", fmt.Sprintf("k%d_token", i), "tok", fmt.Sprintf("k%d", i), "plain")
	}
	if strings.Contains(rec.String(), `"tok"`) {
		t.Errorf("a token past the cache reached a line")
	}
	if n := strings.Count(rec.String(), `"plain"`); n != 3000 {
		t.Errorf("%d plain values, want 3000", n)
	}
}

// TestWithAllocs: the With path allocates at With time, not per line.
func TestWithAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts under -race are not the program's")
	}
	h := auditlog.NewHandler(discard{}, &auditlog.Options{Service: "t"})
	l := slog.New(h).With("component", "api", slog.Group("rpc", "method", "GET")).WithGroup("req").With("id", "r1")
	r := slog.NewRecord(fixedTime, slog.LevelInfo, "x", 0)
	r.AddAttrs(slog.String("path", "/v2"), slog.Int("status", 200))
	allocs := testing.AllocsPerRun(1000, func() { _ = l.Handler().Handle(context.Background(), r) })
	if allocs > 0 {
		t.Errorf("Handle on a With handler allocates %v times per line, want 0", allocs)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
