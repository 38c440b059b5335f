package main

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/golden"
)

// TestGolden runs the command in-process for each case directory under
// tools/logexpand/testdata that has an "args" or "input" file (see package
// internal/golden: "input" is standard input; arguments may name files in
// other cases, as ../ours/input; `go test -update` rewrites the want
// files). The cases stay beside the package whose tests, and other
// packages' benchmarks, read their inputs; testdata/README.md there says
// where each input comes from.
func TestGolden(t *testing.T) { golden.Run(t, "../../tools/logexpand/testdata/*", run) }
