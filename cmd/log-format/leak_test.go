package main

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
)

// TestNoCredentialInOutput runs log-format over every real sample that holds a
// credential (tokens in curl lines and responses, passwords in request
// bodies and URLs) and checks that none of them reaches the output: in the
// summary, in convert-json's output (the prefix, then the message and each
// traceback line), and in a template that prints the free-text and
// structured fields whole, since each output path renders values its own way.
func TestNoCredentialInOutput(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"summary", []string{"--color=never"}},
		{"convert-json", []string{"--color=never", "-f", "convert-json"}},
		{"template", []string{"--color=never", "--traceback", "-f", "%(message)s %(context)s %(args)s %(extra)s"}},
	} {
		t.Run(c.name, func(t *testing.T) { leakcheck.CheckCommand(t, run, c.args...) })
	}
}
