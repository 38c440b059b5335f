package middleware

import (
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"sync"
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
func PutRequestID(b *[RequestIDLen]byte) {
	var u [16]byte
	randomBytes(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
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

// idSources are the generators request ids take their randomness from:
// ChaCha8, the cryptographically strong generator of math/rand/v2, each
// seeded from crypto/rand. Reading crypto/rand itself costs a system call
// and more than the rest of the id put together; a generator costs a few
// nanoseconds, and a pool of them keeps goroutines from sharing one (a
// generator belongs to one goroutine between Get and Put). A generator the
// pool drops is replaced by a freshly seeded one.
var idSources = sync.Pool{New: func() any {
	var seed [32]byte
	_, _ = rand.Read(seed[:])
	return mrand.NewChaCha8(seed)
}}

// randomBytes fills p with random bytes for an id.
func randomBytes(p []byte) {
	g := idSources.Get().(*mrand.ChaCha8)
	_, _ = g.Read(p)
	idSources.Put(g)
}
