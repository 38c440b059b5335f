package input

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// initialBuffer is the size of a Reader's buffer before any line outgrows
// it. It is large so that one read brings in thousands of lines and the
// per-line cost is a search for '\n'. Tests shrink it to reach the edges.
var initialBuffer = 1 << 20

// maxZeroReads is how many reads in a row may return nothing and no error
// before the input counts as broken, so a misbehaving io.Reader cannot spin
// the reader forever.
const maxZeroReads = 100

// Reader hands out the lines of a list of inputs in order. It is not safe
// for concurrent use.
type Reader struct {
	ctx   context.Context
	names []string
	opts  Options
	stdin io.Reader

	opened  int       // how many names the first pass has opened
	cur     *source   // the source whose bytes are in buf, or nil
	watched []*source // sources Follow polls once the first pass is done
	polling bool      // the first pass is done
	pollAt  int       // next index in watched this round
	idle    bool      // no data came in during this polling round
	timer   *time.Timer

	stopping bool // ctx is done: deliver what is held, read nothing more

	// buf[start:end] holds bytes not yet delivered; there is no '\n' in
	// buf[start:scan], so a search resumes at scan.
	buf              []byte
	start, end, scan int

	line Line
	errs []error

	curFile atomic.Pointer[os.File] // for the ctx watcher, which runs on another goroutine
	stop    func() bool

	stdinWake *os.File // standard input made pollable (see wakeable), or nil
	undoStdin func()   // puts standard input back as it was; nil until "-" is opened
}

// Open starts reading names in order; no names means standard input, as
// does the name "-". Open never fails: a name that cannot be opened becomes
// a [*SourceError] (passed to [Options.OnError] and kept for [Reader.Err])
// and the next name is read. Cancelling ctx ends the reading: Follow mode,
// a read blocked on a silent pipe, FIFO or terminal (standard input among
// them), and the wait for a FIFO's writer; Next then delivers what it holds
// and returns false, with no error for the interruption. On Unix, standard
// input that is a pipe is put in non-blocking mode for that while it is
// read, and back by Close.
//
// In Follow mode each file is read to its end in order, then all of them
// are polled every [Options.PollInterval]. A name that does not exist yet is
// reported once and then looked for at every poll, as tail -F does. Gzip
// files are read once, and so is standard input unless it is a regular
// file: a pipe blocks until there is more to read anyway, and its end is the
// end of the input.
func Open(ctx context.Context, names []string, opts Options) *Reader {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = DefaultMaxLine
	}
	if len(names) == 0 {
		names = []string{"-"}
	}
	r := &Reader{ctx: ctx, names: names, opts: opts, stdin: opts.Stdin}
	if r.stdin == nil {
		r.stdin = os.Stdin
	}
	r.stop = context.AfterFunc(ctx, r.interrupt)
	return r
}

// interrupt unblocks a read in progress when ctx is done, for inputs that
// support deadlines. It runs on the context's goroutine.
func (r *Reader) interrupt() {
	past := time.Unix(1, 0)
	if d, ok := r.stdin.(interface{ SetReadDeadline(time.Time) error }); ok {
		_ = d.SetReadDeadline(past)
	}
	if f := r.curFile.Load(); f != nil {
		_ = f.SetReadDeadline(past)
	}
}

// Next returns the next line and true, or nil and false once every input is
// exhausted. In Follow mode it returns false only after ctx is done, or when
// nothing is left that could grow. The returned Line, and the memory it
// points to, are reused by the next call.
func (r *Reader) Next() (*Line, bool) {
	for {
		if s := r.cur; s != nil {
			if r.scanLine(s, false) {
				r.line.Offset = s.pos - int64(r.end-r.start)
				return &r.line, true
			}
			if r.readMore(s) {
				continue
			}
			if s.follow && s.err == nil && !r.stopping && s.next == nil {
				s.next = s.changed()
				if s.next == nil {
					r.hold(s)
					continue
				}
				if s.next != s.f {
					// Rotated: first read what the writer added to the
					// old file before it moved to the new one.
					s.eof = false
					continue
				}
			}
			// The data from this file ends here: what is left is its
			// last line, and then it is done or replaced.
			if r.scanLine(s, true) {
				r.line.Offset = s.pos - int64(r.end-r.start)
				return &r.line, true
			}
			r.finish(s)
			continue
		}
		if !r.advance() {
			return nil, false
		}
	}
}

// scanLine puts the next line or piece of s into r.line, reporting false
// when buf holds no complete one. With final, what is left is the end of
// the input and makes a line without its '\n'.
func (r *Reader) scanLine(s *source, final bool) bool {
	max := r.opts.MaxLine
	if r.scan < r.start {
		r.scan = r.start
	}
	if i := bytes.IndexByte(r.buf[r.scan:r.end], '\n'); i >= 0 {
		nl := r.scan + i
		n := nl - r.start
		if n > 0 && r.buf[nl-1] == '\r' {
			n--
		}
		if n > max {
			r.scan = nl
			r.emit(s, r.start, max, true)
			return true
		}
		r.emit(s, r.start, n, false)
		r.start = nl + 1
		r.scan = r.start
		return true
	}
	r.scan = r.end
	n := r.end - r.start
	if final {
		if n == 0 {
			return false
		}
		if r.buf[r.end-1] == '\r' {
			n--
		}
		if n > max {
			r.emit(s, r.start, max, true)
			return true
		}
		r.emit(s, r.start, n, false)
		r.start = r.end
		return true
	}
	// Without its ending the line is longer than max once it has max+2
	// bytes, or max+1 whose last is not a '\r' that a '\n' may follow.
	if n > max+1 || (n == max+1 && r.buf[r.end-1] != '\r') {
		r.emit(s, r.start, max, true)
		return true
	}
	return false
}

// emit fills r.line with n bytes at buf[at:], a piece of a longer line when
// more is true, and moves start past a piece.
func (r *Reader) emit(s *source, at, n int, more bool) {
	text := r.buf[at : at+n : at+n]
	l := &r.line
	l.Source = s.name
	l.Prefix = nil
	l.GroupSep = false
	switch {
	case more && !s.long:
		s.num++
		s.long = true
		l.Piece = First
	case more:
		l.Piece = Middle
	case s.long:
		s.long = false
		l.Piece = Last
	default:
		s.num++
		l.Piece = Whole
	}
	if more {
		r.start += n
	}
	l.Num = s.num
	if l.Piece == Whole || l.Piece == First {
		if len(text) == 2 && text[0] == '-' && text[1] == '-' && l.Piece == Whole {
			l.GroupSep = true
		} else if len(text) > 0 && text[0] != '{' {
			l.Prefix, text = SplitPrefix(text)
		}
	}
	l.Text = text
}

// readMore reads from s into the buffer. It reports false when s has
// nothing more for now: its end, an error (kept in s.err), or ctx is done.
func (r *Reader) readMore(s *source) bool {
	if s.eof || r.stopping {
		return false
	}
	if r.ctx.Err() != nil {
		r.stopping = true
		return false
	}
	r.makeRoom()
	if r.opts.OnIdle != nil {
		r.opts.OnIdle()
	}
	for zero := 0; ; zero++ {
		n, err := s.rd.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			n, err = 0, errors.New("invalid read count")
		}
		r.end += n
		s.pos += int64(n)
		if s.plain {
			s.off += int64(n)
		}
		switch {
		case err == io.EOF:
			s.eof = true
		case err != nil:
			s.eof = true
			if r.ctx.Err() != nil {
				r.stopping = true
			} else {
				s.err = err
			}
		case n == 0 && zero < maxZeroReads:
			continue
		case n == 0:
			s.eof = true
			s.err = io.ErrNoProgress
		}
		if n > 0 {
			r.idle = false
			return true
		}
		return false
	}
}

// makeRoom makes space at the end of buf for a read: it drops delivered
// bytes and grows buf as far as a line of MaxLine needs.
func (r *Reader) makeRoom() {
	if r.buf == nil {
		r.buf = make([]byte, max(initialBuffer, 1))
	}
	if r.start == r.end {
		r.start, r.end, r.scan = 0, 0, 0
	}
	if r.end < len(r.buf) {
		return
	}
	if r.start > 0 {
		copy(r.buf, r.buf[r.start:r.end])
		r.end -= r.start
		r.scan -= r.start
		r.start = 0
		return
	}
	// buf holds one partial line, which scanLine would have cut into a
	// piece if it were already longer than MaxLine.
	nb := make([]byte, max(len(r.buf)+1, min(2*len(r.buf), r.opts.MaxLine+2)))
	r.end = copy(nb, r.buf[:r.end])
	r.buf = nb
}

// hold sets aside the partial last line of a followed source until its
// '\n' arrives, freeing the buffer for the other inputs.
func (r *Reader) hold(s *source) {
	s.pending = append(s.pending[:0], r.buf[r.start:r.end]...)
	s.eof = false
	r.start, r.end, r.scan = 0, 0, 0
	r.setCur(nil)
}

// activate makes s the current source, its held bytes first in the buffer.
func (r *Reader) activate(s *source) {
	r.start, r.end, r.scan = 0, 0, 0
	if len(s.pending) > 0 {
		if len(r.buf) < len(s.pending) {
			r.buf = make([]byte, max(initialBuffer, len(s.pending)+1))
		}
		r.end = copy(r.buf, s.pending)
		s.pending = s.pending[:0]
	}
	r.setCur(s)
}

func (r *Reader) setCur(s *source) {
	r.cur = s
	if s != nil {
		r.curFile.Store(s.wake)
	} else {
		r.curFile.Store(nil)
	}
}

// watch shows s's file to the ctx watcher before the first read of s, and
// reports ctx's error if it is done already: either the watcher sees the
// file and sets its deadline, or this sees ctx done, so a cancel that
// comes while s is being opened cannot be missed.
func (r *Reader) watch(s *source) error {
	r.curFile.Store(s.wake)
	return r.ctx.Err()
}

// finish is called when every byte of s's current file has been
// delivered: it reports a read error, then switches to the file that
// replaced it (rotation, truncation) or closes it.
func (r *Reader) finish(s *source) {
	r.start, r.end, r.scan = 0, 0, 0
	s.long = false
	if s.err != nil {
		r.report(&SourceError{Source: s.name, Line: s.num, Err: s.err})
	}
	if s.next != nil && s.err == nil && !r.stopping {
		s.switchTo(s.next)
		s.next = nil
		r.setCur(s)
		return
	}
	s.close()
	s.done = true
	r.setCur(nil)
}

// advance chooses the next source to read: the next name in the first
// pass, then, in Follow mode, the next file to poll. It reports false when
// there is nothing left to read.
func (r *Reader) advance() bool {
	if r.stopping {
		return r.flushHeld()
	}
	for r.opened < len(r.names) {
		name := r.names[r.opened]
		r.opened++
		s, err := r.open(name)
		if err != nil && r.ctx.Err() != nil {
			// Cancelled while opening it or reading its first bytes:
			// not an error of the input.
			if s != nil {
				s.close()
			}
			r.curFile.Store(nil)
			r.stopping = true
			return r.flushHeld()
		}
		if err != nil {
			r.report(&SourceError{Source: name, Err: err})
			if s != nil {
				r.watched = append(r.watched, s) // missing: looked for at every poll
			}
			continue
		}
		if s.follow {
			r.watched = append(r.watched, s)
		}
		r.activate(s)
		return true
	}
	if !r.opts.Follow {
		return false
	}
	if !r.polling {
		r.polling = true
		r.pollAt = 0
		r.idle = true
	}
	for {
		if r.pollAt >= len(r.watched) {
			live := false
			for _, s := range r.watched {
				live = live || !s.done
			}
			if !live {
				return false
			}
			if r.idle && !r.sleep() {
				r.stopping = true
				return r.flushHeld()
			}
			r.pollAt = 0
			r.idle = true
		}
		s := r.watched[r.pollAt]
		r.pollAt++
		if s.done {
			continue
		}
		if s.f == nil && !r.reopen(s) {
			continue
		}
		r.activate(s)
		return true
	}
}

// sleep waits for the poll interval, reporting false if ctx is done first.
func (r *Reader) sleep() bool {
	if r.opts.OnIdle != nil {
		r.opts.OnIdle()
	}
	if r.timer == nil {
		r.timer = time.NewTimer(r.opts.PollInterval)
	} else {
		r.timer.Reset(r.opts.PollInterval)
	}
	select {
	case <-r.timer.C:
		return true
	case <-r.ctx.Done():
		r.timer.Stop()
		return false
	}
}

// flushHeld makes the next followed source with a held partial line
// current, so Next delivers it as the last line before stopping.
func (r *Reader) flushHeld() bool {
	for _, s := range r.watched {
		if !s.done && len(s.pending) > 0 {
			r.activate(s)
			s.eof = true
			return true
		}
	}
	return false
}

// report records an input error and passes it to OnError.
func (r *Reader) report(err error) {
	r.errs = append(r.errs, err)
	if r.opts.OnError != nil {
		r.opts.OnError(err)
	}
}

// Err returns every input error so far joined with errors.Join, or nil.
// Each joined error is a [*SourceError].
func (r *Reader) Err() error {
	return errors.Join(r.errs...)
}

// Close releases the open files and stops watching ctx. It does not close
// [Options.Stdin]. Next reports false after Close.
func (r *Reader) Close() error {
	r.stop()
	if r.cur != nil {
		r.cur.close()
	}
	for _, s := range r.watched {
		s.close()
	}
	r.setCur(nil)
	r.watched = nil
	if r.undoStdin != nil {
		r.undoStdin()
		r.undoStdin, r.stdinWake = func() {}, nil
	}
	r.opened = len(r.names)
	r.stopping = true
	r.buf = nil
	r.start, r.end, r.scan = 0, 0, 0
	if r.timer != nil {
		r.timer.Stop()
	}
	return nil
}
