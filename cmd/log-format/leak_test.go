package main

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
)

// TestNoCredentialInOutput runs log-format over every real sample that holds a
// credential (tokens in curl lines and responses, passwords in request
// bodies and URLs) and checks that none of them reaches the output.
func TestNoCredentialInOutput(t *testing.T) {
	leakcheck.CheckCommand(t, run, "--color=never")
}
