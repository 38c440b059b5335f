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
// contents start at b[i], or -1 when the string is not closed. It counts
// the backslashes before each quote, so `"a\\"` ends at its last quote and
// `"a\"` does not end there.
func StringEnd(b []byte, i int) int {
	if i > len(b) {
		return -1
	}
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		j += i
		k := j
		for k > i && b[k-1] == '\\' {
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
