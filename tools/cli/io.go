package cli

import (
	"io"
	"os"
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

// System returns the process's own streams. A stream counts as a terminal
// when it is a character device, which needs no dependency beyond os; the
// price is that /dev/null counts too, where colour is harmless.
func System() IO {
	return IO{
		In:            os.Stdin,
		Out:           os.Stdout,
		Err:           os.Stderr,
		OutIsTerminal: isTerminal(os.Stdout),
		ErrIsTerminal: isTerminal(os.Stderr),
		Getenv:        os.Getenv,
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (io IO) getenv(key string) string {
	if io.Getenv == nil {
		return os.Getenv(key)
	}
	return io.Getenv(key)
}
