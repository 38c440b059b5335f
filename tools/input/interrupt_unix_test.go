//go:build unix

package input

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interruptChild, when set in the environment, makes the test binary the
// child of the interrupt tests: it reads its arguments (standard input if
// none) with a Reader whose ctx a SIGTERM cancels, as the commands do,
// prints each line, then how the reading ended, and whether standard input
// was left in non-blocking mode.
const interruptChild = "INPUT_TEST_INTERRUPT_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(interruptChild) != "" {
		os.Exit(interruptMain(strings.Fields(os.Getenv(interruptChild))[1:]))
	}
	os.Exit(m.Run())
}

func interruptMain(names []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fmt.Println("ready") // the parent signals only after this
	r := Open(ctx, names, Options{OnError: func(err error) { fmt.Println("error:", err) }})
	for {
		l, ok := r.Next()
		if !ok {
			break
		}
		fmt.Printf("line %q\n", l.Text)
	}
	r.Close()
	fmt.Printf("end ctx=%v err=%v\n", ctx.Err(), r.Err())
	fl, _, errno := syscall.Syscall(syscall.SYS_FCNTL, 0, syscall.F_GETFL, 0)
	fmt.Printf("stdin nonblock=%v errno=%d\n", fl&syscall.O_NONBLOCK != 0, errno)
	return 0
}

// startChild runs the test binary as interruptMain over names with stdin,
// and waits for its "ready".
func startChild(t *testing.T, stdin *os.File, names ...string) (*exec.Cmd, *strings.Builder, func() string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), interruptChild+"=child "+strings.Join(names, " "))
	cmd.Stdin = stdin
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var got strings.Builder
	buf := make([]byte, 6)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("child: %q %v; stderr %s", buf, err, stderr.String())
	}
	rest := make(chan struct{})
	go func() { io.Copy(&got, out); close(rest) }()
	return cmd, &stderr, func() string { <-rest; return got.String() }
}

// stopChild sends SIGTERM once the child has had time to block in its
// read, and fails the test unless the child exits within 2 s of it.
func stopChild(t *testing.T, cmd *exec.Cmd, output func() string) string {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child: %v", err)
		}
	case <-time.After(2 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still reading 2s after SIGTERM")
	}
	t.Logf("exited %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
	return output()
}

// wantEnd checks that the child delivered lines, stopped because of the
// signal without reporting an input error, and left stdin blocking.
func wantEnd(t *testing.T, got string, lines ...string) {
	t.Helper()
	var want strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&want, "line %q\n", l)
	}
	want.WriteString("end ctx=context canceled err=<nil>\nstdin nonblock=false errno=0\n")
	if got != want.String() {
		t.Errorf("child printed\n%s\nwant\n%s", got, want.String())
	}
}

// TestInterruptSilentStdinPipe: standard input is a pipe (an ordinary,
// blocking one, as a shell makes for `sleep 100 | log-format`) whose writer
// sends a line, then a partial one, then nothing: SIGTERM ends the read,
// the partial line is delivered, and stdin is put back in blocking mode.
func TestInterruptSilentStdinPipe(t *testing.T) {
	pr, pw, err := pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	cmd, _, out := startChild(t, pr)
	pr.Close()
	io.WriteString(pw, "one\ntw")
	got := stopChild(t, cmd, out)
	wantEnd(t, got, "one", "tw")
}

// TestInterruptSilentStdinFirstRead: the signal comes before the first
// byte, while the reader waits for the bytes that tell gzip from text.
func TestInterruptSilentStdinFirstRead(t *testing.T) {
	pr, pw, err := pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	cmd, _, out := startChild(t, pr)
	pr.Close()
	wantEnd(t, stopChild(t, cmd, out))
}

// TestInterruptSilentFIFO: a named FIFO whose writer opened it and sends
// nothing (the case of `log-report users fifo`), before and after a line.
func TestInterruptSilentFIFO(t *testing.T) {
	for _, first := range []string{"", "x\n"} {
		t.Run(fmt.Sprintf("%q", first), func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "api.log")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd, _, out := startChild(t, nil, fifo)
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // returns once the child has opened it
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			io.WriteString(w, first)
			got := stopChild(t, cmd, out)
			if first == "" {
				wantEnd(t, got)
			} else {
				wantEnd(t, got, "x")
			}
		})
	}
}

// TestInterruptFIFONoWriter: no writer ever opens the FIFO, so the child
// waits in open(2) itself; SIGTERM ends that too, and the next name is
// not read.
func TestInterruptFIFONoWriter(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "api.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.log")
	if err := os.WriteFile(other, []byte("not read\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, _, out := startChild(t, nil, fifo, other)
	wantEnd(t, stopChild(t, cmd, out))
}

// pipe returns a pipe in blocking mode, as a shell makes one: os.Pipe's
// read end is non-blocking, which would hide what this tests.
func pipe() (r, w *os.File, err error) {
	var p [2]int
	syscall.ForkLock.RLock() // no child may inherit the write end: its pipe would never end
	err = syscall.Pipe(p[:])
	if err == nil {
		syscall.CloseOnExec(p[0])
		syscall.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1"), nil
}
