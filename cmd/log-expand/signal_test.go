//go:build linux

package main

import (
	"testing"

	"github.com/auditlog-go/auditlog/internal/sigtest"
)

// TestSignal: a signal stops log-expand on a silent FIFO or standard input
// within a second or so, with what it read written, "log-expand: interrupted"
// and status 1; with --follow it is the normal end (see sigtest.LineTool).
func TestSignal(t *testing.T) { sigtest.LineTool(t, "log-expand") }
