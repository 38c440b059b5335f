package main

import (
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"log-extract": main})
}

// TestScript runs the real command, as a separate process, through the
// scripts in testdata/script: exact records out of excerpts of the real
// logs, the summary, --dry-run with a DSN, the seed's environment
// variables, a missing file, `| head`, the progress bar.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gencreates": gencreates,
		},
	})
}

// gencreates N file writes a generated nova-api log of N creates (see
// genCreates) and its trailer to file.
func gencreates(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gencreates N file")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(genLog(n)), 0o644))
}
