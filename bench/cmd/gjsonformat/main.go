// Command gjsonformat is bench/cli.sh's second peer for log-format: the
// program one would write with tidwall/gjson to fill a %(key)s template
// from JSON lines, so that log-format is timed against a fast Go JSON
// reader as well as against jq.
//
// Usage:
//
//	gjsonformat TEMPLATE FILE
//
// TEMPLATE holds %(path)s directives (gjson paths, dotted) and literal
// text; a path the line lacks, or whose value is null, prints as "-". A
// string prints decoded, any other value as written (the bench's numbers
// are written as jq prints them). Lines that are not JSON objects print as
// they are; gjson does not check the rest, and neither does this. The output is byte-identical to `jq -r` with the equivalent
// filter, which cli.sh checks.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tidwall/gjson"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gjsonformat TEMPLATE FILE")
		os.Exit(2)
	}
	lits, paths, err := compile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gjsonformat:", err)
		os.Exit(2)
	}
	f, err := os.Open(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gjsonformat:", err)
		os.Exit(1)
	}
	defer f.Close()
	out := bufio.NewWriterSize(os.Stdout, 256<<10)
	if err := format(f, out, lits, paths); err != nil {
		fmt.Fprintln(os.Stderr, "gjsonformat:", err)
		os.Exit(1)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gjsonformat:", err)
		os.Exit(1)
	}
}

// compile splits the template into len(paths)+1 literals around the paths.
func compile(t string) (lits, paths []string, err error) {
	for {
		i := strings.Index(t, "%(")
		if i < 0 {
			return append(lits, t), paths, nil
		}
		j := strings.Index(t[i:], ")s")
		if j < 0 {
			return nil, nil, fmt.Errorf("unclosed %%( in %q", t)
		}
		lits = append(lits, t[:i])
		paths = append(paths, t[i+2:i+j])
		t = t[i+j+2:]
	}
}

func format(r io.Reader, w *bufio.Writer, lits, paths []string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' { // gjson does not validate; nor does this
			w.Write(line)
			w.WriteByte('\n')
			continue
		}
		vals := gjson.GetManyBytes(line, paths...)
		for i, v := range vals {
			w.WriteString(lits[i])
			switch v.Type {
			case gjson.Null:
				w.WriteByte('-')
			case gjson.String:
				w.WriteString(v.Str)
			default:
				w.WriteString(v.Raw)
			}
		}
		w.WriteString(lits[len(lits)-1])
		w.WriteByte('\n')
	}
	return sc.Err()
}
