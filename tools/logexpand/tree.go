package logexpand

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// kind is the type of a parsed value.
type kind uint8

const (
	kNull kind = iota
	kFalse
	kTrue
	kNumber // a JSON number, or a bare Python literal (10L, inf, nan)
	kString
	kObject // a JSON object or a Python dict
	kArray  // a JSON array, or a Python list, tuple or set
)

// Node flags.
const (
	fEsc      uint16 = 1 << iota // the string's text holds escapes still to decode
	fCtl                         // the string's raw text holds control bytes (C0 or DEL)
	fHigh                        // the string's raw text holds bytes >= 0x80
	fKeyEsc                      // the member key holds escapes still to decode
	fSet                         // a Python set (rendered as an array)
	fPython                      // parsed by the Python repr parser: escapes are Python's
	fKeyRepr                     // the key is a non-string Python literal (shown as is)
	fBytes                       // a Python bytes literal: \xNN is a byte
	fKeyBytes                    // the key is a Python bytes literal
	fBrace                       // the string's raw text holds '{' or starts, after spaces, with '['
	fPair                        // the string's raw text holds ": " or '=' ("key: value", maybe): see scanString

	// fSlow marks strings that need more than a copy between quotes.
	fSlow = fEsc | fCtl | fHigh | fBrace | fPair
)

// node is one value in a [tree]. Spans are offsets into tree.buf, so a tree
// holds no pointers and is reused from line to line without allocating.
type node struct {
	kind  kind
	flags uint16
	// s, e is the value's text: a string's content between its quotes, a
	// number's literal, an object's or array's whole text.
	s, e int32
	// ks, ke is the member key's content between its quotes when the node is
	// a member of an object; ks == ke == 0 otherwise (and for the empty key,
	// which is told apart by the parent's kind).
	ks, ke int32
	child  int32 // first child, -1 when none
	next   int32 // next sibling, -1 when none
	n      int32 // number of children
}

// tree is an arena of nodes over one byte buffer: the line, followed by any
// text decoded while expanding it (strings that hold JSON, Python reprs).
type tree struct {
	buf   []byte
	nodes []node
}

func (t *tree) reset() {
	t.buf = t.buf[:0]
	t.nodes = t.nodes[:0]
}

// maxDepth bounds nesting, so a hostile line cannot exhaust the stack. A
// deeper line is not parsed and passes through unchanged.
const maxDepth = 1000

// parseJSON parses one JSON value starting at t.buf[pos:end], skipping
// leading whitespace. It returns the node index and the position after the
// value, or ok false when the text is not valid JSON. Nodes added by a failed
// parse are left in the arena; callers that retry truncate t.nodes.
func (t *tree) parseJSON(pos, end int) (idx int32, next int, ok bool) {
	p := jsonParser{t: t, b: t.buf[:end]}
	idx, next, ok = p.value(pos, 0)
	return
}

type jsonParser struct {
	t *tree
	b []byte
}

func (p *jsonParser) add(n node) int32 {
	p.t.nodes = append(p.t.nodes, n)
	return int32(len(p.t.nodes) - 1)
}

func (p *jsonParser) value(i, depth int) (int32, int, bool) {
	b := p.b
	i = jsonscan.SkipWS(b, i)
	if i >= len(b) {
		return -1, i, false
	}
	switch c := b[i]; c {
	case '{':
		return p.object(i, depth)
	case '[':
		return p.array(i, depth)
	case '"':
		s, e, flags, ok := scanString(b, i+1)
		if !ok {
			return -1, i, false
		}
		return p.add(node{kind: kString, flags: flags, s: int32(s), e: int32(e), child: -1, next: -1}), e + 1, true
	case 't':
		if bytes.HasPrefix(b[i:], litTrue) {
			return p.add(node{kind: kTrue, s: int32(i), e: int32(i + 4), child: -1, next: -1}), i + 4, true
		}
	case 'f':
		if bytes.HasPrefix(b[i:], litFalse) {
			return p.add(node{kind: kFalse, s: int32(i), e: int32(i + 5), child: -1, next: -1}), i + 5, true
		}
	case 'n':
		if bytes.HasPrefix(b[i:], litNull) {
			return p.add(node{kind: kNull, s: int32(i), e: int32(i + 4), child: -1, next: -1}), i + 4, true
		}
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			e, ok := scanNumber(b, i)
			if !ok {
				return -1, i, false
			}
			return p.add(node{kind: kNumber, s: int32(i), e: int32(e), child: -1, next: -1}), e, true
		}
	}
	return -1, i, false
}

var (
	litTrue  = []byte("true")
	litFalse = []byte("false")
	litNull  = []byte("null")
)

func (p *jsonParser) object(start, depth int) (int32, int, bool) {
	if depth >= maxDepth {
		return -1, start, false
	}
	b := p.b
	self := p.add(node{kind: kObject, s: int32(start), child: -1, next: -1})
	i := jsonscan.SkipWS(b, start+1)
	if i < len(b) && b[i] == '}' {
		p.t.nodes[self].e = int32(i + 1)
		return self, i + 1, true
	}
	last := int32(-1)
	count := int32(0)
	for {
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) || b[i] != '"' {
			return -1, i, false
		}
		ks, ke, kflags, ok := scanString(b, i+1)
		if !ok {
			return -1, i, false
		}
		i = jsonscan.SkipWS(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return -1, i, false
		}
		v, ni, ok := p.value(i+1, depth+1)
		if !ok {
			return -1, ni, false
		}
		n := &p.t.nodes[v]
		n.ks, n.ke = int32(ks), int32(ke)
		if kflags&fEsc != 0 {
			n.flags |= fKeyEsc
		}
		if last < 0 {
			p.t.nodes[self].child = v
		} else {
			p.t.nodes[last].next = v
		}
		last = v
		count++
		i = jsonscan.SkipWS(b, ni)
		if i >= len(b) {
			return -1, i, false
		}
		if b[i] == ',' {
			i++
			continue
		}
		if b[i] == '}' {
			s := &p.t.nodes[self]
			s.e = int32(i + 1)
			s.n = count
			return self, i + 1, true
		}
		return -1, i, false
	}
}

func (p *jsonParser) array(start, depth int) (int32, int, bool) {
	if depth >= maxDepth {
		return -1, start, false
	}
	b := p.b
	self := p.add(node{kind: kArray, s: int32(start), child: -1, next: -1})
	i := jsonscan.SkipWS(b, start+1)
	if i < len(b) && b[i] == ']' {
		p.t.nodes[self].e = int32(i + 1)
		return self, i + 1, true
	}
	last := int32(-1)
	count := int32(0)
	for {
		v, ni, ok := p.value(i, depth+1)
		if !ok {
			return -1, ni, false
		}
		if last < 0 {
			p.t.nodes[self].child = v
		} else {
			p.t.nodes[last].next = v
		}
		last = v
		count++
		i = jsonscan.SkipWS(b, ni)
		if i >= len(b) {
			return -1, i, false
		}
		if b[i] == ',' {
			i++
			continue
		}
		if b[i] == ']' {
			s := &p.t.nodes[self]
			s.e = int32(i + 1)
			s.n = count
			return self, i + 1, true
		}
		return -1, i, false
	}
}

// scanString scans the JSON string whose content starts at b[i] (after the
// opening quote). It returns the content span, flags (fEsc, fCtl, fHigh,
// fBrace, fPair) and whether a closing quote was found. Escapes are checked
// for form, so that decoding later cannot fail; raw control bytes (C0 and
// DEL) are tolerated, and set fCtl, so that they are shown escaped, as
// many writers emit them.
//
// fPair is set for a raw '=' or ": ", the only places pairMasks can find a
// value to hide ("name:\tvalue" holds an escape or a control byte, which
// make the string slow anyway), so that timestamps and host:port values
// stay on the fast path. fBrace is set for a '{' anywhere and for a text
// that starts, after spaces, with '[': such a string may hold a JSON object
// or array, or a Python dict or list, as a whole, which is expanded only
// once parsed (see Expander.whole), so it must not take the fast path.
//
// It reads eight bytes at a time (SWAR: a test per word for whether some
// byte is a quote, a backslash or a control byte) and jumps to the first
// such byte. Words may run past len(b) into b's spare capacity, whose
// bytes are never taken for content; callers leave 8 bytes of it when they
// can, so that short strings, the usual case, take one or two words. A
// cheap test per word tells whether it may hold a byte that sets fCtl,
// fHigh, fBrace or fPair; only such words are looked at closely.
func scanString(b []byte, i int) (s, e int, flags uint16, ok bool) {
	// A '[' first (after spaces) is seen here: the first byte that is not
	// a space is the string's own, or its closing quote.
	if i < len(b) && (b[i] == '[' || b[i] == ' ' && listStart(b[i:])) {
		flags = fBrace
	}
	// Words of plain text first: no stop, nothing that may set a flag.
	// The test is loose (a byte above a flagged one may be flagged too)
	// but misses nothing, and it is all most words need. x-0x20 flags
	// control bytes and bytes >= 0xa0, x+1 DEL and bytes 0x80-0xfe; a
	// borrow or a carry only flags bytes above one of these.
	full := b[:cap(b)]
	j := i
	for j+8 <= len(full) {
		x := binary.LittleEndian.Uint64(full[j:])
		q, bs, lb := x^(lo8*'"'), x^(lo8*'\\'), x^(lo8*'{')
		y := x & lo7
		odd := (x - lo8*0x20 | (x + lo8) | (q-lo8)&^q | (bs-lo8)&^bs | (lb-lo8)&^lb | (lo8*(0x7f+'='+1)-y)&(y+lo8*(0x7f-(':'-1)))) & hi8
		if odd == 0 {
			j += 8
			continue
		}
		keep := ^uint64(0)
		stop := stopBytes(x)
		if stop != 0 {
			keep = stop&-stop - 1
		}
		// Below the first stop, a byte wrongly flagged lies above a
		// rightly flagged one. Colons that are not ": " set no flag (a
		// timestamp, host:port), so they stay on this path.
		if odd &= keep; odd != 0 {
			c := isZero(x ^ (lo8 * ':'))
			if odd&^c != 0 || c&(hasZero(x^(lo8*' '))>>8) != 0 || stop == 0 && c>>63 != 0 {
				break
			}
		}
		if stop == 0 {
			j += 8
			continue
		}
		if k := j + bits.TrailingZeros64(stop)>>3; k < len(b) && b[k] == '"' {
			return i, k, flags, true
		}
		break
	}
	return scanStringFrom(b, i, j, flags)
}

// scanStringFrom is scanString for the string whose content starts at
// b[s], of which b[s:i] is plain text but for colons that are no pair, and
// which has the flags so far.
func scanStringFrom(b []byte, s, i int, flags uint16) (_, e int, _ uint16, ok bool) {
	n := len(b)
	full := b[:cap(b)]
	var high, brace, pair uint64
	for i < n {
		if i+8 <= len(full) {
			x := binary.LittleEndian.Uint64(full[i:])
			// The last term flags DEL, exactly.
			stop := hasZero(x^(lo8*'"')) | hasZero(x^(lo8*'\\')) | (x-lo8*0x20)&^x&hi8 | (x&lo7+lo8)&^x&hi8
			if maybe := x&hi8 | hasZero(x^(lo8*'{')) | colonToEq(x); maybe != 0 {
				keep := ^uint64(0)
				if stop != 0 {
					keep = stop&-stop - 1 // the bytes before the first stop
				}
				high |= x & hi8 & keep
				brace |= hasZero(x^(lo8*'{')) & keep
				// The colon test must be exact (hasZero may also flag a
				// ';' after a ':'), as each colon is paired with the
				// next byte.
				c := isZero(x^(lo8*':')) & keep
				pair |= (hasZero(x^(lo8*'=')) | c&(hasZero(x^(lo8*' '))>>8)) & keep
				if c>>63 != 0 && i+8 < n && b[i+8] == ' ' {
					pair |= 1 // ": " across two words
				}
			}
			if stop == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(stop) >> 3
			if i >= n {
				break
			}
		} else if c := b[i]; c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			switch {
			case c >= 0x80:
				high = 1
			case c == '{':
				brace = 1
			case c == '=':
				pair = 1
			case c == ':':
				if i+1 < n && b[i+1] == ' ' {
					pair = 1
				}
			}
			i++
			continue
		}
		switch c := b[i]; {
		case c == '"':
			return s, i, flags | tally(high, brace, pair), true
		case c == '\\':
			flags |= fEsc
			if i+1 >= n {
				return s, i, flags | tally(high, brace, pair), false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > n || !isHex4(b[i+2:]) {
					return s, i, flags | tally(high, brace, pair), false
				}
				i += 6
			default:
				return s, i, flags | tally(high, brace, pair), false
			}
		default: // a control byte, DEL included
			flags |= fCtl
			i++
		}
	}
	return s, n, flags | tally(high, brace, pair), false
}

// colonToEq flags (with their high bit) the bytes of x from ':' to '='
// (":;<="), exactly.
func colonToEq(x uint64) uint64 {
	y := x & lo7
	return (lo8*(0x7f+'='+1) - y) &^ x & (y + lo8*(0x7f-(':'-1))) & hi8
}

// tally turns what scanString gathered word by word into flags.
func tally(high, brace, pair uint64) (f uint16) {
	if high|brace|pair == 0 {
		return 0
	}
	if high != 0 {
		f |= fHigh
	}
	if brace != 0 {
		f |= fBrace
	}
	if pair != 0 {
		f |= fPair
	}
	return f
}

// listStart reports whether text starts, after spaces, with '['.
func listStart(text []byte) bool {
	for _, c := range text {
		if c != ' ' {
			return c == '['
		}
	}
	return false
}

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
	lo7 = 0x7f7f7f7f7f7f7f7f
)

// hasZero reports (as non-zero) whether some byte of x is zero. The lowest
// flagged byte is the first zero byte; bytes above it may be flagged
// wrongly (a 0x01 after a zero byte).
func hasZero(x uint64) uint64 { return (x - lo8) & ^x & hi8 }

// isZero flags (with their high bit) exactly the zero bytes of x.
func isZero(x uint64) uint64 { return ^((x&lo7 + lo7) | x) & hi8 }

// isHex4 reports whether b starts with four hex digits.
func isHex4(b []byte) bool { _, ok := jsonscan.Hex4(b); return ok }

// scanNumber checks the JSON number at b[i:] and returns its end.
func scanNumber(b []byte, i int) (int, bool) {
	end, _, ok := jsonscan.Number(b, i)
	return end, ok
}
