package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logexpand"
	"github.com/auditlog-go/auditlog/tools/logline"
	"github.com/spf13/pflag"
)

const usage = `Usage: log-expand [flags] [file ...]

Expand JSON log lines into indented, readable blocks: keys sorted, nested
objects indented, strings that hold JSON (a request body, a context) or a
Python dict repr expanded and tagged (json) or (python), multi-line strings
such as stack traces printed as real lines in a "|" block. Lines that are
not JSON pass through, followed by the JSON objects and Python dicts found
in them (oslo.log's "body: {...}" and "{'key': u'value'}"), expanded and
indented. Credentials (auth_token, password, X-Auth-Token... values) print
as [REDACTED] unless --show-secrets.

Reads the files (plain or gzip) or standard input. grep's "file:" and
"file:12:" prefixes are kept as the header of each block, and its "--"
separators pass through. Reads our audit lines, oslo.log's JSON lines and
other loggers' JSON lines alike.

Examples:
  grep req-1234 api.log | log-expand
  grep -Hn ERROR *.log | log-expand --keys message,exception
  log-expand --depth 1 api.log.gz
  log-expand --level WARNING -n 20 nova-api.log      (the last 20 warnings and errors)
  log-expand --flatten api.log | grep request_id
  log-expand --flatten api.log | grep -v auth | log-expand --unflatten
  log-expand --follow /var/log/nova/nova-api.log

--flatten prints one "path = value" statement per line (gron's idea):
  json = {}
  json.context = {}
  json.context.request_id = "req-1"
  json.exception.chain[0].message = "boom"
  json["odd key"] = 1
A string that holds JSON prints as the string, then as derived statements
under path<json> (path<python> for a Python repr) that --unflatten skips;
--flatten | --unflatten gives back each record as compact JSON with sorted
keys, credentials hidden (exactly, with --show-secrets on both sides).

Exit status: 0 all input read (with --follow, until SIGINT or SIGTERM), 1 some
input unreadable or the run interrupted by SIGINT or SIGTERM (what was read is
written), 2 bad usage.

Flags:
`

// config is the parsed command line.
type config struct {
	logexpand.Options
	Unflatten bool
	Level     string // --level, parsed into Options.MinLevel
	Lines     int
	// Jobs is --jobs: how many parts of a named file are expanded at once
	// (see input.Parallel); 0 means one per CPU (GOMAXPROCS), 1 one after
	// the other.
	Jobs  int
	Input cli.InputFlags
	Names []string
	Help  bool
}

// parse reads the command line. Errors are [cli.UsageError]s.
func parse(args []string, stdio cli.IO) (*config, *pflag.FlagSet, error) {
	c := &config{}
	fs := pflag.NewFlagSet("log-expand", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.IntVarP(&c.Depth, "depth", "d", 0, "expand `N` levels; deeper objects and arrays print as compact JSON (0: all)")
	fs.StringSliceVarP(&c.Keys, "keys", "k", nil, "only these dotted `paths` and what is under them (a,b.c); repeatable")
	fs.BoolVar(&c.Flatten, "flatten", false, "print one \"path = value\" line per value, to grep (gron's idea)")
	fs.BoolVar(&c.Unflatten, "unflatten", false, "turn --flatten output back into compact JSON lines")
	fs.BoolVar(&c.NoEmbedded, "no-embedded", false, "do not look for JSON or Python dicts inside strings and text lines")
	fs.BoolVar(&c.ShowSecrets, "show-secrets", false, "print credentials (auth_token, password... values) instead of [REDACTED]")
	fs.StringVarP(&c.Level, "level", "l", "", "only lines at this `level` or above (DEBUG, INFO, WARNING, ERROR, CRITICAL)")
	fs.IntVarP(&c.Lines, "lines", "n", 0, "print only the last `N` records (and other lines), like convert-json's -n")
	fs.IntVar(&c.Jobs, "jobs", 0, "expand a named file in `N` parts at once (1: one after the other; 0: one per CPU, GOMAXPROCS); standard input, pipes and gzip are read in order")
	c.Input.Register(fs)
	fs.BoolVarP(&c.Help, "help", "h", false, "show this help")
	cli.SetUsage(fs, stdio.Out, usage)
	if err := fs.Parse(args); err != nil {
		return nil, fs, cli.UsageError{Err: err}
	}
	c.Names = fs.Args()
	switch {
	case c.Depth < 0:
		return nil, fs, cli.UsageError{Err: errors.New("--depth must not be negative")}
	case c.Flatten && c.Unflatten:
		return nil, fs, cli.UsageError{Err: errors.New("--flatten and --unflatten do not go together")}
	case c.Unflatten && (c.Depth > 0 || len(c.Keys) > 0):
		return nil, fs, cli.UsageError{Err: errors.New("--unflatten takes no --depth or --keys (give them to --flatten)")}
	}
	if c.Level != "" {
		_, rank, ok := logline.ParseLevel(c.Level)
		if !ok {
			return nil, fs, cli.UsageError{Err: fmt.Errorf("--level %q: not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL)", c.Level)}
		}
		c.MinLevel = rank
	}
	switch {
	case c.Lines < 0:
		return nil, fs, cli.UsageError{Err: errors.New("--lines must not be negative")}
	case c.Jobs < 0:
		return nil, fs, cli.UsageError{Err: errors.New("--jobs must not be negative")}
	case c.Lines > 0 && c.Input.Follow:
		return nil, fs, cli.UsageError{Err: errors.New("--lines and --follow do not go together (use tail -n N -F file | log-expand)")}
	case c.Unflatten && (c.MinLevel > 0 || c.Lines > 0):
		return nil, fs, cli.UsageError{Err: errors.New("--unflatten takes no --level or --lines (give them to --flatten)")}
	}
	// New refuses only a --keys path that is not a dotted name.
	if _, err := logexpand.New(c.Options); err != nil {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--keys: %w", err)}
	}
	return c, fs, nil
}

// run is the whole command, with its streams passed in for tests: it
// returns the exit status.
func run(args []string, stdio cli.IO) int {
	c, fs, err := parse(args, stdio)
	if err != nil {
		return cli.Fail(stdio.Err, "log-expand", err)
	}
	if c.Help {
		fs.Usage()
		return cli.ExitOK
	}
	c.Color = stdio.UseColor(c.Input.Color) && !c.Flatten && !c.Unflatten
	c.EscapeControl = stdio.OutIsTerminal
	ctx, stop := cli.SignalContext()
	defer stop()
	err = expand(ctx, stdio, c)
	var rep reported
	if ctx.Err() != nil && !c.Input.Follow && (err == nil || errors.As(err, &rep)) {
		// The reader ends on a signal as at the end of the input; a run
		// cut short must not exit 0 like a complete one. A --follow has
		// no other end. (An input error before it was printed already.)
		err = errInterrupted
	}
	if err != nil && !errors.As(err, &rep) && !cli.IsBrokenPipe(err) {
		fmt.Fprintf(stdio.Err, "log-expand: %v\n", err)
	}
	return cli.ExitCode(err)
}

// expand reads the inputs c names and writes their expansion to stdio.Out.
// Input errors are printed to stdio.Err as they happen and make expand
// return a [reported] error at the end; a write error (a closed pipe among
// them) stops it.
func expand(ctx context.Context, stdio cli.IO, c *config) error {
	so := logexpand.StreamOptions{Options: c.Options, Unflatten: c.Unflatten, Lines: c.Lines,
		WithFilename: c.Input.Filenames(c.Names)}
	s, err := logexpand.NewStream(so)
	if err != nil {
		return cli.UsageError{Err: err}
	}
	w := logexpand.NewWriter(stdio.Out)
	opts := c.Input.Options(stdio.In, func(err error) {
		w.Flush() // keep the error next to the output it interrupts
		fmt.Fprintf(stdio.Err, "log-expand: %v\n", err)
	})
	// Output waits in w until it is full or the input may make us wait: a
	// file is written in big blocks, `tail -f x | log-expand` line by line
	// as the lines come. A write error sticks; the next Flush returns it.
	opts.OnIdle = func() { w.Flush() }
	if jobs := input.Jobs(c.Jobs); jobs > 1 && len(c.Names) > 0 && !c.Input.Follow && !c.Unflatten && c.Lines == 0 {
		return runParallel(ctx, jobs, stdio, c.Names, so, opts)
	}
	r := input.Open(ctx, c.Names, opts)
	defer r.Close()
	if err := s.Run(r, w); err != nil {
		return err
	}
	if err := r.Err(); err != nil {
		return reported{err}
	}
	return nil
}

// runParallel expands the named files with jobs Streams at once (see
// input.Parallel): the output is the same, byte for byte, as one
// Stream's. Only for plain runs: --follow, --lines and --unflatten read
// in order.
func runParallel(ctx context.Context, jobs int, stdio cli.IO, names []string, so logexpand.StreamOptions, opts input.Options) error {
	newWork := func() input.AppendFunc {
		s, err := logexpand.NewStream(so)
		if err != nil {
			panic(err) // NewStream accepted the same options once already
		}
		return s.Append
	}
	p := &input.Parallel{Jobs: jobs}
	werr, ierr := p.Run(ctx, names, opts, newWork, stdio.Out)
	if werr != nil {
		return werr
	}
	if ierr != nil {
		return reported{ierr}
	}
	return nil
}

// errInterrupted is what a run a signal cut short returns: printed, exit 1.
var errInterrupted = errors.New("interrupted")

// reported is an input error already printed as it happened.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }
