package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/extractrun"
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

	names, unmatched, err := c.inputs()
	if err != nil {
		fmt.Fprintf(io.Err, "log-extract: %v\n", err)
		return cli.ExitCode(err)
	}
	for _, p := range unmatched {
		fmt.Fprintf(io.Err, "log-extract: %s %q matches no file\n", c.patternName(p), p)
	}
	if len(names) == 0 && len(unmatched) > 0 {
		return cli.ExitInput // nothing to read, and the patterns said there would be
	}
	if len(names) == 0 {
		if f, ok := io.In.(*os.File); ok && cli.IsTerminal(f) {
			fmt.Fprintln(io.Err, "log-extract: no input: name log files, give --pattern, or pipe logs in\nTry 'log-extract --help'.")
			return cli.ExitUsage
		}
		names = []string{"-"}
	}
	if c.statePath != "" && slices.Contains(names, "-") {
		// Its position cannot be remembered, and the actions at its end
		// would wait for a next run that cannot read on from there.
		fmt.Fprintf(io.Err, "log-extract: %s needs named files: a position in standard input cannot be remembered\nTry 'log-extract --help'.\n", c.named("state"))
		return cli.ExitUsage
	}

	err = extractrun.Run(ctx, c.job(names, io), io)
	var stopped *extractrun.StoppedError
	switch {
	case errors.As(err, &stopped) && ctx.Err() != nil:
		fmt.Fprintf(io.Err, "log-extract: interrupted; %s\n", stopped.Resume())
		return cli.ExitInput
	case errors.As(err, &stopped):
		if cli.IsBrokenPipe(err) {
			return cli.ExitOK
		}
		fmt.Fprintf(io.Err, "log-extract: %v\n", err)
		fmt.Fprintf(io.Err, "log-extract: %s\n", stopped.Resume())
		return cli.ExitInput
	case errors.Is(err, extractrun.ErrUnreadable):
		return cli.ExitInput // each was reported as it was met
	case err != nil: // the read state or the store would not open
		fmt.Fprintf(io.Err, "log-extract: %v\n", err)
		return cli.ExitInput
	case len(unmatched) > 0:
		return cli.ExitInput
	}
	return cli.ExitOK
}

// job is the run the settings describe, over the named inputs.
func (c *config) job(names []string, io cli.IO) extractrun.Config {
	now := time.Now
	if !c.now.IsZero() {
		now = func() time.Time { return c.now }
	}
	dsn := c.dsn
	if c.dryRun {
		dsn = "" // JSON lines on standard output, and nothing written
	}
	return extractrun.Config{
		Names: names,
		Extract: extract.Options{
			Mode:          c.mode,
			IncludeDelete: c.includeDelete,
			Window:        c.window,
			Location:      c.location,
			MaxMalformed:  c.maxMalformed,
			Now:           now,
			Input:         input.Options{Stdin: io.In},
		},
		DSN:       dsn,
		Table:     c.table,
		Truncate:  c.truncate,
		StatePath: c.statePath,
		BatchSize: c.batchSize,
		Progress:  c.progress,
		Quiet:     c.quiet,
	}
}
