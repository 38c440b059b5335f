package extract

import (
	"bytes"
	"context"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logline"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// Run extracts the actions of the named inputs (files, plain or gzip, or
// "-" for standard input; none means standard input) and passes each to
// emit. The inputs are read side by side and their records merged by time,
// so that the lines of nova-api, nova-compute and the other services meet
// within the window. At the end of the input every action is emitted,
// unless opts.Incremental is set.
//
// An input that cannot be read does not stop the others: its error goes to
// opts.Input.OnError. The error Run returns is emit's, or ctx's. The
// returned Stats hold the checkpoints to save for an incremental run.
func Run(ctx context.Context, names []string, opts Options, emit func(action.Action) error) (Stats, error) {
	e := New(opts, emit)
	err := e.ReadFiles(ctx, names)
	st := e.Stats()
	st.Checkpoints = e.Checkpoint()
	return st, err
}

// ReadFiles reads the named inputs into the extractor as [Run] does, and
// then flushes it (finally, unless Options.Incremental). The command uses
// it rather than Run when it wants [Extractor.Checkpoint] between batches.
func (e *Extractor) ReadFiles(ctx context.Context, names []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if len(names) == 0 {
		names = []string{"-"}
	}
	e.stats.Files += len(names)
	curs := make([]*cursor, 0, len(names))
	for _, name := range names {
		in := e.opts.Input
		in.Follow = false
		in.Start = nil
		if p, ok := e.opts.Start[name]; ok {
			in.Start = map[string]input.Position{name: p}
			if p.Line > 0 {
				e.pos[e.intern(name)] = p
			}
		}
		c := &cursor{e: e, name: e.intern(name), rd: input.Open(ctx, []string{name}, in), last: in.Start[name]}
		defer c.rd.Close()
		c.fill()
		curs = append(curs, c)
	}
	for n := 0; ; n++ {
		if n&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		// The cursor whose next item is earliest; items with no time go
		// first. There are few inputs, so a scan beats a heap.
		var best *cursor
		for _, c := range curs {
			if len(c.ready) == 0 {
				continue
			}
			if best == nil || c.ready[0].t.Before(best.ready[0].t) {
				best = c
			}
		}
		if best == nil {
			break
		}
		it := &best.ready[0]
		var err error
		switch it.kind {
		case itemSkip:
			if !it.orphan {
				e.stats.Records++
			}
			err = e.Advance(best.name, it.end, it.t)
		case itemRecord:
			err = e.AddRecordAt(&it.rec, it.start, it.end)
		case itemJSON:
			err = e.AddJSONAt(best.name, it.line, it.json, it.start, it.end)
		}
		if err != nil {
			return err
		}
		best.ready[0] = item{}
		best.ready = best.ready[1:]
		if len(best.ready) == 0 {
			best.ready = best.buf[:0]
			best.fill()
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.Flush(!e.opts.Incremental)
}

// Kinds of items a cursor hands out.
const (
	itemSkip   = iota // a record that cannot matter: only its time and end count
	itemRecord        // a text record worth parsing, parsed
	itemJSON          // one of our JSON request lines
)

// item is one record of an input, complete with its continuation lines.
type item struct {
	kind  int
	t     time.Time // zero when unknown
	start int64     // offset of its first byte
	line  int64
	end   input.Position // after its last line
	rec   oslolog.Record
	json  []byte
	// orphan marks a line that is no record and follows none (the shell
	// trace at the top of a screen log): counted as malformed.
	orphan bool
}

// Bounds on the continuation lines kept for a parsed record: an XML body
// needs its first line or two, nothing needs a whole traceback.
const (
	maxExtraLines = 8
	maxExtraBytes = 64 << 10
)

// cursor reads one input one record ahead.
type cursor struct {
	e        *Extractor
	name     string
	rd       *input.Reader
	ready    []item // complete items, in order (at most two)
	buf      [2]item
	cur      item // the record being read: its continuation lines may follow
	open     bool // cur holds a record
	done     bool
	last     input.Position // after the last line read
	stamp    stampCache
	headVals [][]byte // headFields' slots, reused
}

// fill reads until at least one item is complete, or the input ends.
func (c *cursor) fill() {
	if c.ready == nil {
		c.ready = c.buf[:0]
	}
	for len(c.ready) == 0 && !c.done {
		l, ok := c.rd.Next()
		if !ok {
			c.done = true
			c.complete()
			return
		}
		c.line(l)
	}
}

// complete moves the record being read to the ready items.
func (c *cursor) complete() {
	if c.open {
		c.ready = append(c.ready, c.cur)
		c.cur = item{}
		c.open = false
	}
}

// line takes one physical line.
func (c *cursor) line(l *input.Line) {
	e := c.e
	e.stats.Lines++
	start := c.last.Offset
	c.last = input.Position{Offset: l.Offset, Line: l.Num}
	if l.Piece == input.Middle || l.Piece == input.Last {
		if c.open {
			c.cur.end = c.last
		}
		return
	}
	text := l.Text
	if l.IsJSONObject() || l.Piece == input.First && len(text) > 0 && text[0] == '{' {
		if h, ours := c.head(l, text); ours {
			// One of our lines: a record of its own.
			c.complete()
			it := item{kind: itemSkip, start: start, line: l.Num, end: c.last}
			if h.request {
				it.kind = itemJSON
				it.t = h.time
				it.json = bytes.Clone(text)
			}
			c.ready = append(c.ready, it)
			return
		}
	}
	if t, interesting, ok := c.scan(text); ok {
		if interesting {
			if rec, err := oslolog.ParseLine(text, e.opts.Location); err == nil {
				c.complete()
				rec.File, rec.Line, rec.Lines = c.name, l.Num, 1
				if rec.Source == "" {
					rec.Source = c.name
				}
				c.cur = item{kind: itemRecord, t: rec.Time, start: start, line: l.Num, end: c.last, rec: rec}
				c.open = true
				return
			}
			// Not a record after all: a continuation, as the Grouper has it.
		} else {
			c.complete()
			c.cur = item{kind: itemSkip, t: t, start: start, line: l.Num, end: c.last}
			c.open = true
			return
		}
	}
	if !c.open {
		e.stats.malformed(e.opts.MaxMalformed, c.name, l.Num, "no log record before it")
		c.ready = append(c.ready, item{kind: itemSkip, start: start, line: l.Num, end: c.last, orphan: true})
		return
	}
	c.cur.end = c.last
	if c.cur.kind == itemRecord {
		r := &c.cur.rec
		r.Lines++
		if len(r.Extra) < maxExtraLines && len(text) <= maxExtraBytes {
			r.Extra = append(r.Extra, string(text))
		} else {
			r.Dropped++
		}
	}
}

// scan is the fast look at a line: whether it starts a record (ok), its
// time, and whether it may matter to the extractor's mode (interesting),
// so that the others are never parsed. A record matters when its level
// can carry evidence (not TRACE, ERROR or CRITICAL) and it holds one of the
// substrings every recognised message has.
func (c *cursor) scan(b []byte) (t time.Time, interesting, ok bool) {
	i := stampAt(b)
	if i < 0 {
		return t, false, false
	}
	t, n := c.stamp.parse(b[i:], c.e.opts.Location)
	rest := b[i+n:]
	// An optional process id, then the level.
	rest = bytes.TrimLeft(rest, " ")
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	if j > 0 {
		rest = bytes.TrimLeft(rest[j:], " ")
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return t, false, true
	}
	level := rest[:sp]
	rest = rest[sp+1:]
	switch string(level) {
	case "INFO", "AUDIT":
		if mutatingAccess(rest) {
			return t, true, true
		}
		if c.e.mode.Name != action.ModeVM {
			return t, false, true
		}
		return t, bytes.Contains(rest, instanceTag) || bytes.Contains(rest, receivedToken), true
	case "DEBUG", "WARNING":
		if c.e.mode.Name != action.ModeVM {
			return t, false, true
		}
		return t, bytes.Contains(rest, instanceTag) || bytes.Contains(rest, boundMethod) ||
			bytes.Contains(rest, actionDebug) || bytes.Contains(rest, receivedToken), true
	}
	return t, false, true
}

var (
	instanceTag   = []byte("[instance: ")
	receivedToken = []byte("Received Token: ")
	boundMethod   = []byte("bound method ")
	actionDebug   = []byte("Action: 'action'")
)

// mutatingAccess is the cheap test for an access line of a request that
// may change something: its first quote opens a POST, PUT, PATCH or
// DELETE.
func mutatingAccess(b []byte) bool {
	q := bytes.IndexByte(b, '"')
	if q < 0 || q+1 >= len(b) {
		return false
	}
	return b[q+1] == 'P' || b[q+1] == 'D'
}

// stampAt returns where the timestamp of a record's first line starts: at
// 0, or after the file name Loghub puts first; -1 for a line that starts
// no record.
func stampAt(b []byte) int {
	if isStamp(b) {
		return 0
	}
	if len(b) == 0 || b[0] >= '0' && b[0] <= '9' {
		return -1
	}
	sp := bytes.IndexByte(b[:min(len(b), 256)], ' ')
	if sp > 0 && isStamp(b[sp+1:]) {
		return sp + 1
	}
	return -1
}

// isStamp reports whether b starts with "YYYY-MM-DD HH:MM:SS".
func isStamp(b []byte) bool {
	if len(b) < 19 {
		return false
	}
	for i, c := range b[:19] {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != ' ' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// stampCache parses timestamps, reusing the last second's: the lines of a
// log come many to a second, and time.Date in a zone is the costly part.
type stampCache struct {
	sec  [19]byte
	t    time.Time
	loc  *time.Location
	have bool
}

// parse reads "YYYY-MM-DD HH:MM:SS[.,fraction]" (isStamp holds) and
// returns the time and the bytes read.
func (s *stampCache) parse(b []byte, loc *time.Location) (time.Time, int) {
	if !s.have || s.loc != loc || !bytes.Equal(s.sec[:], b[:19]) {
		num := func(i, n int) int {
			v := 0
			for _, c := range b[i : i+n] {
				v = v*10 + int(c-'0')
			}
			return v
		}
		s.t = time.Date(num(0, 4), time.Month(num(5, 2)), num(8, 2), num(11, 2), num(14, 2), num(17, 2), 0, loc)
		copy(s.sec[:], b[:19])
		s.loc, s.have = loc, true
	}
	n := 19
	var frac, scale int64 = 0, 1e9
	if n < len(b) && (b[n] == '.' || b[n] == ',') {
		n++
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			if scale > 1 {
				scale /= 10
				frac += int64(b[n]-'0') * scale
			}
			n++
		}
	}
	return s.t.Add(time.Duration(frac)), n
}

// headFields are the top-level keys that tell one of our JSON lines
// (schema_version), whether it is a served request (kind) and when
// (timestamp). They are read with the field walker, which sees only the
// top level: a key of the same name inside attrs ("attrs":{"timestamp":…})
// must not pass for the line's own — keys are sorted, so it would come
// first.
var headFields = func() *logline.Fields {
	f := logline.NewFields()
	f.Add("schema_version")
	f.Add("kind")
	f.Add("timestamp")
	return f
}()

// head is what headFields tell about a line.
type head struct {
	request bool      // kind is "request"
	time    time.Time // zero when absent or not RFC 3339
}

// head reads a JSON-looking line's head. ours is false for a line that is
// not one of our audit lines (no top-level schema_version), which is then
// read as text; a piece of a line too long to hold is ours, but never a
// request, when it carries the key at all.
func (c *cursor) head(l *input.Line, text []byte) (h head, ours bool) {
	if !bytes.Contains(text, []byte(`"schema_version":`)) {
		return h, false // the cheap test first: most lines are text
	}
	if l.Piece != input.Whole {
		return h, true
	}
	if c.headVals == nil {
		c.headVals = make([][]byte, headFields.Len())
	}
	if !headFields.Extract(text, c.headVals) || c.headVals[0] == nil {
		return h, false
	}
	h.request = string(c.headVals[1]) == `"`+auditlog.KindRequest.String()+`"`
	if v := c.headVals[2]; len(v) > 2 && v[0] == '"' {
		if t, err := time.Parse(time.RFC3339Nano, string(v[1:len(v)-1])); err == nil {
			h.time = t
		}
	}
	return h, true
}
