package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden runs the command in-process for each case directory under
// testdata/golden: "args" holds one argument per line, "stdin" (if present)
// is standard input, and the command runs in the case directory. "want" is
// the expected standard output, "want-stderr" the expected standard error
// (absent: none), "exit" the expected exit status (absent: 0).
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			argText, err := os.ReadFile(filepath.Join(dir, "args"))
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, a := range strings.Split(strings.TrimSuffix(string(argText), "\n"), "\n") {
				if a != "" || len(argText) > 1 {
					args = append(args, a)
				}
			}
			stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
			abs, _ := filepath.Abs(dir)
			t.Chdir(abs)
			var out, errOut bytes.Buffer
			code := run(args, cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errOut,
				Getenv: func(string) string { return "" }})
			check(t, "want", out.Bytes(), true)
			check(t, "want-stderr", errOut.Bytes(), false)
			wantCode := 0
			if b, err := os.ReadFile("exit"); err == nil {
				wantCode, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			}
			if *update {
				if code != 0 {
					os.WriteFile("exit", []byte(strconv.Itoa(code)+"\n"), 0o644)
				} else {
					os.Remove("exit")
				}
			} else if code != wantCode {
				t.Errorf("exit status %d, want %d (stderr: %s)", code, wantCode, errOut.Bytes())
			}
		})
	}
}

// check compares got with the golden file name, or rewrites it with -update.
// An optional file that is absent means "empty".
func check(t *testing.T, name string, got []byte, required bool) {
	t.Helper()
	if *update {
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
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got):\n%s", name, diff(string(want), string(got)))
	}
}

// diff is a plain line diff, enough to see which lines moved.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		switch {
		case i >= len(w):
			b.WriteString("+" + g[i] + "\n")
		case i >= len(g):
			b.WriteString("-" + w[i] + "\n")
		case w[i] != g[i]:
			b.WriteString("-" + w[i] + "\n+" + g[i] + "\n")
		}
	}
	return b.String()
}
