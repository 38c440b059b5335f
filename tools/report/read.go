package report

import (
	"context"
	"fmt"
	"runtime"
	"sync"
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
// each record, in input order; the Record is valid only during the call.
// Errors opening or reading an input are reported through the input
// options' OnError and returned (the first) after the rest was read;
// malformed lines are only counted.
//
// The JSON lines are parsed on every core while fn runs on the one that
// calls ReadFiles: one goroutine reads lines into batches, workers parse
// the JSON lines of a batch into records, and this goroutine hands them
// to fn batch by batch in order, text records through the Grouper as
// before, so the result is the same as one pass on one core (and with
// GOMAXPROCS=1 it is one core).
func (rd *Reader) ReadFiles(ctx context.Context, names []string, fn func(*Record)) error {
	in := input.Open(ctx, names, rd.opts.Input)
	defer in.Close()
	maxLine := rd.opts.Input.MaxLine
	if maxLine == 0 {
		maxLine = input.DefaultMaxLine
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	free := make(chan *batch, workers+2)
	for range workers + 2 {
		free <- new(batch)
	}
	toParse := make(chan *batch, workers+2)
	inOrder := make(chan *batch, workers+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range toParse {
				b.parse()
				close(b.done)
			}
		}()
	}
	go func() { // the producer: lines into batches
		defer close(inOrder)
		defer close(toParse)
		b := <-free
		b.reset()
		send := func() {
			toParse <- b
			inOrder <- b
			b = <-free
			b.reset()
		}
		for {
			l, ok := in.Next()
			if !ok {
				break
			}
			b.add(l, maxLine)
			if b.full() {
				send()
			}
		}
		send()
	}()
	for b := range inOrder {
		<-b.done
		rd.consume(b, fn)
		free <- b
	}
	wg.Wait()
	rd.flush(fn)
	return in.Err()
}

// batch is a run of input lines, copied out of the reader's buffer so
// that workers can parse them while the reader goes on.
type batch struct {
	buf   []byte
	items []item
	recs  []Record
	vals  slots    // the walk's slots, reused line after line
	day   dayCache // the last date read
	done  chan struct{}
}

type item struct {
	kind     uint8 // itemJSON, itemText, itemLong, itemSkip
	src      string
	num      int64
	from, to int
	ok       bool   // JSON: parsed into recs[i]
	reason   string // JSON: why not
}

const (
	itemSkip = iota // a piece of a long line, an empty line, grep's "--": counted only
	itemJSON
	itemText
	itemLong // the first piece of a line longer than MaxLine
)

const (
	batchLines = 2048
	batchBytes = 1 << 20
)

func (b *batch) reset() {
	b.buf, b.items = b.buf[:0], b.items[:0]
	b.done = make(chan struct{})
}

func (b *batch) full() bool { return len(b.items) >= batchLines || len(b.buf) >= batchBytes }

func (b *batch) add(l *input.Line, maxLine int) {
	it := item{kind: itemSkip, src: l.Source, num: l.Num}
	switch {
	case l.Piece == input.First:
		it.kind = itemLong
	case l.Piece != input.Whole:
		return // counted with its first piece
	case l.GroupSep || len(l.Text) == 0:
	case input.StartsJSON(l.Text):
		it.kind = itemJSON
	default:
		it.kind = itemText
	}
	if it.kind == itemJSON || it.kind == itemText {
		it.from = len(b.buf)
		b.buf = append(b.buf, l.Text...)
		it.to = len(b.buf)
	}
	b.items = append(b.items, it)
}

func (b *batch) parse() {
	if cap(b.recs) < len(b.items) {
		b.recs = make([]Record, len(b.items))
	}
	b.recs = b.recs[:len(b.items)]
	for i := range b.items {
		it := &b.items[i]
		if it.kind != itemJSON {
			continue
		}
		r := &b.recs[i]
		r.Source, r.Line = it.src, it.num
		it.ok, it.reason = parseJSONInto(b.buf[it.from:it.to], r, &b.vals, &b.day)
	}
}

// consume hands a parsed batch on, in order, as the single-core loop did.
func (rd *Reader) consume(b *batch, fn func(*Record)) {
	for i := range b.items {
		it := &b.items[i]
		rd.stats.Lines++
		switch it.kind {
		case itemLong:
			rd.malformed(it.src, it.num, fmt.Sprintf("line longer than %d bytes", rd.maxLine()))
		case itemJSON:
			if it.ok {
				rd.stats.Records++
				fn(&b.recs[i])
				continue
			}
			if rd.textIn != it.src {
				rd.malformed(it.src, it.num, it.reason)
				continue
			}
			rd.addText(it.src, it.num, b.buf[it.from:it.to], fn)
		case itemText:
			rd.addText(it.src, it.num, b.buf[it.from:it.to], fn)
		}
	}
}

func (rd *Reader) maxLine() int {
	if rd.opts.Input.MaxLine == 0 {
		return input.DefaultMaxLine
	}
	return rd.opts.Input.MaxLine
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
