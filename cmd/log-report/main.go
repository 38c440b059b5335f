// Command log-report answers the questions of the Nova audit-logging spec
// from audit lines, log-extract's records, oslo.log JSON and text logs,
// or log-serve's store: active and biggest users, load and its spikes,
// exceptions before and after an upgrade, latency percentiles, and what
// happened around an outage. See `log-report --help`.
package main

import (
	"os"

	"github.com/auditlog-go/auditlog/tools/cli"
)

func main() {
	cli.IgnoreSIGPIPE()
	os.Exit(run(os.Args[1:], cli.System()))
}
