package middleware

import (
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"testing"
)

// hexUUID is putUUID written the plain way, with encoding/hex, byte by
// byte.
func hexUUID(b *[RequestIDLen]byte, hi, lo uint64) {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], hi)
	binary.BigEndian.PutUint64(u[8:], lo)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	copy(b[:], "req-")
	hex.Encode(b[4:12], u[0:4])
	b[12] = '-'
	hex.Encode(b[13:17], u[4:6])
	b[17] = '-'
	hex.Encode(b[18:22], u[6:8])
	b[22] = '-'
	hex.Encode(b[23:27], u[8:10])
	b[27] = '-'
	hex.Encode(b[28:40], u[10:16])
}

// TestPutUUID checks the digits putUUID writes eight at a time against
// encoding/hex, for the edge values and for many random ones.
func TestPutUUID(t *testing.T) {
	vals := []uint64{0, 1, ^uint64(0), 0x0123456789abcdef, 0xfedcba9876543210, 0xa0a0a0a0a9a9a9a9}
	for i := 0; i < 100000; i++ {
		vals = append(vals, mrand.Uint64())
	}
	for i := 0; i+1 < len(vals); i++ {
		var a, b [RequestIDLen]byte
		putUUID(&a, vals[i], vals[i+1])
		hexUUID(&b, vals[i], vals[i+1])
		if a != b {
			t.Fatalf("%s != %s", a[:], b[:])
		}
	}
}
