package logexpand

import (
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// parsePython parses one Python literal as repr() writes it — dicts, lists,
// tuples, sets, strings in either quote with a u, b or r prefix, ints (with
// Python 2's L), floats, inf, nan, True, False, None — starting at
// t.buf[pos:end]. It returns the node index and the position after the
// literal, or ok false when the text is anything else (an object repr such
// as <Foo at 0x…> or datetime.datetime(…) makes the whole literal fail, so
// only what is unambiguous is expanded).
//
// Dict keys that are not strings keep their repr as the key's text.
func (t *tree) parsePython(pos, end int) (idx int32, next int, ok bool) {
	p := pyParser{t: t, b: t.buf[:end:end]}
	return p.value(pos, 0)
}

type pyParser struct {
	t *tree
	b []byte
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

func (p *pyParser) add(n node) int32 {
	n.flags |= fPython
	n.child, n.next = -1, -1
	p.t.nodes = append(p.t.nodes, n)
	return int32(len(p.t.nodes) - 1)
}

func (p *pyParser) value(i, depth int) (int32, int, bool) {
	b := p.b
	i = skipSpace(b, i)
	if i >= len(b) {
		return -1, i, false
	}
	c := b[i]
	switch c {
	case '{':
		return p.container(i, '}', depth)
	case '[':
		return p.container(i, ']', depth)
	case '(':
		return p.container(i, ')', depth)
	case '\'', '"':
		return p.str(i, i, false)
	}
	if c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') {
		return p.number(i)
	}
	if isIdentStart(c) {
		j := i
		for j < len(b) && isIdentChar(b[j]) {
			j++
		}
		word := b[i:j]
		// String prefixes: u'', b'', r'', br'', rb'', f'' is not a repr.
		if j < len(b) && (b[j] == '\'' || b[j] == '"') && len(word) <= 2 {
			bytesLit, good := false, true
			for _, w := range word {
				switch w | 0x20 {
				case 'u', 'r':
				case 'b':
					bytesLit = true
				default:
					good = false
				}
			}
			if good {
				return p.str(i, j, bytesLit)
			}
			return -1, i, false
		}
		switch string(word) {
		case "True":
			return p.add(node{kind: kTrue, s: int32(i), e: int32(j)}), j, true
		case "False":
			return p.add(node{kind: kFalse, s: int32(i), e: int32(j)}), j, true
		case "None":
			return p.add(node{kind: kNull, s: int32(i), e: int32(j)}), j, true
		case "inf", "nan":
			return p.add(node{kind: kNumber, s: int32(i), e: int32(j)}), j, true
		case "set":
			if j+1 < len(b) && b[j] == '(' && b[j+1] == ')' {
				return p.add(node{kind: kArray, flags: fSet, s: int32(i), e: int32(j + 2)}), j + 2, true
			}
		}
	}
	return -1, i, false
}

func isIdentStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9')
}

// number accepts what repr writes for int, long, float and complex:
// -12, 10L, 1.5, 1e-05, -inf, 1j.
func (p *pyParser) number(i int) (int32, int, bool) {
	b := p.b
	j := i
	if b[j] == '-' || b[j] == '+' {
		j++
	}
	if j+3 <= len(b) && (string(b[j:j+3]) == "inf" || string(b[j:j+3]) == "nan") {
		j += 3
	} else {
		// Digits, with at most one '.' between two of them: repr writes
		// 1.5, never "." or "1." or "1.2.3", which are not numbers.
		d, dots, digits := j, 0, 0
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == '_') {
			switch {
			case b[j] == '.':
				if dots++; j == d || j+1 >= len(b) || b[j+1] < '0' || b[j+1] > '9' || b[j-1] < '0' || b[j-1] > '9' {
					return -1, i, false
				}
			case b[j] != '_':
				digits++
			}
			j++
		}
		if digits == 0 || dots > 1 {
			return -1, i, false
		}
		if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
			j++
			if j < len(b) && (b[j] == '+' || b[j] == '-') {
				j++
			}
			e := j
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			if j == e {
				return -1, i, false
			}
		}
		if j < len(b) && (b[j] == 'L' || b[j] == 'l' || b[j] == 'j') {
			j++
		}
	}
	if j < len(b) && isIdentChar(b[j]) {
		return -1, i, false
	}
	return p.add(node{kind: kNumber, s: int32(i), e: int32(j)}), j, true
}

// str parses a string literal whose prefix starts at start and whose quote
// is at q. Its node spans the content between the quotes; the text is
// decoded when it is shown, so a credential in it can still be masked in
// place.
func (p *pyParser) str(start, q int, bytesLit bool) (int32, int, bool) {
	b := p.b
	quote := b[q]
	raw := false
	for _, c := range b[start:q] {
		if c|0x20 == 'r' {
			raw = true
		}
	}
	flags := fHigh | fCtl | fBrace | fPair
	if bytesLit {
		flags |= fBytes
	}
	i := q + 1
	for {
		if i >= len(b) || b[i] == '\n' {
			return -1, i, false
		}
		if b[i] == '\\' {
			if !raw {
				flags |= fEsc
			}
			i += 2
			continue
		}
		if b[i] == quote {
			break
		}
		i++
	}
	return p.add(node{kind: kString, flags: flags, s: int32(q + 1), e: int32(i)}), i + 1, true
}

// decodePython appends the text of a Python string literal's content.
// In a bytes literal \xNN is that byte; in a str it is the code point.
func decodePython(dst, s []byte, bytesLit bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'a':
			dst = append(dst, 7)
		case 'b':
			dst = append(dst, 8)
		case 'f':
			dst = append(dst, 12)
		case 'v':
			dst = append(dst, 11)
		case '\\', '\'', '"':
			dst = append(dst, e)
		case '\n':
		case 'x', 'u', 'U':
			n := 2
			if e == 'u' {
				n = 4
			} else if e == 'U' {
				n = 8
			}
			if e != 'x' && bytesLit || i+1+n > len(s) {
				dst = append(dst, '\\', e)
				continue
			}
			v, good := 0, true
			for _, h := range s[i+1 : i+1+n] {
				d := jsonscan.Unhex(h)
				if d < 0 {
					good = false
					break
				}
				v = v<<4 | d
			}
			if !good {
				dst = append(dst, '\\', e)
				continue
			}
			if e == 'x' && bytesLit {
				dst = append(dst, byte(v))
			} else if v > utf8.MaxRune || (v >= 0xD800 && v < 0xE000) {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = utf8.AppendRune(dst, rune(v))
			}
			i += n
		default:
			if e >= '0' && e <= '7' {
				v, k := 0, 0
				for k < 3 && i+k < len(s) && s[i+k] >= '0' && s[i+k] <= '7' {
					v = v<<3 | int(s[i+k]-'0')
					k++
				}
				i += k - 1
				if bytesLit {
					dst = append(dst, byte(v))
				} else {
					dst = utf8.AppendRune(dst, rune(v))
				}
				continue
			}
			dst = append(dst, '\\', e)
		}
	}
	return dst
}

// container parses a dict or set ('{'), a list ('[') or a tuple ('(').
func (p *pyParser) container(start int, closer byte, depth int) (int32, int, bool) {
	if depth >= maxDepth {
		return -1, start, false
	}
	b := p.b
	k := kArray
	if closer == '}' {
		k = kObject
	}
	self := p.add(node{kind: k, s: int32(start)})
	i := skipSpace(b, start+1)
	if i < len(b) && b[i] == closer {
		p.t.nodes[self].e = int32(i + 1)
		return self, i + 1, true
	}
	last := int32(-1)
	count := int32(0)
	isDict := false
	for {
		v, ni, ok := p.value(i, depth+1)
		if !ok {
			return -1, ni, false
		}
		i = skipSpace(b, ni)
		if closer == '}' {
			hasColon := i < len(b) && b[i] == ':'
			if count == 0 {
				isDict = hasColon
			} else if hasColon != isDict {
				return -1, i, false
			}
			if isDict {
				kn := p.t.nodes[v]
				val, ni, ok := p.value(i+1, depth+1)
				if !ok {
					return -1, ni, false
				}
				vn := &p.t.nodes[val]
				if kn.kind == kString {
					vn.ks, vn.ke = kn.s, kn.e
					if kn.flags&fEsc != 0 {
						vn.flags |= fKeyEsc
					}
					if kn.flags&fBytes != 0 {
						vn.flags |= fKeyBytes
					}
				} else {
					// A non-string key (number, tuple, None) keeps its
					// repr: its span is the source text, which stays put
					// in t.buf while decoded text is appended after it.
					vn.ks, vn.ke = kn.s, kn.e
					vn.flags |= fKeyRepr
				}
				v = val
				i = skipSpace(b, ni)
			}
		}
		if last < 0 {
			p.t.nodes[self].child = v
		} else {
			p.t.nodes[last].next = v
		}
		last = v
		count++
		if i >= len(b) {
			return -1, i, false
		}
		if b[i] == ',' {
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == closer { // trailing comma, as in (1,)
				break
			}
			continue
		}
		if b[i] == closer {
			break
		}
		return -1, i, false
	}
	s := &p.t.nodes[self]
	s.e = int32(i + 1)
	s.n = count
	if closer == '}' && !isDict {
		s.kind = kArray
		s.flags |= fSet
	}
	return self, i + 1, true
}
