// Command log-serve keeps audit events and answers questions about them:
// an HTTP API to store NDJSON lines (POST /v1/events) and to query them
// (GET /v1/events, /v1/events/{id}, /v1/requests/{id}, /v1/attributes/{name})
// and to stream them live (GET /v1/events/stream),
// over an embedded SQLite file or PostgreSQL; `log-serve purge` removes old
// events and `log-serve hash-token` writes a tokens file line. See
// `log-serve --help` and the README. The logic is in tools/serve.
package main

import (
	"os"

	"github.com/auditlog-go/auditlog/tools/cli"
)

func main() {
	cli.IgnoreSIGPIPE()
	os.Exit(run(os.Args[1:], cli.System()))
}
