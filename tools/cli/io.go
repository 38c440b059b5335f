package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IO is the terminal streams a command uses, in one struct so tests can
// fake them and a command never reaches for os.Stdout itself.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	// OutIsTerminal is set when Out is a terminal, where colour and other
	// niceties are wanted; when it is a pipe or file they are not.
	OutIsTerminal bool
	ErrIsTerminal bool

	// Getenv reads the environment (NO_COLOR, TERM); nil means os.Getenv.
	Getenv func(string) string
}

// System returns the process's own streams, each marked as a terminal when
// the terminal driver says it is one (see [IsTerminal]).
func System() IO {
	return IO{
		In:            os.Stdin,
		Out:           os.Stdout,
		Err:           os.Stderr,
		OutIsTerminal: IsTerminal(os.Stdout),
		ErrIsTerminal: IsTerminal(os.Stderr),
		Getenv:        os.Getenv,
	}
}

// IsTerminal reports whether f is a terminal. A character device is not
// enough (/dev/null is one, and output there must not be coloured or
// escaped): it asks the terminal driver, as isatty does.
func IsTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

// Env reads the environment variable key through Getenv, or os.Getenv
// when Getenv is nil, so that a test's IO decides what a command sees.
func (io IO) Env(key string) string {
	if io.Getenv == nil {
		return os.Getenv(key)
	}
	return io.Getenv(key)
}

// InIsTerminal reports whether In is a terminal: a command that reads
// standard input when it is named no file says so rather than wait for
// lines a person at the keyboard was not going to type.
func (io IO) InIsTerminal() bool {
	f, ok := io.In.(*os.File)
	return ok && IsTerminal(f)
}
