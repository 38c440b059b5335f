package input

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// lineEnds returns, for each line of data (split as the reader splits,
// "\n" or "\r\n"), the offset just after it and its ending.
func lineEnds(data string) []int64 {
	var ends []int64
	off := 0
	for off < len(data) {
		i := strings.IndexByte(data[off:], '\n')
		if i < 0 {
			ends = append(ends, int64(len(data)))
			break
		}
		off += i + 1
		ends = append(ends, int64(off))
	}
	return ends
}

// TestLineOffset checks Line.Offset against the bytes of the stream, plain
// and gzip, with CRLF, a missing final newline, and buffers small enough
// that lines straddle refills.
func TestLineOffset(t *testing.T) {
	data := "first\r\nsecond line\n\nfourth {\"a\":1}\r\nlast without newline"
	want := lineEnds(data)
	dir := t.TempDir()
	plain := writeFile(t, dir, "a.log", []byte(data))
	zipped := writeFile(t, dir, "a.log.gz", gz(t, data))
	for _, size := range []int{1, 3, 7, 1 << 20} {
		withBuffer(t, size, func(t *testing.T) {
			for _, name := range []string{plain, zipped} {
				r := Open(context.Background(), []string{name}, Options{})
				var got []int64
				for l, ok := r.Next(); ok; l, ok = r.Next() {
					got = append(got, l.Offset)
				}
				r.Close()
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: offsets %v, want %v", name, got, want)
				}
			}
		})
	}
}

// TestLineOffsetPieces checks that the pieces of a long line each end
// where their bytes end, the last one after the line ending.
func TestLineOffsetPieces(t *testing.T) {
	data := "0123456789\r\nab\n"
	r := Open(context.Background(), nil, Options{Stdin: strings.NewReader(data), MaxLine: 4})
	defer r.Close()
	var got []string
	for l, ok := r.Next(); ok; l, ok = r.Next() {
		got = append(got, fmt.Sprintf("%s@%d", l.Text, l.Offset))
	}
	want := "[0123@4 4567@8 89@12 ab@15]"
	if fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// TestStart resumes reading at saved positions: every line's checkpoint
// {Offset, Num}, in plain and gzip files and on standard input, gives the
// lines after it with the same numbers and offsets as a full read.
func TestStart(t *testing.T) {
	data := "a\r\nbb\n\nccc\ndddd"
	dir := t.TempDir()
	plain := writeFile(t, dir, "p.log", []byte(data))
	zipped := writeFile(t, dir, "z.log.gz", gz(t, data))
	type line struct {
		Text   string
		Num    int64
		Offset int64
	}
	read := func(names []string, opts Options) []line {
		r := Open(context.Background(), names, opts)
		defer r.Close()
		var out []line
		for l, ok := r.Next(); ok; l, ok = r.Next() {
			out = append(out, line{string(l.Text), l.Num, l.Offset})
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	full := read([]string{plain}, Options{})
	for _, name := range []string{plain, zipped, "-"} {
		for i := range len(full) + 1 {
			var p Position
			if i > 0 {
				p = Position{Offset: full[i-1].Offset, Line: full[i-1].Num}
			}
			opts := Options{Start: map[string]Position{name: p}}
			if name == "-" {
				opts.Stdin = bytes.NewReader([]byte(data)) // not a file: bytes are skipped, not sought
			}
			got := read([]string{name}, opts)
			if fmt.Sprint(got) != fmt.Sprint(full[i:]) {
				t.Errorf("%s from %+v: got %v, want %v", name, p, got, full[i:])
			}
		}
	}
	// A position past the end reads nothing, and other names are not moved.
	other := writeFile(t, dir, "o.log", []byte("x\n"))
	got := read([]string{plain, other}, Options{Start: map[string]Position{plain: {Offset: 1000, Line: 9}}})
	if fmt.Sprint(got) != fmt.Sprint([]line{{"x", 1, 2}}) {
		t.Errorf("past the end: got %v", got)
	}
}

// TestStartStdinFile seeks standard input when it is a regular file.
func TestStartStdinFile(t *testing.T) {
	p := writeFile(t, t.TempDir(), "in.log", []byte("one\ntwo\nthree\n"))
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := Open(context.Background(), nil, Options{Stdin: f, Start: map[string]Position{"-": {Offset: 4, Line: 1}}})
	defer r.Close()
	var got []string
	for l, ok := r.Next(); ok; l, ok = r.Next() {
		got = append(got, fmt.Sprintf("%d:%s@%d", l.Num, l.Text, l.Offset))
	}
	if want := "[2:two@8 3:three@14]"; fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// TestFollowOffsets checks Line.Offset in Follow mode: across a partial
// line held until its newline comes, and from 0 again in the file that a
// rotation puts in place.
func TestFollowOffsets(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "a.log", []byte("1\n22\n"))
	ctx, cancel := context.WithCancel(context.Background())
	r := Open(ctx, []string{p}, Options{Follow: true, PollInterval: 5 * time.Millisecond})
	got := make(chan string, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for l, ok := r.Next(); ok; l, ok = r.Next() {
			got <- fmt.Sprintf("%d:%s@%d", l.Num, l.Text, l.Offset)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		r.Close()
	})
	want := func(w string) {
		t.Helper()
		select {
		case g := <-got:
			if g != w {
				t.Fatalf("got %s, want %s", g, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("nothing within 5s, want %s", w)
		}
	}
	want("1:1@2")
	want("2:22@5")
	appendFile(t, p, "3 begins")
	time.Sleep(30 * time.Millisecond) // held by a poll or two
	appendFile(t, p, ", ends\r\n")
	want("3:3 begins, ends@21")
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, p, "x\ny\n")
	want("1:x@2")
	want("2:y@4")
}
