package state_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/auditlog-go/auditlog/tools/extract/state"
)

// Two runs over a growing log: the second reads only the new line.
func Example() {
	dir, err := os.MkdirTemp("", "state-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	log := filepath.Join(dir, "nova-api.log")
	statePath := filepath.Join(dir, "log-extract.state")

	os.WriteFile(log, []byte("line 1\nline 2\n"), 0o644)
	for run := 1; run <= 2; run++ {
		st, err := state.Load(statePath) // missing on the first run: empty
		if err != nil {
			panic(err)
		}
		fi, _ := os.Stat(log)
		offset, lines, reason := st.Start(log, fi)
		fmt.Printf("run %d: %s, from byte %d, line %d\n", run, reason, offset, lines+1)

		// … read from offset, write the actions to the store; once the
		// store's batch has committed, commit the extractor's checkpoint
		// (here: the whole file, nothing pending) …
		data, _ := os.ReadFile(log)
		f := state.FileOf(log, fi)
		f.Offset, f.Lines, f.Size = int64(len(data)), int64(bytes.Count(data, []byte("\n"))), int64(len(data))
		st.Commit(f)
		if err := st.Save(); err != nil {
			panic(err)
		}

		fh, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
		fh.WriteString("line 3\n")
		fh.Close()
	}
	// Output:
	// run 1: new, from byte 0, line 1
	// run 2: resume, from byte 14, line 3
}
