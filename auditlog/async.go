package auditlog

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file holds the delivery layer: an io.Writer that sits between a
// Handler and a destination that may be slow or may fail, and that applies an
// explicit Policy when a line cannot be taken at once.

// Policy says what [AsyncWriter.Write] does with a line it cannot take at once,
// because the buffer is full or the destination is failing. No one answer
// suits every audit trail, so the choice is the operator's: Block keeps every
// line but lets a slow destination slow the service, Drop keeps the service
// fast and counts what it loses, and Fail hands the problem to the caller.
type Policy int

const (
	// Block makes Write wait for room in the buffer, so a slow or failing
	// destination pushes back on the callers. Nothing is lost.
	Block Policy = iota

	// Drop makes Write never wait: a line that does not fit is dropped and
	// counted exactly, and the writer reports the count in a line of its own
	// as soon as the destination accepts again.
	Drop

	// Fail makes Write never wait: a line that does not fit is refused with
	// [ErrBufferFull], and while the destination is failing every line is
	// refused with an error that wraps the destination's. The caller knows.
	Fail
)

var policyNames = [...]string{"block", "drop", "fail"}

// String returns the policy's name as [ParsePolicy] accepts it.
func (p Policy) String() string {
	if p >= 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "Policy(" + strconv.Itoa(int(p)) + ")"
}

// ParsePolicy is the inverse of [Policy.String], for flags and configuration
// files. It ignores case, and it refuses anything else rather than fall back
// to a default, because the choice between losing lines and slowing the
// service should never be made by a typo.
func ParsePolicy(s string) (Policy, error) {
	for i, n := range policyNames {
		if strings.EqualFold(s, n) {
			return Policy(i), nil
		}
	}
	return Block, fmt.Errorf("auditlog: unknown delivery policy %q (want block, drop or fail)", s)
}

var (
	// ErrBufferFull is returned by [AsyncWriter.Write] under [Fail] when the
	// line does not fit in the buffer. The line was not taken.
	ErrBufferFull = errors.New("auditlog: delivery buffer full")

	// ErrClosed is returned by [AsyncWriter.Write] after [AsyncWriter.Close]
	// has begun, and to a Write still waiting for room under [Block] when
	// Close gives up on the destination. The line was not taken.
	ErrClosed = errors.New("auditlog: async writer closed")

	// ErrLineTooLarge is returned (wrapped) by [AsyncWriter.Write], under every
	// policy, for a line longer than the buffer. Such a line could never fit,
	// and splitting it would break the one-line-one-object promise, so it is
	// refused whole.
	ErrLineTooLarge = errors.New("auditlog: line larger than the delivery buffer")
)

// The defaults of [AsyncOptions].
const (
	defaultBufferBytes  = 4 << 20
	defaultRetryMin     = 10 * time.Millisecond
	defaultRetryMax     = time.Second
	defaultFlushTimeout = 5 * time.Second
)

// AsyncOptions configures an [AsyncWriter]. A nil *AsyncOptions means all
// defaults; so does the zero value of each field.
type AsyncOptions struct {
	// Policy says what Write does with a line it cannot take at once.
	// Default: Block.
	Policy Policy

	// BufferBytes bounds the bytes of the lines that were accepted but are
	// not yet written; a line fits if it and those lines add up to no more.
	// The buffer is allocated once, at this size. Besides it the writer keeps
	// a copy of the longest line that ever wrapped around the buffer's end
	// (one Write needs it in one piece) and a length for each buffered line.
	// A single line longer than BufferBytes is refused with
	// [ErrLineTooLarge]. Default: 4 MiB.
	BufferBytes int

	// RetryMin is the wait after a failed destination Write before the line
	// is tried again; each further failure doubles it, up to RetryMax.
	// Defaults: 10ms and 1s.
	RetryMin time.Duration
	RetryMax time.Duration

	// FlushTimeout is how long Flush and Close keep waiting while the
	// destination is failing before they give up. Time spent waiting on a
	// destination that is slow but succeeding does not count. Default: 5s.
	FlushTimeout time.Duration

	// Service is the service name written in the writer's own drop-report
	// line. Default: [DefaultService].
	Service string
}

// AsyncStats is a snapshot of an [AsyncWriter]'s counters. The counters are
// exact: once the writer is closed, every line given to Write was either
// written, dropped, refused, or refused with ErrClosed (which is not counted).
type AsyncStats struct {
	Written  uint64 // lines written whole to the destination (drop reports excluded)
	Dropped  uint64 // lines dropped under Drop, plus lines lost at Close
	Refused  uint64 // lines Write returned an error for, other than ErrClosed
	Retries  uint64 // destination Writes that repeated a failed or short one
	Buffered int    // bytes accepted and not yet written
}

// AsyncWriter is an io.Writer that takes whole lines, keeps them in a buffer
// of fixed size, and writes them to a destination from one goroutine of its
// own, so that a slow or failing destination costs the caller only what its
// [Policy] allows. It keeps the order of lines, makes exactly one destination
// Write per line (some destinations treat each Write as a message), retries a
// failed Write with exponential back-off rather than lose the line, and counts
// every line it does not deliver.
//
// An AsyncWriter must be closed with [AsyncWriter.Close], which delivers what
// is buffered and stops the goroutine. It is safe for concurrent use.
type AsyncWriter struct {
	dst          io.Writer
	policy       Policy
	retryMin     time.Duration
	retryMax     time.Duration
	flushTimeout time.Duration
	service      string

	wake   chan struct{} // holds a token when an idle run has work
	quit   chan struct{} // closed by Close: run stops retrying and returns
	exited chan struct{} // closed when run has returned

	closeOnce sync.Once

	mu   sync.Mutex
	room sync.Cond // broadcast when bytes leave the ring, and when stopped

	// The ring: the buffered lines, oldest first, start at head and may wrap
	// around the end of buf. It is allocated once; lines are copied in, so
	// Write allocates nothing once lens has grown to the working set.
	buf  []byte
	head int
	size int

	// The lengths of the buffered lines, oldest first, in a ring whose
	// length is a power of two. It grows by doubling and never shrinks.
	lens      []int
	lensHead  int
	lensCount int

	idle    bool   // run is waiting for a token on wake
	closed  bool   // Close has begun: Write returns ErrClosed
	stopped bool   // Close is done with run: waiting writers give up
	waiting int    // writers waiting for room under Block
	ticket  uint64 // next ticket for a waiting writer; they enter in order
	serving uint64 // the ticket whose turn it is

	accepted uint64 // lines taken into the ring, ever
	done     uint64 // lines that left the ring, written or lost
	written  uint64
	dropped  uint64
	refused  uint64
	retries  uint64

	pendingDrop uint64 // lines dropped since the last report
	reportDue   bool   // the destination accepted since the drops: report next
	reporting   bool   // run is writing a report line

	lastErr      error     // the destination's last error; nil once a Write succeeds
	failingSince time.Time // when the current run of failures began
	progress     chan struct{}
}

var _ io.Writer = (*AsyncWriter)(nil)

// NewAsyncWriter returns an AsyncWriter that delivers to dst, and starts its
// goroutine. The destination is written from that goroutine only, one line per
// Write, so it need not be safe for concurrent use. NewAsyncWriter panics if
// dst is nil or the policy is not one of Block, Drop and Fail: both are
// mistakes in the program, and an audit trail should not start without a
// decided policy.
func NewAsyncWriter(dst io.Writer, opts *AsyncOptions) *AsyncWriter {
	if dst == nil {
		panic("auditlog: NewAsyncWriter with a nil destination")
	}
	var o AsyncOptions
	if opts != nil {
		o = *opts
	}
	if o.Policy < Block || o.Policy > Fail {
		panic("auditlog: NewAsyncWriter with unknown " + o.Policy.String())
	}
	if o.BufferBytes <= 0 {
		o.BufferBytes = defaultBufferBytes
	}
	if o.RetryMin <= 0 {
		o.RetryMin = defaultRetryMin
	}
	if o.RetryMax <= 0 {
		o.RetryMax = defaultRetryMax
	}
	o.RetryMax = max(o.RetryMax, o.RetryMin)
	if o.FlushTimeout <= 0 {
		o.FlushTimeout = defaultFlushTimeout
	}
	if o.Service == "" {
		o.Service = DefaultService()
	}
	w := &AsyncWriter{
		dst:          dst,
		policy:       o.Policy,
		retryMin:     o.RetryMin,
		retryMax:     o.RetryMax,
		flushTimeout: o.FlushTimeout,
		service:      o.Service,
		wake:         make(chan struct{}, 1),
		quit:         make(chan struct{}),
		exited:       make(chan struct{}),
		buf:          make([]byte, o.BufferBytes),
		lens:         make([]int, 256),
	}
	w.room.L = &w.mu
	go w.run()
	return w
}

// Write takes p as one whole line and returns before it is written. p is
// copied, so the caller may reuse it as soon as Write returns; it must hold
// exactly one line, because the writer never splits or joins what it is
// given. A Write of no bytes does nothing.
//
// A nil error means the line was taken and will be written, except under
// [Drop], where a line that does not fit is counted (see [AsyncWriter.Dropped])
// and Write still returns len(p) and nil: that policy chose not to trouble the
// caller. An error means the line was not taken and the writer keeps no trace
// of it: [ErrLineTooLarge] under every policy, [ErrBufferFull] or the
// destination's failure (wrapped) under [Fail], and [ErrClosed] once Close has
// begun. Under [Block], Write waits, in turn with other waiting writers, until
// the line fits.
func (w *AsyncWriter) Write(p []byte) (int, error) {
	n := len(p)
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return 0, ErrClosed
	}
	if n == 0 {
		w.mu.Unlock()
		return 0, nil
	}
	if n > len(w.buf) {
		w.refused++
		size := len(w.buf)
		w.mu.Unlock()
		return 0, fmt.Errorf("%w: %d bytes, buffer %d", ErrLineTooLarge, n, size)
	}
	switch w.policy {
	case Fail:
		if err := w.lastErr; err != nil {
			w.refused++
			w.mu.Unlock()
			return 0, fmt.Errorf("auditlog: destination failing: %w", err)
		}
		if w.size+n > len(w.buf) {
			w.refused++
			w.mu.Unlock()
			return 0, ErrBufferFull
		}
	case Drop:
		if w.size+n > len(w.buf) {
			w.dropped++
			w.pendingDrop++
			w.mu.Unlock()
			return n, nil
		}
	default:
		// Writers already waiting go first, so that a long line is not
		// starved by a stream of short ones.
		if (w.size+n > len(w.buf) || w.waiting > 0) && !w.waitRoom(n) {
			w.mu.Unlock()
			return 0, ErrClosed
		}
	}
	w.push(p)
	w.mu.Unlock()
	return n, nil
}

// waitRoom waits, in ticket order, until n bytes fit in the ring. It reports
// false if Close gave up on the destination first. w.mu is held.
func (w *AsyncWriter) waitRoom(n int) bool {
	t := w.ticket
	w.ticket++
	w.waiting++
	for !w.stopped && (w.serving != t || w.size+n > len(w.buf)) {
		w.room.Wait()
	}
	w.waiting--
	w.serving++
	w.room.Broadcast() // the next in turn may fit too
	return !w.stopped
}

// push copies p into the ring and wakes run if it is idle. w.mu is held and p
// fits.
func (w *AsyncWriter) push(p []byte) {
	tail := w.head + w.size
	if tail >= len(w.buf) {
		tail -= len(w.buf)
	}
	if k := copy(w.buf[tail:], p); k < len(p) {
		copy(w.buf, p[k:])
	}
	w.size += len(p)
	if w.lensCount == len(w.lens) {
		grown := make([]int, 2*len(w.lens))
		k := copy(grown, w.lens[w.lensHead:])
		copy(grown[k:], w.lens[:w.lensHead])
		w.lens, w.lensHead = grown, 0
	}
	w.lens[(w.lensHead+w.lensCount)&(len(w.lens)-1)] = len(p)
	w.lensCount++
	w.accepted++
	if w.idle {
		w.idle = false
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// pop removes the oldest line from the ring once it is written or lost. w.mu
// is held.
func (w *AsyncWriter) pop() {
	n := w.lens[w.lensHead]
	w.lensHead = (w.lensHead + 1) & (len(w.lens) - 1)
	w.lensCount--
	w.size -= n
	if w.size == 0 {
		w.head = 0 // an empty ring starts over, so fewer lines wrap
	} else if w.head += n; w.head >= len(w.buf) {
		w.head -= len(w.buf)
	}
	w.done++
	if w.waiting > 0 {
		w.room.Broadcast()
	}
}

// run is the goroutine that writes to the destination. It reads the oldest
// line in place, without holding w.mu: writers only ever touch the ring beyond
// head+size, and the line stays counted in size until pop.
func (w *AsyncWriter) run() {
	defer close(w.exited)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var scratch, report []byte
	for {
		w.mu.Lock()
		if w.quitting() {
			w.mu.Unlock()
			return
		}
		if !w.reportDue && w.lensCount == 0 {
			w.idle = true
			w.mu.Unlock()
			select {
			case <-w.wake:
			case <-w.quit:
			}
			continue
		}
		var line []byte
		isReport := w.reportDue
		if isReport {
			n := w.pendingDrop
			w.pendingDrop, w.reportDue, w.reporting = 0, false, true
			report = w.appendDropReport(report[:0], n, w.dropped)
			line = report
			w.mu.Unlock()
		} else {
			start, n := w.head, w.lens[w.lensHead]
			w.mu.Unlock()
			if end := start + n; end <= len(w.buf) {
				line = w.buf[start:end]
			} else {
				// The line wraps around the end of the ring; one Write
				// needs it in one piece.
				if cap(scratch) < n {
					scratch = make([]byte, n)
				}
				line = scratch[:n]
				k := copy(line, w.buf[start:])
				copy(line[k:], w.buf[:n-k])
			}
		}
		if !w.deliver(line, isReport, timer) {
			return
		}
	}
}

// quitting reports whether Close has told run to stop.
func (w *AsyncWriter) quitting() bool {
	select {
	case <-w.quit:
		return true
	default:
		return false
	}
}

// deliver writes p to the destination, retrying with back-off until it is all
// written, and does the bookkeeping. It reports false if Close told it to give
// up first.
func (w *AsyncWriter) deliver(p []byte, isReport bool, timer *time.Timer) bool {
	backoff := w.retryMin
	for {
		n, err := w.dst.Write(p)
		n = min(max(n, 0), len(p))
		if err == nil && n < len(p) {
			err = io.ErrShortWrite
		}
		w.mu.Lock()
		if err == nil {
			w.lastErr, w.failingSince = nil, time.Time{}
			if isReport {
				w.reporting = false
			} else {
				w.pop()
				w.written++
			}
			if w.pendingDrop > 0 {
				w.reportDue = true
			}
			w.notify()
			w.mu.Unlock()
			return true
		}
		// What the destination took stays written; only the rest is tried
		// again, so a line is never written twice in part.
		p = p[n:]
		w.lastErr = err
		if w.failingSince.IsZero() {
			w.failingSince = time.Now()
		}
		w.notify()
		w.mu.Unlock()

		timer.Reset(backoff)
		select {
		case <-timer.C:
		case <-w.quit:
			timer.Stop()
			return false
		}
		backoff = min(2*backoff, w.retryMax)
		w.mu.Lock()
		w.retries++
		w.mu.Unlock()
	}
}

// appendDropReport appends the writer's own line that reports n lines
// dropped since the last report, total in all. Its keys are written in sorted
// order, like every line of the package.
func (w *AsyncWriter) appendDropReport(b []byte, n, total uint64) []byte {
	b = append(b, '{')
	b = appendKey(b, KeyAttrs, true)
	b = append(b, '{')
	b = appendKey(b, "dropped", true)
	b = strconv.AppendUint(b, n, 10)
	b = appendKey(b, "dropped_total", false)
	b = strconv.AppendUint(b, total, 10)
	b = append(b, '}')
	b = appendKey(b, KeyKind, false)
	b = appendString(b, KindLog.String())
	b = appendKey(b, KeyLevel, false)
	b = appendString(b, LevelNameWarning)
	b = appendKey(b, KeyMessage, false)
	b = append(b, '"')
	b = appendStringBody(b, "auditlog: dropped ")
	b = strconv.AppendUint(b, n, 10)
	b = appendStringBody(b, " lines")
	b = append(b, '"')
	b = appendKey(b, KeySchemaVersion, false)
	b = strconv.AppendInt(b, SchemaVersion, 10)
	b = appendKey(b, KeyService, false)
	b = appendString(b, w.service)
	b = appendKey(b, KeyTimestamp, false)
	b = appendTimestamp(b, time.Now())
	return append(b, '}', '\n')
}

// notify wakes everyone waiting in wait. w.mu is held. The channel is made
// only when someone waits, so that delivery allocates nothing otherwise.
func (w *AsyncWriter) notify() {
	if w.progress != nil {
		close(w.progress)
		w.progress = nil
	}
}

// wait waits until done holds, checking it with w.mu held after each event
// of delivery. It gives up, with the destination's error, once the destination
// has been failing for the flush timeout while wait waited.
func (w *AsyncWriter) wait(done func() bool) error {
	start := time.Now()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	w.mu.Lock()
	for !done() {
		var expired <-chan time.Time
		if w.lastErr != nil {
			since := w.failingSince
			if since.Before(start) {
				since = start
			}
			left := w.flushTimeout - time.Since(since)
			if left <= 0 {
				err := fmt.Errorf("auditlog: gave up after the destination failed for %v: %w", w.flushTimeout, w.lastErr)
				w.mu.Unlock()
				return err
			}
			if timer == nil {
				timer = time.NewTimer(left)
			} else {
				timer.Reset(left)
			}
			expired = timer.C
		}
		if w.progress == nil {
			w.progress = make(chan struct{})
		}
		ch := w.progress
		w.mu.Unlock()
		select {
		case <-ch:
		case <-expired:
		}
		w.mu.Lock()
	}
	w.mu.Unlock()
	return nil
}

// reportPending reports whether a drop report is owed or being written. w.mu
// is held.
func (w *AsyncWriter) reportPending() bool {
	return w.pendingDrop > 0 || w.reportDue || w.reporting
}

// Flush waits until every line accepted before the call, and any drop report
// owed, is written to the destination, so that a caller can know its lines are
// out of the process (how durable they are then is up to the destination).
// Lines accepted during Flush are not waited for, so Flush ends under steady
// traffic.
//
// A slow destination is waited for as long as it takes. If the destination
// fails and keeps failing for FlushTimeout, Flush returns an error wrapping
// its last failure; the lines stay buffered and are still retried, so a later
// Flush may succeed. After Close, Flush returns nil: nothing is left to wait
// for.
func (w *AsyncWriter) Flush() error {
	w.mu.Lock()
	target := w.accepted
	w.mu.Unlock()
	return w.wait(func() bool {
		return w.stopped || (w.done >= target && !w.reportPending())
	})
}

// Close stops taking lines, waits as Flush does for every line already
// accepted (including those of writers waiting for room under Block), and
// stops the goroutine. It does not close the destination, which the writer
// does not own.
//
// If the destination is still failing after FlushTimeout, Close gives up:
// the lines not delivered are counted as lost in [AsyncWriter.Dropped], and
// Close returns an error that says how many and wraps the destination's last
// failure. Writers still waiting for room get [ErrClosed]. Close cannot
// interrupt a destination Write that never returns; give such a destination a
// deadline of its own.
//
// After Close, Write returns [ErrClosed]. Close may be called more than once,
// from any goroutine; the calls after the first wait for it and return nil.
func (w *AsyncWriter) Close() error {
	var err error
	w.closeOnce.Do(func() { err = w.close() })
	return err
}

func (w *AsyncWriter) close() error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	flushErr := w.wait(func() bool {
		return w.waiting == 0 && w.done == w.accepted && !w.reportPending()
	})
	close(w.quit)
	<-w.exited

	w.mu.Lock()
	lost := w.lensCount
	w.dropped += uint64(lost)
	w.done += uint64(lost)
	w.lensCount, w.lensHead, w.size, w.head = 0, 0, 0, 0
	w.pendingDrop, w.reportDue, w.reporting = 0, false, false
	w.stopped = true
	w.room.Broadcast()
	w.notify()
	w.mu.Unlock()
	if lost > 0 {
		// flushErr is not nil: a successful wait leaves nothing buffered,
		// and nothing can be added once closed is set and no one waits.
		return fmt.Errorf("auditlog: close lost %d undelivered lines: %w", lost, flushErr)
	}
	return nil
}

// Dropped returns the exact number of lines dropped under [Drop], plus those
// lost at Close because the destination kept failing. It is the number to
// alert on: a nonzero value means the audit trail has a gap.
func (w *AsyncWriter) Dropped() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dropped
}

// Stats returns a consistent snapshot of the writer's counters.
func (w *AsyncWriter) Stats() AsyncStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return AsyncStats{
		Written:  w.written,
		Dropped:  w.dropped,
		Refused:  w.refused,
		Retries:  w.retries,
		Buffered: w.size,
	}
}
