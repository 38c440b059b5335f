package report

import (
	"context"
	"fmt"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// DefaultMaxMalformed is how many malformed lines a [Reader] lists; all
// are counted.
const DefaultMaxMalformed = 20

// ReadOptions configures a [Reader]; the zero value reads UTC text logs
// with the input package's defaults.
type ReadOptions struct {
	Location     *time.Location // zone of oslo.log text timestamps (written without one); nil: UTC
	Input        input.Options  // Stdin, MaxLine, OnError…
	MaxMalformed int            // malformed lines listed; 0: DefaultMaxMalformed, negative: none
}

// Malformed is a line the report could not read, and why.
type Malformed struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

// ReadStats counts what a [Reader] read.
type ReadStats struct {
	Lines       int64       `json:"lines"`     // physical lines (events, for a store)
	Records     int64       `json:"records"`   // records handed to the analyses
	Malformed   int64       `json:"malformed"` // lines that were none of the formats
	MalformedAt []Malformed `json:"malformed_at,omitempty"`
}

// Reader turns inputs into [Record]s: files or standard input (each line
// detected as JSON, ours or oslo.log's, or as oslo.log text), or a store.
type Reader struct {
	opts  ReadOptions
	stats ReadStats
	g     *oslolog.Grouper
	rec   Record
	// textIn is the input whose lines last started a text record: a JSON
	// line that does not parse there continues that record (a body logged
	// on its own line) instead of being malformed.
	textIn string
}

// NewReader returns a Reader; see [ReadOptions].
func NewReader(opts ReadOptions) *Reader {
	if opts.MaxMalformed == 0 {
		opts.MaxMalformed = DefaultMaxMalformed
	}
	return &Reader{opts: opts, g: oslolog.NewGrouper(&oslolog.GrouperOptions{Location: opts.Location, MaxExtraLines: 200, MaxExtraBytes: 64 << 10})}
}

// Stats returns what was read so far.
func (rd *Reader) Stats() ReadStats { return rd.stats }

func (rd *Reader) malformed(src string, line int64, reason string) {
	rd.stats.Malformed++
	if len(rd.stats.MalformedAt) < rd.opts.MaxMalformed {
		rd.stats.MalformedAt = append(rd.stats.MalformedAt, Malformed{Source: src, Line: line, Reason: reason})
	}
}

// ReadFiles reads names (standard input for none or "-") and calls fn with
// each record; the Record is valid only during the call. Errors opening
// or reading an input are reported through the input options' OnError and
// returned (the first) after the rest was read; malformed lines are only
// counted.
func (rd *Reader) ReadFiles(ctx context.Context, names []string, fn func(*Record)) error {
	in := input.Open(ctx, names, rd.opts.Input)
	defer in.Close()
	maxLine := rd.opts.Input.MaxLine
	if maxLine == 0 {
		maxLine = input.DefaultMaxLine
	}
	for {
		l, ok := in.Next()
		if !ok {
			break
		}
		switch l.Piece {
		case input.First:
			rd.stats.Lines++
			rd.malformed(l.Source, l.Num, fmt.Sprintf("line longer than %d bytes", maxLine))
			continue
		case input.Middle, input.Last:
			continue
		}
		rd.stats.Lines++
		if l.GroupSep {
			continue
		}
		text := l.Text
		if len(text) == 0 {
			continue
		}
		if isJSONStart(text) {
			rd.rec.Source, rd.rec.Line = l.Source, l.Num
			ok, reason := parseJSON(text, &rd.rec)
			if ok {
				rd.stats.Records++
				fn(&rd.rec)
				continue
			}
			if rd.textIn != l.Source {
				rd.malformed(l.Source, l.Num, reason)
				continue
			}
		}
		rd.addText(l.Source, l.Num, text, fn)
	}
	rd.flush(fn)
	return in.Err()
}

func isJSONStart(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

func (rd *Reader) addText(src string, num int64, text []byte, fn func(*Record)) {
	before := rd.g.Stats()
	rec, done := rd.g.Add(src, num, text)
	after := rd.g.Stats()
	if done {
		rd.emitText(src, &rec, fn)
	}
	switch {
	case after.Malformed > before.Malformed:
		reason := "not a log line: no oslo.log record before it in this input"
		if _, err := oslolog.ParseLine(text, nil); err != nil {
			reason += " (" + err.Error() + ")"
		}
		rd.malformed(src, num, reason)
	case after.Continued == before.Continued:
		rd.textIn = src // it starts a record
	}
}

func (rd *Reader) emitText(src string, rec *oslolog.Record, fn func(*Record)) {
	rd.rec.Source = src
	fromText(rec, &rd.rec)
	rd.stats.Records++
	fn(&rd.rec)
}

func (rd *Reader) flush(fn func(*Record)) {
	if rec, ok := rd.g.Flush(); ok {
		rd.emitText(rec.File, &rec, fn)
	}
	rd.textIn = ""
}

// ReadStore walks every event of a log-serve store in store order, a page
// at a time, and calls fn with each record. Lines are events; an event
// whose line cannot be read (it was stored, so this is rare) is counted
// as malformed with its Seq as its line.
func (rd *Reader) ReadStore(ctx context.Context, st events.Store, name string, fn func(*Record)) error {
	const page = 1000
	var seq int64
	q := events.Query{Scope: events.Scope{All: true}}
	for {
		evs, err := st.Since(ctx, seq, q, page)
		if err != nil {
			return err
		}
		for i := range evs {
			ev := &evs[i]
			seq = ev.Seq
			rd.stats.Lines++
			rd.fromEvent(ev, name, fn)
		}
		if len(evs) < page {
			return nil
		}
	}
}

func (rd *Reader) fromEvent(ev *events.Event, name string, fn func(*Record)) {
	rd.rec.Source, rd.rec.Line = name, ev.Seq
	switch ev.Format {
	case events.FormatOsloText:
		lines := splitLines(ev.Raw)
		rec, err := oslolog.ParseLine(lines[0], rd.opts.Location)
		if err != nil {
			rd.malformed(name, ev.Seq, err.Error())
			return
		}
		for _, x := range lines[1:] {
			rec.Extra = append(rec.Extra, string(x))
		}
		rec.Line = ev.Seq
		fromText(&rec, &rd.rec)
	default:
		if ok, reason := parseJSON(ev.Raw, &rd.rec); !ok {
			rd.malformed(name, ev.Seq, reason)
			return
		}
	}
	rd.stats.Records++
	fn(&rd.rec)
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for {
		i := indexByte(b, '\n')
		if i < 0 {
			return append(out, b)
		}
		out = append(out, b[:i])
		b = b[i+1:]
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
