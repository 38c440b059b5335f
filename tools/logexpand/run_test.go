package logexpand

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logline"
)

// runStream runs a Stream for o over in as standard input, lines longer
// than maxLine in pieces.
func runStream(t *testing.T, o StreamOptions, maxLine int, in string) string {
	t.Helper()
	s, err := NewStream(o)
	if err != nil {
		t.Fatal(err)
	}
	r := input.Open(context.Background(), nil, input.Options{Stdin: strings.NewReader(in), MaxLine: maxLine})
	defer r.Close()
	var out strings.Builder
	if err := s.Run(r, NewWriter(&out)); err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestStreamRun(t *testing.T) {
	in := `{"level":"INFO","n":1}` + "\n--\n" + `{"level":"ERROR","n":2}` + "\n" + "plain " + strings.Repeat("x", 100) + "\n"
	long := "plain " + strings.Repeat("x", 100) + "\n"
	for _, tc := range []struct {
		name string
		o    StreamOptions
		want string
	}{
		{"plain", StreamOptions{}, "{\n  level: \"INFO\"\n  n: 1\n}\n--\n{\n  level: \"ERROR\"\n  n: 2\n}\n" + long},
		{"filename", StreamOptions{WithFilename: true},
			"(standard input): {\n  level: \"INFO\"\n  n: 1\n}\n(standard input):--\n(standard input): {\n  level: \"ERROR\"\n  n: 2\n}\n(standard input):" + long},
		// Under a level, grep's groups and the long line whose level
		// cannot be read go.
		{"level", StreamOptions{Options: Options{MinLevel: logline.RankError}}, "{\n  level: \"ERROR\"\n  n: 2\n}\n"},
		// The long line, in pieces, counts as one of the last two.
		{"lines", StreamOptions{Lines: 2}, "{\n  level: \"ERROR\"\n  n: 2\n}\n" + long},
		// A line left out does not count.
		{"lines-level", StreamOptions{Options: Options{MinLevel: logline.RankInfo}, Lines: 1}, "{\n  level: \"ERROR\"\n  n: 2\n}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runStream(t, tc.o, 64, in); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestStreamUnflatten checks that the last record comes out at the end of
// the input, and that a separator ends a record.
func TestStreamUnflatten(t *testing.T) {
	in := "json = {}\njson.a = 1\n--\njson = {}\njson.b = \"x\"\n"
	want := "{\"a\":1}\n--\n{\"b\":\"x\"}\n"
	if got := runStream(t, StreamOptions{Unflatten: true}, 0, in); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNewStreamBadKeys(t *testing.T) {
	if _, err := NewStream(StreamOptions{Options: Options{Keys: []string{"a..b"}}}); err == nil {
		t.Error("NewStream took the key path a..b")
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

// TestWriterSticks checks that a write error is returned by every later
// Flush, with no further write.
func TestWriterSticks(t *testing.T) {
	fw := &failWriter{}
	w := NewWriter(fw)
	if err := w.Flush(); err != nil || fw.n != 0 {
		t.Fatalf("empty Flush: %v, %d writes", err, fw.n)
	}
	w.buf = append(w.buf, "x\n"...)
	if err := w.Flush(); err == nil {
		t.Fatal("no error")
	}
	w.buf = append(w.buf, "y\n"...)
	if err := w.Flush(); err == nil || fw.n != 1 {
		t.Errorf("second Flush: %v after %d writes", err, fw.n)
	}
}
