package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/ingest"
	"github.com/auditlog-go/auditlog/tools/serve"
	"github.com/spf13/pflag"
)

const usage = `Usage: log-serve [flags]
       log-serve purge --age N [--timeline days|hours|minutes] [flags]
       log-serve hash-token [--new] USER [PROJECT [ROLES]]

Keep audit events and answer questions about them. Stores NDJSON lines
(ours, oslo.log's JSON, log-extract's records) sent to POST /v1/events, or
tailed from files with --follow, in an SQLite file (the default, no server
needed) or PostgreSQL, and answers GET /v1/events (filters: target_id,
action, outcome, status, user, project, request_id, service, kind, level,
since, until, q, sort, limit, after; Tacker's resource_id, resource_type,
event_type, resource_state, start-time, end-time, index and count too),
GET /v1/events/{id}, GET /v1/requests/{request_id} and
GET /v1/attributes/{name}. GET /v1/events/stream is the live stream (Server-
Sent Events, or a WebSocket on upgrade; type=logging,operation,lifecycle,
since=CURSOR to resume; see log-events monitor).

Callers are known by a token (Authorization: Bearer or X-Auth-Token) from
--tokens FILE, or, behind a trusted proxy only, by X-User-Id, X-Project-Id
and X-Roles (--trust-identity-headers). With neither, log-serve makes an
admin token for its owner and keeps it in a file of mode 0600 beside the
database (events.db.token), reused on restart. Each caller sees its
project's events; role admin sees all; role ingest (or admin) may store.

The server's own audit lines (every request, every read with its query,
every purge) go to standard error, or --log FILE.

Examples:
  log-serve                                     # events.db here, on 127.0.0.1:8780
  log-serve --db postgres://audit@db/audit --listen :8780 --tokens tokens
  log-serve --follow /var/log/nova/nova-api.log --retention 90d --keep outcome=failure
  log-serve purge --db events.db --age 90 --timeline days --dry-run
  printf %s "$TOKEN" | log-serve hash-token alice p-42 member >> tokens

Exit status: 0 stopped by SIGINT or SIGTERM (requests in flight drained),
1 a runtime error, 2 bad usage.

Flags:
`

// serveOptions are the parsed command line of the server.
type serveOptions struct {
	db           string
	listen       string
	tokens       string
	trustHeaders bool
	follow       []string
	logFile      string
	maxBody      int64
	batch        int
	streamBuffer int
	maxErrors    int
	retention    string
	keep         []string
	incidents    serve.IncidentOptions
	incRetention string
	drain        time.Duration
	retryAfter   time.Duration
	help         bool
}

func parseServe(args []string, io cli.IO) (*serveOptions, *pflag.FlagSet, error) {
	o := &serveOptions{}
	fs := pflag.NewFlagSet("log-serve", pflag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.SortFlags = false
	fs.StringVar(&o.db, "db", "events.db", "the store: an SQLite file (created when missing), sqlite:FILE, or postgres://…")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8780", "address to serve on (host:port; port 0 picks one)")
	fs.StringVar(&o.tokens, "tokens", "", "tokens file: one 'sha256:<hex> USER PROJECT ROLES' a line (see hash-token)")
	fs.BoolVar(&o.trustHeaders, "trust-identity-headers", false, "take X-User-Id, X-Project-Id, X-Roles as given: only behind a proxy that sets them")
	fs.StringArrayVar(&o.follow, "follow", nil, "tail this file into the store (repeatable; offsets kept in the store)")
	fs.StringVar(&o.logFile, "log", "", "append the server's own audit lines to this file (default: standard error)")
	fs.Int64Var(&o.maxBody, "max-body-bytes", serve.DefaultMaxBodyBytes, "largest ingest body, on the wire and unpacked (413 past it)")
	fs.IntVar(&o.batch, "batch-size", serve.DefaultBatchSize, "lines per insert of an ingest request")
	fs.IntVar(&o.streamBuffer, "stream-buffer", 1024, "events buffered for each stream subscriber; one that falls further behind is sent a dropped notice")
	fs.IntVar(&o.maxErrors, "max-errors", serve.DefaultMaxErrors, "rejected lines listed in an ingest answer (all are counted)")
	fs.StringVar(&o.retention, "retention", "", "purge events older than this, now and every hour or so (90d, 12h, 30m)")
	fs.StringArrayVar(&o.keep, "keep", nil, "with --retention: keep events matching this filter (API grammar: outcome=failure&service=nova-api); repeatable, any keeps")
	fs.StringVar(&o.incRetention, "incident-retention", "", "remove incidents (the viewer's archive) kept longer ago than this (90d, 12h); default: keep them")
	fs.DurationVar(&o.incidents.Range, "incident-range", serve.DefaultRange, "an incident keeps the WARNING+ events this far around its moment")
	fs.BoolVar(&o.incidents.Manual, "no-auto-incidents", false, "make incidents only on demand, not for each stretch of WARNING+ events")
	fs.DurationVar(&o.drain, "drain", 30*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish")
	fs.DurationVar(&o.retryAfter, "retry-after", serve.DefaultRetryAfter, "what a 503 (store unavailable) tells clients to wait")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	cli.SetUsage(fs, io.Out, usage)
	if err := fs.Parse(args); err != nil {
		return nil, fs, cli.UsageError{Err: err}
	}
	if fs.NArg() > 0 {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("unexpected argument %q (files to tail go after --follow; commands are purge and hash-token)", fs.Arg(0))}
	}
	if o.maxBody <= 0 || o.batch <= 0 || o.maxErrors < 0 {
		return nil, fs, cli.UsageError{Err: errors.New("--max-body-bytes and --batch-size must be positive, --max-errors not negative")}
	}
	if o.streamBuffer < 1 {
		return nil, fs, cli.UsageError{Err: errors.New("--stream-buffer must be at least 1")}
	}
	if len(o.keep) > 0 && o.retention == "" {
		return nil, fs, cli.UsageError{Err: errors.New("--keep goes with --retention (or log-serve purge)")}
	}
	return o, fs, nil
}

func run(args []string, io cli.IO) int {
	if len(args) > 0 {
		switch args[0] {
		case "purge":
			return runPurge(args[1:], io)
		case "hash-token":
			return runHashToken(args[1:], io)
		}
	}
	o, fs, err := parseServe(args, io)
	if err != nil {
		return cli.Fail(io.Err, "log-serve", err)
	}
	if o.help {
		fs.Usage()
		return cli.ExitOK
	}
	ctx, stop := cli.SignalContext()
	defer stop()
	if err := serveUntilDone(ctx, o, io); err != nil {
		fmt.Fprintf(io.Err, "log-serve: %v\n", err)
		return cli.ExitCode(err)
	}
	return cli.ExitOK
}

// serveUntilDone runs the server until ctx is done.
func serveUntilDone(ctx context.Context, o *serveOptions, io cli.IO) error {
	var retention time.Duration
	var keep [][]events.Filter
	if o.incRetention != "" {
		var err error
		if o.incidents.Retention, err = serve.ParseRetention(o.incRetention); err != nil {
			return cli.UsageError{Err: fmt.Errorf("--incident-retention %q: want a count and a unit, e.g. 90d, 12h, 30m", o.incRetention)}
		}
	}
	if o.retention != "" {
		var err error
		if retention, err = serve.ParseRetention(o.retention); err != nil {
			return cli.UsageError{Err: err}
		}
		if keep, err = parseKeep(o.keep); err != nil {
			return cli.UsageError{Err: err}
		}
	}
	logw, closeLog, err := openLog(o.logFile, io.Err)
	if err != nil {
		return err
	}
	defer closeLog()
	h := auditlog.NewHandler(logw, &auditlog.Options{Service: "log-serve"})
	logger := slog.New(h)

	auth := serve.Auth{TrustIdentityHeaders: o.trustHeaders}
	if o.tokens != "" {
		if auth.Tokens, err = serve.ReadTokensFile(o.tokens); err != nil {
			return fmt.Errorf("--tokens: %w", err)
		}
	}

	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := events.Open(octx, o.db)
	cancel()
	if err != nil {
		return fmt.Errorf("--db: %w", err)
	}
	defer st.Close()

	if o.tokens == "" && !o.trustHeaders {
		path, tok, err := ownerToken(o.db)
		if err != nil {
			return err
		}
		auth.Tokens = &serve.Tokens{}
		auth.Tokens.Add(tok, serve.Identity{User: "owner", Roles: []string{serve.RoleAdmin}})
		logger.LogAttrs(ctx, slog.LevelInfo, "no --tokens: the owner's admin token is in "+path,
			slog.String("file", path))
	}

	srv, err := serve.New(serve.Options{
		Store: st, Auth: auth, Log: h, MaxBodyBytes: o.maxBody, BatchSize: o.batch,
		MaxErrors: max(o.maxErrors, 1), RetryAfter: o.retryAfter, StreamBuffer: o.streamBuffer,
		Incidents: o.incidents,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "listening on http://"+ln.Addr().String(), auditlog.KindLifecycle.Attr(),
		auditlog.Action("start"), slog.String("addr", ln.Addr().String()), slog.String("db", events.RedactDSN(o.db)))

	var wg sync.WaitGroup
	bg, stopBg := context.WithCancel(ctx)
	defer stopBg()
	var followErr error
	if len(o.follow) > 0 {
		wg.Go(func() {
			followErr = ingest.Follow(bg, st, o.follow, ingest.FollowOptions{Logger: logger})
		})
	}
	if retention > 0 {
		wg.Go(func() { serve.Retain(bg, st, logger, retention, 0, keep) })
	}
	err = srv.Serve(ctx, ln, o.drain)
	stopBg()
	wg.Wait()
	if err == nil {
		err = followErr
	}
	logger.LogAttrs(context.Background(), slog.LevelInfo, "stopped", auditlog.KindLifecycle.Attr(), auditlog.Action("stop"))
	return err
}

// ownerToken returns the admin token kept beside the database (or, for
// PostgreSQL, in the working directory), making it on the first run.
func ownerToken(db string) (path, token string, err error) {
	path = "log-serve.token"
	lower := strings.ToLower(db)
	if !strings.HasPrefix(lower, "postgres://") && !strings.HasPrefix(lower, "postgresql://") {
		path = strings.TrimPrefix(strings.TrimPrefix(db, "sqlite:"), "//") + ".token"
	}
	path = filepath.Clean(path)
	if b, err := os.ReadFile(path); err == nil {
		tok := strings.TrimSpace(string(b))
		if len(tok) < 16 {
			return "", "", fmt.Errorf("%s: too short for a token; remove it to have a new one made", path)
		}
		return path, tok, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", "", err
	}
	tok := serve.NewToken()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", "", fmt.Errorf("writing the owner's token: %w", err)
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		return "", "", err
	}
	return path, tok, f.Close()
}

func openLog(path string, stderr io.Writer) (io.Writer, func(), error) {
	if path == "" {
		return stderr, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("--log: %w", err)
	}
	return f, func() { f.Close() }, nil
}

func parseKeep(keep []string) ([][]events.Filter, error) {
	var groups [][]events.Filter
	for _, k := range keep {
		fs, err := serve.ParseFilters(k)
		if err != nil {
			return nil, fmt.Errorf("--keep %s: %w", k, err)
		}
		groups = append(groups, fs)
	}
	return groups, nil
}
