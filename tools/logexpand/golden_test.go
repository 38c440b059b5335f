package logexpand

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

var update = flag.Bool("update", false, "rewrite the want files of the golden cases under testdata")

// TestGolden runs the command in-process for each case directory under
// testdata that has an "args" or "input" file: "args" holds one argument per
// line, "input" is standard input, and the command runs in the case
// directory, so arguments may name files there (or in other cases, as
// ../ours/input). "want" is the expected standard output, "want-stderr" the
// expected standard error (absent: none), "exit" the expected status
// (absent: 0). testdata/README.md says where each input comes from.
func TestGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*")
	n := 0
	for _, dir := range dirs {
		if !exists(filepath.Join(dir, "args")) && !exists(filepath.Join(dir, "input")) {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Chdir(abs)
			var args []string
			if b, err := os.ReadFile("args"); err == nil {
				for _, a := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
					if a != "" {
						args = append(args, a)
					}
				}
			}
			stdin, _ := os.ReadFile("input")
			var out, errOut bytes.Buffer
			code := Main(args, cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errOut,
				Getenv: func(string) string { return "" }})
			golden(t, "want", out.Bytes(), true)
			golden(t, "want-stderr", errOut.Bytes(), false)
			want := 0
			if b, err := os.ReadFile("exit"); err == nil {
				want, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			}
			if *update {
				if code != 0 {
					os.WriteFile("exit", []byte(strconv.Itoa(code)+"\n"), 0o644)
				} else {
					os.Remove("exit")
				}
			} else if code != want {
				t.Errorf("exit status %d, want %d (stderr: %s)", code, want, errOut.Bytes())
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden cases under testdata")
	}
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// golden compares got with the file name, or rewrites the file with
// -update. An optional file that is absent means empty.
func golden(t *testing.T, name string, got []byte, required bool) {
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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got):\n%s", name, diff.Diff(name, want, "got", got))
	}
}
