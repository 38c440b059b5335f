//go:build linux

package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/sigtest"
)

// TestSignal sends the real binary SIGINT and SIGTERM while it waits on a
// silent input: a FIFO whose writer opened it and sends nothing, and a
// standard input pipe that stays open after a line. The signal must stop
// the blocked read within a second or so (before, it waited for the writer
// to go), and the run must say it was interrupted and exit 1 without a
// report of part of the input (before, the reader ended as at the end of
// the input and a partial report came out with status 0).
func TestSignal(t *testing.T) {
	bin := sigtest.Build(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run("fifo/"+sig.String(), func(t *testing.T) {
			fifo := sigtest.FIFO(t, "api.log")
			r := sigtest.Start(t, nil, bin, "users", fifo)
			sigtest.OpenWriter(t, r, fifo)
			wantInterrupted(t, r, sig)
		})
		t.Run("stdin/"+sig.String(), func(t *testing.T) {
			pr, pw := sigtest.Pipe(t)
			r := sigtest.Start(t, pr, bin, "users")
			pr.Close()
			sigtest.Feed(t, pw, `{"timestamp":"2026-11-23T10:00:00Z","kind":"request"}`+"\n")
			wantInterrupted(t, r, sig)
		})
	}
}

func wantInterrupted(t *testing.T, r *sigtest.Run, sig syscall.Signal) {
	t.Helper()
	code, took := r.Signal(t, sig, 2*time.Second)
	t.Logf("exit %d %v after %v", code, took.Round(time.Millisecond), sig)
	if code != 1 || r.Stderr.String() != "log-report: interrupted\n" || r.Stdout.Len() != 0 {
		t.Errorf("after %v: exit %d, stdout %.80q, stderr %q; want 1, no report, \"log-report: interrupted\"",
			sig, code, r.Stdout.String(), r.Stderr.String())
	}
}
