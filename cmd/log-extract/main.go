// Command log-extract turns OpenStack's text logs (and our JSON audit lines)
// into audit records of user actions: VM create, delete, pause, console…,
// image and network changes. See `log-extract --help` and the README.
package main

import (
	"os"

	"github.com/auditlog-go/auditlog/tools/cli"
)

func main() {
	cli.IgnoreSIGPIPE()
	os.Exit(run(os.Args[1:], cli.System()))
}
