package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/serve"
	"github.com/spf13/pflag"
)

const purgeUsage = `Usage: log-serve purge --age N [--timeline days|hours|minutes] [flags]

Remove the events older than N days (hours, minutes), as Tacker's
tacker-db-manage purge --age N --timeline days does, except those a --keep
filter matches. --dry-run counts what would go and removes nothing. Prints
what it removed; writes one audit line saying so to standard error (or
--log FILE).

Examples:
  log-serve purge --db events.db --age 90 --timeline days
  log-serve purge --db postgres://audit@db/audit --age 90 --keep outcome=failure --keep 'action=delete&target_type=server'
  log-serve purge --age 12 --timeline hours --dry-run

Flags:
`

func runPurge(args []string, io cli.IO) int {
	var (
		db, timeline, logFile string
		age                   int
		keep                  []string
		dry, help             bool
	)
	fs := pflag.NewFlagSet("log-serve purge", pflag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.SortFlags = false
	fs.StringVar(&db, "db", "events.db", "the store: an SQLite file, sqlite:FILE, or postgres://…")
	fs.IntVar(&age, "age", 0, "remove events older than this many --timeline units (required)")
	fs.StringVar(&timeline, "timeline", "days", "unit of --age: days, hours or minutes")
	fs.StringArrayVar(&keep, "keep", nil, "keep events matching this filter (API grammar: outcome=failure&service=nova-api); repeatable, any keeps")
	fs.BoolVar(&dry, "dry-run", false, "count what would be removed; remove nothing")
	fs.StringVar(&logFile, "log", "", "append the purge's audit line to this file (default: standard error)")
	fs.BoolVarP(&help, "help", "h", false, "show this help")
	cli.SetUsage(fs, io.Out, purgeUsage)
	fail := func(err error) int { return cli.Fail(io.Err, "log-serve purge", err) }
	if err := fs.Parse(args); err != nil {
		return fail(cli.UsageError{Err: err})
	}
	if help {
		fs.Usage()
		return cli.ExitOK
	}
	if fs.NArg() > 0 {
		return fail(cli.UsageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(0))})
	}
	if !fs.Changed("age") {
		return fail(cli.UsageError{Err: errors.New("--age is required (e.g. --age 90 --timeline days)")})
	}
	d, err := serve.ParseAge(age, timeline)
	if err != nil {
		return fail(cli.UsageError{Err: err})
	}
	groups, err := parseKeep(keep)
	if err != nil {
		return fail(cli.UsageError{Err: err})
	}
	logw, closeLog, err := openLog(logFile, io.Err)
	if err != nil {
		return fail(err)
	}
	defer closeLog()
	logger := slog.New(auditlog.NewHandler(logw, &auditlog.Options{Service: "log-serve"}))

	ctx, stop := cli.SignalContext()
	defer stop()
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := events.Open(octx, db)
	cancel()
	if err != nil {
		return fail(fmt.Errorf("--db: %w", err))
	}
	defer st.Close()
	res, err := serve.Purge(ctx, st, logger, serve.PurgeOptions{Age: d, Keep: groups, DryRun: dry})
	if err != nil {
		return fail(err)
	}
	verb := "removed"
	if dry {
		verb = "would remove"
	}
	fmt.Fprintf(io.Out, "%s %d events older than %s %s", verb, res.Removed, fs.Lookup("age").Value, timeline)
	if res.Removed > 0 {
		fmt.Fprintf(io.Out, " (from %s to %s)", res.Oldest.UTC().Format(time.RFC3339), res.Newest.UTC().Format(time.RFC3339))
	}
	if len(groups) > 0 {
		fmt.Fprintf(io.Out, "; kept %d that --keep matched", res.Kept)
	}
	if len(res.Partitions) > 0 {
		fmt.Fprintf(io.Out, "; dropped partitions %s", strings.Join(res.Partitions, ", "))
	}
	fmt.Fprintln(io.Out)
	return cli.ExitOK
}

const hashTokenUsage = `Usage: log-serve hash-token [--new] USER [PROJECT [ROLES]]

Write the tokens file line (for --tokens) of a token: its SHA-256, the
user, the project ("-" for none) and the roles, comma-separated ("-" for
none; admin sees every project, ingest may store events). The token is
read from the first line of standard input, so that it stays out of the
shell's history and the process list; --new makes a fresh random one and
prints it on standard error, once: the file keeps only its hash.

Examples:
  printf %s "$TOKEN" | log-serve hash-token alice p-42 member >> tokens
  log-serve hash-token --new shipper - ingest >> tokens
  log-serve hash-token --new root - admin >> tokens

Flags:
`

func runHashToken(args []string, io cli.IO) int {
	var fresh, help bool
	fs := pflag.NewFlagSet("log-serve hash-token", pflag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.BoolVar(&fresh, "new", false, "make a random token and print it on standard error")
	fs.BoolVarP(&help, "help", "h", false, "show this help")
	cli.SetUsage(fs, io.Out, hashTokenUsage)
	fail := func(err error) int { return cli.Fail(io.Err, "log-serve hash-token", err) }
	if err := fs.Parse(args); err != nil {
		return fail(cli.UsageError{Err: err})
	}
	if help {
		fs.Usage()
		return cli.ExitOK
	}
	if fs.NArg() < 1 || fs.NArg() > 3 {
		return fail(cli.UsageError{Err: errors.New("give USER, and optionally PROJECT and ROLES")})
	}
	id := serve.Identity{User: fs.Arg(0)}
	if p := fs.Arg(1); p != "" && p != "-" {
		id.Project = p
	}
	if r := fs.Arg(2); r != "" && r != "-" {
		for _, role := range strings.Split(r, ",") {
			if role = strings.TrimSpace(role); role != "" {
				id.Roles = append(id.Roles, role)
			}
		}
	}
	for _, f := range []string{id.User, id.Project, strings.Join(id.Roles, ",")} {
		if strings.ContainsAny(f, " \t\r\n#") || (f == id.User && (f == "" || f == "-")) {
			return fail(cli.UsageError{Err: fmt.Errorf("%q: names hold no spaces or #, and the user is not empty", f)})
		}
	}
	var token string
	if fresh {
		token = serve.NewToken()
		fmt.Fprintf(io.Err, "token (shown once; the file keeps its hash): %s\n", token)
	} else {
		line, err := bufio.NewReader(io.In).ReadString('\n')
		token = strings.TrimRight(line, "\r\n")
		if err != nil && token == "" {
			return fail(errors.New("no token on standard input (or give --new)"))
		}
		if len(token) < 16 {
			return fail(errors.New("the token is shorter than 16 bytes: too easy to guess (--new makes one)"))
		}
	}
	fmt.Fprintln(io.Out, serve.TokenLine(token, id))
	return cli.ExitOK
}
