package logexpand

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/golden"
)

// TestGolden runs the command in-process for each case directory under
// testdata that has an "args" or "input" file (see package internal/golden:
// "input" is standard input; arguments may name files in other cases, as
// ../ours/input; `go test -update` rewrites the want files).
// testdata/README.md says where each input comes from.
func TestGolden(t *testing.T) { golden.Run(t, "testdata/*", Main) }
