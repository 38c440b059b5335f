package input

import (
	"io"
	"strconv"
	"time"
)

// Options configures [Open]. The zero value reads each name once with the
// default limits.
type Options struct {
	// Follow keeps polling for new data at the end of the input, like
	// tail -F: a file that shrank is read again from the start, and a path
	// that now names another file (log rotation) is reopened.
	Follow bool

	// PollInterval is how often Follow looks for growth; 0 means 250ms.
	PollInterval time.Duration

	// MaxLine bounds the memory one line may take; 0 means 64 MiB. A longer
	// line is delivered in pieces (see [Piece]), never buffered whole.
	MaxLine int

	// Stdin is read for the name "-" and when no names are given; nil means
	// os.Stdin. Tests set it to fake standard input.
	Stdin io.Reader

	// OnError, if not nil, is called with each input error as it happens,
	// so a tool can print it in order with its output. Each error is a
	// [*SourceError].
	OnError func(error)

	// OnIdle, if not nil, is called before each read from an input and
	// before each Follow poll: whenever the Reader may have to wait. A tool
	// that buffers its output flushes it here, so that `tail -f x | tool`
	// shows each line as it comes, while a file read at full speed still
	// gets one write per buffer rather than one per line.
	OnIdle func()

	// Start gives, per name, where to start reading it: a checkpoint an
	// earlier run saved from [Line.Offset] and [Line.Num]. Reading starts
	// Offset bytes into the name's stream (for gzip, into the decompressed
	// stream), and line numbers go on from Line. A start past the end reads
	// nothing. Names not in it, and a position of zero, read from the
	// start. The caller checks first that the file is still the one the
	// position was taken on.
	Start map[string]Position
}

// Position is a place in an input: Offset bytes into its stream (for gzip,
// the decompressed stream), after Line whole lines.
type Position struct {
	Offset int64
	Line   int64
}

// Default limits used when the [Options] fields are zero.
const (
	DefaultPollInterval = 250 * time.Millisecond
	DefaultMaxLine      = 64 << 20
)

// Piece tells whether a [Line] is a whole line or part of a line longer than
// [Options.MaxLine]. Consumers that cannot parse a partial line can pass the
// pieces through unchanged, writing the line ending only after [Last].
type Piece uint8

const (
	Whole  Piece = iota // an ordinary line
	First               // first piece of a line longer than MaxLine
	Middle              // neither first nor last piece of a long line
	Last                // last piece of a long line
)

// String returns the name of the constant, for test failures.
func (p Piece) String() string {
	switch p {
	case Whole:
		return "Whole"
	case First:
		return "First"
	case Middle:
		return "Middle"
	case Last:
		return "Last"
	}
	return "Piece(" + strconv.Itoa(int(p)) + ")"
}

// Line is one line of input, or one piece of a long line. Its byte slices
// point into the [Reader]'s buffer and are valid only until the next call to
// [Reader.Next]; copy them to keep them.
type Line struct {
	// Source is the name as given to [Open]; "-" for standard input.
	Source string

	// Num is the 1-based line number in Source. Pieces of one long line
	// share a number.
	Num int64

	// Prefix is grep's prefix as it appeared, including its trailing ':'
	// or '-' ("api.log:", "api.log:12:", "12:", "api.log-12-"), or nil when
	// there is none. Only a line's first (or whole) piece has one.
	Prefix []byte

	// Text is the line after the prefix, without "\n" or "\r\n".
	Text []byte

	// GroupSep is set when the line is grep's "--" group separator; Text
	// is then "--" and Prefix nil.
	GroupSep bool

	// Piece tells whether this is a whole line or a piece of a long one.
	Piece Piece

	// Offset is the byte offset just after the line and its ending in
	// Source's stream (for gzip, the decompressed stream), counted from
	// the start of the file even when reading began at [Options.Start]. A
	// checkpoint {Offset, Num} resumes at the next line. It restarts at 0
	// with the file when Follow reopens a rotated or truncated one.
	Offset int64
}

// StartsJSON reports whether text, after spaces or tabs, begins with '{':
// the test by which a reader of logs that mix JSON lines and oslo.log text
// records decides which parser a line goes to. Unlike [Line.IsJSONObject]
// it does not ask for the closing '}', so that a JSON line cut short is
// reported as a malformed JSON line rather than read as text.
func StartsJSON(text []byte) bool {
	for _, c := range text {
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

// IsJSONObject is a cheap test for whether Text is worth handing to a JSON
// parser: after an optional UTF-8 byte order mark and spaces or tabs it
// starts with '{', and before trailing spaces or tabs it ends with '}'. It
// is false for pieces of long lines, which cannot be parsed on their own.
func (l *Line) IsJSONObject() bool {
	if l.Piece != Whole {
		return false
	}
	t := l.Text
	if len(t) >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF {
		t = t[3:]
	}
	i := 0
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	j := len(t)
	for j > i && (t[j-1] == ' ' || t[j-1] == '\t') {
		j--
	}
	return j-i >= 2 && t[i] == '{' && t[j-1] == '}'
}
