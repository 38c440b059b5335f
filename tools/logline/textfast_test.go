package logline

import (
	"bytes"
	"testing"
)

// FuzzPlainHint holds appendUnquotedHint's fast path (plainHint, a copy)
// to the run-by-run decoder it skips: whenever plainHint says a string
// needs no decoding, the decoder copies it unchanged and gives the same
// hint, with escapeControl or without.
func FuzzPlainHint(f *testing.F) {
	for _, s := range []string{
		"2026-11-27T07:38:55.123456Z", "status: 409 len: 3179 time: 0.09", "name=compute-1 phys_ram=2MB",
		"mysql://u:p@h/db", "ends with:", "a:b", "tab\\there", "caf\xc3\xa9", "esc\x1b[31m", "del\x7f",
		"exactly8", "12345678:", "1234567:/", "=", ":", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		hint, n := plainHint(s)
		ok := n == len(s)
		for _, esc := range []bool{false, true} {
			want, wantHint := appendEscaped(nil, s, 0, false, esc)
			got, gotHint := appendUnquotedHint(nil, s, esc)
			if !bytes.Equal(got, want) || gotHint != wantHint {
				t.Fatalf("appendUnquotedHint(%q, %v) = %q, %v; the decoder: %q, %v", s, esc, got, gotHint, want, wantHint)
			}
			if ok && (!bytes.Equal(want, s) || hint != wantHint) {
				t.Fatalf("plainHint(%q) = %v, ok; the decoder: %q, %v", s, hint, want, wantHint)
			}
		}
		// A short string inside a line is read a word at a time past its
		// end: what follows it must not count.
		for _, after := range []string{"\\\x00:=\xff\x7f ", "=======", ": / : /", "abcdefgh"} {
			in := append(append([]byte(nil), s...), after...)[:len(s)]
			if h, m := plainHint(in); h != hint || m != n {
				t.Fatalf("plainHint(%q) with %q after it = %v, %d; alone %v, %d", s, after, h, m, hint, n)
			}
		}
		first := 0
		for first < len(s) && byteClass[s[first]] != 1 {
			first++
		}
		if n > first || (first == len(s)) != ok {
			t.Fatalf("plainHint(%q) plain = %d, the first byte to decode at %d", s, n, first)
		}
	})
}
