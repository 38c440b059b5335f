package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
	"github.com/auditlog-go/auditlog/tools/cli"
)

// TestNoCredentialInOutput runs log-extract over every real sample that holds a
// credential (tokens in curl lines and responses, passwords in request
// bodies and URLs) and checks that none of them reaches the output.
func TestNoCredentialInOutput(t *testing.T) {
	for _, s := range leakcheck.Samples(t) {
		t.Run(filepath.Base(s.Path), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"--derive-window-sec=60", s.Path}, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			leakcheck.Check(t, "stdout", out.Bytes(), s.Secrets)
			leakcheck.Check(t, "stderr", errb.Bytes(), s.Secrets)
		})
	}
}
