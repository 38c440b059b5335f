// Command benchtable reads the output of the bench module's benchmarks (go
// test -bench, any -count) and prints a markdown table: the median of each
// metric per benchmark, then the ratios the project holds itself to, each
// with its target and PASS or FAIL.
//
// Usage:
//
//	go test -run '^$' -bench . -benchmem -count 5 | benchtable [--strict] [file...]
//
// It exits 0 whatever the results unless --strict is given, in which case a
// failed or missing check makes it exit 1. Bad input exits 2.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
