package logline

import "testing"

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
