// Package hexword writes lower-case hex digits a machine word at a time,
// for the ids the logger and the middleware write on every line: trace and
// span ids, request ids. A byte-at-a-time table lookup costs a load and a
// store per digit; here sixteen digits are two multiplies' worth of shifts
// and masks and two stores.
package hexword

import "encoding/binary"

// Put64 writes the sixteen lower-case hex digits of v, most significant
// first, into dst[:16].
func Put64(dst []byte, v uint64) {
	_ = dst[15]
	binary.BigEndian.PutUint64(dst, digits8(uint32(v>>32)))
	binary.BigEndian.PutUint64(dst[8:], digits8(uint32(v)))
}

// digits8 returns the eight lower-case hex digits of v as the bytes of a
// word, the most significant digit in the most significant byte: each
// nibble is spread to a byte of its own, then made a digit, all eight at
// once.
func digits8(v uint32) uint64 {
	x := uint64(v)
	x = (x&0xffff0000)<<16 | x&0x0000ffff
	x = (x&0x0000ff000000ff00)<<8 | x&0x000000ff000000ff
	x = (x&0x00f000f000f000f0)<<4 | x&0x000f000f000f000f
	// A byte holding 10 or more gets 'a'-'0'-10 more than the others.
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101
	return x + 0x3030303030303030 + letters*('a'-'0'-10)
}
