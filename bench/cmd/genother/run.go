package main

import (
	"io"

	"github.com/auditlog-go/auditlog/bench/internal/gencli"
)

// run is the command line of gencli, which genlines shares.
func run(args []string, stdout, stderr io.Writer) int {
	return gencli.Run("genother", args, stdout, stderr, func(w io.Writer, n int, seed uint64) (gencli.Stats, error) {
		st, err := generate(w, n, seed)
		return gencli.Stats{Lines: st.lines, Bytes: st.bytes}, err
	})
}
