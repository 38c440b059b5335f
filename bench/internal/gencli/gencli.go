// Package gencli is the command line the benchmark's data generators
// (cmd/genlines, cmd/genother) share, so that bench/cli.sh calls them alike.
package gencli

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// Stats describe what a generator wrote: the summary's first line is made
// of Lines and Bytes; More are further lines of its own.
type Stats struct {
	Lines int
	Bytes int64
	More  []string
}

// Generate writes n lines to w, the same bytes for the same n and seed.
type Generate func(w io.Writer, n int, seed uint64) (Stats, error)

// Run parses args (-n lines, -seed n, -o file; - or none for stdout), runs
// generate and writes the summary on stderr, each line after "name: ". It
// returns the exit code: 2 for a bad command line, 1 for a failed write.
//
// The flag package, not pflag: the benchmark scripts call the generators
// as -n N -seed S, and pflag would read -seed as four shorthand flags.
func Run(name string, args []string, stdout, stderr io.Writer, generate Generate) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "number of lines")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and -n give the same bytes")
	out := fs.String("o", "-", "output file, or - for stdout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *n < 0 {
		fmt.Fprintf(stderr, "usage: %s [-n lines] [-seed n] [-o file]\n", name)
		return 2
	}
	var dst io.Writer = stdout
	var f *os.File
	if *out != "-" && *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return 1
		}
		dst = f
	}
	bw := bufio.NewWriterSize(dst, 1<<20)
	start := time.Now()
	st, err := generate(bw, *n, *seed)
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	took := time.Since(start)
	avg := 0.0
	if st.Lines > 0 {
		avg = float64(st.Bytes) / float64(st.Lines)
	}
	fmt.Fprintf(stderr, "%s: %d lines, %d bytes (%.1f MB), %.1f bytes/line, in %s\n",
		name, st.Lines, st.Bytes, float64(st.Bytes)/1e6, avg, took.Round(time.Millisecond))
	for _, m := range st.More {
		fmt.Fprintf(stderr, "%s: %s\n", name, m)
	}
	return 0
}
