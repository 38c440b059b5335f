package oslolog

import (
	"slices"
	"time"

	"github.com/auditlog-go/auditlog/tools/input"
)

// Default limits of a [Grouper], used when the [GrouperOptions] fields are
// zero.
const (
	DefaultMaxExtraLines = 1000
	DefaultMaxExtraBytes = 1 << 20
	// MaxMalformedRanges bounds [Stats.MalformedAt].
	MaxMalformedRanges = 100
)

// GrouperOptions configures [NewGrouper]. Nil or the zero value means UTC
// and the default limits.
type GrouperOptions struct {
	// Location is the zone the timestamps are read in (oslo.log writes
	// local time without a zone); nil means UTC.
	Location *time.Location

	// MaxExtraLines and MaxExtraBytes bound the continuation lines kept in
	// one record's Extra; the lines past either limit are counted in
	// [Record.Dropped] and left out, so a runaway body cannot take all the
	// memory. 0 means the defaults, 1000 lines and 1 MiB. A negative
	// value keeps no continuation lines at all (they are still counted),
	// which doubles the speed on logs full of tracebacks when the caller
	// needs only the first lines.
	MaxExtraLines int
	MaxExtraBytes int
}

// Stats counts what a [Grouper] has seen.
type Stats struct {
	Lines   int64 // lines given to Add or AddLine
	Records int64 // records returned
	// Continued counts the lines that went to the record before them,
	// Joined and Dropped included.
	Continued int64
	// Joined counts the lines that parse on their own but carry the
	// prefix of the record before them: its exception, written by
	// oslo.log one line at a time (see [Grouper]).
	Joined int64
	// Dropped counts the continuation lines left out of Extra by the
	// limits.
	Dropped int64
	// Malformed counts the lines skipped because no record came before
	// them in their file, and MalformedAt holds where they are, as the
	// first [MaxMalformedRanges] runs of consecutive lines.
	Malformed   int64
	MalformedAt []LineRange
}

// LineRange is a run of lines of one file, From to To inclusive.
type LineRange struct {
	File     string
	From, To int64
}

// Grouper joins the physical lines of oslo.log files into records. Give it
// the lines of each file in order, with [Grouper.Add] or
// [Grouper.AddLine]; each call returns the record that the line completed,
// if any, and [Grouper.Flush] returns the last one.
//
// A line that starts a record (see [ParseLine]) starts a new one, and any
// other line (a traceback line, a line of a body or of an XML document)
// goes to Extra of the record before it. Lines before the first record of a
// file have no record to go to: they are counted as malformed, with their
// positions, in [Stats], and skipped.
//
// Tracebacks. oslo.log writes an exception one line at a time, each with
// the prefix of its record but no request context:
//
//	2015-11-13 03:22:26.973 16482 ERROR nova.api.openstack [req-31ac… e75f… d819… - - -] Caught error: …
//	2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack Traceback (most recent call last):
//	2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack   File "…/nova/api/openstack/__init__.py", line 125, in __call__
//
// (newer releases write ERROR where older ones wrote TRACE, and add
// "[instance: …]" when the record has one). Such lines parse as records of
// their own, but because the prefix is formatted from the same Python log
// record, its timestamp, to the millisecond, its process id and its logger
// name are those of the record. So a line that parses, has no request
// context, and has the same timestamp text, process id, logger and Loghub
// file name as the record before it is joined to that record: it goes to
// Extra, as written, and is counted in [Stats.Joined]. Any other line that
// parses starts a record, including a traceback line whose record is not
// right before it (when processes writing to one file interleave their
// lines): that one becomes a record with no context, usually of level
// TRACE or ERROR.
//
// A record ends when the next one starts, when the lines of another file
// begin, or at Flush; a line of the same file that continues it after Flush
// is counted as malformed. A Grouper is not safe for concurrent use.
type Grouper struct {
	loc      *time.Location
	maxLines int
	maxBytes int

	file  string // the file of the lines being read
	has   bool   // a record is open
	head  string // its first line
	hdr   header // and that line parsed
	num   int64  // its line number
	extra []byte // its continuation lines, one after the other
	ends  []int  // where each one ends in extra
	drop  int    // continuation lines left out

	stats Stats
}

// NewGrouper returns a Grouper; nil options mean UTC and the default
// limits.
func NewGrouper(opts *GrouperOptions) *Grouper {
	g := &Grouper{loc: time.UTC, maxLines: DefaultMaxExtraLines, maxBytes: DefaultMaxExtraBytes}
	if opts != nil {
		if opts.Location != nil {
			g.loc = opts.Location
		}
		if opts.MaxExtraLines > 0 {
			g.maxLines = opts.MaxExtraLines
		}
		if opts.MaxExtraBytes > 0 {
			g.maxBytes = opts.MaxExtraBytes
		}
		if opts.MaxExtraLines < 0 || opts.MaxExtraBytes < 0 {
			g.maxLines = 0
		}
	}
	return g
}

// AddLine adds a line from an [input.Reader]. Only Text counts (a grep
// prefix is not part of a record). A line longer than the reader's MaxLine
// arrives in pieces: the first counts as the whole line and the others are
// ignored. grep's "--" group separator ends the record before it.
func (g *Grouper) AddLine(l *input.Line) (Record, bool) {
	switch {
	case l.GroupSep:
		g.stats.Lines++
		return g.Flush()
	case l.Piece == input.Middle || l.Piece == input.Last:
		return Record{}, false
	}
	return g.Add(l.Source, l.Num, l.Text)
}

// Add adds line number num of file, without its line ending; text is not
// kept after the call. It returns the record the line completed, if any:
// the one before it, when the line starts a record or is the first of
// another file.
func (g *Grouper) Add(file string, num int64, text []byte) (Record, bool) {
	g.stats.Lines++
	var done Record
	var ok bool
	if file != g.file {
		done, ok = g.Flush()
		g.file = file
	}
	var h header
	err := h.scan(text)
	switch {
	case err != nil && !g.has:
		g.malformed(num)
	case err != nil:
		g.addExtra(text[:h.end])
	case !h.hasCtx && g.has && g.continues(&h, text):
		g.stats.Joined++
		g.addExtra(text[:h.end])
	default:
		if g.has {
			done, ok = g.emit()
		}
		g.has = true
		g.head = string(text[:h.end])
		g.hdr = h
		g.num = num
	}
	return done, ok
}

// Flush returns the record being read, if any, and ends it. Call it at the
// end of the input.
func (g *Grouper) Flush() (Record, bool) {
	if !g.has {
		return Record{}, false
	}
	return g.emit()
}

// Stats returns the counts so far.
func (g *Grouper) Stats() Stats {
	s := g.stats
	s.MalformedAt = slices.Clone(s.MalformedAt)
	return s
}

// continues tells whether the line h of text carries the prefix of the open
// record: the lines of its exception.
func (g *Grouper) continues(h *header, text []byte) bool {
	return h.pid == g.hdr.pid &&
		string(h.ts.of(text)) == g.hdr.ts.in(g.head) &&
		string(h.logger.of(text)) == g.hdr.logger.in(g.head) &&
		string(h.src.of(text)) == g.hdr.src.in(g.head)
}

func (g *Grouper) addExtra(line []byte) {
	g.stats.Continued++
	if len(g.ends) >= g.maxLines || len(g.extra)+len(line) > g.maxBytes {
		g.drop++
		g.stats.Dropped++
		return
	}
	g.extra = append(g.extra, line...)
	g.ends = append(g.ends, len(g.extra))
}

func (g *Grouper) malformed(num int64) {
	g.stats.Malformed++
	at := g.stats.MalformedAt
	if n := len(at); n > 0 && at[n-1].File == g.file && at[n-1].To == num-1 {
		at[n-1].To = num
		return
	}
	if len(at) < MaxMalformedRanges {
		g.stats.MalformedAt = append(at, LineRange{File: g.file, From: num, To: num})
	}
}

// emit returns the open record and closes it.
func (g *Grouper) emit() (Record, bool) {
	var r Record
	g.hdr.fill(&r, g.head, g.loc)
	r.File = g.file
	if r.Source == "" {
		r.Source = g.file
	}
	r.Line = g.num
	if len(g.ends) > 0 {
		s := string(g.extra)
		r.Extra = make([]string, len(g.ends))
		from := 0
		for i, to := range g.ends {
			r.Extra[i] = s[from:to]
			from = to
		}
	}
	r.Dropped = g.drop
	r.Lines = 1 + len(r.Extra) + r.Dropped
	g.has, g.head, g.hdr, g.num, g.drop = false, "", header{}, 0, 0
	g.extra, g.ends = g.extra[:0], g.ends[:0]
	g.stats.Records++
	return r, true
}
