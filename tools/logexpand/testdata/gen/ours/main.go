// Command ours writes the audit lines of the "ours" golden case through the
// real handler, with a fixed clock, so the case holds what the handler
// writes. Run from the repository root:
//
//	go run ./tools/logexpand/testdata/gen/ours > tools/logexpand/testdata/ours/input
//
// Stack traces name this file's path and line numbers; they change only if
// this file does.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

func main() {
	at := time.Date(2026, 11, 23, 9, 30, 0, 123456000, time.UTC)
	opts := &auditlog.Options{
		Service:  "nova-api",
		Level:    slog.LevelDebug,
		Sequence: &auditlog.Sequence{},
		Now:      func() time.Time { at = at.Add(1500 * time.Microsecond); return at },
	}
	log := auditlog.New(os.Stdout, opts)
	ctx := auditlog.WithRequestID(context.Background(), "req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88")
	ctx = auditlog.WithUser(ctx, auditlog.User{ID: "9a1f", Name: "alice", ProjectID: "p-42", Roles: []string{"admin", "member"}})
	ctx = auditlog.WithRemoteAddr(ctx, "10.0.0.7:51234")

	log.InfoContext(ctx, "server paused", auditlog.Action("pause"),
		auditlog.Target{Type: "server", ID: "5f1e0b9c"}.Attr(), "host", "compute-3", "password", "hunter2")
	log.DebugContext(ctx, "request body",
		"body", `{"server": {"name": "vm1", "flavorRef": "1", "networks": [{"uuid": "n-1"}], "adminPass": "s3cr3t"}}`,
		"headers", `{'X-Auth-Token': 'gAAAAABk', 'Content-Type': 'application/json'}`)
	err := fmt.Errorf("attach volume: %w", errors.New("quota exceeded"))
	log.ErrorContext(ctx, "attach failed", auditlog.Err(err), auditlog.Action("attach"),
		auditlog.Target{Type: "volume", ID: "v-9"}.Attr())
	log.WarnContext(ctx, "slow call", slog.Group("db", "statement", "SELECT *\nFROM instances\nWHERE uuid = ?", "rows", 3),
		"note", "ESC \x1b[31m is not a colour here")
}
