package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMonitorSignal runs the real binary's monitor against a real server
// and stops it with SIGINT and with SIGTERM once it has printed the stored
// events: Ctrl-C is how a monitor ends, so it exits 0, says nothing on
// standard error, and what it printed is whole lines.
func TestMonitorSignal(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "log-events")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := newServer(t, 4)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel() // each waits for the stream's first heartbeat (below)
			cmd := exec.Command(bin, "--url", s.url, "monitor", "--format", "json", "--since", "0")
			cmd.Env = append(os.Environ(), "AUDITLOG_TOKEN="+tokAdmin, "AUDITLOG_URL=")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(stdout)
			var got []string
			// The stored events: it is streaming, its signal handler long
			// installed. A pipe gets them at the server's first heartbeat
			// (15 s), when the monitor flushes as idle.
			for len(got) < 4 {
				line, err := r.ReadString('\n')
				if err != nil {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("after %d lines: %v; stderr %s", len(got), err, stderr.String())
				}
				got = append(got, line)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				rest, _ := r.ReadString(0)
				if rest != "" && !strings.HasSuffix(rest, "\n") {
					t.Errorf("after %v a partial line: %q", sig, rest)
				}
				done <- cmd.Wait()
			}()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 20s after %v", sig)
			}
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Errorf("after %v: %v (want exit 0); stderr %s", sig, err, stderr.String())
			} else if err != nil {
				t.Fatal(err)
			}
			if stderr.Len() != 0 {
				t.Errorf("after %v, stderr %q; want nothing", sig, stderr.String())
			}
		})
	}
}
