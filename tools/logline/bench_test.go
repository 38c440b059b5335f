package logline

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkExtract walks one of our request lines for the fields of the
// speed benchmark's template (bench/cli.sh), with their aliases.
func BenchmarkExtract(b *testing.B) {
	f := NewFields()
	for _, p := range []string{"timestamp", "level", "service", "context.request_id", "user.id",
		"action", "target.id", "status", "duration_ms", "message"} {
		f.AddLookup(p, true)
	}
	line := []byte(ours)
	out := make([][]byte, f.Len())
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if !f.Extract(line, out) {
			b.Fatal("not extracted")
		}
	}
}

func BenchmarkAppendText(b *testing.B) {
	v := []byte(`"POST /v2.1/servers/3f2a/action with a \"quoted\" word and é"`)
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(v)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendText(buf[:0], v, false)
	}
}

// BenchmarkExtractData walks the sample lines of bench/cli.sh's two data
// sets (tools/logexpand/testdata/bench) for its short templates' keys,
// with their aliases: the timestamp, level and message, or the message
// alone; bytes are input bytes.
func BenchmarkExtractData(b *testing.B) {
	for _, ds := range []string{"lines", "other"} {
		data, err := os.ReadFile("../logexpand/testdata/bench/" + ds + ".jsonl")
		if err != nil {
			b.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		for name, keys := range map[string][]string{"three": {"timestamp", "level", "message"}, "one": {"message"}} {
			b.Run(ds+"/"+name, func(b *testing.B) {
				f := NewFields()
				for _, k := range keys {
					f.AddLookup(k, true)
				}
				out := make([][]byte, f.Len())
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					for _, l := range lines {
						if !f.Extract(l, out) {
							b.Fatal("not extracted")
						}
					}
				}
			})
		}
	}
}
