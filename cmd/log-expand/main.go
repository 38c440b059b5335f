// Command log-expand prints JSON log lines as indented, readable blocks,
// expanding what is packed inside them: nested objects, strings that hold
// JSON, Python dict reprs, multi-line stack traces. With --flatten it prints
// one grep-able "path = value" line per value instead. See
// `log-expand --help`; the logic is in package tools/logexpand.
package main

import (
	"os"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/logexpand"
)

func main() {
	cli.IgnoreSIGPIPE()
	os.Exit(run(os.Args[1:], cli.System()))
}

// run is the whole command, with its streams passed in for tests.
func run(args []string, stdio cli.IO) int {
	return logexpand.Main(args, stdio)
}
