package auditlog

import (
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// This file builds the attrs object: the slog path's share of a line. The
// rules (LogValuers resolved, inline groups flattened, empty attributes and
// groups left out, sensitive keys redacted, keys sorted, a key given twice
// written once with its last value) are the same everywhere; what differs is
// when the work is done. A record's attributes are encoded as the line is
// built. What With fixes is prepared and encoded once, when With is called,
// and copied into each line as bytes.

// item is an attribute bound for an object, with what the redactor knows of
// its key, looked up once per attribute rather than once per use.
type item struct {
	key string
	val slog.Value
	ki  keyInfo
}

// collect appends the attributes of in to items: resolved, passed through
// ReplaceAttr (unless already done), inline groups flattened, empty ones
// dropped and keys made valid UTF-8.
func (e *encoder) collect(items []item, in []slog.Attr, groups []string) []item {
	for _, a := range in {
		a.Value = a.Value.Resolve()
		if e.c.replace != nil && !e.noReplace && a.Value.Kind() != slog.KindGroup {
			a = e.c.replace(groups, a)
			a.Value = a.Value.Resolve()
		}
		if a.Key == "" {
			if a.Value.Kind() == slog.KindGroup {
				items = e.collect(items, a.Value.Group(), groups)
				continue
			}
			if a.Value.Kind() == slog.KindAny && a.Value.Any() == nil {
				continue // the zero Attr: slog asks that it be ignored
			}
		}
		ki := e.keyInfo(a.Key)
		if ki&keyPlain == 0 && !utf8.ValidString(a.Key) {
			// Two different invalid keys would both be written as U+FFFD;
			// mending them here, before keys are sorted and duplicates
			// dropped, keeps them from becoming one key written twice.
			a.Key = strings.ToValidUTF8(a.Key, "\uFFFD")
			ki = e.keyInfo(a.Key)
		}
		items = append(items, item{key: a.Key, val: a.Value, ki: ki})
	}
	return items
}

// keyCache remembers, in one encoder, what the redactor said of the keys
// it was last asked about. The redactor's own cache is a map shared by all
// goroutines; this one is a small array indexed by a hash of a few bytes of
// the key, which costs a few instructions where the map lookup costs a
// hundred, and needs no synchronisation because an encoder is used by one
// goroutine at a time. A hit compares the whole key, so a collision only
// costs a trip to the redactor. (The entry keeps the caller's key string,
// which Go guarantees immutable; a key mutated in place through unsafe
// would be misread here, as it would be by any map.)
type keyCache struct {
	rd  *redactor // whose answers these are; encoders are shared by handlers
	ent [64]struct {
		key string
		ki  keyInfo // with keyKnown set
	}
}

// keyInfo is rd.info(key) through the encoder's cache.
func (e *encoder) keyInfo(key string) keyInfo {
	rd := e.c.rd
	if e.raw {
		return rd.info(key) // a short-lived encoder: not worth filling a cache
	}
	kc := &e.keys
	if kc.rd != rd {
		*kc = keyCache{rd: rd}
	}
	h := uint(len(key))
	if len(key) > 0 {
		h = h*31 + uint(key[0])
		h = h*31 + uint(key[len(key)-1])
		h = h*31 + uint(key[len(key)/2])
	}
	ent := &kc.ent[h%uint(len(kc.ent))]
	// Keys are mostly literals in the caller's code, the same bytes on
	// every call: comparing where they are saves comparing what they say.
	if ent.ki&keyKnown != 0 && len(ent.key) == len(key) &&
		(unsafe.StringData(ent.key) == unsafe.StringData(key) || ent.key == key) {
		return ent.ki
	}
	ki := rd.info(key) | keyKnown
	ent.key, ent.ki = key, ki
	return ki
}

// sortItems sorts by key, keeping the order of equal keys (so that the last
// one given is last), and drops all but the last of each key. Insertion
// sort: attribute lists are short, and often come sorted or nearly.
func sortItems(a []item) []item {
	if len(a) > 24 {
		slices.SortStableFunc(a, func(x, y item) int { return strings.Compare(x.key, y.key) })
	} else {
		for i := 1; i < len(a); i++ {
			for j := i; j > 0 && a[j].key < a[j-1].key; j-- {
				a[j], a[j-1] = a[j-1], a[j]
			}
		}
	}
	out := a[:0]
	for i := range a {
		if i+1 < len(a) && a[i+1].key == a[i].key {
			continue // a later attribute with the same key wins
		}
		out = append(out, a[i])
	}
	return out
}

// appendObject appends a JSON object made of the attributes of a and then
// b, by the rules at the top of this file.
func (e *encoder) appendObject(dst []byte, a, b []slog.Attr, groups []string) []byte {
	if len(a) == 0 || len(b) == 0 {
		one := a
		if len(a) == 0 {
			one = b
		}
		if out, ok := e.appendSimpleObject(dst, one, groups); ok {
			return out
		}
	}
	var stack [16]item
	items := e.collect(stack[:0], a, groups)
	items = e.collect(items, b, groups)
	items = sortItems(items)
	dst = append(dst, '{')
	first := true
	for i := range items {
		dst, first = e.appendMember(dst, &items[i], groups, first)
	}
	return append(dst, '}')
}

// appendSimpleObject is appendObject for the usual case, a short list of
// attributes that collect would leave as they are: no LogValuer to resolve,
// no ReplaceAttr to call, no inline group, no empty or invalid key. It
// sorts indices rather than copying the attributes, and reports false,
// having written nothing, when the list is not of that kind.
func (e *encoder) appendSimpleObject(dst []byte, in []slog.Attr, groups []string) ([]byte, bool) {
	if len(in) > 16 || (e.c.replace != nil && !e.noReplace) {
		return dst, false
	}
	var ord [16]uint8
	var kis [16]keyInfo
	for i := range in {
		a := &in[i]
		if a.Key == "" || a.Value.Kind() == slog.KindLogValuer {
			return dst, false
		}
		ki := e.keyInfo(a.Key)
		if ki&keyPlain == 0 && !utf8.ValidString(a.Key) {
			return dst, false
		}
		kis[i] = ki
		// Insertion sort of the indices, stable: equal keys keep their
		// order, so the last one given is last.
		j := i
		for ; j > 0 && a.Key < in[ord[j-1]].Key; j-- {
			ord[j] = ord[j-1]
		}
		ord[j] = uint8(i)
	}
	dst = append(dst, '{')
	first := true
	for n := 0; n < len(in); n++ {
		i := ord[n]
		if n+1 < len(in) && in[ord[n+1]].Key == in[i].Key {
			continue // a later attribute with the same key wins
		}
		it := item{key: in[i].Key, val: in[i].Value, ki: kis[i]}
		dst, first = e.appendMember(dst, &it, groups, first)
	}
	return append(dst, '}'), true
}

// appendMember appends it as a member of an object, with a comma unless it
// is the object's first, and reports whether the object still has no
// member: a dropped secret or an empty group writes nothing.
func (e *encoder) appendMember(dst []byte, it *item, groups []string, first bool) ([]byte, bool) {
	mark := len(dst)
	if !first {
		dst = append(dst, ',')
	}
	if it.ki&keySensitive != 0 {
		if e.c.rd.mode == RedactDrop {
			return dst[:mark], first
		}
		dst = appendItemKey(dst, it.key, it.ki)
		return e.appendRedactedValue(dst, it.val, groups), false
	}
	dst = appendItemKey(dst, it.key, it.ki)
	if k := it.val.Kind(); k != slog.KindGroup {
		return e.appendValueOf(dst, it.val, k, groups), false
	}
	start := len(dst)
	var sub []string
	if e.c.replace != nil && !e.noReplace {
		sub = append(groups[:len(groups):len(groups)], it.key)
	}
	dst = e.appendObject(dst, it.val.Group(), nil, sub)
	if len(dst) == start+2 { // an empty group is left out
		return dst[:mark], first
	}
	return dst, false
}

// appendItemKey appends an attribute's key and the colon. A key the cache
// knows needs no escaping is copied as it is. Keys are never shortened: two
// long keys that differ only past the cut would become one key written
// twice. (A line that is too long for its keys loses its attrs instead.)
func appendItemKey(dst []byte, key string, ki keyInfo) []byte {
	if ki&keyPlain != 0 {
		dst = append(dst, '"')
		dst = append(dst, key...)
		return append(dst, '"', ':')
	}
	dst = appendString(dst, key)
	return append(dst, ':')
}

// appendRedactedValue appends what stands for v under a sensitive key.
func (e *encoder) appendRedactedValue(dst []byte, v slog.Value, groups []string) []byte {
	rd := e.c.rd
	if rd.mode != RedactHash {
		return appendString(dst, Masked)
	}
	if v.Kind() == slog.KindString {
		return rd.appendRedacted(dst, []byte(v.String()))
	}
	// Hash the value's JSON form, built with redaction off so that the
	// hash is of the real value.
	plain := e.plain()
	var text []byte
	if v.Kind() == slog.KindGroup {
		text = plain.appendObject(nil, v.Group(), nil, groups)
	} else {
		text = plain.appendValue(nil, v, groups)
	}
	return rd.appendRedacted(dst, text)
}

// plain returns an encoder that writes values as they are, for hashing.
func (e *encoder) plain() *encoder {
	return &encoder{c: &core{rd: &redactor{mode: RedactOff}, replace: e.c.replace}, noReplace: e.noReplace, raw: true}
}

// level is one object of the attrs tree that With attributes go to: the top
// of attrs, or a group opened with WithGroup. Levels are never changed once
// a handler holds them; With makes new ones.
type level struct {
	name   string   // the group's key, valid UTF-8; "" for the top
	nameKI keyInfo  // what the redactor says of name
	path   []string // the groups' names down to this one, for ReplaceAttr
	// attrs are the level's With attributes, prepared: resolved, through
	// ReplaceAttr, flattened, sorted and one per key.
	attrs []slog.Attr
	// enc holds each of attrs as the line writes it, redacted, with its
	// leading comma; empty for one that writes nothing.
	enc [][]byte
}

// extend returns lv with attrs added after its own, prepared and encoded.
func (c *core) extend(lv level, attrs []slog.Attr) level {
	e := &encoder{c: c}
	var items []item
	// The level's own attributes are prepared already; only the new ones
	// go through ReplaceAttr, so that it sees each attribute once.
	e.noReplace = true
	items = e.collect(items, lv.attrs, lv.path)
	e.noReplace = false
	items = e.prepare(items, attrs, lv.path)
	items = sortItems(items)

	out := lv
	out.attrs = make([]slog.Attr, len(items))
	out.enc = make([][]byte, len(items))
	e.noReplace = true
	for i := range items {
		out.attrs[i] = slog.Attr{Key: items[i].key, Value: items[i].val}
		if b, _ := e.appendMember(nil, &items[i], lv.path, false); len(b) > 0 {
			out.enc[i] = b
		}
	}
	return out
}

// prepare appends the attributes of in to items as collect does, and does
// the same, recursively, to the members of groups, so that nothing is left
// for ReplaceAttr or Resolve to do when the line is built.
func (e *encoder) prepare(items []item, in []slog.Attr, groups []string) []item {
	start := len(items)
	items = e.collect(items, in, groups)
	for i := start; i < len(items); i++ {
		it := &items[i]
		if it.val.Kind() != slog.KindGroup {
			continue
		}
		sub := append(groups[:len(groups):len(groups)], it.key)
		members := sortItems(e.prepare(nil, it.val.Group(), sub))
		as := make([]slog.Attr, len(members))
		for j, m := range members {
			as[j] = slog.Attr{Key: m.key, Value: m.val}
		}
		it.val = slog.GroupValue(as...)
	}
	return items
}

// newLevel returns the level of a group opened with WithGroup(name) inside
// parent.
func (c *core) newLevel(parent []string, name string) level {
	name = strings.ToValidUTF8(name, "\uFFFD")
	return level{
		name:   name,
		nameKI: c.rd.info(name),
		path:   append(parent[:len(parent):len(parent)], name),
	}
}

// appendAttrs appends the attrs object: the With attributes, then the open
// groups nested in order, the record's attributes in the innermost.
func (e *encoder) appendAttrs(b []byte, l *lineData) []byte {
	h := l.h
	if len(h.groups) == 0 && len(h.top.attrs) == 0 {
		return e.appendObject(b, nil, l.extras, nil)
	}
	return e.appendLevel(b, &h.top, h.groups, l.extras)
}

// appendLevel appends the object of lv: its With attributes merged, in key
// order, with either the next group (inner[0]) or, at the innermost level,
// the record's attributes. The one given later wins a key both have: the
// record over With, a group over the With attributes beside it.
func (e *encoder) appendLevel(dst []byte, lv *level, inner []level, extras []slog.Attr) []byte {
	var stack [16]item
	var rest []item
	if len(inner) == 0 {
		rest = sortItems(e.collect(stack[:0], extras, lv.path))
	} else {
		rest = append(stack[:0], item{key: inner[0].name})
	}
	// The pre-encoded bytes hold no shortened strings and are redacted;
	// a line being shortened, or a value being hashed, encodes afresh.
	fresh := e.limit > 0 || e.raw
	dst = append(dst, '{')
	first := true
	i, j := 0, 0
	for i < len(lv.attrs) || j < len(rest) {
		if j < len(rest) && (i == len(lv.attrs) || rest[j].key <= lv.attrs[i].Key) {
			if i < len(lv.attrs) && rest[j].key == lv.attrs[i].Key {
				i++
			}
			if len(inner) == 0 {
				dst, first = e.appendMember(dst, &rest[j], lv.path, first)
			} else {
				dst, first = e.appendGroup(dst, &inner[0], inner[1:], extras, first)
			}
			j++
			continue
		}
		switch {
		case fresh:
			it := item{key: lv.attrs[i].Key, val: lv.attrs[i].Value, ki: e.keyInfo(lv.attrs[i].Key)}
			saved := e.noReplace
			e.noReplace = true
			dst, first = e.appendMember(dst, &it, lv.path, first)
			e.noReplace = saved
		case len(lv.enc[i]) == 0:
		case first:
			dst, first = append(dst, lv.enc[i][1:]...), false
		default:
			dst = append(dst, lv.enc[i]...)
		}
		i++
	}
	return append(dst, '}')
}

// appendGroup appends the member for the group g opened by WithGroup, which
// holds the groups inside it and, innermost, the record's attributes. A
// group under a sensitive name is a secret as a whole; an empty one is left
// out.
func (e *encoder) appendGroup(dst []byte, g *level, inner []level, extras []slog.Attr, first bool) ([]byte, bool) {
	mark := len(dst)
	if !first {
		dst = append(dst, ',')
	}
	rd := e.c.rd
	if g.nameKI&keySensitive != 0 {
		switch rd.mode {
		case RedactDrop:
			return dst[:mark], first
		case RedactHash:
			dst = appendItemKey(dst, g.name, g.nameKI)
			return rd.appendRedacted(dst, e.plain().appendLevel(nil, g, inner, extras)), false
		}
		dst = appendItemKey(dst, g.name, g.nameKI)
		return appendString(dst, Masked), false
	}
	dst = appendItemKey(dst, g.name, g.nameKI)
	start := len(dst)
	dst = e.appendLevel(dst, g, inner, extras)
	if len(dst) == start+2 {
		return dst[:mark], first
	}
	return dst, false
}
