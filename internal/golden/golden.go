// Package golden runs a command's golden cases, for the tests of the
// command-line tools. A case is a directory holding:
//
//	args         the arguments, one per line
//	stdin        standard input (or "input"; absent: empty)
//	want         the expected standard output
//	want-stderr  the expected standard error (absent: none)
//	exit         the expected exit status (absent: 0)
//
// The command runs in-process in the case directory, so its arguments may
// name files there or beside it. `go test -update` rewrites the want files
// from what the command printed; a difference is shown as "-want +got".
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/rogpeppe/go-internal/diff"
)

// Update is the -update flag of the test binaries that use this package.
var Update = flag.Bool("update", false, "rewrite the want files of the golden cases")

// Run runs every case directory matched by pattern (a filepath.Glob) that
// holds an "args" or a standard input file, through run, and fails t when
// none is found.
func Run(t *testing.T, pattern string, run func(args []string, io cli.IO) int) {
	t.Helper()
	dirs, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if !exists(filepath.Join(dir, "args")) && stdinFile(dir) == "" {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) { runCase(t, dir, run) })
	}
	if n == 0 {
		t.Fatalf("no golden cases match %s", pattern)
	}
}

func runCase(t *testing.T, dir string, run func(args []string, io cli.IO) int) {
	var args []string
	if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		for _, a := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if a != "" || len(b) > 1 {
				args = append(args, a)
			}
		}
	}
	var stdin []byte
	if f := stdinFile(dir); f != "" {
		stdin, _ = os.ReadFile(f)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(abs)
	var out, errOut bytes.Buffer
	code := run(args, cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errOut,
		Getenv: func(string) string { return "" }})
	Check(t, "want", out.Bytes(), true)
	Check(t, "want-stderr", errOut.Bytes(), false)
	want := 0
	if b, err := os.ReadFile("exit"); err == nil {
		want, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	switch {
	case *Update && code != 0:
		os.WriteFile("exit", []byte(strconv.Itoa(code)+"\n"), 0o644)
	case *Update:
		os.Remove("exit")
	case code != want:
		t.Errorf("exit status %d, want %d (stderr: %s)", code, want, errOut.Bytes())
	}
}

// Check compares got with the file name, or rewrites the file with
// -update. An optional file that is absent means empty.
func Check(t *testing.T, name string, got []byte, required bool) {
	t.Helper()
	if *Update {
		if len(got) == 0 && !required {
			os.Remove(name)
			return
		}
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil && (required || !os.IsNotExist(err)) {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got):\n%s", name, diff.Diff(name, want, "got", got))
	}
}

func stdinFile(dir string) string {
	for _, n := range []string{"stdin", "input"} {
		if p := filepath.Join(dir, n); exists(p) {
			return p
		}
	}
	return ""
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
