package logexpand

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/input"
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
keys (exactly, with --show-secrets).

Exit status: 0 all input read, 1 some input unreadable, 2 bad usage.

Flags:
`

// Config is the parsed command line.
type Config struct {
	Options
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

// Parse reads the command line. Errors are [cli.UsageError]s.
func Parse(args []string, stdio cli.IO) (*Config, *pflag.FlagSet, error) {
	c := &Config{}
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
	fs.Usage = func() {
		fmt.Fprint(stdio.Out, usage)
		fs.SetOutput(stdio.Out)
		fs.PrintDefaults()
	}
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
	if _, err := compileKeys(c.Keys); err != nil {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--keys: %w", err)}
	}
	return c, fs, nil
}

// Main runs log-expand with args (without the program name) and returns
// its exit status.
func Main(args []string, stdio cli.IO) int {
	c, fs, err := Parse(args, stdio)
	if err != nil {
		fmt.Fprintf(stdio.Err, "log-expand: %v\nTry 'log-expand --help'.\n", err)
		return cli.ExitUsage
	}
	if c.Help {
		fs.Usage()
		return cli.ExitOK
	}
	c.Color = stdio.UseColor(c.Input.Color) && !c.Flatten && !c.Unflatten
	c.EscapeControl = stdio.OutIsTerminal
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = Run(ctx, stdio, c)
	var rep reported
	if err != nil && !errors.As(err, &rep) && !cli.IsBrokenPipe(err) {
		fmt.Fprintf(stdio.Err, "log-expand: %v\n", err)
	}
	return cli.ExitCode(err)
}

// Run reads the inputs c names and writes their expansion to stdio.Out.
// Input errors are printed to stdio.Err as they happen and make Run return
// an error at the end; a write error (a closed pipe among them) stops it.
func Run(ctx context.Context, stdio cli.IO, c *Config) error {
	x, err := New(c.Options)
	if err != nil {
		return cli.UsageError{Err: err}
	}
	w := &writer{out: stdio.Out, buf: make([]byte, 0, writeBuf+64<<10)}
	opts := c.Input.Options(stdio.In, func(err error) {
		w.flush() // keep the error next to the output it interrupts
		fmt.Fprintf(stdio.Err, "log-expand: %v\n", err)
	})
	// Output waits in w.buf until it is full or the input may make us wait:
	// a file is written in big blocks, `tail -f x | log-expand` line by
	// line as the lines come. A write error sticks; the next flush
	// returns it.
	opts.OnIdle = func() { w.flush() }
	if jobs := input.Jobs(c.Jobs); jobs > 1 && len(c.Names) > 0 && !c.Input.Follow && !c.Unflatten && c.Lines == 0 {
		return runParallel(ctx, jobs, stdio, c, opts, w)
	}
	r := input.Open(ctx, c.Names, opts)
	defer r.Close()
	var u *unflattener
	if c.Unflatten {
		u = newUnflattener()
	}
	filenames := c.Input.Filenames(c.Names)
	var header []byte
	var tail *ring
	if c.Lines > 0 {
		tail = &ring{max: c.Lines}
	}
	for {
		l, ok := r.Next()
		if !ok {
			break
		}
		mark := len(w.buf)
		w.buf, header = appendLine(w.buf, header, l, x, u, c.MinLevel, filenames)
		if tail != nil {
			if l.Piece == input.Whole || l.Piece == input.Last {
				tail.add(w.buf[mark:])
			} else {
				tail.part(w.buf[mark:])
			}
			w.buf = w.buf[:mark]
			continue
		}
		if len(w.buf) >= writeBuf {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	if u != nil {
		w.buf = u.flush(w.buf)
	}
	if tail != nil {
		w.buf = tail.appendTo(w.buf)
	}
	if err := w.flush(); err != nil {
		return err
	}
	if err := r.Err(); err != nil {
		return reported{err}
	}
	return nil
}

// appendLine appends the output for one input line: header is scratch
// space for its "name:" and grep prefix, returned for reuse.
func appendLine(dst, header []byte, l *input.Line, x *Expander, u *unflattener, minLevel int, filenames bool) ([]byte, []byte) {
	header = header[:0]
	if filenames && l.Piece <= input.First {
		header = appendSource(header, l.Source)
	}
	switch {
	case l.GroupSep:
		if u != nil {
			dst = u.flush(dst)
		}
		if minLevel == 0 { // grep's groups mean nothing once lines are dropped
			dst = append(dst, header...)
			dst = append(dst, "--\n"...)
		}
	case l.Piece != input.Whole:
		// A line too long to hold: as it came (or not at all under
		// --level, since its level cannot be read).
		if u != nil {
			dst = u.flush(dst)
		}
		if minLevel > 0 {
			break
		}
		if l.Piece == input.First {
			dst = append(dst, header...)
			dst = append(dst, l.Prefix...)
		}
		dst = x.appendText(dst, l.Text)
		if l.Piece == input.Last {
			dst = append(dst, '\n')
		}
	case u != nil:
		header = append(header, l.Prefix...)
		dst = u.line(dst, header, l.Text)
	default:
		header = append(header, l.Prefix...)
		dst = x.Append(dst, header, l.Text)
	}
	return dst, header
}

// runParallel expands the named files with jobs Expanders at once (see
// input.Parallel): the output is the same, byte for byte, as one
// Expander's. Only for plain runs: --follow, --lines and --unflatten read
// in order.
func runParallel(ctx context.Context, jobs int, stdio cli.IO, c *Config, opts input.Options, w *writer) error {
	filenames := c.Input.Filenames(c.Names)
	newWork := func() input.AppendFunc {
		x, err := New(c.Options)
		if err != nil {
			panic(err) // New accepted the same options once already
		}
		var header []byte
		return func(dst []byte, l *input.Line) []byte {
			dst, header = appendLine(dst, header, l, x, nil, c.MinLevel, filenames)
			return dst
		}
	}
	p := &input.Parallel{Jobs: jobs}
	werr, ierr := p.Run(ctx, c.Names, opts, newWork, w.out)
	if werr != nil {
		return werr
	}
	if ierr != nil {
		return reported{ierr}
	}
	return nil
}

// reported is an input error already printed as it happened.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }

const writeBuf = 256 << 10

// writer batches output: one Write per 256 KiB, or whenever the input
// goes idle.
type writer struct {
	out io.Writer
	buf []byte
	err error
}

func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		_, w.err = w.out.Write(w.buf)
	}
	if cap(w.buf) > 4*writeBuf {
		w.buf = make([]byte, 0, writeBuf+64<<10) // don't keep a huge line's buffer
	} else {
		w.buf = w.buf[:0]
	}
	return w.err
}

func appendSource(dst []byte, name string) []byte {
	if name == "-" {
		name = "(standard input)"
	}
	dst = append(dst, name...)
	return append(dst, ':')
}

// ring keeps the output of the last max input lines, for --lines. A line
// filtered out leaves nothing and does not count; the pieces of a long line
// count as one.
type ring struct {
	max     int
	outs    [][]byte
	next    int
	partial []byte
}

func (r *ring) part(b []byte) { r.partial = append(r.partial, b...) }

func (r *ring) add(b []byte) {
	if len(b) == 0 && len(r.partial) == 0 {
		return
	}
	if len(r.outs) < r.max {
		r.outs = append(r.outs, append(append([]byte(nil), r.partial...), b...))
	} else {
		r.outs[r.next] = append(append(r.outs[r.next][:0], r.partial...), b...)
		r.next = (r.next + 1) % r.max
	}
	r.partial = r.partial[:0]
}

func (r *ring) appendTo(dst []byte) []byte {
	for i := range r.outs {
		dst = append(dst, r.outs[(r.next+i)%len(r.outs)]...)
	}
	return dst
}
