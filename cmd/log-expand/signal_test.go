//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/sigtest"
)

// TestSignal sends the real binary SIGINT or SIGTERM while it waits on a
// silent input after one line: a FIFO whose writer opened it and sends no
// more, and a standard input pipe that stays open (`sleep 100 | log-expand`).
// The signal must stop the blocked read within a second or so (before, it
// waited for the writer to go), the line read must be written, and the
// run must say it was interrupted and exit 1, as the usage says (before,
// it ended as at the end of the input, with status 0). With --follow the
// signal is the normal end: status 0 and nothing on stderr.
func TestSignal(t *testing.T) {
	bin := sigtest.Build(t)
	const line = `{"timestamp":"2026-11-23T10:00:00Z","level":"INFO","message":"hello-from-the-pipe"}` + "\n"
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run("fifo/"+sig.String(), func(t *testing.T) {
			fifo := sigtest.FIFO(t, "api.log")
			r := sigtest.Start(t, nil, bin, fifo)
			w := sigtest.OpenWriter(t, r, fifo)
			if _, err := w.WriteString(line); err != nil {
				t.Fatal(err)
			}
			wantEnd(t, r, sig, 1, "log-expand: interrupted\n")
		})
		t.Run("stdin/"+sig.String(), func(t *testing.T) {
			pr, pw := sigtest.Pipe(t)
			r := sigtest.Start(t, pr, bin)
			pr.Close()
			sigtest.Feed(t, pw, line)
			wantEnd(t, r, sig, 1, "log-expand: interrupted\n")
		})
	}
	t.Run("follow", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "api.log")
		if err := os.WriteFile(p, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		r := sigtest.Start(t, nil, bin, "--follow", p)
		time.Sleep(300 * time.Millisecond) // set up, read, and polling
		wantEnd(t, r, syscall.SIGTERM, 0, "")
	})
}

func wantEnd(t *testing.T, r *sigtest.Run, sig syscall.Signal, wantCode int, wantErr string) {
	t.Helper()
	code, took := r.Signal(t, sig, 2*time.Second)
	t.Logf("exit %d %v after %v", code, took.Round(time.Millisecond), sig)
	if code != wantCode || r.Stderr.String() != wantErr || !strings.Contains(r.Stdout.String(), "hello-from-the-pipe") {
		t.Errorf("after %v: exit %d, stdout %q, stderr %q; want %d, the line read, stderr %q",
			sig, code, r.Stdout.String(), r.Stderr.String(), wantCode, wantErr)
	}
}
