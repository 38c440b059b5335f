package report

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// The walk of a JSON line for the record's slots. It gives the values
// logline.Fields.Extract gives for js.f (the tests fuzz the two against
// each other), and it is there because Extract was over half of
// `log-report perf`'s time: it finds where each key ends, then scans a
// list of keys of that length comparing them in turn, where the walk
// tells a key from the first bytes after its quote, in a table (see
// walkLevel). What the walk is not sure to read as Extract does, it
// leaves to Extract: a key written with escapes, an array where the
// record looks into an object, a line that is not a JSON object (so that
// the reason stays Extract's).

// walkKey is one key of a level of the walk: its slot (-1: none) and the
// level below it (nil: none).
type walkKey struct {
	// head is the first eight bytes of the key and its closing quote,
	// little-endian, as a line has them; mask covers those of them there
	// are (all eight for a key of seven bytes or more).
	head, mask uint64
	key        string
	slot       int
	bit        uint64 // 1<<slot; 0 for none
	sub        *walkLevel
	next       *walkKey // the next key of the same hash
}

// walkLevel holds a level's keys by a hash of their first width bytes,
// the closing quote included for the shortest, so that a key is told from
// the eight bytes after its opening quote, before and without the search
// for its end: a key of the table whose head those bytes start with is
// that key (none has a quote or a backslash in it), and none of them is
// when none of the keys of that hash is. It also holds, as keys of no
// slot, the keys our lines write that the record does not read, which
// are then skipped without that search either. An empty entry is the
// empty key, of no slot either, which is how the walk takes it.
type walkLevel struct {
	mul   uint64
	width uint64 // mask of the bytes hashed
	keys  [walkSize]walkKey
}

const walkSize = 64

func (l *walkLevel) hash(x uint64) uint64 { return (x & l.width) * l.mul >> (64 - 6) }

// match returns the key of l that b[ks:] starts with, closing quote
// included, and where that quote is; nil when b[ks:] starts with none.
func (l *walkLevel) match(b []byte, ks int) (*walkKey, int) {
	if ks+8 > len(b) {
		return l.matchShort(b, ks)
	}
	x := binary.LittleEndian.Uint64(b[ks:])
	for k := &l.keys[l.hash(x)]; k != nil; k = k.next {
		if x&k.mask != k.head {
			continue
		}
		ke := ks + len(k.key)
		if len(k.key) < 8 {
			return k, ke // its quote was in head
		}
		if ke < len(b) && b[ke] == '"' && string(b[ks+8:ke]) == k.key[8:] {
			return k, ke
		}
	}
	return nil, 0
}

// matchShort is match within eight bytes of the end of b (a line that
// ends there is not much of one): every key is compared.
func (l *walkLevel) matchShort(b []byte, ks int) (*walkKey, int) {
	for i := range l.keys {
		for k := &l.keys[i]; k != nil; k = k.next {
			ke := ks + len(k.key)
			if k.key != "" && ke < len(b) && b[ke] == '"' && string(b[ks:ke]) == k.key {
				return k, ke
			}
		}
	}
	return nil, 0
}

// walkOurs are the keys our lines write, by the path of their object (""
// for the top level), the commonest first: the record reads some of them,
// the others are skipped as keys of no slot, and they come first among
// keys of the same hash.
var walkOurs = map[string][]string{
	"": {"kind", "level", "message", "schema_version", "seq", "service", "timestamp", "user", "context",
		"outcome", "rpc", "duration_ms", "attrs", "status", "target", "action", "exception"},
	"context":   {"request_id", "user_agent", "remote_addr", "global_request_id"},
	"user":      {"id", "name", "project_id", "roles"},
	"rpc":       {"system", "method", "service", "route", "response_bytes", "peer", "statement", "transaction_id", "rows_affected"},
	"attrs":     {"instance", "host", "body", "network_info", "details", "version"},
	"target":    {"type", "id", "name"},
	"exception": {"type", "message", "stacktrace", "chain"},
}

// walkRoot is the top level of js.f's paths.
var walkRoot = newWalk()

func newWalk() *walkLevel {
	type path struct {
		segs []string
		slot int
	}
	var paths []path
	for slot := range js.f.Len() {
		paths = append(paths, path{strings.Split(js.f.Path(slot), "."), slot})
	}
	var build func(prefix string, depth int, ps []path) *walkLevel
	build = func(prefix string, depth int, ps []path) *walkLevel {
		type entry struct {
			slot int
			sub  []path
		}
		keys := map[string]*entry{}
		var order []string
		for _, k := range walkOurs[prefix] {
			keys[k] = &entry{slot: -1}
			order = append(order, k)
		}
		for _, p := range ps {
			k := p.segs[depth]
			e := keys[k]
			if e == nil {
				e = &entry{slot: -1}
				keys[k] = e
				order = append(order, k)
			}
			if len(p.segs) == depth+1 {
				e.slot = p.slot
			} else {
				e.sub = append(e.sub, p)
			}
		}
		l := &walkLevel{}
		heads := make([]*walkKey, len(order))
		width := 8
		for i, k := range order {
			if k == "" || strings.ContainsAny(k, "\\\"") {
				panic("report: a key the walk cannot take: " + k)
			}
			if keys[k].slot >= 64 {
				panic("report: more slots than the walk's set has bits")
			}
			wk := &walkKey{key: k, slot: keys[k].slot}
			if wk.slot >= 0 {
				wk.bit = 1 << wk.slot
			}
			q := k + `"`
			for i := 0; i < 8 && i < len(q); i++ {
				wk.head |= uint64(q[i]) << (8 * i)
				wk.mask |= 0xff << (8 * i)
			}
			if sub := keys[k].sub; sub != nil {
				wk.sub = build(strings.TrimPrefix(prefix+"."+k, "."), depth+1, sub)
			}
			heads[i] = wk
			width = min(width, len(q))
		}
		l.width = 1<<(8*width) - 1
		if width == 8 {
			l.width = ^uint64(0)
		}
		// The multiplier that spreads the keys' first width bytes best.
		cost := func(mul uint64) int {
			l.mul = mul
			var n [walkSize]int
			c := 0
			for _, wk := range heads {
				h := l.hash(wk.head)
				n[h]++
				c += n[h]
			}
			return c
		}
		best, bestCost := uint64(0), -1
		for x, i := uint64(0x9E3779B97F4A7C15), 0; i < 4096; i++ {
			x = x*6364136223846793005 + 1442695040888963407
			if c := cost(x | 1); bestCost < 0 || c < bestCost {
				best, bestCost = x|1, c
			}
		}
		l.mul = best
		for i := range l.keys {
			l.keys[i] = walkKey{slot: -1, head: '"', mask: 0xff}
		}
		for _, wk := range heads {
			e := &l.keys[l.hash(wk.head)]
			if e.key == "" {
				*e = *wk
				continue
			}
			for e.next != nil {
				e = e.next
			}
			e.next = wk
		}
		return l
	}
	return build("", 0, paths)
}

// walkJSON sets v's slots to where each slot's value is, as Extract
// would find it, with their bits in v.set, and reports true; false when
// it leaves the line to Extract (v's values are then undefined, v.set
// still holds every slot it set).
func walkJSON(line []byte, v *slots) bool {
	v.line = line
	for s := v.set; s != 0; s &= s - 1 { // the slots the last line set
		v.at[bits.TrailingZeros64(s)] = 0
	}
	v.set = 0
	set := &v.set
	i := jsonscan.SkipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	end, ok := walkObject(line, i, walkRoot, v, set)
	return ok && jsonscan.SkipWS(line, end) == len(line)
}

// walkObject is logline's object, with the walk's table.
func walkObject(b []byte, i int, l *walkLevel, v *slots, set *uint64) (int, bool) {
	i = jsonscan.SkipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		ks := i + 1
		k, ke := l.match(b, ks)
		if k == nil {
			if ke = jsonscan.StringEnd(b, ks); ke < 0 {
				return 0, false
			}
		}
		i = ke + 1
		if i < len(b) && b[i] != ':' {
			i = jsonscan.SkipWS(b, i)
		}
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i++
		if i < len(b) && b[i] <= ' ' {
			i = jsonscan.SkipWS(b, i)
		}
		if i >= len(b) {
			return 0, false
		}
		var ok bool
		switch {
		case k == nil:
			if bytes.IndexByte(b[ks:ke], '\\') >= 0 {
				return 0, false // an escaped key may spell one asked for
			}
			i, ok = jsonscan.SkipValue(b, i)
		case k.sub != nil && b[i] == '{':
			vs := i
			i, ok = walkObject(b, i, k.sub, v, set)
			if ok && k.slot >= 0 {
				v.at[k.slot&(maxSlots-1)] = uint64(vs)<<32 | uint64(i)
				*set |= k.bit
			}
		case k.sub != nil && b[i] == '[':
			return 0, false // Extract walks arrays by index
		default:
			vs := i
			i, ok = jsonscan.SkipValue(b, i)
			if ok && k.slot >= 0 {
				v.at[k.slot&(maxSlots-1)] = uint64(vs)<<32 | uint64(i)
				*set |= k.bit
			}
		}
		if !ok {
			return 0, false
		}
		if i < len(b) && b[i] <= ' ' {
			i = jsonscan.SkipWS(b, i)
		}
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i++
			if i < len(b) && b[i] <= ' ' {
				i = jsonscan.SkipWS(b, i)
			}
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}
