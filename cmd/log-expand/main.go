// Command log-expand prints JSON log lines as indented, readable blocks,
// expanding what is packed inside them: nested objects, strings that hold
// JSON, Python dict reprs, multi-line stack traces. With --flatten it prints
// one grep-able "path = value" line per value instead. See
// `log-expand --help`; the flags are in run.go, the expansion in package
// tools/logexpand.
package main

import (
	"os"

	"github.com/auditlog-go/auditlog/tools/cli"
)

func main() {
	cli.IgnoreSIGPIPE()
	os.Exit(run(os.Args[1:], cli.System()))
}
