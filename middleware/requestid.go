package middleware

import (
	"crypto/rand"
	"encoding/hex"
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

// NewRequestID returns a fresh OpenStack-style request id, req-<uuid4>.
func NewRequestID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [40]byte
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
	return string(b[:])
}
