package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"log-format": main})
}

// TestScript runs the real command, as a separate process, through the
// scripts in testdata/script: pipes that close early, --follow, gzip on
// standard input, huge lines and junk, colour and NO_COLOR, exit codes.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"genlines": genlines,
			"longline": longline,
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				time.Sleep(d)
			},
			"append": func(ts *testscript.TestScript, neg bool, args []string) {
				f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_APPEND|os.O_WRONLY, 0)
				ts.Check(err)
				defer f.Close()
				_, err = f.WriteString(ts.ReadFile(args[0]))
				ts.Check(err)
			},
		},
	})
}

// genlines N file writes N audit lines to file.
func genlines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: genlines N file")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"context":{"request_id":"req-%08d"},"duration_ms":1.5,"level":"INFO","message":"line %d","service":"nova-api","status":202,"timestamp":"2026-11-27T07:38:55.123456Z"}`+"\n", i, i)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
}

// longline N file writes a JSON line whose message is N bytes long, between
// two short lines.
func longline(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	var b bytes.Buffer
	b.WriteString(`{"level":"INFO","message":"before"}` + "\n")
	b.WriteString(`{"level":"INFO","message":"`)
	b.Write(bytes.Repeat([]byte("x"), n))
	b.WriteString(`"}` + "\n")
	b.WriteString(`{"level":"INFO","message":"after"}` + "\n")
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o644))
}

// lockedBuffer is an output a test can read while run writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTrickle: when standard input pauses (tail -f x | log-format), each
// line must come out at once, not wait for a full buffer.
func TestTrickle(t *testing.T) {
	pr, pw := io.Pipe()
	var out lockedBuffer
	done := make(chan int)
	go func() {
		done <- run([]string{"-f", "%(message)s"}, cli.IO{In: pr, Out: &out, Err: io.Discard})
	}()
	for i, msg := range []string{"first", "second"} {
		fmt.Fprintf(pw, `{"message":%q}`+"\n", msg)
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(out.String(), "\n") <= i {
			if time.Now().After(deadline) {
				t.Fatalf("line %q not written while input waits; output so far %q", msg, out.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	pw.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got := out.String(); got != "first\nsecond\n" {
		t.Errorf("output %q", got)
	}
}
