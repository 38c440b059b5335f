package jsontree

import (
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// ParsePython parses one Python literal as repr() writes it — dicts, lists,
// tuples, sets, strings in either quote with a u, b or r prefix, ints (with
// Python 2's L), floats, inf, nan, True, False, None — starting at
// t.buf[pos:end]. It returns the node index and the position after the
// literal, or ok false when the text is anything else (an object repr such
// as <Foo at 0x…> or datetime.datetime(…) makes the whole literal fail, so
// only what is unambiguous is expanded).
//
// Dict keys that are not strings keep their repr as the key's text.
func (t *Tree) ParsePython(pos, end int) (idx int32, next int, ok bool) {
	p := pyParser{t: t, b: t.Buf[:end:end]}
	return p.value(pos, 0)
}

type pyParser struct {
	t *Tree
	b []byte
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

func (p *pyParser) add(n Node) int32 {
	n.Flags |= FPython
	n.Child, n.Next = -1, -1
	p.t.Nodes = append(p.t.Nodes, n)
	return int32(len(p.t.Nodes) - 1)
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
		for j < len(b) && IsIdentChar(b[j]) {
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
			return p.add(Node{Kind: True, S: int32(i), E: int32(j)}), j, true
		case "False":
			return p.add(Node{Kind: False, S: int32(i), E: int32(j)}), j, true
		case "None":
			return p.add(Node{Kind: Null, S: int32(i), E: int32(j)}), j, true
		case "inf", "nan":
			return p.add(Node{Kind: Number, S: int32(i), E: int32(j)}), j, true
		case "set":
			if j+1 < len(b) && b[j] == '(' && b[j+1] == ')' {
				return p.add(Node{Kind: Array, Flags: FSet, S: int32(i), E: int32(j + 2)}), j + 2, true
			}
		}
	}
	return -1, i, false
}

func isIdentStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// IsIdentChar reports whether c can stand in a Python identifier (after its
// first byte), which is where a bare word such as True or None ends.
func IsIdentChar(c byte) bool {
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
	if j < len(b) && IsIdentChar(b[j]) {
		return -1, i, false
	}
	return p.add(Node{Kind: Number, S: int32(i), E: int32(j)}), j, true
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
	flags := FHigh | FCtl | FBrace | FPair
	if bytesLit {
		flags |= FBytes
	}
	i := q + 1
	for {
		if i >= len(b) || b[i] == '\n' {
			return -1, i, false
		}
		if b[i] == '\\' {
			if !raw {
				flags |= FEsc
			}
			i += 2
			continue
		}
		if b[i] == quote {
			break
		}
		i++
	}
	return p.add(Node{Kind: String, Flags: flags, S: int32(q + 1), E: int32(i)}), i + 1, true
}

// DecodePython appends the text of a Python string literal's content.
// In a bytes literal \xNN is that byte; in a str it is the code point.
func DecodePython(dst, s []byte, bytesLit bool) []byte {
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
	if depth >= MaxDepth {
		return -1, start, false
	}
	b := p.b
	k := Array
	if closer == '}' {
		k = Object
	}
	self := p.add(Node{Kind: k, S: int32(start)})
	i := skipSpace(b, start+1)
	if i < len(b) && b[i] == closer {
		p.t.Nodes[self].E = int32(i + 1)
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
				kn := p.t.Nodes[v]
				val, ni, ok := p.value(i+1, depth+1)
				if !ok {
					return -1, ni, false
				}
				vn := &p.t.Nodes[val]
				if kn.Kind == String {
					vn.KS, vn.KE = kn.S, kn.E
					if kn.Flags&FEsc != 0 {
						vn.Flags |= FKeyEsc
					}
					if kn.Flags&FBytes != 0 {
						vn.Flags |= FKeyBytes
					}
				} else {
					// A non-string key (number, tuple, None) keeps its
					// repr: its span is the source text, which stays put
					// in t.buf while decoded text is appended after it.
					vn.KS, vn.KE = kn.S, kn.E
					vn.Flags |= FKeyRepr
				}
				v = val
				i = skipSpace(b, ni)
			}
		}
		p.t.link(self, &last, v)
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
	s := &p.t.Nodes[self]
	s.E = int32(i + 1)
	s.N = count
	if closer == '}' && !isDict {
		s.Kind = Array
		s.Flags |= FSet
	}
	return self, i + 1, true
}
