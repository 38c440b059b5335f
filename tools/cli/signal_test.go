package cli

import (
	"syscall"
	"testing"
	"time"
)

// TestSignalContext sends this process a real SIGTERM: the context ends,
// and the process, which would otherwise die of it, goes on.
func TestSignalContext(t *testing.T) {
	ctx, stop := SignalContext()
	defer stop()
	if ctx.Err() != nil {
		t.Fatal("cancelled before any signal")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
}
