package main

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
)

// TestNoCredentialInOutput runs every report over every real sample that
// holds a credential and checks that none of them reaches the output: the
// reports quote what they count (exception messages, routes, users), and
// the malformed-line list quotes the input.
func TestNoCredentialInOutput(t *testing.T) {
	leakcheck.CheckCommand(t, run, "all")
}
