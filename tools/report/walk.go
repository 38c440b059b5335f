package report

import (
	"bytes"
	"strings"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// The walk of a JSON line for the record's slots. It gives the values
// logline.Fields.Extract gives for js.f (the tests fuzz the two against
// each other), and it is there because Extract was over half of
// `log-report perf`'s time: its key lookup scans a list of keys per
// length and compares them in turn, where the record's few dozen keys fit
// a table indexed by a hash of the key's length and two of its bytes, one
// comparison per key. What the walk is not sure to read as Extract does,
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

// walkLevel is a level's keys in a table of walkSize entries, each key at
// index hash(key) & (walkSize-1), no two at the same index.
type walkLevel struct {
	mul  uint32
	keys [walkSize]walkKey
}

const walkSize = 128

func (l *walkLevel) hash(k []byte) uint32 {
	n := uint32(len(k))
	return (n*l.mul ^ uint32(k[0])*31 ^ uint32(k[n-1])*l.mul>>3) & (walkSize - 1)
}

// find returns the key k names, or nil; k is not empty.
func (l *walkLevel) find(k []byte) *walkKey {
	e := &l.keys[l.hash(k)]
	if e.key == string(k) {
		return e
	}
	return nil
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
	var build func(depth int, ps []path) *walkLevel
	build = func(depth int, ps []path) *walkLevel {
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
	next:
		for mul := uint32(1); mul < 1<<16; mul++ {
			l := &walkLevel{mul: mul}
			for _, k := range order {
				if k == "" || strings.IndexByte(k, '\\') >= 0 || (k[0] >= '0' && k[0] <= '9') {
					panic("report: a path the walk cannot take: " + k)
				}
				e := &l.keys[l.hash([]byte(k))]
				if e.key != "" {
					continue next
				}
				e.key, e.slot = k, keys[k].slot
			}
			for _, k := range order {
				if sub := keys[k].sub; sub != nil {
					l.keys[l.hash([]byte(k))].sub = build(depth+1, sub)
				}
			}
			return l
		}
		panic("report: no hash for the walk's keys")
	}
	return build(0, paths)
}

// walkJSON sets v[slot] to the raw text of each slot's value, as Extract
// would, and reports true; false when it leaves the line to Extract
// (v is then undefined).
func walkJSON(line []byte, v [][]byte) bool {
	clear(v)
	i := jsonscan.SkipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	end, ok := walkObject(line, i, walkRoot, v)
	return ok && jsonscan.SkipWS(line, end) == len(line)
}

// walkObject is logline's object, with the walk's table.
func walkObject(b []byte, i int, l *walkLevel, v [][]byte) (int, bool) {
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
		var k *walkKey
		if ke > ks {
			k = l.find(b[ks:ke])
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
			i, ok = walkObject(b, i, k.sub, v)
			if ok && k.slot >= 0 {
				v[k.slot] = b[vs:i]
			}
		case k.sub != nil && b[i] == '[':
			return 0, false // Extract walks arrays by index
		default:
			vs := i
			i, ok = jsonscan.SkipValue(b, i)
			if ok && k.slot >= 0 {
				v[k.slot] = b[vs:i]
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
