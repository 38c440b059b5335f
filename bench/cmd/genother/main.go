// Command genother writes the benchmark's second data set (bench/cli.sh):
// oslo.log JSON lines, with the keys, key order and separators of
// oslo.log's JSONFormatter (see bench/oslo_json_lines.py for the real
// thing), so unlike genlines' audit lines: the template's keys sit at the
// front of a long line instead of spread through a short one, messages run
// from a few words to several kilobytes (request bodies dumped as JSON
// text), and strings are full of escapes (quotes, \n, \t, \u for every
// non-ASCII character as ensure_ascii writes it, surrogate pairs, ESC).
//
// Usage:
//
//	genother [-n lines] [-seed n] [-o file]
//
// The same -n and -seed always give the same bytes, and a shorter run is a
// prefix of a longer one. A summary goes to stderr.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
