package events

import (
	"testing"
	"time"
)

func TestContentID(t *testing.T) {
	a := ContentID([]byte(`{"kind":"log"}`))
	if a != ContentID([]byte(`{"kind":"log"}`)) || !ValidID(a) {
		t.Fatalf("ContentID not stable or not valid: %q", a)
	}
	if a == ContentID([]byte(`{"kind":"log" }`)) {
		t.Fatal("two lines that differ got one ID")
	}
	for _, bad := range []string{"", "abc", a + "a", a[:25] + "1", a[:25] + "A"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{Time: time.Date(2026, 12, 3, 9, 30, 0, 123456000, time.UTC), ID: ContentID([]byte("x"))}
	got, err := ParseCursor(c.String())
	if err != nil || !got.Time.Equal(c.Time) || got.ID != c.ID {
		t.Fatalf("ParseCursor(%q) = %+v, %v; want %+v", c.String(), got, err, c)
	}
	if got, err := ParseCursor(c.ID); err != nil || got.ID != c.ID || !got.Time.IsZero() {
		t.Errorf("a bare id: %+v, %v", got, err)
	}
	for _, bad := range []string{"!!", "bm9wZQ", "MTIzLnh5eg"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
	if (Cursor{}).String() != "" {
		t.Error("zero cursor has a string")
	}
}
