package ingest

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/auditlog-go/auditlog/tools/input"
)

// DefaultMaxLine is the longest line [Lines] hands on: longer than any
// line our handler writes (its default maximum is far below), short
// enough that a client cannot make the server hold a whole body as one
// line.
const DefaultMaxLine = 1 << 20

// ErrLineTooLong is the reason to give for a line [Lines] reported as too
// long (with a nil raw).
var ErrLineTooLong = errors.New("line longer than the limit")

// LinesOptions configures [ReadLines]; nil means the defaults.
type LinesOptions struct {
	// MaxLine bounds a line, its ending not counted; 0 means
	// DefaultMaxLine. A longer line is reported to fn with a nil raw and
	// skipped, never buffered whole.
	MaxLine int
}

// Lines reads r, an NDJSON request body, and calls fn with each line's
// number (from 1) and its bytes, without "\n" or "\r\n". The body may be
// gzip-compressed, whatever Content-Encoding said (gzip is recognised by
// its magic bytes). Empty lines are skipped but counted, so the numbers
// are those a client's editor shows. A line longer than DefaultMaxLine is
// reported as fn(n, nil): the caller rejects it with [ErrLineTooLong] and
// the reading goes on with the next line. raw is valid only during the
// call.
//
// Lines stops at the first error fn returns, and returns it; an error
// reading r (a broken gzip stream) is returned after the lines before it,
// and says after which line it came.
func Lines(r io.Reader, fn func(n int, raw []byte) error) error {
	return ReadLines(r, nil, fn)
}

// ReadLines is [Lines] with options.
func ReadLines(r io.Reader, opts *LinesOptions, fn func(n int, raw []byte) error) error {
	max := DefaultMaxLine
	if opts != nil && opts.MaxLine > 0 {
		max = opts.MaxLine
	}
	rd := input.Open(context.Background(), []string{"-"}, input.Options{Stdin: readerOnly{r}, MaxLine: max})
	defer rd.Close()
	var joined []byte
	for {
		l, ok := rd.Next()
		if !ok {
			break
		}
		n := int(l.Num)
		switch l.Piece {
		case input.First:
			if err := fn(n, nil); err != nil {
				return err
			}
			continue
		case input.Middle, input.Last:
			continue
		}
		raw := rawLine(l, &joined)
		if len(raw) == 0 {
			continue
		}
		if err := fn(n, raw); err != nil {
			return err
		}
	}
	if err := rd.Err(); err != nil {
		var se *input.SourceError
		if errors.As(err, &se) {
			if se.Line > 0 {
				return &ReadError{Line: int(se.Line), Err: se.Err}
			}
			return &ReadError{Err: se.Err}
		}
		return err
	}
	return nil
}

// ReadError is a failure reading a body: after Line whole lines, all
// handed on (0: before the first).
type ReadError struct {
	Line int
	Err  error
}

func (e *ReadError) Error() string {
	if e.Line > 0 {
		return "reading the body after line " + strconv.Itoa(e.Line) + ": " + e.Err.Error()
	}
	return "reading the body: " + e.Err.Error()
}

func (e *ReadError) Unwrap() error { return e.Err }

// readerOnly hides everything but Read, so that the input package never
// takes a body for a file it may stat or follow.
type readerOnly struct{ r io.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

// rawLine is l as the file has it. The reader takes "file:12:" before a
// '{' for grep's prefix; in a line ingest stores (a request body, a
// followed log) it is part of the line. buf holds the join between calls.
func rawLine(l *input.Line, buf *[]byte) []byte {
	if l.Prefix == nil {
		return l.Text
	}
	*buf = append(append((*buf)[:0], l.Prefix...), l.Text...)
	return *buf
}
