package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestSetUsage(t *testing.T) {
	var out, errw strings.Builder
	fs := pflag.NewFlagSet("log-x", pflag.ContinueOnError)
	fs.SetOutput(&errw)
	fs.String("db", "events.db", "the store")
	SetUsage(fs, &out, "Usage: log-x [flags]\n\nFlags:\n")
	fs.Usage()
	want := "Usage: log-x [flags]\n\nFlags:\n      --db string   the store (default \"events.db\")\n"
	if out.String() != want || errw.Len() != 0 {
		t.Errorf("usage on out %q, on err %q; want %q on out only", out.String(), errw.String(), want)
	}
}

func TestFail(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
		code int
	}{
		{nil, "", ExitOK},
		{UsageError{errors.New("unknown flag: --x")}, "log-x: unknown flag: --x\nTry 'log-x --help'.\n", ExitUsage},
		{fmt.Errorf("--since: %w", UsageError{errors.New("bad")}), "log-x: --since: bad\nTry 'log-x --help'.\n", ExitUsage},
		{errors.New("--db: no such file"), "log-x: --db: no such file\n", ExitInput},
	} {
		var w strings.Builder
		if code := Fail(&w, "log-x", c.err); code != c.code || w.String() != c.want {
			t.Errorf("Fail(%v) = %d, printed %q; want %d, %q", c.err, code, w.String(), c.code, c.want)
		}
	}
	var w strings.Builder
	Fail(&w, "log-serve purge", UsageError{errors.New("--age is required")})
	if w.String() != "log-serve purge: --age is required\nTry 'log-serve purge --help'.\n" {
		t.Errorf("subcommand: %q", w.String())
	}
}

func TestColorFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want ColorMode
		rest int
	}{
		{nil, ColorAuto, 0},
		{[]string{"--color"}, ColorAlways, 0},
		{[]string{"--color=never", "users"}, ColorNever, 1},
		{[]string{"--color", "users"}, ColorAlways, 1}, // the next word is not its value
	} {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		m := ColorNever // ColorFlag resets it: auto until given
		ColorFlag(fs, &m, "colour")
		if err := fs.Parse(c.args); err != nil || m != c.want || fs.NArg() != c.rest {
			t.Errorf("%v: %q, %d args, %v; want %q, %d", c.args, m, fs.NArg(), err, c.want, c.rest)
		}
	}
}

func TestEnvAndInIsTerminal(t *testing.T) {
	t.Setenv("CLI_TEST_ENV", "from the process")
	if got := (IO{}).Env("CLI_TEST_ENV"); got != "from the process" {
		t.Errorf("nil Getenv: %q", got)
	}
	fake := IO{Getenv: env(map[string]string{"CLI_TEST_ENV": "faked"})}
	if got := fake.Env("CLI_TEST_ENV"); got != "faked" {
		t.Errorf("Getenv set: %q", got)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, in := range []io.Reader{nil, strings.NewReader(""), r} {
		if (IO{In: in}).InIsTerminal() {
			t.Errorf("InIsTerminal with In %T", in)
		}
	}
}
