package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/logevents"
	"github.com/spf13/pflag"
)

const usage = `Usage: log-events [flags] COMMAND [args]

Read the events log-serve keeps.

Commands:
  list              events in time order, filtered (--filter), page by page
  show ID           one event: its columns and its line
  request REQ-ID    every event of one request, across services, in time order
  monitor           the live stream, as lxc monitor: --type, --format, --loglevel;
                    reconnects by itself and resumes where it stopped

Examples:
  log-events list --filter user=alice --since 1h
  log-events list --filter action=delete --filter outcome=!success --output json | jq .
  log-events list --filter project=p-42 --filter level=WARNING --all
  log-events show 5tq2v3w4x5y6z7a2b3c4d5e6f7
  log-events request req-0b9c6a1e-...
  log-events monitor --type lifecycle --format yaml
  log-events monitor --type logging --loglevel WARNING --filter service=nova-api

Filters (--filter NAME=VALUE, repeatable, all must hold) take the API's
names: target_id (or resource_id), target_type, action (or event_type),
outcome (or status=success|failure), user, project, request_id, service,
kind, level (minimum), q (text in the message), since, until; a leading !
negates (outcome=!success), commas mean any of (action=create,delete).

The server is --url or $AUDITLOG_URL (default http://127.0.0.1:8780); the
token is $AUDITLOG_TOKEN or the first line of --token-file (never a flag's
value, which other users could read in the process list).

Exit status: 0 done, 1 the server refused or could not be reached, 2 bad
usage.

Flags:
`

// options are the parsed command line.
type options struct {
	url       string
	tokenFile string
	output    string
	color     cli.ColorMode
	filters   []string
	since     string
	until     string
	limit     int
	all       bool
	after     string
	desc      bool
	secrets   bool
	types     []string
	format    string
	loglevel  string
	count     int
	help      bool
	command   string
	args      []string
}

const defaultURL = "http://127.0.0.1:8780"

func parse(args []string, io cli.IO) (*options, *pflag.FlagSet, error) {
	o := &options{color: cli.ColorAuto}
	fs := pflag.NewFlagSet("log-events", pflag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.SortFlags = false
	fs.SetInterspersed(true)
	fs.StringVar(&o.url, "url", "", "log-serve's URL (default $AUDITLOG_URL, else "+defaultURL+")")
	fs.StringVar(&o.tokenFile, "token-file", "", "read the token from this file's first line (default: $AUDITLOG_TOKEN)")
	fs.StringVarP(&o.output, "output", "o", logevents.OutputTable, "table (log-format's summary), json (the API's events, one per line) or raw (the stored lines)")
	fs.StringArrayVarP(&o.filters, "filter", "F", nil, "list: only events where `NAME=VALUE` (repeatable; ! negates, commas: any of)")
	fs.StringVar(&o.since, "since", "", "list: events at or after this time (RFC 3339 or a duration ago, like 2h); monitor: resume after this stream cursor")
	fs.StringVar(&o.until, "until", "", "list: events before this time (same forms)")
	fs.IntVarP(&o.limit, "limit", "n", 0, "list: events per page (server default 100, at most 1000)")
	fs.BoolVar(&o.all, "all", false, "list: every page, not only the first")
	fs.StringVar(&o.after, "after", "", "list: start after this cursor (as printed for the next page) or event id")
	fs.BoolVar(&o.desc, "desc", false, "list: newest first")
	fs.StringArrayVarP(&o.types, "type", "t", nil, "monitor: only events of this type: logging, operation or lifecycle (repeatable)")
	fs.StringVar(&o.format, "format", "pretty", "monitor: pretty (log-format's summary), json (the envelope) or yaml (as lxc monitor)")
	fs.StringVar(&o.loglevel, "loglevel", "", "monitor, pretty only: the minimum level printed")
	fs.IntVar(&o.count, "count", 0, "monitor: stop after this many events (0: never)")
	fs.Var(&o.color, "color", "colour the table: auto (on a terminal), always or never")
	fs.BoolVar(&o.secrets, "show-secrets", false, "table: print credentials instead of [REDACTED]")
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
		return nil, fs, cli.UsageError{Err: errors.New("no command: give list, show ID or request REQ-ID")}
	}
	o.command, o.args = rest[0], rest[1:]
	want := map[string]int{"list": 0, "show": 1, "request": 1, "monitor": 0}
	n, ok := want[o.command]
	if !ok {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("unknown command %q: give list, show ID or request REQ-ID", o.command)}
	}
	if len(o.args) != n {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("%s takes %d argument(s), got %d", o.command, n, len(o.args))}
	}
	only := map[string][]string{
		"list":    {"until", "limit", "all", "after", "desc"},
		"monitor": {"type", "format", "loglevel", "count"},
	}
	if o.command == "monitor" && fs.Changed("output") {
		return nil, fs, cli.UsageError{Err: errors.New("--output goes with list, show and request; monitor has --format")}
	}
	for cmd, names := range only {
		if cmd == o.command {
			continue
		}
		for _, name := range names {
			if fs.Changed(name) {
				return nil, fs, cli.UsageError{Err: fmt.Errorf("--%s goes with %s, not %s", name, cmd, o.command)}
			}
		}
	}
	if o.command != "list" && o.command != "monitor" {
		for _, name := range []string{"filter", "since"} {
			if fs.Changed(name) {
				return nil, fs, cli.UsageError{Err: fmt.Errorf("--%s goes with list, not %s", name, o.command)}
			}
		}
	}
	for _, f := range o.filters {
		if k, _, ok := strings.Cut(f, "="); !ok || k == "" || k == "since" || k == "after" || k == "type" {
			return nil, fs, cli.UsageError{Err: fmt.Errorf("--filter %q: want NAME=VALUE (since, after and type have flags of their own)", f)}
		}
	}
	if o.limit < 0 {
		return nil, fs, cli.UsageError{Err: errors.New("--limit must not be negative")}
	}
	switch o.format {
	case logevents.FormatPretty, logevents.FormatJSON, logevents.FormatYAML:
	default:
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--format %q: one of pretty, json, yaml", o.format)}
	}
	if o.loglevel != "" && o.format != logevents.FormatPretty {
		return nil, fs, cli.UsageError{Err: errors.New("--loglevel goes with --format pretty (json and yaml print every event)")}
	}
	switch o.output {
	case logevents.OutputTable, logevents.OutputJSON, logevents.OutputRaw:
	default:
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--output %q: one of %s", o.output, strings.Join(logevents.Outputs(), ", "))}
	}
	return o, fs, nil
}

// query is the list command's query string.
func (o *options) query() url.Values {
	q := url.Values{}
	for _, f := range o.filters {
		k, v, _ := strings.Cut(f, "=")
		q.Add(k, v)
	}
	if o.since != "" {
		q.Set("since", o.since)
	}
	if o.until != "" {
		q.Set("until", o.until)
	}
	if o.limit > 0 {
		q.Set("limit", strconv.Itoa(o.limit))
	}
	if o.after != "" {
		q.Set("after", o.after)
	}
	if o.desc {
		q.Set("sort", "time:desc")
	}
	return q
}

func run(args []string, io cli.IO) int {
	o, fs, err := parse(args, io)
	if err != nil {
		return cli.Fail(io.Err, "log-events", err)
	}
	if o.help {
		fs.Usage()
		return cli.ExitOK
	}
	c := &logevents.Client{URL: o.url, UserAgent: "log-events"}
	if c.URL == "" {
		c.URL = io.Env("AUDITLOG_URL")
	}
	if c.URL == "" {
		c.URL = defaultURL
	}
	c.Token = io.Env("AUDITLOG_TOKEN")
	if o.tokenFile != "" {
		b, err := os.ReadFile(o.tokenFile)
		if err != nil {
			fmt.Fprintf(io.Err, "log-events: --token-file: %v\n", err)
			return cli.ExitUsage
		}
		c.Token, _, _ = strings.Cut(strings.TrimSpace(string(b)), "\n")
		c.Token = strings.TrimSpace(c.Token)
	}
	p, err := logevents.NewPrinter(io.Out, logevents.PrinterOptions{
		Output: o.output, Color: io.UseColor(o.color), EscapeControl: io.OutIsTerminal, ShowSecrets: o.secrets,
	})
	if err != nil {
		fmt.Fprintf(io.Err, "log-events: %v\n", err)
		return cli.ExitUsage
	}
	ctx, stop := cli.SignalContext()
	defer stop()
	if o.command == "monitor" {
		err = monitor(ctx, c, o, io)
	} else {
		err = do(ctx, c, o, p, io)
	}
	if ferr := p.Flush(); err == nil && ferr != nil && !cli.IsBrokenPipe(ferr) {
		err = ferr
	}
	if err != nil && !cli.IsBrokenPipe(err) {
		fmt.Fprintf(io.Err, "log-events: %v\n", err)
		return cli.ExitInput
	}
	return cli.ExitOK
}

func do(ctx context.Context, c *logevents.Client, o *options, p *logevents.Printer, io cli.IO) error {
	switch o.command {
	case "show":
		e, err := c.Get(ctx, o.args[0])
		if err != nil {
			return fmt.Errorf("show %s: %w", o.args[0], err)
		}
		return p.Print(&e)
	case "request":
		evs, err := c.Request(ctx, o.args[0])
		if err != nil {
			return fmt.Errorf("request %s: %w", o.args[0], err)
		}
		for i := range evs {
			if err := p.Print(&evs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	q := o.query()
	for {
		page, err := c.List(ctx, q)
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		for i := range page.Events {
			if err := p.Print(&page.Events[i]); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		if !o.all {
			if err := p.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(io.Err, "log-events: more: --after %s (or --all)\n", page.Next)
			return nil
		}
		q.Set("after", page.Next)
	}
}

// monitor is the monitor command: the stream, until interrupted.
func monitor(ctx context.Context, c *logevents.Client, o *options, io cli.IO) error {
	q := url.Values{}
	for _, f := range o.filters {
		k, v, _ := strings.Cut(f, "=")
		q.Add(k, v)
	}
	if len(o.types) > 0 {
		q.Set("type", strings.Join(o.types, ","))
	}
	err := c.Monitor(ctx, io.Out, logevents.MonitorOptions{
		Query: q, Since: o.since, Format: o.format, MinLevel: o.loglevel,
		Color: io.UseColor(o.color), EscapeControl: io.OutIsTerminal, Log: io.Err, Stop: o.count,
	})
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	return nil
}
