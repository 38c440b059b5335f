package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// FollowOptions configures [Follow]. The zero value means the defaults.
type FollowOptions struct {
	// BatchLines and BatchWait bound a batch: it is stored once it holds
	// BatchLines events, or once its oldest event has waited BatchWait and
	// the reader has nothing more to read for now. Defaults: 500, 200ms.
	BatchLines int
	BatchWait  time.Duration

	// PollInterval is how often a file at its end is looked at for growth,
	// rotation and truncation. Default: 100ms.
	PollInterval time.Duration

	// TextHold is how long an oslo.log text record is kept open for more
	// continuation lines (its traceback) after its file went quiet.
	// oslo.log writes a record and its traceback in one write, so a short
	// hold loses nothing. Default: 1s.
	TextHold time.Duration

	// Location is the zone of oslo.log text timestamps, which carry none.
	// Default: UTC.
	Location *time.Location

	// MaxLine bounds a line; a longer one is counted as bad. Default:
	// DefaultMaxLine.
	MaxLine int

	// RetryMin and RetryMax bound the back-off while the store is
	// unavailable. Defaults: 100ms and 5s.
	RetryMin, RetryMax time.Duration

	// Logger gets the follower's reports: where each file resumes, each
	// bad line (file:line and reason), the store going away and coming
	// back. Default: slog.Default().
	Logger *slog.Logger
}

// FollowStats counts what a [Follower] did.
type FollowStats struct {
	Lines      int64 // physical lines read
	Events     int64 // events made (a text record of several lines is one)
	Inserted   int64 // new events stored
	Duplicates int64 // events the store already had (a re-read after a restart)
	Bad        int64 // lines that made no event
	Batches    int64 // successful inserts
	Retries    int64 // inserts or offset saves tried again while the store was away
}

// Follower tails files into a store; see [Follow].
type Follower struct {
	store events.Store
	paths []string
	opts  FollowOptions
	log   *slog.Logger

	files map[string]*followed // by the name given to the reader
	batch []events.Event
	since time.Time // when the oldest event of batch was read

	lines, evs, inserted, dups, bad, batches, retries atomic.Int64
}

// followed is what the follower knows of one path.
type followed struct {
	name string // as given
	key  string // absolute: the store's key
	g    *oslolog.Grouper

	id     identity
	last   input.Position // after the last line read
	saved  input.Position // as last saved
	dirty  bool           // last moved since the save
	lineAt time.Time      // when a line last came

	open   bool           // g holds a record
	openAt input.Position // before its first line
	head   string         // its first line
}

// NewFollower returns a Follower of paths into store.
func NewFollower(store events.Store, paths []string, opts FollowOptions) *Follower {
	if opts.BatchLines <= 0 {
		opts.BatchLines = 500
	}
	if opts.BatchWait <= 0 {
		opts.BatchWait = 200 * time.Millisecond
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	if opts.TextHold <= 0 {
		opts.TextHold = time.Second
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = DefaultMaxLine
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = 100 * time.Millisecond
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 5 * time.Second
	}
	opts.RetryMax = max(opts.RetryMax, opts.RetryMin)
	f := &Follower{store: store, paths: paths, opts: opts, log: opts.Logger, files: map[string]*followed{}}
	if f.log == nil {
		f.log = slog.Default()
	}
	return f
}

// Follow tails paths like tail -F (rotation and truncation followed, a
// missing file waited for) and stores each event they hold, until ctx is
// done. Each line is recognised on its own: one of our lines or an
// oslo.log JSON line ([Line]), or a line of an oslo.log text log, which
// goes through an [oslolog.Grouper] so that a traceback stays with its
// record ([TextAt]).
//
// Events are stored in batches ([FollowOptions]); after each Insert the
// position of every file is saved in the store (SaveOffset), never past a
// line whose event is not stored. On start each file resumes at its saved
// position when it is still the same file (same inode, same first KiB,
// not shorter); a rotated or truncated one is read from the start. A
// restart re-reads at most the last batch, whose events the store counts
// as duplicates (content IDs), so nothing is lost or stored twice.
//
// A gzip-compressed file is read once, whole, and not followed (as
// tools/input reads one); after a restart it is read again and the store
// counts its events as duplicates.
//
// A bad line is counted, reported on the logger with file:line and why,
// and skipped. While Insert (or SaveOffset) fails with an error wrapping
// events.ErrUnavailable the follower waits, backing off, and tries the
// same batch again: nothing is dropped and no offset moves. Any other
// store error stops it and is returned. When ctx is done the batch read
// so far is stored (within 5s) and Follow returns nil.
func Follow(ctx context.Context, store events.Store, paths []string, opts FollowOptions) error {
	return NewFollower(store, paths, opts).Run(ctx)
}

// Stats returns the counts so far; it may be called while Run runs.
func (f *Follower) Stats() FollowStats {
	return FollowStats{
		Lines: f.lines.Load(), Events: f.evs.Load(), Inserted: f.inserted.Load(),
		Duplicates: f.dups.Load(), Bad: f.bad.Load(), Batches: f.batches.Load(), Retries: f.retries.Load(),
	}
}

// Run follows until ctx is done; see [Follow]. A Follower runs once.
func (f *Follower) Run(ctx context.Context) error {
	start := map[string]input.Position{}
	for _, p := range f.paths {
		if p == "-" || p == "" {
			return fmt.Errorf("ingest: follow %q: name a file (standard input cannot be resumed)", p)
		}
		fs, err := f.resume(ctx, p)
		if err != nil {
			return err
		}
		f.files[p] = fs
		if fs.last.Offset > 0 {
			start[p] = fs.last
		}
	}
	var failed error // a store error that stops the follow
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	rd := input.Open(rctx, f.paths, input.Options{
		Follow:       true,
		PollInterval: f.opts.PollInterval,
		MaxLine:      f.opts.MaxLine,
		Start:        start,
		OnError:      func(err error) { f.log.Warn("ingest: cannot read", "err", err) },
		OnIdle: func() {
			if failed != nil || ctx.Err() != nil {
				return
			}
			if err := f.idle(ctx); err != nil && !stopped(ctx, err) {
				failed = err
				stop()
			}
		},
	})
	defer rd.Close()
	var joined []byte
	for failed == nil {
		l, ok := rd.Next()
		if !ok {
			break
		}
		fs := f.files[l.Source]
		if fs == nil {
			continue
		}
		if ctx.Err() != nil && !endsLine(fs.name, l.Offset) {
			// Stopping: the reader hands out a last line that may still
			// be being written. Leave it for the next run.
			continue
		}
		f.line(fs, l, rawLine(l, &joined))
		if len(f.batch) >= f.opts.BatchLines {
			if err := f.flush(ctx); err != nil && !stopped(ctx, err) {
				failed = err
			}
		}
	}
	if failed != nil {
		return failed
	}
	// Store what was read; the text records still open are left for the
	// next run (their first line is where the saved offsets stop).
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := f.flush(fctx); err != nil {
		if errors.Is(err, events.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			f.log.Warn("ingest: stopped with events not stored; the next run reads them again", "events", len(f.batch), "err", err)
			return nil
		}
		return err
	}
	return nil
}

// resume looks up where p was left and whether it is still that file.
func (f *Follower) resume(ctx context.Context, p string) (*followed, error) {
	key, err := filepath.Abs(p)
	if err != nil {
		key = filepath.Clean(p)
	}
	fs := &followed{name: p, key: key, g: oslolog.NewGrouper(&oslolog.GrouperOptions{Location: f.opts.Location})}
	var o events.Offset
	var ok bool
	err = f.retry(ctx, "reading the saved offset", func() error {
		var err error
		o, ok, err = f.store.Offset(ctx, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	id, size, there := identify(p, headMax, 0)
	fs.id = id
	switch {
	case !ok:
		f.log.Info("ingest: following from the start", "file", p)
	case !there:
		f.log.Info("ingest: file not there; following from the start once it is", "file", p)
		if o.Inode != 0 {
			if err := f.catchUp(ctx, fs, o); err != nil {
				return nil, err
			}
		}
	case o.Inode != 0 && id.inode != 0 && o.Inode != id.inode:
		f.log.Info("ingest: file rotated since the last run; reading the new one from the start", "file", p)
		if err := f.catchUp(ctx, fs, o); err != nil {
			return nil, err
		}
	case size < o.Offset || !sameHead(p, o.Checksum):
		f.log.Info("ingest: file truncated or rewritten since the last run; reading from the start", "file", p)
	default:
		fs.last = input.Position{Offset: o.Offset, Line: o.Line}
		fs.saved = fs.last
		f.log.Info("ingest: resuming", "file", p, "offset", o.Offset, "line", o.Line)
	}
	return fs, nil
}

// catchUp reads the rest of the file p was when o was saved, if it is
// still there under a rotated name beside it (p.1, p-20260314…): the lines
// written after the last run stopped and before the rotation. It is found
// by its inode and first bytes; what it holds is stored before the new
// file is read. Its offset is not saved (p now names the new file): a
// crash here reads it again, and the store drops the repeats.
func (f *Follower) catchUp(ctx context.Context, fs *followed, o events.Offset) error {
	cands, _ := filepath.Glob(fs.name + "?*")
	for _, c := range cands {
		fi, err := os.Stat(c)
		if err != nil || !fi.Mode().IsRegular() || input.Inode(fi) != o.Inode || fi.Size() < o.Offset || !sameHead(c, o.Checksum) {
			continue
		}
		if fi.Size() == o.Offset {
			return nil
		}
		f.log.Info("ingest: reading the rest of the rotated file first", "file", c, "offset", o.Offset, "line", o.Line)
		old := &followed{name: c, key: fs.key, g: oslolog.NewGrouper(&oslolog.GrouperOptions{Location: f.opts.Location}),
			last: input.Position{Offset: o.Offset, Line: o.Line}}
		rd := input.Open(ctx, []string{c}, input.Options{MaxLine: f.opts.MaxLine, Start: map[string]input.Position{c: old.last},
			OnError: func(err error) { f.log.Warn("ingest: cannot read", "err", err) }})
		defer rd.Close()
		var joined []byte
		for {
			l, ok := rd.Next()
			if !ok {
				break
			}
			f.line(old, l, rawLine(l, &joined))
			if len(f.batch) >= f.opts.BatchLines {
				if err := f.flush(ctx); err != nil {
					return err
				}
			}
		}
		f.closeText(old)
		return f.flush(ctx)
	}
	return nil
}

// line handles one line (or piece) of fs.
func (f *Follower) line(fs *followed, l *input.Line, text []byte) {
	if l.Piece == input.Middle || l.Piece == input.Last {
		if l.Piece == input.Last {
			fs.last = input.Position{Offset: l.Offset, Line: l.Num}
			fs.dirty = true
		}
		return
	}
	f.lines.Add(1)
	before := fs.last
	if l.Num == 1 || l.Offset < fs.last.Offset {
		// A new file under the path (rotation) or the same one truncated:
		// the open record ended with the old contents.
		f.closeText(fs)
		if id, _, ok := identify(fs.name, headMax, 0); ok {
			fs.id = id
		}
		before = input.Position{}
		fs.saved = input.Position{Offset: -1}
	}
	fs.last = input.Position{Offset: l.Offset, Line: l.Num}
	fs.dirty = true
	fs.lineAt = time.Now()
	if l.Piece == input.First {
		f.badLine(fs, l.Num, fmt.Sprintf("line longer than %d bytes", f.opts.MaxLine))
		return
	}
	if len(text) == 0 && !fs.open {
		return
	}
	if input.StartsJSON(text) {
		ev, err, claimed := parse(text)
		if err == nil {
			f.closeText(fs)
			f.add(ev)
			return
		}
		if claimed || !fs.open {
			f.closeText(fs)
			f.badLine(fs, l.Num, err.Error())
			return
		}
		// A JSON body logged on a line of its own continues the record.
	}
	st0 := fs.g.Stats()
	done, ok := fs.g.Add(fs.name, l.Num, text)
	st := fs.g.Stats()
	if ok {
		f.add(TextAt(done, fs.head))
		fs.open = false
	}
	switch {
	case st.Malformed > st0.Malformed:
		reason := errNotRecord.Error()
		if _, perr := oslolog.ParseLine(text, nil); perr != nil {
			reason += " (" + perr.Error() + ")"
		}
		f.badLine(fs, l.Num, reason)
	case st.Lines-st.Continued-st.Malformed > st0.Lines-st0.Continued-st0.Malformed:
		// This line starts a record.
		fs.open, fs.openAt, fs.head = true, before, string(text)
	}
}

// closeText ends the record fs's Grouper holds, if any, and batches it.
func (f *Follower) closeText(fs *followed) {
	if !fs.open {
		return
	}
	if rec, ok := fs.g.Flush(); ok {
		f.add(TextAt(rec, fs.head))
	}
	fs.open = false
}

func (f *Follower) add(ev events.Event) {
	if len(f.batch) == 0 {
		f.since = time.Now()
	}
	f.batch = append(f.batch, ev)
	f.evs.Add(1)
}

func (f *Follower) badLine(fs *followed, n int64, reason string) {
	f.bad.Add(1)
	f.log.Warn("ingest: bad line", "at", fmt.Sprintf("%s:%d", fs.name, n), "reason", reason)
}

// idle runs when the reader may wait: a batch that has waited long
// enough is stored, and a text record whose file has gone quiet is
// closed.
func (f *Follower) idle(ctx context.Context) error {
	now := time.Now()
	for _, fs := range f.files {
		if fs.open && now.Sub(fs.lineAt) >= f.opts.TextHold {
			f.closeText(fs)
		}
	}
	if len(f.batch) > 0 && now.Sub(f.since) >= f.opts.BatchWait || len(f.batch) == 0 && f.anyDirty() {
		return f.flush(ctx)
	}
	return nil
}

func (f *Follower) anyDirty() bool {
	for _, fs := range f.files {
		if fs.dirty && fs.safe() != fs.saved {
			return true
		}
	}
	return false
}

// safe is the position of fs that may be saved: before its open record,
// or after its last line.
func (fs *followed) safe() input.Position {
	if fs.open {
		return fs.openAt
	}
	return fs.last
}

// flush stores the batch, then saves the position of each file that
// moved.
func (f *Follower) flush(ctx context.Context) error {
	if len(f.batch) > 0 {
		var res events.Result
		err := f.retry(ctx, "storing events", func() error {
			var err error
			res, err = f.store.Insert(ctx, f.batch)
			return err
		})
		if err != nil {
			return err
		}
		f.inserted.Add(int64(res.Inserted))
		f.dups.Add(int64(res.Duplicates))
		f.batches.Add(1)
		clear(f.batch)
		f.batch = f.batch[:0]
	}
	for _, p := range f.paths {
		fs := f.files[p]
		if fs == nil {
			continue // not resumed yet (a rotated file being caught up)
		}
		pos := fs.safe()
		if !fs.dirty || pos == fs.saved {
			continue
		}
		if fs.id.sumN < min(pos.Offset, headMax) {
			// The checksum grows with the file up to a KiB; take it of the
			// file read, not of one that may have replaced it since.
			if id, _, ok := identify(fs.name, pos.Offset, fs.id.inode); ok {
				fs.id = id
			}
		}
		o := events.Offset{Path: fs.key, Inode: fs.id.inode, Offset: pos.Offset, Line: pos.Line, Checksum: fs.id.sum}
		if err := f.retry(ctx, "saving the offset", func() error { return f.store.SaveOffset(ctx, o) }); err != nil {
			return err
		}
		fs.saved = pos
		fs.dirty = fs.open
	}
	return nil
}

// retry runs op until it succeeds, fails with an error that does not
// wrap events.ErrUnavailable, or ctx is done, backing off in between.
func (f *Follower) retry(ctx context.Context, what string, op func() error) error {
	wait := f.opts.RetryMin
	failing := false
	for {
		err := op()
		if err == nil {
			if failing {
				f.log.Info("ingest: store back", "doing", what)
			}
			return nil
		}
		if !errors.Is(err, events.ErrUnavailable) {
			return fmt.Errorf("ingest: %s: %w", what, err)
		}
		if !failing {
			f.log.Warn("ingest: store unavailable; waiting and trying the same batch again", "doing", what, "events", len(f.batch), "err", err)
			failing = true
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("ingest: %s: %w (%w)", what, err, ctx.Err())
		}
		f.retries.Add(1)
		wait = min(2*wait, f.opts.RetryMax)
	}
}

// errNotRecord is what the follower says of a line that is none of the
// formats and has no text record before it to continue.
var errNotRecord = errors.New("not one of our lines, an oslo.log JSON line, nor an oslo.log record")

// endsLine reports whether the byte before off in path is a newline: the
// line that ends there is whole.
func endsLine(path string, off int64) bool {
	if off <= 0 {
		return false
	}
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	var b [1]byte
	n, _ := fh.ReadAt(b[:], off-1)
	return n == 1 && b[0] == '\n'
}

// stopped tells whether err only says that ctx is done: the follow is
// ending, not failing.
func stopped(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ctx.Err())
}
