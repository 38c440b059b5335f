package logexpand

import (
	"bytes"
	"strconv"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
)

// Flattened output, gron's idea with our own root name: one statement per
// line, "path = value", where value is JSON ({} and [] for containers, which
// then get a line per member):
//
//	json = {}
//	json.context = {}
//	json.context.request_id = "req-1"
//	json.exception.chain[0].message = "x"
//	json["odd key"] = 1
//
// Each statement carries the record's grep prefix, so grepping the output
// keeps the file and line of the record. A string that holds JSON (or a
// Python dict) as a whole is printed as the string it is, so the round trip
// through [Unflatten] is exact, and then its expansion follows as derived
// statements whose path holds a <json> (or <python>) step:
//
//	json.body = "{\"server\":{\"name\":\"vm1\"}}"
//	json.body<json> = {}
//	json.body<json>.server = {}
//	json.body<json>.server.name = "vm1"
//
// Unflatten skips derived statements: they repeat what the string says.
// JSON objects and dicts found inside longer strings are not flattened
// (grep the string); their credentials are masked in it all the same.
//
// Strings are written with JSON's escapes plus \xNN for a byte that is not
// UTF-8, which Unflatten reads back, so even such bytes survive. Numbers
// keep their text. Under --depth, a deeper value is one statement with its
// compact JSON, which Unflatten takes whole. Lines that are not JSON pass
// through unchanged. So `--flatten --show-secrets | --unflatten` gives back
// every JSON line as compact JSON with sorted keys and the same data, and
// every other line as it was; without --show-secrets, credentials come back
// as "[REDACTED]".
const flatRoot = "json"

func (x *Expander) flattenRecord(dst, header []byte, root int32) []byte {
	x.path = append(x.path[:0], flatRoot...)
	start := len(dst)
	dst, ok := x.flatValue(dst, header, root, 0, x.sel, false)
	if !ok {
		return dst[:start]
	}
	return dst
}

func (x *Expander) stmt(dst, header []byte) []byte {
	dst = append(dst, header...)
	dst = append(dst, x.path...)
	return append(dst, " = "...)
}

// flatValue appends the statements for node c at x.path, at depth.
func (x *Expander) flatValue(dst, header []byte, c int32, depth int, sel *selector, derived bool) ([]byte, bool) {
	n := x.t.Nodes[c]
	switch n.Kind {
	case jsontree.Object, jsontree.Array:
		if x.limited(depth) && depth > 0 {
			if sel != nil {
				return dst, false
			}
			dst = x.stmt(dst, header)
			dst = x.compact(dst, c)
			return append(dst, '\n'), true
		}
		mark := len(dst)
		dst = x.stmt(dst, header)
		if n.Kind == jsontree.Object {
			dst = append(dst, "{}\n"...)
		} else {
			dst = append(dst, "[]\n"...)
		}
		if n.N == 0 {
			return dst, sel == nil
		}
		plen := len(x.path)
		any := false
		if n.Kind == jsontree.Object {
			base := x.sortedChildren(c)
			for i := base; i < len(x.order); i++ {
				k := x.order[i]
				key, csel, in := x.selected(k, sel)
				if !in {
					continue
				}
				x.path = appendPathKey(x.path[:plen], key)
				var ok bool
				if x.hides(k, key) {
					dst = x.stmt(dst, header)
					dst = append(dst, masked...)
					dst, ok = append(dst, '\n'), true
				} else {
					dst, ok = x.flatValue(dst, header, k, depth+1, csel, derived)
				}
				any = any || ok
			}
			x.order = x.order[:base]
		} else {
			i := 0
			for k := n.Child; k >= 0; k = x.t.Nodes[k].Next {
				x.path = append(x.path[:plen], '[')
				x.path = strconv.AppendInt(x.path, int64(i), 10)
				x.path = append(x.path, ']')
				var ok bool
				dst, ok = x.flatValue(dst, header, k, depth+1, sel, derived)
				any = any || ok
				i++
			}
		}
		x.path = x.path[:plen]
		if !any && sel != nil {
			return dst[:mark], false
		}
		return dst, true
	case jsontree.String:
		return x.flatString(dst, header, c, depth, sel)
	}
	if sel != nil {
		return dst, false
	}
	dst = x.stmt(dst, header)
	dst = x.appendScalar(dst, &n)
	return append(dst, '\n'), true
}

func (x *Expander) flatString(dst, header []byte, c int32, depth int, sel *selector) ([]byte, bool) {
	n := x.t.Nodes[c]
	if n.Flags&jsontree.FSlow == 0 {
		if sel != nil {
			return dst, false
		}
		dst = x.stmt(dst, header)
		dst = append(dst, '"')
		dst = append(dst, x.t.Buf[n.S:n.E]...)
		dst = append(dst, '"', '\n')
		return dst, true
	}
	s, e := x.strSpan(c)
	root, python, whole := x.whole(s, e)
	mark := len(dst)
	if sel == nil {
		base := len(x.emb)
		if whole {
			x.emb = append(x.emb, embedded{root: root})
		} else if !x.opts.NoEmbedded && bytes.IndexByte(x.t.Buf[s:e], '{') >= 0 {
			x.findEmbedded(s, e)
		}
		ms, me := x.masked(s, e, base)
		x.emb = x.emb[:base]
		dst = x.stmt(dst, header)
		dst = appendQuoted(dst, x.t.Buf[ms:me])
		dst = append(dst, '\n')
	}
	if !whole {
		return dst, sel == nil
	}
	plen := len(x.path)
	if python {
		x.path = append(x.path, "<python>"...)
	} else {
		x.path = append(x.path, "<json>"...)
	}
	dst, ok := x.flatValue(dst, header, root, depth, sel, true)
	x.path = x.path[:plen]
	if !ok && sel != nil {
		return dst[:mark], false
	}
	return dst, true
}

// appendPathKey appends a path step for key: .key for an identifier,
// ["key"] otherwise.
func appendPathKey(path, key []byte) []byte {
	if isIdent(key) {
		path = append(path, '.')
		return append(path, key...)
	}
	path = append(path, '[')
	path = appendQuoted(path, key)
	return append(path, ']')
}

func isIdent(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i, c := range b {
		if c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}
