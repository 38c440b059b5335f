package logexpand

import (
	"encoding/binary"
	"math/bits"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
)

// What a key says about its value is asked of every key of every line:
// whether the value is a credential (sensitive), whether the key prints
// bare, and whether it names the level. The same few dozen keys come back
// on every line, so the answers are kept in a small cache, found by the
// key's bytes: a key of up to 24 bytes is held as three words, zero-padded,
// so finding it takes no loop, and the fast path reads the words while it
// looks for the key's closing quote.

// keyInfo is what the cache answers about a key.
type keyInfo uint8

const (
	kiValid     keyInfo = 1 << iota // the entry holds a key
	kiSensitive                     // values under it are hidden
	kiBare                          // it prints without quotes (bareKey)
	kiLevel                         // it names the level (isLevelKey)
	kiStack                         // it names a stack trace (isStackKey)
)

// maxCachedKey is the longest key the cache holds: three words.
const maxCachedKey = 24

type keyEntry struct {
	w1, w2, w3 uint64
	n          uint8
	info       keyInfo
}

// sensitive reports whether values under key are credentials to hide.
func (x *Expander) sensitive(key []byte) bool {
	return x.keyInfo(key)&kiSensitive != 0
}

// keyInfo returns what is known about key.
func (x *Expander) keyInfo(key []byte) keyInfo {
	if len(key) > maxCachedKey {
		return x.computeKeyInfo(key)
	}
	w1, w2, w3 := keyWords(key)
	return x.cachedKeyInfo(key, w1, w2, w3)
}

// keyWords returns key (at most 24 bytes) as three little-endian words,
// zero-padded.
func keyWords(key []byte) (w1, w2, w3 uint64) {
	n := len(key)
	if full := key[:cap(key)]; len(full) >= maxCachedKey {
		w1 = binary.LittleEndian.Uint64(full) & lowBytes(n)
		if n > 8 {
			w2 = binary.LittleEndian.Uint64(full[8:]) & lowBytes(n-8)
		}
		if n > 16 {
			w3 = binary.LittleEndian.Uint64(full[16:]) & lowBytes(n-16)
		}
		return w1, w2, w3
	}
	var w [3]uint64
	for i, c := range key {
		w[i>>3] |= uint64(c) << (8 * (i & 7))
	}
	return w[0], w[1], w[2]
}

// lowBytes is a mask of the low n bytes of a word (all of it for n >= 8).
func lowBytes(n int) uint64 {
	if n >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*n) - 1
}

// cachedKeyInfo returns what is known about key, whose words are w1, w2,
// w3, from the cache: a two-way set of 512, picked by a hash of the words.
func (x *Expander) cachedKeyInfo(key []byte, w1, w2, w3 uint64) keyInfo {
	n := uint8(len(key))
	set := &x.keyCache[keyHash(w1, w2, w3, n)]
	if e := &set[0]; e.w1 == w1 && e.w2 == w2 && e.w3 == w3 && e.n == n && e.info != 0 {
		return e.info
	}
	return x.keyInfoMiss(set, key, w1, w2, w3)
}

// keyHash picks the cache set of a key.
func keyHash(w1, w2, w3 uint64, n uint8) uint64 {
	return (w1*0x9E3779B97F4A7C15 ^ w2*0xD6E8FEB86659FD93 ^ w3*0xC2B2AE3D27D4EB4F ^ uint64(n)) * 0x165667B19E3779F9 >> 55
}

// keyInfoMiss is cachedKeyInfo past the first way of the set.
func (x *Expander) keyInfoMiss(set *[2]keyEntry, key []byte, w1, w2, w3 uint64) keyInfo {
	n := uint8(len(key))
	if e := &set[1]; e.w1 == w1 && e.w2 == w2 && e.w3 == w3 && e.n == n && e.info != 0 {
		return e.info
	}
	set[1] = set[0] // the older answer stays in the second way
	info := x.computeKeyInfo(key)
	set[0] = keyEntry{w1: w1, w2: w2, w3: w3, n: n, info: info}
	return info
}

// computeKeyInfo works out what the cache holds about key.
func (x *Expander) computeKeyInfo(key []byte) keyInfo {
	info := kiValid
	if bareKey(key) {
		info |= kiBare
	}
	if isLevelKey(key) {
		info |= kiLevel
	}
	if isStackKey(key) {
		info |= kiStack
	}
	if !x.opts.ShowSecrets && len(key) >= x.minSens {
		var v bool
		if len(key) > maxCachedKey {
			v = x.sensitiveLong(key)
		} else {
			v = x.sens(string(key))
		}
		if v {
			info |= kiSensitive
		}
	}
	return info
}

// sensitiveLong is the sensitive test for keys too long for the cache,
// remembered in a map.
func (x *Expander) sensitiveLong(key []byte) bool {
	if v, ok := x.sensLong[string(key)]; ok {
		return v
	}
	v := x.sens(string(key))
	if len(x.sensLong) >= 4096 {
		clear(x.sensLong)
	}
	x.sensLong[string(key)] = v
	return v
}

// scanKey scans a member key whose content starts at b[i] (after its
// quote), as jsontree.ScanString does, and returns its end, what is known about it,
// and its first eight bytes as a big-endian number (zero-padded), which
// order keys as their bytes do but for ties. ok is false when the key
// holds an escape (the tree path decodes it) or has no closing quote. Keys
// are short: they are found a word at a time, and the words found are
// those the cache is searched with.
func (x *Expander) scanKey(b []byte, i int) (e int, info keyInfo, prefix uint64, ok bool) {
	if full := b[:cap(b)]; i+maxCachedKey <= len(full) {
		w := full[i : i+maxCachedKey]
		var w1, w2, w3 uint64
		j := -1
		if v := binary.LittleEndian.Uint64(w); jsontree.StopBytes(v) != 0 {
			j = bits.TrailingZeros64(jsontree.StopBytes(v)) >> 3
			w1 = v & lowBytes(j)
		} else if v2 := binary.LittleEndian.Uint64(w[8:]); jsontree.StopBytes(v2) != 0 {
			j = 8 + bits.TrailingZeros64(jsontree.StopBytes(v2))>>3
			w1, w2 = v, v2&lowBytes(j-8)
		} else if v3 := binary.LittleEndian.Uint64(w[16:]); jsontree.StopBytes(v3) != 0 {
			j = 16 + bits.TrailingZeros64(jsontree.StopBytes(v3))>>3
			w1, w2, w3 = v, v2, v3&lowBytes(j-16)
		}
		if j >= 0 && i+j < len(b) && b[i+j] == '"' {
			return i + j, x.cachedKeyInfo(b[i:i+j], w1, w2, w3), bits.ReverseBytes64(w1), true
		}
	}
	// A long key, one the general scanner must settle, or the end of the
	// buffer.
	_, e, flags, ok := jsontree.ScanString(b, i)
	if !ok || flags&jsontree.FEsc != 0 {
		return e, 0, 0, false
	}
	key := b[i:e]
	w1, _, _ := keyWords(key[:min(len(key), 8)])
	return e, x.keyInfo(key), bits.ReverseBytes64(w1), true
}
