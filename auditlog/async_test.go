package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/schema"
)

var errDown = errors.New("destination down")

// fakeDst is a destination whose speed and failures a test controls. It keeps
// each successful Write as one element of writes, so a test can check that
// every Write carried exactly one whole line.
type fakeDst struct {
	mu          sync.Mutex
	cond        sync.Cond
	gate        int  // Writes let through before the next one waits; math.MaxInt: open
	calls       int  // Writes begun
	failN       int  // the next failN Writes fail with errDown
	failing     bool // every Write fails with errDown while set
	partialErrN int  // the next partialErrN Writes take half of p and fail
	maxN        int  // a Write takes at most maxN bytes and returns a nil error; 0: all
	yield       bool // a Write yields the processor, to let writers pile up
	closed      bool // Close was called
	writes      [][]byte
}

func newFakeDst() *fakeDst {
	d := &fakeDst{gate: math.MaxInt}
	d.cond.L = &d.mu
	return d
}

func (d *fakeDst) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	d.cond.Broadcast()
	for d.gate == 0 {
		d.cond.Wait()
	}
	if d.gate != math.MaxInt {
		d.gate--
	}
	if d.yield {
		d.mu.Unlock()
		runtime.Gosched()
		d.mu.Lock()
	}
	switch {
	case d.failN > 0:
		d.failN--
		return 0, errDown
	case d.failing:
		return 0, errDown
	case d.partialErrN > 0:
		d.partialErrN--
		n := len(p) / 2
		d.writes = append(d.writes, bytes.Clone(p[:n]))
		return n, errDown
	}
	n := len(p)
	if d.maxN > 0 {
		n = min(n, d.maxN)
	}
	d.writes = append(d.writes, bytes.Clone(p[:n]))
	return n, nil
}

func (d *fakeDst) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

// hold makes every Write wait until allow or release.
func (d *fakeDst) hold() { d.set(func() { d.gate = 0 }) }

// allow lets k more Writes through a held destination.
func (d *fakeDst) allow(k int) { d.set(func() { d.gate += k }) }

// release opens the destination for good.
func (d *fakeDst) release() { d.set(func() { d.gate = math.MaxInt }) }

func (d *fakeDst) setFailing(on bool) { d.set(func() { d.failing = on }) }

func (d *fakeDst) set(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f()
	d.cond.Broadcast()
}

// waitCalls waits until n Writes have begun.
func (d *fakeDst) waitCalls(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.calls < n {
		d.cond.Wait()
	}
}

// lines returns the successful Writes, one string each.
func (d *fakeDst) lines() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := make([]string, len(d.writes))
	for i, b := range d.writes {
		s[i] = string(b)
	}
	return s
}

// waitFor polls cond until it holds. The deadline only keeps a broken test
// from hanging; no test depends on how fast anything happens.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// locked runs f with w.mu held, for looking at the writer's insides.
func locked[T any](w *AsyncWriter, f func() T) T {
	w.mu.Lock()
	defer w.mu.Unlock()
	return f()
}

// mustClose closes w, expecting no error, and checks that its goroutine has
// returned.
func mustClose(t *testing.T, w *AsyncWriter) {
	t.Helper()
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-w.exited:
	default:
		t.Fatal("Close returned before the goroutine did")
	}
}

func mustWrite(t *testing.T, w *AsyncWriter, p []byte) {
	t.Helper()
	if n, err := w.Write(p); n != len(p) || err != nil {
		t.Fatalf("Write(%q) = %d, %v; want %d, nil", p, n, err, len(p))
	}
}

// numbered returns line i of a test stream; all have the same length.
func numbered(i int) []byte { return fmt.Appendf(nil, "{\"message\":\"line %04d\"}\n", i) }

func numberedLines(from, to int) []string {
	var s []string
	for i := from; i <= to; i++ {
		s = append(s, string(numbered(i)))
	}
	return s
}

var reportTimestamp = regexp.MustCompile(`"timestamp":"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)"`)

// checkReport checks that line is the drop report for n lines, total in all,
// byte for byte, and that it is a valid audit line.
func checkReport(t *testing.T, line string, n, total int, service string) {
	t.Helper()
	m := reportTimestamp.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("drop report has no timestamp of the fixed form: %s", line)
	}
	want := fmt.Sprintf(`{"attrs":{"dropped":%d,"dropped_total":%d},"kind":"log","level":"WARNING","message":"auditlog: dropped %d lines","schema_version":1,"service":%q,"timestamp":%q}`+"\n",
		n, total, n, service, m[1])
	if line != want {
		t.Fatalf("drop report:\n got %s\nwant %s", line, want)
	}
	if !json.Valid([]byte(line)) {
		t.Fatalf("drop report is not JSON: %s", line)
	}
	checkSortedKeys(t, line)
	if err := schema.Validate([]byte(line)); err != nil {
		t.Fatalf("drop report fails the schema: %v", err)
	}
}

// checkSortedKeys checks that the keys of every object in line are in
// byte-wise order, walking the tokens so that the order written is seen.
func checkSortedKeys(t *testing.T, line string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				keys = append(keys, k.(string))
				if err := walk(); err != nil {
					return err
				}
			}
			if !slices.IsSorted(keys) {
				return fmt.Errorf("keys %q not sorted", keys)
			}
			_, err = dec.Token()
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	if err := walk(); err != nil {
		t.Fatalf("%v in %s", err, line)
	}
}

func TestAsyncPolicyNames(t *testing.T) {
	for _, p := range []Policy{Block, Drop, Fail} {
		got, err := ParsePolicy(strings.ToUpper(p.String()))
		if err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v; want %v", strings.ToUpper(p.String()), got, err, p)
		}
	}
	if got := []string{Block.String(), Drop.String(), Fail.String()}; !slices.Equal(got, []string{"block", "drop", "fail"}) {
		t.Errorf("names = %q", got)
	}
	if _, err := ParsePolicy("lossy"); err == nil {
		t.Error("ParsePolicy(lossy) succeeded")
	}
	if got := Policy(9).String(); got != "Policy(9)" {
		t.Errorf("Policy(9).String() = %q", got)
	}
}

func TestAsyncDefaults(t *testing.T) {
	w := NewAsyncWriter(io.Discard, nil)
	defer mustClose(t, w)
	if w.policy != Block || len(w.buf) != 4<<20 || w.retryMin != 10*time.Millisecond ||
		w.retryMax != time.Second || w.flushTimeout != 5*time.Second || w.service != DefaultService() {
		t.Errorf("defaults: policy %v, buffer %d, retry %v..%v, flush timeout %v, service %q",
			w.policy, len(w.buf), w.retryMin, w.retryMax, w.flushTimeout, w.service)
	}
}

// TestAsyncBlockConcurrent has many writers share a small buffer in front of
// a destination that yields on every Write, so writers wait for room and lines
// wrap around the ring; every line must still arrive once, whole and in
// order.
func TestAsyncBlockConcurrent(t *testing.T) {
	const writers, perWriter = 8, 300
	dst := newFakeDst()
	dst.yield = true
	w := NewAsyncWriter(dst, &AsyncOptions{Policy: Block, BufferBytes: 100})
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			buf := make([]byte, 0, 64) // reused, as a handler reuses its buffer
			for i := range perWriter {
				buf = fmt.Appendf(buf[:0], "{\"g\":%d,\"i\":%d,\"pad\":%q}\n", g, i, strings.Repeat("x", i%13))
				if _, err := w.Write(buf); err != nil {
					t.Errorf("Write: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	mustClose(t, w)

	next := make([]int, writers)
	lines := dst.lines()
	for _, l := range lines {
		if strings.Count(l, "\n") != 1 || !strings.HasSuffix(l, "\n") {
			t.Fatalf("a Write did not carry exactly one line: %q", l)
		}
		var v struct{ G, I int }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if v.I != next[v.G] {
			t.Fatalf("writer %d: got line %d, want %d", v.G, v.I, next[v.G])
		}
		next[v.G]++
	}
	if len(lines) != writers*perWriter {
		t.Errorf("got %d lines, want %d", len(lines), writers*perWriter)
	}
	want := AsyncStats{Written: writers * perWriter}
	if got := w.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// TestAsyncBlockWaits checks that under Block a line that does not fit waits,
// rather than being dropped, until the destination takes a line.
func TestAsyncBlockWaits(t *testing.T) {
	dst := newFakeDst()
	dst.hold()
	w := NewAsyncWriter(dst, &AsyncOptions{Policy: Block, BufferBytes: 2 * len(numbered(1))})
	mustWrite(t, w, numbered(1))
	mustWrite(t, w, numbered(2))
	done := make(chan error)
	go func() {
		_, err := w.Write(numbered(3))
		done <- err
	}()
	waitFor(t, "the third Write waits", func() bool { return locked(w, func() bool { return w.waiting == 1 }) })
	select {
	case err := <-done:
		t.Fatalf("Write returned (%v) while the buffer was full", err)
	default:
	}
	dst.release()
	if err := <-done; err != nil {
		t.Fatalf("Write: %v", err)
	}
	mustClose(t, w)
	if got, want := dst.lines(), numberedLines(1, 3); !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

// TestAsyncWrapsRing places a line across the end of the ring and checks it
// reaches the destination whole, in one Write.
func TestAsyncWrapsRing(t *testing.T) {
	dst := newFakeDst()
	dst.hold()
	w := NewAsyncWriter(dst, &AsyncOptions{BufferBytes: 10})
	mustWrite(t, w, []byte("aaa\n"))
	mustWrite(t, w, []byte("bbb\n"))
	dst.allow(1)
	waitFor(t, "the first line is written", func() bool { return w.Stats().Written == 1 })
	p := []byte("cccc\n") // occupies bytes 8, 9, 0, 1, 2
	mustWrite(t, w, p)
	copy(p, "XXXXX") // the writer must have copied p
	if got := locked(w, func() int { return w.head + w.size }); got <= len(w.buf) {
		t.Fatalf("the last line does not wrap (head+size = %d)", got)
	}
	dst.release()
	mustClose(t, w)
	if got, want := dst.lines(), []string{"aaa\n", "bbb\n", "cccc\n"}; !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

// TestAsyncDrop fills the buffer of a held destination and checks that
// exactly the lines that did not fit are dropped, and that the count is
// reported in a line of the writer's own as soon as the destination takes a
// line again, before any later line.
func TestAsyncDrop(t *testing.T) {
	lineLen := len(numbered(1))
	dst := newFakeDst()
	dst.hold()
	w := NewAsyncWriter(dst, &AsyncOptions{Policy: Drop, BufferBytes: 10 * lineLen, Service: "drop-test"})

	// Round 1: 15 lines into room for 10; the line being written still takes
	// its room until the destination returns.
	for i := 1; i <= 15; i++ {
		mustWrite(t, w, numbered(i))
	}
	if got, want := w.Stats(), (AsyncStats{Dropped: 5, Buffered: 10 * lineLen}); got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
	dst.release()
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	for i := 16; i <= 18; i++ {
		mustWrite(t, w, numbered(i))
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}

	// Round 2: the report says only what was dropped since the last one.
	dst.hold()
	for i := 19; i <= 30; i++ {
		mustWrite(t, w, numbered(i))
	}
	if got := w.Dropped(); got != 7 {
		t.Fatalf("Dropped = %d, want 7", got)
	}
	dst.release()
	mustClose(t, w)

	lines := dst.lines()
	if len(lines) != 25 {
		t.Fatalf("got %d lines, want 25:\n%s", len(lines), strings.Join(lines, ""))
	}
	checkReport(t, lines[1], 5, 5, "drop-test")
	checkReport(t, lines[15], 2, 7, "drop-test")
	var want []string
	want = append(want, numberedLines(1, 1)...)
	want = append(want, lines[1])
	want = append(want, numberedLines(2, 10)...)
	want = append(want, numberedLines(16, 19)...)
	want = append(want, lines[15])
	want = append(want, numberedLines(20, 28)...)
	if !slices.Equal(lines, want) {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(lines, ""), strings.Join(want, ""))
	}
	if got, want := w.Stats(), (AsyncStats{Written: 23, Dropped: 7}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// TestAsyncDropWhileFailing checks that under Drop a failing destination
// keeps the lines that fit, drops the rest, and reports after it recovers.
func TestAsyncDropWhileFailing(t *testing.T) {
	lineLen := len(numbered(1))
	dst := newFakeDst()
	dst.setFailing(true)
	w := NewAsyncWriter(dst, &AsyncOptions{Policy: Drop, BufferBytes: 3 * lineLen, RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond, Service: "svc"})
	for i := 1; i <= 5; i++ {
		mustWrite(t, w, numbered(i))
	}
	dst.waitCalls(2) // failed at least once, and retried
	if got := w.Dropped(); got != 2 {
		t.Fatalf("Dropped = %d, want 2", got)
	}
	dst.setFailing(false)
	mustClose(t, w)
	lines := dst.lines()
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(lines), strings.Join(lines, ""))
	}
	checkReport(t, lines[1], 2, 2, "svc")
	if want := []string{lines[0], lines[2], lines[3]}; !slices.Equal(want, numberedLines(1, 3)) {
		t.Errorf("lines = %q", lines)
	}
	if s := w.Stats(); s.Written != 3 || s.Dropped != 2 || s.Retries == 0 {
		t.Errorf("Stats = %+v, want 3 written, 2 dropped, some retries", s)
	}
}

// TestAsyncFail checks that under Fail the caller is told: by ErrBufferFull
// when the buffer is full, and by the destination's error while it fails;
// and that nothing accepted is lost.
func TestAsyncFail(t *testing.T) {
	lineLen := len(numbered(1))
	dst := newFakeDst()
	dst.hold()
	w := NewAsyncWriter(dst, &AsyncOptions{Policy: Fail, BufferBytes: 4 * lineLen,
		RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond, FlushTimeout: time.Minute})
	for i := 1; i <= 4; i++ {
		mustWrite(t, w, numbered(i))
	}
	if n, err := w.Write(numbered(5)); n != 0 || !errors.Is(err, ErrBufferFull) {
		t.Fatalf("Write to a full buffer = %d, %v; want 0, ErrBufferFull", n, err)
	}
	dst.release()
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}

	dst.setFailing(true)
	mustWrite(t, w, numbered(6)) // taken: the failure is not known yet
	waitFor(t, "the writer sees the failure", func() bool { return locked(w, func() bool { return w.lastErr != nil }) })
	n, err := w.Write(numbered(7))
	if n != 0 || !errors.Is(err, errDown) || errors.Is(err, ErrBufferFull) {
		t.Fatalf("Write while failing = %d, %v; want 0 and an error wrapping %v", n, err, errDown)
	}
	dst.setFailing(false)
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush after recovery: %v", err)
	}
	mustWrite(t, w, numbered(8))
	mustClose(t, w)

	want := append(numberedLines(1, 4), string(numbered(6)), string(numbered(8)))
	if got := dst.lines(); !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
	if s := w.Stats(); s.Written != 6 || s.Refused != 2 || s.Dropped != 0 || s.Retries == 0 {
		t.Errorf("Stats = %+v, want 6 written, 2 refused, 0 dropped, some retries", s)
	}
}

// TestAsyncRecovers has the destination fail its first K Writes and checks
// that every line is delivered once, in order, after exactly K retries.
func TestAsyncRecovers(t *testing.T) {
	const k = 5
	dst := newFakeDst()
	dst.failN = k
	w := NewAsyncWriter(dst, &AsyncOptions{RetryMin: time.Millisecond, RetryMax: 4 * time.Millisecond})
	for i := 1; i <= 20; i++ {
		mustWrite(t, w, numbered(i))
	}
	mustClose(t, w)
	if got, want := dst.lines(), numberedLines(1, 20); !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
	if got, want := w.Stats(), (AsyncStats{Written: 20, Retries: k}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// TestAsyncFlushTimeout has the destination fail for good: Flush gives up
// with its error and keeps the lines; Close gives up too, counts them as lost
// and releases the writer still waiting for room.
func TestAsyncFlushTimeout(t *testing.T) {
	lineLen := len(numbered(1))
	dst := newFakeDst()
	dst.setFailing(true)
	w := NewAsyncWriter(dst, &AsyncOptions{Policy: Block, BufferBytes: 3 * lineLen,
		RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond, FlushTimeout: 30 * time.Millisecond})
	for i := 1; i <= 3; i++ {
		mustWrite(t, w, numbered(i))
	}
	if err := w.Flush(); !errors.Is(err, errDown) {
		t.Fatalf("Flush = %v, want an error wrapping %v", err, errDown)
	}
	if got, want := w.Stats().Buffered, 3*lineLen; got != want {
		t.Fatalf("Buffered after a failed Flush = %d, want %d", got, want)
	}

	blocked := make(chan error)
	go func() {
		_, err := w.Write(numbered(4))
		blocked <- err
	}()
	waitFor(t, "the fourth Write waits", func() bool { return locked(w, func() bool { return w.waiting == 1 }) })

	err := w.Close()
	if !errors.Is(err, errDown) || !strings.Contains(err.Error(), "lost 3 undelivered lines") {
		t.Fatalf("Close = %v, want an error counting 3 lost lines and wrapping %v", err, errDown)
	}
	if err := <-blocked; !errors.Is(err, ErrClosed) {
		t.Errorf("waiting Write = %v, want ErrClosed", err)
	}
	if got := w.Dropped(); got != 3 {
		t.Errorf("Dropped = %d, want 3", got)
	}
	if s := w.Stats(); s.Written != 0 || s.Buffered != 0 || s.Retries == 0 {
		t.Errorf("Stats = %+v, want nothing written or buffered, some retries", s)
	}
	if err := w.Flush(); err != nil {
		t.Errorf("Flush after Close = %v, want nil", err)
	}
	if len(dst.lines()) != 0 {
		t.Errorf("lines written to a failing destination: %q", dst.lines())
	}
}

// TestAsyncFlushWaitsForSlowDestination checks that Flush waits for a
// destination that is slow rather than failing, however long it takes.
func TestAsyncFlushWaitsForSlowDestination(t *testing.T) {
	dst := newFakeDst()
	dst.hold()
	w := NewAsyncWriter(dst, &AsyncOptions{FlushTimeout: time.Nanosecond})
	mustWrite(t, w, numbered(1))
	flushed := make(chan error)
	go func() { flushed <- w.Flush() }()
	dst.waitCalls(1)
	select {
	case err := <-flushed:
		t.Fatalf("Flush returned (%v) before the line was written", err)
	default:
	}
	dst.release()
	if err := <-flushed; err != nil {
		t.Fatalf("Flush: %v", err)
	}
	mustClose(t, w)
}

func TestAsyncShortWrites(t *testing.T) {
	in := []string{strings.Repeat("a", 29) + "\n", "b\n", strings.Repeat("c", 13) + "\n", strings.Repeat("d", 6) + "\n"}
	t.Run("nil error", func(t *testing.T) {
		dst := newFakeDst()
		dst.maxN = 7
		w := NewAsyncWriter(dst, &AsyncOptions{RetryMin: time.Microsecond, RetryMax: time.Microsecond})
		wantRetries := 0
		for _, l := range in {
			mustWrite(t, w, []byte(l))
			wantRetries += (len(l)+6)/7 - 1
		}
		mustClose(t, w)
		if got, want := strings.Join(dst.lines(), ""), strings.Join(in, ""); got != want {
			t.Errorf("output = %q, want %q", got, want)
		}
		if got, want := w.Stats(), (AsyncStats{Written: uint64(len(in)), Retries: uint64(wantRetries)}); got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
	})
	t.Run("with error", func(t *testing.T) {
		dst := newFakeDst()
		dst.partialErrN = 2
		w := NewAsyncWriter(dst, &AsyncOptions{RetryMin: time.Microsecond, RetryMax: time.Microsecond})
		for _, l := range in {
			mustWrite(t, w, []byte(l))
		}
		mustClose(t, w)
		if got, want := strings.Join(dst.lines(), ""), strings.Join(in, ""); got != want {
			t.Errorf("output = %q, want %q: the bytes taken must not be written again", got, want)
		}
		if got, want := w.Stats(), (AsyncStats{Written: uint64(len(in)), Retries: 2}); got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
	})
}

func TestAsyncOversizedLine(t *testing.T) {
	for _, p := range []Policy{Block, Drop, Fail} {
		t.Run(p.String(), func(t *testing.T) {
			dst := newFakeDst()
			w := NewAsyncWriter(dst, &AsyncOptions{Policy: p, BufferBytes: 16})
			n, err := w.Write([]byte(strings.Repeat("x", 16) + "\n"))
			if n != 0 || !errors.Is(err, ErrLineTooLarge) {
				t.Errorf("Write of 17 bytes = %d, %v; want 0, ErrLineTooLarge", n, err)
			}
			fits := strings.Repeat("y", 15) + "\n"
			mustWrite(t, w, []byte(fits))
			mustClose(t, w)
			if got := dst.lines(); !slices.Equal(got, []string{fits}) {
				t.Errorf("lines = %q, want only the line that fits", got)
			}
			if got, want := w.Stats(), (AsyncStats{Written: 1, Refused: 1}); got != want {
				t.Errorf("Stats = %+v, want %+v", got, want)
			}
		})
	}
}

func TestAsyncClose(t *testing.T) {
	dst := newFakeDst()
	w := NewAsyncWriter(dst, nil)
	if n, err := w.Write(nil); n != 0 || err != nil {
		t.Errorf("Write(nil) = %d, %v; want 0, nil", n, err)
	}
	mustWrite(t, w, numbered(1))

	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := w.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	mustClose(t, w)

	if n, err := w.Write(numbered(2)); n != 0 || !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %d, %v; want 0, ErrClosed", n, err)
	}
	if err := w.Flush(); err != nil {
		t.Errorf("Flush after Close = %v", err)
	}
	if got, want := dst.lines(), numberedLines(1, 1); !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
	if dst.closed {
		t.Error("Close closed the destination")
	}
}

// asyncGoroutines counts the goroutines started by NewAsyncWriter, whether
// they have begun to run or not.
func asyncGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "created by github.com/auditlog-go/auditlog/auditlog.NewAsyncWriter ")
		}
		buf = make([]byte, 2*len(buf))
	}
}

func TestAsyncNoGoroutineLeak(t *testing.T) {
	before := asyncGoroutines()
	healthy := NewAsyncWriter(io.Discard, &AsyncOptions{Policy: Drop})
	mustWrite(t, healthy, numbered(1))
	idle := NewAsyncWriter(io.Discard, nil)
	dst := newFakeDst()
	dst.setFailing(true)
	failing := NewAsyncWriter(dst, &AsyncOptions{Policy: Fail, RetryMin: time.Hour, FlushTimeout: time.Millisecond})
	mustWrite(t, failing, numbered(1))
	dst.waitCalls(1) // now waiting an hour to retry

	if got := asyncGoroutines(); got < 3 {
		t.Fatalf("%d writer goroutines seen, want at least 3: the count is broken", got)
	}
	mustClose(t, healthy)
	mustClose(t, idle)
	if err := failing.Close(); !errors.Is(err, errDown) {
		t.Fatalf("Close = %v, want an error wrapping %v", err, errDown)
	}
	waitFor(t, "the writer goroutines exit", func() bool { return asyncGoroutines() <= before })
}

func BenchmarkAsyncWriterWrite(b *testing.B) {
	line := []byte(`{"action":"create","context":{"request_id":"req-0b2c9a8f"},"kind":"request","level":"INFO","message":"POST /servers","schema_version":1,"service":"compute-api","timestamp":"2025-01-02T03:04:05.678901Z"}` + "\n")
	for _, p := range []Policy{Block, Drop} {
		b.Run(p.String(), func(b *testing.B) {
			w := NewAsyncWriter(io.Discard, &AsyncOptions{Policy: p})
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if _, err := w.Write(line); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(w.Dropped())/float64(b.N), "dropped/op")
		})
	}
}
