package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// run parses args, writes the lines and reports on stderr; the flag
// package, as genlines uses, so that cli.sh calls both alike.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("genother", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "number of lines")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and -n give the same bytes")
	out := fs.String("o", "-", "output file, or - for stdout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *n < 0 {
		fmt.Fprintln(stderr, "usage: genother [-n lines] [-seed n] [-o file]")
		return 2
	}
	var dst io.Writer = stdout
	var f *os.File
	if *out != "-" && *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(stderr, "genother:", err)
			return 1
		}
		dst = f
	}
	bw := bufio.NewWriterSize(dst, 1<<20)
	began := time.Now()
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
		fmt.Fprintln(stderr, "genother:", err)
		return 1
	}
	avg := 0.0
	if st.lines > 0 {
		avg = float64(st.bytes) / float64(st.lines)
	}
	fmt.Fprintf(stderr, "genother: %d lines, %d bytes (%.1f MB), %.1f bytes/line, in %s\n",
		st.lines, st.bytes, float64(st.bytes)/1e6, avg, time.Since(began).Round(time.Millisecond))
	return 0
}
