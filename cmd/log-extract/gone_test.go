package main

import (
	"bytes"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/tcpproxy"
	"github.com/auditlog-go/auditlog/tools/cli"
)

// TestServerGone runs the command through a proxy that cuts every
// connection to the database once a few batches are committed: the run
// ends with exit 1 and says which batch failed and how to resume, the
// table holds whole batches, and once the server is back a re-run stores
// the rest and nothing twice.
func TestServerGone(t *testing.T) {
	for _, mk := range []func(*testing.T) *backend{postgresBackend, mariadbBackend} {
		b := mk(t)
		t.Run(b.name, func(t *testing.T) { testServerGone(t, b) })
	}
}

var resumeRE = regexp.MustCompile(`(?m)^log-extract: (\d+) actions in (\d+) batches were stored before the failure; the read state covers only what was stored, so a re-run resumes there$`)

func testServerGone(t *testing.T, b *backend) {
	const n, batch = 1500, 7
	dir := t.TempDir()
	log, stateFile := filepath.Join(dir, "nova-api.log"), filepath.Join(dir, "state.json")
	if err := os.WriteFile(log, []byte(genLog(n)), 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTable(t, b)
	p := tcpproxy.New(t, b.addr)
	args := []string{"--batch-size", "7", "--dsn", b.via(p.Addr()), "--table", tb.name, "--state", stateFile, log}

	// Cut the line once some batches are in, from beside the run.
	k := 3 + mrand.IntN(40)
	var cutAt atomic.Int64
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if c, err := tb.countErr(); err == nil && c >= k*batch {
				p.Cut()
				cutAt.Store(int64(c))
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var out, errb bytes.Buffer
	start := time.Now()
	code := run(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: getenv(nil)})
	close(stop)
	<-watched
	stderr := errb.String()
	t.Logf("cut at %d rows; the run ended after %s with exit %d:\n%s", cutAt.Load(), time.Since(start).Round(time.Millisecond), code, stderr)
	if cutAt.Load() == 0 {
		t.Fatalf("the run ended (exit %d) before %d rows were in", code, k*batch)
	}
	if code != cli.ExitInput {
		t.Fatalf("exit %d, want 1", code)
	}

	rows := tb.settled(t)
	if rows%batch != 0 || rows >= n {
		t.Errorf("%d rows after the failure; want whole batches of %d, fewer than %d", rows, batch, n)
	}
	// The error names the failed batch, where its actions came from and
	// where to resume; the note after it says what a re-run does.
	m := regexp.MustCompile(`(?m)^log-extract: store: batch (\d+) \(7 actions, from \S+nova-api\.log:(\d+) to \S+nova-api\.log:\d+\) .*: resume from \S+nova-api\.log:(\d+): `).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("stderr does not name the failed batch and where to resume:\n%s", stderr)
	}
	failed, _ := strconv.Atoi(m[1])
	if !strings.Contains(stderr, "\n  stopped at batch "+m[1]+"\n") {
		t.Errorf("the summary does not say it stopped at batch %s", m[1])
	}
	r := resumeRE.FindStringSubmatch(stderr)
	if r == nil {
		t.Fatalf("stderr does not say how a re-run resumes:\n%s", stderr)
	}
	storedActions, _ := strconv.Atoi(r[1])
	storedBatches, _ := strconv.Atoi(r[2])
	if storedBatches != failed-1 || storedActions != storedBatches*batch {
		t.Errorf("the note says %d actions in %d batches; batch %d failed, so want %d in %d",
			storedActions, storedBatches, failed, (failed-1)*batch, failed-1)
	}
	// The table has what the note says, or one batch more when the line
	// was cut while the failed batch's COMMIT was on its way.
	if rows != storedActions && !(rows == storedActions+batch && strings.Contains(stderr, "may not have been stored")) {
		t.Errorf("the table holds %d rows; the note says %d were stored", rows, storedActions)
	}
	if m[2] != m[3] {
		t.Errorf("resume from line %s, but the batch started at line %s", m[3], m[2])
	}

	// The server is back: a re-run from the read state completes the table.
	p.Restore()
	_, summary := runOK(t, 0, args...)
	if got, keys := tb.count(t), tb.keys(t); got != n || keys != n {
		t.Errorf("after the re-run: %d rows, %d distinct keys; want %d", got, keys, n)
	}
	if !strings.Contains(summary, "  read state: "+log+" (resume)\n") {
		t.Errorf("the re-run did not resume from the state:\n%s", summary)
	}
	if fresh, _, _ := stored(t, summary); fresh != n-rows {
		t.Errorf("re-run: %d new, want %d", fresh, n-rows)
	}
}
