package logexpand

import (
	"bytes"
	"os"
	"testing"
)

// benchLines are 200 audit lines as bench/cmd/genlines writes them (every
// 4999th of `genlines -n 1000000 -seed 1`: requests, RPC and DB calls,
// exceptions with stack traces, plain log lines; 350 bytes on average), or
// the lines of $AUDITLOG_BENCH_FILE when it is set.
func benchLines(b *testing.B) [][]byte {
	name := os.Getenv("AUDITLOG_BENCH_FILE")
	if name == "" {
		name = "testdata/bench/lines.jsonl"
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

func benchExpand(b *testing.B, opts Options) { benchExpander(b, opts, false) }

func benchExpander(b *testing.B, opts Options, treeOnly bool) {
	lines := benchLines(b)
	x, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	x.noStream = treeOnly
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	out := make([]byte, 0, 1<<20)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			out = x.Append(out[:0], nil, l)
		}
	}
}

// BenchmarkExpand measures the default expansion: bytes are input bytes.
func BenchmarkExpand(b *testing.B) { benchExpand(b, Options{}) }

// BenchmarkExpandTreeOnly is BenchmarkExpand with the fast path off, every
// line parsed into a tree and rendered from it: the measure of what the
// second renderer (stream.go) is worth, which is why it is kept.
func BenchmarkExpandTreeOnly(b *testing.B) { benchExpander(b, Options{}, true) }

// BenchmarkFlatten measures --flatten.
func BenchmarkFlatten(b *testing.B) { benchExpand(b, Options{Flatten: true}) }

// BenchmarkUnflatten measures --unflatten on the flattened bench lines.
func BenchmarkUnflatten(b *testing.B) {
	lines := benchLines(b)
	x, _ := New(Options{Flatten: true, ShowSecrets: true})
	var flat []byte
	for _, l := range lines {
		flat = x.Append(flat, nil, l)
	}
	b.SetBytes(int64(len(flat)))
	b.ReportAllocs()
	for b.Loop() {
		Unflatten(flat)
	}
}
