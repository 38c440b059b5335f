package logexpand

import (
	"bytes"
	"os"
	"testing"
)

// TestStreamSkipSameOutput: after a line the fast path could not do, the
// lines that begin with the same key go to the tree; their output must be
// what a fresh Expander (fast path first) writes for each.
func TestStreamSkipSameOutput(t *testing.T) {
	lines := [][]byte{
		[]byte(`{"message":"unsorted","asctime":"2026-12-01 14:00:00,005","context":{"b":1,"a":2}}`),
		[]byte(`{"message":"sorted now","z":{"a":1,"b":[1,2,"x"]}}`),
		[]byte(`{"message":"x","level":"INFO"}`),
		[]byte(`{"other":1}`),
		[]byte(`not json`),
		[]byte(`{"message":"bad",}`),
	}
	for _, name := range []string{"testdata/bench/other.jsonl", "testdata/bench/lines.jsonl"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(bytes.TrimSpace(data), []byte("\n"))...)
	}
	x, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for i, l := range lines {
		if x.skipLeft > 0 && bytes.Equal(firstKey(l), x.skipKey) {
			skipped++
		}
		got := x.Append(nil, nil, l)
		fresh, _ := New(Options{})
		if want := fresh.Append(nil, nil, l); !bytes.Equal(got, want) {
			t.Fatalf("line %d: after earlier lines\n%s\nfresh\n%s", i+1, got, want)
		}
	}
	if skipped < 100 {
		t.Errorf("only %d lines skipped the fast path: the test does not test it", skipped)
	}
}
