package auditlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
)

// gate is a destination that holds every Write until it is opened, then
// passes lines to a Recorder.
type gate struct {
	open chan struct{}
	once sync.Once
	rec  *auditlogtest.Recorder
}

func (g *gate) Write(p []byte) (int, error) {
	<-g.open
	return g.rec.Write(p)
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// Handler and AsyncWriter together under Drop: every line a caller logged is
// either delivered or counted, the seq numbers that are missing are exactly
// the dropped lines, and the drop report says how many.
func TestHandlerOverDroppingWriter(t *testing.T) {
	g := &gate{open: make(chan struct{}), rec: auditlogtest.NewRecorder(t)}
	w := auditlog.NewAsyncWriter(g, &auditlog.AsyncOptions{Policy: auditlog.Drop, BufferBytes: 4096, Service: "svc"})
	h := auditlog.NewHandler(w, &auditlog.Options{Service: "svc", Sequence: new(auditlog.Sequence)})
	const n = 200
	for i := range n {
		if err := h.LogEvent(context.Background(), &auditlog.Event{Message: "line", Status: auditlog.Int(int64(i % 600))}); err != nil {
			t.Fatalf("line %d: %v (Drop must not fail the caller)", i, err)
		}
	}
	g.release()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dropped := w.Dropped()
	if dropped == 0 || dropped >= n {
		t.Fatalf("dropped = %d: the test did not overflow the buffer as intended", dropped)
	}
	seen := map[int64]bool{}
	var reported int64
	for _, m := range g.rec.Maps() {
		if m["message"] == "line" {
			s, _ := m["seq"].(json.Number).Int64()
			seen[s] = true
			continue
		}
		attrs := m["attrs"].(map[string]any)
		d, _ := attrs["dropped"].(json.Number).Int64()
		reported += d
	}
	if int64(len(seen))+int64(dropped) != n {
		t.Errorf("delivered %d + dropped %d != logged %d", len(seen), dropped, n)
	}
	if reported != int64(dropped) {
		t.Errorf("drop report lines say %d, Dropped() says %d", reported, dropped)
	}
	missing := 0
	for s := int64(1); s <= n; s++ {
		if !seen[s] {
			missing++
		}
	}
	if missing != int(dropped) {
		t.Errorf("%d seq numbers missing, %d lines dropped", missing, dropped)
	}
}

// Under Fail, the destination's error reaches the slog caller's handler and
// the typed caller.
func TestHandlerOverFailingWriter(t *testing.T) {
	boom := errors.New("collector unreachable")
	dst := &flaky{err: boom}
	w := auditlog.NewAsyncWriter(dst, &auditlog.AsyncOptions{Policy: auditlog.Fail, Service: "svc"})
	defer w.Close()
	h := auditlog.NewHandler(w, &auditlog.Options{Service: "svc"})
	// The first line is taken; its failed delivery makes later ones fail.
	_ = h.LogEvent(context.Background(), &auditlog.Event{Message: "first"})
	var err error
	for range 1000 {
		if err = h.LogEvent(context.Background(), &auditlog.Event{Message: "next"}); err != nil {
			break
		}
		dst.waitAttempt()
	}
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want one wrapping %v", err, boom)
	}
	dst.heal()
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush after recovery: %v", err)
	}
	if !bytes.Contains(dst.got(), []byte(`"message":"first"`)) {
		t.Errorf("the accepted line was lost: %s", dst.got())
	}
}

// flaky fails with err until healed.
type flaky struct {
	mu       sync.Mutex
	err      error
	buf      bytes.Buffer
	attempts int
	cond     *sync.Cond
}

func (f *flaky) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.cond != nil {
		f.cond.Broadcast()
	}
	if f.err != nil {
		return 0, f.err
	}
	return f.buf.Write(p)
}

// waitAttempt waits until the destination has been tried at least once.
func (f *flaky) waitAttempt() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cond == nil {
		f.cond = sync.NewCond(&f.mu)
	}
	for f.attempts == 0 {
		f.cond.Wait()
	}
}

func (f *flaky) heal() {
	f.mu.Lock()
	f.err = nil
	f.mu.Unlock()
}

func (f *flaky) got() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]byte(nil), f.buf.Bytes()...)
}
