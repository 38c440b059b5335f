package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
	"github.com/spf13/pflag"
)

// config is everything a run needs, from flags and the seed's environment
// variables. Flags win over the environment; the environment wins over the
// defaults, so the same image runs in a container (env) and at a shell
// (flags).
type config struct {
	mode          string
	dsn           string
	table         string
	includeDelete bool
	window        time.Duration
	patterns      []string
	files         []string // positional arguments ("-" is standard input)
	dryRun        bool
	truncate      bool
	timezone      string
	location      *time.Location
	statePath     string
	batchSize     int
	progress      cli.ColorMode // auto, always, never: the same three words
	quiet         bool
	maxMalformed  int
	now           time.Time // --now: the wall clock to judge a quiet log by (zero: the real one)
	help          bool
	fromEnv       []string          // which settings came from the environment, in the order read
	origin        map[string]string // flag name → the environment variable that set it, if one did
}

// envNames are the environment variables the command reads: the seed's, as
// its container sets them, and STATE. (Tests clear them from the
// environment of the binaries they run.) STATE is ours: the container keeps
// its read state in a volume.
var envNames = []string{"MODE", "DSN", "TABLE", "INCLUDE_DELETE", "DERIVE_WINDOW_SEC",
	"API_LOG_PATTERN", "COMPUTE_LOG_PATTERN", "GLANCE_LOG_PATTERN", "NEUTRON_LOG_PATTERN", "STATE"}

const usage = `Usage: log-extract [flags] [file|-] ...

Extract audit records of user actions (who did what to which server, image,
network…) from OpenStack's oslo.log text logs — nova-api, nova-compute,
nova-consoleauth, glance-api, neutron-server, plain or gzip — and from our JSON
audit lines, and print them as JSON audit lines (the default) or store them in
a database, where re-runs never duplicate a record.

Examples:
  log-extract /var/log/nova/nova-api.log /var/log/nova/nova-compute.log
  log-extract --pattern '/var/log/nova/*nova-api*.log*' --pattern '/var/log/nova/*nova-compute*.log*' | log-format
  log-extract --dsn actions.db --state actions.state /var/log/nova/*.log      # SQLite file, incremental
  log-extract --dsn 'postgres://audit@db:5432/ops' --mode neutron /var/log/neutron/server.log
  log-extract --dsn 'mysql+asyncmy://root:pass@127.0.0.1:3306/ops?charset=utf8mb4' --include-delete ...
  MODE=glance GLANCE_LOG_PATTERN='/logs/*glance-api*.log' log-extract --dry-run

Environment (the seed's container settings; flags win): MODE, DSN, TABLE,
INCLUDE_DELETE, DERIVE_WINDOW_SEC, API_LOG_PATTERN, COMPUTE_LOG_PATTERN,
GLANCE_LOG_PATTERN, NEUTRON_LOG_PATTERN; and STATE, the file --state names.
The Dockerfile beside this command builds the container the seed ran in.

Exit status: 0 done, 1 some input unreadable or the store failed (the error
says where to resume), 2 bad usage.

Flags:
`

func parseConfig(args []string, getenv func(string) string, stderr, stdout io.Writer) (*config, *pflag.FlagSet, error) {
	c := &config{origin: map[string]string{}}
	fs := pflag.NewFlagSet("log-extract", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringVar(&c.mode, "mode", action.ModeVM, modeHelp())
	fs.StringArrayVar(&c.patterns, "pattern", nil, "a glob of log files to read (repeatable; .gz files too)")
	fs.StringVar(&c.dsn, "dsn", "", "store in this database instead of printing: postgres://…, mysql://… or mysql+asyncmy://…, user:pass@tcp(host)/db, or a SQLite file (sqlite:path, or a path ending .db)")
	fs.StringVar(&c.table, "table", "", "table to store in (default by mode: nova_compute_action_log, glance_image_action_log, neutron_action_log)")
	fs.BoolVar(&c.includeDelete, "include-delete", true, "extract deletes too (--include-delete=false leaves them out, as the seed's default did)")
	windowSec := fs.Int("derive-window-sec", 60, "seconds around a server action within which a lifecycle event on the same server may resolve it")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the records as JSON lines and write nothing, even with --dsn")
	fs.BoolVar(&c.truncate, "truncate", false, "empty the table before writing (never done otherwise)")
	fs.StringVar(&c.timezone, "timezone", "UTC", "zone of the logs' timestamps, which oslo.log writes without one (Local, Europe/Paris, …)")
	fs.StringVar(&c.statePath, "state", "", "remember in this file how far each log was read, and read only new lines next time")
	fs.IntVar(&c.batchSize, "batch-size", 500, "records per database transaction")
	fs.Var(&c.progress, "progress", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no summary at the end")
	nowText := fs.String("now", "", "with --state, the time to take as now when deciding that a log has gone quiet and its last actions can be written (default: the clock; RFC 3339)")
	fs.IntVar(&c.maxMalformed, "max-malformed", 20, "list at most this many malformed lines in the summary (all are counted)")
	fs.BoolVarP(&c.help, "help", "h", false, "show this help")
	cli.SetUsage(fs, stdout, usage)
	c.progress = cli.ColorAuto
	if err := fs.Parse(args); err != nil {
		return nil, fs, cli.UsageError{Err: err}
	}
	if c.help {
		return c, fs, nil
	}
	c.files = fs.Args()

	// The environment fills what no flag set.
	env := func(name string) (string, bool) {
		v := strings.TrimSpace(getenv(name))
		return v, v != ""
	}
	if v, ok := env("MODE"); ok && !fs.Changed("mode") {
		c.mode, c.fromEnv, c.origin["mode"] = v, append(c.fromEnv, "MODE"), "MODE"
	}
	if v, ok := env("DSN"); ok && !fs.Changed("dsn") {
		c.dsn, c.fromEnv = v, append(c.fromEnv, "DSN")
	}
	if v, ok := env("TABLE"); ok && !fs.Changed("table") {
		c.table, c.fromEnv, c.origin["table"] = v, append(c.fromEnv, "TABLE"), "TABLE"
	}
	if v, ok := env("INCLUDE_DELETE"); ok && !fs.Changed("include-delete") {
		b, err := parseBool(v)
		if err != nil {
			return nil, fs, cli.UsageError{Err: fmt.Errorf("INCLUDE_DELETE=%q: %v", v, err)}
		}
		c.includeDelete, c.fromEnv = b, append(c.fromEnv, "INCLUDE_DELETE")
	}
	if v, ok := env("STATE"); ok && !fs.Changed("state") {
		c.statePath, c.fromEnv = v, append(c.fromEnv, "STATE")
	}
	if v, ok := env("DERIVE_WINDOW_SEC"); ok && !fs.Changed("derive-window-sec") {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fs, cli.UsageError{Err: fmt.Errorf("DERIVE_WINDOW_SEC=%q: not a whole number of seconds", v)}
		}
		*windowSec, c.fromEnv, c.origin["derive-window-sec"] = n, append(c.fromEnv, "DERIVE_WINDOW_SEC"), "DERIVE_WINDOW_SEC"
	}
	c.mode = strings.ToLower(c.mode)
	mode, ok := action.LookupMode(c.mode)
	if !ok || c.mode == "" {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("%s: want %s", c.setting("mode", c.mode), modeNames(" or "))}
	}
	if *windowSec <= 0 || *windowSec > 86400 {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("%s: want 1 to 86400 seconds", c.setting("derive-window-sec", strconv.Itoa(*windowSec)))}
	}
	c.window = time.Duration(*windowSec) * time.Second
	if c.batchSize < 1 || c.batchSize > 100000 {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--batch-size %d: want 1 to 100000", c.batchSize)}
	}
	// The pattern variables of the mode apply when no pattern flag and no
	// file was given: the container's way of naming its inputs.
	if len(c.patterns) == 0 && len(c.files) == 0 {
		for _, name := range mode.PatternEnv {
			if v, ok := env(name); ok {
				c.patterns = append(c.patterns, v)
				c.fromEnv = append(c.fromEnv, name)
				c.origin["pattern:"+v] = name
			}
		}
	}
	if c.table != "" {
		if err := store.CheckTable(c.table); err != nil {
			return nil, fs, cli.UsageError{Err: fmt.Errorf("%s: %v", c.setting("table", c.table), err)}
		}
	}
	loc, err := cli.LoadLocation(c.timezone)
	if err != nil {
		return nil, fs, cli.UsageError{Err: fmt.Errorf("--timezone: %v", err)}
	}
	c.location = loc
	if *nowText != "" {
		t, err := time.Parse(time.RFC3339Nano, *nowText)
		if err != nil {
			return nil, fs, cli.UsageError{Err: fmt.Errorf("--now %q: want an RFC 3339 time (2026-11-27T08:00:00Z)", *nowText)}
		}
		c.now = t
	}
	return c, fs, nil
}

// modeNames lists the modes' names, the last two joined by last ("vm,
// glance or neutron").
func modeNames(last string) string {
	var names []string
	for _, m := range action.Modes() {
		names = append(names, m.Name)
	}
	n := len(names)
	return strings.Join(names[:n-1], ", ") + last + names[n-1]
}

// modeHelp is the --mode flag's usage: each mode and what it covers.
func modeHelp() string {
	var parts []string
	for _, m := range action.Modes() {
		parts = append(parts, m.Name+" ("+m.Covers+")")
	}
	return "what to extract: " + strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on", "y", "t":
		return true, nil
	case "0", "false", "no", "off", "n", "f":
		return false, nil
	}
	return false, errors.New("want 1/0, true/false, yes/no")
}

// named is how a setting is called in a message: by the environment
// variable that set it, or by its flag.
func (c *config) named(flag string) string {
	if v, ok := c.origin[flag]; ok {
		return v
	}
	return "--" + flag
}

// setting shows a setting and its value in a message, as the user wrote
// it: MODE="nova" from the environment, --mode "nova" from a flag.
func (c *config) setting(flag, value string) string {
	if v, ok := c.origin[flag]; ok {
		return fmt.Sprintf("%s=%q", v, value)
	}
	return fmt.Sprintf("--%s %q", flag, value)
}

// patternName names a pattern in a message the same way.
func (c *config) patternName(p string) string {
	if v, ok := c.origin["pattern:"+p]; ok {
		return v
	}
	return "--pattern"
}

// inputs expands the patterns and appends the files, in a stable order:
// each pattern's matches sorted by name, so rotated files (api.log.2.gz,
// api.log.1, api.log) come in the order they were written only if their
// names say so — the extractor merges by time anyway.
//
// A pattern that matches nothing is returned in unmatched: the run goes on
// with the rest (a container may name a log that this host does not have)
// and ends with status 1.
func (c *config) inputs() (names, unmatched []string, err error) {
	seen := map[string]bool{}
	for _, p := range c.patterns {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, nil, cli.UsageError{Err: fmt.Errorf("--pattern %q: %v", p, err)}
		}
		if len(m) == 0 {
			unmatched = append(unmatched, p)
			continue
		}
		sort.Strings(m)
		for _, n := range m {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	for _, f := range c.files {
		if !seen[f] || f == "-" {
			seen[f] = true
			names = append(names, f)
		}
	}
	return names, unmatched, nil
}
