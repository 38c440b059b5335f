package logexpand

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/logline"

	"github.com/auditlog-go/auditlog/internal/jsonscan"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
)

// An Expander renders lines one at a time. It keeps its buffers from line to
// line, so a long run allocates almost nothing; it is not safe for concurrent
// use.
type Expander struct {
	opts     Options
	sel      *selector
	sens     func(string) bool
	minSens  int // keys shorter than this are never sensitive
	keyCache [512][2]keyEntry
	sensLong map[string]bool

	noStream bool // tests: always take the tree path

	// The fast path's last failure: lines that begin with the same first
	// key as the last line it could not do (oslo.log's lines all begin
	// with "message" and never have sorted keys) go straight to the tree
	// for the next skipLeft lines, instead of rendering a part twice.
	// Both paths give the same output, so this only saves time.
	skipKey  []byte
	skipLeft int

	t       jsontree.Tree
	order   []int32                  // a stack of child indices being visited in key order
	sortBuf []sortEnt                // scratch for sortedChildren
	orders  [1 << orderBits]keyOrder // sortedChildren's orders, by hash of the keys
	emb     []embedded               // a stack of literals found inside strings and text
	masks   []span
	memo    [1 << memoBits]strMemo // renderings of slow strings, by hash of their raw text
	seed    maphash.Seed
	path    []byte         // the flatten path being built
	spans   []logline.Span // pairMasks' scratch
}

// embedded is a JSON object or Python dict found inside a string or a text
// line.
type embedded struct {
	s, e   int32 // where the literal lies in tree.buf
	ls, le int32 // the label: the word before it ("body: {…}" gives body)
	root   int32
	python bool
}

type span struct{ s, e int32 }

// New returns an Expander for opts, or an error when opts.Keys holds a path
// that is not a dotted name.
func New(opts Options) (*Expander, error) {
	sel, err := compileKeys(opts.Keys)
	if err != nil {
		return nil, err
	}
	x := &Expander{opts: opts, sel: sel, sens: opts.Sensitive, sensLong: map[string]bool{}, seed: maphash.MakeSeed()}
	if x.sens == nil {
		x.sens = defaultSensitive()
		// A key shorter than every fragment of the default list cannot
		// hold one: id, seq, kind, level… are answered without a look.
		keys := auditlog.DefaultSensitiveKeys()
		x.minSens = len(keys[0])
		for _, k := range keys {
			x.minSens = min(x.minSens, len(k))
		}
	}
	return x, nil
}

var bom = []byte("\xef\xbb\xbf")

// Append appends the rendering of one input line to dst and returns it.
// header is written before the line as grep wrote it ("api.log:12:"), or
// is empty. line is the text after it, without its line ending; it is not
// kept.
//
// A JSON object or array is expanded (or flattened); any other line is
// copied, followed by the expansion of the dicts and JSON objects found in
// it. A record that --keys leaves empty appends nothing.
func (x *Expander) Append(dst, header, line []byte) []byte {
	start := len(dst)
	dst, record := x.appendLine(dst, header, line)
	if x.opts.MinLevel > 0 && x.levelRank(record, len(line)) < x.opts.MinLevel {
		return dst[:start]
	}
	return dst
}

func (x *Expander) appendLine(dst, header, line []byte) ([]byte, bool) {
	x.t.Reset()
	x.t.Buf = append(x.t.Buf, line...)
	x.t.Buf = slices.Grow(x.t.Buf, 8) // spare bytes for jsontree.ScanString's words
	key := firstKey(x.t.Buf)
	if x.skipLeft > 0 && key != nil && bytes.Equal(key, x.skipKey) {
		x.skipLeft--
	} else if out, ok := x.stream(dst, header); ok {
		return out, true
	} else if key != nil {
		x.skipKey = append(x.skipKey[:0], key...)
		x.skipLeft = streamRetry
	}
	x.t.Buf = x.t.Buf[:len(line)]
	x.t.Nodes = x.t.Nodes[:0]
	if root, ok := x.parseLine(); ok {
		if x.opts.Flatten {
			return x.flattenRecord(dst, header, root), true
		}
		return x.expandRecord(dst, header, root), true
	}
	x.t.Nodes = x.t.Nodes[:0]
	x.t.Buf = x.t.Buf[:len(line)]
	return x.textLine(dst, header), false
}

// streamRetry is how many lines that begin like the last line the fast
// path failed on go straight to the tree before the fast path is tried
// again.
const streamRetry = 255

// firstKey returns the raw first key of an object line, or nil.
func firstKey(b []byte) []byte {
	i := 0
	if bytes.HasPrefix(b, bom) {
		i = len(bom)
	}
	i = jsonscan.SkipWS(b, i)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	i = jsonscan.SkipWS(b, i+1)
	if i >= len(b) || b[i] != '"' {
		return nil
	}
	e := bytes.IndexByte(b[i+1:], '"')
	if e < 0 {
		return nil
	}
	return b[i+1 : i+1+e]
}

func (x *Expander) parseLine() (int32, bool) {
	b := x.t.Buf
	i := 0
	if bytes.HasPrefix(b, bom) {
		i = len(bom)
	}
	i = jsonscan.SkipWS(b, i)
	if i >= len(b) || (b[i] != '{' && b[i] != '[') {
		return -1, false
	}
	root, end, ok := x.t.ParseJSON(i, len(b))
	if !ok || jsonscan.SkipWS(b, end) != len(b) {
		return -1, false
	}
	return root, true
}

// limited reports whether a container at depth is shown compact.
func (x *Expander) limited(depth int) bool {
	return x.opts.Depth > 0 && depth >= x.opts.Depth
}

func (x *Expander) expandRecord(dst, header []byte, root int32) []byte {
	start := len(dst)
	if len(header) > 0 {
		dst = append(dst, header...)
		dst = append(dst, ' ')
	}
	n := x.t.Nodes[root]
	open, closer := byte('{'), byte('}')
	if n.Kind == jsontree.Array {
		open, closer = '[', ']'
	}
	if n.N == 0 {
		if x.sel != nil {
			return dst[:start]
		}
		return append(dst, open, closer, '\n')
	}
	dst = append(dst, open, '\n')
	var any bool
	if n.Kind == jsontree.Object {
		dst, any = x.members(dst, root, 2, 1, x.sel, false)
	} else {
		dst, any = x.items(dst, root, 2, 1, x.sel)
	}
	if !any {
		return dst[:start]
	}
	return append(dst, closer, '\n')
}

func appendIndent(dst []byte, n int) []byte {
	const spaces = "                                                                "
	for n > len(spaces) {
		dst = append(dst, spaces...)
		n -= len(spaces)
	}
	return append(dst, spaces[:n]...)
}

// sortedChildren pushes the children of obj on x.order in key order and
// returns where they start. The caller pops them with x.order[:base].
func (x *Expander) sortedChildren(obj int32) int {
	base := len(x.order)
	nodes := x.t.Nodes
	for c := nodes[obj].Child; c >= 0; c = nodes[c].Next {
		x.order = append(x.order, c)
	}
	if nodes[obj].Kind != jsontree.Object {
		return base
	}
	o := x.order[base:]
	buf := x.t.Buf
	// Lines of one writer repeat the same keys in the same order (oslo.log's
	// two dozen, unsorted, and its context's): the order found for them
	// last time is reused when the keys are the same, byte for byte, in
	// the same order. The slot is picked by the number of keys and the
	// first bytes of three of them, so that finding it takes no pass over
	// the keys; one pass checks them all.
	var slot *keyOrder
	if len(o) >= 4 {
		h := uint64(len(o)) * 0x9E3779B97F4A7C15
		for _, c := range [3]int32{o[0], o[len(o)/2], o[len(o)-1]} {
			n := &nodes[c]
			h = (h ^ keyPrefix(buf, n.KS, n.KE) ^ uint64(n.KE-n.KS)) * 0x100000001b3
		}
		slot = &x.orders[h*0x9E3779B97F4A7C15>>(64-orderBits)] // the top bits depend on all of h
		if slot.hash == h && len(slot.pre) == len(o) && slot.match(o, nodes, buf) {
			return base
		}
		slot.hash = h
	}
	// Insertion sort: objects are small, and it is stable, so duplicate
	// keys keep their order. Keys are compared by their first eight bytes
	// as one number first, which settles almost every comparison.
	ents := x.sortBuf[:0]
	for i, c := range o {
		n := &nodes[c]
		ents = append(ents, sortEnt{prefix: keyPrefix(buf, n.KS, n.KE), c: c, i: int32(i)})
	}
	x.sortBuf = ents
	for i := 1; i < len(ents); i++ {
		e := ents[i]
		j := i
		for j > 0 {
			p := ents[j-1]
			if p.prefix < e.prefix {
				break
			}
			if p.prefix == e.prefix {
				pn, en := &nodes[p.c], &nodes[e.c]
				if bytes.Compare(buf[pn.KS:pn.KE], buf[en.KS:en.KE]) <= 0 {
					break
				}
			}
			ents[j] = p
			j--
		}
		ents[j] = e
	}
	for i, e := range ents {
		o[i] = e.c
	}
	if slot != nil {
		slot.remember(ents, nodes, buf)
		// What the key cache says of each key is kept with the order, and
		// handed to members in the nodes' Aux (see memberInfo); a key
		// with escapes is left to members.
		slot.infos = slices.Grow(slot.infos[:0], len(o))[:len(o)]
		for i, c := range o {
			n := &nodes[c]
			var info keyInfo
			if n.Flags&jsontree.FKeyEsc == 0 {
				info = x.keyInfo(buf[n.KS:n.KE])
			}
			slot.infos[i] = info
			n.Aux = uint8(info)
		}
	}
	return base
}

// memberInfo is what the key cache says of key, the key of member c.
// sortedChildren leaves the answer in the node's Aux when it found the
// object's keys in an order it remembers: the same keys, byte for byte,
// as when it looked them up.
func (x *Expander) memberInfo(c int32, key []byte) keyInfo {
	if info := keyInfo(x.t.Nodes[c].Aux); info != 0 {
		return info
	}
	return x.keyInfo(key)
}

// orderBits is log2 of the number of orders sortedChildren remembers.
const orderBits = 6

type sortEnt struct {
	prefix uint64
	c      int32
	i      int32 // the key's place in the object
}

// keyOrder is an order sortedChildren found: the keys in the object's
// order, and for each place in sorted order the place in the object of the
// key that goes there.
type keyOrder struct {
	hash  uint64   // what picked the slot
	pre   []uint64 // each key's keyPrefix, in the object's order
	pre2  []uint64 // the keyPrefix of its bytes past the eighth
	lens  []int32  // each key's length
	rest  []byte   // the bytes past the sixteenth of the longer keys, one after the other
	perm  []int32
	infos []keyInfo // the keys' cache answers, in sorted order (0: none)
	tmp   []int32   // match's copy of the children
}

// match reports whether the keys of the children o, in the object's
// order, are the ones the order was found for, and if so puts o in that
// order.
func (k *keyOrder) match(o []int32, nodes []jsontree.Node, buf []byte) bool {
	at := 0
	for i, c := range o {
		n := &nodes[c]
		l := n.KE - n.KS
		if l != k.lens[i] || keyPrefix(buf, n.KS, n.KE) != k.pre[i] {
			return false
		}
		if l > 8 {
			if keyPrefix(buf, n.KS+8, n.KE) != k.pre2[i] {
				return false
			}
			if l > 16 {
				r := buf[n.KS+16 : n.KE]
				if string(r) != string(k.rest[at:at+len(r)]) {
					return false
				}
				at += len(r)
			}
		}
	}
	k.tmp = append(k.tmp[:0], o...)
	infos := k.infos[:len(k.perm)]
	for i, p := range k.perm {
		c := k.tmp[p]
		o[i] = c
		nodes[c].Aux = uint8(infos[i])
	}
	return true
}

// remember keeps the order of ents, sorted, for the keys they have.
func (k *keyOrder) remember(ents []sortEnt, nodes []jsontree.Node, buf []byte) {
	m := len(ents)
	k.pre = slices.Grow(k.pre[:0], m)[:m]
	k.lens = slices.Grow(k.lens[:0], m)[:m]
	k.pre2 = slices.Grow(k.pre2[:0], m)[:m]
	k.perm = slices.Grow(k.perm[:0], m)[:m]
	for i, e := range ents {
		k.perm[i] = e.i
		n := &nodes[e.c]
		k.pre[e.i] = e.prefix
		k.lens[e.i] = n.KE - n.KS
		k.pre2[e.i] = 0
		if n.KE-n.KS > 8 {
			k.pre2[e.i] = keyPrefix(buf, n.KS+8, n.KE)
		}
	}
	byPlace := slices.Grow(k.tmp[:0], m)[:m] // the children in the object's order
	for _, e := range ents {
		byPlace[e.i] = e.c
	}
	k.rest = k.rest[:0]
	for _, c := range byPlace {
		n := &nodes[c]
		if n.KE-n.KS > 16 {
			k.rest = append(k.rest, buf[n.KS+16:n.KE]...)
		}
	}
	k.tmp = byPlace
}

// keyPrefix is the first eight bytes of buf[s:e] as a big-endian number,
// zero-padded: numbers compare as the bytes do, but for keys that agree in
// their first eight bytes, or where one is a prefix of the other and the
// longer goes on with zero bytes, which the caller settles with
// bytes.Compare.
func keyPrefix(buf []byte, s, e int32) uint64 {
	n := min(int(e-s), 8)
	if full := buf[:cap(buf)]; int(s)+8 <= len(full) {
		p := bits.ReverseBytes64(binary.LittleEndian.Uint64(full[s:]))
		if n < 8 {
			p &^= 1<<(64-8*n) - 1 // only the key's own bytes
		}
		return p
	}
	var p uint64
	for i := range n {
		p |= uint64(buf[int(s)+i]) << (56 - 8*i)
	}
	return p
}

// keyText returns the text of the key of member c, decoded.
func (x *Expander) keyText(c int32) []byte {
	n := &x.t.Nodes[c]
	if n.Flags&jsontree.FKeyEsc == 0 {
		return x.t.Buf[n.KS:n.KE]
	}
	return x.decodeKey(n)
}

// decodeKey is keyText for a key with escapes: it decodes it onto the end
// of t.buf.
func (x *Expander) decodeKey(n *jsontree.Node) []byte {
	s := len(x.t.Buf)
	if n.Flags&jsontree.FPython != 0 {
		x.t.Buf = jsontree.DecodePython(x.t.Buf, x.t.Buf[n.KS:n.KE], n.Flags&jsontree.FKeyBytes != 0)
	} else {
		x.t.Buf = decodeJSON(x.t.Buf, x.t.Buf[n.KS:n.KE])
	}
	return x.t.Buf[s:]
}

// strSpan returns where the decoded text of string node c lies in t.buf,
// decoding it onto the end of t.buf when it holds escapes.
func (x *Expander) strSpan(c int32) (int32, int32) {
	n := &x.t.Nodes[c]
	if n.Flags&jsontree.FEsc == 0 {
		return n.S, n.E
	}
	return x.decodeStr(n)
}

// decodeStr is strSpan for a string with escapes.
func (x *Expander) decodeStr(n *jsontree.Node) (int32, int32) {
	s := len(x.t.Buf)
	switch {
	case n.Flags&jsontree.FPython != 0:
		x.t.Buf = jsontree.DecodePython(x.t.Buf, x.t.Buf[n.S:n.E], n.Flags&jsontree.FBytes != 0)
	case plainQuoted(n.Flags):
		x.t.Buf = decodeQuotes(x.t.Buf, x.t.Buf[n.S:n.E])
	default:
		x.t.Buf = decodeJSON(x.t.Buf, x.t.Buf[n.S:n.E])
	}
	return int32(s), int32(len(x.t.Buf))
}

// hides reports whether member c's value is replaced by [REDACTED]: its key
// is sensitive and the value says more than null or "".
func (x *Expander) hides(c int32, key []byte) bool {
	return x.hidable(c) && x.sensitive(key)
}

// hidable reports whether member c's value says more than null or "", so
// that it is hidden when its key is sensitive.
func (x *Expander) hidable(c int32) bool {
	n := &x.t.Nodes[c]
	return n.Kind != jsontree.Null && (n.Kind != jsontree.String || n.S != n.E)
}

const masked = `"` + logline.Masked + `"`

// members appends the members of obj, one per line at indent, and reports
// whether any was selected. With inlineFirst the first member follows a
// "- " the caller wrote.
func (x *Expander) members(dst []byte, obj int32, indent, depth int, sel *selector, inlineFirst bool) ([]byte, bool) {
	base := x.sortedChildren(obj)
	any := false
	for i := base; i < len(x.order); i++ {
		c := x.order[i]
		// selected, spelled out: keyText and selected cost a call each
		// per member.
		var key []byte
		if n := &x.t.Nodes[c]; n.Flags&jsontree.FKeyEsc == 0 {
			key = x.t.Buf[n.KS:n.KE]
		} else {
			key = x.decodeKey(n)
		}
		var csel *selector
		if sel != nil {
			var in bool
			if csel, in = sel.lookup(key); !in {
				continue
			}
		}
		mark := len(dst)
		ind := indent
		if !any && inlineFirst {
			ind = 0
		}
		// One look in the key cache answers all that is asked of the key.
		info := x.memberInfo(c, key)
		if info&kiBare != 0 && !x.opts.Color {
			dst = appendIndentKey(dst, ind, key)
		} else {
			dst = appendIndent(dst, ind)
			dst = x.appendKeyInfo(dst, key, info)
		}
		dst = append(dst, ':')
		var ok bool
		if info&kiSensitive != 0 && x.hidable(c) {
			dst = append(dst, ' ')
			dst = x.colored(dst, colorSecret, []byte(masked))
			dst, ok = append(dst, '\n'), true
		} else if csel == nil && info&kiStack != 0 && x.isLineList(c) {
			dst, ok = x.lineList(dst, c, indent), true
		} else if out, done := x.plainValue(dst, c, csel, depth == 1 && info&kiLevel != 0); done {
			dst, ok = out, true
		} else {
			lvl := depth == 1 && info&kiLevel != 0
			dst, ok = x.value(dst, c, indent, depth, csel, lvl)
		}
		if !ok {
			dst = dst[:mark]
			continue
		}
		any = true
	}
	x.order = x.order[:base]
	return dst, any
}

// plainValue appends the value of member c as value does when it is a
// string that needs no more than a copy between quotes, a null, a boolean
// or a number, and nothing selects below it: most values are, and this
// saves value's and stringValue's calls and copies of the node. It reports
// false, having appended nothing, for any other value.
func (x *Expander) plainValue(dst []byte, c int32, sel *selector, level bool) ([]byte, bool) {
	n := &x.t.Nodes[c]
	if sel != nil {
		return dst, false
	}
	switch n.Kind {
	case jsontree.String:
		if n.Flags&jsontree.FSlow != 0 || level && x.opts.Color {
			return dst, false
		}
		dst = append(dst, ' ', '"')
		dst = append(dst, x.t.Buf[n.S:n.E]...)
		return append(dst, '"', '\n'), true
	case jsontree.Null:
		return append(dst, " null\n"...), true
	case jsontree.True:
		return append(dst, " true\n"...), true
	case jsontree.False:
		return append(dst, " false\n"...), true
	case jsontree.Number:
		dst = append(dst, ' ')
		dst = append(dst, x.t.Buf[n.S:n.E]...)
		return append(dst, '\n'), true
	}
	return dst, false
}

// isLineList reports whether member c, whose key names a stack trace, is
// one written as a list of lines, as oslo.log's JSONFormatter writes
// "traceback": an array of strings only.
func (x *Expander) isLineList(c int32) bool {
	n := &x.t.Nodes[c]
	if n.Kind != jsontree.Array || n.N == 0 {
		return false
	}
	for e := n.Child; e >= 0; e = x.t.Nodes[e].Next {
		if x.t.Nodes[e].Kind != jsontree.String {
			return false
		}
	}
	return true
}

// lineList appends the list of lines c as a "|" block, one real line per
// element, as a stack trace written as one string would be: the trace
// reads as Python printed it.
func (x *Expander) lineList(dst []byte, c int32, indent int) []byte {
	dst = append(dst, " |\n"...)
	for e := x.t.Nodes[c].Child; e >= 0; e = x.t.Nodes[e].Next {
		en := &x.t.Nodes[e]
		raw, flags := x.t.Buf[en.S:en.E], en.Flags
		var text []byte
		if len(raw) > maxMemo {
			text = x.lineText(e)
		} else if memo, h := x.memoFor(raw, flags, memoLine); memo.hit(h, raw, flags, memoLine) {
			text = memo.out
		} else {
			text = x.lineText(e)
			memo.keep(h, raw, flags, memoLine, text)
		}
		if len(text) == 0 {
			dst = append(dst, '\n')
			continue
		}
		if plainQuoted(flags) {
			// Printable ASCII without a line end: the block is the
			// line, copied.
			dst = appendIndent(dst, indent+2)
			dst = append(dst, text...)
			dst = append(dst, '\n')
			continue
		}
		dst = x.block(dst, text, indent+2)
	}
	return dst
}

// lineText is the text of the element e of a list of lines: decoded,
// credentials hidden.
func (x *Expander) lineText(e int32) []byte {
	s, en := x.strSpan(e)
	ms, me := x.masked(s, en, len(x.emb))
	return x.t.Buf[ms:me]
}

// items appends the elements of arr, one "- " item per line at indent.
func (x *Expander) items(dst []byte, arr int32, indent, depth int, sel *selector) ([]byte, bool) {
	any := false
	for c := x.t.Nodes[arr].Child; c >= 0; c = x.t.Nodes[c].Next {
		mark := len(dst)
		dst = appendIndent(dst, indent)
		dst = append(dst, '-')
		var ok bool
		if cn := x.t.Nodes[c]; cn.Kind == jsontree.Object && cn.N > 0 && !x.limited(depth) {
			dst = append(dst, ' ')
			dst, ok = x.members(dst, c, indent+2, depth+1, sel, true)
		} else {
			dst, ok = x.value(dst, c, indent, depth, sel, false)
		}
		if !ok {
			dst = dst[:mark]
			continue
		}
		any = true
	}
	return dst, any
}

// value appends the rest of a line that has its key (or "-") written: " x"
// for a scalar, or a newline and the nested lines at indent+2. It reports
// false, having appended garbage the caller drops, when sel selects nothing
// in it.
func (x *Expander) value(dst []byte, c int32, indent, depth int, sel *selector, level bool) ([]byte, bool) {
	n := x.t.Nodes[c]
	switch n.Kind {
	case jsontree.Object, jsontree.Array:
		return x.container(dst, c, indent, depth, sel)
	case jsontree.String:
		return x.stringValue(dst, c, indent, depth, sel, level)
	}
	if sel != nil {
		return dst, false
	}
	dst = append(dst, ' ')
	dst = x.appendScalar(dst, &n)
	return append(dst, '\n'), true
}

// appendScalar appends a null, a boolean or a number as JSON writes it
// (Python's None, True and False included), and anything else as its text.
func (x *Expander) appendScalar(dst []byte, n *jsontree.Node) []byte {
	switch n.Kind {
	case jsontree.Null:
		return append(dst, "null"...)
	case jsontree.True:
		return append(dst, "true"...)
	case jsontree.False:
		return append(dst, "false"...)
	}
	return append(dst, x.t.Buf[n.S:n.E]...)
}

func (x *Expander) container(dst []byte, c int32, indent, depth int, sel *selector) ([]byte, bool) {
	n := x.t.Nodes[c]
	if n.N == 0 {
		if sel != nil {
			return dst, false
		}
		if n.Kind == jsontree.Object {
			return append(dst, " {}\n"...), true
		}
		return append(dst, " []\n"...), true
	}
	if x.limited(depth) {
		dst = append(dst, ' ')
		dst = x.compact(dst, c)
		return append(dst, '\n'), true
	}
	if n.Kind == jsontree.Array && sel == nil {
		if out, ok := x.inline(dst, c); ok {
			return out, true
		}
	}
	dst = append(dst, '\n')
	if n.Kind == jsontree.Object {
		return x.members(dst, c, indent+2, depth+1, sel, false)
	}
	return x.items(dst, c, indent+2, depth+1, sel)
}

// inline appends a short array of plain scalars on one line: [a, b].
func (x *Expander) inline(dst []byte, arr int32) ([]byte, bool) {
	const maxWidth = 72
	mark := len(dst)
	dst = append(dst, ' ', '[')
	first := true
	for c := x.t.Nodes[arr].Child; c >= 0; c = x.t.Nodes[c].Next {
		n := &x.t.Nodes[c]
		if !first {
			dst = append(dst, ',', ' ')
		}
		first = false
		switch n.Kind {
		case jsontree.Null, jsontree.True, jsontree.False, jsontree.Number:
			dst = x.appendScalar(dst, n)
		case jsontree.String:
			raw := x.t.Buf[n.S:n.E]
			if n.Flags&jsontree.FSlow != 0 {
				return dst[:mark], false
			}
			dst = append(dst, '"')
			dst = append(dst, raw...)
			dst = append(dst, '"')
		default:
			return dst[:mark], false
		}
		if len(dst)-mark > maxWidth {
			return dst[:mark], false
		}
	}
	return append(dst, ']', '\n'), true
}

// stringValue appends a string: quoted; as a "|" block when it spans lines;
// expanded with a (json) or (python) tag when it holds one whole literal;
// followed by the literals found inside it otherwise.
func (x *Expander) stringValue(dst []byte, c int32, indent, depth int, sel *selector, level bool) ([]byte, bool) {
	n := x.t.Nodes[c]
	raw := x.t.Buf[n.S:n.E]
	if n.Flags&jsontree.FSlow == 0 {
		if sel != nil {
			return dst, false
		}
		dst = append(dst, ' ')
		color := x.levelColor(level, raw)
		if color != nil {
			dst = append(dst, color...)
		}
		dst = append(dst, '"')
		dst = append(dst, raw...)
		dst = append(dst, '"')
		if color != nil {
			dst = append(dst, colorReset...)
		}
		return append(dst, '\n'), true
	}
	// A string rendered on one line, with nothing found inside it, is
	// rendered the same wherever it comes again: its raw text (and how it
	// is escaped) settles all of it.
	mark := len(dst)
	var memo *strMemo
	var h uint64
	if sel == nil && !(level && x.opts.Color) && len(raw) <= maxMemo {
		if memo, h = x.memoFor(raw, n.Flags, memoValue); memo.hit(h, raw, n.Flags, memoValue) {
			return append(dst, memo.out...), true
		}
	}
	s, e := x.strSpan(c)
	if root, python, ok := x.whole(s, e); ok {
		tag := tagJSON
		if python {
			tag = tagPython
		}
		mark := len(dst)
		dst = append(dst, ' ')
		dst = x.colored(dst, colorTag, tag)
		dst, ok = x.container(dst, root, indent, depth, sel)
		if !ok {
			return dst[:mark], false
		}
		return dst, true
	}
	if sel != nil {
		return dst, false
	}
	base := len(x.emb)
	plain := plainQuoted(n.Flags)
	if !x.opts.NoEmbedded && (!plain || n.Flags&jsontree.FBrace != 0) && bytes.IndexByte(x.t.Buf[s:e], '{') >= 0 {
		x.findEmbedded(s, e)
	}
	ms, me := x.masked(s, e, base)
	text := x.t.Buf[ms:me]
	// Nothing hidden and plain: the raw text is what appendQuoted would
	// write, and it holds no line end.
	verbatim := plain && ms == s && me == e
	if !verbatim && bytes.IndexByte(text, '\n') >= 0 {
		x.emb = x.emb[:base]
		dst = append(dst, " |\n"...)
		return x.block(dst, text, indent+2), true
	}
	dst = append(dst, ' ')
	color := x.levelColor(level, text)
	if color != nil {
		dst = append(dst, color...)
	}
	if verbatim {
		dst = append(dst, '"')
		dst = append(dst, x.t.Buf[n.S:n.E]...)
		dst = append(dst, '"')
	} else {
		dst = appendQuoted(dst, text)
	}
	if color != nil {
		dst = append(dst, colorReset...)
	}
	dst = append(dst, '\n')
	if memo != nil && len(x.emb) == base {
		memo.keep(h, raw, n.Flags, memoValue, dst[mark:])
	}
	dst = x.appendEmbedded(dst, base, indent+2, depth)
	x.emb = x.emb[:base]
	return dst, true
}

// What a slow string renders as is kept by its raw text, for the strings
// that come back line after line (oslo.log's format strings, the lines of
// its tracebacks, project names): a direct-mapped table found by a hash
// of the raw text, each entry keeping the text itself and what it gave.
// What a string gives depends only on its raw text, its flags (how it is
// escaped) and the options, which are the Expander's.
const (
	memoBits = 8
	maxMemo  = 256 // longer strings are seldom the same twice

	memoValue = 1 // stringValue's " \"text\"\n", nothing found inside
	memoLine  = 2 // lineList's text of an element: decoded, credentials hidden
)

type strMemo struct {
	h     uint64
	kind  uint8
	flags uint16
	raw   []byte
	out   []byte
}

// memoFor returns the entry for raw and the hash that picked it.
func (x *Expander) memoFor(raw []byte, flags uint16, kind uint8) (*strMemo, uint64) {
	h := maphash.Bytes(x.seed, raw) ^ uint64(kind)
	return &x.memo[h>>(64-memoBits)], h
}

// hit reports whether the entry holds what raw gave.
func (m *strMemo) hit(h uint64, raw []byte, flags uint16, kind uint8) bool {
	return m.h == h && m.kind == kind && m.flags == flags && string(m.raw) == string(raw)
}

// keep makes the entry hold out, what raw gave.
func (m *strMemo) keep(h uint64, raw []byte, flags uint16, kind uint8, out []byte) {
	m.h, m.kind, m.flags = h, kind, flags
	m.raw = append(m.raw[:0], raw...)
	m.out = append(m.out[:0], out...)
}

// plainQuoted reports whether a string with flags is one whose raw text is
// what appendQuoted writes of its decoded text: a JSON string of ASCII
// without control bytes whose only escapes are \" and \\ (which
// appendQuoted writes back the same). Its decoded text holds no line end,
// and a '{' only where the raw text does; a '[' first only where the raw
// text has one.
func plainQuoted(flags uint16) bool {
	return flags&(jsontree.FCtl|jsontree.FHigh|jsontree.FPython|jsontree.FEscOther) == 0
}

// levelColor is the colour of a level value, or nil.
func (x *Expander) levelColor(level bool, text []byte) []byte {
	if !level || !x.opts.Color {
		return nil
	}
	return levelColor(text)
}

var (
	tagJSON   = []byte("(json)")
	tagPython = []byte("(python)")
)

// block appends text line by line at indent, as the body of a "|" block:
// real lines, with control characters (but not tabs) escaped and a CR
// before each line end dropped. A final line end adds no empty line.
func (x *Expander) block(dst, text []byte, indent int) []byte {
	if len(text) > 0 && text[len(text)-1] == '\n' {
		text = text[:len(text)-1]
	}
	for {
		i := bytes.IndexByte(text, '\n')
		line := text
		if i >= 0 {
			line = text[:i]
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			dst = appendIndent(dst, indent)
			dst = appendEscaped(dst, line, false)
		}
		dst = append(dst, '\n')
		if i < 0 {
			return dst
		}
		text = text[i+1:]
	}
}

// whole reports whether t.buf[s:e] is, apart from surrounding whitespace,
// one JSON object or array, or else one Python dict or list; it leaves the
// parsed nodes in the arena when it is.
func (x *Expander) whole(s, e int32) (root int32, python bool, ok bool) {
	b := x.t.Buf[:e]
	i := jsonscan.SkipWS(b, int(s))
	if i >= len(b) || (b[i] != '{' && b[i] != '[') {
		return -1, false, false
	}
	nodes, bufLen := len(x.t.Nodes), len(x.t.Buf)
	root, end, ok := x.t.ParseJSON(i, int(e))
	if ok && jsonscan.SkipWS(b, end) == int(e) {
		return root, false, true
	}
	x.t.Nodes, x.t.Buf = x.t.Nodes[:nodes], x.t.Buf[:bufLen]
	root, end, ok = x.t.ParsePython(i, int(e))
	if ok && jsonscan.SkipWS(b, end) == int(e) && x.t.Nodes[root].Flags&jsontree.FSet == 0 {
		return root, true, true
	}
	x.t.Nodes, x.t.Buf = x.t.Nodes[:nodes], x.t.Buf[:bufLen]
	return -1, false, false
}

// maxTries bounds the failed parses tried inside one string or line, so a
// line full of '{' costs linear time, not quadratic.
const maxTries = 16

// findEmbedded pushes onto x.emb the non-empty JSON objects and Python
// dicts found in t.buf[s:e], left to right, without overlaps.
func (x *Expander) findEmbedded(s, e int32) {
	b := x.t.Buf[:e]
	tries := 0
	for i := int(s); i < int(e) && tries < maxTries; {
		j := bytes.IndexByte(b[i:], '{')
		if j < 0 {
			return
		}
		p := i + j
		nodes, bufLen := len(x.t.Nodes), len(x.t.Buf)
		root, end, ok := x.t.ParseJSON(p, int(e))
		python := false
		if !ok || x.t.Nodes[root].Kind != jsontree.Object || x.t.Nodes[root].N == 0 {
			x.t.Nodes, x.t.Buf = x.t.Nodes[:nodes], x.t.Buf[:bufLen]
			root, end, ok = x.t.ParsePython(p, int(e))
			python = true
			if !ok || x.t.Nodes[root].Kind != jsontree.Object || x.t.Nodes[root].N == 0 {
				x.t.Nodes, x.t.Buf = x.t.Nodes[:nodes], x.t.Buf[:bufLen]
				tries++
				i = p + 1
				continue
			}
		}
		ls, le := label(b[:p], int(s))
		x.emb = append(x.emb, embedded{s: int32(p), e: int32(end), ls: int32(ls), le: int32(le), root: root, python: python})
		i = end
	}
}

// label finds the name before a literal at the end of b: "body: " and
// "data=" give body and data; anything else gives no label.
func label(b []byte, floor int) (int, int) {
	i := len(b)
	for i > floor && b[i-1] == ' ' {
		i--
	}
	if i <= floor || (b[i-1] != ':' && b[i-1] != '=') {
		return 0, 0
	}
	i--
	for i > floor && b[i-1] == ' ' {
		i--
	}
	e := i
	for i > floor && (jsontree.IsIdentChar(b[i-1]) || b[i-1] == '-' || b[i-1] == '.') {
		i--
	}
	return i, e
}

// appendEmbedded appends the literals x.emb[base:] found in a string or a
// line, each under a "> label (json):" line at indent.
func (x *Expander) appendEmbedded(dst []byte, base, indent, depth int) []byte {
	for k := base; k < len(x.emb); k++ {
		m := x.emb[k]
		dst = appendIndent(dst, indent)
		dst = append(dst, '>', ' ')
		if m.le > m.ls {
			dst = appendEscaped(dst, x.t.Buf[m.ls:m.le], true)
			dst = append(dst, ' ')
		}
		tag := tagJSON
		if m.python {
			tag = tagPython
		}
		dst = x.colored(dst, colorTag, tag)
		dst = append(dst, ':')
		dst, _ = x.container(dst, m.root, indent, depth, nil)
	}
	return dst
}

// compact appends c as JSON on one line, keys sorted, credentials hidden.
func (x *Expander) compact(dst []byte, c int32) []byte {
	n := x.t.Nodes[c]
	switch n.Kind {
	case jsontree.Null, jsontree.True, jsontree.False, jsontree.Number:
		return x.appendScalar(dst, &n)
	case jsontree.String:
		s, e := x.strSpan(c)
		if n.Flags&jsontree.FSlow != 0 {
			s, e = x.masked(s, e, len(x.emb))
		}
		return appendQuoted(dst, x.t.Buf[s:e])
	case jsontree.Array:
		dst = append(dst, '[')
		for k := n.Child; k >= 0; k = x.t.Nodes[k].Next {
			if k != n.Child {
				dst = append(dst, ',')
			}
			dst = x.compact(dst, k)
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	base := x.sortedChildren(c)
	for i := base; i < len(x.order); i++ {
		k := x.order[i]
		if i > base {
			dst = append(dst, ',')
		}
		key := x.keyText(k)
		dst = appendQuoted(dst, key)
		dst = append(dst, ':')
		if x.hides(k, key) {
			dst = append(dst, masked...)
		} else {
			dst = x.compact(dst, k)
		}
	}
	x.order = x.order[:base]
	return append(dst, '}')
}

// appendKey appends a member key: bare when it is a plain word, quoted
// otherwise, so a key can never pass for something else.
func (x *Expander) appendKey(dst, key []byte, repr bool) []byte {
	if x.opts.Color {
		dst = append(dst, colorKey...)
	}
	if bareKey(key) {
		dst = append(dst, key...)
	} else {
		dst = appendQuoted(dst, key)
	}
	if x.opts.Color {
		dst = append(dst, colorReset...)
	}
	return dst
}

// appendKeyInfo is appendKey for a key whose cache answer is info.
func (x *Expander) appendKeyInfo(dst, key []byte, info keyInfo) []byte {
	if x.opts.Color {
		dst = append(dst, colorKey...)
	}
	if info&kiBare != 0 {
		dst = append(dst, key...)
	} else {
		dst = appendQuoted(dst, key)
	}
	if x.opts.Color {
		dst = append(dst, colorReset...)
	}
	return dst
}

func bareKey(key []byte) bool {
	if len(key) == 0 || key[0] == '-' || key[0] == '>' {
		return false
	}
	for _, c := range key {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == ':' || c == ' ' || c == '#' {
			return false
		}
	}
	return true
}

// textLine appends a line that is not JSON: as it came, but for the values
// of sensitive keys in the literals found in it, followed (unless
// flattening) by those literals, expanded and indented under it.
func (x *Expander) textLine(dst, header []byte) []byte {
	n := int32(len(x.t.Buf))
	dst = append(dst, header...)
	base := len(x.emb)
	if !x.opts.NoEmbedded && (!x.opts.Flatten || !x.opts.ShowSecrets) && bytes.IndexByte(x.t.Buf, '{') >= 0 {
		x.findEmbedded(0, n)
	}
	s, e := x.masked(0, n, base)
	text := x.t.Buf[s:e]
	if x.opts.Color {
		if i, j := textLevel(text); i >= 0 {
			if color := levelColor(text[i:j]); color != nil {
				dst = x.appendText(dst, text[:i])
				dst = x.colored(dst, color, text[i:j])
				text = text[j:]
			}
		}
	}
	dst = x.appendText(dst, text)
	dst = append(dst, '\n')
	if !x.opts.Flatten {
		dst = x.appendEmbedded(dst, base, 2, 0)
	}
	x.emb = x.emb[:base]
	return dst
}

// appendText appends text that is not JSON: as it is, or with control
// characters escaped when the output is a terminal.
func (x *Expander) appendText(dst, text []byte) []byte {
	if x.opts.EscapeControl {
		return appendEscaped(dst, text, false)
	}
	return append(dst, text...)
}

// selected returns the key of member c and the part of sel below it, and
// false when sel (the --keys paths) leaves c out; a nil sel takes all.
func (x *Expander) selected(c int32, sel *selector) (key []byte, below *selector, ok bool) {
	key = x.keyText(c)
	if sel == nil {
		return key, nil, true
	}
	below, ok = sel.lookup(key)
	return key, below, ok
}
