package logformat

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/input"
)

const benchLine = `{"action":"pause","context":{"global_request_id":"req-9b1c","remote_addr":"10.0.0.7:51234","request_id":"req-0b9c6f1e-4d2a-4c8e-9f3b-7a5d1e2c4b6a"},"duration_ms":12.345,"kind":"request","level":"INFO","message":"POST /v2.1/servers/3f2a/action","outcome":"success","rpc":{"method":"POST","route":"/v2.1/servers/{id}/action","system":"http"},"schema_version":1,"seq":7,"service":"nova-api","status":202,"target":{"id":"3f2a","type":"server"},"timestamp":"2026-11-27T07:38:55.123456Z","user":{"id":"9a1f","project_id":"p-42"}}`

func benchFormat(b *testing.B, o Options) {
	f, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	l := &input.Line{Source: "-", Num: 1, Text: []byte(benchLine)}
	buf := make([]byte, 0, 1024)
	b.SetBytes(int64(len(benchLine) + 1))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = f.Append(buf[:0], l)
	}
}

// BenchmarkTemplate is one line through the speed benchmark's template.
func BenchmarkTemplate(b *testing.B) {
	benchFormat(b, Options{Missing: "-", Format: "%(timestamp)s %(level)s %(service)s %(context.request_id)s %(user.id)s %(action)s %(target.id)s %(status)s %(duration_ms)s %(message)s"})
}

// BenchmarkSummary is one line through the default summary.
func BenchmarkSummary(b *testing.B) { benchFormat(b, Options{Missing: "-"}) }

// BenchmarkFilter is one line through a template and three filters.
func BenchmarkFilter(b *testing.B) {
	benchFormat(b, Options{Missing: "-", Format: "short", Filter: Filter{MinLevel: "INFO", Where: []string{"status>=200", "rpc.route~servers"}}})
}

// benchFile reads the sample lines of a data set of bench/cli.sh (see
// tools/logexpand/testdata/bench: every 4999th line of genlines' million,
// every 1499th of genother's 300,000).
func benchFile(b *testing.B, name string) [][]byte {
	data, err := os.ReadFile("../logexpand/testdata/bench/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

// cliTemplates are bench/cli.sh's templates, by its names for them.
var cliTemplates = map[string]string{
	"full":  "%(timestamp)s %(level)s %(service)s %(context.request_id)s %(user.id)s %(action)s %(target.id)s %(status)s %(duration_ms)s %(message)s",
	"three": "%(timestamp)s %(level)s %(message)s",
	"one":   "%(message)s",
}

// BenchmarkData formats cli.sh's data sets with its templates, line after
// line into one buffer as log-format does; bytes are input bytes.
func BenchmarkData(b *testing.B) {
	for _, ds := range []string{"lines.jsonl", "other.jsonl"} {
		for _, tn := range []string{"full", "three", "one"} {
			b.Run(strings.TrimSuffix(ds, ".jsonl")+"/"+tn, func(b *testing.B) {
				lines := benchFile(b, ds)
				f, err := New(Options{Missing: "-", Format: cliTemplates[tn]})
				if err != nil {
					b.Fatal(err)
				}
				size := 0
				for _, l := range lines {
					size += len(l) + 1
				}
				l := &input.Line{Source: "-", Num: 1}
				buf := make([]byte, 0, 1<<20)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					buf = buf[:0]
					for _, text := range lines {
						l.Text = text
						buf, _ = f.Append(buf, l)
					}
				}
			})
		}
	}
}
