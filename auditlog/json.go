package auditlog

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// This file holds the JSON primitives every line is built from. They append to
// a caller's buffer and never allocate, so the typed path can stay at zero
// allocations per line.

const hexDigits = "0123456789abcdef"

// safeASCII[c] is true for the ASCII bytes that need no escaping in a JSON
// string. Bytes >= 0x80 are handled by the UTF-8 path.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string. Control characters are escaped,
// invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029 are escaped, so no value
// can ever break a line in two, whatever reads it (JavaScript included).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendStringBody(dst, s)
	return append(dst, '"')
}

// appendStringBody is appendString without the quotes.
func appendStringBody(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// appendKey appends "key": after a comma when the object already has members.
// first reports whether this is the object's first member.
func appendKey(dst []byte, key string, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = appendString(dst, key)
	return append(dst, ':')
}

// appendFloat appends f as a JSON number. NaN and ±Inf have no JSON form, so
// they are written as the strings "NaN", "+Inf" and "-Inf" rather than making
// the line invalid. Like encoding/json, it uses exponent form only for very
// small or very large magnitudes.
func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Inf"`...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, 64)
}

// appendTimestamp appends t in UTC as a JSON string of fixed width,
// 2006-01-02T15:04:05.000000Z, so that lines sort as text and columns line up.
func appendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	micro := t.Nanosecond() / 1000
	if year < 0 || year > 9999 {
		// Outside RFC 3339's range: clamp rather than write an invalid date.
		if year < 0 {
			year, month, day, hour, min, sec, micro = 0, 1, 1, 0, 0, 0, 0
		} else {
			year, month, day, hour, min, sec, micro = 9999, 12, 31, 23, 59, 59, 999999
		}
	}
	dst = append(dst, '"')
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, min, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, micro, 6)
	return append(dst, 'Z', '"')
}

// appendDigits appends v zero-padded to width digits.
func appendDigits(dst []byte, v, width int) []byte {
	var tmp [10]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, tmp[:width]...)
}

// appendMillis appends d as a JSON number of milliseconds with up to six
// decimals (nanosecond precision), trailing zeros trimmed: 1.5s is 1500,
// 42µs is 0.042.
func appendMillis(dst []byte, d time.Duration) []byte {
	if d < 0 {
		dst = append(dst, '-')
		if d == math.MinInt64 {
			d = math.MaxInt64
		} else {
			d = -d
		}
	}
	ms, frac := int64(d)/1e6, int64(d)%1e6
	dst = strconv.AppendInt(dst, ms, 10)
	if frac == 0 {
		return dst
	}
	var tmp [7]byte
	tmp[0] = '.'
	for i := 6; i >= 1; i-- {
		tmp[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 7
	for tmp[n-1] == '0' {
		n--
	}
	return append(dst, tmp[:n]...)
}

// appendHex appends b as lower-case hex, the form W3C trace context uses.
func appendHex(dst []byte, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}
