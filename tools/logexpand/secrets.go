package logexpand

import (
	"bytes"
	"slices"
	"strings"
)

// Credentials in text. Values under sensitive keys are hidden wherever keys
// are known: in JSON records, and in the JSON objects and Python dicts found
// in strings and text lines. Text can also hold credentials without a
// parseable literal around them — curl's -H "X-Auth-Token: …", a query
// string's token=…, "password=…" — so free text is searched for
// "name: value" and "name=value" pairs with a sensitive name as well.
// Masking hides the value and keeps everything else byte for byte.

// masked returns the span of t.buf[s:e] with credentials replaced by
// [REDACTED]: the values of sensitive keys in the literals x.emb[base:]
// (found in that text), and the values of sensitive "name: value" and
// "name=value" pairs. It is a copy appended to t.buf when anything was
// hidden, else s, e itself.
func (x *Expander) masked(s, e int32, base int) (int32, int32) {
	if x.opts.ShowSecrets {
		return s, e
	}
	x.masks = x.masks[:0]
	for k := base; k < len(x.emb); k++ {
		x.collectMasks(x.emb[k].root)
	}
	x.pairMasks(s, e)
	if len(x.masks) == 0 {
		return s, e
	}
	slices.SortFunc(x.masks, func(a, b span) int { return int(a.s - b.s) })
	ns := len(x.t.buf)
	at := s
	for _, m := range x.masks {
		if m.e <= at {
			continue // inside one already hidden
		}
		if m.s > at {
			x.t.buf = append(x.t.buf, x.t.buf[at:m.s]...)
		}
		x.t.buf = append(x.t.buf, "[REDACTED]"...)
		at = m.e
	}
	x.t.buf = append(x.t.buf, x.t.buf[at:e]...)
	return int32(ns), int32(len(x.t.buf))
}

// collectMasks appends to x.masks the spans to hide under c: the content of
// a string value, or the whole text of any other value.
func (x *Expander) collectMasks(c int32) {
	n := x.t.nodes[c]
	if n.kind != kObject && n.kind != kArray {
		return
	}
	for k := n.child; k >= 0; k = x.t.nodes[k].next {
		if n.kind == kObject && x.hides(k, x.keyText(k)) {
			m := x.t.nodes[k]
			x.masks = append(x.masks, span{m.s, m.e})
			continue
		}
		x.collectMasks(k)
	}
}

// authSchemes are the words before the credential in an Authorization
// header value.
var authSchemes = [][]byte{[]byte("bearer"), []byte("basic"), []byte("digest"), []byte("negotiate"), []byte("token")}

// pairMasks appends to x.masks the values of "name: value", "name=value"
// and "'name': 'value'" pairs in t.buf[s:e] whose name is sensitive.
func (x *Expander) pairMasks(s, e int32) {
	b := x.t.buf[:e]
	// The next ':' and '=' are found with IndexByte, which is vectorised:
	// most text has few of them, and a long line costs little.
	nextColon, nextEq := -1, -1
	for i := int(s); i < len(b); i++ {
		if nextColon < i {
			if nextColon = bytes.IndexByte(b[i:], ':'); nextColon < 0 {
				nextColon = len(b)
			} else {
				nextColon += i
			}
		}
		if nextEq < i {
			if nextEq = bytes.IndexByte(b[i:], '='); nextEq < 0 {
				nextEq = len(b)
			} else {
				nextEq += i
			}
		}
		i = min(nextColon, nextEq)
		if i >= len(b) {
			return
		}
		c := b[i]
		if c == ':' && (i+1 >= len(b) || b[i+1] != ' ' && b[i+1] != '\t') {
			continue // "name: value" and "name=value" only: not 09:30, not http://
		}
		// The name: letters, digits, '_', '-', '.', maybe quoted.
		ne := i
		var quote byte
		if ne > int(s) && (b[ne-1] == '"' || b[ne-1] == '\'') {
			quote = b[ne-1]
			ne--
		}
		ns := ne
		for ns > int(s) && (isIdentChar(b[ns-1]) || b[ns-1] == '-' || b[ns-1] == '.') {
			ns--
		}
		if ne-ns < 4 || b[ns] >= '0' && b[ns] <= '9' || ns > int(s) && b[ns-1] == '/' {
			continue // too short, a number, or a path (nova/session.py:155)
		}
		opened := byte(0) // the quote before the name: curl's -H "X-Auth-Token: x"
		if quote != 0 {
			if ns == int(s) || b[ns-1] != quote {
				continue
			}
		} else if ns > int(s) && (b[ns-1] == '"' || b[ns-1] == '\'') {
			opened = b[ns-1]
		}
		if !x.sensitive(b[ns:ne]) {
			continue
		}
		j := i + 1
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if j >= len(b) {
			continue
		}
		for k := j; k < len(b) && k < j+2 && strings.IndexByte("ubrUBR", b[k]) >= 0; k++ {
			if k+1 < len(b) && (b[k+1] == '\'' || b[k+1] == '"') {
				j = k + 1 // a Python prefix: u'…', b'…', br'…'
				break
			}
		}
		vs, ve := j, j
		switch {
		case b[j] == '"' || b[j] == '\'':
			q := b[j]
			vs = j + 1
			ve = vs
			for ve < len(b) && b[ve] != q {
				if b[ve] == '\\' {
					ve++
				}
				ve++
			}
			ve = min(ve, len(b))
		case opened != 0:
			ve = j
			for ve < len(b) && b[ve] != opened {
				ve++
			}
		default:
			ve = valueEnd(b, j)
			if ve < len(b) && b[ve] == ' ' && isScheme(b[j:ve]) {
				ve = valueEnd(b, ve+1)
			}
		}
		if ve <= vs || isNothing(b[vs:ve]) || c == ':' && bytes.IndexByte(b[ns:ne], '.') >= 0 && allDigits(b[vs:ve]) {
			continue // nothing to hide, or file.py:155
		}
		x.masks = append(x.masks, span{int32(vs), int32(ve)})
		i = ve
	}
}

func valueEnd(b []byte, j int) int {
	for j < len(b) {
		switch b[j] {
		case ' ', '\t', '&', ',', ';', '"', '\'', ')', ']', '}', '>':
			return j
		}
		j++
	}
	return j
}

func isScheme(w []byte) bool {
	for _, s := range authSchemes {
		if len(w) == len(s) && bytes.EqualFold(w, s) {
			return true
		}
	}
	return false
}

// isNothing reports whether a value hides nothing: None, null, or already
// masked.
func isNothing(v []byte) bool {
	switch string(v) {
	case "None", "null", "[REDACTED]", "***", "<SANITIZED>", "TOKEN_REDACTED":
		return true
	}
	return false
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
