package cli_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/spf13/pflag"
)

// run is how a command's main is laid out: parse into an options struct,
// turn bad flags into a UsageError, and let ExitCode pick the status.
func run(args []string, stdio cli.IO) error {
	fs := pflag.NewFlagSet("log-example", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var in cli.InputFlags
	in.Register(fs)
	if err := fs.Parse(args); err != nil {
		return cli.UsageError{Err: err}
	}
	if err := in.Validate(); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "color=%v filenames=%v\n", stdio.UseColor(in.Color), in.Filenames(fs.Args()))
	return nil
}

func Example() {
	stdio := cli.IO{In: strings.NewReader(""), Out: os.Stdout, Err: os.Stdout, OutIsTerminal: true,
		Getenv: func(string) string { return "" }}
	for _, args := range [][]string{
		{"a.log"},
		{"--color=never", "a.log", "b.log"},
		{"--color=rainbow"},
	} {
		err := run(args, stdio)
		if err != nil {
			fmt.Println("error:", err)
		}
		fmt.Println("exit", cli.ExitCode(err))
	}
	// Output:
	// color=true filenames=false
	// exit 0
	// color=false filenames=true
	// exit 0
	// error: invalid argument "rainbow" for "--color" flag: invalid color mode "rainbow": want auto, always or never
	// exit 2
}

func ExampleExitCode() {
	fmt.Println(cli.ExitCode(nil))
	fmt.Println(cli.ExitCode(errors.New("a.log: open a.log: permission denied")))
	fmt.Println(cli.ExitCode(cli.UsageError{Err: errors.New("unknown flag: --x")}))
	fmt.Println(cli.ExitCode(fmt.Errorf("write /dev/stdout: %w", io.ErrClosedPipe)))
	// Output:
	// 0
	// 1
	// 2
	// 0
}
