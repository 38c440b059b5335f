package report

import (
	"bytes"
	"strings"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// The walk of a JSON line for the record's slots. It gives the values
// logline.Fields.Extract gives for js.f (the tests fuzz the two against
// each other), and it is there because Extract was over half of
// `log-report perf`'s time: it finds where each key ends, then scans a
// list of keys of that length comparing them in turn, where the record's
// few dozen keys fit a table indexed by a hash of a key's first two bytes,
// which tells the key at once (see walkLevel). What the walk is not sure to read as Extract does,
// it leaves to Extract: a key written with escapes, an array where the
// record looks into an object, a line that is not a JSON object (so that
// the reason stays Extract's).

// walkKey is one key of a level of the walk: its slot (-1: none) and the
// level below it (nil: none).
type walkKey struct {
	key  string
	slot int
	sub  *walkLevel
}

// walkLevel holds a level's keys by a hash of their first two bytes (the
// closing quote for a key of one byte), so that a key is told from the
// bytes after its opening quote, before and without the search for its
// end: a key of the list that is followed by a quote there is that key
// (none has a quote or a backslash in it). It also holds, as keys of no
// slot, the keys our lines write that the record does not read, which
// are then skipped without that search either.
type walkLevel struct {
	mul  uint32
	keys [walkSize][]walkKey
}

const walkSize = 64

func (l *walkLevel) hash(b0, b1 byte) uint32 {
	return (uint32(b0)*l.mul + uint32(b1)) & (walkSize - 1)
}

// match returns the key of l that b[ks:] starts with, closing quote
// included, and where that quote is; nil when b[ks:] starts with none.
func (l *walkLevel) match(b []byte, ks int) (*walkKey, int) {
	if ks+1 >= len(b) {
		return nil, 0
	}
	list := l.keys[l.hash(b[ks], b[ks+1])]
	for i := range list {
		k := &list[i]
		ke := ks + len(k.key)
		if ke < len(b) && b[ke] == '"' && string(b[ks:ke]) == k.key {
			return k, ke
		}
	}
	return nil, 0
}

// walkSkipped are the keys of our lines the record does not read, by the
// path of their object ("" for the top level).
var walkSkipped = map[string][]string{
	"":          {"seq"},
	"context":   {"user_agent", "global_request_id"},
	"user":      {"roles"},
	"rpc":       {"response_bytes", "peer", "transaction_id", "rows_affected"},
	"attrs":     {"instance", "host", "body", "network_info", "details"},
	"target":    {"name"},
	"exception": {"message", "stacktrace", "chain"},
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
		for _, k := range walkSkipped[prefix] {
			if keys[k] == nil {
				keys[k] = &entry{slot: -1}
				order = append(order, k)
			}
		}
		ends := func(k string) (byte, byte) {
			if len(k) == 1 {
				return k[0], '"'
			}
			return k[0], k[1]
		}
		// The multiplier that spreads the keys best.
		best, bestCost := uint32(1), -1
		for mul := uint32(1); mul < 512; mul++ {
			l := &walkLevel{mul: mul}
			var n [walkSize]int
			cost := 0
			for _, k := range order {
				h := l.hash(ends(k))
				n[h]++
				cost += n[h]
			}
			if bestCost < 0 || cost < bestCost {
				best, bestCost = mul, cost
			}
		}
		l := &walkLevel{mul: best}
		for _, k := range order {
			if k == "" || strings.ContainsAny(k, "\\\"") {
				panic("report: a key the walk cannot take: " + k)
			}
			if keys[k].slot >= 64 {
				panic("report: more slots than the walk's set has bits")
			}
			wk := walkKey{key: k, slot: keys[k].slot}
			if sub := keys[k].sub; sub != nil {
				wk.sub = build(strings.TrimPrefix(prefix+"."+k, "."), depth+1, sub)
			}
			h := l.hash(ends(k))
			l.keys[h] = append(l.keys[h], wk)
		}
		return l
	}
	return build("", 0, paths)
}

// walkJSON sets v[slot] to the raw text of each slot's value, as Extract
// would, and the bit 1<<slot of *set for each slot it sets, and reports
// true; false when it leaves the line to Extract (v and *set are then
// undefined).
func walkJSON(line []byte, v [][]byte, set *uint64) bool {
	clear(v)
	*set = 0
	i := jsonscan.SkipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	end, ok := walkObject(line, i, walkRoot, v, set)
	return ok && jsonscan.SkipWS(line, end) == len(line)
}

// walkObject is logline's object, with the walk's table.
func walkObject(b []byte, i int, l *walkLevel, v [][]byte, set *uint64) (int, bool) {
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
				v[k.slot] = b[vs:i]
				*set |= 1 << k.slot
			}
		case k.sub != nil && b[i] == '[':
			return 0, false // Extract walks arrays by index
		default:
			vs := i
			i, ok = jsonscan.SkipValue(b, i)
			if ok && k.slot >= 0 {
				v[k.slot] = b[vs:i]
				*set |= 1 << k.slot
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
