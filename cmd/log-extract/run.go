package main

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/extractrun"
	"github.com/auditlog-go/auditlog/tools/input"
)

func run(args []string, io cli.IO) int {
	c, fs, err := parseConfig(args, io.Env, io.Err, io.Out)
	if err != nil {
		return cli.Fail(io.Err, "log-extract", err)
	}
	if c.help {
		fs.Usage()
		return cli.ExitOK
	}
	ctx, stop := cli.SignalContext()
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
		if io.InIsTerminal() {
			return cli.Fail(io.Err, "log-extract", cli.UsageError{Err: errors.New("no input: name log files, give --pattern, or pipe logs in")})
		}
		names = []string{"-"}
	}
	if c.statePath != "" && slices.Contains(names, "-") {
		// Its position cannot be remembered, and the actions at its end
		// would wait for a next run that cannot read on from there.
		return cli.Fail(io.Err, "log-extract", cli.UsageError{Err: fmt.Errorf("%s needs named files: a position in standard input cannot be remembered", c.named("state"))})
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
