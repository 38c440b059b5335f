// Package extractrun is one run of the log-extract command: it reads the
// inputs through an [extract.Extractor], stores the actions in batches
// (a database, or JSON lines on standard output), saves after each batch
// how far each input was read (the read state), draws the progress line,
// and writes the summary and the note that says what a re-run will do
// after a failure. The command keeps its flags and environment and maps
// the error [Run] returns to an exit status.
//
// It is a package of its own, beside extract rather than in it, because
// running means the stores and the read state: the extractor stays a
// library of log reading with no database driver behind it, for its other
// users (tools/report), and the run stays testable without the binary.
package extractrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/state"
	"github.com/auditlog-go/auditlog/tools/extract/store"
	"github.com/auditlog-go/auditlog/tools/input"
)

// prog begins every line the run writes on stderr: it speaks for the
// command.
const prog = "log-extract"

// Config is what a run needs, once the command line and the environment
// are read and the inputs named.
type Config struct {
	// Names are the inputs: files, plain or gzip, or "-" for standard
	// input (which a run with StatePath cannot remember a position in).
	Names []string

	// Extract configures the extractor: mode, deletes, window, zone,
	// Now, Input.Stdin. The run sets Incremental (from StatePath), Start
	// (from the read state), Input.OnError and Input.OnIdle itself.
	Extract extract.Options

	// DSN names the database to store in (see [store.Open]); empty means
	// JSON lines on the IO's Out, as --dry-run wants.
	DSN      string
	Table    string // "" for the mode's default table
	Truncate bool   // empty the table first

	// StatePath is the read-state file. With it the run is incremental:
	// it starts each file where the last run stopped, holds the actions
	// still inside their window at the end, and saves, after each batch
	// is stored, how far the batch covers.
	StatePath string

	// BatchSize is how many actions go to the store in one transaction;
	// 0 means 500.
	BatchSize int

	Progress cli.ColorMode // the progress line: auto (stderr a terminal), always, never
	Quiet    bool          // no summary
}

// ErrUnreadable is what [Run] returns when it read to the end but some
// input could not be read; each was reported on stderr as it happened.
var ErrUnreadable = errors.New("some input was unreadable")

// StoppedError is what [Run] returns when it stopped before the end of its
// input: the store failed, the reader of the output went away, or ctx was
// done. The batches stored before it stay stored.
type StoppedError struct {
	Err         error
	Written     int64 // actions stored before the stop
	Batches     int   // in so many batches
	Incremental bool  // a read state covers what was stored
}

func (e *StoppedError) Error() string { return e.Err.Error() }
func (e *StoppedError) Unwrap() error { return e.Err }

// Resume says what a re-run will do after the stop.
func (e *StoppedError) Resume() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d actions in %d batches were stored before the failure", e.Written, e.Batches)
	if e.Incremental {
		b.WriteString("; the read state covers only what was stored, so a re-run resumes there")
	} else {
		b.WriteString("; re-running stores the rest, and what is already stored is not stored twice")
	}
	return b.String()
}

// Run extracts the actions of cfg.Names into the store. Out gets the JSON
// lines when there is no database; Err gets each unreadable input as it
// is met, the progress line and the summary (unless cfg.Quiet).
//
// The error is one of: the read state or the store could not be opened
// (nothing was read); a [*StoppedError]; [ErrUnreadable]; or nil.
func Run(ctx context.Context, cfg Config, io cli.IO) error {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	j := &job{c: cfg, io: io, started: time.Now(), ctx: ctx}
	return j.run()
}

// job is one run.
type job struct {
	c       Config
	io      cli.IO
	started time.Time
	ctx     context.Context

	reasons map[string]string // per file: new, resume, rotated…
	st      *state.State
	sink    store.Store
	ex      *extract.Extractor
	batch   []action.Action
	batches int
	written int64 // actions passed to the store
	stored  int64 // rows the store says it inserted (duplicates of earlier runs are not)
	failed  bool  // some input was unreadable
	prog    *cli.Progress
}

func (j *job) run() error {
	ctx := j.ctx
	opts := j.c.Extract
	opts.Incremental = j.c.StatePath != ""
	opts.Input.OnError = func(err error) {
		j.failed = true
		j.prog.Clear()
		fmt.Fprintf(j.io.Err, "%s: %v\n", prog, err)
	}
	if j.c.StatePath != "" {
		if err := j.loadState(&opts); err != nil {
			return err
		}
	}
	if err := j.openStore(ctx); err != nil {
		return err
	}
	defer j.sink.Close()

	j.prog = cli.NewProgress(j.io, j.c.Progress, j.c.Names)
	opts.Input.OnIdle = func() {
		if j.ex == nil {
			return
		}
		j.prog.Update(j.measure)
	}
	j.ex = extract.New(opts, j.emit)
	readErr := j.ex.ReadFiles(ctx, j.c.Names)
	j.prog.Clear()
	if readErr == nil {
		readErr = j.flush(ctx, j.ex.Checkpoint())
	}
	if !j.c.Quiet {
		j.summary(j.ex.Stats(), readErr)
	}
	switch {
	case readErr != nil:
		return &StoppedError{Err: readErr, Written: j.written, Batches: j.batches, Incremental: j.st != nil}
	case j.failed:
		return ErrUnreadable
	}
	return nil
}

// measure is what the progress line shows: the bytes read of all inputs,
// the lines and the actions so far.
func (j *job) measure() (int64, string) {
	s := j.ex.Stats()
	var done int64
	for _, pos := range j.ex.Checkpoint() {
		done += pos.Offset
	}
	return done, fmt.Sprintf("%d lines  %d actions", s.Lines, s.Emitted)
}

// emit is the extractor's sink: actions gather into a batch, and a full
// batch goes to the store with the checkpoint that covers it.
func (j *job) emit(a action.Action) error {
	j.batch = append(j.batch, a)
	if len(j.batch) < j.c.BatchSize {
		return nil
	}
	return j.flush(j.ctx, j.ex.Checkpoint())
}

// flush writes the batch (if any) and then, once the store has it, saves
// how far each input has been handled. A batch that fails is not half
// written (the store's transaction), and the state is not moved past it,
// so the next run reads it again.
func (j *job) flush(ctx context.Context, cp map[string]input.Position) error {
	if len(j.batch) > 0 {
		n, err := j.sink.Write(ctx, j.batch)
		if err != nil {
			return err
		}
		j.batches++ // counted once stored, so the notes agree with the table
		j.written += int64(len(j.batch))
		j.stored += int64(n)
		j.batch = j.batch[:0]
	}
	if j.st == nil {
		return nil
	}
	for name, pos := range cp {
		if name == "-" {
			continue
		}
		fi, err := os.Stat(name)
		if err != nil {
			continue
		}
		f := state.FileOf(name, fi)
		f.Offset, f.Lines = pos.Offset, pos.Line
		f.Compressed = cli.IsGzip(name) // offsets count decompressed bytes
		j.st.Commit(f)
	}
	if err := j.st.Save(); err != nil {
		return fmt.Errorf("saving the read state: %w", err)
	}
	return nil
}

func (j *job) loadState(opts *extract.Options) error {
	st, err := state.Load(j.c.StatePath)
	if err != nil {
		return err
	}
	j.st = st
	j.reasons = map[string]string{}
	opts.Start = map[string]input.Position{}
	for _, name := range j.c.Names {
		if name == "-" {
			continue
		}
		fi, err := os.Stat(name)
		if err != nil {
			continue // the reader reports it
		}
		off, lines, reason := st.Start(name, fi)
		j.reasons[name] = reason
		if off > 0 {
			opts.Start[name] = input.Position{Offset: off, Line: lines}
		}
	}
	return nil
}

func (j *job) openStore(ctx context.Context) error {
	c := j.c
	if c.DSN == "" {
		j.sink = store.NewJSONLines(j.io.Out, nil)
		return nil
	}
	s, err := store.Open(ctx, c.DSN, c.Table, c.Extract.Mode, store.Options{Truncate: c.Truncate})
	if err != nil {
		return err
	}
	j.sink = s
	return nil
}

func (j *job) summary(s extract.Stats, runErr error) {
	w := j.io.Err
	dest := "standard output (JSON lines)"
	if j.c.DSN != "" {
		dest = "the database"
	}
	fmt.Fprintf(w, "%s: %s mode, %d file(s), %d lines, %d records, in %s\n",
		prog, j.c.Extract.Mode, len(j.c.Names), s.Lines, s.Records, time.Since(j.started).Round(time.Millisecond))
	if len(j.reasons) > 0 {
		var parts []string
		for _, n := range j.c.Names {
			if r, ok := j.reasons[n]; ok {
				parts = append(parts, n+" ("+r+")")
			}
		}
		fmt.Fprintf(w, "  read state: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "  actions: %d", s.Emitted)
	if len(s.Actions) > 0 {
		keys := make([]string, 0, len(s.Actions))
		for k := range s.Actions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, s.Actions[k]))
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  unresolved (action unknown): %d\n", s.Unresolved)
	if s.Held > 0 {
		fmt.Fprintf(w, "  held for the next run: %d request(s) still inside their window at the end of the input\n", s.Held)
	}
	if dest == "the database" {
		fmt.Fprintf(w, "  stored: %d new, %d already stored (%d written in %d batch(es))\n", j.stored, j.written-j.stored, j.written, j.batches)
	} else {
		fmt.Fprintf(w, "  written to %s: %d\n", dest, j.written)
	}
	fmt.Fprintf(w, "  malformed lines skipped: %d\n", s.Malformed)
	for _, m := range s.MalformedAt {
		fmt.Fprintf(w, "    %s:%d: %s\n", m.Source, m.Line, m.Reason)
	}
	if n := s.Malformed - int64(len(s.MalformedAt)); n > 0 {
		fmt.Fprintf(w, "    … and %d more\n", n)
	}
	if runErr != nil && !cli.IsBrokenPipe(runErr) {
		var be *store.BatchError
		if errors.As(runErr, &be) {
			fmt.Fprintf(w, "  stopped at batch %d\n", be.Batch)
		}
	}
}
