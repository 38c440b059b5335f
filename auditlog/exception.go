package auditlog

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// PanicError is a recovered panic as an error, with the stack of the
// goroutine that panicked. Logged as an exception, its stack is the panic's,
// not the logging call's.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack, as debug.Stack gives it
}

// Recovered wraps the value of recover() with the current stack. Call it in
// the deferred function that recovered, so that the stack still shows where
// the panic happened:
//
//	defer func() {
//		if v := recover(); v != nil {
//			logger.LogAttrs(ctx, auditlog.LevelCritical, "panic", auditlog.Err(auditlog.Recovered(v)))
//		}
//	}()
func Recovered(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Error returns "panic: " and the panic value.
func (p *PanicError) Error() string { return "panic: " + safeSprint(p.Value) }

// Unwrap returns the panic value when it is an error, so that errors.Is and
// errors.As see through the panic.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// maxChain bounds the wrapped errors written under exception.chain: a cyclic
// or absurdly deep chain must not make an unbounded line.
const maxChain = 16

// maxFrames bounds the frames of a captured stack.
const maxFrames = 32

// errorType names the Go type of err, as the exception's type. For a panic it
// is the type of the panic value, or "panic" when the value is not an error.
func errorType(err error) string {
	if p, ok := err.(*PanicError); ok {
		if inner, ok := p.Value.(error); ok && inner != nil {
			return reflect.TypeOf(inner).String()
		}
		return "panic"
	}
	return reflect.TypeOf(err).String()
}

// errorMessage returns err.Error(), or a note saying it panicked: an Error
// method that panics must not take the log line with it.
func errorMessage(err error) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = "!PANIC in Error method: " + safeSprint(r)
		}
	}()
	return err.Error()
}

// forEachWrapped calls f for each error wrapped by err, depth first, outermost
// first, up to maxChain errors. Errors that wrap several (errors.Join) are
// walked in order.
func forEachWrapped(err error, f func(error)) {
	n := 0
	var walk func(error)
	walk = func(e error) {
		var kids []error
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if k := u.Unwrap(); k != nil {
				kids = []error{k}
			}
		case interface{ Unwrap() []error }:
			kids = u.Unwrap()
		}
		for _, k := range kids {
			if n >= maxChain || k == nil {
				return
			}
			n++
			f(k)
			walk(k)
		}
	}
	walk(err)
}

// hasChain reports whether err wraps anything, without allocating.
func hasChain(err error) bool {
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return u.Unwrap() != nil
	case interface{ Unwrap() []error }:
		return len(u.Unwrap()) > 0
	}
	return false
}

// stackOf returns the stack trace to write for err: a panic's own stack, or
// the stack of the logging call, skipping the frames of slog and of this
// package's handler so that the first frame is the caller's.
func stackOf(err error) string {
	var p *PanicError
	if errors.As(err, &p) && len(p.Stack) > 0 {
		return string(p.Stack)
	}
	return callerStack()
}

const pkgPath = "github.com/auditlog-go/auditlog/auditlog."

func callerStack() string {
	var pcs [maxFrames + 16]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	skipping, written := true, 0
	for {
		fr, more := frames.Next()
		if skipping && isLoggingFrame(fr.Function) {
			if !more {
				break
			}
			continue
		}
		skipping = false
		if written == maxFrames {
			b.WriteString("...\n")
			break
		}
		b.WriteString(fr.Function)
		b.WriteString("()\n\t")
		b.WriteString(fr.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(fr.Line))
		b.WriteByte('\n')
		written++
		if !more {
			break
		}
	}
	return b.String()
}

// isLoggingFrame reports whether fn is part of the logging machinery rather
// than the program that logged.
func isLoggingFrame(fn string) bool {
	if strings.HasPrefix(fn, "log/slog.") {
		return true
	}
	if rest, ok := strings.CutPrefix(fn, pkgPath); ok {
		return strings.HasPrefix(rest, "(*Handler).") || strings.HasPrefix(rest, "(*encoder).") ||
			strings.HasPrefix(rest, "stackOf") || strings.HasPrefix(rest, "callerStack")
	}
	return false
}

// safeSprint formats v with %v, surviving a String or Error method that
// panics.
func safeSprint(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("!PANIC in String method of %T", v)
		}
	}()
	switch x := v.(type) {
	case string:
		return x
	case error:
		return x.Error()
	}
	return fmt.Sprint(v)
}
