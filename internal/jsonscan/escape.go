package jsonscan

import (
	"math/bits"
	"unicode/utf8"
)

// Rules say how an [Escaper] writes a string. The zero value escapes what
// JSON requires (the quote, the backslash, C0 controls as \u00XX) and
// copies everything else.
type Rules struct {
	// Short are the C0 controls written as two-character escapes (\n \r \t
	// \b \f) rather than \u00XX; any of "\n\r\t\b\f".
	Short string
	// Raw are ASCII bytes copied as they are although they would otherwise
	// be escaped: a quote, a backslash or a tab in text shown in a block
	// rather than in quotes.
	Raw string
	// DEL escapes 0x7f as \u007f (jq does; JSON does not require it).
	DEL bool
	// C1 escapes U+0080–U+009F as \u00XX: they are terminal controls (CSI
	// among them) that a reader's terminal would obey.
	C1 bool
	// LineSeparators escapes U+2028 and U+2029, which JavaScript reads as
	// line ends, so a value cannot break a line in two for any reader.
	LineSeparators bool
	// Invalid says what a byte that is not part of valid UTF-8 becomes.
	Invalid Invalid
}

// Invalid is what an [Escaper] writes for a byte that is not valid UTF-8.
type Invalid uint8

const (
	// InvalidRaw copies the byte, for text already decoded into valid UTF-8.
	InvalidRaw Invalid = iota
	// InvalidReplace writes \ufffd, the replacement character, as
	// encoding/json does: the line stays valid JSON and valid UTF-8.
	InvalidReplace
	// InvalidHex writes \xNN, which JSON lacks but which shows the byte
	// exactly (log-expand's readers read it back).
	InvalidHex
)

// An Escaper writes strings as the inside of a JSON string under its
// [Rules]. It is immutable once made and safe for concurrent use.
type Escaper struct {
	// esc[c] is how ASCII byte c is written; empty when it is copied.
	esc [utf8.RuneSelf]string
	// wide is whether any byte at or above 0x80 can need anything other
	// than copying (a rule for C1, line separators or invalid bytes).
	wide    bool
	c1      bool
	seps    bool
	invalid Invalid
}

// NewEscaper makes the Escaper of r.
func NewEscaper(r Rules) *Escaper {
	e := &Escaper{c1: r.C1, seps: r.LineSeparators, invalid: r.Invalid}
	e.wide = r.C1 || r.LineSeparators || r.Invalid != InvalidRaw
	short := map[byte]string{'\n': `\n`, '\r': `\r`, '\t': `\t`, '\b': `\b`, '\f': `\f`}
	for c := 0; c < 0x20; c++ {
		e.esc[c] = `\u00` + string(HexDigits[c>>4]) + string(HexDigits[c&15])
	}
	for i := 0; i < len(r.Short); i++ {
		if s, ok := short[r.Short[i]]; ok {
			e.esc[r.Short[i]] = s
		}
	}
	e.esc['"'], e.esc['\\'] = `\"`, `\\`
	if r.DEL {
		e.esc[0x7f] = `\u007f`
	}
	for i := 0; i < len(r.Raw); i++ {
		if c := r.Raw[i]; c < utf8.RuneSelf {
			e.esc[c] = ""
		}
	}
	return e
}

// Append appends s, escaped, to dst (without quotes).
func (e *Escaper) Append(dst, s []byte) []byte { return appendEscaped(e, dst, s) }

// AppendString appends s, escaped, to dst (without quotes).
func (e *Escaper) AppendString(dst []byte, s string) []byte { return appendEscaped(e, dst, s) }

// AppendQuoted appends s, escaped, in double quotes.
func (e *Escaper) AppendQuoted(dst, s []byte) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(e, dst, s)
	return append(dst, '"')
}

// AppendQuotedString appends s, escaped, in double quotes.
func (e *Escaper) AppendQuotedString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(e, dst, s)
	return append(dst, '"')
}

type text interface{ ~string | ~[]byte }

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 reads the eight bytes of s at i as a little-endian word.
func load64[S text](s S, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// odd flags, with their high bit, the bytes of x that are control
// characters, DEL, '"', '\\' or not ASCII: every byte some rule escapes.
// The lowest flagged byte is exactly the first such byte; bytes above it
// may be flagged wrongly (a borrow), which only matters to callers that
// look past the first.
func odd(x uint64) uint64 {
	ctl := (x - ones*0x20) & ^x
	q := x ^ (ones * '"')
	quote := (q - ones) & ^q
	b := x ^ (ones * '\\')
	back := (b - ones) & ^b
	d := x ^ (ones * 0x7f)
	del := (d - ones) & ^d
	return (ctl | quote | back | del | x) & highs
}

// mayNeedEscape reports whether any of the eight bytes in x is flagged by
// odd. It never misses one.
func mayNeedEscape(x uint64) bool { return odd(x) != 0 }

// plainByte marks the bytes every rule copies: printable ASCII other than
// '"', '\\' and DEL.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainRun returns the end of the run of plainByte bytes from s[i], eight
// at a time.
func plainRun[S text](s S, i int) int {
	n := len(s)
	for i+8 <= n {
		if x := odd(load64(s, i)); x != 0 {
			return i + bits.TrailingZeros64(x)>>3
		}
		i += 8
	}
	if i < n && n >= 8 {
		// The last eight bytes, the ones before i replaced by a plain
		// byte: a plain byte flags nothing and borrows nothing, so the
		// first flagged byte is exact.
		skip := uint(i - (n - 8))
		keep := ^uint64(0) << (8 * skip)
		x := load64(s, n-8)&keep | ones*'a'&^keep
		if x := odd(x); x != 0 {
			return n - 8 + bits.TrailingZeros64(x)>>3
		}
		return n
	}
	for i < n && plainByte[s[i]] {
		i++
	}
	return i
}

func appendEscaped[S text](e *Escaper, dst []byte, s S) []byte {
	// Most values are plain ASCII: find the first byte that is not, eight
	// bytes at a time, and copy everything before it in one go; after each
	// byte that is not, look for the next the same way.
	i := plainRun(s, 0)
	if i == len(s) {
		return append(dst, s...)
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if esc := e.esc[c]; esc != "" {
				dst = append(dst, s[start:i]...)
				dst = append(dst, esc...)
				start = i + 1
			}
			i = plainRun(s, i+1)
			continue
		}
		if !e.wide {
			i = plainRun(s, i+1)
			continue
		}
		r, size := decodeRune(s, i)
		switch {
		case r == utf8.RuneError && size == 1:
			if e.invalid == InvalidRaw {
				break
			}
			dst = append(dst, s[start:i]...)
			if e.invalid == InvalidHex {
				dst = append(dst, '\\', 'x', HexDigits[c>>4], HexDigits[c&15])
			} else {
				dst = append(dst, `\ufffd`...)
			}
			start = i + 1
		case e.c1 && r < 0xa0, e.seps && (r == 0x2028 || r == 0x2029):
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', HexDigits[r>>12&15], HexDigits[r>>8&15], HexDigits[r>>4&15], HexDigits[r&15])
			start = i + size
		}
		i = plainRun(s, i+size)
	}
	return append(dst, s[start:]...)
}

// decodeRune decodes the rune at s[i] (i < len(s)). The conversion of at
// most four bytes to a string does not allocate.
func decodeRune[S text](s S, i int) (rune, int) {
	return utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
}

// The module's escapers.
var (
	// Line writes the strings of an audit line: what encoding/json writes
	// (\n \r \t, other controls as \u00XX, invalid UTF-8 as \ufffd), and
	// U+2028/U+2029 escaped, so no value can break a line for any reader.
	Line = NewEscaper(Rules{Short: "\n\r\t", LineSeparators: true, Invalid: InvalidReplace})
	// JQ writes strings as jq does, for log-format's byte-for-byte
	// agreement with it: \n \t \r \b \f, other controls and DEL as \u00XX,
	// everything else copied (jq has already made the text valid UTF-8).
	JQ = NewEscaper(Rules{Short: "\n\t\r\b\f", DEL: true})
	// Terminal writes strings shown in quotes on a terminal (log-expand):
	// every control — C0, DEL and C1 — and the line separators escaped, so
	// nothing in a value can act on the terminal or forge a line, and
	// invalid bytes as \xNN, shown exactly.
	Terminal = NewEscaper(Rules{Short: "\n\r\t", DEL: true, C1: true, LineSeparators: true, Invalid: InvalidHex})
	// TerminalBlock is Terminal for text shown in a block rather than in
	// quotes: quotes, backslashes and tabs are copied.
	TerminalBlock = NewEscaper(Rules{Short: "\n\r\t", Raw: "\"\\\t", DEL: true, C1: true, LineSeparators: true, Invalid: InvalidHex})
)

// Plain reports whether s is ASCII that e copies as it is, so that it can
// be written between quotes without passing through e (a key checked once
// and cached, say).
func (e *Escaper) Plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || e.esc[c] != "" {
			return false
		}
	}
	return true
}

// Bytes escapes only what JSON requires (the quote, the backslash, \n \r
// \t and the other C0 controls as \u00XX) and copies every other byte as it
// is, so bytes that were not UTF-8 in the input stay so: for giving back
// exactly what was read (log-expand --unflatten).
var Bytes = NewEscaper(Rules{Short: "\n\r\t"})
