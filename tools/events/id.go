package events

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// idEncoding writes IDs in lowercase base32 without padding: short, safe in
// a URL path and a file name, and case-insensitive to read aloud.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ContentID is the ID of the event whose line is raw (without its final
// newline): the first 128 bits of its SHA-256, in base32 (26 characters).
// The same line has the same ID on every server, so ingesting it twice
// stores it once; two lines that differ in any byte (a seq, a timestamp)
// are two events.
func ContentID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return idEncoding.EncodeToString(sum[:16])
}

// ValidID reports whether s is shaped like an ID ContentID makes, so that a
// malformed one is refused before any query.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// IsZero reports whether c is the zero cursor (the start).
func (c Cursor) IsZero() bool { return c.ID == "" && c.Time.IsZero() }

// String is the cursor's opaque form: what the API hands out as next and
// takes back as index or after.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Time.UnixMicro(), 10) + "." + c.ID))
}

// ParseCursor reads a cursor's opaque form. A plain event ID is accepted
// too (Tacker's index: "start after this event"); its time is then zero
// and the store looks it up.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	if ValidID(s) {
		return Cursor{ID: s}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("not a cursor (as given in next) nor an event id")
	}
	us, id, ok := strings.Cut(string(b), ".")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || !ValidID(id) {
		return Cursor{}, fmt.Errorf("not a cursor (as given in next) nor an event id")
	}
	return Cursor{Time: time.UnixMicro(n).UTC(), ID: id}, nil
}
