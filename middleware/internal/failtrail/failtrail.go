// Package failtrail gives the middleware tests a real audit trail that
// loses lines: an [auditlog.Handler] writing through an
// [auditlog.AsyncWriter] under [auditlog.Fail] whose destination is down or
// whose buffer is full, and a record of what the [middleware.Reporter]'s
// error handler was told.
package failtrail

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// Mode is how the trail behaves.
type Mode int

const (
	// Down: every Write of the destination fails with [ErrDown]; the
	// writer knows it before the test begins, so it refuses every line
	// with an error wrapping ErrDown.
	Down Mode = iota
	// Full: the destination hangs on its first Write, which holds the
	// whole buffer, so every line is refused with [auditlog.ErrBufferFull].
	Full
	// Healthy: every line is delivered, to [Trail.Lines].
	Healthy
)

func (m Mode) String() string {
	return [...]string{"destination down", "buffer full", "healthy"}[m]
}

// ErrDown is the error of a destination in mode [Down].
var ErrDown = errors.New("failtrail: destination down")

// bufferBytes is the AsyncWriter's buffer in mode Full: the priming line
// fills it exactly.
const bufferBytes = 64 << 10

// Seen is one report to the error handler.
type Seen struct {
	Call      middleware.Call // a copy, without Attrs (the middleware may reuse them)
	Err       error
	RequestID string // of the ctx the handler was given
}

// Trail is the handler, its writer and what the error handler saw.
type Trail struct {
	Mode    Mode
	Handler *auditlog.Handler
	Writer  *auditlog.AsyncWriter

	dst *dest

	mu   sync.Mutex
	seen []Seen
}

// dest is the AsyncWriter's destination.
type dest struct {
	mode    Mode
	release chan struct{} // Full: closed at cleanup, so the held Write returns
	mu      sync.Mutex
	out     bytes.Buffer
}

func (d *dest) Write(p []byte) (int, error) {
	switch d.mode {
	case Down:
		return 0, ErrDown
	case Full:
		<-d.release
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.Write(p)
}

// New returns a trail in mode m, ready: in mode Down the writer has already
// seen the destination fail, in mode Full its buffer is already full. The
// writer is closed when the test ends.
func New(t testing.TB, m Mode, service string) *Trail {
	t.Helper()
	d := &dest{mode: m, release: make(chan struct{})}
	opts := &auditlog.AsyncOptions{Policy: auditlog.Fail, Service: service,
		RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond, FlushTimeout: 20 * time.Millisecond}
	if m == Full {
		opts.BufferBytes = bufferBytes
	}
	w := auditlog.NewAsyncWriter(d, opts)
	t.Cleanup(func() {
		close(d.release)
		_ = w.Close() // in mode Down it gives up on the priming lines, as it should
	})
	switch m {
	case Down:
		// The first lines are taken: the writer learns of the failure
		// only when it tries them.
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, err := w.Write([]byte("prime\n"))
			if errors.Is(err, ErrDown) {
				break
			}
			if err != nil {
				t.Fatalf("priming a failing destination: %v, want an error wrapping %v", err, ErrDown)
			}
			if time.Now().After(deadline) {
				t.Fatal("the async writer never saw its destination fail")
			}
			time.Sleep(time.Millisecond)
		}
	case Full:
		if _, err := w.Write([]byte(strings.Repeat("x", bufferBytes-1) + "\n")); err != nil {
			t.Fatalf("filling the buffer: %v", err)
		}
		if _, err := w.Write([]byte("{}\n")); !errors.Is(err, auditlog.ErrBufferFull) {
			t.Fatalf("a line to a full buffer: %v, want %v", err, auditlog.ErrBufferFull)
		}
	}
	tr := &Trail{Mode: m, Writer: w, dst: d}
	tr.Handler = auditlog.NewHandler(w, &auditlog.Options{Service: service})
	return tr
}

// Reporter returns a Reporter writing through the trail's handler with the
// trail's error handler.
func (tr *Trail) Reporter() *middleware.Reporter {
	return middleware.NewReporter(tr.Handler, middleware.WithErrorHandler(tr.OnError))
}

// OnError is the error handler: it records what it is told.
func (tr *Trail) OnError(ctx context.Context, c *middleware.Call, err error) {
	s := Seen{Call: *c, Err: err}
	s.Call.Attrs = nil
	if r, ok := auditlog.FromContext(ctx); ok {
		s.RequestID = r.ID
	}
	tr.mu.Lock()
	tr.seen = append(tr.seen, s)
	tr.mu.Unlock()
}

// Seen returns what the error handler was told, in order.
func (tr *Trail) Seen() []Seen {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]Seen(nil), tr.seen...)
}

// WantErr reports whether err is the error a lost line gets in the
// trail's mode.
func (tr *Trail) WantErr(err error) bool {
	switch tr.Mode {
	case Down:
		return errors.Is(err, ErrDown)
	case Full:
		return errors.Is(err, auditlog.ErrBufferFull)
	}
	return err == nil
}

// Lines flushes the writer and returns the lines delivered (mode Healthy).
func (tr *Trail) Lines(t testing.TB) []string {
	t.Helper()
	if err := tr.Writer.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	tr.dst.mu.Lock()
	defer tr.dst.mu.Unlock()
	s := strings.TrimSuffix(tr.dst.out.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Modes are the modes a transport test runs in.
var Modes = []Mode{Down, Full, Healthy}

// WaitSeen waits until the error handler has been told of n lines, and
// returns them. The middleware reports before the call returns, but a
// client can see a response before the server's goroutine is done.
func (tr *Trail) WaitSeen(t testing.TB, n int) []Seen {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := tr.Seen()
		if len(s) >= n || time.Now().After(deadline) {
			return s
		}
		time.Sleep(time.Millisecond)
	}
}
