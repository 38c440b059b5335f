package logline

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/jsonscan"
	"github.com/auditlog-go/auditlog/internal/shortfloat"
)

// AppendText appends the JSON value v as `jq -r` prints an interpolated value
// ("\(.key)"): a string decoded, a number in jq's form ([AppendNumber]),
// true, false and null as themselves, an object or array as compact JSON
// ([AppendCompact]).
//
// With escapeControl, control characters other than tab and newline (ESC
// above all) are written as visible \u00XX escapes instead of raw: a log line
// must not be able to drive the reader's terminal. jq writes them raw; the
// tools escape them when writing to a terminal.
func AppendText(dst, v []byte, escapeControl bool) []byte {
	if len(v) == 0 {
		return dst
	}
	switch c := v[0]; {
	case c == '"':
		if len(v) < 2 {
			return dst
		}
		return appendUnquoted(dst, v[1:len(v)-1], escapeControl)
	case c == '-' || (c >= '0' && c <= '9'):
		return AppendNumber(dst, v)
	case c == '{' || c == '[':
		return AppendCompact(dst, v)
	}
	return append(dst, v...)
}

// AppendTextHint is [AppendText] that also reports, for a string, whether
// it may quote a credential the way [CredentialSpans] finds one: an '=', a
// ':' before a space, a tab or a '/', or a \u escape. A string without a
// hint holds none, so a caller that masks credentials in text can pass it
// by at no cost.
func AppendTextHint(dst, v []byte, escapeControl bool) ([]byte, bool) {
	if len(v) >= 2 && v[0] == '"' {
		return appendUnquotedHint(dst, v[1:len(v)-1], escapeControl)
	}
	return AppendText(dst, v, escapeControl), false
}

// AppendString appends the decoded contents of the JSON string v (with its
// quotes), or v itself when it is not a string.
func AppendString(dst, v []byte, escapeControl bool) []byte {
	if len(v) >= 2 && v[0] == '"' {
		return appendUnquoted(dst, v[1:len(v)-1], escapeControl)
	}
	return append(dst, v...)
}

// appendUnquoted decodes the inside of a JSON string. Invalid UTF-8 and lone
// surrogates become U+FFFD, as jq reads them.
func appendUnquoted(dst, s []byte, escapeControl bool) []byte {
	dst, _ = appendUnquotedHint(dst, s, escapeControl)
	return dst
}

// byteClass sorts the bytes of a string's inside: 1 for those that need
// decoding or escaping, 2 for ':' and '=', around which a credential may be
// quoted ("X-Auth-Token: …", "password=…", "user:pass@").
var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if c == '\\' || c >= utf8.RuneSelf || c < 0x20 || c == 0x7f {
			t[c] = 1
		}
	}
	t[':'], t['='] = 2, 2
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainEnd returns the index of the first byte of s at or after i whose
// byteClass is not 0 (or len(s)), eight bytes at a time: a message is
// mostly plain text, and a byte at a time was most of the cost of
// printing one.
func plainEnd(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		b := x ^ (ones * '\\')
		d := x ^ (ones * 0x7f)
		c := x ^ (ones * ':')
		e := x ^ (ones * '=')
		// The lowest flagged byte is exactly the first special one; a
		// borrow may flag bytes above it, which are not looked at.
		m := ((x - ones*0x20) & ^x) | ((b - ones) & ^b) | ((d - ones) & ^d) |
			((c - ones) & ^c) | ((e - ones) & ^e) | x
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(s) && byteClass[s[i]] == 0 {
		i++
	}
	return i
}

// escapeEnd is plainEnd once the hint is given: the first byte of s at or
// after i whose byteClass is 1 (an escape, a control, a byte past ASCII).
// A message that quotes JSON has a ':' every few bytes.
func escapeEnd(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		b := x ^ (ones * '\\')
		d := x ^ (ones * 0x7f)
		m := ((x - ones*0x20) & ^x) | ((b - ones) & ^b) | ((d - ones) & ^d) | x
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(s) && byteClass[s[i]] != 1 {
		i++
	}
	return i
}

// appendUnquotedHint is appendUnquoted that also reports whether the
// string holds a ':' or '=' (see [AppendTextHint]); it costs the same.
//
// Most strings (a timestamp, a level, most messages) hold no byte to decode
// or escape: those are checked a word at a time and copied in one go
// (plainHint); the rest are decoded run by run (appendEscaped).
func appendUnquotedHint(dst, s []byte, escapeControl bool) ([]byte, bool) {
	hint, i := plainHint(s)
	dst = append(dst, s[:i]...)
	if i == len(s) {
		return dst, hint
	}
	return appendEscaped(dst, s, i, hint, escapeControl)
}

// plainHint returns how far from its start s holds no byte of byteClass 1
// (nothing to decode or escape), to len(s) or to a point before the first
// such byte, and whether that part hints as appendEscaped would: an '=',
// or a ':' that ends s or comes before a space, a backslash or a '/'.
func plainHint(s []byte) (hint bool, plain int) {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		// Each test is exact for its byte (no carry crosses bytes): the high
		// bit of a byte of bad is set when the byte is past ASCII, 0x7f or
		// above in its low bits, below 0x20, or a backslash; of pair, when
		// its low bits are a ':' or an '='. Most words have neither: one
		// branch.
		l := x &^ highs
		bad := (x | (l + ones) | ^(l + ones*0x60) | ^((l ^ (ones * '\\')) + ones*0x7f)) & highs
		pair := (^((l ^ (ones * ':')) + ones*0x7f) | ^((l ^ (ones * '=')) + ones*0x7f)) & highs
		if bad|pair == 0 {
			continue
		}
		if bad != 0 {
			return hint, i
		}
		for m := pair; m != 0; m &= m - 1 { // x is ASCII: pair's bytes are ':' and '='
			j := i + bits.TrailingZeros64(m)>>3
			if s[j] == '=' || j+1 == len(s) || s[j+1] == ' ' || s[j+1] == '\\' || s[j+1] == '/' {
				hint = true
				break
			}
		}
		if hint {
			i += 8
			break
		}
	}
	if hint { // only bytes to decode matter now
		for ; i+8 <= len(s); i += 8 {
			x := binary.LittleEndian.Uint64(s[i:])
			l := x &^ highs
			if (x|(l+ones)|^(l+ones*0x60)|^((l^(ones*'\\'))+ones*0x7f))&highs != 0 {
				return hint, i
			}
		}
	}
	if i == len(s) {
		return hint, i
	}
	// The last bytes, in one word: the one that ends s, its bytes before i
	// (seen already) masked off, or, for a short string inside a longer
	// line, the word that starts s, the bytes past s masked off.
	var x, keep uint64
	k := len(s) - 8
	switch {
	case k >= 0:
		keep = uint64(highs) << (8 * (i - k))
		x = binary.LittleEndian.Uint64(s[k:])
	case cap(s) >= 8:
		k = 0
		keep = uint64(highs) >> (8 * (8 - len(s)))
		x = binary.LittleEndian.Uint64(s[:8])
	}
	if keep != 0 {
		l := x &^ highs
		bad := x | (l + ones) | ^(l + ones*0x60) | ^((l ^ (ones * '\\')) + ones*0x7f)
		if bad&keep == 0 {
			m := (^((x ^ (ones * ':')) + ones*0x7f) | ^((x ^ (ones * '=')) + ones*0x7f)) & keep
			for ; m != 0 && !hint; m &= m - 1 {
				j := k + bits.TrailingZeros64(m)>>3
				hint = s[j] == '=' || j+1 == len(s) || s[j+1] == ' ' || s[j+1] == '\\' || s[j+1] == '/'
			}
			return hint, len(s)
		}
	}
	for ; i < len(s); i++ {
		switch byteClass[s[i]] {
		case 1:
			return hint, i
		case 2:
			if s[i] == '=' || i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\\' || s[i+1] == '/' {
				hint = true
			}
		}
	}
	return hint, i
}

// appendEscaped is appendUnquotedHint for a string that holds escapes,
// controls or bytes past ASCII: it decodes s from i on, where a run of
// plain bytes ends, hint saying whether s[:i] hinted.
func appendEscaped(dst, s []byte, i int, hint, escapeControl bool) ([]byte, bool) {
	for i < len(s) {
		// Copy the plain run in one go.
		var j int
		if hint {
			j = escapeEnd(s, i) // the hint is given: ':' and '=' are plain now
		} else {
			j = plainEnd(s, i)
			for j < len(s) && byteClass[s[j]] == 2 {
				// '=' always; ':' only as CredentialSpans reads it, before
				// a space, a tab (escaped) or a '/' (scheme://user:pass@):
				// a timestamp's colons are no hint.
				if s[j] == '=' || j+1 == len(s) || s[j+1] == ' ' || s[j+1] == '\\' || s[j+1] == '/' {
					hint = true
					j = escapeEnd(s, j+1)
					break
				}
				j = plainEnd(s, j+1)
			}
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			return dst, hint
		}
		i = j
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return append(dst, '\\'), hint
			}
			e := s[i+1]
			i += 2
			switch e {
			case 'n':
				dst = append(dst, '\n')
			case 't':
				dst = append(dst, '\t')
			case 'r':
				dst = appendControl(dst, '\r', escapeControl)
			case 'b':
				dst = appendControl(dst, '\b', escapeControl)
			case 'f':
				dst = appendControl(dst, '\f', escapeControl)
			case 'u':
				hint = true // \u003a is a ':' too
				r, n := jsonscan.DecodeU(s[i-2:])
				i += n - 2
				switch {
				case r < 0x20 || r == 0x7f:
					dst = appendControl(dst, byte(r), escapeControl)
				case r >= 0x80 && r < 0xa0 && escapeControl: // C1 controls, CSI among them
					dst = appendControl(dst, byte(r), true)
				default:
					dst = utf8.AppendRune(dst, r)
				}
			default: // \" \\ \/ and anything unknown: the character itself
				dst = append(dst, e)
			}
		case c < utf8.RuneSelf:
			dst = appendControl(dst, c, escapeControl)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			if r >= 0x80 && r < 0xa0 && escapeControl {
				dst = appendControl(dst, byte(r), true)
			} else if r == utf8.RuneError && n == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
		}
	}
	return dst, hint
}

func appendControl(dst []byte, c byte, escape bool) []byte {
	if !escape || c == '\t' || c == '\n' {
		return append(dst, c)
	}
	return append(dst, '\\', 'u', '0', '0', jsonscan.HexDigits[c>>4], jsonscan.HexDigits[c&15])
}

// AppendNumber appends the JSON number v as jq 1.6 prints it: the shortest
// digits that read back as the same float64, in fixed notation unless the
// exponent is below -4 or well above the digits (1e-05, 1e+17), so 1.50
// prints as 1.5 and 0.000051 as 5.1e-05. Integer literals are kept as
// written, even beyond 2^53, where jq 1.6 would round them: an id must not
// change on its way through a formatter.
func AppendNumber(dst, v []byte) []byte {
	if plainNumber(v) {
		return append(dst, v...)
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil && !math.IsInf(f, 0) {
		return append(dst, v...) // not a number after all; show it as it is
	}
	return shortfloat.AppendJQ(dst, f)
}

// plainNumber reports whether v prints unchanged: an integer literal, or a
// decimal with at most 15 significant digits (which always reads back as
// itself), no exponent, no trailing zero in the fraction, and not so small
// that jq would switch to an exponent.
func plainNumber(v []byte) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	if i >= len(v) {
		return false
	}
	start := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	intLen := i - start
	if intLen == 0 || (intLen > 1 && v[start] == '0') {
		return false
	}
	if i == len(v) {
		return true // an integer literal
	}
	if v[i] != '.' || i+1 == len(v) {
		return false
	}
	i++
	fs := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i != len(v) || v[len(v)-1] == '0' {
		return false
	}
	sig := intLen + (len(v) - fs)
	if v[start] == '0' { // 0.xxx: leading zeros of the fraction are not significant
		z := fs
		for z < len(v) && v[z] == '0' {
			z++
		}
		if z-fs > 3 {
			return false // 0.0000x: jq writes an exponent
		}
		sig = len(v) - z
	}
	return sig <= 15
}

// AppendCompact appends the JSON value v as `jq -c` writes it: no white
// space, strings re-escaped the way jq escapes them, numbers as
// [AppendNumber] writes them.
func AppendCompact(dst, v []byte) []byte { return AppendCompactRedacted(dst, v, nil) }

// AppendQuoted appends s as a JSON string the way jq escapes one: quote,
// backslash and control characters escaped (\u007f too), everything else
// as it is.
func AppendQuoted(dst, s []byte) []byte { return jsonscan.JQ.AppendQuoted(dst, s) }

// Masked is what stands in for a value under a sensitive key: the logger's
// own word for it, so a line reads the same whoever hid the value.
const Masked = auditlog.Masked

// AppendCompactRedacted is [AppendCompact] with the value of every member
// whose key sensitive reports true, at any depth, replaced by "[REDACTED]",
// and the credentials string values quote hidden as [CredentialSpans]
// finds them (a nil sensitive hides nothing).
// It is how an object that holds a credential (oslo.log's context with its
// auth_token) is printed without the credential.
func AppendCompactRedacted(dst, v []byte, sensitive func(string) bool) []byte {
	// stack holds, for each open container, whether it is an object; inObj
	// and wantKey say what the next string is.
	var stack []bool
	wantKey := false
	var tmp, masked []byte
	var nameFn func([]byte) bool
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '{' || c == '[':
			stack = append(stack, c == '{')
			wantKey = c == '{'
			dst = append(dst, c)
			i++
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			wantKey = false
			dst = append(dst, c)
			i++
		case c == ',':
			wantKey = len(stack) > 0 && stack[len(stack)-1]
			dst = append(dst, c)
			i++
		case c == '"':
			e := jsonscan.StringEnd(v, i+1)
			if e < 0 {
				return append(dst, v[i:]...)
			}
			tmp = appendUnquoted(tmp[:0], v[i+1:e], false)
			i = e + 1
			if !wantKey {
				// A value: what it quotes is hidden as in a message
				// (a URL's password, "password=…").
				if sensitive != nil {
					if nameFn == nil {
						nameFn = func(b []byte) bool { return sensitive(string(b)) }
					}
					masked = AppendMaskedText(masked[:0], tmp, nameFn)
					dst = AppendQuoted(dst, masked)
				} else {
					dst = AppendQuoted(dst, tmp)
				}
				continue
			}
			dst = AppendQuoted(dst, tmp)
			wantKey = false
			// A key: if it is sensitive, replace its value.
			if sensitive == nil || !sensitive(string(tmp)) {
				continue
			}
			j := jsonscan.SkipWS(v, i)
			if j >= len(v) || v[j] != ':' {
				continue
			}
			j = jsonscan.SkipWS(v, j+1)
			if j >= len(v) {
				continue
			}
			end, ok := jsonscan.SkipValue(v, j)
			if !ok {
				continue
			}
			dst = append(dst, ':')
			dst = append(dst, `"`+Masked+`"`...)
			i = end
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(v) && jsonscan.NumberByte[v[j]] {
				j++
			}
			dst = AppendNumber(dst, v[i:j])
			i = j
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}
