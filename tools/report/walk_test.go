package report

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// walkAgrees checks walkJSON against logline's Extract on one line: when
// the walk reads it, Extract does too and gives the same slots. walked and
// ex are reused from line to line, as a worker does.
func walkAgrees(t *testing.T, line []byte, walked, ex *slots) {
	t.Helper()
	want := make([][]byte, js.f.Len())
	walkedOK, extractOK := walkJSON(line, walked), js.f.Extract(line, want)
	if walkedOK && !extractOK {
		t.Fatalf("%q: the walk read it, Extract did not", line)
	}
	if !extractOK {
		return
	}
	// Extract's values as slots, for the lines the walk leaves to it.
	if !ex.extract(line) {
		t.Fatalf("%q: Extract read it, slots.extract did not", line)
	}
	for s := range want {
		if got := ex.get(s); !bytes.Equal(got, want[s]) || (got == nil) != (want[s] == nil) || (ex.set&(1<<s) != 0) != (want[s] != nil) {
			t.Fatalf("%q: %s = %q from Extract's (bit %v), Extract %q", line, js.f.Path(s), got, ex.set&(1<<s) != 0, want[s])
		}
		if !walkedOK {
			continue // left to Extract
		}
		got := walked.get(s)
		if !bytes.Equal(got, want[s]) || (got == nil) != (want[s] == nil) {
			t.Fatalf("%q: %s = %q, Extract %q", line, js.f.Path(s), got, want[s])
		}
		if (walked.set&(1<<s) != 0) != (got != nil) {
			t.Fatalf("%q: %s = %q, but its bit is %v", line, js.f.Path(s), got, walked.set&(1<<s) != 0)
		}
	}
}

var walkSeeds = []string{
	`{"action":"pause","context":{"remote_addr":"10.0.0.1:5","request_id":"req-1"},"duration_ms":12.5,"kind":"request","level":"INFO","message":"POST /x","outcome":"success","rpc":{"method":"POST","route":"/v2.1/servers/{id}/action","system":"http"},"schema_version":1,"service":"nova-api","status":202,"target":{"id":"s1","type":"server"},"timestamp":"2026-11-23T09:30:00.123456Z","user":{"id":"u1","name":"alice","project_id":"p1"}}`,
	`{"asctime":"2015-10-29 10:52:54,582","levelname":"ERROR","name":"nova.compute.manager","message":"boom","context":{"request_id":"req-9","user":"u9","tenant":"p9"},"extra":{"instance_uuid":"i-1","version":"12.0.0"},"traceback":["a","b"]}`,
	` { "kind" : "log" , "rpc" : { "route" : "/a" } , "rpc" : {"method":"GET"}, "timestamp" : "x" } `,
	`{"a\u0063tion":"x","kind":"log"}`, `{"user":[{"id":"u"}],"kind":"log"}`, `{"user":"u","context":7,"":1,"rpc":{"":2}}`,
	`{"kind":"log",}`, `{"kind" "log"}`, `{"kind":"log"} x`, `{"message":"a\"b\\","status":null,"duration_ms":-1e3}`,
	`{"seq":[1],"user":{"roles":{"id":"x"},"id":"u"},"rpc":{"peer":"x","rows_affected":3,"route":"/r"},"s":1,"seq\"":2}`,
	`{"rpc":{"statement":{"nested":[1,{"x":"}"}]}},"exc_info":true,"levelno":40}`, `{}`, `{"kind":`,
}

func TestWalkAgreesWithExtract(t *testing.T) {
	walked, ex := new(slots), new(slots)
	for _, s := range walkSeeds {
		walkAgrees(t, []byte(s), walked, ex)
	}
	f, err := os.Open(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for line := range bytes.Lines(data) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		walkAgrees(t, line, walked, ex)
		if walkJSON(line, new(slots)) {
			read++
		}
	}
	// The walk is for our lines: it reads them all itself.
	if n := bytes.Count(data, []byte("\n")); read != n {
		t.Errorf("the walk read %d of the fixture's %d lines, want all", read, n)
	}
}

// FuzzWalk: whatever the walk reads, it reads as Extract does.
func FuzzWalk(f *testing.F) {
	for _, s := range walkSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		// After a line of many slots, so that what it set must be cleared.
		walked, ex := new(slots), new(slots)
		walkAgrees(t, []byte(walkSeeds[0]), walked, ex)
		walkAgrees(t, []byte(line), walked, ex)
	})
}

// BenchmarkWalk walks the fixture's lines (b/op is per line), the walk
// against Extract.
func BenchmarkWalk(b *testing.B) {
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
	var lines [][]byte
	for line := range bytes.Lines(data) {
		lines = append(lines, bytes.TrimSuffix(line, []byte("\n")))
	}
	v := make([][]byte, js.f.Len())
	var sv slots
	for _, w := range []struct {
		name string
		fn   func([]byte, [][]byte) bool
	}{{"walk", func(l []byte, _ [][]byte) bool { return walkJSON(l, &sv) }}, {"Extract", js.f.Extract}} {
		b.Run(w.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if !w.fn(lines[i%len(lines)], v) {
					b.Fatal("not walked")
				}
			}
		})
	}
}
