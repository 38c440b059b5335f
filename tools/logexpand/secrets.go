package logexpand

import (
	"slices"

	"github.com/auditlog-go/auditlog/tools/logline"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
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
	ns := len(x.t.Buf)
	at := s
	for _, m := range x.masks {
		if m.e <= at {
			continue // inside one already hidden
		}
		if m.s > at {
			x.t.Buf = append(x.t.Buf, x.t.Buf[at:m.s]...)
		}
		x.t.Buf = append(x.t.Buf, logline.Masked...)
		at = m.e
	}
	x.t.Buf = append(x.t.Buf, x.t.Buf[at:e]...)
	return int32(ns), int32(len(x.t.Buf))
}

// collectMasks appends to x.masks the spans to hide under c: the content of
// a string value, or the whole text of any other value.
func (x *Expander) collectMasks(c int32) {
	n := x.t.Nodes[c]
	if n.Kind != jsontree.Object && n.Kind != jsontree.Array {
		return
	}
	for k := n.Child; k >= 0; k = x.t.Nodes[k].Next {
		if n.Kind == jsontree.Object && x.hides(k, x.keyText(k)) {
			m := x.t.Nodes[k]
			x.masks = append(x.masks, span{m.S, m.E})
			continue
		}
		x.collectMasks(k)
	}
}

// pairMasks appends to x.masks the values of "name: value", "name=value"
// and "'name': 'value'" pairs in t.buf[s:e] whose name is sensitive (see
// logline.CredentialSpans, which log-format uses too).
func (x *Expander) pairMasks(s, e int32) {
	x.spans = logline.CredentialSpans(x.t.Buf[s:e], x.sensitive, x.spans[:0])
	for _, sp := range x.spans {
		x.masks = append(x.masks, span{s + int32(sp.Start), s + int32(sp.End)})
	}
}
