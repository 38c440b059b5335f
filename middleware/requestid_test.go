package middleware_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/middleware"
)

func TestRequestIDs(t *testing.T) {
	re := regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := middleware.NewRequestID()
		if !re.MatchString(id) || !middleware.ValidRequestID(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "req-1\nforged", strings.Repeat("x", 129), "a b", "req-\x00", "é"} {
		if middleware.ValidRequestID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestPutRequestID checks that an id written in place is one NewRequestID
// could have made, and that two are not the same.
func TestPutRequestID(t *testing.T) {
	var a, b [middleware.RequestIDLen]byte
	middleware.PutRequestID(&a)
	middleware.PutRequestID(&b)
	re := regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !re.Match(a[:]) || !re.Match(b[:]) || a == b {
		t.Errorf("ids %q and %q", a[:], b[:])
	}
	if n := len(middleware.NewRequestID()); n != middleware.RequestIDLen {
		t.Errorf("NewRequestID makes %d bytes, RequestIDLen says %d", n, middleware.RequestIDLen)
	}
}
