package report

import (
	"cmp"
	"slices"
)

// Counts is a table of counters by key that keeps at most Max keys. When
// it grows past Max it drops the half with the smallest weight (Misra–
// Gries style) and remembers the largest weight it dropped: a key that
// came back afterwards may be undercounted by at most Floor, which the
// report shows beside the numbers. Keys are cloned on insert, so callers
// may pass strings that alias the reader's buffer.
type Counts[V any] struct {
	Max     int
	Weight  func(*V) float64 // the weight pruning orders by
	m       map[string]*V
	Floor   float64 // largest weight dropped; 0 while nothing was
	Dropped int64   // keys dropped
}

// NewCounts returns a table of at most max keys ordered by weight.
func NewCounts[V any](max int, weight func(*V) float64) *Counts[V] {
	return &Counts[V]{Max: max, Weight: weight, m: make(map[string]*V)}
}

// Get returns the counters of key, made when new.
func (c *Counts[V]) Get(key string) *V {
	if v, ok := c.m[key]; ok {
		return v
	}
	if len(c.m) >= c.Max {
		c.prune()
	}
	v := new(V)
	c.m[keep(key)] = v
	return v
}

// Lookup returns the counters of key, or nil.
func (c *Counts[V]) Lookup(key string) *V { return c.m[key] }

// Delete forgets key.
func (c *Counts[V]) Delete(key string) { delete(c.m, key) }

// Len is the number of keys kept.
func (c *Counts[V]) Len() int { return len(c.m) }

// Exact tells whether no key was ever dropped.
func (c *Counts[V]) Exact() bool { return c.Dropped == 0 }

func (c *Counts[V]) prune() {
	type kv struct {
		k string
		w float64
	}
	all := make([]kv, 0, len(c.m))
	for k, v := range c.m {
		all = append(all, kv{k, c.Weight(v)})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Compare(b.w, a.w) })
	for _, x := range all[c.Max/2:] {
		if x.w > c.Floor {
			c.Floor = x.w
		}
		delete(c.m, x.k)
		c.Dropped++
	}
}

// Entry is one key and its counters.
type Entry[V any] struct {
	Key string
	V   *V
}

// Sorted returns the entries ordered by less (ties by key).
func (c *Counts[V]) Sorted(less func(a, b *V) int) []Entry[V] {
	out := make([]Entry[V], 0, len(c.m))
	for k, v := range c.m {
		out = append(out, Entry[V]{k, v})
	}
	slices.SortFunc(out, func(a, b Entry[V]) int {
		if r := less(a.V, b.V); r != 0 {
			return r
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// Heavy is a small Misra–Gries summary: the k most frequent keys of a
// stream, each undercounted by at most N/(k+1). A spike minute keeps one
// for its users and one for its actions, so it can say who was behind it.
type Heavy struct {
	keys   []string
	counts []int64
	N      int64
}

const heavyK = 8

// Add counts key once.
func (h *Heavy) Add(key string) {
	if key == "" {
		return
	}
	h.N++
	for i, k := range h.keys {
		if k == key {
			h.counts[i]++
			return
		}
	}
	if len(h.keys) < heavyK {
		h.keys = append(h.keys, keep(key))
		h.counts = append(h.counts, 1)
		return
	}
	j := 0
	for i := range h.counts {
		h.counts[i]--
		if h.counts[i] > 0 {
			h.keys[j], h.counts[j] = h.keys[i], h.counts[i]
			j++
		}
	}
	h.keys, h.counts = h.keys[:j], h.counts[:j]
}

// Merge adds o's counts (the result keeps the largest heavyK).
func (h *Heavy) Merge(o *Heavy) {
	for i, k := range o.keys {
		found := false
		for j, x := range h.keys {
			if x == k {
				h.counts[j] += o.counts[i]
				found = true
				break
			}
		}
		if !found {
			h.keys = append(h.keys, k)
			h.counts = append(h.counts, o.counts[i])
		}
	}
	h.N += o.N
	top := h.Top(heavyK)
	h.keys, h.counts = h.keys[:0], h.counts[:0]
	for _, t := range top {
		h.keys = append(h.keys, t.Key)
		h.counts = append(h.counts, t.Count)
	}
}

// KeyCount is a key and its (estimated) count.
type KeyCount struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// Top returns up to n keys, most frequent first.
func (h *Heavy) Top(n int) []KeyCount {
	out := make([]KeyCount, len(h.keys))
	for i := range h.keys {
		out[i] = KeyCount{h.keys[i], h.counts[i]}
	}
	slices.SortFunc(out, func(a, b KeyCount) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Key, b.Key)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
