package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignal sends the real binary SIGINT and SIGTERM while it reads a
// FIFO: the signal does not kill it; when its input ends it writes the
// report of what it read and exits 0, as at the end of any input (the
// reader ends cleanly on the signal and returns no error, so the
// "interrupted" exit of run is not reached). Opening the FIFO for writing
// returns only once the command has opened it to read, after setting up
// its signal handling, so the signal cannot come too early and kill it.
//
// The writer is closed after the signal because a read blocked on a
// silent pipe is not interrupted by it: the command waits for its input
// to end (tools/input reads without watching the context).
func TestSignal(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "log-report")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "api.log")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "users", fifo)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal(err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // were the signal fatal, it would be dead by now
			w.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 20s after %v and the end of its input", sig)
			}
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Errorf("after %v: %v (%v), want exit status 0", sig, err, ee.Sys())
			} else if err != nil {
				t.Fatal(err)
			}
			if stderr.Len() != 0 || !strings.HasPrefix(stdout.String(), "User demographics") || !strings.Contains(stdout.String(), "\nread 0 lines") {
				t.Errorf("after %v: stdout %.80q, stderr %q; want the users report and nothing on stderr", sig, stdout.String(), stderr.String())
			}
		})
	}
}
