package report

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkPerf reads a file and reports perf on it, as `log-report perf`
// does: the fixture by default, or the file named by
// AUDITLOG_REPORT_BENCH_FILE (bench/report.sh's 1M-line file) for a
// profile of the real run (go test -run - -bench Perf -cpuprofile …).
func BenchmarkPerf(b *testing.B) {
	name := os.Getenv("AUDITLOG_REPORT_BENCH_FILE")
	if name == "" {
		f, err := os.Open(fixturePath)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			b.Fatal(err)
		}
		name = filepath.Join(b.TempDir(), "fixture.jsonl")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(name)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		a, _ := New("perf", Options{Top: 50})
		rd := NewReader(ReadOptions{})
		if err := rd.ReadFiles(context.Background(), []string{name}, a.Add); err != nil {
			b.Fatal(err)
		}
		if rep := a.Report(); len(rep.Sections) == 0 || rd.Stats().Records == 0 {
			b.Fatal("no report")
		}
	}
}
