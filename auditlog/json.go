package auditlog

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/auditlog-go/auditlog/internal/jsonscan"

	"github.com/auditlog-go/auditlog/internal/hexword"
)

// This file holds the JSON primitives every line is built from. They append to
// a caller's buffer and never allocate, so the typed path can stay at zero
// allocations per line.

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string exactly as the handler writes
// the strings of a line (see appendString), for tools that write JSON about
// lines — log-serve's answers and stream — and must keep the same rules.
func AppendJSONString(dst []byte, s string) []byte { return appendString(dst, s) }

// appendString appends s as a JSON string under [jsonscan.Line]'s rules:
// control characters are escaped, invalid UTF-8 becomes U+FFFD, and U+2028
// and U+2029 are escaped, so no value can ever break a line in two, whatever
// reads it (JavaScript included).
func appendString(dst []byte, s string) []byte {
	return jsonscan.Line.AppendQuotedString(dst, s)
}

// appendStringBody is appendString without the quotes.
func appendStringBody(dst []byte, s string) []byte {
	return jsonscan.Line.AppendString(dst, s)
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
	f := int(frac)
	tmp[1], tmp[2] = digitPairs[2*(f/10000)], digitPairs[2*(f/10000)+1]
	tmp[3], tmp[4] = digitPairs[2*(f/100%100)], digitPairs[2*(f/100%100)+1]
	tmp[5], tmp[6] = digitPairs[2*(f%100)], digitPairs[2*(f%100)+1]
	n := 7
	for tmp[n-1] == '0' {
		n--
	}
	return append(dst, tmp[:n]...)
}

// appendHex appends b as lower-case hex, the form W3C trace context uses:
// eight bytes at a time (a span id, half a trace id), then byte by byte.
func appendHex(dst []byte, b []byte) []byte {
	if len(b) >= 8 {
		// Room for the words first, so that each is one store.
		n := len(dst)
		dst = slices.Grow(dst, 2*len(b))[:n+len(b)/8*16]
		for out := dst[n:]; len(b) >= 8; out, b = out[16:], b[8:] {
			hexword.Put64(out, binary.BigEndian.Uint64(b))
		}
	}
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}
