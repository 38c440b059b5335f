// Package auditlogtest provides helpers that hold every line a test emits to
// the schema.
//
// A test that writes audit lines through a [Recorder] gets each line checked
// against schema.Validate the moment it is written, so that a handler, sink or
// middleware that breaks the line format fails its own tests rather than a
// log reader's parser in production. The test can then look at the lines it
// wrote, as bytes or as decoded maps.
package auditlogtest

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"testing"

	"github.com/auditlog-go/auditlog/schema"
)

// Recorder is an [io.Writer] for tests that keeps every line written to it and
// checks each one as it arrives.
//
// The package auditlog promises exactly one Write per line, so each call to
// Write must carry one whole line ending in "\n"; a partial line, several
// lines, or a line that fails schema.Validate is reported with t.Errorf,
// which fails the test without stopping it. Write never returns an error, so
// that the code under test behaves as it would with a healthy writer.
//
// A Recorder is safe for concurrent use, as a writer shared by many
// goroutines must be.
type Recorder struct {
	t     testing.TB
	mu    sync.Mutex
	lines [][]byte
}

var _ io.Writer = (*Recorder)(nil)

// NewRecorder returns an empty Recorder that reports bad lines to t.
func NewRecorder(t testing.TB) *Recorder {
	return &Recorder{t: t}
}

// Write checks p and keeps a copy of it; it copies because writers are free
// to reuse their buffer once Write returns. It always returns len(p), nil.
func (r *Recorder) Write(p []byte) (int, error) {
	r.t.Helper()
	line := bytes.Clone(p)
	r.mu.Lock()
	r.lines = append(r.lines, line)
	n := len(r.lines)
	r.mu.Unlock()

	// Checked outside the lock: validation is the slow part, and t.Errorf
	// is safe to call from any goroutine.
	switch i := bytes.IndexByte(line, '\n'); {
	case len(line) == 0:
		r.t.Errorf("auditlogtest: write %d is empty; want one whole line ending in \"\\n\"", n)
	case i < 0:
		r.t.Errorf("auditlogtest: write %d does not end in \"\\n\"; want one whole line per Write:\n\t%s", n, line)
	case i != len(line)-1:
		r.t.Errorf("auditlogtest: write %d holds more than one line; want one whole line per Write:\n\t%s", n, show(line))
	default:
		if err := schema.Validate(line); err != nil {
			r.t.Errorf("auditlogtest: write %d: %v\n\tline: %s", n, err, show(line))
		}
	}
	return len(p), nil
}

// Lines returns a copy of every line written so far, in the order of the
// Write calls, each with its newline. The caller owns the result.
func (r *Recorder) Lines() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]byte, len(r.lines))
	for i, l := range r.lines {
		out[i] = bytes.Clone(l)
	}
	return out
}

// Len returns the number of lines written so far.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.lines)
}

// Maps returns every line written so far decoded into a map, so that a test
// can look at single keys. Numbers are json.Number, so that an integer such
// as seq compares exactly and no digits are lost. A line that does not decode
// (already reported by Write) is reported again and is nil in the result, so
// that indexes still match [Recorder.Lines].
func (r *Recorder) Maps() []map[string]any {
	r.t.Helper()
	lines := r.Lines()
	out := make([]map[string]any, len(lines))
	for i, l := range lines {
		out[i] = r.decode(i+1, l)
	}
	return out
}

// Last returns the last line written, decoded as by [Recorder.Maps]. It
// reports an error and returns nil if nothing has been written, because a
// test that asks for the last line expected one.
func (r *Recorder) Last() map[string]any {
	r.t.Helper()
	r.mu.Lock()
	n := len(r.lines)
	var last []byte
	if n > 0 {
		last = r.lines[n-1]
	}
	r.mu.Unlock()
	if n == 0 {
		r.t.Errorf("auditlogtest: Last called but no line has been written")
		return nil
	}
	return r.decode(n, last)
}

// decode decodes the nth line (counting from 1) for Maps and Last.
func (r *Recorder) decode(n int, line []byte) map[string]any {
	r.t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		r.t.Errorf("auditlogtest: line %d does not decode as a JSON object: %v\n\tline: %s", n, err, show(line))
		return nil
	}
	return m
}

// Reset forgets every line written so far, so that one Recorder can serve
// the several steps of a test.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = nil
}

// String returns every line written so far, one after another, as they would
// appear in a log file; it makes a failing test's output easy to read.
func (r *Recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(bytes.Join(r.lines, nil))
}

// ValidateLine reports with t.Errorf, and the line itself, if line is not a
// valid audit line as schema.Validate defines it. It is for tests that get
// lines some other way than through a [Recorder].
func ValidateLine(t testing.TB, line []byte) {
	t.Helper()
	if err := schema.Validate(line); err != nil {
		t.Errorf("auditlogtest: %v\n\tline: %s", err, show(line))
	}
}

// show returns line for an error message, without the newline that ends it,
// which would only leave a blank line in the test output.
func show(line []byte) []byte {
	return bytes.TrimSuffix(line, []byte("\n"))
}
