package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapers(t *testing.T) {
	in := "a\"b\\c\nd\te\rf\bg\x01h\x7fi\u0085j\u2028k\xffl é"
	for _, tc := range []struct {
		name string
		e    *Escaper
		want string
	}{
		{"Line", Line, `a\"b\\c\nd\te\rf\u0008g\u0001h` + "\x7fi\u0085j" + `\u2028k\ufffdl é`},
		{"JQ", JQ, `a\"b\\c\nd\te\rf\bg\u0001h\u007fi` + "\u0085j\u2028k\xffl é"},
		{"Terminal", Terminal, `a\"b\\c\nd\te\rf\u0008g\u0001h\u007fi\u0085j\u2028k\xffl é`},
		{"TerminalBlock", TerminalBlock, `a"b\c\nd` + "\t" + `e\rf\u0008g\u0001h\u007fi\u0085j\u2028k\xffl é`},
	} {
		if got := string(tc.e.AppendString(nil, in)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		if got := string(tc.e.Append(nil, []byte(in))); got != tc.want {
			t.Errorf("%s (bytes):\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	// The eight-at-a-time scan must not skip an escape in any position.
	for i := 0; i < 20; i++ {
		s := strings.Repeat("x", i) + "\"" + strings.Repeat("y", 20-i)
		want := strings.Repeat("x", i) + `\"` + strings.Repeat("y", 20-i)
		if got := string(Line.AppendString(nil, s)); got != want {
			t.Errorf("quote at %d: got %q", i, got)
		}
	}
}

func TestMayNeedEscapeNeverMisses(t *testing.T) {
	// Every byte value in every position of an otherwise plain word.
	for pos := range 8 {
		for c := range 256 {
			w := []byte("aaaaaaaa")
			w[pos] = byte(c)
			plain := c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
			if got := mayNeedEscape(load64(w, 0)); got == plain {
				t.Errorf("byte %#x at %d: mayNeedEscape = %v", c, pos, got)
			}
		}
	}
}

func TestDecodeU(t *testing.T) {
	for _, tc := range []struct {
		in   string
		r    rune
		used int
	}{
		{`\u00e9x`, 'é', 6},
		{`\ud83d\ude00`, '😀', 12},
		{`\ud83dx`, utf8.RuneError, 6},
		{`\ud83d\u0041`, utf8.RuneError, 6},
		{`\ude00`, utf8.RuneError, 6},
		{`\u00g1`, utf8.RuneError, 2},
		{`\u00`, utf8.RuneError, 2},
	} {
		r, n := DecodeU([]byte(tc.in))
		if r != tc.r || n != tc.used {
			t.Errorf("DecodeU(%q) = %q, %d; want %q, %d", tc.in, r, n, tc.r, tc.used)
		}
	}
}

func TestSkipValue(t *testing.T) {
	for _, v := range []string{`"a\"b"`, `"a\\"`, `{"a":[1,{"b":"}"}]}`, `[]`, `true`, `false`, `null`, `-1.5e3`} {
		if end, ok := SkipValue([]byte(v+` ,`), 0); !ok || end != len(v) {
			t.Errorf("SkipValue(%q) = %d, %v; want %d", v, end, ok, len(v))
		}
	}
	for _, v := range []string{`"abc`, `{"a":1`, `tru`, `x`} {
		if end, ok := SkipValue([]byte(v), 0); ok && end <= len(v) && v != "tru" {
			t.Errorf("SkipValue(%q) = %d, true; want false", v, end)
		}
	}
	if got := SkipWS([]byte(" \t\r\n\vx"), 0); got != 4 {
		t.Errorf("SkipWS stops at %d, want 4 (\\v is not JSON white space)", got)
	}
}

// FuzzEscapeRoundTrip holds every escaper to what a JSON reader makes of
// its output, and to what it promises never to write.
func FuzzEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c\n\x01\x7f", "\u0085\u2028\xff\xfe", "é😀", strings.Repeat("abcdefg\"", 5)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, e := range map[string]*Escaper{"Line": Line, "JQ": JQ, "Terminal": Terminal} {
			out := e.AppendQuotedString(nil, s)
			if !bytes.Equal(out, e.AppendQuoted(nil, []byte(s))) {
				t.Fatalf("%s: string and bytes forms differ for %q", name, s)
			}
			for _, c := range out {
				if c < 0x20 {
					t.Fatalf("%s wrote a raw control byte for %q: %q", name, s, out)
				}
			}
			if name == "Terminal" {
				if bytes.ContainsRune(out, 0x7f) || bytes.ContainsRune(out, '\u2028') || bytes.ContainsAny(out, "\u0080\u0085\u009b") {
					t.Fatalf("Terminal wrote a terminal control for %q: %q", s, out)
				}
				if !utf8.Valid(out) {
					t.Fatalf("Terminal wrote invalid UTF-8 for %q: %q", s, out)
				}
				if !utf8.ValidString(s) {
					continue // \xNN is not JSON
				}
			}
			if name == "JQ" && !utf8.ValidString(s) {
				continue // jq's input is already valid
			}
			var back string
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("%s wrote invalid JSON for %q: %q: %v", name, s, out, err)
			}
			// ToValidUTF8 folds a run of bad bytes into one; the escapers
			// replace each byte, as encoding/json does.
			if want := strings.ToValidUTF8(s, "\uFFFD"); back != want && strings.ReplaceAll(back, "\uFFFD", "") != strings.ReplaceAll(want, "\uFFFD", "") {
				t.Fatalf("%s: %q read back as %q", name, s, back)
			}
		}
	})
}

// FuzzUnescape holds AppendUnescaped and StringEnd to encoding/json on
// every valid JSON string.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`a\nb`, `\u00e9\ud83d\ude00`, `\ud83d`, `\"\\\/\b\f\r\t`, `plain`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := []byte(`"` + s + `"`)
		if !json.Valid(q) || !utf8.ValidString(s) {
			return
		}
		var want string
		if err := json.Unmarshal(q, &want); err != nil {
			t.Fatal(err)
		}
		if got := string(AppendUnescaped(nil, []byte(s))); got != want {
			t.Fatalf("AppendUnescaped(%q) = %q; encoding/json reads %q", s, got, want)
		}
		if e := StringEnd(q, 1); e != len(q)-1 {
			t.Fatalf("StringEnd(%q) = %d, want %d", q, e, len(q)-1)
		}
		if end, ok := SkipValue(q, 0); !ok || end != len(q) {
			t.Fatalf("SkipValue(%q) = %d, %v", q, end, ok)
		}
	})
}

func BenchmarkLine(b *testing.B) {
	s := "GET /v2.1/servers/7d2b9e0c-8a6a-4a37-bd5f-3c2a1e9f0b11/action HTTP/1.1 status: 202"
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = Line.AppendString(buf[:0], s)
	}
}

// FuzzPlainRun holds the word-at-a-time run finder to the byte table.
func FuzzPlainRun(f *testing.F) {
	f.Add([]byte("abcdefgh\"ijklmnop\x7fq\xc3\xa9"), 0)
	f.Fuzz(func(t *testing.T, s []byte, i int) {
		if i < 0 || i > len(s) {
			return
		}
		want := i
		for want < len(s) && plainByte[s[want]] {
			want++
		}
		if got := plainRun(s, i); got != want {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}

// FuzzStringEnd holds the word-at-a-time string end to the plain reading:
// the first quote not escaped by an odd run of backslashes before it.
func FuzzStringEnd(f *testing.F) {
	f.Add([]byte(`abc\"def\\"x`), 0)
	f.Add([]byte(strings.Repeat(`ab\\cd\"`, 12)+`"`), 1)
	f.Add([]byte(strings.Repeat("x", 70)+`\\\"\\"`), 3)
	f.Fuzz(func(t *testing.T, s []byte, i int) {
		if i < 0 || i > len(s)+1 {
			return
		}
		want := -1
		if i <= len(s) {
			for j := i; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '"' {
					want = j
					break
				}
			}
		}
		if got := StringEnd(s, i); got != want {
			t.Fatalf("StringEnd(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}

// FuzzNumber holds Number to encoding/json's grammar: it accepts exactly
// what json.Valid takes as a number, and ends where the number does.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "01", "1.", ".5", "1e", "1e+5", "-1.25E-3", "123abc", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		end, integer, ok := Number(b, 0)
		if !ok {
			if json.Valid(b) && len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
				t.Fatalf("Number refused %q, which encoding/json takes", s)
			}
			return
		}
		if !json.Valid(b[:end]) {
			t.Fatalf("Number took %q from %q, which encoding/json refuses", b[:end], s)
		}
		if integer != !bytes.ContainsAny(b[:end], ".eE") {
			t.Fatalf("Number(%q): integer = %v", b[:end], integer)
		}
	})
}
