// Command log-format prints JSON log lines as readable text: a one-line
// summary per event by default, or any %-style format string. See
// `log-format --help`.
package main

import (
	"os"

	"github.com/auditlog-go/auditlog/tools/cli"
)

func main() {
	cli.IgnoreSIGPIPE()
	os.Exit(run(os.Args[1:], cli.System()))
}
