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

// plain[c] is true for the bytes that can be copied into a JSON string as
// they are: printable ASCII other than '"' and the backslash. Everything else takes
// the slow path (escapes, UTF-8 checks).
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendJSONString appends s as a JSON string exactly as the handler writes
// the strings of a line (see appendString), for tools that write JSON about
// lines — log-serve's answers and stream — and must keep the same rules.
func AppendJSONString(dst []byte, s string) []byte { return appendString(dst, s) }

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
	// Most values are plain ASCII: find the first byte that is not, eight
	// bytes at a time, and copy everything before it in one go.
	i := 0
	for i+8 <= len(s) && !mayNeedEscape(load64(s, i)) {
		i += 8
	}
	for i < len(s) && plain[s[i]] {
		i++
	}
	if i == len(s) {
		return append(dst, s...)
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 reads the eight bytes of s at i as a little-endian word.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// mayNeedEscape reports whether any of the eight bytes in x is a control
// character, '"', '\\' or not ASCII. It never misses one; a rare false
// alarm only sends those bytes down the byte-by-byte path.
func mayNeedEscape(x uint64) bool {
	ctl := (x - ones*0x20) & ^x
	q := x ^ (ones * '"')
	quote := (q - ones) & ^q
	b := x ^ (ones * '\\')
	back := (b - ones) & ^b
	return (ctl|quote|back|x)&highs != 0
}

// appendKey appends "key": after a comma when the object already has members.
// first reports whether this is the object's first member. key must be one
// of the package's constant key names, which need no escaping (a test checks
// them); attribute keys from callers go through the escaping path instead.
func appendKey(dst []byte, key string, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
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
	var c tsCache
	return c.append(dst, t)
}

// tsCache remembers the formatted date and time of one second, so that the
// many lines written within a second only format their microseconds.
type tsCache struct {
	sec    int64
	prefix [21]byte // "2006-01-02T15:04:05.  (quote included)
	ok     bool
	micro  int // -1, or the fixed microseconds of a clamped date
}

func (c *tsCache) append(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if !c.ok || sec != c.sec {
		c.fill(t)
		c.sec, c.ok = sec, true
	}
	dst = append(dst, c.prefix[:]...)
	micro := t.Nanosecond() / 1000
	if c.micro >= 0 {
		micro = c.micro
	}
	dst = appendPair(dst, micro/10000)
	dst = appendPair(dst, micro/100%100)
	dst = appendPair(dst, micro%100)
	return append(dst, 'Z', '"')
}

func (c *tsCache) fill(t time.Time) {
	t = t.UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	c.micro = -1
	if year < 0 || year > 9999 {
		// Outside RFC 3339's range: clamp rather than write an invalid date.
		if year < 0 {
			year, month, day, hour, min, sec, c.micro = 0, 1, 1, 0, 0, 0, 0
		} else {
			year, month, day, hour, min, sec, c.micro = 9999, 12, 31, 23, 59, 59, 999999
		}
	}
	b := append(c.prefix[:0], '"')
	b = appendPair(b, year/100)
	b = appendPair(b, year%100)
	b = append(b, '-')
	b = appendPair(b, int(month))
	b = append(b, '-')
	b = appendPair(b, day)
	b = append(b, 'T')
	b = appendPair(b, hour)
	b = append(b, ':')
	b = appendPair(b, min)
	b = append(b, ':')
	b = appendPair(b, sec)
	_ = append(b, '.')
}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"4041424344454647484950515253545556575859606162636465666768697071727374757677787980" +
	"81828384858687888990919293949596979899"

// appendPair appends v (0–99) as two digits.
func appendPair(dst []byte, v int) []byte {
	return append(dst, digitPairs[2*v], digitPairs[2*v+1])
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
