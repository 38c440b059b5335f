package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/spf13/pflag"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestUseColor(t *testing.T) {
	tests := []struct {
		mode     ColorMode
		terminal bool
		env      map[string]string
		want     bool
	}{
		{ColorAuto, true, nil, true},
		{ColorAuto, true, map[string]string{"TERM": "xterm-256color"}, true},
		{ColorAuto, false, nil, false},
		{ColorAuto, true, map[string]string{"NO_COLOR": "1"}, false},
		{ColorAuto, true, map[string]string{"NO_COLOR": ""}, true}, // set but empty does not count
		{ColorAuto, true, map[string]string{"TERM": "dumb"}, false},
		{"", true, nil, true}, // the zero value is auto
		{"", false, nil, false},
		{ColorAlways, false, nil, true},
		{ColorAlways, false, map[string]string{"NO_COLOR": "1", "TERM": "dumb"}, true},
		{ColorNever, true, nil, false},
	}
	for _, tt := range tests {
		io := IO{OutIsTerminal: tt.terminal, Getenv: env(tt.env)}
		if got := io.UseColor(tt.mode); got != tt.want {
			t.Errorf("UseColor(%q) on terminal=%v with %v = %v, want %v", tt.mode, tt.terminal, tt.env, got, tt.want)
		}
	}
}

func TestUseColorGetenvNil(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if (IO{OutIsTerminal: true}).UseColor(ColorAuto) {
		t.Error("nil Getenv did not read NO_COLOR from the process environment")
	}
}

func TestColorModeFlag(t *testing.T) {
	tests := []struct {
		args    []string
		want    ColorMode
		wantErr string
	}{
		{nil, ColorAuto, ""},
		{[]string{"--color=never"}, ColorNever, ""},
		{[]string{"--color", "always"}, ColorAlways, ""},
		{[]string{"--color=auto"}, ColorAuto, ""},
		{[]string{"--color"}, ColorAlways, ""}, // like grep and ls
		{[]string{"--color=sometimes"}, "", "want auto, always or never"},
		{[]string{"--color=NEVER"}, "", "want auto, always or never"},
	}
	for _, tt := range tests {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f InputFlags
		f.Register(fs)
		err := fs.Parse(tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || f.Color != tt.want {
			t.Errorf("%v: color %q, err %v; want %q", tt.args, f.Color, err, tt.want)
		}
	}

	var m ColorMode
	var v pflag.Value = &m
	if v.String() != "auto" || v.Type() == "" {
		t.Errorf("zero ColorMode: String %q, Type %q", v.String(), v.Type())
	}
	if err := v.Set("never"); err != nil || m != ColorNever || v.String() != "never" {
		t.Errorf("Set(never): %v, %q", err, m)
	}
	if err := v.Set("x"); err == nil || m != ColorNever {
		t.Errorf("Set(x) = %v and changed the mode to %q", err, m)
	}
}

func TestInputFlags(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var f InputFlags
	f.Register(fs)
	if f.Follow || f.WithFilename || f.MaxLine != input.DefaultMaxLine || f.Color != ColorAuto {
		t.Errorf("defaults: %+v", f)
	}
	if fs.Lookup("follow").Shorthand != "" {
		t.Error("--follow has a short form; -f belongs to log-format's --format")
	}
	if err := fs.Parse([]string{"--follow", "-H", "--max-line-bytes=100", "--color=never", "a.log"}); err != nil {
		t.Fatal(err)
	}
	want := InputFlags{Follow: true, Color: ColorNever, WithFilename: true, MaxLine: 100}
	if f != want {
		t.Errorf("parsed %+v, want %+v", f, want)
	}
	stdin := strings.NewReader("")
	called := false
	opts := f.Options(stdin, func(error) { called = true })
	if !opts.Follow || opts.MaxLine != 100 || opts.Stdin != stdin || opts.OnError == nil {
		t.Errorf("Options = %+v", opts)
	}
	opts.OnError(nil)
	if !called {
		t.Error("OnError not passed through")
	}
	if err := f.Validate(); err != nil {
		t.Error(err)
	}
	f.MaxLine = -1
	if err := f.Validate(); ExitCode(err) != ExitUsage {
		t.Errorf("Validate(-1) = %v", err)
	}
}

func TestFilenames(t *testing.T) {
	tests := []struct {
		with  bool
		names []string
		want  bool
	}{
		{false, nil, false},
		{false, []string{"a"}, false},
		{false, []string{"a", "b"}, true},
		{true, nil, true},
		{true, []string{"a"}, true},
	}
	for _, tt := range tests {
		f := InputFlags{WithFilename: tt.with}
		if got := f.Filenames(tt.names); got != tt.want {
			t.Errorf("-H=%v %v: %v, want %v", tt.with, tt.names, got, tt.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	usage := UsageError{errors.New("unknown flag --x")}
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{usage, ExitUsage},
		{&usage, ExitUsage},
		{fmt.Errorf("log-format: %w", usage), ExitUsage},
		{errors.Join(errors.New("a.log: gone"), usage), ExitUsage},
		{errors.New("a.log: open a.log: no such file or directory"), ExitInput},
		{&input.SourceError{Source: "a.log", Err: os.ErrNotExist}, ExitInput},
		{syscall.EPIPE, ExitOK},
		{&os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}, ExitOK},
		{fmt.Errorf("writing: %w", io.ErrClosedPipe), ExitOK},
		{syscall.ECONNRESET, ExitInput},
		// A database connection that broke mid-write is a failure, not `| head`.
		{fmt.Errorf("storing batch 3: %w", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}), ExitInput},
		{&net.OpError{Op: "write", Net: "unix", Err: syscall.EPIPE}, ExitInput},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if usage.Error() != "unknown flag --x" || !errors.Is(usage, usage.Err) {
		t.Errorf("UsageError: %q", usage.Error())
	}
}

// TestIsBrokenPipe writes to a real pipe whose reader has gone.
func TestIsBrokenPipe(t *testing.T) {
	IgnoreSIGPIPE()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r.Close()
	_, err = w.Write([]byte("x\n"))
	if err == nil {
		t.Fatal("write to a pipe without reader succeeded")
	}
	if !IsBrokenPipe(err) {
		t.Errorf("IsBrokenPipe(%v) = false", err)
	}
	if ExitCode(err) != ExitOK {
		t.Errorf("ExitCode(%v) = %d", err, ExitCode(err))
	}
	if IsBrokenPipe(errors.New("broken pipe")) || IsBrokenPipe(nil) || IsBrokenPipe(io.EOF) {
		t.Error("IsBrokenPipe is true for an unrelated error")
	}

	pr, pw := io.Pipe()
	pr.Close()
	if _, err := pw.Write([]byte("x")); !IsBrokenPipe(err) {
		t.Errorf("IsBrokenPipe(%v) = false for io.Pipe", err)
	}
}

// TestIgnoreSIGPIPEStdout runs this test binary with its stdout a pipe
// nobody reads: without IgnoreSIGPIPE the runtime kills it, with it the
// write returns EPIPE and the process exits as it likes.
func TestIgnoreSIGPIPEStdout(t *testing.T) {
	if os.Getenv("CLI_TEST_STDOUT_HELPER") != "" {
		return
	}
	for _, ignore := range []bool{false, true} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriteStdout$")
		cmd.Env = append(os.Environ(), "CLI_TEST_STDOUT_HELPER=1", fmt.Sprintf("CLI_TEST_IGNORE=%v", ignore))
		cmd.Stdout = w
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err = cmd.Run()
		w.Close()
		if ignore {
			if err != nil {
				t.Errorf("with IgnoreSIGPIPE: %v, stderr %q", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "broken pipe seen") {
				t.Errorf("with IgnoreSIGPIPE, stderr %q", stderr.String())
			}
			continue
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("without IgnoreSIGPIPE: %v", err)
		}
		if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
			t.Errorf("without IgnoreSIGPIPE the child ended with %v, want killed by SIGPIPE", err)
		}
	}
}

func TestHelperWriteStdout(t *testing.T) {
	if os.Getenv("CLI_TEST_STDOUT_HELPER") == "" {
		t.Skip("helper for TestIgnoreSIGPIPEStdout")
	}
	if os.Getenv("CLI_TEST_IGNORE") == "true" {
		IgnoreSIGPIPE()
	}
	_, err := os.Stdout.Write([]byte("x\n"))
	if IsBrokenPipe(err) && ExitCode(err) == ExitOK {
		fmt.Fprintln(os.Stderr, "broken pipe seen")
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "write:", err)
	os.Exit(3)
}

func TestSystem(t *testing.T) {
	s := System()
	if s.In != os.Stdin || s.Out != os.Stdout || s.Err != os.Stderr || s.Getenv == nil {
		t.Errorf("System() = %+v", s)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if IsTerminal(w) {
		t.Error("a pipe counts as a terminal")
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if IsTerminal(null) {
		t.Error("/dev/null counts as a terminal: output there would be coloured")
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"", time.Time{}, ""},
		{"2026-11-27T08:00:00Z", time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), ""},
		{"2026-11-27 08:00", time.Date(2026, 11, 27, 8, 0, 0, 0, paris), ""},
		{"2026-11-27", time.Date(2026, 11, 27, 0, 0, 0, 0, paris), ""},
		{"90m", now.Add(-90 * time.Minute), ""},
		{"7d", now.AddDate(0, 0, -7), ""},
		{"-1h", time.Time{}, "negative"},
		{"0000-01-01", time.Time{}, "not a time"},
		{"yesterday", time.Time{}, "not a time"},
		{"1000000d", time.Time{}, "not a time"},
	} {
		got, err := ParseWhen(tc.in, now, paris)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseWhen(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
