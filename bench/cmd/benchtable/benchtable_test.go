package main

import (
	"bytes"
	"strings"
	"testing"
)

// sample is go test -bench output with three counts, trimmed to what the
// checks need; the ratios are chosen so that some checks pass and some fail.
const sample = `goos: linux
goarch: amd64
pkg: github.com/auditlog-go/auditlog/bench
cpu: AMD EPYC
BenchmarkLine/serial/auditlog-typed-2    1000   300.0 ns/op   1480.00 MB/s   0 B/op   0 allocs/op
BenchmarkLine/serial/auditlog-typed-2    1000   900.0 ns/op    490.00 MB/s   0 B/op   0 allocs/op
BenchmarkLine/serial/auditlog-typed-2    1000   350.0 ns/op   1270.00 MB/s   0 B/op   0 allocs/op
BenchmarkLine/serial/auditlog-slog-2     1000   600.0 ns/op    700.00 MB/s  48 B/op   1 allocs/op
BenchmarkLine/serial/zerolog-2           1000   500.0 ns/op    800.00 MB/s   0 B/op   0 allocs/op
BenchmarkLine/serial/slog-json-2         1000  1000.0 ns/op    400.00 MB/s 900 B/op  10 allocs/op
BenchmarkLine/serial/auditlog-plain-2    1000   640.0 ns/op    700.00 MB/s 528 B/op   9 allocs/op
BenchmarkLine/serial/slog-json-plain-2   1000  1600.0 ns/op    260.00 MB/s 1424 B/op 18 allocs/op
BenchmarkLine/serial/auditlog-with-2     1000   600.0 ns/op    760.00 MB/s 224 B/op   6 allocs/op
BenchmarkLine/serial/slog-json-with-2    1000  1000.0 ns/op    417.00 MB/s 1120 B/op 14 allocs/op
BenchmarkSlogFloor/plain-2               1000   450.0 ns/op    528 B/op   9 allocs/op
BenchmarkSlogFloor/with-2                1000   250.0 ns/op    224 B/op   4 allocs/op
BenchmarkAttachContext/new-context-2     1000    80.0 ns/op    208 B/op   2 allocs/op
BenchmarkAttachContext/new-context-2     1000   120.0 ns/op    208 B/op   2 allocs/op
PASS
ok  	github.com/auditlog-go/auditlog/bench	3.178s
`

func runSample(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(sample), &stdout, &stderr)
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	return code, stdout.String()
}

func TestMedians(t *testing.T) {
	r := newResults()
	if err := r.parse(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, unit string
		want       float64
	}{
		{"Line/serial/auditlog-typed", "ns/op", 350}, // odd count: the middle
		{"AttachContext/new-context", "ns/op", 100},  // even count: the mean of the middle two
		{"Line/serial/slog-json", "allocs/op", 10},
	} {
		if got, ok := r.median(tc.name, tc.unit); !ok || got != tc.want {
			t.Errorf("median(%s, %s) = %v, %v; want %v", tc.name, tc.unit, got, ok, tc.want)
		}
	}
}

func TestChecks(t *testing.T) {
	code, out := runSample(t)
	if code != 0 {
		t.Errorf("exit %d without --strict, want 0", code)
	}
	for _, want := range []string{
		"| Line/serial/auditlog-typed | 3 | 350.0 | 0 | 0 | 1270.0 |",
		"| Line/serial/auditlog-typed ÷ zerolog ns/op | 0.70 | ≤ 0.8 | PASS |",
		"| Line/serial/auditlog-typed allocs/op | 0 | = 0 | PASS |",
		"| Line/serial/auditlog-slog ÷ slog-json ns/op | 0.60 | ≤ 0.5 | FAIL |",
		"| Line/serial/auditlog-slog ÷ zerolog ns/op | 1.20 | ≤ 1.3 | PASS |",
		"| Line/parallel/auditlog-typed ÷ zerolog ns/op | missing | ≤ 0.8 | FAIL |",
		"| AttachContext/new-context ns/op | 100 | ≤ 100 | PASS |",
		// The plain slog calls: against the same call on slog's
		// JSONHandler, against zerolog, and allocations over the floor.
		"| Line/serial/auditlog-plain ÷ slog-json-plain ns/op | 0.40 | ≤ 0.5 | PASS |",
		"| Line/serial/auditlog-plain ÷ zerolog ns/op | 1.28 | ≤ 1.3 | PASS |",
		"| (Line/serial/auditlog-plain − plain) allocs/op | 0 | ≤ 1 | PASS |",
		"| Line/serial/auditlog-with ÷ slog-json-with ns/op | 0.60 | ≤ 0.5 | FAIL |",
		"| (Line/serial/auditlog-with − with) allocs/op | 2 | ≤ 1 | FAIL |",
		"| Line/serial/auditlog-kv ÷ slog-json-kv ns/op | missing | ≤ 0.5 | FAIL |",
		"| SlogFloor/plain ÷ zerolog ns/op | 0.90 | – | info |",
		"27 of 37 checks failed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}

func TestStrict(t *testing.T) {
	if code, _ := runSample(t, "--strict"); code != 1 {
		t.Errorf("exit %d with --strict and failed checks, want 1", code)
	}
}

func TestNoResults(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(nil, strings.NewReader("PASS\n"), &stdout, &stderr); code != 2 {
		t.Errorf("exit %d on input without results, want 2", code)
	}
}

// baseSample has a bare handler and two middlewares over it: auditlog adds
// 300 ns (median of 1300, 1200, 1400 less 1000), slog-access 400.
const baseSample = `BenchmarkHTTP/bare-2          1000  1000 ns/op  10 allocs/op
BenchmarkHTTP/bare-2          1000   900 ns/op  10 allocs/op
BenchmarkHTTP/bare-2          1000  1100 ns/op  10 allocs/op
BenchmarkHTTP/auditlog-2      1000  1300 ns/op  14 allocs/op
BenchmarkHTTP/auditlog-2      1000  1200 ns/op  14 allocs/op
BenchmarkHTTP/auditlog-2      1000  1400 ns/op  14 allocs/op
BenchmarkHTTP/slog-access-2   1000  1400 ns/op  12 allocs/op
BenchmarkHTTP/slow-2          1000   900 ns/op  12 allocs/op
`

func TestBaseCheck(t *testing.T) {
	r := newResults()
	if err := r.parse(strings.NewReader(baseSample)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    check
		want string
		ok   bool
	}{
		// (1300 − 1000) ÷ (1400 − 1000), not 1300 ÷ 1400.
		{check{num: "HTTP/auditlog", den: "HTTP/slog-access", base: "HTTP/bare", unit: "ns/op", max: 1}, "0.75", true},
		{check{num: "HTTP/auditlog", den: "HTTP/slog-access", unit: "ns/op", max: 1}, "0.93", true},
		// Without den, the overhead itself.
		{check{num: "HTTP/auditlog", base: "HTTP/bare", unit: "allocs/op", max: 4}, "4", true},
		// A den no slower than base has no ratio.
		{check{num: "HTTP/auditlog", den: "HTTP/slow", base: "HTTP/bare", unit: "ns/op", max: 1}, "", false},
		{check{num: "HTTP/auditlog", den: "HTTP/slog-access", base: "HTTP/none", unit: "ns/op", max: 1}, "", false},
	} {
		got, ok := tc.c.eval(r)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %q, %v; want %q, %v", tc.c, got, ok, tc.want, tc.ok)
		}
	}
	var out bytes.Buffer
	failed := writeChecks(&out, r, []check{
		{num: "HTTP/auditlog", den: "HTTP/slog-access", base: "HTTP/bare", unit: "ns/op", max: 0.7},
	})
	want := "| (HTTP/auditlog − bare) ÷ (slog-access − bare) ns/op | 0.75 | ≤ 0.7 | FAIL |"
	if failed != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("failed %d, output:\n%s\nwant a line %q", failed, out.String(), want)
	}
}
