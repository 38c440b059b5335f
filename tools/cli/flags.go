package cli

import (
	"fmt"
	"io"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/spf13/pflag"
)

// InputFlags are the flags every command that reads lines takes, so they are
// spelled and defaulted the same way everywhere.
type InputFlags struct {
	// Follow is --follow: keep reading as files grow, like tail -F. It has
	// no short form because -f is log-format's --format.
	Follow bool

	// Color is --color=auto|always|never.
	Color ColorMode

	// WithFilename is -H/--with-filename: put "name:" before each output
	// line, like grep. A command should also turn it on when reading more
	// than one file; see [InputFlags.Filenames].
	WithFilename bool

	// MaxLine is --max-line-bytes: longer lines are passed through in
	// pieces rather than parsed.
	MaxLine int
}

// Register defines the flags on fs with their defaults.
func (f *InputFlags) Register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.Follow, "follow", false, "keep reading as the files grow, like tail -F")
	ColorFlag(fs, &f.Color, "colour the output: auto, always or never")
	fs.BoolVarP(&f.WithFilename, "with-filename", "H", false, "print the file name before each line (default when reading several files)")
	fs.IntVar(&f.MaxLine, "max-line-bytes", input.DefaultMaxLine, "pass longer lines through unparsed, in pieces")
}

// Options returns the [input.Options] the flags ask for. stdin and onError
// are passed through; stdin is usually IO.In.
func (f *InputFlags) Options(stdin io.Reader, onError func(error)) input.Options {
	return input.Options{
		Follow:  f.Follow,
		MaxLine: f.MaxLine,
		Stdin:   stdin,
		OnError: onError,
	}
}

// Filenames reports whether output lines should carry their file name: when
// -H was given, or, as grep does, when more than one name is read.
func (f *InputFlags) Filenames(names []string) bool {
	return f.WithFilename || len(names) > 1
}

// Validate checks the values the flag parser could not: a negative
// --max-line-bytes is a [UsageError]; 0 means the default.
func (f *InputFlags) Validate() error {
	if f.MaxLine < 0 {
		return UsageError{fmt.Errorf("--max-line-bytes must not be negative, got %d", f.MaxLine)}
	}
	return nil
}
