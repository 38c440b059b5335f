package main

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/golden"
)

// TestGolden runs the cases in testdata/golden: the reports of the fixture
// (tools/report/testdata, a week of a small cloud with a spike, a version
// change, probing and crashes in it), each output form, malformed input
// and the usage errors. go test -update rewrites the want files.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/golden/*", run)
}
