package main

import (
	"bytes"
	"errors"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildCommand builds the real binary into dir.
func buildCommand(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "log-extract")
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("go build: %s", time.Since(start).Round(time.Millisecond))
	return bin
}

// TestKill kills the real command with SIGKILL part-way through a run
// that stores 2000 creates in batches of 7, once it has committed a few
// batches: the table holds whole batches only, and a re-run (which
// resumes from the read state the killed run saved) completes it with
// nothing twice. SIGKILL leaves no chance to clean up: what is committed
// is what the database and the state file already had.
func TestKill(t *testing.T) {
	bin := buildCommand(t, t.TempDir())
	for _, mk := range []func(*testing.T) *backend{sqliteBackend, postgresBackend} {
		b := mk(t)
		t.Run(b.name, func(t *testing.T) { testKill(t, b, bin, syscall.SIGKILL) })
	}
	// Ctrl-C (or docker stop's SIGTERM) lets it finish cleanly: the batch
	// in flight is rolled back and it says where a re-run resumes.
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		b := sqliteBackend(t)
		t.Run("SQLite/"+sig.String(), func(t *testing.T) { testKill(t, b, bin, sig) })
	}
}

func testKill(t *testing.T, b *backend, bin string, sig syscall.Signal) {
	const n, batch = 2000, 7
	dir := t.TempDir()
	log, stateFile := filepath.Join(dir, "nova-api.log"), filepath.Join(dir, "state.json")
	if err := os.WriteFile(log, []byte(genLog(n)), 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTable(t, b)
	args := []string{"--batch-size", "7", "--dsn", b.dsn, "--table", tb.name, "--state", stateFile, log}

	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = cleanEnv()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Kill it once some batches are in: how many varies from run to run,
	// so that the kill falls at different points of a batch's life.
	k := 3 + mrand.IntN(60)
	var err error
	killedAt := -1
	var killTime time.Duration
	deadline := time.Now().Add(30 * time.Second)
wait:
	for {
		select {
		case err = <-done:
			break wait
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no %d rows after 30 s; stderr:\n%s", k*batch, stderr.String())
		}
		if c, cerr := tb.countErr(); cerr == nil && c >= k*batch {
			killedAt = c
			cmd.Process.Signal(sig)
			killTime = time.Since(start)
			err = <-done
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	var ee *exec.ExitError
	switch {
	case sig == syscall.SIGKILL && (!errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL):
		t.Fatalf("the run ended before it was killed (%v); stderr:\n%s", err, stderr.String())
	case sig != syscall.SIGKILL && (!errors.As(err, &ee) || ee.ExitCode() != 1):
		t.Fatalf("after %v: %v, want exit 1; stderr:\n%s", sig, err, stderr.String())
	case sig != syscall.SIGKILL:
		m := regexp.MustCompile(`(?m)^log-extract: interrupted; (\d+) actions in (\d+) batches were stored before the failure; the read state covers only what was stored, so a re-run resumes there$`).FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("after %v, stderr does not say it was interrupted and how to resume:\n%s", sig, stderr.String())
		}
		if rows := tb.count(t); strconv.Itoa(rows) != m[1] || strconv.Itoa(rows/batch) != m[2] {
			t.Errorf("the table has %d rows; the note says %s actions in %s batches", rows, m[1], m[2])
		}
	}
	// A server may still be committing the batch whose COMMIT the killed
	// client had sent: wait until its count settles.
	rows := tb.settled(t)
	t.Logf("killed after %s with %d rows seen, %d rows in the table once settled", killTime.Round(time.Millisecond), killedAt, rows)
	if rows%batch != 0 {
		t.Errorf("%d rows after the kill: not whole batches of %d", rows, batch)
	}
	if rows >= n {
		t.Fatalf("%d rows: the run had finished", rows)
	}

	// A re-run, from the state the killed run saved.
	start = time.Now()
	cmd = exec.Command(bin, args...)
	cmd.Env = cleanEnv()
	stderr.Reset()
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("re-run: %v; stderr:\n%s", err, stderr.String())
	}
	summary := stderr.String()
	t.Logf("re-run: %s\n%s", time.Since(start).Round(time.Millisecond), summary)
	if got, keys := tb.count(t), tb.keys(t); got != n || keys != n {
		t.Errorf("after the re-run: %d rows, %d distinct keys; want %d", got, keys, n)
	}
	if !strings.Contains(summary, "  read state: "+log+" (resume)\n") {
		t.Errorf("the re-run did not resume from the state")
	}
	// It wrote what the killed run had not committed, and at most the one
	// batch whose commit the state had not caught up with.
	fresh, written, _ := stored(t, summary)
	if fresh != n-rows || written != fresh && written != fresh+batch {
		t.Errorf("re-run: %d new of %d written; want %d new, of %d or %d", fresh, written, n-rows, n-rows, n-rows+batch)
	}
	if linesRead(t, summary) >= 2*n+1 {
		t.Errorf("the re-run read the whole log again")
	}
}

// cleanEnv is the test's environment without the seed's variables, so a
// DSN or MODE set where the tests run cannot change what they do.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !containsString(envNames, name) {
			out = append(out, kv)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// settled returns the count of rows once it has not changed for 300 ms.
func (tb *table) settled(t *testing.T) int {
	t.Helper()
	last, since := tb.count(t), time.Now()
	for time.Since(since) < 300*time.Millisecond {
		time.Sleep(20 * time.Millisecond)
		if c := tb.count(t); c != last {
			last, since = c, time.Now()
		}
	}
	return last
}
