package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// SignalContext returns a context that is cancelled on SIGINT or SIGTERM, so
// that a command stops reading (a --follow among them), writes what it has
// and exits with its usual status instead of being killed mid-write. stop
// restores the default handling; call it when the command returns.
func SignalContext() (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
