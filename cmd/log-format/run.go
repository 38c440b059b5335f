package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logformat"
	"github.com/spf13/pflag"
)

const usage = `Usage: log-format [flags] [file ...]

Print JSON log lines as readable text: a one-line summary of each event
(time, level, service, [request user project], action and target, call,
status, duration, message) with its stack trace indented below, or any
%%-style format string. Reads the files (plain or gzip) or standard input;
lines that are not JSON pass through, grep's "file:" and "file:12:" prefixes
are kept. Reads our audit lines, oslo.log's JSON lines (asctime, levelname,
name, traceback, context…) and other loggers' (time, level, msg).

Examples:
  grep req-1234 api.log | log-format
  log-format -f '%%(timestamp)s %%(level)-8s %%(context.request_id)s %%(message)s' api.log.gz
  log-format -f tsv --where kind=request --where 'duration_ms>500' api.log
  log-format --level WARNING --since 2026-11-27T08:00:00Z --until 1h api.log
  log-format --request req-1234 nova-*.log
  tail -f api.log | log-format            (or: log-format --follow api.log)
  log-format -f convert-json -n 20 nova.json.log
  log-format nova.json.log --levels ERROR WARNING --loggers nova.compute

Format strings: %%(key)[flags][width][.precision]conversion, with a dotted
key (context.request_id), flags - 0 + space #, conversions s r d i f e g x o;
\t and \n are a tab and a newline. Presets for -f: %s.

oslo.log's convert-json: -f convert-json prints what convert-json prints,
byte for byte on oslo.log's JSON lines (values as Python shows them, each
traceback line after the prefix; --no-traceback drops them), and its flags
work: --prefix FMT (implies -f convert-json), --locator FMT (appended to
DEBUG records), --levelkey, --tbkey, --loggers and --levels with several
words (--levels ERROR WARNING; a further word is a level while it names one,
a logger while it looks like one and is not a file), -c (--color). Where a
flag meant something else here, both meanings hold: -f before an existing
file, a flag or nothing is convert-json's --follow, and otherwise a format;
-n is the last N events after the filters (convert-json: of the last N
lines); lines that are not JSON pass through (convert-json: "Not JSON: …").

Exit status: 0 all input read (with --follow, until SIGINT or SIGTERM), 1 some
input unreadable or the run interrupted by SIGINT or SIGTERM (what was read is
written), 2 bad usage.

Flags:
`

// options are the parsed command line.
type options struct {
	in        cli.InputFlags
	format    string
	missing   string
	noAliases bool
	traceback bool
	noTrace   bool
	prefix    string
	levelKey  string
	tbKey     string
	loggers   []string
	level     string
	levels    []string
	locator   string
	where     []string
	since     string
	until     string
	request   string
	services  []string
	lines     int
	timezone  string
	presets   bool
	secrets   bool
	jobs      int
	help      bool
	names     []string
}

func parse(args []string, io cli.IO) (*options, *pflag.FlagSet, error) {
	o := &options{}
	fs := pflag.NewFlagSet("log-format", pflag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.SortFlags = false
	fs.StringVarP(&o.format, "format", "f", "summary", "format string, or a preset name (-f before an existing file, a flag or nothing: --follow, as convert-json reads it)")
	fs.StringVar(&o.missing, "missing", "-", "what a key the line lacks prints as")
	fs.StringVar(&o.locator, "locator", "", "format appended to DEBUG lines, e.g. '[%(funcname)s %(pathname)s:%(lineno)s]'")
	fs.BoolVar(&o.traceback, "traceback", false, "print the stack trace below each line (the summary and convert-json always do)")
	fs.BoolVar(&o.noTrace, "no-traceback", false, "print no stack traces, in any format")
	fs.StringVar(&o.prefix, "prefix", "", "convert-json's prefix: -f convert-json with this %-format before each line (default '"+logformat.DefaultPrefix+"')")
	fs.StringVar(&o.levelKey, "levelkey", "", "the key holding the level, for --level, --levels and colour (convert-json's; default: level and its aliases)")
	fs.StringVar(&o.tbKey, "tbkey", "", "the key holding the traceback (convert-json's; default: traceback and its aliases)")
	fs.StringVarP(&o.level, "level", "l", "", "only lines at this level or above (DEBUG, INFO, WARNING, ERROR, CRITICAL)")
	fs.StringSliceVar(&o.levels, "levels", nil, "only lines at exactly these levels (comma-separated, repeated, or space-separated as convert-json takes them)")
	fs.StringArrayVarP(&o.where, "where", "w", nil, "only lines where `path OP value` holds (OP: = != ~ !~ < <= > >=; a bare path: present); repeatable")
	fs.StringVar(&o.since, "since", "", "only lines at or after this time (RFC 3339, a date, or a duration ago like 2h)")
	fs.StringVar(&o.until, "until", "", "only lines before this time (same forms as --since)")
	fs.StringVarP(&o.request, "request", "r", "", "only the lines of this request id (its own or global request id)")
	fs.StringSliceVar(&o.services, "service", nil, "only lines whose service or logger name starts with this (comma-separated or repeated)")
	fs.StringSliceVar(&o.loggers, "loggers", nil, "convert-json's name for --service; takes several words, as there")
	fs.IntVarP(&o.lines, "lines", "n", 0, "print only the last N events of output, after the filters")
	fs.StringVar(&o.timezone, "timezone", "UTC", "zone of timestamps written without one (oslo.log's asctime), e.g. Local or Europe/Paris")
	fs.BoolVar(&o.noAliases, "no-aliases", false, "read keys only as written (no oslo.log or Go logger aliases)")
	fs.BoolVar(&o.secrets, "show-secrets", false, "print credentials (auth_token, password… values) instead of [REDACTED]")
	fs.BoolVar(&o.presets, "list-presets", false, "print the presets and exit")
	o.in.Register(fs)
	fs.IntVar(&o.jobs, "jobs", 0, "format a named file in this many parts at once (1: one after the other; 0: one per CPU, GOMAXPROCS); standard input, pipes and gzip are read in order")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	cli.SetUsage(fs, io.Out, fmt.Sprintf(usage, strings.Join(logformat.PresetNames(), ", ")))
	if err := fs.Parse(convertJSONArgs(args, fs)); err != nil {
		return nil, fs, cli.UsageError{Err: err}
	}
	o.names = fs.Args()
	o.services = append(o.services, o.loggers...)
	if o.traceback && o.noTrace {
		return nil, fs, cli.UsageError{Err: errors.New("--traceback and --no-traceback contradict each other")}
	}
	if fs.Changed("prefix") && fs.Changed("format") && o.format != "convert-json" {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--prefix is convert-json's format: it goes with -f convert-json or alone, not with -f %q", o.format)}
	}
	if fs.Changed("prefix") {
		o.format = "convert-json"
	}
	if o.format == "convert-json" && !fs.Changed("missing") {
		o.missing = "" // as convert-json prints a key the record lacks
	}
	if o.jobs < 0 {
		return nil, fs, cli.UsageError{Err: errors.New("--jobs must not be negative")}
	}
	if o.lines < 0 {
		return nil, fs, cli.UsageError{Err: errors.New("--lines must not be negative")}
	}
	if o.lines > 0 && o.in.Follow {
		return nil, fs, cli.UsageError{Err: errors.New("--lines and --follow do not go together (use tail -n N -f | log-format)")}
	}
	return o, fs, nil
}

func run(args []string, io cli.IO) int {
	o, fs, err := parse(args, io)
	if err != nil {
		return cli.Fail(io.Err, "log-format", err)
	}
	if o.help {
		fs.Usage()
		return cli.ExitOK
	}
	if o.presets {
		for _, n := range logformat.PresetNames() {
			p, _ := logformat.Preset(n)
			if p == "" {
				p = "(the default: a one-line summary of each event, stack trace below)"
			}
			fmt.Fprintf(io.Out, "%-13s %s\n", n, p)
		}
		return cli.ExitOK
	}
	loc, err := cli.LoadLocation(o.timezone)
	if err != nil {
		fmt.Fprintf(io.Err, "log-format: --timezone: %v\n", err)
		return cli.ExitUsage
	}
	now := time.Now()
	since, err := cli.ParseWhen(o.since, now, loc)
	if err != nil {
		fmt.Fprintf(io.Err, "log-format: --since: %v\n", err)
		return cli.ExitUsage
	}
	until, err := cli.ParseWhen(o.until, now, loc)
	if err != nil {
		fmt.Fprintf(io.Err, "log-format: --until: %v\n", err)
		return cli.ExitUsage
	}
	color := io.UseColor(o.in.Color)
	var cj *logformat.ConvertJSON
	if o.format == "convert-json" {
		if !fs.Changed("prefix") {
			o.prefix = logformat.DefaultPrefix
		}
		cj = &logformat.ConvertJSON{Prefix: o.prefix, LevelKey: o.levelKey, TracebackKey: o.tbKey}
	}
	fopts := logformat.Options{
		Format:       o.format,
		Missing:      o.missing,
		NoAliases:    o.noAliases,
		Traceback:    o.traceback,
		NoTraceback:  o.noTrace,
		TracebackKey: o.tbKey,
		ConvertJSON:  cj,
		Locator:      o.locator,
		Filter: logformat.Filter{
			MinLevel: o.level, Levels: o.levels, Where: o.where, Since: since, Until: until,
			Request: o.request, Services: o.services, Location: loc, LevelKey: o.levelKey,
		},
		Lines:         o.lines,
		ShowSecrets:   o.secrets,
		Color:         color,
		EscapeControl: io.OutIsTerminal,
		WithFilename:  o.in.Filenames(o.names),
	}
	f, err := logformat.New(fopts)
	if err != nil {
		fmt.Fprintf(io.Err, "log-format: %v\n", err)
		return cli.ExitUsage
	}
	ctx, stop := cli.SignalContext()
	defer stop()
	// Output waits in a buffer while input flows, and goes out whenever the
	// input pauses: fast on a file, prompt on `tail -f x | log-format`.
	out := bufio.NewWriterSize(io.Out, 256<<10)
	opts := o.in.Options(io.In, func(err error) {
		out.Flush() // keep stderr in order with what came before
		fmt.Fprintf(io.Err, "log-format: %v\n", err)
	})
	opts.OnIdle = func() { out.Flush() } // an error sticks; the next write reports it
	if jobs := input.Jobs(o.jobs); jobs > 1 && len(o.names) > 0 && !o.in.Follow && o.lines == 0 {
		return runParallel(ctx, jobs, o.names, opts, fopts, out, io)
	}
	r := input.Open(ctx, o.names, opts)
	defer r.Close()
	if err := f.Run(r, out); err != nil {
		if cli.IsBrokenPipe(err) {
			return cli.ExitOK
		}
		fmt.Fprintf(io.Err, "log-format: %v\n", err)
		return cli.ExitInput
	}
	if interrupted(ctx, o.in.Follow, io) || r.Err() != nil {
		return cli.ExitInput
	}
	return cli.ExitOK
}

// runParallel formats the named files with jobs formatters at once (see
// input.Parallel): the output is the same, byte for byte, as one
// formatter's. Only for plain runs: --follow and --lines read in order.
func runParallel(ctx context.Context, jobs int, names []string, opts input.Options, fopts logformat.Options, out *bufio.Writer, io cli.IO) int {
	p := &input.Parallel{Jobs: jobs}
	newWork := func() input.AppendFunc {
		f, err := logformat.New(fopts)
		if err != nil {
			panic(err) // New accepted the same options once already
		}
		return func(dst []byte, l *input.Line) []byte {
			dst, _ = f.Append(dst, l)
			return dst
		}
	}
	werr, ierr := p.Run(ctx, names, opts, newWork, out)
	if werr != nil {
		if cli.IsBrokenPipe(werr) {
			return cli.ExitOK
		}
		fmt.Fprintf(io.Err, "log-format: %v\n", werr)
		return cli.ExitInput
	}
	if interrupted(ctx, false, io) || ierr != nil {
		return cli.ExitInput
	}
	return cli.ExitOK
}

// interrupted says so on stderr when a signal ended the run before its
// input did: the reader ends then as at the end of the input, so without
// this a run cut short would exit 0 like a complete one. A --follow has
// no other end, and ends normally.
func interrupted(ctx context.Context, follow bool, io cli.IO) bool {
	if ctx.Err() == nil || follow {
		return false
	}
	fmt.Fprintln(io.Err, "log-format: interrupted")
	return true
}
