//go:build linux

// Package sigtest runs a command's real binary on a silent input, for the
// tests that a signal stops it: a FIFO whose writer opened it and sends
// nothing, or a standard input pipe that stays open and empty. Both are
// kernel objects a process blocks on, which no in-process fake reproduces.
package sigtest

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Build builds the command in the current directory (the test's package)
// and returns the binary's path.
func Build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cmd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Run is a started command and what it wrote.
type Run struct {
	Cmd            *exec.Cmd
	Stdout, Stderr strings.Builder
}

// Start starts bin with args and stdin (nil: /dev/null).
func Start(t *testing.T, stdin *os.File, bin string, args ...string) *Run {
	t.Helper()
	r := &Run{Cmd: exec.Command(bin, args...)}
	if stdin != nil {
		r.Cmd.Stdin = stdin
	}
	r.Cmd.Stdout, r.Cmd.Stderr = &r.Stdout, &r.Stderr
	if err := r.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Cmd.Process.Kill() })
	return r
}

// Signal sends sig and waits at most limit for the command to exit,
// failing the test if it is still running then. It returns the exit
// status, and how long the command took to exit.
func (r *Run) Signal(t *testing.T, sig syscall.Signal, limit time.Duration) (int, time.Duration) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // long enough to be blocked in its read
	if err := r.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	done := make(chan error, 1)
	go func() { done <- r.Cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(limit):
		r.Cmd.Process.Kill()
		<-done
		t.Fatalf("still running %v after %v; stderr %q", limit, sig, r.Stderr.String())
	}
	took := time.Since(sent)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("killed by %v, not stopped by it", ws.Signal())
		}
		return ee.ExitCode(), took
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, took
}

// FIFO makes a FIFO in a temporary directory.
func FIFO(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// OpenWriter opens fifo for writing, which returns once the command has
// opened it to read, and so after it set up its signal handling; the
// command is killed if that takes more than 10 s.
func OpenWriter(t *testing.T, r *Run, fifo string) *os.File {
	t.Helper()
	timer := time.AfterFunc(10*time.Second, func() { r.Cmd.Process.Kill() })
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	timer.Stop()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// Pipe returns a pipe in blocking mode, as a shell makes for `a | b`:
// os.Pipe's read end is non-blocking, which Go can interrupt already and
// would hide what the tests are about. Neither end is inherited by other
// children.
func Pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	var p [2]int
	syscall.ForkLock.RLock()
	err := syscall.Pipe(p[:])
	if err == nil {
		syscall.CloseOnExec(p[0])
		syscall.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	r, w = os.NewFile(uintptr(p[0]), "pipe"), os.NewFile(uintptr(p[1]), "pipe")
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// Feed writes s to the pipe w and waits until the command has read it all,
// so that it has started reading (after setting up its signal handling)
// before the test signals it.
func Feed(t *testing.T, w *os.File, s string) {
	t.Helper()
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int32
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, w.Fd(), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
			t.Fatal(errno)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the command did not read its standard input within 10 s")
}

// LineTool is the signal test of a command that reads lines and writes
// what it read (log-format, log-expand): the real binary, built from the
// calling test's package, gets SIGINT or SIGTERM while it waits on a
// silent input after one line — a FIFO whose writer opened it and sends
// no more, and a standard input pipe that stays open (`sleep 100 | CMD`).
// The signal must stop the blocked read within a second or so, the line
// read must be written, and the run must say "CMD: interrupted" and exit 1.
// With --follow the signal is the normal end: status 0 and nothing on
// stderr.
func LineTool(t *testing.T, command string) {
	t.Helper()
	bin := Build(t)
	interrupted := command + ": interrupted\n"
	const line = `{"timestamp":"2026-11-23T10:00:00Z","level":"INFO","message":"hello-from-the-pipe"}` + "\n"
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run("fifo/"+sig.String(), func(t *testing.T) {
			fifo := FIFO(t, "api.log")
			r := Start(t, nil, bin, fifo)
			w := OpenWriter(t, r, fifo)
			if _, err := w.WriteString(line); err != nil {
				t.Fatal(err)
			}
			wantEnd(t, r, sig, 1, interrupted)
		})
		t.Run("stdin/"+sig.String(), func(t *testing.T) {
			pr, pw := Pipe(t)
			r := Start(t, pr, bin)
			pr.Close()
			Feed(t, pw, line)
			wantEnd(t, r, sig, 1, interrupted)
		})
	}
	t.Run("follow", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "api.log")
		if err := os.WriteFile(p, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		r := Start(t, nil, bin, "--follow", p)
		time.Sleep(300 * time.Millisecond) // set up, read, and polling
		wantEnd(t, r, syscall.SIGTERM, 0, "")
	})
}

func wantEnd(t *testing.T, r *Run, sig syscall.Signal, wantCode int, wantErr string) {
	t.Helper()
	code, took := r.Signal(t, sig, 2*time.Second)
	t.Logf("exit %d %v after %v", code, took.Round(time.Millisecond), sig)
	if code != wantCode || r.Stderr.String() != wantErr || !strings.Contains(r.Stdout.String(), "hello-from-the-pipe") {
		t.Errorf("after %v: exit %d, stdout %q, stderr %q; want %d, the line read, stderr %q",
			sig, code, r.Stdout.String(), r.Stderr.String(), wantCode, wantErr)
	}
}
