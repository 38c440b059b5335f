// Package leakcheck finds the credentials real logs hold and checks that a
// tool's output holds none of them. It reads the input with its own
// patterns, written apart from the tools' scanner (tools/logline's
// CredentialSpans), so that a gap in that scanner shows here as a leak
// rather than being shared by the check.
package leakcheck

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/cli"
)

// patterns find a credential's value in its first group: header-style
// tokens (curl's -H "X-Auth-Token: …", a response's 'x-subject-token':
// '…'), passwords in JSON or Python literals and in key=value text, and a
// URL's password.
var patterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)x-(?:auth|subject|service)-token['"]?\s*[:=]\s*['"]?([^\s'",]+)`),
	regexp.MustCompile(`(?i)["'](?:password|adminPass|admin_password|auth_token|token)["']\s*:\s*u?["']([^"']+)["']`),
	regexp.MustCompile(`(?i)\b(?:password|passwd|adminPass|auth_token)=([^\s&,;'"]+)`),
	regexp.MustCompile(`(?i)authorization['"]?\s*[:=]\s*['"]?(?:bearer|basic)\s+([^\s'"]+)`),
	regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^\s:/@'"]+:([^\s@/'"]+)@`),
}

// hidden are values that hide nothing, or are masked already.
var hidden = map[string]bool{
	"None": true, "null": true, "True": true, "False": true, "TOKEN_REDACTED": true,
	"[REDACTED]": true, "REDACTED": true, "<SANITIZED>": true,
}

// Secret is one credential found in the input, with where it was first seen.
type Secret struct {
	Value string
	Line  int
}

// Find returns the distinct credentials in r, in order of first sighting.
// Values shorter than 6 bytes, runs of '*' and the markers of a value
// already hidden are not credentials.
func Find(r io.Reader) ([]Secret, error) {
	seen := map[string]bool{}
	var out []Secret
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if !mayHold(line) {
			continue
		}
		for _, p := range patterns {
			for _, m := range p.FindAllSubmatch(line, -1) {
				v := string(m[1])
				if len(v) < 6 || hidden[v] || strings.Trim(v, "*") == "" || seen[v] {
					continue
				}
				seen[v] = true
				out = append(out, Secret{Value: v, Line: n})
			}
		}
	}
	return out, sc.Err()
}

// mayHold is a cheap test that spares the patterns most lines: every
// pattern needs one of these words.
func mayHold(line []byte) bool {
	for _, w := range [][]byte{[]byte("oken"), []byte("OKEN"), []byte("ass"), []byte("ASS"), []byte("uthori"), []byte("UTHORI"), []byte("://")} {
		if bytes.Contains(line, w) {
			return true
		}
	}
	return false
}

// needle is what is looked for in output: the first 24 bytes of a long
// value are enough to show it leaked (a tool that cut the value short
// still leaked it).
func needle(v string) string {
	if len(v) > 24 {
		return v[:24]
	}
	return v
}

// Leaks reports which of secrets appear in out, each with the output line
// it is first seen on.
func Leaks(out []byte, secrets []Secret) []string {
	var leaks []string
	done := map[string]bool{}
	for _, s := range secrets {
		n := needle(s.Value)
		if done[n] {
			continue
		}
		done[n] = true
		if i := bytes.Index(out, []byte(n)); i >= 0 {
			ln := bytes.Count(out[:i], []byte("\n")) + 1
			leaks = append(leaks, fmt.Sprintf("%q (input line %d) on output line %d", n, s.Line, ln))
		}
	}
	sort.Strings(leaks)
	return leaks
}

// Check fails t when out holds any of secrets, naming at most ten.
func Check(t testing.TB, what string, out []byte, secrets []Secret) {
	t.Helper()
	leaks := Leaks(out, secrets)
	if len(leaks) == 0 {
		return
	}
	if len(leaks) > 10 {
		leaks = append(leaks[:10], fmt.Sprintf("… and %d more", len(leaks)-10))
	}
	t.Errorf("%s: %d credential(s) of the input in the output:\n  %s", what, len(leaks), strings.Join(leaks, "\n  "))
}

// Sample is one real log file and the credentials it holds.
type Sample struct {
	Path    string
	Secrets []Secret
}

// jsonCredentials is a sample of our JSON lines and oslo.log's with
// credentials where the real samples have none: URL passwords and
// key=value pairs inside string values, at the top level and nested in
// objects and arrays.
//
//go:embed json_credentials.log
var jsonCredentials []byte

// Samples returns the real OpenStack samples (osdata) that hold at least
// one credential, and jsonCredentials, failing t when none do (the check
// would prove nothing).
func Samples(t testing.TB) []Sample {
	t.Helper()
	dir := osdata.Dir(t)
	var out []Sample
	synth := filepath.Join(t.TempDir(), "json_credentials.log")
	if err := os.WriteFile(synth, jsonCredentials, 0o644); err != nil {
		t.Fatal(err)
	}
	secrets, err := Find(bytes.NewReader(jsonCredentials))
	if err != nil || len(secrets) < 8 {
		t.Fatalf("json_credentials.log: found %d credentials (%v), want every one of its 8", len(secrets), err)
	}
	out = append(out, Sample{Path: synth, Secrets: secrets})
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".log") || strings.HasSuffix(p, ".gz")) {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(p, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			r = zr
		}
		s, err := Find(r)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if len(s) > 0 {
			out = append(out, Sample{Path: p, Secrets: s})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 1 {
		t.Fatalf("no credential found in the samples under %s: the leak checks would prove nothing", dir)
	}
	return out
}

// CheckCommand runs a command's run function (its main without the
// process: arguments and streams in, exit code out) over every sample
// that holds a credential, with args before the file, and fails t if any
// of them reaches its standard output or error, or if it fails.
func CheckCommand(t *testing.T, run func(args []string, io cli.IO) int, args ...string) {
	t.Helper()
	for _, s := range Samples(t) {
		t.Run(filepath.Base(s.Path), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append(args[:len(args):len(args)], s.Path), cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			Check(t, "stdout", out.Bytes(), s.Secrets)
			Check(t, "stderr", errb.Bytes(), s.Secrets)
		})
	}
}
