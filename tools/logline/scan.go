package logline

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// Fields is a compiled set of dotted paths into a JSON object line. Each
// path has a slot; [Fields.Extract] fills a slice indexed by slot with the
// raw JSON text of each value found. A Fields is built once, then used
// read-only, so it is safe for concurrent Extract calls.
type Fields struct {
	root  node
	paths []string
}

// node holds the keys asked for at one level of the line.
type node struct {
	byLen [32][]*kid // keys shorter than 32 bytes, by length: most keys fail on length alone
	long  []*kid
}

// kid is one key at a level: a value asked for (slot), a way down to
// deeper ones (sub), or both.
type kid struct {
	key  string
	slot int
	sub  *node
}

// NewFields returns an empty set.
func NewFields() *Fields { return &Fields{} }

// Add returns the slot of path, adding the path when it is new. Segments are
// separated by dots; a segment of digits also indexes an array
// ("exception.chain.0.type"). An empty path is not allowed: Add panics, the
// format compiler rejects it first.
func (f *Fields) Add(path string) int {
	if path == "" {
		panic("logline: empty path")
	}
	for i, p := range f.paths {
		if p == path {
			return i
		}
	}
	slot := len(f.paths)
	f.paths = append(f.paths, path)
	n := &f.root
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		k := n.lookup(seg)
		if k == nil {
			k = &kid{key: seg, slot: -1}
			n.add(k)
		}
		if i == len(segs)-1 {
			k.slot = slot
			break
		}
		if k.sub == nil {
			k.sub = &node{}
		}
		n = k.sub
	}
	return slot
}

// Len is the number of slots: the length Extract's out slice must have.
func (f *Fields) Len() int { return len(f.paths) }

// Path returns the path of a slot.
func (f *Fields) Path(slot int) string { return f.paths[slot] }

func (n *node) add(k *kid) {
	if len(k.key) < len(n.byLen) {
		n.byLen[len(k.key)] = append(n.byLen[len(k.key)], k)
	} else {
		n.long = append(n.long, k)
	}
}

func (n *node) lookup(key string) *kid {
	list := n.long
	if len(key) < len(n.byLen) {
		list = n.byLen[len(key)]
	}
	for _, k := range list {
		if k.key == key {
			return k
		}
	}
	return nil
}

// find matches a key as it appears in the line (raw, between its quotes).
// Keys written with escapes ("\u0061ction") are decoded first: rare, so slow.
func (n *node) find(raw []byte) *kid {
	list := n.long
	if len(raw) < len(n.byLen) {
		list = n.byLen[len(raw)]
	}
	for _, k := range list {
		if k.key == string(raw) {
			return k
		}
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return nil
	}
	var buf [64]byte
	return n.lookup(string(appendUnquoted(buf[:0], raw, false)))
}

// Extract walks line, which must be one JSON object (surrounding white space
// allowed), and sets out[slot] to the raw text of each asked-for value, or nil
// when the line does not have it. out must have Len() elements; the values
// alias line. It reports false when line is not a JSON object; out is then
// undefined. When a key occurs twice, the last value wins, as in jq.
//
// The walk checks the structure of the line (quotes, brackets, commas and
// colons in their places) but not the contents of values it skips: a number
// like 1.2.3 deep inside an object nobody asked for goes unnoticed.
func (f *Fields) Extract(line []byte, out [][]byte) bool {
	for i := range out {
		out[i] = nil
	}
	i := jsonscan.SkipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	end, ok := object(line, i, &f.root, out)
	if !ok {
		return false
	}
	return jsonscan.SkipWS(line, end) == len(line)
}

// object walks the object that starts at b[i] ('{') and returns the index
// just after its '}'.
func object(b []byte, i int, n *node, out [][]byte) (int, bool) {
	i = jsonscan.SkipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		ks := i + 1
		ke := jsonscan.StringEnd(b, ks)
		if ke < 0 {
			return 0, false
		}
		i = jsonscan.SkipWS(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = jsonscan.SkipWS(b, i+1)
		if i >= len(b) {
			return 0, false
		}
		var ok bool
		if i, ok = member(b, i, n.find(b[ks:ke]), out); !ok {
			return 0, false
		}
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = jsonscan.SkipWS(b, i+1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// member walks the value that starts at b[i], the value of key k (nil when
// nobody asked for it): into it when something below is asked for, past it
// otherwise, recording it when it is itself asked for.
func member(b []byte, i int, k *kid, out [][]byte) (int, bool) {
	vs := i
	var ok bool
	switch {
	case k == nil:
		return jsonscan.SkipValue(b, i)
	case k.sub != nil && b[i] == '{':
		i, ok = object(b, i, k.sub, out)
	case k.sub != nil && b[i] == '[':
		i, ok = array(b, i, k.sub, out)
	default:
		i, ok = jsonscan.SkipValue(b, i)
	}
	if ok && k.slot >= 0 {
		out[k.slot] = b[vs:i]
	}
	return i, ok
}

// array walks an array whose elements may be asked for by index.
func array(b []byte, i int, n *node, out [][]byte) (int, bool) {
	i = jsonscan.SkipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	var num [20]byte
	for idx := 0; ; idx++ {
		if i >= len(b) {
			return 0, false
		}
		var ok bool
		if i, ok = member(b, i, n.find(strconv.AppendInt(num[:0], int64(idx), 10)), out); !ok {
			return 0, false
		}
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = jsonscan.SkipWS(b, i+1)
		case ']':
			return i + 1, true
		default:
			return 0, false
		}
	}
}
