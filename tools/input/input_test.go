package input

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/osdata"
)

// rec is a delivered Line copied out of the reader's buffer.
type rec struct {
	Source string
	Num    int64
	Prefix string
	Text   string
	Sep    bool
	Piece  Piece
}

func (r rec) String() string {
	return fmt.Sprintf("%s#%d %s %q|%q sep=%v", r.Source, r.Num, r.Piece, r.Prefix, r.Text, r.Sep)
}

func copyLine(l *Line) rec {
	return rec{l.Source, l.Num, string(l.Prefix), string(l.Text), l.GroupSep, l.Piece}
}

func readAll(r *Reader) []rec {
	var got []rec
	for {
		l, ok := r.Next()
		if !ok {
			return got
		}
		got = append(got, copyLine(l))
	}
}

func diffRecs(t *testing.T, got, want []rec) {
	t.Helper()
	n := max(len(got), len(want))
	for i := range n {
		var g, w string
		if i < len(got) {
			g = got[i].String()
		}
		if i < len(want) {
			w = want[i].String()
		}
		if g != w {
			t.Errorf("line %d: -want +got\n-%s\n+%s", i, w, g)
		}
	}
}

// withBuffer runs f with the reader's initial buffer set to size, so that
// lines straddle refills and the buffer must compact and grow.
func withBuffer(t *testing.T, size int, f func(t *testing.T)) {
	t.Run(fmt.Sprintf("buf=%d", size), func(t *testing.T) {
		old := initialBuffer
		initialBuffer = size
		defer func() { initialBuffer = old }()
		f(t)
	})
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSplitPrefix(t *testing.T) {
	tests := []struct {
		line, prefix string
	}{
		// What grep puts before a matching line.
		{`api.log:{"a":1}`, `api.log:`},
		{`12:{"a":1}`, `12:`},
		{`api.log:12:{"a":1}`, `api.log:12:`},
		{`api.log:12:3456:{"a":1}`, `api.log:12:3456:`},
		{`/var/log/nova/api.log:7:{}`, `/var/log/nova/api.log:7:`},
		// Context lines (-A, -B, -C).
		{`api.log-12-{"a":1}`, `api.log-12-`},
		{`api.log-{"a":1}`, `api.log-`},
		{`12-{"a":1}`, `12-`},
		{`nova-api.2017-05-16.log-3-{"x":"y"}`, `nova-api.2017-05-16.log-3-`},
		// Windows-ish names split where the JSON starts.
		{`C:\logs\a.log:12:{"a":1}`, `C:\logs\a.log:12:`},
		// No prefix.
		{`{"a":1}`, ``},
		{`{"a":"x:{"}`, ``},
		{`--`, ``},
		{``, ``},
		{`plain text`, ``},
		{`2015-10-29 10:00:00.123 INFO nova [req-1] body: {"a": 1}`, ``},
		{`api.log: {"a":1}`, ``},
		{"api.log:\t{}", ``},
		{`"quoted":{"a":1}`, ``},
		{`it's:{}`, ``},
		{`a{b.log:{}`, ``},
		{`api.log:12{"a":1}`, ``},
		{`api.log:12:[1,2]`, ``},
		{`api.log:12:`, ``},
		{"\ufeff{}", ``},
		{strings.Repeat("x", 4095) + `:{}`, strings.Repeat("x", 4095) + `:`},
		{strings.Repeat("x", 4096) + `:{}`, ``},
	}
	for _, tt := range tests {
		prefix, rest := SplitPrefix([]byte(tt.line))
		if string(prefix) != tt.prefix {
			t.Errorf("SplitPrefix(%.60q) prefix = %q, want %q", tt.line, prefix, tt.prefix)
		}
		if string(prefix)+string(rest) != tt.line {
			t.Errorf("SplitPrefix(%.60q): %q + %q is not the line", tt.line, prefix, rest)
		}
		if tt.prefix == "" && prefix != nil {
			t.Errorf("SplitPrefix(%.60q) prefix = %q, want nil", tt.line, prefix)
		}
	}
}

func TestIsJSONObject(t *testing.T) {
	tests := []struct {
		text  string
		piece Piece
		want  bool
	}{
		{`{}`, Whole, true},
		{`{"a":1}`, Whole, true},
		{" \t{\"a\":1} \t", Whole, true},
		{"\ufeff{\"a\":1}", Whole, true},
		{"\ufeff {}", Whole, true},
		{`{`, Whole, false},
		{`}`, Whole, false},
		{``, Whole, false},
		{`  `, Whole, false},
		{`[1]`, Whole, false},
		{`{"a":1} trailing`, Whole, false},
		{`x {"a":1}`, Whole, false},
		{`{"a":1}`, First, false},
		{`{"a":1}`, Last, false},
	}
	for _, tt := range tests {
		l := Line{Text: []byte(tt.text), Piece: tt.piece}
		if got := l.IsJSONObject(); got != tt.want {
			t.Errorf("IsJSONObject(%q, %v) = %v, want %v", tt.text, tt.piece, got, tt.want)
		}
	}
}

func TestReaderLines(t *testing.T) {
	w := func(num int64, prefix, text string) rec { return rec{"-", num, prefix, text, false, Whole} }
	sep := func(num int64) rec { return rec{"-", num, "", "--", true, Whole} }
	tests := []struct {
		name  string
		input string
		want  []rec
	}{
		{"empty input", "", nil},
		{"one newline", "\n", []rec{w(1, "", "")}},
		{"lf", "a\nb\n", []rec{w(1, "", "a"), w(2, "", "b")}},
		{"crlf", "a\r\nb\r\n", []rec{w(1, "", "a"), w(2, "", "b")}},
		{"one cr stripped", "a\r\r\n", []rec{w(1, "", "a\r")}},
		{"lone cr kept", "a\rb\n", []rec{w(1, "", "a\rb")}},
		{"no final newline", "a\nb", []rec{w(1, "", "a"), w(2, "", "b")}},
		{"no final newline crlf", "a\r\nb\r", []rec{w(1, "", "a"), w(2, "", "b")}},
		{"empty lines", "\n\na\n\r\n", []rec{w(1, "", ""), w(2, "", ""), w(3, "", "a"), w(4, "", "")}},
		{"json", "{\"a\":1}\n", []rec{w(1, "", `{"a":1}`)}},
		{"grep -Hn with context", "a.log-3-{\"b\":0}\na.log:4:{\"a\":1}\n--\na.log:9:{\"a\":2}\n",
			[]rec{w(1, "a.log-3-", `{"b":0}`), w(2, "a.log:4:", `{"a":1}`), sep(3), w(4, "a.log:9:", `{"a":2}`)}},
		{"grep -H text line", "a.log:2015-10-29 10:00:00 INFO x: {\"a\": 1}\n",
			[]rec{w(1, "", "a.log:2015-10-29 10:00:00 INFO x: {\"a\": 1}")}},
		{"separator needs the whole line", "--x\n -- \n", []rec{w(1, "", "--x"), w(2, "", " -- ")}},
		{"binary", "\x00\xff\xfe{\n\x00", []rec{w(1, "", "\x00\xff\xfe{"), w(2, "", "\x00")}},
	}
	for _, size := range []int{1, 3, 16, 1 << 20} {
		withBuffer(t, size, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r := Open(context.Background(), nil, Options{Stdin: strings.NewReader(tt.input)})
					defer r.Close()
					diffRecs(t, readAll(r), tt.want)
					if err := r.Err(); err != nil {
						t.Errorf("Err() = %v", err)
					}
				})
			}
		})
	}
}

func TestReaderFiles(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.log", []byte("a1\na2\n"))
	b := writeFile(t, dir, "b.log", []byte("b1"))
	r := Open(context.Background(), []string{a, "-", b}, Options{Stdin: strings.NewReader("s1\n")})
	defer r.Close()
	diffRecs(t, readAll(r), []rec{
		{a, 1, "", "a1", false, Whole},
		{a, 2, "", "a2", false, Whole},
		{"-", 1, "", "s1", false, Whole},
		{b, 1, "", "b1", false, Whole},
	})
}

// TestOpenStack reads a real nova log: CRLF endings and no final newline.
func TestOpenStack(t *testing.T) {
	path := osdata.Path(t, "loghub/OpenStack_2k.log")
	r := Open(context.Background(), []string{path}, Options{})
	defer r.Close()
	var n int64
	for l, ok := r.Next(); ok; l, ok = r.Next() {
		n++
		if l.Num != n || l.Piece != Whole {
			t.Fatalf("line %d: Num %d, Piece %v", n, l.Num, l.Piece)
		}
		if bytes.IndexByte(l.Text, '\r') >= 0 {
			t.Fatalf("line %d has a '\\r': %q", n, l.Text)
		}
		if l.Prefix != nil {
			t.Errorf("line %d: prefix %q in a text log", n, l.Prefix)
		}
	}
	if n != 2000 {
		t.Errorf("read %d lines, want 2000", n)
	}
	if err := r.Err(); err != nil {
		t.Error(err)
	}
}

func TestLongLines(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		maxLine int
		want    []rec
	}{
		{"exactly max", "abcd\n", 4, []rec{{"-", 1, "", "abcd", false, Whole}}},
		{"exactly max crlf", "abcd\r\n", 4, []rec{{"-", 1, "", "abcd", false, Whole}}},
		{"exactly max at eof", "abcd", 4, []rec{{"-", 1, "", "abcd", false, Whole}}},
		{"exactly max cr at eof", "abcd\r", 4, []rec{{"-", 1, "", "abcd", false, Whole}}},
		{"one over", "abcde\nx\n", 4, []rec{
			{"-", 1, "", "abcd", false, First},
			{"-", 1, "", "e", false, Last},
			{"-", 2, "", "x", false, Whole},
		}},
		{"one over crlf", "abcde\r\n", 4, []rec{
			{"-", 1, "", "abcd", false, First},
			{"-", 1, "", "e", false, Last},
		}},
		{"cr inside", "abcd\r\r\n", 4, []rec{
			{"-", 1, "", "abcd", false, First},
			{"-", 1, "", "\r", false, Last},
		}},
		{"three pieces with prefix", "a.log:{\"a\":12345}\n", 8, []rec{
			{"-", 1, "a.log:", "{\"", false, First},
			{"-", 1, "", "a\":12345", false, Middle},
			{"-", 1, "", "}", false, Last},
		}},
		{"prefix cut by the piece", "a.log:{\"a\":1}\n", 6, []rec{
			{"-", 1, "", "a.log:", false, First},
			{"-", 1, "", "{\"a\":1", false, Middle},
			{"-", 1, "", "}", false, Last},
		}},
		{"no newline at all", strings.Repeat("z", 10), 3, []rec{
			{"-", 1, "", "zzz", false, First},
			{"-", 1, "", "zzz", false, Middle},
			{"-", 1, "", "zzz", false, Middle},
			{"-", 1, "", "z", false, Last},
		}},
	}
	for _, size := range []int{1, 5, 1 << 20} {
		withBuffer(t, size, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r := Open(context.Background(), nil, Options{Stdin: strings.NewReader(tt.input), MaxLine: tt.maxLine})
					defer r.Close()
					diffRecs(t, readAll(r), tt.want)
				})
			}
		})
	}
}

// TestLongLinesReassemble feeds long random-ish lines through a small
// MaxLine and a small buffer: the pieces put back together are the lines,
// and the buffer never grows past what one piece needs.
func TestLongLinesReassemble(t *testing.T) {
	var in strings.Builder
	var lines []string
	for i := range 50 {
		l := strings.Repeat(string(rune('a'+i%26)), i*7) + "}"
		lines = append(lines, l)
		in.WriteString(l)
		if i%2 == 0 {
			in.WriteString("\r\n")
		} else {
			in.WriteString("\n")
		}
	}
	const maxLine = 32
	withBuffer(t, 8, func(t *testing.T) {
		r := Open(context.Background(), nil, Options{Stdin: strings.NewReader(in.String()), MaxLine: maxLine})
		defer r.Close()
		var got []string
		var cur []byte
		for l, ok := r.Next(); ok; l, ok = r.Next() {
			if len(l.Text)+len(l.Prefix) > maxLine {
				t.Fatalf("line %d: piece of %d bytes", l.Num, len(l.Text))
			}
			if l.Num != int64(len(got)+1) {
				t.Fatalf("Num %d, want %d", l.Num, len(got)+1)
			}
			cur = append(cur, l.Prefix...)
			cur = append(cur, l.Text...)
			if l.Piece == Whole || l.Piece == Last {
				got = append(got, string(cur))
				cur = cur[:0]
			}
		}
		if strings.Join(got, "\n") != strings.Join(lines, "\n") {
			t.Errorf("reassembled lines differ:\n got %q\nwant %q", got, lines)
		}
		if len(r.buf) > maxLine+2 {
			t.Errorf("buffer grew to %d bytes for MaxLine %d", len(r.buf), maxLine)
		}
	})
}

func TestGzip(t *testing.T) {
	dir := t.TempDir()
	member1 := gz(t, "{\"n\":1}\n{\"n\":2}\n")
	member2 := gz(t, "{\"n\":3}\n")
	corrupt := gz(t, "{\"n\":1}\n{\"n\":2}\n")
	corrupt[len(corrupt)-8] ^= 0xff // CRC-32 in the trailer
	var many strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&many, "{\"n\":%d}\n", i*7919%10007)
	}
	truncated := gz(t, many.String())
	truncated = truncated[:len(truncated)/2]

	tests := []struct {
		name    string
		data    []byte
		lines   int
		errLine int64 // 0: no error
		errText string
	}{
		{"single", member1, 2, 0, ""},
		{"concatenated", append(append([]byte{}, member1...), member2...), 3, 0, ""},
		{"named like plain", member2, 1, 0, ""},
		{"corrupt checksum", corrupt, 2, 2, "gzip: invalid checksum"},
		{"truncated", truncated, -1, -1, "unexpected EOF"},
		{"bad header", []byte{0x1f, 0x8b, 0, 0}, 0, 0, "unexpected EOF"},
		{"magic only", []byte{0x1f, 0x8b}, 0, 0, "EOF"},
		{"not gzip 1f", []byte("\x1fx\n"), 1, 0, ""},
		{"lone 1f", []byte("\x1f"), 1, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "x.log"
			if tt.name == "single" {
				name = "x.log.gz"
			}
			p := writeFile(t, dir, name, tt.data)
			for _, how := range []string{"file", "stdin"} {
				var r *Reader
				var errs []error
				onError := func(err error) { errs = append(errs, err) }
				src := p
				if how == "file" {
					r = Open(context.Background(), []string{p}, Options{OnError: onError})
				} else {
					src = "-"
					r = Open(context.Background(), nil, Options{Stdin: bytes.NewReader(tt.data), OnError: onError})
				}
				got := readAll(r)
				r.Close()
				if tt.lines >= 0 && len(got) != tt.lines {
					t.Errorf("%s: got %d lines %v, want %d", how, len(got), got, tt.lines)
				}
				for i, l := range got {
					if l.Num != int64(i+1) || l.Source != src {
						t.Errorf("%s: line %d is %v", how, i, l)
					}
				}
				if tt.errText == "" {
					if len(errs) != 0 || r.Err() != nil {
						t.Errorf("%s: errors %v", how, errs)
					}
					continue
				}
				if len(errs) != 1 {
					t.Fatalf("%s: OnError got %v, want one error", how, errs)
				}
				var se *SourceError
				if !errors.As(r.Err(), &se) || se != errs[0] {
					t.Fatalf("%s: Err() = %v, not the error passed to OnError", how, r.Err())
				}
				wantLine := tt.errLine
				if wantLine < 0 {
					wantLine = int64(len(got)) // the lines before the break are delivered
					if wantLine == 0 {
						t.Errorf("%s: no lines delivered before the break", how)
					}
				}
				if se.Source != src || se.Line != wantLine || !strings.Contains(se.Error(), tt.errText) {
					t.Errorf("%s: error %q (line %d), want line %d and %q", how, se, se.Line, wantLine, tt.errText)
				}
				if wantLine > 0 && !strings.Contains(se.Error(), fmt.Sprintf("%s: line %d: ", src, wantLine)) {
					t.Errorf("%s: error %q does not name the line", how, se)
				}
			}
		})
	}
}

func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.log", []byte("a1\n"))
	b := writeFile(t, dir, "b.log", []byte("b1\n"))
	missing := filepath.Join(dir, "nope.log")
	var order []string
	r := Open(context.Background(), []string{missing, a, dir, b}, Options{
		OnError: func(err error) { order = append(order, "error "+err.Error()) },
	})
	defer r.Close()
	for l, ok := r.Next(); ok; l, ok = r.Next() {
		order = append(order, "line "+string(l.Text))
	}
	want := []string{
		"error " + missing + ": open " + missing + ": no such file or directory",
		"line a1",
		"error " + dir + ": read " + dir + ": is a directory",
		"line b1",
	}
	if strings.Join(order, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
	err := r.Err()
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Err() = %v, want one wrapping fs.ErrNotExist", err)
	}
	var se *SourceError
	if !errors.As(err, &se) || se.Source != missing || se.Line != 0 {
		t.Errorf("Err() = %#v", se)
	}
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 2 {
		t.Errorf("Err() joins %d errors, want 2", n)
	}
}

func TestUnreadableFile(t *testing.T) {
	// Root reads a file whatever its mode, so as root (CI) the file that
	// cannot be opened is a symbolic link to itself instead.
	dir := t.TempDir()
	p := writeFile(t, dir, "secret.log", []byte("x\n"))
	want := fs.ErrPermission
	if os.Geteuid() == 0 {
		p = filepath.Join(dir, "loop.log")
		if err := os.Symlink(p, p); err != nil {
			t.Fatal(err)
		}
		want = syscall.ELOOP
	} else if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	r := Open(context.Background(), []string{p}, Options{})
	defer r.Close()
	if got := readAll(r); len(got) != 0 {
		t.Errorf("read %v", got)
	}
	if !errors.Is(r.Err(), want) {
		t.Errorf("Err() = %v, want %v", r.Err(), want)
	}
}

// errReader fails after its data, like a disk error partway.
type errReader struct {
	data string
	err  error
}

func (e *errReader) Read(b []byte) (int, error) {
	if e.data == "" {
		return 0, e.err
	}
	n := copy(b, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	r := Open(context.Background(), nil, Options{Stdin: &errReader{"a\nb\nc", boom}})
	defer r.Close()
	got := readAll(r)
	if len(got) != 3 || got[2].Text != "c" {
		t.Errorf("got %v", got)
	}
	var se *SourceError
	if !errors.As(r.Err(), &se) || !errors.Is(se, boom) || se.Line != 3 || se.Error() != "-: line 3: boom" {
		t.Errorf("Err() = %v", r.Err())
	}
}

// zeroReader never returns data or an error.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestZeroReads(t *testing.T) {
	r := Open(context.Background(), nil, Options{Stdin: zeroReader{}})
	defer r.Close()
	if got := readAll(r); len(got) != 0 {
		t.Errorf("got %v", got)
	}
	if !errors.Is(r.Err(), io.ErrNoProgress) {
		t.Errorf("Err() = %v", r.Err())
	}
}

// follower reads a Reader on its own goroutine so a test can wait for
// lines with a deadline.
type follower struct {
	lines  chan rec
	cancel context.CancelFunc
	done   chan struct{}
	r      *Reader
}

func follow(t *testing.T, names []string, opts Options) *follower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opts.Follow = true
	opts.PollInterval = 5 * time.Millisecond
	f := &follower{lines: make(chan rec, 100), cancel: cancel, done: make(chan struct{})}
	f.r = Open(ctx, names, opts)
	go func() {
		defer close(f.done)
		defer close(f.lines)
		for l, ok := f.r.Next(); ok; l, ok = f.r.Next() {
			f.lines <- copyLine(l)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-f.done
		f.r.Close()
	})
	return f
}

func (f *follower) want(t *testing.T, texts ...string) {
	t.Helper()
	for _, want := range texts {
		select {
		case l, ok := <-f.lines:
			if !ok {
				t.Fatalf("reader ended, want %q", want)
			}
			if l.Text != want {
				t.Fatalf("got line %v, want %q", l, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no line within 5s, want %q", want)
		}
	}
}

func (f *follower) quiet(t *testing.T) {
	t.Helper()
	select {
	case l := <-f.lines:
		t.Fatalf("unexpected line %v", l)
	case <-time.After(50 * time.Millisecond):
	}
}

func appendFile(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFollowAppend(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.log", []byte("a1\n"))
	b := writeFile(t, dir, "b.log", []byte("b1\n"))
	f := follow(t, []string{a, b}, Options{})
	f.want(t, "a1", "b1")
	f.quiet(t)
	appendFile(t, a, "a2\n")
	f.want(t, "a2")
	appendFile(t, b, "b2\r\nb3\n")
	f.want(t, "b2", "b3")
	// A partial line waits for its newline.
	appendFile(t, a, "a3 begins")
	f.quiet(t)
	appendFile(t, b, "b4\n")
	f.want(t, "b4")
	appendFile(t, a, ", ends\n")
	f.want(t, "a3 begins, ends")
}

func TestFollowTruncate(t *testing.T) {
	p := writeFile(t, t.TempDir(), "a.log", []byte("one\ntwo\n"))
	f := follow(t, []string{p}, Options{})
	f.want(t, "one", "two")
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond) // let a poll see the empty file
	appendFile(t, p, "new\n")
	f.want(t, "new")
	select {
	case l := <-f.lines:
		t.Fatalf("unexpected %v", l)
	case <-time.After(30 * time.Millisecond):
	}
}

func TestFollowRotate(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "a.log", []byte("one\n"))
	f := follow(t, []string{p}, Options{})
	f.want(t, "one")
	// The writer still holds the old file when it is renamed away.
	old, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.WriteString("two, late\npartial"); err != nil {
		t.Fatal(err)
	}
	old.Close()
	appendFile(t, p, "three\n")
	f.want(t, "two, late", "partial", "three")
	for l := range 2 {
		appendFile(t, p, fmt.Sprintf("more %d\n", l))
	}
	f.want(t, "more 0", "more 1")
}

func TestFollowLineNumbersAfterRotation(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "a.log", []byte("1\n2\n"))
	f := follow(t, []string{p}, Options{})
	for _, n := range []int64{1, 2} {
		if l := <-f.lines; l.Num != n {
			t.Fatalf("got %v, want Num %d", l, n)
		}
	}
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, p, "x\n")
	select {
	case l := <-f.lines:
		if l.Num != 1 || l.Text != "x" {
			t.Errorf("got %v, want line 1 of the new file", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no line from the rotated-in file")
	}
}

func TestFollowMissingAppears(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "later.log")
	errs := make(chan error, 10)
	f := follow(t, []string{p}, Options{OnError: func(err error) { errs <- err }})
	select {
	case err := <-errs:
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no error for the missing file")
	}
	f.quiet(t)
	appendFile(t, p, "hello\n")
	f.want(t, "hello")
	if len(errs) != 0 {
		t.Errorf("missing file reported again: %v", <-errs)
	}
}

func TestFollowCancel(t *testing.T) {
	p := writeFile(t, t.TempDir(), "a.log", []byte("one\nhalf"))
	f := follow(t, []string{p}, Options{})
	f.want(t, "one")
	f.quiet(t)
	f.cancel()
	// The held partial line is delivered when the reader stops.
	f.want(t, "half")
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return false after cancel")
	}
}

// TestFollowStdinPipe: a pipe is read until its writer closes it, and a
// blocked read ends when ctx is cancelled.
func TestFollowStdinPipe(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	f := follow(t, nil, Options{Stdin: pr})
	io.WriteString(pw, "a\n")
	f.want(t, "a")
	io.WriteString(pw, "b")
	f.quiet(t)
	io.WriteString(pw, "c\n")
	f.want(t, "bc")
	f.cancel()
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		t.Fatal("blocked read not interrupted by cancel")
	}
	if err := f.r.Err(); err != nil {
		t.Errorf("Err() = %v after cancel", err)
	}
}

func TestStdinPipeEnds(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	f := follow(t, nil, Options{Stdin: pr})
	io.WriteString(pw, "a\nlast")
	pw.Close()
	f.want(t, "a", "last")
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		t.Fatal("reader did not end with its only input, a closed pipe")
	}
}

// TestFollowStdinFile: standard input redirected from a file is followed
// like the file (log-format --follow < api.log).
func TestFollowStdinFile(t *testing.T) {
	p := writeFile(t, t.TempDir(), "a.log", []byte("one\n"))
	in, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	f := follow(t, nil, Options{Stdin: in})
	f.want(t, "one")
	appendFile(t, p, "two\n")
	f.want(t, "two")
}

// TestFollowFIFO: a named pipe is read until its writer closes it, and is
// not polled after (it has no size to shrink or grow).
func TestFollowFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		io.WriteString(w, "x\ny")
		w.Close()
	}()
	f := follow(t, []string{p}, Options{})
	f.want(t, "x", "y")
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		t.Fatal("reader did not end with its only input, a FIFO whose writer left")
	}
	if err := f.r.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}

func TestCloseEnds(t *testing.T) {
	r := Open(context.Background(), nil, Options{Stdin: strings.NewReader("a\nb\n")})
	if _, ok := r.Next(); !ok {
		t.Fatal("no first line")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if l, ok := r.Next(); ok {
		t.Errorf("Next after Close = %v", l)
	}
}

func TestSourceError(t *testing.T) {
	inner := errors.New("gzip: invalid checksum")
	e := &SourceError{Source: "api.log", Line: 12, Err: inner}
	if e.Error() != "api.log: line 12: gzip: invalid checksum" {
		t.Errorf("Error() = %q", e)
	}
	if !errors.Is(e, inner) {
		t.Error("does not unwrap")
	}
	e = &SourceError{Source: "nope.log", Err: inner}
	if e.Error() != "nope.log: gzip: invalid checksum" {
		t.Errorf("Error() = %q", e)
	}
}

func FuzzSplitPrefix(f *testing.F) {
	for _, s := range []string{`api.log:12:{"a":1}`, `a-1-{`, `--`, `{}`, `x y:{`, `C:\a:1:{`, "\ufeff{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		prefix, rest := SplitPrefix(line)
		if !bytes.Equal(append(append([]byte{}, prefix...), rest...), line) {
			t.Fatalf("%q + %q != %q", prefix, rest, line)
		}
		if len(prefix) == 0 {
			return
		}
		if len(prefix) > maxPrefix {
			t.Fatalf("prefix of %d bytes", len(prefix))
		}
		if len(rest) == 0 || rest[0] != '{' {
			t.Fatalf("rest %q does not start with '{'", rest)
		}
		if last := prefix[len(prefix)-1]; last != ':' && last != '-' {
			t.Fatalf("prefix %q ends with %q", prefix, last)
		}
		if i := bytes.IndexAny(prefix, " \t\r\n\v\f\"'{"); i >= 0 {
			t.Fatalf("prefix %q holds %q", prefix, prefix[i])
		}
	})
}

// FuzzReader reads random bytes with a small MaxLine and buffer: writing
// back every piece, and a newline after each whole or last piece,
// reproduces the input once "\r\n" is read as "\n".
func FuzzReader(f *testing.F) {
	for _, s := range []string{"", "\n", "a\r\nb", "a.log:1:{}\n--\n", "\r\r\n\r", "\x00\xff\n\n", "\x1f\x8b", "abcdefghij\r\nxyz\r"} {
		f.Add([]byte(s), uint8(4), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxLine, bufSize uint8) {
		old := initialBuffer
		initialBuffer = int(bufSize)
		defer func() { initialBuffer = old }()
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			data[1] = 0 // gzip has its own test; here the bytes come back as they are
		}
		r := Open(context.Background(), nil, Options{Stdin: bytes.NewReader(data), MaxLine: int(maxLine%16) + 1})
		defer r.Close()
		var out []byte
		var num int64
		for l, ok := r.Next(); ok; l, ok = r.Next() {
			if len(l.Prefix)+len(l.Text) > r.opts.MaxLine {
				t.Fatalf("piece of %d bytes, MaxLine %d", len(l.Prefix)+len(l.Text), r.opts.MaxLine)
			}
			if l.Piece == Whole || l.Piece == First {
				num++
			}
			if l.Num != num {
				t.Fatalf("Num %d, want %d", l.Num, num)
			}
			out = append(out, l.Prefix...)
			out = append(out, l.Text...)
			if l.Piece == Whole || l.Piece == Last {
				out = append(out, '\n')
			}
		}
		want := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		if len(want) > 0 && want[len(want)-1] == '\r' {
			want[len(want)-1] = '\n'
		} else if len(want) > 0 && want[len(want)-1] != '\n' {
			want = append(want, '\n')
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("read back %q, want %q", out, want)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

// benchLine is a nova-style JSON line of 340 bytes with its newline, the
// shape of the tools' benchmark input (a million of them, 340 MB).
const benchLine = `{"time":"2017-05-16T00:00:00.008Z","level":"INFO","logger":"nova.osapi_compute.wsgi.server","msg":"GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1","request_id":"req-38101a0b-2096-447d-96ea-a692162415ae","user":"113d3a99c3da401fbd62cc2caa5b96d2","status":200,"len":1893,"duration":0.2477829,"remote":"10.11.1.1","pid":257}` + "\n"

// BenchmarkReader reads a million lines from memory, so it measures the
// reader and nothing else; a line should cost tens of nanoseconds and no
// allocation (the few allocations per op are Open's buffer and state).
func BenchmarkReader(b *testing.B) {
	for _, bc := range []struct{ name, prefix string }{
		{"json", ""},
		{"grep-Hn", "/var/log/nova/nova-api.log:123456:"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := bytes.Repeat([]byte(bc.prefix+benchLine), 1_000_000)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r := Open(context.Background(), nil, Options{Stdin: bytes.NewReader(data)})
				n := 0
				for l, ok := r.Next(); ok; l, ok = r.Next() {
					if len(l.Text) != len(benchLine)-1 {
						b.Fatalf("line %d: %q", l.Num, l.Text)
					}
					n++
				}
				r.Close()
				if n != 1_000_000 {
					b.Fatalf("read %d lines", n)
				}
			}
		})
	}
}

func TestBenchLine(t *testing.T) {
	if len(benchLine) != 340 {
		t.Errorf("benchLine is %d bytes, want 340", len(benchLine))
	}
}
