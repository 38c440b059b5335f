package logexpand

import (
	"io"

	"github.com/auditlog-go/auditlog/tools/input"
)

// StreamOptions say how a stream of input lines is expanded: the
// [Options] of each line, and what concerns the stream as a whole.
type StreamOptions struct {
	Options

	// Unflatten turns --flatten statements back into compact JSON lines
	// (see [Unflatten]) instead of expanding the lines.
	Unflatten bool

	// Lines, when above 0, keeps only the output of the last Lines input
	// lines that print something, in [Stream.Run]: a line left out by
	// MinLevel or Keys does not count, the pieces of a long line count as
	// one.
	Lines int

	// WithFilename heads each block with the name of its input and a
	// colon, as grep -H does ("(standard input):" for "-").
	WithFilename bool
}

// A Stream expands the lines of an [input.Reader]: their grep prefix,
// grep's "--" separators (dropped under MinLevel, where groups mean
// nothing), and the pieces of lines too long to parse, which pass through
// as they came. It is not safe for concurrent use.
type Stream struct {
	x         *Expander
	u         *unflattener
	minLevel  int
	filenames bool
	lines     int
	header    []byte // scratch for the "name:" and grep prefix of a line
}

// NewStream returns a Stream for o, or an error when o.Keys holds a path
// that is not a dotted name.
func NewStream(o StreamOptions) (*Stream, error) {
	x, err := New(o.Options)
	if err != nil {
		return nil, err
	}
	s := &Stream{x: x, minLevel: o.MinLevel, filenames: o.WithFilename, lines: o.Lines}
	if o.Unflatten {
		var sensitive func([]byte) bool
		if !o.ShowSecrets {
			sensitive = x.sensitive
		}
		s.u = newUnflattener(sensitive)
	}
	return s, nil
}

// Append appends the output for one input line to dst and returns it.
// Under Unflatten a record's JSON line comes only once the record ends:
// with a later line, or with [Stream.End].
func (s *Stream) Append(dst []byte, l *input.Line) []byte {
	x, u := s.x, s.u
	header := s.header[:0]
	if s.filenames && l.Piece <= input.First {
		header = appendSource(header, l.Source)
	}
	switch {
	case l.GroupSep:
		if u != nil {
			dst = u.flush(dst)
		}
		if s.minLevel == 0 { // grep's groups mean nothing once lines are dropped
			dst = append(dst, header...)
			dst = append(dst, "--\n"...)
		}
	case l.Piece != input.Whole:
		// A line too long to hold: as it came (or not at all under
		// --level, since its level cannot be read).
		if u != nil {
			dst = u.flush(dst)
		}
		if s.minLevel > 0 {
			break
		}
		if l.Piece == input.First {
			dst = append(dst, header...)
			dst = append(dst, l.Prefix...)
		}
		dst = x.appendText(dst, l.Text)
		if l.Piece == input.Last {
			dst = append(dst, '\n')
		}
	case u != nil:
		header = append(header, l.Prefix...)
		dst = u.line(dst, header, l.Text)
	default:
		header = append(header, l.Prefix...)
		dst = x.Append(dst, header, l.Text)
	}
	s.header = header
	return dst
}

// End appends what the Stream still holds at the end of the input: under
// Unflatten, the record being rebuilt.
func (s *Stream) End(dst []byte) []byte {
	if s.u != nil {
		dst = s.u.flush(dst)
	}
	return dst
}

// Run expands the lines of r to the end into w, keeping only the last
// Lines of output when asked, and flushes w. It returns the first write
// error; r's own errors are left to r.Err.
func (s *Stream) Run(r *input.Reader, w *Writer) error {
	var tail *ring
	if s.lines > 0 {
		tail = &ring{max: s.lines}
	}
	for {
		l, ok := r.Next()
		if !ok {
			break
		}
		mark := len(w.buf)
		w.buf = s.Append(w.buf, l)
		if tail != nil {
			if l.Piece == input.Whole || l.Piece == input.Last {
				tail.add(w.buf[mark:])
			} else {
				tail.part(w.buf[mark:])
			}
			w.buf = w.buf[:mark]
			continue
		}
		if len(w.buf) >= writeBuf {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
	w.buf = s.End(w.buf)
	if tail != nil {
		w.buf = tail.appendTo(w.buf)
	}
	return w.Flush()
}

const writeBuf = 256 << 10

// A Writer batches output: [Stream.Run] writes one block per 256 KiB, and
// whatever is waiting at each Flush, which the command calls whenever the
// input may make it wait (see input.Options.OnIdle), so that a file is
// written in big blocks and `tail -f x | log-expand` line by line as the
// lines come, and before it prints an input error, to keep the error next
// to the output it interrupts.
type Writer struct {
	out io.Writer
	buf []byte
	err error
}

// NewWriter returns a Writer to out.
func NewWriter(out io.Writer) *Writer {
	return &Writer{out: out, buf: make([]byte, 0, writeBuf+64<<10)}
}

// Flush writes what is waiting. A write error sticks: every later Flush
// returns it and writes nothing.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		_, w.err = w.out.Write(w.buf)
	}
	if cap(w.buf) > 4*writeBuf {
		w.buf = make([]byte, 0, writeBuf+64<<10) // don't keep a huge line's buffer
	} else {
		w.buf = w.buf[:0]
	}
	return w.err
}

func appendSource(dst []byte, name string) []byte {
	if name == "-" {
		name = "(standard input)"
	}
	dst = append(dst, name...)
	return append(dst, ':')
}

// ring keeps the output of the last max input lines, for --lines. A line
// filtered out leaves nothing and does not count; the pieces of a long line
// count as one.
type ring struct {
	max     int
	outs    [][]byte
	next    int
	partial []byte
}

func (r *ring) part(b []byte) { r.partial = append(r.partial, b...) }

func (r *ring) add(b []byte) {
	if len(b) == 0 && len(r.partial) == 0 {
		return
	}
	if len(r.outs) < r.max {
		r.outs = append(r.outs, append(append([]byte(nil), r.partial...), b...))
	} else {
		r.outs[r.next] = append(append(r.outs[r.next][:0], r.partial...), b...)
		r.next = (r.next + 1) % r.max
	}
	r.partial = r.partial[:0]
}

func (r *ring) appendTo(dst []byte) []byte {
	for i := range r.outs {
		dst = append(dst, r.outs[(r.next+i)%len(r.outs)]...)
	}
	return dst
}
