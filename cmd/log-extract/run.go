package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/state"
	"github.com/auditlog-go/auditlog/tools/extract/store"
	"github.com/auditlog-go/auditlog/tools/input"
)

func run(args []string, io cli.IO) int {
	getenv := io.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	c, fs, err := parseConfig(args, getenv, io.Err, io.Out)
	if err != nil {
		fmt.Fprintf(io.Err, "log-extract: %v\nTry 'log-extract --help'.\n", err)
		return cli.ExitUsage
	}
	if c.help {
		fs.Usage()
		return cli.ExitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return (&job{c: c, io: io, started: time.Now()}).run(ctx)
}

// job is one run of the command.
type job struct {
	c       *config
	io      cli.IO
	started time.Time
	ctx     context.Context

	names   []string
	reasons map[string]string // per file: new, resume, rotated…
	st      *state.State
	sink    store.Store
	ex      *extract.Extractor
	batch   []action.Action
	batches int
	written int64 // actions passed to the store
	stored  int64 // rows the store says it inserted (duplicates of earlier runs are not)
	failed  bool  // some input was unreadable
	prog    *progress
}

func (j *job) run(ctx context.Context) int {
	j.ctx = ctx
	c := j.c
	names, unmatched, err := c.inputs()
	if err != nil {
		fmt.Fprintf(j.io.Err, "log-extract: %v\n", err)
		return cli.ExitCode(err)
	}
	for _, p := range unmatched {
		fmt.Fprintf(j.io.Err, "log-extract: %s %q matches no file\n", c.patternName(p), p)
		j.failed = true
	}
	if len(names) == 0 && len(unmatched) > 0 {
		return cli.ExitInput // nothing to read, and the patterns said there would be
	}
	if len(names) == 0 {
		if f, ok := j.io.In.(*os.File); ok && cli.IsTerminal(f) {
			fmt.Fprintln(j.io.Err, "log-extract: no input: name log files, give --pattern, or pipe logs in\nTry 'log-extract --help'.")
			return cli.ExitUsage
		}
		names = []string{"-"}
	}
	j.names = names
	if c.statePath != "" && slices.Contains(names, "-") {
		// Its position cannot be remembered, and the actions at its end
		// would wait for a next run that cannot read on from there.
		fmt.Fprintf(j.io.Err, "log-extract: %s needs named files: a position in standard input cannot be remembered\nTry 'log-extract --help'.\n", c.named("state"))
		return cli.ExitUsage
	}

	opts := extract.Options{
		Mode:          c.mode,
		IncludeDelete: c.includeDelete,
		Window:        c.window,
		Location:      c.location,
		MaxMalformed:  c.maxMalformed,
		Incremental:   c.statePath != "",
		Now:           time.Now,
		Input: input.Options{
			Stdin: j.io.In,
			OnError: func(err error) {
				j.failed = true
				j.prog.clear()
				fmt.Fprintf(j.io.Err, "log-extract: %v\n", err)
			},
		},
	}
	if !c.now.IsZero() {
		opts.Now = func() time.Time { return c.now }
	}
	if c.statePath != "" {
		if err := j.loadState(&opts); err != nil {
			fmt.Fprintf(j.io.Err, "log-extract: %v\n", err)
			return cli.ExitInput
		}
	}

	if err := j.openStore(ctx); err != nil {
		fmt.Fprintf(j.io.Err, "log-extract: %v\n", err)
		return cli.ExitInput
	}
	defer j.sink.Close()

	j.prog = newProgress(j.io, c.progress, names)
	opts.Input.OnIdle = func() { j.prog.update(j.ex) }
	j.ex = extract.New(opts, j.emit)
	readErr := j.ex.ReadFiles(ctx, names)
	j.prog.clear()
	if readErr == nil {
		readErr = j.flush(ctx, j.ex.Checkpoint())
	}
	stats := j.ex.Stats()
	if !c.quiet {
		j.summary(stats, readErr)
	}
	switch {
	case readErr != nil && ctx.Err() != nil:
		fmt.Fprintf(j.io.Err, "log-extract: interrupted; %s\n", j.resumeNote())
		return cli.ExitInput
	case readErr != nil:
		if cli.IsBrokenPipe(readErr) {
			return cli.ExitOK
		}
		fmt.Fprintf(j.io.Err, "log-extract: %v\n", readErr)
		fmt.Fprintf(j.io.Err, "log-extract: %s\n", j.resumeNote())
		return cli.ExitInput
	case j.failed:
		return cli.ExitInput
	}
	return cli.ExitOK
}

// emit is the extractor's sink: actions gather into a batch, and a full
// batch goes to the store with the checkpoint that covers it.
func (j *job) emit(a action.Action) error {
	j.batch = append(j.batch, a)
	if len(j.batch) < j.c.batchSize {
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
		f.Compressed = isGzip(name) // offsets count decompressed bytes
		j.st.Commit(f)
	}
	if err := j.st.Save(); err != nil {
		return fmt.Errorf("saving the read state: %w", err)
	}
	return nil
}

func (j *job) loadState(opts *extract.Options) error {
	st, err := state.Load(j.c.statePath)
	if err != nil {
		return err
	}
	j.st = st
	j.reasons = map[string]string{}
	opts.Start = map[string]input.Position{}
	for _, name := range j.names {
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
	if c.dsn == "" || c.dryRun {
		j.sink = store.NewJSONLines(j.io.Out, nil)
		return nil
	}
	s, err := store.Open(ctx, c.dsn, c.table, c.mode, store.Options{Truncate: c.truncate})
	if err != nil {
		return err
	}
	j.sink = s
	return nil
}

// resumeNote says what a re-run will do after a failure.
func (j *job) resumeNote() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d actions in %d batches were stored before the failure", j.written, j.batches)
	if j.st != nil {
		b.WriteString("; the read state covers only what was stored, so a re-run resumes there")
	} else {
		b.WriteString("; re-running stores the rest, and what is already stored is not stored twice")
	}
	return b.String()
}

func (j *job) summary(s extract.Stats, runErr error) {
	w := j.io.Err
	dest := "standard output (JSON lines)"
	if j.c.dsn != "" && !j.c.dryRun {
		dest = "the database"
	}
	fmt.Fprintf(w, "log-extract: %s mode, %d file(s), %d lines, %d records, in %s\n",
		j.c.mode, len(j.names), s.Lines, s.Records, time.Since(j.started).Round(time.Millisecond))
	if len(j.reasons) > 0 {
		var parts []string
		for _, n := range j.names {
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

// isGzip tells a gzip file by its first two bytes, as the reader does.
func isGzip(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [2]byte
	n, _ := f.Read(magic[:])
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
}
