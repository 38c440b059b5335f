package input

import "testing"

func TestStartsJSON(t *testing.T) {
	for text, want := range map[string]bool{
		`{"a":1}`:        true,
		" \t{":           true,
		`{"cut short`:    true, // a malformed JSON line, not text
		"":               false,
		"   ":            false,
		"2026-11-23 {":   false,
		"\n{":            false, // only spaces and tabs lead
		"\xef\xbb\xbf{}": false,
	} {
		if got := StartsJSON([]byte(text)); got != want {
			t.Errorf("StartsJSON(%q) = %v, want %v", text, got, want)
		}
	}
}
