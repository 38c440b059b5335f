package oslolog

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/auditlog-go/auditlog/internal/osdata"
)

// benchFile is the 83 MB nova-api log of an OSP7 controller: 612,511 lines,
// 95.6% of them traceback lines of an error loop, so it exercises both the
// record path and the joining of tracebacks.
const benchFile = "os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-api.log-20151113.gz"

var bench struct {
	once  sync.Once
	lines [][]byte
	size  int64
	err   error
}

// benchLines decompresses benchFile once per test binary.
func benchLines(b *testing.B) ([][]byte, int64) {
	bench.once.Do(func() {
		f, err := os.Open(osdata.Path(b, benchFile))
		if err != nil {
			bench.err = err
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			bench.err = err
			return
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			bench.err = err
			return
		}
		bench.size = int64(len(data))
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				i = len(data)
			}
			bench.lines = append(bench.lines, data[:i])
			data = data[min(i+1, len(data)):]
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.lines, bench.size
}

func BenchmarkParseLine(b *testing.B) {
	lines, size := benchLines(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			ParseLine(l, nil)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(lines)), "ns/line")
}

func BenchmarkGrouper(b *testing.B) {
	lines, size := benchLines(b)
	for _, bc := range []struct {
		name string
		opts *GrouperOptions
	}{
		{"keep", nil}, // the defaults: Extra kept
		{"noextra", &GrouperOptions{MaxExtraLines: -1}}, // first lines only
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				g := NewGrouper(bc.opts)
				for i, l := range lines {
					g.Add("nova-api.log", int64(i+1), l)
				}
				g.Flush()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(lines)), "ns/line")
		})
	}
}
