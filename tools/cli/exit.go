package cli

import (
	"errors"
	"io"
	"net"
	"os/signal"
	"syscall"
)

// Exit codes of every command.
const (
	ExitOK    = 0 // all input read, output written (or the reader went away)
	ExitInput = 1 // some input was unreadable, or another runtime error
	ExitUsage = 2 // bad flags or arguments
)

// UsageError marks an error in the command line, so [ExitCode] maps it to
// [ExitUsage] and the command can print its usage.
type UsageError struct{ Err error }

// Error returns the message of the wrapped error.
func (e UsageError) Error() string {
	if e.Err == nil {
		return "usage error"
	}
	return e.Err.Error()
}

// Unwrap returns the wrapped error.
func (e UsageError) Unwrap() error { return e.Err }

// ExitCode maps the error a command returns to its exit status: nil is
// [ExitOK], a [UsageError] anywhere in the chain is [ExitUsage], a broken
// pipe is [ExitOK] (the reader took what it wanted, as with `| head`), and
// anything else is [ExitInput].
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var u UsageError
	if errors.As(err, &u) {
		return ExitUsage
	}
	var pu *UsageError
	if errors.As(err, &pu) {
		return ExitUsage
	}
	if IsBrokenPipe(err) {
		return ExitOK
	}
	return ExitInput
}

// IsBrokenPipe reports whether err, from writing Out, means the reader went
// away (EPIPE, or io.ErrClosedPipe from an in-process pipe), which a command
// treats as the end of its job rather than as a failure. An EPIPE from a
// network connection — a database or server that went away mid-write, which
// reaches the command through the same error chain — is a failure like any
// other, not the end of the output.
func IsBrokenPipe(err error) bool {
	if errors.Is(err, io.ErrClosedPipe) {
		return true
	}
	var nerr *net.OpError
	if errors.As(err, &nerr) {
		return false
	}
	return errors.Is(err, syscall.EPIPE)
}

// IgnoreSIGPIPE makes a write to a closed stdout return EPIPE instead of
// killing the process, so a command can exit 0 quietly when `| head` goes
// away and still flush or report what it must. Call it from main only: it
// changes the signal handling of the whole process.
func IgnoreSIGPIPE() {
	signal.Ignore(syscall.SIGPIPE)
}
