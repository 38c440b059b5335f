package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// options are the command line.
type options struct {
	n    int
	seed uint64
	out  string
}

// run parses args, writes the lines and reports on stderr. The flag package,
// not pflag: the benchmark scripts call it as -n N -seed S, and pflag would
// read -seed as four shorthand flags.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("genlines", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts options
	fs.IntVar(&opts.n, "n", 1000, "number of lines")
	fs.Uint64Var(&opts.seed, "seed", 1, "random seed; the same seed and -n give the same bytes")
	fs.StringVar(&opts.out, "o", "-", "output file, or - for stdout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || opts.n < 0 {
		fmt.Fprintln(stderr, "usage: genlines [-n lines] [-seed n] [-o file]")
		return 2
	}

	var dst io.Writer = stdout
	var f *os.File
	if opts.out != "-" && opts.out != "" {
		var err error
		if f, err = os.Create(opts.out); err != nil {
			fmt.Fprintln(stderr, "genlines:", err)
			return 1
		}
		dst = f
	}
	bw := bufio.NewWriterSize(dst, 1<<20)
	start := time.Now()
	st, err := generate(bw, opts.n, opts.seed)
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "genlines:", err)
		return 1
	}
	st.report(stderr, time.Since(start))
	return 0
}
