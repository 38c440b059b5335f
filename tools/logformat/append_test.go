package logformat

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditlog-go/auditlog/tools/input"
)

// TestAppendAfterOutput: a line formats the same onto a buffer that holds
// earlier output as onto an empty one, since log-format --jobs formats a
// whole chunk into one buffer. (The summary once looked at the byte before
// its line to decide on a separator.)
func TestAppendAfterOutput(t *testing.T) {
	names, _ := filepath.Glob("../../cmd/log-format/testdata/inputs/*.jsonl")
	if len(names) == 0 {
		t.Fatal("no inputs")
	}
	var lines [][]byte
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(bytes.TrimSpace(data), []byte("\n"))...)
	}
	lines = append(lines, []byte(`{"level":"INFO","message":"no time"}`), []byte(`{"message":"only a message"}`))
	for _, format := range []string{"summary", "short", "convert-json", "oslo", "tsv", "%(level)s %(message)s"} {
		f, err := New(Options{Format: format, Missing: "-"})
		if err != nil {
			t.Fatal(err)
		}
		for _, prev := range []string{"x", "x ", "x\n"} {
			for _, text := range lines {
				l := &input.Line{Source: "-", Num: 1, Text: text}
				alone, keep := f.Append(nil, l)
				after, keep2 := f.Append([]byte(prev), l)
				if keep != keep2 || string(after) != prev+string(alone) {
					t.Errorf("-f %s after %q: %q, alone %q", format, prev, after, alone)
				}
			}
		}
	}
}

// TestSensitiveNameCache: the answers for names found in text are the
// test's own, whether they come from the table in front of the map, from
// the map, or (two names sharing a slot) from the map behind a taken slot.
func TestSensitiveNameCache(t *testing.T) {
	r := &render{sensitive: sensitiveKey}
	names := []string{"status", "time", "password", "X-Auth-Token", "len", "token", "user", "Authorization", "a", ""}
	for i := range 300 { // enough to share every slot
		names = append(names, fmt.Sprintf("name%d", i), fmt.Sprintf("secret%d", i))
	}
	for round := range 3 {
		for _, n := range names {
			if got, want := r.sensitiveName([]byte(n)), sensitiveKey(n); got != want {
				t.Fatalf("round %d: sensitiveName(%q) = %v, want %v", round, n, got, want)
			}
		}
	}
}
