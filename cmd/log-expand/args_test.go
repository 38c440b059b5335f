package main

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/logline"
)

// TestParse checks what parse makes of good command lines: the options
// struct the rest of the command reads.
func TestParse(t *testing.T) {
	stdio := cli.IO{Out: io.Discard, Err: io.Discard}
	c, _, err := parse([]string{"-d", "2", "-k", "message,context.request_id", "-k", "user", "--level", "warning", "-n", "5", "--jobs", "3", "-H", "a.log", "b.log"}, stdio)
	if err != nil {
		t.Fatal(err)
	}
	if c.Depth != 2 || strings.Join(c.Keys, " ") != "message context.request_id user" || c.MinLevel != logline.RankWarning ||
		c.Lines != 5 || c.Jobs != 3 || !c.Input.WithFilename || strings.Join(c.Names, " ") != "a.log b.log" {
		t.Errorf("parsed %+v", c)
	}
	c, _, err = parse([]string{"--flatten", "--show-secrets", "--no-embedded"}, stdio)
	if err != nil || !c.Flatten || !c.ShowSecrets || !c.NoEmbedded || c.Unflatten || len(c.Names) != 0 {
		t.Errorf("parsed %+v, %v", c, err)
	}
}

// TestParseErrors checks that every command line parse refuses is a
// usage error (exit 2) that names the flag at fault.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"--depth", "x"}, "invalid argument"},
		{[]string{"--depth", "-1"}, "--depth must not be negative"},
		{[]string{"--flatten", "--unflatten"}, "--flatten and --unflatten do not go together"},
		{[]string{"--unflatten", "--depth", "1"}, "--unflatten takes no --depth or --keys"},
		{[]string{"--unflatten", "--keys", "a"}, "--unflatten takes no --depth or --keys"},
		{[]string{"--level", "LOUD"}, `--level "LOUD": not a level`},
		{[]string{"--lines", "-1"}, "--lines must not be negative"},
		{[]string{"--jobs", "-1"}, "--jobs must not be negative"},
		{[]string{"-n", "3", "--follow"}, "--lines and --follow do not go together"},
		{[]string{"--unflatten", "--level", "ERROR"}, "--unflatten takes no --level or --lines"},
		{[]string{"--unflatten", "-n", "2"}, "--unflatten takes no --level or --lines"},
		{[]string{"--keys", "a..b"}, `--keys: invalid key path "a..b"`},
		{[]string{"--keys", ".a"}, `--keys: invalid key path ".a"`},
		{[]string{"--color=sometimes"}, "want auto, always or never"},
	} {
		_, _, err := parse(tc.args, cli.IO{Out: io.Discard, Err: io.Discard})
		var u cli.UsageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want a usage error with %q", tc.args, err, tc.want)
		}
		var out, errOut strings.Builder
		code := run(tc.args, cli.IO{In: strings.NewReader(`{"a":1}`), Out: &out, Err: &errOut})
		if code != cli.ExitUsage || out.Len() > 0 || !strings.HasSuffix(errOut.String(), "\nTry 'log-expand --help'.\n") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", tc.args, code, out.String(), errOut.String())
		}
	}
}
