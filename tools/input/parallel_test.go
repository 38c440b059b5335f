package input

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// describe is an AppendFunc that shows everything a formatter may read of
// a line except Num (see AppendFunc).
func describe(dst []byte, l *Line) []byte {
	return fmt.Appendf(dst, "%s|%v|%q|%q|%v|%d\n", l.Source, l.Piece, l.Prefix, l.Text, l.GroupSep, l.Offset)
}

// edgyInput is lines of every kind the reader tells apart: JSON, CRLF
// endings, empty lines, grep prefixes and separators, lines longer than
// maxLine (delivered in pieces), a lone '\r', and no final newline.
func edgyInput(rng *rand.Rand, n, maxLine int) []byte {
	var b []byte
	for i := range n {
		switch rng.IntN(9) {
		case 0:
			b = fmt.Appendf(b, `{"a":%d,"msg":"x\ty"}`+"\r\n", i)
		case 1:
			b = append(b, '\n')
		case 2:
			b = fmt.Appendf(b, "api.log:%d:{\"seq\":%d}\n", i, i)
		case 3:
			b = append(b, "--\n"...)
		case 4:
			b = append(b, bytes.Repeat([]byte{'z'}, maxLine+rng.IntN(3*maxLine))...)
			b = append(b, "\r\n"...)
		case 5:
			b = append(b, "\r\n"...)
		case 6:
			b = append(b, bytes.Repeat([]byte{'w'}, maxLine+1)...) // one past: a '\r' may not follow
			b = append(b, '\n')
		default:
			b = fmt.Appendf(b, "plain text line %d\n", i)
		}
	}
	return append(b, `{"last":"no newline"}`...)
}

func sequential(t *testing.T, names []string, opts Options) (string, []string) {
	t.Helper()
	var errs []string
	opts.OnError = func(err error) { errs = append(errs, err.Error()) }
	r := Open(context.Background(), names, opts)
	defer r.Close()
	var out []byte
	for {
		l, ok := r.Next()
		if !ok {
			break
		}
		out = describe(out, l)
	}
	return string(out), errs
}

func parallel(t *testing.T, p *Parallel, names []string, opts Options) (string, []string) {
	t.Helper()
	var errs []string
	opts.OnError = func(err error) { errs = append(errs, err.Error()) }
	var out bytes.Buffer
	werr, _ := p.Run(context.Background(), names, opts, func() AppendFunc { return describe }, &out)
	if werr != nil {
		t.Fatal(werr)
	}
	return out.String(), errs
}

// TestParallelMatchesSequential cuts files into chunks of every small size
// so that chunk edges fall on every kind of line, and wants the output of
// one sequential Reader, byte for byte.
func TestParallelMatchesSequential(t *testing.T) {
	old := initialBuffer
	initialBuffer = 16 // the chunk readers grow and wrap their buffers too
	defer func() { initialBuffer = old }()
	dir := t.TempDir()
	const maxLine = 24
	rng := rand.New(rand.NewPCG(3, 4))
	a := filepath.Join(dir, "a.log")
	if err := os.WriteFile(a, edgyInput(rng, 300, maxLine), 0o644); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "b.log") // ends with a newline
	if err := os.WriteFile(b, append(edgyInput(rng, 50, maxLine), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(dir, "c.log.gz") // read sequentially, in its place
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(edgyInput(rng, 40, maxLine))
	zw.Close()
	if err := os.WriteFile(gz, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.log")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	names := []string{a, filepath.Join(dir, "missing.log"), b, gz, empty, "-", a}
	stdin := edgyInput(rng, 30, maxLine)
	opts := Options{MaxLine: maxLine}
	opts.Stdin = bytes.NewReader(stdin)
	want, wantErrs := sequential(t, names, opts)
	if len(wantErrs) != 1 || !strings.Contains(want, "no newline") {
		t.Fatalf("sequential read: errors %q, output %.200q", wantErrs, want)
	}
	for _, chunk := range []int{1, 2, 3, 5, 8, 13, 31, 64, 200, 4096} {
		for _, jobs := range []int{1, 2, 3, 7} {
			p := &Parallel{Jobs: jobs, ChunkSize: chunk, MinSplit: 1}
			opts.Stdin = bytes.NewReader(stdin)
			got, errs := parallel(t, p, names, opts)
			if got != want {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				lo := max(0, i-80)
				t.Fatalf("chunk %d, jobs %d: output differs at byte %d:\n got …%q\nwant …%q", chunk, jobs, i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
			}
			if strings.Join(errs, "\n") != strings.Join(wantErrs, "\n") {
				t.Fatalf("chunk %d, jobs %d: errors %q, want %q", chunk, jobs, errs, wantErrs)
			}
		}
	}
}

// failAt is a file whose reads fail from byte at on.
type failAt struct {
	data []byte
	at   int64
}

var errDisk = errors.New("input/output error")

func (f *failAt) ReadAt(b []byte, off int64) (int, error) {
	if off >= f.at {
		return 0, errDisk
	}
	n := copy(b, f.data[off:min(int64(len(f.data)), f.at)])
	if off+int64(n) >= f.at {
		return n, errDisk
	}
	return n, nil
}

// TestParallelErrorLine breaks a file partway and wants the error to name
// the number of lines written before it, counted over every chunk before
// the broken one, and nothing after it written.
func TestParallelErrorLine(t *testing.T) {
	var data []byte
	for i := range 1000 {
		n := i % 17
		if i%100 == 50 {
			n = 700 // many chunks long: the writer formats it itself
		}
		data = fmt.Appendf(data, "line %d %s\n", i+1, strings.Repeat("x", n))
	}
	long := int64(bytes.Index(data, []byte("line 351 ")) + 300) // inside a long line
	for _, at := range []int64{0, 1, 100, 5000, long, int64(len(data)) - 3} {
		for _, chunk := range []int{7, 64, 1000} {
			f := &failAt{data: data, at: at}
			var out bytes.Buffer
			bw := bufio.NewWriter(&out)
			var reported []*SourceError
			linesBefore := -1
			p := &Parallel{Jobs: 3, ChunkSize: chunk}
			works := []AppendFunc{describe, describe, describe}
			err := p.runFile(context.Background(), f, "disk.log", int64(len(data)), chunk, Options{MaxLine: DefaultMaxLine}, works, func() AppendFunc { return describe }, bw, func(err error) {
				bw.Flush()
				linesBefore = bytes.Count(out.Bytes(), []byte("\n"))
				var se *SourceError
				if !errors.As(err, &se) {
					t.Fatalf("error %v is not a *SourceError", err)
				}
				reported = append(reported, se)
			})
			bw.Flush()
			if err != nil {
				t.Fatal(err)
			}
			if len(reported) != 1 {
				t.Fatalf("fail at %d, chunk %d: %d errors reported, want 1", at, chunk, len(reported))
			}
			se := reported[0]
			if se.Line != int64(linesBefore) || !errors.Is(se, errDisk) || se.Source != "disk.log" {
				t.Errorf("fail at %d, chunk %d: error %v (line %d), but %d lines were written before it", at, chunk, se, se.Line, linesBefore)
			}
			if n := bytes.Count(out.Bytes(), []byte("\n")); n != linesBefore {
				t.Errorf("fail at %d, chunk %d: %d lines written in all, %d before the error: output went on after it", at, chunk, n, linesBefore)
			}
			// Every line written is one of the file's, in order, whole.
			if at >= 100 && !strings.HasPrefix(out.String(), `disk.log|Whole|""|"line 1 "`) {
				t.Errorf("fail at %d, chunk %d: output starts %.60q", at, chunk, out.String())
			}
		}
	}
}

// errWriter fails every write.
type errWriter struct{ n int }

func (w *errWriter) Write(b []byte) (int, error) {
	w.n++
	return 0, errors.New("broken pipe")
}

// TestParallelWriteError stops at the first write error and returns it,
// without leaving a worker blocked.
func TestParallelWriteError(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "big.log")
	if err := os.WriteFile(name, bytes.Repeat([]byte(`{"a":1}`+"\n"), 100000), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &errWriter{}
	p := &Parallel{Jobs: 2, ChunkSize: 1000}
	werr, ierr := p.Run(context.Background(), []string{name, name}, Options{}, func() AppendFunc { return describe }, w)
	if werr == nil || ierr != nil {
		t.Fatalf("Run = %v, %v; want the write error", werr, ierr)
	}
	if w.n > 3 {
		t.Errorf("%d writes after the first failed", w.n-1)
	}
}

// TestJobs: 0 means GOMAXPROCS.
func TestJobs(t *testing.T) {
	if Jobs(3) != 3 {
		t.Error("Jobs(3) != 3")
	}
	if got, want := Jobs(0), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("Jobs(0) = %d, GOMAXPROCS is %d", got, want)
	}
}

var _ io.ReaderAt = (*failAt)(nil)

// FuzzParallel: any file, cut into chunks of any size, formats as one
// Reader would read it.
func FuzzParallel(f *testing.F) {
	f.Add([]byte("{\"a\":1}\r\nx\n--\na.log:3:{}\n\rlong long long line\nlast"), uint8(3), uint8(2), uint8(8))
	f.Add([]byte("\n\n\r\n\r\r\n"), uint8(1), uint8(3), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk, jobs, maxLine uint8) {
		name := filepath.Join(t.TempDir(), "f.log")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := Options{MaxLine: 1 + int(maxLine)}
		want, _ := sequential(t, []string{name}, opts)
		p := &Parallel{Jobs: 1 + int(jobs%4), ChunkSize: 1 + int(chunk), MinSplit: 1}
		got, _ := parallel(t, p, []string{name}, opts)
		if got != want {
			t.Fatalf("chunk %d, jobs %d, max line %d:\n got %q\nwant %q", p.ChunkSize, p.Jobs, opts.MaxLine, got, want)
		}
	})
}
