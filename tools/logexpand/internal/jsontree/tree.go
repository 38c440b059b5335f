package jsontree

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// Kind is the type of a parsed value.
type Kind uint8

const (
	Null Kind = iota
	False
	True
	Number // a JSON number, or a bare Python literal (10L, inf, nan)
	String
	Object // a JSON object or a Python dict
	Array  // a JSON array, or a Python list, tuple or set
)

// Node flags.
const (
	FEsc      uint16 = 1 << iota // the string's text holds escapes still to decode
	FCtl                         // the string's raw text holds control bytes (C0 or DEL)
	FHigh                        // the string's raw text holds bytes >= 0x80
	FKeyEsc                      // the member key holds escapes still to decode
	FSet                         // a Python set (rendered as an array)
	FPython                      // parsed by the Python repr parser: escapes are Python's
	FKeyRepr                     // the key is a non-string Python literal (shown as is)
	FBytes                       // a Python bytes literal: \xNN is a byte
	FKeyBytes                    // the key is a Python bytes literal
	FBrace                       // the string's raw text holds '{' or starts, after spaces, with '['
	FPair                        // the string's raw text holds ": ", '=' or '@' ("key: value", a URL's "user:password@", maybe): see ScanString
	FEscOther                    // a JSON string holds an escape other than \" and \\ (ScanString)

	// FSlow marks strings that need more than a copy between quotes.
	FSlow = FEsc | FCtl | FHigh | FBrace | FPair
)

// Node is one value in a [Tree]. Spans are offsets into Tree.Buf, so a tree
// holds no pointers and is reused from line to line without allocating.
type Node struct {
	Kind Kind
	// Aux is the renderer's (in the byte Flags' alignment leaves): the
	// parsers set it to zero.
	Aux   uint8
	Flags uint16
	// S, E is the value'S text: a string'S content between its quotes, a
	// number'S literal, an object'S or array'S whole text.
	S, E int32
	// KS, KE is the member key's content between its quotes when the node is
	// a member of an object; KS == KE == 0 otherwise (and for the empty key,
	// which is told apart by the parent's kind).
	KS, KE int32
	Child  int32 // first child, -1 when none
	Next   int32 // next sibling, -1 when none
	N      int32 // number of children
}

// Tree is an arena of nodes over one byte buffer: the line, followed by any
// text decoded while expanding it (strings that hold JSON, Python reprs).
type Tree struct {
	Buf   []byte
	Nodes []Node
}

func (t *Tree) Reset() {
	t.Buf = t.Buf[:0]
	t.Nodes = t.Nodes[:0]
}

// MaxDepth bounds nesting, so a hostile line cannot exhaust the stack. A
// deeper line is not parsed and passes through unchanged.
const MaxDepth = 1000

// ParseJSON parses one JSON value starting at t.Buf[pos:end], skipping
// leading whitespace. It returns the node index and the position after the
// value, or ok false when the text is not valid JSON. Nodes added by a failed
// parse are left in the arena; callers that retry truncate t.nodes.
func (t *Tree) ParseJSON(pos, end int) (idx int32, next int, ok bool) {
	p := jsonParser{t: t, b: t.Buf[:end]}
	idx, next, ok = p.value(pos, 0)
	return
}

type jsonParser struct {
	t *Tree
	b []byte
}

func (p *jsonParser) add(n Node) int32 {
	p.t.Nodes = append(p.t.Nodes, n)
	return int32(len(p.t.Nodes) - 1)
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
		s, e, flags, ok := ScanString(b, i+1)
		if !ok {
			return -1, i, false
		}
		return p.add(Node{Kind: String, Flags: flags, S: int32(s), E: int32(e), Child: -1, Next: -1}), e + 1, true
	case 't':
		if bytes.HasPrefix(b[i:], LitTrue) {
			return p.add(Node{Kind: True, S: int32(i), E: int32(i + 4), Child: -1, Next: -1}), i + 4, true
		}
	case 'f':
		if bytes.HasPrefix(b[i:], LitFalse) {
			return p.add(Node{Kind: False, S: int32(i), E: int32(i + 5), Child: -1, Next: -1}), i + 5, true
		}
	case 'n':
		if bytes.HasPrefix(b[i:], LitNull) {
			return p.add(Node{Kind: Null, S: int32(i), E: int32(i + 4), Child: -1, Next: -1}), i + 4, true
		}
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			e, ok := ScanNumber(b, i)
			if !ok {
				return -1, i, false
			}
			return p.add(Node{Kind: Number, S: int32(i), E: int32(e), Child: -1, Next: -1}), e, true
		}
	}
	return -1, i, false
}

var (
	LitTrue  = []byte("true")
	LitFalse = []byte("false")
	LitNull  = []byte("null")
)

func (p *jsonParser) object(start, depth int) (int32, int, bool) {
	if depth >= MaxDepth {
		return -1, start, false
	}
	b := p.b
	self := p.add(Node{Kind: Object, S: int32(start), Child: -1, Next: -1})
	i := jsonscan.SkipWS(b, start+1)
	if i < len(b) && b[i] == '}' {
		p.t.Nodes[self].E = int32(i + 1)
		return self, i + 1, true
	}
	last := int32(-1)
	count := int32(0)
	for {
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) || b[i] != '"' {
			return -1, i, false
		}
		ks := i + 1
		ke, kflags, ok := keyEnd(b, ks)
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
		n := &p.t.Nodes[v]
		n.KS, n.KE = int32(ks), int32(ke)
		if kflags&FEsc != 0 {
			n.Flags |= FKeyEsc
		}
		p.t.link(self, &last, v)
		count++
		var more bool
		if i, more, ok = p.after(ni, self, count, '}'); !ok {
			return -1, i, false
		} else if !more {
			return self, i, true
		}
	}
}

func (p *jsonParser) array(start, depth int) (int32, int, bool) {
	if depth >= MaxDepth {
		return -1, start, false
	}
	b := p.b
	self := p.add(Node{Kind: Array, S: int32(start), Child: -1, Next: -1})
	i := jsonscan.SkipWS(b, start+1)
	if i < len(b) && b[i] == ']' {
		p.t.Nodes[self].E = int32(i + 1)
		return self, i + 1, true
	}
	last := int32(-1)
	count := int32(0)
	for {
		v, ni, ok := p.value(i, depth+1)
		if !ok {
			return -1, ni, false
		}
		p.t.link(self, &last, v)
		count++
		var more bool
		if i, more, ok = p.after(ni, self, count, ']'); !ok {
			return -1, i, false
		} else if !more {
			return self, i, true
		}
	}
}

// keyEnd is ScanString for a member key, of which only the end and FEsc
// are wanted: a key is found a word at a time by its closing quote alone
// when nothing else stops the scan before it (no escape, no control byte),
// as most keys are; any other goes to ScanString.
func keyEnd(b []byte, i int) (e int, flags uint16, ok bool) {
	full := b[:cap(b)]
	for j := i; j+8 <= len(full); j += 8 {
		if stop := StopBytes(binary.LittleEndian.Uint64(full[j:])); stop != 0 {
			if k := j + bits.TrailingZeros64(stop)>>3; k < len(b) && b[k] == '"' {
				return k, 0, true
			}
			break
		}
	}
	_, e, flags, ok = ScanString(b, i)
	return e, flags, ok
}

// link makes v the child of the container self that comes after last, or
// its first when last < 0. Both parsers build their trees with it.
func (t *Tree) link(self int32, last *int32, v int32) {
	if *last < 0 {
		t.Nodes[self].Child = v
	} else {
		t.Nodes[*last].Next = v
	}
	*last = v
}

// after reads what follows a member or element that ends at b[ni]: a ','
// (more, and i is just after it), or the close bracket of self, which
// then ends there with count children.
func (p *jsonParser) after(ni int, self, count int32, close byte) (i int, more, ok bool) {
	if i, more, ok = jsonscan.After(p.b, ni, close); ok && !more {
		s := &p.t.Nodes[self]
		s.E = int32(i)
		s.N = count
	}
	return i, more, ok
}

// ScanString scans the JSON string whose content starts at b[i] (after the
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
func ScanString(b []byte, i int) (s, e int, flags uint16, ok bool) {
	// A '[' first (after spaces) is seen here: the first byte that is not
	// a space is the string's own, or its closing quote.
	if i < len(b) && (b[i] == '[' || b[i] == ' ' && ListStart(b[i:])) {
		flags = FBrace
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
		q, bs, lb := x^(Lo8*'"'), x^(Lo8*'\\'), x^(Lo8*'{')
		y := x & lo7
		odd := (x - Lo8*0x20 | (x + Lo8) | (q-Lo8)&^q | (bs-Lo8)&^bs | (lb-Lo8)&^lb | (Lo8*(0x7f+'@'+1)-y)&(y+Lo8*(0x7f-(':'-1)))) & Hi8
		if odd == 0 {
			j += 8
			continue
		}
		keep := ^uint64(0)
		stop := StopBytes(x)
		if stop != 0 {
			keep = stop&-stop - 1
		}
		// Below the first stop, a byte wrongly flagged lies above a
		// rightly flagged one. Colons that are not ": " set no flag (a
		// timestamp, host:port), so they stay on this path.
		if odd &= keep; odd != 0 {
			c := isZero(x ^ (Lo8 * ':'))
			if odd&^c != 0 || c&(HasZero(x^(Lo8*' '))>>8) != 0 || stop == 0 && c>>63 != 0 {
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

// scanStringFrom is ScanString for the string whose content starts at
// b[s], of which b[s:i] is plain text but for colons that are no pair, and
// which has the flags so far.
func scanStringFrom(b []byte, s, i int, flags uint16) (_, e int, _ uint16, ok bool) {
	n := len(b)
	full := b[:cap(b)]
	var high, brace, pair uint64
	for i < n {
		if i+8 <= len(full) {
			x := binary.LittleEndian.Uint64(full[i:])
			// Most words hold nothing to look at: the loose test of
			// ScanString's first loop (for the flags not found yet)
			// settles them.
			q, bs := x^(Lo8*'"'), x^(Lo8*'\\')
			odd := x - Lo8*0x20 | (x + Lo8) | (q-Lo8)&^q | (bs-Lo8)&^bs
			if brace == 0 {
				lb := x ^ (Lo8 * '{')
				odd |= (lb - Lo8) &^ lb
			}
			if pair == 0 {
				y := x & lo7
				odd |= (Lo8*(0x7f+'@'+1) - y) & (y + Lo8*(0x7f-(':'-1)))
			}
			if odd&Hi8 == 0 {
				i += 8
				continue
			}
			// The last term flags DEL, exactly.
			stop := HasZero(x^(Lo8*'"')) | HasZero(x^(Lo8*'\\')) | (x-Lo8*0x20)&^x&Hi8 | (x&lo7+Lo8)&^x&Hi8
			if maybe := x&Hi8 | HasZero(x^(Lo8*'{')) | colonToAt(x); maybe != 0 {
				keep := ^uint64(0)
				if stop != 0 {
					keep = stop&-stop - 1 // the bytes before the first stop
				}
				high |= x & Hi8 & keep
				brace |= HasZero(x^(Lo8*'{')) & keep
				// The colon test must be exact (hasZero may also flag a
				// ';' after a ':'), as each colon is paired with the
				// next byte.
				c := isZero(x^(Lo8*':')) & keep
				pair |= (HasZero(x^(Lo8*'=')) | HasZero(x^(Lo8*'@')) | c&(HasZero(x^(Lo8*' '))>>8)) & keep
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
			case c == '=' || c == '@': // '@': a URL's password ends there
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
			flags |= FEsc
			if i+1 >= n {
				return s, i, flags | tally(high, brace, pair), false
			}
			switch b[i+1] {
			case '"', '\\':
				i += 2
			case '/', 'b', 'f', 'n', 'r', 't':
				flags |= FEscOther
				i += 2
			case 'u':
				if i+6 > n || !IsHex4(b[i+2:]) {
					return s, i, flags | tally(high, brace, pair), false
				}
				flags |= FEscOther
				i += 6
			default:
				return s, i, flags | tally(high, brace, pair), false
			}
		default: // a control byte, DEL included
			flags |= FCtl
			i++
		}
	}
	return s, n, flags | tally(high, brace, pair), false
}

// colonToAt flags (with their high bit) the bytes of x from ':' to '@'
// (":;<=>?@"), exactly: the bytes that may make a pair, "name: value",
// "name=value" or a URL's "user:password@".
func colonToAt(x uint64) uint64 {
	y := x & lo7
	return (Lo8*(0x7f+'@'+1) - y) &^ x & (y + Lo8*(0x7f-(':'-1))) & Hi8
}

// tally turns what ScanString gathered word by word into flags.
func tally(high, brace, pair uint64) (f uint16) {
	if high|brace|pair == 0 {
		return 0
	}
	if high != 0 {
		f |= FHigh
	}
	if brace != 0 {
		f |= FBrace
	}
	if pair != 0 {
		f |= FPair
	}
	return f
}

// ListStart reports whether text starts, after spaces, with '['.
func ListStart(text []byte) bool {
	for _, c := range text {
		if c != ' ' {
			return c == '['
		}
	}
	return false
}

// Lo8 and Hi8 are the low and the high bit of every byte of a word, for
// the eight-bytes-at-a-time tests here and in the renderer's key scan.
const (
	Lo8 = 0x0101010101010101
	Hi8 = 0x8080808080808080
	lo7 = 0x7f7f7f7f7f7f7f7f
)

// HasZero reports (as non-zero) whether some byte of x is zero. The lowest
// flagged byte is the first zero byte; bytes above it may be flagged
// wrongly (a 0x01 after a zero byte).
func HasZero(x uint64) uint64 { return (x - Lo8) & ^x & Hi8 }

// isZero flags (with their high bit) exactly the zero bytes of x.
func isZero(x uint64) uint64 { return ^((x&lo7 + lo7) | x) & Hi8 }

// IsHex4 reports whether b starts with four hex digits.
func IsHex4(b []byte) bool { _, ok := jsonscan.Hex4(b); return ok }

// ScanNumber checks the JSON number at b[i:] and returns its end.
func ScanNumber(b []byte, i int) (int, bool) {
	end, _, ok := jsonscan.Number(b, i)
	return end, ok
}

// StopBytes flags the bytes of v a key or string scan stops at: a quote,
// a backslash, a control byte. The first flagged byte is one; bytes above
// it may be flagged wrongly.
func StopBytes(v uint64) uint64 {
	return HasZero(v^(Lo8*'"')) | HasZero(v^(Lo8*'\\')) | (v-Lo8*0x20)&^v&Hi8
}
