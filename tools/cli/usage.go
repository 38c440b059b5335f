package cli

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// SetUsage makes fs.Usage, what --help prints, the command's text followed
// by its flags with their defaults, both on w (standard output: help asked
// for is the command's output, not an error). Every command lays its help
// out this way.
func SetUsage(fs *pflag.FlagSet, w io.Writer, text string) {
	fs.Usage = func() {
		fmt.Fprint(w, text)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// Fail reports err on w (standard error) as "name: err", followed, for a
// [UsageError], by the hint "Try 'name --help'.", and returns the exit
// status [ExitCode] gives err. name is how the user called the command,
// "log-serve purge" for a subcommand. A nil err prints nothing.
func Fail(w io.Writer, name string, err error) int {
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(w, "%s: %v\n", name, err)
	code := ExitCode(err)
	if code == ExitUsage {
		fmt.Fprintf(w, "Try '%s --help'.\n", name)
	}
	return code
}

// ColorFlag defines --color=auto|always|never on fs, into *m (auto until
// given), with --color alone meaning always, as grep and ls take it.
func ColorFlag(fs *pflag.FlagSet, m *ColorMode, usage string) {
	*m = ColorAuto
	fs.Var(m, "color", usage)
	fs.Lookup("color").NoOptDefVal = string(ColorAlways)
}
