package extract

import "github.com/auditlog-go/auditlog/tools/input"

// Stats is what a run read and produced, for the summary at its end.
type Stats struct {
	Files int   // inputs opened
	Lines int64 // physical lines read
	// Records counts the log records (the lines that start one: a
	// record's continuation lines count with it, but oslo.log's per-line
	// traceback lines each start one) and our JSON lines.
	Records int64

	Actions    map[string]int64 // actions emitted, by action name
	Emitted    int64            // all actions emitted
	Unresolved int64            // of which Action is action.Unknown
	// Held counts the actions an incremental run left for the next one:
	// still inside their window at the end of the input.
	Held int64

	// Malformed counts the lines skipped because they are neither a log
	// record, nor a continuation of one, nor one of our JSON lines;
	// MalformedAt lists the first Options.MaxMalformed of them.
	Malformed   int64
	MalformedAt []Malformed

	// Checkpoints gives, per input, how far every line has been fully
	// handled: each action a line before the position contributed to has
	// been passed to emit. An incremental run saves it and the next starts
	// there (Options.Start). It is set by Run; see [Extractor.Checkpoint].
	Checkpoints map[string]input.Position
}

// Malformed is the position of one skipped line.
type Malformed struct {
	Source string
	Line   int64
	Reason string
}

func (s *Stats) malformed(max int, source string, line int64, reason string) {
	s.Malformed++
	if len(s.MalformedAt) < max {
		s.MalformedAt = append(s.MalformedAt, Malformed{source, line, reason})
	}
}
