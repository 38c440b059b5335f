package logexpand

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// decodeJSON appends the text of the JSON string content s (already checked
// by scanString) to dst with its escapes resolved. A lone surrogate becomes
// U+FFFD.
func decodeJSON(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(s) {
			dst = append(dst, '\\')
			break
		}
		switch s[i+1] {
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
			if i+6 > len(s) {
				dst = append(dst, s[i:]...)
				return dst
			}
			r := rune(hex4(s[i+2 : i+6]))
			i += 6
			if r >= 0xD800 && r < 0xDC00 {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 := rune(hex4(s[i+2 : i+6]))
					if r2 >= 0xDC00 && r2 < 0xE000 {
						r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			} else if r >= 0xDC00 && r < 0xE000 {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/' and anything else: the byte itself
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}

func hex4(b []byte) int {
	v := 0
	for _, c := range b[:4] {
		d := unhex(c)
		if d < 0 {
			return 0xFFFD
		}
		v = v<<4 | d
	}
	return v
}

// plainASCII marks bytes that appendQuoted copies as they are.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	t['"'] = false
	t['\\'] = false
	return t
}()

// appendQuoted appends s in double quotes, escaped as JSON escapes it, so
// that nothing in it can act on a terminal or forge a line: control
// characters (C0, DEL and C1), U+2028 and U+2029 become \u escapes. Bytes
// that are not UTF-8 become \xNN, which JSON lacks but which shows the byte
// exactly; [parseFlatString] reads it back.
func appendQuoted(dst, s []byte) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s, true)
	return append(dst, '"')
}

// appendEscaped escapes s as appendQuoted does, without the quotes. When
// quoted is false, '"' and '\\' are copied and tabs are kept, for text shown
// in blocks.
func appendEscaped(dst, s []byte, quoted bool) []byte {
	for i := 0; i < len(s); {
		j := plainRun(s, i)
		dst = append(dst, s[i:j]...)
		if j >= len(s) {
			return dst
		}
		i = j
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				if quoted {
					dst = append(dst, '\\', c)
				} else {
					dst = append(dst, c)
				}
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				if quoted {
					dst = append(dst, '\\', 't')
				} else {
					dst = append(dst, '\t')
				}
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		case r >= 0x80 && r < 0xA0, r == 0x2028, r == 0x2029:
			dst = append(dst, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// plainRun returns the end of the run of bytes from s[i] that appendEscaped
// copies as they are (printable ASCII but '"' and '\\'), eight at a time.
func plainRun(s []byte, i int) int {
	for i+8 <= len(s) {
		x := binary.LittleEndian.Uint64(s[i:])
		odd := hasZero(x^(lo8*'"')) | hasZero(x^(lo8*'\\')) | (x-lo8*0x20)&^x&hi8 | hasZero(x^(lo8*0x7f)) | x&hi8
		if odd != 0 {
			return i + bits.TrailingZeros64(odd)>>3
		}
		i += 8
	}
	for i < len(s) && plainASCII[s[i]] {
		i++
	}
	return i
}
