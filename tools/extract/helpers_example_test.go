package extract_test

import "github.com/auditlog-go/auditlog/tools/oslolog"

// record parses one log line for the examples.
func record(line string) oslolog.Record {
	r, err := oslolog.ParseLine([]byte(line), nil)
	if err != nil {
		panic(err)
	}
	r.File, r.Line = "compute.log", 1
	return r
}
