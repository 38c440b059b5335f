package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func gen(t *testing.T, n int, seed uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	st, err := generate(&buf, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	if st.lines != n || st.bytes != int64(buf.Len()) {
		t.Fatalf("stats say %d lines, %d bytes; wrote %d bytes", st.lines, st.bytes, buf.Len())
	}
	return buf.Bytes()
}

// The keys of oslo.log's JSONFormatter, in the order it writes them.
var osloKeys = []string{"message", "asctime", "name", "msg", "args", "levelname", "levelno", "pathname",
	"filename", "module", "lineno", "funcname", "created", "msecs", "relative_created", "thread",
	"thread_name", "process_name", "process", "traceback", "hostname", "error_summary", "context", "extra"}

func TestLinesAreOsloJSON(t *testing.T) {
	data := gen(t, 3000, 1)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != 3000 {
		t.Fatalf("%d lines", len(lines))
	}
	var escapes, long, tracebacks int
	for i, l := range lines {
		dec := json.NewDecoder(bytes.NewReader(l))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("line %d: %v %v", i+1, tok, err)
		}
		for k := 0; dec.More(); k++ {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("line %d: %v", i+1, err)
			}
			if k >= len(osloKeys) || tok != osloKeys[k] {
				t.Fatalf("line %d: key %d is %v, want %s", i+1, k, tok, osloKeys[min(k, len(osloKeys)-1)])
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("line %d: %s: %v", i+1, tok, err)
			}
			if tok == "traceback" && v[0] == '[' {
				tracebacks++
			}
		}
		if bytes.Contains(l, []byte(`\u`)) {
			escapes++
		}
		if len(l) > 3000 {
			long++
		}
		for _, c := range l {
			if c >= 0x80 || c < 0x20 {
				t.Fatalf("line %d: byte %#x: ensure_ascii writes none", i+1, c)
			}
		}
		if !strings.Contains(string(l), `", "`) {
			t.Fatalf("line %d: not json.dumps's separators", i+1)
		}
	}
	if escapes < 300 || long < 100 || tracebacks < 100 {
		t.Errorf("of 3000 lines, %d have \\u escapes, %d are over 3000 bytes, %d have a traceback: the mix is off", escapes, long, tracebacks)
	}
}

func TestDeterministicPrefix(t *testing.T) {
	a, b := gen(t, 500, 7), gen(t, 800, 7)
	if !bytes.HasPrefix(b, a) {
		t.Error("a shorter run is not a prefix of a longer one")
	}
	if bytes.Equal(gen(t, 500, 8), a) {
		t.Error("another seed gave the same lines")
	}
}
