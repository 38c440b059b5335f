package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// BenchmarkRun measures the whole command on a file of the bench lines
// repeated: reading, expanding and writing (to io.Discard).
func BenchmarkRun(b *testing.B) {
	lines := benchLines(b)
	var data []byte
	for len(data) < 8<<20 {
		for _, l := range lines {
			data = append(data, l...)
			data = append(data, '\n')
		}
	}
	name := b.TempDir() + "/lines.jsonl"
	if err := os.WriteFile(name, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c := &config{Names: []string{name}}
		c.Input.MaxLine = 64 << 20
		if err := expand(context.Background(), cli.IO{Out: io.Discard, Err: io.Discard}, c); err != nil {
			b.Fatal(err)
		}
	}
}

// benchLines are the lines of tools/logexpand's bench file (200 audit lines
// as bench/cmd/genlines writes them), or of $AUDITLOG_BENCH_FILE when it is
// set, as the package's own benchmarks read them.
func benchLines(b *testing.B) [][]byte {
	name := os.Getenv("AUDITLOG_BENCH_FILE")
	if name == "" {
		name = "../../tools/logexpand/testdata/bench/lines.jsonl"
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}
