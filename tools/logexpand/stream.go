package logexpand

import (
	"bytes"
	"encoding/binary"

	"github.com/auditlog-go/auditlog/internal/jsonscan"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
)

// The fast path. Most lines are objects whose keys are already sorted (ours
// always are), so they can be rendered while they are parsed, in one pass,
// without building a tree: each key is checked against the one before it,
// and the first key out of order, or anything the fast path does not
// handle, abandons the attempt; the line is then parsed into a tree and
// rendered by members/value as usual. Both paths give the same output,
// byte for byte (FuzzStreamMatchesTree checks it). Strings that need more
// than a copy (escapes, JSON or Python inside, credentials in text) are
// handed to stringValue through a one-node tree, so their rendering is
// written once.

// maxStreamDepth bounds the recursion of the fast path; deeper lines take
// the tree path, which has its own bound.
const maxStreamDepth = 64

// stream appends the rendering of the object line in t.buf, or reports
// false (with dst to be dropped past its length on entry) when the tree
// path must do it.
func (x *Expander) stream(dst, header []byte) ([]byte, bool) {
	if x.sel != nil || x.opts.Depth > 0 || x.opts.Flatten || x.noStream {
		return dst, false
	}
	b := x.t.Buf
	i := 0
	if bytes.HasPrefix(b, bom) {
		i = len(bom)
	}
	i = jsonscan.SkipWS(b, i)
	if i >= len(b) || b[i] != '{' {
		return dst, false
	}
	if len(header) > 0 {
		dst = append(dst, header...)
		dst = append(dst, ' ')
	}
	j := jsonscan.SkipWS(b, i+1)
	if j < len(b) && b[j] == '}' {
		if jsonscan.SkipWS(b, j+1) != len(b) {
			return dst, false
		}
		return append(dst, '{', '}', '\n'), true
	}
	dst = append(dst, '{', '\n')
	dst, end, ok := x.streamMembers(dst, i, 2, 1, false)
	if !ok || jsonscan.SkipWS(b, end) != len(b) {
		return dst, false
	}
	return append(dst, '}', '\n'), true
}

// streamMembers renders the members of the non-empty object at b[i] ('{')
// at indent, and returns the position after it.
func (x *Expander) streamMembers(dst []byte, i, indent, depth int, inlineFirst bool) ([]byte, int, bool) {
	b := x.t.Buf
	if depth > maxStreamDepth {
		return dst, i, false
	}
	var prev []byte
	var prevPrefix uint64
	first := true
	i++
	for {
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) || b[i] != '"' {
			return dst, i, false
		}
		ke, info, prefix, ok := x.scanKey(b, i+1)
		if !ok {
			return dst, i, false
		}
		key := b[i+1 : ke]
		// Keys are compared by their first eight bytes as one number
		// first, which settles almost every comparison.
		if !first && (prevPrefix > prefix || prevPrefix == prefix && bytes.Compare(prev, key) > 0) {
			return dst, i, false // not sorted: the tree sorts it
		}
		i = jsonscan.SkipWS(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return dst, i, false
		}
		ind := indent
		if first && inlineFirst {
			ind = 0
		}
		first, prev, prevPrefix = false, key, prefix
		if info&kiBare != 0 && !x.opts.Color {
			dst = appendIndentKey(dst, ind, key)
		} else {
			dst = appendIndent(dst, ind)
			dst = x.appendKey(dst, key, false)
		}
		dst = append(dst, ':')
		if info&kiStack != 0 && jsonscan.SkipWS(b, i+1) < len(b) && b[jsonscan.SkipWS(b, i+1)] == '[' {
			return dst, i, false // a traceback as a list of lines: the tree prints it as lines
		}
		if info&kiSensitive != 0 {
			dst, i, ok = x.streamMasked(dst, i+1, indent, depth)
		} else {
			dst, i, ok = x.streamValue(dst, i+1, indent, depth, depth == 1 && info&kiLevel != 0)
		}
		if !ok {
			return dst, i, false
		}
		var more bool
		if i, more, ok = separator(b, i, '}'); !more {
			return dst, i, ok
		}
	}
}

// streamMasked renders the value of a sensitive key: [REDACTED], unless it
// is null or "" (which hide nothing and are shown).
func (x *Expander) streamMasked(dst []byte, i, indent, depth int) ([]byte, int, bool) {
	b := x.t.Buf
	i = jsonscan.SkipWS(b, i)
	if bytes.HasPrefix(b[i:], jsontree.LitNull) || i+1 < len(b) && b[i] == '"' && b[i+1] == '"' {
		return x.streamValue(dst, i, indent, depth, false)
	}
	nodes := len(x.t.Nodes)
	_, end, ok := x.t.ParseJSON(i, len(b))
	x.t.Nodes = x.t.Nodes[:nodes]
	if !ok {
		return dst, i, false
	}
	dst = append(dst, ' ')
	dst = x.colored(dst, colorSecret, []byte(masked))
	return append(dst, '\n'), end, true
}

// streamValue renders the value at b[i] after its key (or "-"), as value
// does, and returns the position after it.
func (x *Expander) streamValue(dst []byte, i, indent, depth int, level bool) ([]byte, int, bool) {
	b := x.t.Buf
	i = jsonscan.SkipWS(b, i)
	if i >= len(b) {
		return dst, i, false
	}
	switch c := b[i]; c {
	case '"':
		s, e, flags, ok := jsontree.ScanString(b, i+1)
		if !ok {
			return dst, i, false
		}
		if flags&jsontree.FSlow == 0 {
			if level && x.opts.Color {
				if color := levelColor(b[s:e]); color != nil {
					dst = append(dst, ' ')
					dst = append(dst, color...)
					dst = append(dst, '"')
					dst = append(dst, b[s:e]...)
					dst = append(dst, '"')
					dst = append(dst, colorReset...)
					return append(dst, '\n'), e + 1, true
				}
			}
			dst = append(dst, ' ', '"')
			dst = append(dst, b[s:e]...)
			return append(dst, '"', '\n'), e + 1, true
		}
		// One node for stringValue; whatever it parses goes after it.
		nodes := len(x.t.Nodes)
		x.t.Nodes = append(x.t.Nodes, jsontree.Node{Kind: jsontree.String, Flags: flags, S: int32(s), E: int32(e), Child: -1, Next: -1})
		dst, _ = x.stringValue(dst, int32(nodes), indent, depth, nil, level)
		x.t.Nodes = x.t.Nodes[:nodes]
		x.t.Buf = x.t.Buf[:len(b)]
		return dst, e + 1, true
	case '{':
		j := jsonscan.SkipWS(b, i+1)
		if j < len(b) && b[j] == '}' {
			return append(dst, " {}\n"...), j + 1, true
		}
		dst = append(dst, '\n')
		return x.streamMembers(dst, i, indent+2, depth+1, false)
	case '[':
		j := jsonscan.SkipWS(b, i+1)
		if j < len(b) && b[j] == ']' {
			return append(dst, " []\n"...), j + 1, true
		}
		if out, end, ok := x.streamInline(dst, i); ok {
			return out, end, true
		}
		dst = append(dst, '\n')
		return x.streamItems(dst, i, indent+2, depth+1)
	case 't':
		if bytes.HasPrefix(b[i:], jsontree.LitTrue) {
			return append(dst, " true\n"...), i + 4, true
		}
	case 'f':
		if bytes.HasPrefix(b[i:], jsontree.LitFalse) {
			return append(dst, " false\n"...), i + 5, true
		}
	case 'n':
		if bytes.HasPrefix(b[i:], jsontree.LitNull) {
			return append(dst, " null\n"...), i + 4, true
		}
	default:
		if c == '-' || c >= '0' && c <= '9' {
			e, ok := jsontree.ScanNumber(b, i)
			if !ok {
				return dst, i, false
			}
			dst = append(dst, ' ')
			dst = append(dst, b[i:e]...)
			return append(dst, '\n'), e, true
		}
	}
	return dst, i, false
}

// streamInline renders the array at b[i] on one line when inline would:
// only plain scalars, at most 72 bytes.
func (x *Expander) streamInline(dst []byte, i int) ([]byte, int, bool) {
	const maxWidth = 72
	b := x.t.Buf
	mark := len(dst)
	dst = append(dst, ' ', '[')
	i++
	for first := true; ; first = false {
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) {
			return dst[:mark], i, false
		}
		if !first {
			dst = append(dst, ',', ' ')
		}
		switch c := b[i]; {
		case c == '"':
			s, e, flags, ok := jsontree.ScanString(b, i+1)
			if !ok || flags&jsontree.FSlow != 0 {
				return dst[:mark], i, false
			}
			dst = append(dst, '"')
			dst = append(dst, b[s:e]...)
			dst = append(dst, '"')
			i = e + 1
		case c == '-' || c >= '0' && c <= '9':
			e, ok := jsontree.ScanNumber(b, i)
			if !ok {
				return dst[:mark], i, false
			}
			dst = append(dst, b[i:e]...)
			i = e
		case bytes.HasPrefix(b[i:], jsontree.LitTrue):
			dst = append(dst, jsontree.LitTrue...)
			i += 4
		case bytes.HasPrefix(b[i:], jsontree.LitFalse):
			dst = append(dst, jsontree.LitFalse...)
			i += 5
		case bytes.HasPrefix(b[i:], jsontree.LitNull):
			dst = append(dst, jsontree.LitNull...)
			i += 4
		default:
			return dst[:mark], i, false
		}
		if len(dst)-mark > maxWidth {
			return dst[:mark], i, false
		}
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) {
			return dst[:mark], i, false
		}
		if b[i] == ']' {
			return append(dst, ']', '\n'), i + 1, true
		}
		if b[i] != ',' {
			return dst[:mark], i, false
		}
		i++
	}
}

// streamItems renders the elements of the non-empty array at b[i], one
// "- " item per line at indent, as items does.
func (x *Expander) streamItems(dst []byte, i, indent, depth int) ([]byte, int, bool) {
	b := x.t.Buf
	if depth > maxStreamDepth {
		return dst, i, false
	}
	i++
	for {
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) {
			return dst, i, false
		}
		dst = appendIndent(dst, indent)
		dst = append(dst, '-')
		var ok bool
		if b[i] == '{' && jsonscan.SkipWS(b, i+1) < len(b) && b[jsonscan.SkipWS(b, i+1)] != '}' {
			dst = append(dst, ' ')
			dst, i, ok = x.streamMembers(dst, i, indent+2, depth+1, true)
		} else {
			dst, i, ok = x.streamValue(dst, i, indent, depth, false)
		}
		if !ok {
			return dst, i, false
		}
		var more bool
		if i, more, ok = separator(b, i, ']'); !more {
			return dst, i, ok
		}
	}
}

// appendIndentKey appends indent spaces and key, as appendIndent and
// append do, but by words when there is room: keys and indents are short,
// and a copy call for each costs more than the bytes.
func appendIndentKey(dst []byte, indent int, key []byte) []byte {
	const spaces8 = jsontree.Lo8 * ' '
	l, n := len(dst), len(key)
	if indent > 16 || n > maxCachedKey || cap(key) < maxCachedKey || cap(dst)-l < 16+maxCachedKey {
		dst = appendIndent(dst, indent)
		return append(dst, key...)
	}
	d := dst[l : l+16+maxCachedKey]
	binary.LittleEndian.PutUint64(d, spaces8)
	binary.LittleEndian.PutUint64(d[8:], spaces8)
	k, w := d[indent:indent+maxCachedKey], key[:maxCachedKey]
	binary.LittleEndian.PutUint64(k, binary.LittleEndian.Uint64(w))
	binary.LittleEndian.PutUint64(k[8:], binary.LittleEndian.Uint64(w[8:]))
	binary.LittleEndian.PutUint64(k[16:], binary.LittleEndian.Uint64(w[16:]))
	return dst[:l+indent+n]
}

// separator reads what follows a member or an element at b[i]: a comma
// (more follow, from next) or closer (the container ends just before next);
// anything else is not ok.
func separator(b []byte, i int, closer byte) (next int, more, ok bool) {
	i = jsonscan.SkipWS(b, i)
	if i >= len(b) {
		return i, false, false
	}
	switch b[i] {
	case ',':
		return i + 1, true, true
	case closer:
		return i + 1, false, true
	}
	return i, false, false
}
