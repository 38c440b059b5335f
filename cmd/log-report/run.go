package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/report"
	"github.com/spf13/pflag"
)

const usage = `Usage: log-report REPORT [flags] [file ...]

Answer the questions of the Nova audit-logging spec in one pass over audit
lines, log-extract's lifecycle records, oslo.log JSON lines and oslo.log text
logs (each line detected; plain or gzip files, or standard input), or over
log-serve's store (--db).

Reports:
  users        active users per day and over 7 days, biggest users by actions
               and by time consumed, new users, activity by hour
  load         requests per minute and per hour by service and action, spikes
               with the users and actions behind them
  exceptions   exceptions per second and minute by type and service; before
               and after --split-at TIME, or the first version change seen
  perf         p50/p90/p99/max by route, RPC method and SQL statement; the
               slowest calls with their request ids; percentiles over time
  forensics    around --around TIME (± --window): what failed, who was
               affected, 401/403 by user and address; resources created and
               never deleted, requests never finished, instances in error
  all          every report above in one pass (forensics only with --around)

Examples:
  log-report users api.log.gz
  log-report perf --top 20 /var/log/demo/*.log
  log-report load --html load.html nova-api.log
  log-report exceptions --split-at 2026-11-23T12:00:00Z api.log
  log-extract nova-api.log nova-compute.log | log-report users
  log-report forensics --around '2015-11-13 03:22' --window 30m nova-api.log
  log-report all --db events.db --html report.html
  log-report perf -o csv --section route api.log | column -s, -t

Percentiles are DDSketch estimates within 1% relative error; distinct counts
are exact up to 2,000 values and HyperLogLog estimates (about 0.8%) beyond;
the report says when a number is estimated. Memory stays bounded whatever the
input's size. Malformed lines are counted, listed with file:line and reason,
and skipped.

Exit status: 0 done (malformed lines included), 1 some input unreadable or
the run interrupted (SIGINT, SIGTERM: no report is written, it would count
part of the input), 2 bad usage.

Flags:
`

type options struct {
	report    string
	names     []string
	db        string
	output    string
	html      string
	sections  []string
	top       int
	since     string
	until     string
	splitAt   string
	around    string
	window    time.Duration
	timezone  string
	color     cli.ColorMode
	maxLine   int
	malformed int
	help      bool
}

func parse(args []string, io cli.IO) (*options, *pflag.FlagSet, error) {
	o := &options{}
	fs := pflag.NewFlagSet("log-report", pflag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.SortFlags = false
	fs.StringVar(&o.db, "db", "", "read log-serve's store instead of files: an SQLite file or postgres://…")
	fs.StringVarP(&o.output, "output", "o", "text", "text, json or csv")
	fs.StringVar(&o.html, "html", "", "also write one self-contained HTML page with the charts to this file")
	fs.StringSliceVar(&o.sections, "section", nil, "print only these sections (ids as in the JSON and CSV; repeatable)")
	fs.IntVarP(&o.top, "top", "n", 10, "rows of each ranked table")
	fs.StringVar(&o.since, "since", "", "only records at or after this time (RFC 3339, a date, or a duration ago like 2h)")
	fs.StringVar(&o.until, "until", "", "only records before this time (same forms)")
	fs.StringVar(&o.splitAt, "split-at", "", "exceptions: compare before and after this time (default: at the first version change)")
	fs.StringVar(&o.around, "around", "", "forensics: the moment to look around (same forms as --since)")
	fs.DurationVar(&o.window, "window", time.Hour, "forensics: how far before and after --around")
	fs.StringVar(&o.timezone, "timezone", "UTC", "zone of oslo.log text timestamps, written without one (Local, Europe/Paris…)")
	cli.ColorFlag(fs, &o.color, "colour the text output: auto, always or never")
	fs.IntVar(&o.maxLine, "max-line-bytes", input.DefaultMaxLine, "a longer line is malformed (and not held in memory)")
	fs.IntVar(&o.malformed, "max-malformed", report.DefaultMaxMalformed, "list at most this many malformed lines (all are counted)")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	cli.SetUsage(fs, io.Out, usage)
	if err := fs.Parse(args); err != nil {
		return nil, fs, cli.UsageError{Err: err}
	}
	if o.help {
		return o, fs, nil
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return nil, fs, cli.UsageError{Err: errors.New("name a report: users, load, exceptions, perf, forensics or all")}
	}
	o.report, o.names = rest[0], rest[1:]
	if o.report != "all" && !slices.Contains(report.Names(), o.report) {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("unknown report %q: want users, load, exceptions, perf, forensics or all", o.report)}
	}
	switch o.output {
	case "text", "json", "csv":
	default:
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--output %q: want text, json or csv", o.output)}
	}
	if o.db != "" && len(o.names) > 0 {
		return nil, fs, cli.UsageError{Err: errors.New("--db reads the store: name no files with it")}
	}
	if o.top < 1 {
		return nil, fs, cli.UsageError{Err: errors.New("--top must be at least 1")}
	}
	if o.maxLine < 0 {
		return nil, fs, cli.UsageError{Err: errors.New("--max-line-bytes must not be negative")}
	}
	if o.window <= 0 {
		return nil, fs, cli.UsageError{Err: errors.New("--window must be positive")}
	}
	if o.report == "forensics" && o.around == "" {
		return nil, fs, cli.UsageError{Err: errors.New("forensics needs --around TIME")}
	}
	return o, fs, nil
}

func run(args []string, io cli.IO) int {
	o, fs, err := parse(args, io)
	if err != nil {
		return cli.Fail(io.Err, "log-report", err)
	}
	if o.help {
		fs.Usage()
		return cli.ExitOK
	}
	loc, err := cli.LoadLocation(o.timezone)
	if err != nil {
		fmt.Fprintf(io.Err, "log-report: --timezone: %v\n", err)
		return cli.ExitUsage
	}
	now := time.Now()
	var since, until, split, around time.Time
	for _, w := range []struct {
		flag, val string
		dst       *time.Time
	}{{"since", o.since, &since}, {"until", o.until, &until}, {"split-at", o.splitAt, &split}, {"around", o.around, &around}} {
		if *w.dst, err = cli.ParseWhen(w.val, now, loc); err != nil {
			return cli.Fail(io.Err, "log-report", cli.UsageError{Err: fmt.Errorf("--%s: %w", w.flag, err)})
		}
	}
	ro := report.Options{Top: o.top, SplitAt: split, Around: around, Window: o.window}
	names := []string{o.report}
	if o.report == "all" {
		names = []string{"users", "load", "exceptions", "perf"}
		if !around.IsZero() {
			names = append(names, "forensics")
		}
	}
	var anas []report.Analysis
	for _, n := range names {
		a, err := report.New(n, ro)
		if err != nil {
			fmt.Fprintf(io.Err, "log-report: %v\n", err)
			return cli.ExitUsage
		}
		anas = append(anas, a)
	}

	ctx, stop := cli.SignalContext()
	defer stop()
	failed := false
	rd := report.NewReader(report.ReadOptions{
		Location:     loc,
		MaxMalformed: max(o.malformed, -1),
		Input: input.Options{Stdin: io.In, MaxLine: o.maxLine, OnError: func(err error) {
			failed = true
			fmt.Fprintf(io.Err, "log-report: %v\n", err)
		}},
	})
	sinceUS, untilUS := since.UnixMicro(), until.UnixMicro()
	add := func(r *report.Record) {
		if !since.IsZero() && r.Time < sinceUS || !until.IsZero() && r.Time >= untilUS {
			return
		}
		for _, a := range anas {
			a.Add(r)
		}
	}
	if o.db != "" {
		if err := readStore(ctx, o.db, rd, add); err != nil {
			fmt.Fprintf(io.Err, "log-report: %v\n", err)
			return cli.ExitInput
		}
	} else {
		if len(o.names) == 0 {
			if io.InIsTerminal() {
				return cli.Fail(io.Err, "log-report", cli.UsageError{Err: errors.New("no input: name log files, give --db, or pipe lines in")})
			}
		}
		// The reader ends without an error when ctx is cancelled, as at
		// the end of the input: only ctx tells that it stopped early.
		_ = rd.ReadFiles(ctx, o.names, add) // input errors went to OnError
		if ctx.Err() != nil {
			fmt.Fprintln(io.Err, "log-report: interrupted")
			return cli.ExitInput
		}
	}
	var reps []*report.Report
	for _, a := range anas {
		r := a.Report()
		r.Input = rd.Stats()
		reps = append(reps, r)
	}
	if code := write(o, io, reps); code != cli.ExitOK {
		return code
	}
	if failed {
		return cli.ExitInput
	}
	return cli.ExitOK
}

func write(o *options, io cli.IO, reps []*report.Report) int {
	out := bufio.NewWriterSize(io.Out, 64<<10)
	var err error
	for i, r := range reps {
		switch o.output {
		case "json":
			err = report.WriteJSON(out, r, o.sections)
		case "csv":
			err = report.WriteCSV(out, r, o.sections)
		default:
			if i > 0 {
				fmt.Fprintln(out)
			}
			err = report.WriteText(out, r, report.TextOptions{Color: io.UseColor(o.color), Sections: o.sections})
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		if cli.IsBrokenPipe(err) {
			return cli.ExitOK
		}
		fmt.Fprintf(io.Err, "log-report: %v\n", err)
		return cli.ExitInput
	}
	st := reps[0].Input
	if st.Malformed > 0 && o.output != "text" {
		first := ""
		if len(st.MalformedAt) > 0 {
			m := st.MalformedAt[0]
			first = fmt.Sprintf(" (first: %s:%d: %s)", m.Source, m.Line, m.Reason)
		}
		fmt.Fprintf(io.Err, "log-report: %d malformed lines skipped%s; the report lists them\n", st.Malformed, first)
	}
	if o.html != "" {
		f, err := os.Create(o.html)
		if err == nil {
			w := bufio.NewWriter(f)
			err = report.WriteHTML(w, reps)
			if err == nil {
				err = w.Flush()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(io.Err, "log-report: --html: %v\n", err)
			return cli.ExitInput
		}
	}
	return cli.ExitOK
}

// readStore reads log-serve's store. A DSN that names no existing SQLite
// file is an error: opening would create an empty store.
func readStore(ctx context.Context, dsn string, rd *report.Reader, add func(*report.Record)) error {
	lower := strings.ToLower(dsn)
	if !strings.HasPrefix(lower, "postgres://") && !strings.HasPrefix(lower, "postgresql://") {
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("--db: %w", err)
		}
	}
	st, err := events.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("--db: %w", err)
	}
	defer st.Close()
	return rd.ReadStore(ctx, st, "store", add)
}
