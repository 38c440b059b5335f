package logexpand

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
	"github.com/auditlog-go/auditlog/tools/logline"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
)

// An unflattener turns --flatten statements back into one compact JSON line
// per record, keys sorted. A record starts at its root statement
// ("json = {}"), or where the prefix before the statements changes (so
// grep -n output of several records stays apart); it ends where the next
// one starts, at a line that is not a statement (which passes through
// unchanged), or at the end of input. Derived statements (a path with a
// <json> or <python> step) are skipped: they repeat a string's content.
//
// With sensitive set, what it writes hides credentials as everything else
// log-expand writes does: a sensitive member's value, and a credential quoted
// in a string or in a line that passes through, become [REDACTED]. --flatten
// has hidden them already unless --show-secrets; this keeps --unflatten from
// printing them when its input came from elsewhere.
type unflattener struct {
	root      *unode
	header    []byte
	open      bool
	steps     []step
	sensitive func([]byte) bool
}

// unode is one value of the record being rebuilt.
type unode struct {
	kind jsontree.Kind
	raw  []byte // a scalar's JSON text
	keys [][]byte
	kids []*unode
}

type step struct {
	key   []byte // an object key, or nil for an index
	index int
}

func newUnflattener(sensitive func([]byte) bool) *unflattener {
	return &unflattener{sensitive: sensitive}
}

// Unflatten converts the text of --flatten output back into JSON lines,
// for tests and for callers without an input.Reader. It gives back exactly
// what it reads, credentials included; log-expand --unflatten hides them
// unless --show-secrets (see [StreamOptions]).
func Unflatten(text []byte) []byte {
	u := newUnflattener(nil)
	var out []byte
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		line := text
		if i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		out = u.line(out, nil, line)
	}
	return u.flush(out)
}

// line takes one input line: header is the prefix already split off (file
// name, grep's prefix), text the rest.
func (u *unflattener) line(dst, header, text []byte) []byte {
	full := text
	if len(header) > 0 {
		full = append(append(make([]byte, 0, len(header)+len(text)), header...), text...)
	}
	at, derived, val, ok := u.statement(full)
	if !ok {
		dst = u.flush(dst)
		dst = append(dst, header...)
		if u.sensitive != nil {
			dst = logline.AppendMaskedText(dst, text, u.sensitive)
		} else {
			dst = append(dst, text...)
		}
		return append(dst, '\n')
	}
	prefix := full[:at]
	if derived {
		return dst
	}
	if len(u.steps) == 0 || !u.open || !bytes.Equal(prefix, u.header) {
		dst = u.flush(dst)
		u.open = true
		u.header = append(u.header[:0], prefix...)
		u.root = nil
	}
	u.root = set(u.root, u.steps, val)
	return dst
}

// flush appends the record being built, if any.
func (u *unflattener) flush(dst []byte) []byte {
	if !u.open {
		return dst
	}
	u.open = false
	dst = append(dst, u.header...)
	if u.root == nil {
		dst = append(dst, "null"...)
	} else {
		dst = u.root.appendJSON(dst, u.sensitive)
	}
	return append(dst, '\n')
}

// statement finds a statement in line: the root name at the start or
// after a prefix ending in ':' or '-', its path (into u.steps), " = " and a
// JSON value. It returns where the statement starts.
func (u *unflattener) statement(line []byte) (at int, derived bool, val *unode, ok bool) {
	for from := 0; ; {
		i := bytes.Index(line[from:], []byte(flatRoot))
		if i < 0 {
			return 0, false, nil, false
		}
		at = from + i
		from = at + 1
		if at > 0 && line[at-1] != ':' && line[at-1] != '-' {
			continue
		}
		if derived, val, ok = u.parseStatement(line[at+len(flatRoot):]); ok {
			return at, derived, val, true
		}
	}
}

func (u *unflattener) parseStatement(b []byte) (derived bool, val *unode, ok bool) {
	u.steps = u.steps[:0]
	i := 0
	for {
		if i >= len(b) {
			return false, nil, false
		}
		switch b[i] {
		case '.':
			j := i + 1
			for j < len(b) && (b[j] == '_' || b[j] == '$' || b[j]|0x20 >= 'a' && b[j]|0x20 <= 'z' || j > i+1 && b[j] >= '0' && b[j] <= '9') {
				j++
			}
			if j == i+1 {
				return false, nil, false
			}
			u.steps = append(u.steps, step{key: b[i+1 : j]})
			i = j
			continue
		case '[':
			if i+1 < len(b) && b[i+1] == '"' {
				s, end, good := parseFlatString(b, i+1)
				if !good || end >= len(b) || b[end] != ']' {
					return false, nil, false
				}
				u.steps = append(u.steps, step{key: s})
				i = end + 1
				continue
			}
			j := i + 1
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			if j == i+1 || j >= len(b) || b[j] != ']' || j-i > 10 {
				return false, nil, false
			}
			n, _ := strconv.Atoi(string(b[i+1 : j]))
			u.steps = append(u.steps, step{index: n})
			i = j + 1
			continue
		case '<':
			if bytes.HasPrefix(b[i:], []byte("<json>")) || bytes.HasPrefix(b[i:], []byte("<python>")) {
				return true, nil, true
			}
			return false, nil, false
		case ' ':
			if !bytes.HasPrefix(b[i:], []byte(" = ")) {
				return false, nil, false
			}
			v, end, good := parseFlatValue(b, i+3, 0)
			if !good || jsonscan.SkipWS(b, end) != len(b) {
				return false, nil, false
			}
			return false, v, true
		}
		return false, nil, false
	}
}

// set stores val at path under n, making the containers on the way, and
// returns the (possibly new) n. An index past the end pads with null, as
// after a grep that dropped elements.
func set(n *unode, path []step, val *unode) *unode {
	if len(path) == 0 {
		if n != nil && val.kind == n.kind && (val.kind == jsontree.Object || val.kind == jsontree.Array) && len(val.kids) == 0 {
			return n // "x = {}" after its members: keep them
		}
		return val
	}
	s := path[0]
	if s.key != nil {
		if n == nil || n.kind != jsontree.Object {
			n = &unode{kind: jsontree.Object}
		}
		for i, k := range n.keys {
			if bytes.Equal(k, s.key) {
				n.kids[i] = set(n.kids[i], path[1:], val)
				return n
			}
		}
		n.keys = append(n.keys, bytes.Clone(s.key))
		n.kids = append(n.kids, set(nil, path[1:], val))
		return n
	}
	if n == nil || n.kind != jsontree.Array {
		n = &unode{kind: jsontree.Array}
	}
	if s.index > 1<<20 {
		return n // not from --flatten: refuse to pad a million nulls
	}
	for len(n.kids) <= s.index {
		n.kids = append(n.kids, &unode{kind: jsontree.Null, raw: []byte("null")})
	}
	n.kids[s.index] = set(n.kids[s.index], path[1:], val)
	return n
}

// appendJSON writes n as compact JSON, keys sorted, hiding credentials
// when sensitive is set (see [unflattener]).
func (n *unode) appendJSON(dst []byte, sensitive func([]byte) bool) []byte {
	switch n.kind {
	case jsontree.Object:
		idx := make([]int, len(n.keys))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return bytes.Compare(n.keys[a], n.keys[b]) })
		dst = append(dst, '{')
		for j, i := range idx {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, n.keys[i])
			dst = append(dst, ':')
			if k := n.kids[i]; sensitive != nil && sensitive(n.keys[i]) && k.says() {
				dst = append(dst, masked...)
				continue
			}
			dst = n.kids[i].appendJSON(dst, sensitive)
		}
		return append(dst, '}')
	case jsontree.Array:
		dst = append(dst, '[')
		for i, k := range n.kids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = k.appendJSON(dst, sensitive)
		}
		return append(dst, ']')
	case jsontree.String:
		if sensitive != nil {
			return appendJSONString(dst, logline.AppendMaskedText(nil, n.raw, sensitive))
		}
		return appendJSONString(dst, n.raw)
	}
	return append(dst, n.raw...)
}

// says reports whether n holds more than null or "": what [Expander.hides]
// leaves alone under a sensitive key, since it reveals nothing.
func (n *unode) says() bool {
	return n != nil && n.kind != jsontree.Null && !(n.kind == jsontree.String && len(n.raw) == 0)
}

// appendJSONString writes s as a JSON string: quotes, backslashes and
// control characters escaped, every other byte as it is (so bytes that were
// not UTF-8 in the input are not UTF-8 in the output either).
func appendJSONString(dst, s []byte) []byte { return jsonscan.Bytes.AppendQuoted(dst, s) }

// parseFlatString reads the quoted string at b[i] as --flatten writes it:
// JSON's escapes plus \xNN for a byte. It returns the decoded bytes and the
// position after the closing quote.
func parseFlatString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	var out []byte
	i++
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			if out == nil {
				out = []byte{}
			}
			return out, i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return nil, i, false
			}
			switch e := b[i+1]; e {
			case 'x':
				if i+4 > len(b) || jsonscan.Unhex(b[i+2]) < 0 || jsonscan.Unhex(b[i+3]) < 0 {
					return nil, i, false
				}
				out = append(out, byte(jsonscan.Unhex(b[i+2])<<4|jsonscan.Unhex(b[i+3])))
				i += 4
			case 'u':
				if i+6 > len(b) || !jsontree.IsHex4(b[i+2:]) {
					return nil, i, false
				}
				j := i + 6
				if r, _ := jsonscan.Hex4(b[i+2:]); r >= 0xD800 && r < 0xDC00 &&
					j+6 <= len(b) && b[j] == '\\' && b[j+1] == 'u' && jsontree.IsHex4(b[j+2:]) {
					j += 6 // a surrogate pair: decodeJSON joins them
				}
				out = decodeJSON(out, b[i:j])
				i = j
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				out = decodeJSON(out, b[i:i+2])
				i += 2
			default:
				return nil, i, false
			}
		case c < 0x20:
			return nil, i, false
		default:
			j := i + 1
			for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 {
				j++
			}
			out = append(out, b[i:j]...)
			i = j
		}
	}
	return nil, i, false
}

// parseFlatValue reads one JSON value (with --flatten's strings) at b[i].
func parseFlatValue(b []byte, i, depth int) (*unode, int, bool) {
	if depth > jsontree.MaxDepth {
		return nil, i, false
	}
	i = jsonscan.SkipWS(b, i)
	if i >= len(b) {
		return nil, i, false
	}
	switch c := b[i]; {
	case c == '"':
		s, end, ok := parseFlatString(b, i)
		if !ok {
			return nil, i, false
		}
		return &unode{kind: jsontree.String, raw: s}, end, true
	case c == '{':
		n := &unode{kind: jsontree.Object}
		i = jsonscan.SkipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			return n, i + 1, true
		}
		for {
			i = jsonscan.SkipWS(b, i)
			k, end, ok := parseFlatString(b, i)
			if !ok {
				return nil, i, false
			}
			i = jsonscan.SkipWS(b, end)
			if i >= len(b) || b[i] != ':' {
				return nil, i, false
			}
			v, end, ok := parseFlatValue(b, i+1, depth+1)
			if !ok {
				return nil, i, false
			}
			n.keys = append(n.keys, k)
			n.kids = append(n.kids, v)
			i = jsonscan.SkipWS(b, end)
			if i < len(b) && b[i] == ',' {
				i++
				continue
			}
			if i < len(b) && b[i] == '}' {
				return n, i + 1, true
			}
			return nil, i, false
		}
	case c == '[':
		n := &unode{kind: jsontree.Array}
		i = jsonscan.SkipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return n, i + 1, true
		}
		for {
			v, end, ok := parseFlatValue(b, i, depth+1)
			if !ok {
				return nil, i, false
			}
			n.kids = append(n.kids, v)
			i = jsonscan.SkipWS(b, end)
			if i < len(b) && b[i] == ',' {
				i++
				continue
			}
			if i < len(b) && b[i] == ']' {
				return n, i + 1, true
			}
			return nil, i, false
		}
	case c == '-' || c >= '0' && c <= '9':
		end, ok := jsontree.ScanNumber(b, i)
		if !ok {
			return nil, i, false
		}
		return &unode{kind: jsontree.Number, raw: bytes.Clone(b[i:end])}, end, true
	}
	for _, lit := range [...]struct {
		s string
		k jsontree.Kind
	}{{"true", jsontree.True}, {"false", jsontree.False}, {"null", jsontree.Null}} {
		if bytes.HasPrefix(b[i:], []byte(lit.s)) {
			return &unode{kind: lit.k, raw: []byte(lit.s)}, i + len(lit.s), true
		}
	}
	return nil, i, false
}
