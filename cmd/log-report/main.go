// Command log-report answers the questions of the Nova audit-logging spec
// from audit lines, log-extract's records, oslo.log JSON and text logs,
// or log-serve's store: active and biggest users, load and its spikes,
// exceptions before and after an upgrade, latency percentiles, and what
// happened around an outage. See `log-report --help`.
package main

import (
	"os"
	"runtime/debug"

	"github.com/auditlog-go/auditlog/tools/cli"
)

func main() {
	cli.IgnoreSIGPIPE()
	if os.Getenv("GOMEMLIMIT") == "" {
		// The analyses are bounded (see tools/report); this keeps the
		// garbage between collections from doubling the peak as well.
		debug.SetMemoryLimit(150 << 20)
	}
	os.Exit(run(os.Args[1:], cli.System()))
}
