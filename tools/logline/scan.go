package logline

import (
	"bytes"
	"sort"
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
	// early holds the top-level keys, for ExtractEarly's test that the
	// rest of a line holds none of them; nil when it cannot tell (too
	// many keys, or a key a line could write with other escapes).
	early []earlyKey
}

// earlyKey is a top-level key as a line writes it, quoted, and the byte of
// it least likely to occur in a line, which the search is anchored on.
type earlyKey struct {
	quoted string
	anchor int // index in quoted
}

// maxEarly is how many top-level keys ExtractEarly searches the rest of a
// line for: each search costs a pass over the rest, and past a few keys
// walking the rest is cheaper.
const maxEarly = 4

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
	f.early = earlyKeys(&f.root)
	return slot
}

// rareFirst ranks the bytes of key names from rarest to commonest in log
// lines (hex ids make a-f and digits common, snake_case '_').
const rareFirst = "@QJZXKVYWGPqjzxkvywgpbfmhulHMUBFLDCNRSOITAEdcrnsoita_0123456789"

// earlyKeys returns the top-level keys of n for ExtractEarly, or nil when
// there are too many or one is not plain: a key of letters, digits, '_',
// '-' and '@' can only be written otherwise with a \u00XX escape of an
// ASCII byte, which ExtractEarly looks for.
func earlyKeys(n *node) []earlyKey {
	var keys []earlyKey
	add := func(list []*kid) bool {
		for _, k := range list {
			if len(keys) == maxEarly || k.key == "" {
				return false
			}
			best, bestRank := 0, len(rareFirst)+1
			for i := 0; i < len(k.key); i++ {
				c := k.key[i]
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '@') {
					return false
				}
				r := strings.IndexByte(rareFirst, c)
				if r < 0 {
					r = len(rareFirst)
				}
				if r < bestRank {
					best, bestRank = i, r
				}
			}
			keys = append(keys, earlyKey{quoted: `"` + k.key + `"`, anchor: best + 1})
		}
		return true
	}
	for _, list := range n.byLen {
		if !add(list) {
			return nil
		}
	}
	if !add(n.long) {
		return nil
	}
	sort.SliceStable(keys, func(a, b int) bool { return keys[a].quoted[keys[a].anchor] < keys[b].quoted[keys[b].anchor] })
	return keys
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
		// The first byte rules out most keys of the same length without
		// a call to compare the rest.
		if len(raw) == 0 || k.key[0] == raw[0] && k.key == string(raw) {
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

// ExtractEarly is [Extract], except that it stops walking the line as soon
// as the rest of it cannot change out: when none of the top-level keys
// asked for (with the keys leading to deeper paths) occurs in the rest,
// written plainly or with a \u00XX escape, the rest is only checked to
// close the object. The values are those Extract finds, the last of a
// duplicated key among them; what is lost is Extract's check of the rest's
// structure, so a line that is not JSON after the values asked for may be
// taken for an object. It is for printing lines, where the values of a
// few keys at the front of a long line are all that is wanted.
func (f *Fields) ExtractEarly(line []byte, out [][]byte) bool {
	if f.early == nil {
		return f.Extract(line, out)
	}
	for i := range out {
		out[i] = nil
	}
	i := jsonscan.SkipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	end, ok := walkObject(line, i, &f.root, out, f)
	if !ok {
		return false
	}
	return jsonscan.SkipWS(line, end) == len(line)
}

// earlyMin is the least rest of a line worth searching rather than walking.
const earlyMin = 128

// restHolds returns where in b[i:] a top-level key asked for may be
// written (plainly, or with an escape of an ASCII byte), or -1 when none
// can be.
func (f *Fields) restHolds(b []byte, i int) int {
	// Keys sharing an anchor byte (message and msg) share a search.
	for g := 0; g < len(f.early); {
		c := f.early[g].quoted[f.early[g].anchor]
		h := g + 1
		for h < len(f.early) && f.early[h].quoted[f.early[h].anchor] == c {
			h++
		}
		for j := i + 1; j < len(b); {
			p := bytes.IndexByte(b[j:], c)
			if p < 0 {
				break
			}
			p += j
			for _, k := range f.early[g:h] {
				if s := p - k.anchor; s >= i && s+len(k.quoted) <= len(b) && string(b[s:s+len(k.quoted)]) == k.quoted {
					return p
				}
			}
			j = p + 1
		}
		g = h
	}
	// A \u00XX escape of an ASCII byte (or what looks like one: a "\\u00"
	// is taken for one too), found by bytes.Index: a line has many
	// backslashes (\" in messages quoting JSON), few of these.
	for j := i; j < len(b); {
		p := bytes.Index(b[j:], []byte(`\u00`))
		if p < 0 {
			return -1
		}
		p += j
		if p+4 < len(b) && b[p+4] >= '0' && b[p+4] <= '7' {
			return p
		}
		j = p + 4
	}
	return -1
}

// object walks the object that starts at b[i] ('{') and returns the index
// just after its '}'.
func object(b []byte, i int, n *node, out [][]byte) (int, bool) {
	return walkObject(b, i, n, out, nil)
}

// walkObject is object; with early set (the top level, for ExtractEarly)
// it stops after a member asked for when the rest of the line holds no key
// asked for, and takes the line's last '}' for the object's end.
func walkObject(b []byte, i int, n *node, out [][]byte, early *Fields) (int, bool) {
	i = jsonscan.SkipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	blocked := 0 // early: the rest holds a key asked for up to here, no use searching before
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
		k := n.find(b[ks:ke])
		var ok bool
		if i, ok = member(b, i, k, out); !ok {
			return 0, false
		}
		var more bool
		if i, more, ok = jsonscan.After(b, i, '}'); !ok || !more {
			return i, ok
		}
		i = jsonscan.SkipWS(b, i)
		if early != nil && k != nil && i > blocked && len(b)-i >= earlyMin {
			at := early.restHolds(b, i)
			if at >= 0 {
				blocked = at
				continue
			}
			// Nothing further can be asked for: the object ends at the
			// line's last '}'.
			e := len(b)
			for e > i && (b[e-1] == ' ' || b[e-1] == '\t' || b[e-1] == '\n' || b[e-1] == '\r') {
				e--
			}
			if e == i || b[e-1] != '}' {
				return 0, false
			}
			return e, true
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
		var more bool
		if i, more, ok = jsonscan.After(b, i, ']'); !ok || !more {
			return i, ok
		}
		i = jsonscan.SkipWS(b, i)
	}
}
