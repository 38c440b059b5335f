package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/schema"
)

func gen(t *testing.T, n int, seed uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	st, err := generate(&buf, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	if st.lines != n || st.bytes != int64(buf.Len()) {
		t.Fatalf("stats say %d lines, %d bytes; wrote %d bytes", st.lines, st.bytes, buf.Len())
	}
	return buf.Bytes()
}

func splitLines(b []byte) [][]byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	return lines[:len(lines)-1] // after the last newline: nothing
}

func TestLinesAreValid(t *testing.T) {
	const n = 2000
	lines := splitLines(gen(t, n, 1))
	if len(lines) != n {
		t.Fatalf("got %d lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		if err := schema.Validate(l); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
}

// TestTemplateFields holds every line to what the benchmark's jq template
// needs to agree with log-format: the four keys it prints bare are present,
// and the ones it prints with // "-" are absent or neither false nor "" (jq's
// // treats those as missing; log-format prints "-" only for missing).
func TestTemplateFields(t *testing.T) {
	for i, l := range splitLines(gen(t, 2000, 3)) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		for _, k := range []string{"timestamp", "level", "service", "message"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d: no %s", i+1, k)
			}
		}
		for _, path := range []string{"context.request_id", "user.id", "action", "target.id", "status", "duration_ms"} {
			v, ok := lookup(m, path)
			if ok && (v == false || v == "" || v == nil) {
				t.Errorf("line %d: %s is %#v, which jq's // reads as missing", i+1, path, v)
			}
		}
	}
}

func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for k := range strings.SplitSeq(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TestMix checks that a small file already holds each kind of line the
// benchmark is meant to exercise.
func TestMix(t *testing.T) {
	out := string(gen(t, 5000, 1))
	for _, want := range []string{
		`"route":"/v2.1/servers/{id}/action"`,
		`"route":"/v2.1/servers"`,
		`"method":"DELETE"`,
		`"system":"grpc"`,
		`"statement":"INSERT INTO instances`,
		`"level":"WARNING"`,
		`"level":"ERROR"`,
		`"stacktrace":"`,
		`"body":"{\"server\": {`,
		`'admin_state_up': True`,
		`"request_id":"req-`,
		`"service":"glance-api"`,
		`"service":"neutron-server"`,
		`测试服务器`,
		`\"compute_resources\"`,
		`\n\tconnection reset`,
		`C:\\Program Files`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no line contains %s", want)
		}
	}
	avg := float64(len(out)) / 5000
	if avg < 300 || avg > 400 {
		t.Errorf("average line is %.0f bytes, want about 340", avg)
	}
}

func TestDeterministic(t *testing.T) {
	a, b := gen(t, 2000, 7), gen(t, 2000, 7)
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different bytes")
	}
	if bytes.Equal(a, gen(t, 2000, 8)) {
		t.Fatal("different seeds gave the same bytes")
	}
	// A shorter run is a prefix of a longer one: -n only says where to stop.
	if short := gen(t, 500, 7); !bytes.HasPrefix(a, short) {
		t.Fatal("-n 500 is not a prefix of -n 2000")
	}
}

func TestRun(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-n", "10", "-seed", "1"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := bytes.Count(stdout.Bytes(), []byte("\n")); got != 10 {
		t.Errorf("wrote %d lines, want 10", got)
	}
	if !strings.Contains(stderr.String(), "genlines: 10 lines") {
		t.Errorf("summary missing: %q", stderr.String())
	}
	if code := run([]string{"-seed", "x"}, &stdout, &stderr); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}
