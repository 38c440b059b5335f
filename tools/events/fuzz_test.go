package events_test

import (
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// FuzzParseCursor: whatever a client sends as a cursor is refused or read
// into a cursor whose string form reads back the same.
func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add(events.ContentID([]byte("x")))
	f.Add(events.Cursor{Time: time.Date(2026, 12, 3, 9, 30, 0, 123456000, time.UTC), ID: events.ContentID([]byte("y"))}.String())
	f.Add("MTIzLnh5eg")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := events.ParseCursor(s)
		if err != nil {
			return
		}
		if c.IsZero() {
			if s != "" {
				t.Fatalf("%q read as the zero cursor", s)
			}
			return
		}
		if !events.ValidID(c.ID) {
			t.Fatalf("%q read with a bad id %q", s, c.ID)
		}
		if c.Time.IsZero() {
			return // a bare id
		}
		back, err := events.ParseCursor(c.String())
		if err != nil || !back.Time.Equal(c.Time) || back.ID != c.ID {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, c, c.String(), back, err)
		}
	})
}
