package jsonscan

import "unicode/utf8"

// HexDigits are the digits every escape in the module is written with
// (lower case, as encoding/json and jq write them).
const HexDigits = "0123456789abcdef"

// Unhex returns the value of the hex digit c, or -1.
func Unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Hex4 returns the value of the four hex digits at the start of b, and
// false when b is shorter or one of them is not a hex digit.
func Hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		d := Unhex(c)
		if d < 0 {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// DecodeU decodes the \uXXXX escape at the start of s, and the low half of
// a surrogate pair right after it, returning the rune and how many bytes
// it used. A lone or mismatched surrogate is U+FFFD (as jq and
// encoding/json read it) and uses its own six bytes; an escape without four
// hex digits is U+FFFD and uses only the backslash and the u.
func DecodeU(s []byte) (rune, int) {
	if len(s) < 6 {
		return utf8.RuneError, min(len(s), 2)
	}
	r, ok := Hex4(s[2:])
	if !ok {
		return utf8.RuneError, 2
	}
	if r >= 0xd800 && r < 0xdc00 {
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if lo, ok := Hex4(s[8:]); ok && lo >= 0xdc00 && lo < 0xe000 {
				return 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00), 12
			}
		}
		return utf8.RuneError, 6
	}
	if r >= 0xdc00 && r < 0xe000 {
		return utf8.RuneError, 6
	}
	return r, 6
}

// AppendUnescaped appends the text of the inside of a JSON string s (the
// bytes between its quotes) with its escapes resolved: \n is a newline,
// \u00e9 is é, \" is a quote. An unknown escape (\q) is its character; a
// backslash at the very end is kept. Bytes that are not escapes are copied
// as they are, valid UTF-8 or not: whoever prints the text decides what to
// do with them.
func AppendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(s) {
			return append(dst, '\\')
		}
		switch e := s[i+1]; e {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			r, n := DecodeU(s[i:])
			dst = utf8.AppendRune(dst, r)
			i += n
			continue
		default: // '"', '\\', '/' and anything else: the byte itself
			dst = append(dst, e)
		}
		i += 2
	}
	return dst
}
