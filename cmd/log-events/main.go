// Command log-events reads what log-serve keeps: lists of events, one
// event, every event of one request. See `log-events --help`; the logic is
// in package tools/logevents.
package main

import (
	"os"

	"github.com/auditlog-go/auditlog/tools/cli"
)

func main() {
	cli.IgnoreSIGPIPE()
	os.Exit(run(os.Args[1:], cli.System()))
}
