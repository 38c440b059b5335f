package middleware

import (
	mrand "math/rand/v2"

	"github.com/auditlog-go/auditlog/internal/hexword"
)

// MaxRequestIDLen bounds an incoming request id. OpenStack's are 40 bytes
// (req- and a UUID); anything far longer is junk or an attack on the log.
const MaxRequestIDLen = 128

// ValidRequestID reports whether an incoming request id may be used as it
// is: 1 to MaxRequestIDLen bytes of letters, digits, '-', '_', '.' and ':'.
// Anything else — a header with a newline, 10 KB of junk — is refused, and
// the middleware generates its own id instead, so a client cannot put
// arbitrary text into every line of its request.
func ValidRequestID(id string) bool {
	if len(id) == 0 || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// RequestIDLen is the length of the ids NewRequestID makes: "req-" and a
// UUID in its 36-character form.
const RequestIDLen = 40

// NewRequestID returns a fresh OpenStack-style request id, req-<uuid4>.
func NewRequestID() string {
	var b [RequestIDLen]byte
	PutRequestID(&b)
	return string(b[:])
}

// PutRequestID writes a fresh request id, as NewRequestID makes, into b.
// It is for middleware that has room for the id in an object it allocates
// per request anyway, so that the id costs no allocation of its own.
//
// The 128 bits come from math/rand/v2's top-level generator: the runtime's
// ChaCha8, one per thread, seeded from the operating system's entropy at
// start-up, which hands out 64 bits in a few nanoseconds without a lock or
// a pool. (crypto/rand would cost a system call or a vDSO call per id, an
// order of magnitude more; a request id needs to be unguessable in practice
// and unique, not a key.)
func PutRequestID(b *[RequestIDLen]byte) { putUUID(b, mrand.Uint64(), mrand.Uint64()) }

// putUUID writes req- and the version 4 UUID made of the random bits hi
// (bytes 0–7, most significant first) and lo (bytes 8–15) into b.
func putUUID(b *[RequestIDLen]byte, hi, lo uint64) {
	hi = hi&^(0xf0<<8) | 0x40<<8   // byte 6: version 4
	lo = lo&^(0xc0<<56) | 0x80<<56 // byte 8: RFC 4122 variant
	// The 32 hex digits, without dashes, eight at a time.
	var x [32]byte
	hexword.Put64(x[0:], hi)
	hexword.Put64(x[16:], lo)
	copy(b[:], "req-")
	copy(b[4:12], x[0:8])
	b[12] = '-'
	copy(b[13:17], x[8:12])
	b[17] = '-'
	copy(b[18:22], x[12:16])
	b[22] = '-'
	copy(b[23:27], x[16:20])
	b[27] = '-'
	copy(b[28:40], x[20:32])
}
