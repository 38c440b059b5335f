// Command genlines writes synthetic audit lines for the CLI benchmarks
// (bench/cli.sh): a deterministic mix of what an OpenStack-like deployment
// logs, written by the real auditlog handler so that every line is a genuine,
// schema-valid audit line.
//
// Usage:
//
//	genlines [-n lines] [-seed n] [-o file]
//
// The same -n and -seed always give the same bytes: the clock is fake (a
// fixed start, advancing a few milliseconds per line) and every choice comes
// from math/rand/v2 seeded with -seed. -o - or no -o writes to stdout. A
// summary (lines, bytes, average line, levels) goes to stderr.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
