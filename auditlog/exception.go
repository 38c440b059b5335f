package auditlog

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
)

// PanicError is a recovered panic as an error, with the stack of the
// goroutine that panicked. Logged as an exception, its stack is the panic's,
// not the logging call's.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack, from the frame that panicked outwards
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
	var pcs [maxFrames + 32]uintptr
	n := runtime.Callers(2, pcs[:])
	return &PanicError{Value: v, Stack: []byte(formatStack(pcs[:n], afterPanic))}
}

// afterPanic skips the frames of the recovering code: everything up to and
// including runtime.gopanic, so the stack starts where the panic happened.
// When there is no panic on the stack, nothing is skipped.
func afterPanic(frames []runtime.Frame) []runtime.Frame {
	for i, f := range frames {
		if f.Function == "runtime.gopanic" {
			return frames[i+1:]
		}
	}
	return frames
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
// (when caller is set) the stack of the logging call, skipping the frames of
// slog and of this package's handler so that the first frame is the caller's.
func stackOf(err error, caller bool) string {
	var p *PanicError
	if errors.As(err, &p) && len(p.Stack) > 0 {
		return string(p.Stack)
	}
	if !caller {
		return ""
	}
	return callerStack()
}

// pkgPath is this package's import path and a dot, the prefix of its
// functions' names in a stack: read from a type of the package, so that a
// fork or a vendored copy under another path still skips its own frames.
var pkgPath = reflect.TypeFor[Handler]().PkgPath() + "."

func callerStack() string {
	var pcs [maxFrames + 16]uintptr
	n := runtime.Callers(2, pcs[:])
	return formatStack(pcs[:n], func(frames []runtime.Frame) []runtime.Frame {
		for len(frames) > 0 && isLoggingFrame(frames[0].Function) {
			frames = frames[1:]
		}
		return frames
	})
}

// formatStack writes the frames of pcs that skip leaves, at most maxFrames,
// in the layout of a Go panic: the function, then its file and line indented.
func formatStack(pcs []uintptr, skip func([]runtime.Frame) []runtime.Frame) string {
	iter := runtime.CallersFrames(pcs)
	var frames []runtime.Frame
	for {
		fr, more := iter.Next()
		frames = append(frames, fr)
		if !more {
			break
		}
	}
	frames = skip(frames)
	var b strings.Builder
	for i, fr := range frames {
		if i == maxFrames {
			b.WriteString("...\n")
			break
		}
		b.WriteString(fr.Function)
		b.WriteString("()\n\t")
		b.WriteString(fr.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(fr.Line))
		b.WriteByte('\n')
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
