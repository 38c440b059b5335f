package main

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/golden"
)

// TestGolden runs the command on each case under testdata/golden (see
// package internal/golden for the layout; `go test -update` rewrites the
// want files).
func TestGolden(t *testing.T) { golden.Run(t, "testdata/golden/*", run) }
