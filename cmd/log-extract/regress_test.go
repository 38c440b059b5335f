// The tests in this file are regressions: each showed a bug found while
// testing the command (fixed since).

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// TestBugStdinWithState: with --state the extractor holds the actions at
// the end of its input for the next run, which reads on from the saved
// position. Standard input has no such position, so those actions were
// lost, silently; --state with standard input is now refused as bad usage.
func TestBugStdinWithState(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), "state.json")
	var out, errb strings.Builder
	code := run([]string{"-q", "--state", stateFile}, cli.IO{In: strings.NewReader(sampleExcerpt), Out: &out, Err: &errb, Getenv: getenv(nil)})
	if code != cli.ExitUsage || !strings.Contains(errb.String(), "needs named files") {
		t.Fatalf("exit %d, stderr %q: want 2 and a message that --state needs named files", code, errb.String())
	}
	if out.Len() > 0 {
		t.Errorf("wrote %q before refusing", out.String())
	}
}

// TestBugEnvNamedInErrors: a bad value from the environment is reported
// under the flag's name, which the operator of a container never typed.
func TestBugEnvNamedInErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"MODE": "nova"}, `MODE="nova"`},
		{map[string]string{"DERIVE_WINDOW_SEC": "0"}, "DERIVE_WINDOW_SEC"},
		{map[string]string{"TABLE": "x-y"}, "TABLE"},
		{map[string]string{"API_LOG_PATTERN": filepath.Join(dir, "*api*.log")}, "API_LOG_PATTERN"},
	}
	for _, tt := range tests {
		_, _, stderr := runCmd(nil, tt.env)
		if !strings.Contains(stderr, tt.want) {
			t.Errorf("with %v: %q does not name %s", tt.env, strings.TrimSpace(stderr), tt.want)
		}
	}
}

// TestBugSchemaTable: --table's check and its message accept
// "schema.table" (and names up to 63 bytes), the store refuses both, so
// the run fails at the database (exit 1) instead of as bad usage (exit 2).
func TestBugSchemaTable(t *testing.T) {
	dir := t.TempDir()
	api := filepath.Join(dir, "nova-api.log")
	if err := os.WriteFile(api, []byte(sampleExcerpt), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"audit.nova_actions", strings.Repeat("t", 60)} {
		code, _, stderr := runCmd([]string{"--dsn", filepath.Join(dir, "a.db"), "--table", table, api}, nil)
		if code != cli.ExitUsage && code != cli.ExitOK {
			t.Errorf("--table %s: exit %d (%s); want it refused as usage (2) or used (0)", table, code, strings.TrimSpace(stderr))
		}
	}
}

// TestBugDurationRounding: "0.064514" seconds in the access line comes out
// as "duration_ms":64.513999 in the JSON line: store/jsonlines.go converts
// the float milliseconds to a time.Duration by truncation, and
// 0.064514*1000 is 64.51399999999999 in binary.
func TestBugDurationRounding(t *testing.T) {
	api := filepath.Join(t.TempDir(), "glance-api.log")
	line := `2015-10-29 10:53:25.771 27466 INFO eventlet.wsgi.server [req-3e9f2f41-9c31-4d84-a03d-6f4c815fad43 6f8a1c0e2b3d4e5f8a9b0c1d2e3f4a5b 2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e - - -] 10.0.0.5 - - [29/Oct/2015 10:53:25] "DELETE /v2/images/ab98272d-a812-4e25-ab57-ad56d37b9352 HTTP/1.1" 204 213 0.064514` + "\n"
	if err := os.WriteFile(api, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout, _ := runCmd([]string{"-q", "--mode", "glance", api}, nil)
	if !strings.Contains(stdout, `"duration_ms":64.514,`) {
		t.Errorf("want duration_ms 64.514; got %s", stdout)
	}
}

// TestBugBatchCount: after a failed batch the summary counts it among the
// batches ("stored: 21 new, 0 already stored (21 written in 4 batch(es))") while the note
// under it says 21 actions in 3 batches were stored. Shown by
// TestServerGone's log; here through an SQLite table whose trigger refuses
// the 15th create, in the third batch.
func TestBugBatchCount(t *testing.T) {
	dir := t.TempDir()
	api := filepath.Join(dir, "nova-api.log")
	if err := os.WriteFile(api, []byte(genLog(30)), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "a.db")
	b := &backend{name: "SQLite", dsn: db, driver: "sqlite", direct: db}
	tb := newTable(t, b)
	// Create the table, then a trigger that refuses the 15th create.
	if code, _, stderr := runCmd([]string{"--dsn", db, "--table", tb.name, os.DevNull}, nil); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := tb.db.Exec(`CREATE TRIGGER boom BEFORE INSERT ON ` + tb.name + ` WHEN NEW.resource = '` + genInstance(14) +
		`' BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	_, _, stderr := runCmd([]string{"--dsn", db, "--table", tb.name, "--batch-size", "7", api}, nil)
	if !strings.Contains(stderr, "14 actions in 2 batches were stored") {
		t.Fatalf("stderr:\n%s", stderr)
	}
	if !strings.Contains(stderr, "stored: 14 new, 0 already stored (14 written in 2 batch(es))") {
		t.Errorf("the summary does not agree with the note:\n%s", stderr)
	}
}

// TestQuietLogWrittenWhole: with --state, the actions at the end of a log
// wait for a later line only while the log may still grow. A log whose
// last window closed long ago by the clock (this one is from 2015) is
// written whole; the same log taken as live (--now at its start) holds its
// last window and says so. Before, a log that never grew again held its
// tail for ever.
func TestQuietLogWrittenWhole(t *testing.T) {
	dir := t.TempDir()
	api := filepath.Join(dir, "nova-api.log")
	if err := os.WriteFile(api, []byte(strings.Join(genCreates(0, 30), "")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd([]string{"--state", filepath.Join(dir, "quiet.state"), api}, nil)
	if code != 0 || strings.Count(stdout, "\n") != 30 || strings.Contains(stderr, "held for the next run") {
		t.Errorf("quiet log: exit %d, %d lines, stderr:\n%s", code, strings.Count(stdout, "\n"), stderr)
	}
	code, stdout, stderr = runCmd([]string{"--state", filepath.Join(dir, "live.state"), "--now", genStart.Format(time.RFC3339), api}, nil)
	if code != 0 || strings.Count(stdout, "\n") != 0 || !strings.Contains(stderr, "held for the next run") {
		t.Errorf("live log: exit %d, %d lines, stderr:\n%s", code, strings.Count(stdout, "\n"), stderr)
	}
}
