package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// TestConvertJSONPeer compares log-format with oslo.log's own convert-json
// (Debian's python3-oslo.log, with python3-termcolor for -c), byte for
// byte, on lines that oslo.log's real JSONFormatter writes
// (testdata/convertjson/gen.py: real RequestContexts, chained exceptions,
// DEBUG and TRACE records, several loggers, non-ASCII and multi-line
// messages), for each of convert-json's flags. It fails, never skips, when
// the peer is missing.
func TestConvertJSONPeer(t *testing.T) {
	peer, python := convertJSONPeer(t)
	dir := t.TempDir()
	lines := filepath.Join(dir, "oslo.json")
	gen, err := filepath.Abs("testdata/convertjson/gen.py")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, gen).Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", python, gen, err, stderrOf(err))
	}
	if err := os.WriteFile(lines, out, 0o644); err != nil {
		t.Fatal(err)
	}
	// The input is what the test is about: real oslo.log lines with a
	// traceback written as a list, DEBUG records and several loggers.
	for _, want := range []string{`"traceback": ["Traceback (most recent call last):"`, `"levelname": "DEBUG"`,
		`"levelname": "TRACE"`, `"name": "oslo_messaging._drivers.amqpdriver"`, `"request_id": "req-`,
		`"funcname": "resize"`, `"error_summary": "ZeroDivisionError`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Fatalf("the generated lines lack %s:\n%s", want, out)
		}
	}
	t.Chdir(dir)

	const prefix = "%(asctime)s %(levelname)-8s %(name)s [%(funcname)s:%(lineno)d] %(created)f %(relative_created)s %(thread)x %(process)r %(msecs)05.1f"
	const values = "%(context)s %(args)r %(extra)s %(traceback).40s %(hostname)r %(nothere)s|%(nothere)r|%(levelno)+d %(error_summary)r"
	const locator = "[%(funcname)s %(pathname)s:%(lineno)s]"
	cases := []struct {
		name  string
		ours  []string
		peer  []string // nil: the expectation comes from gen.py --locator
		stdin bool
		has   string // the output must hold this
		lacks string // and must not hold this
	}{
		{name: "default", ours: []string{"-f", "convert-json", "oslo.json"}, peer: []string{"oslo.json"},
			has: "nova.api.openstack.wsgi Traceback (most recent call last):"},
		{name: "stdin", ours: []string{"-f", "convert-json"}, peer: []string{}, stdin: true, has: "Traceback"},
		{name: "levels-spaces", ours: []string{"-f", "convert-json", "--levels", "ERROR", "WARNING", "oslo.json"},
			peer: []string{"oslo.json", "--levels", "ERROR", "WARNING"}, has: " WARNING ", lacks: " INFO "},
		{name: "levels-commas", ours: []string{"-f", "convert-json", "--levels", "ERROR,CRITICAL", "oslo.json"},
			peer: []string{"oslo.json", "--levels", "ERROR", "CRITICAL"}, has: " CRITICAL ", lacks: " WARNING "},
		{name: "levels-debug-trace", ours: []string{"-f", "convert-json", "oslo.json", "--levels", "DEBUG", "TRACE"},
			peer: []string{"oslo.json", "--levels", "DEBUG", "TRACE"}, has: " TRACE ", lacks: " INFO "},
		{name: "loggers", ours: []string{"-f", "convert-json", "--loggers", "nova.compute", "oslo_messaging", "oslo.json"},
			peer: []string{"oslo.json", "--loggers", "nova.compute", "oslo_messaging"}, has: "oslo_messaging", lacks: "nova.api"},
		{name: "prefix", ours: []string{"--prefix", prefix, "oslo.json"}, peer: []string{"--prefix", prefix, "oslo.json"},
			has: "[resize:"},
		{name: "prefix-python-values", ours: []string{"--prefix", values, "oslo.json"}, peer: []string{"--prefix", values, "oslo.json"},
			has: "'is_admin': False"},
		{name: "prefix-missing-number", ours: []string{"--prefix", "%(asctime)s %(nothere)d", "oslo.json"},
			peer: []string{"--prefix", "%(asctime)s %(nothere)d", "oslo.json"}, has: "Missing non-string placeholder in record: {"},
		{name: "prefix-empty", ours: []string{"--prefix", "", "oslo.json"}, peer: []string{"--prefix", "", "oslo.json"},
			has: "\n Traceback"},
		{name: "levelkey", ours: []string{"-f", "convert-json", "--levelkey", "funcname", "--levels", "resize", "oslo.json"},
			peer: []string{"oslo.json", "--levelkey", "funcname", "--levels", "resize"}, has: "Resized to m1.small", lacks: "nova-api"},
		{name: "tbkey", ours: []string{"-f", "convert-json", "--tbkey", "error_summary", "oslo.json"},
			peer: []string{"--tbkey", "error_summary", "oslo.json"}, has: "ERROR nova.compute.manager ZeroDivisionError", lacks: "Traceback"},
		// convert-json has no --no-traceback; a traceback key no line has is
		// the same output.
		{name: "no-traceback", ours: []string{"-f", "convert-json", "--no-traceback", "oslo.json"},
			peer: []string{"--tbkey", "no_such_key", "oslo.json"}, has: "Compute failed", lacks: "Traceback"},
		{name: "lines", ours: []string{"-f", "convert-json", "-n", "7", "oslo.json"}, peer: []string{"-n", "7", "oslo.json"},
			has: "last line", lacks: "Starting nova-api"},
		{name: "color", ours: []string{"-f", "convert-json", "-c", "oslo.json"}, peer: []string{"-c", "oslo.json"},
			has: "\x1b[1m\x1b[31mERROR\x1b[0m"},
		{name: "color-padded-missing", ours: []string{"--color", "--prefix", "%(levelname)-12s|%(levelname)r %(nothere)i", "oslo.json"},
			peer: []string{"--color", "--prefix", "%(levelname)-12s|%(levelname)r %(nothere)i", "oslo.json"}, has: "\x1b[1m\x1b[7m\x1b[31mMissing"},
		{name: "combined", ours: []string{"--prefix", prefix, "-c", "--levels", "ERROR", "CRITICAL", "--tbkey", "traceback", "--loggers", "nova.api", "nova.compute", "oslo.json"},
			peer: []string{"oslo.json", "--prefix", prefix, "-c", "--tbkey", "traceback", "--loggers", "nova.api", "nova.compute", "--levels", "ERROR", "CRITICAL"},
			has:  "Traceback", lacks: "DEBUG"},
		// convert-json 5.0.1 accepts --locator and prints it nowhere (it
		// overwrites it with ''); log-format does what its help says, which
		// gen.py computes with convert-json's own console_format.
		{name: "locator", ours: []string{"-f", "convert-json", "--locator", locator, "oslo.json"}, has: "Resizing to flavor m1.small [resize "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []byte
			var err error
			if c.peer != nil {
				cmd := exec.Command(peer, c.peer...)
				cmd.Env = peerEnv()
				if c.stdin {
					cmd.Stdin = bytes.NewReader(out)
				}
				want, err = cmd.Output()
				if err != nil {
					t.Fatalf("convert-json %q: %v\n%s", c.peer, err, stderrOf(err))
				}
			} else {
				cmd := exec.Command(python, gen, "--locator", locator)
				cmd.Env = peerEnv()
				cmd.Stdin = bytes.NewReader(out)
				want, err = cmd.Output()
				if err != nil {
					t.Fatalf("gen.py --locator: %v\n%s", err, stderrOf(err))
				}
			}
			var got, errOut bytes.Buffer
			var in []byte
			if c.stdin {
				in = out
			}
			code := run(c.ours, cli.IO{In: bytes.NewReader(in), Out: &got, Err: &errOut, Getenv: func(string) string { return "" }})
			if code != 0 || errOut.Len() > 0 {
				t.Fatalf("log-format %q: exit %d, stderr %s", c.ours, code, errOut.String())
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("log-format %q differs from convert-json %q: %s", c.ours, c.peer, firstDiff(want, got.Bytes()))
			}
			if !bytes.Contains(want, []byte(c.has)) {
				t.Errorf("the output lacks %q:\n%s", c.has, want)
			}
			if c.lacks != "" && bytes.Contains(want, []byte(c.lacks)) {
				t.Errorf("the output holds %q:\n%s", c.lacks, want)
			}
		})
	}
}

// convertJSONPeer finds convert-json and the Python that runs it (its
// #! line), or fails the test saying what to install.
func convertJSONPeer(t *testing.T) (peer, python string) {
	t.Helper()
	const install = "apt-get install python3-oslo.log python3-termcolor"
	peer, err := exec.LookPath("convert-json")
	if err != nil {
		t.Fatalf("oslo.log's convert-json is not installed (%s): %v", install, err)
	}
	f, err := os.Open(peer)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, _ := bufio.NewReader(f).ReadString('\n')
	python = "python3"
	if rest, ok := strings.CutPrefix(strings.TrimSpace(first), "#!"); ok {
		fields := strings.Fields(rest)
		if len(fields) == 2 && filepath.Base(fields[0]) == "env" {
			python = fields[1]
		} else if len(fields) > 0 {
			python = fields[0]
		}
	}
	check := exec.Command(python, "-c", "import oslo_log.formatters, oslo_context.context, termcolor")
	if b, err := check.CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import oslo.log, oslo.context and termcolor (%s): %v\n%s", python, install, err, b)
	}
	return peer, python
}

// peerEnv is the environment for Python: UTF-8 output whatever the locale,
// and termcolor left on.
func peerEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "ANSI_COLORS_DISABLED=") && !strings.HasPrefix(e, "PYTHONIOENCODING=") {
			env = append(env, e)
		}
	}
	return append(env, "PYTHONIOENCODING=utf-8")
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// firstDiff describes where got first differs from want.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  convert-json: %q\n  log-format:   %q", i+1, wl, gl)
		}
	}
	return "(same lines)"
}
