// Package jsonscan is the one place the module reads and writes JSON text by
// hand: skipping white space and values, finding where a string ends,
// decoding escapes, and escaping strings.
//
// The tools read JSON lines without building values (tools/logline walks a
// line for the fields a template names, tools/logexpand parses it into a
// flat tree, tools/ingest and tools/extract peek at a few keys), and the
// logger writes them without encoding/json. They used to carry their own
// copies of these helpers, which drifted apart in small ways (which bytes
// count as white space, what a bad \u escape becomes). Keeping them here
// gives every reader the same answer for the same bytes.
//
// Escaping is the one place where the tools genuinely differ, because they
// write for different readers: the logger for any JSON reader, log-format
// for byte-for-byte agreement with jq, log-expand for a terminal. Those
// differences are an [Escaper]'s rules, not separate code.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
)

// SkipWS returns the index of the first byte at or after i that is not JSON
// white space (space, tab, newline, carriage return).
func SkipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' { // one test rules out the usual non-space
		if c := b[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			break
		}
		i++
	}
	return i
}

// StringEnd returns the index of the quote that closes the string whose
// contents start at b[i], or -1 when the string is not closed. A backslash
// escapes the byte after it, so `"a\\"` ends at its last quote and `"a\"`
// does not end there.
//
// Most strings of a log line are short (keys, levels, ids), where the call
// into bytes.IndexByte costs more than the search: the first bytes are
// looked at eight at a time, for a quote or a backslash at once, and only a
// longer string is handed to IndexByte.
func StringEnd(b []byte, i int) int {
	if i < 0 || i > len(b) {
		return -1
	}
	start := i
	for end := min(len(b), i+32); i+8 <= end; i += 8 {
		m := quotes(binary.LittleEndian.Uint64(b[i:]))
		if m == 0 {
			continue
		}
		j := i + bits.TrailingZeros64(m)>>3
		if j == start || b[j-1] != '\\' {
			return j
		}
		// A quote after a backslash: escaped or not, the backslashes
		// before it tell, and the rarer case goes the long way.
		return stringEndLong(b, start)
	}
	if i+8 <= len(b) {
		return stringEndLong(b, start)
	}
	for k := i; k < len(b); k++ {
		if b[k] == '"' {
			// The first quote of the tail; the bytes before it may hold
			// backslashes, which stringEndLong weighs from the start.
			if k == start || b[k-1] != '\\' {
				return k
			}
			return stringEndLong(b, start)
		}
	}
	return -1
}

// quotes flags, with its high bit, the bytes of x that are '"'. The lowest
// flagged byte is exactly the first quote (bytes above it may be flagged
// wrongly by a borrow).
func quotes(x uint64) uint64 {
	q := x ^ (ones * '"')
	return (q - ones) & ^q & highs
}

// stringEndLong is StringEnd for a long string: bytes.IndexByte finds each
// quote, and the backslashes before it say whether it is escaped.
func stringEndLong(b []byte, i int) int {
	start := i
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		j += i
		k := j
		for k > start && b[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 {
			return j
		}
		i = j + 1
	}
}

// StringEndString is [StringEnd] for a string.
func StringEndString(s string, i int) int {
	if i > len(s) {
		return -1
	}
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return -1
		}
		j += i
		k := j
		for k > i && s[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 {
			return j
		}
		i = j + 1
	}
}

// SkipValue returns the index just after the JSON value that starts at b[i]
// (i < len(b)), and false when no value starts there or it is cut short.
// It checks only as much as it must to find the end: a number is its run of
// number bytes, a container is skipped by [SkipNested].
func SkipValue(b []byte, i int) (int, bool) {
	switch c := b[i]; {
	case c == '"':
		e := StringEnd(b, i+1)
		return e + 1, e >= 0
	case c == '{' || c == '[':
		return SkipNested(b, i)
	case c == 't':
		return i + 4, bytes.HasPrefix(b[i:], []byte("true"))
	case c == 'f':
		return i + 5, bytes.HasPrefix(b[i:], []byte("false"))
	case c == 'n':
		return i + 4, bytes.HasPrefix(b[i:], []byte("null"))
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && NumberByte[b[j]] {
			j++
		}
		return j, true
	}
	return 0, false
}

// NumberByte marks the bytes a JSON number can hold after its first.
var NumberByte = [256]bool{'0': true, '1': true, '2': true, '3': true, '4': true,
	'5': true, '6': true, '7': true, '8': true, '9': true, '.': true, 'e': true,
	'E': true, '+': true, '-': true}

var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// SkipNested returns the index just after the object or array that starts
// at b[i]. It counts brackets and skips strings; it does not check that
// each bracket closes its own kind, which is enough to step over a value
// nobody asked for.
func SkipNested(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		c := b[i]
		if !structural[c] {
			i++
			continue
		}
		switch c {
		case '"':
			e := StringEnd(b, i+1)
			if e < 0 {
				return 0, false
			}
			i = e + 1
			continue
		case '{', '[':
			depth++
		default:
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
		i++
	}
	return 0, false
}

// Number checks JSON's number grammar at b[i] (-?(0|[1-9][0-9]*)(\.[0-9]+)?
// ([eE][+-]?[0-9]+)?) and returns where the number ends, whether it is an
// integer (no fraction, no exponent), and false when b[i:] does not start
// with a number. Unlike [SkipValue], which only finds an end, it refuses
// what is not a number (01, 1., .5, 1e).
func Number(b []byte, i int) (end int, integer, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		integer = false
		d := digits(b, i+1)
		if d == i+1 {
			return d, false, false
		}
		i = d
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integer = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := digits(b, i)
		if d == i {
			return d, false, false
		}
		i = d
	}
	return i, integer, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// After reads what follows a member or element that ends at b[i] (white
// space allowed): a ',' (more is true; next is just past it), or close
// (more is false; next is just past it). Anything else, or the end of b,
// is not ok. It is small enough to be inlined into the walkers' loops.
func After(b []byte, i int, close byte) (next int, more, ok bool) {
	i = SkipWS(b, i)
	if i < len(b) {
		if c := b[i]; c == ',' || c == close {
			return i + 1, c == ',', true
		}
	}
	return i, false, false
}
