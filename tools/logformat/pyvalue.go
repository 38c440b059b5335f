package logformat

import (
	"bytes"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
	"github.com/auditlog-go/auditlog/internal/shortfloat"
	"github.com/auditlog-go/auditlog/tools/logline"
)

// Python's view of JSON values, for the convert-json format: oslo.log's
// convert-json loads each line with Python's json module and fills its
// prefix with Python's %-operator, so a value prints as Python's str() or
// repr() of what json.loads made of it — True, None, 1.0, ['a', 'b'],
// {'k': 'v'} — not as jq prints it. These functions write those forms
// from the raw JSON bytes, without building the Python value.

// pyKind is the Python type json.loads gives a JSON value.
type pyKind uint8

const (
	pyNone pyKind = iota
	pyStr
	pyInt
	pyFloat
	pyBool
	pyList
	pyDict
)

// kindOf tells the Python type of the JSON value v (not empty).
func kindOf(v []byte) pyKind {
	switch c := v[0]; c {
	case '"':
		return pyStr
	case '{':
		return pyDict
	case '[':
		return pyList
	case 't', 'f':
		return pyBool
	case 'n':
		return pyNone
	}
	for _, c := range v {
		if c == '.' || c == 'e' || c == 'E' {
			return pyFloat
		}
	}
	if string(v) == "NaN" || string(v) == "Infinity" || string(v) == "-Infinity" {
		return pyFloat // Python's json reads and writes these
	}
	return pyInt
}

// truthy is Python's bool() of the value: what convert-json's "if tb:" asks.
func truthy(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	switch kindOf(v) {
	case pyNone:
		return false
	case pyStr:
		return len(v) > 2
	case pyBool:
		return v[0] == 't'
	case pyList, pyDict:
		i := skipSpace(v, 1)
		return i < len(v) && v[i] != ']' && v[i] != '}'
	case pyInt, pyFloat:
		f, _ := strconv.ParseFloat(string(v), 64)
		return f != 0
	}
	return true
}

// appendPyStr appends str() of the JSON value v: a string decoded (its
// credentials masked by r), anything else as repr.
func (r *render) appendPyStr(dst, v []byte) []byte {
	if v[0] == '"' {
		return r.appendText(dst, v, r.escapeControl)
	}
	return r.appendPyRepr(dst, v)
}

// appendPyRepr appends repr() of the JSON value v. Values under sensitive
// keys, at any depth, print as '[REDACTED]'; a string's quoted credentials
// are masked as in text.
func (r *render) appendPyRepr(dst, v []byte) []byte {
	out, _ := r.pyRepr(dst, v, 0, 0)
	return out
}

// pyRepr appends repr() of the value that starts at v[i] and returns the
// index after it. Malformed input (which Extract has already refused for
// the line as a whole) ends the walk with what it has.
func (r *render) pyRepr(dst, v []byte, i, depth int) ([]byte, int) {
	i = skipSpace(v, i)
	if i >= len(v) {
		return dst, i
	}
	switch c := v[i]; {
	case c == '"':
		e := jsonscan.StringEnd(v, i+1)
		if e < 0 {
			return append(dst, v[i:]...), len(v)
		}
		r.pyTmp = r.appendText(r.pyTmp[:0], v[i:e+1], false)
		return appendPyQuoted(dst, r.pyTmp), e + 1
	case c == '{' || c == '[':
		if depth > 64 {
			return append(dst, "..."...), skipAny(v, i)
		}
		closer := byte(']')
		if c == '{' {
			closer = '}'
		}
		dst = append(dst, c)
		i++
		first := true
		for {
			i = skipSpace(v, i)
			if i >= len(v) {
				return dst, i
			}
			if v[i] == closer {
				return append(dst, closer), i + 1
			}
			if v[i] == ',' {
				i++
				continue
			}
			if !first {
				dst = append(dst, ',', ' ')
			}
			first = false
			if c == '[' {
				dst, i = r.pyRepr(dst, v, i, depth+1)
				continue
			}
			// A member: its key, a colon, its value.
			ks := i
			if v[ks] != '"' {
				return dst, len(v)
			}
			ke := jsonscan.StringEnd(v, ks+1)
			if ke < 0 {
				return dst, len(v)
			}
			key := logline.AppendString(nil, v[ks:ke+1], false)
			dst = appendPyQuoted(dst, key)
			dst = append(dst, ':', ' ')
			i = skipSpace(v, ke+1)
			if i < len(v) && v[i] == ':' {
				i++
			}
			if i = skipSpace(v, i); r.sensitive != nil && r.sensitive(string(key)) && !bytes.HasPrefix(v[i:], []byte("null")) {
				i = skipAny(v, i)
				dst = append(dst, "'"+logline.Masked+"'"...)
				continue
			}
			dst, i = r.pyRepr(dst, v, i, depth+1)
		}
	}
	e := skipAny(v, i)
	if e == i { // a stray bracket (Extract does not match their kinds): pass it by
		return dst, i + 1
	}
	return appendPyScalar(dst, v[i:e]), e
}

// appendPyScalar appends repr() of a JSON number, true, false or null.
func appendPyScalar(dst, v []byte) []byte {
	switch kindOf(v) {
	case pyNone:
		return append(dst, "None"...)
	case pyBool:
		if v[0] == 't' {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case pyInt:
		if string(v) == "-0" {
			return append(dst, '0')
		}
		return append(dst, v...)
	}
	switch string(v) {
	case "NaN":
		return append(dst, "nan"...)
	case "Infinity":
		return append(dst, "inf"...)
	case "-Infinity":
		return append(dst, "-inf"...)
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil && !math.IsInf(f, 0) {
		return append(dst, v...)
	}
	return appendPyFloat(dst, f)
}

// appendPyFloat appends repr() of a float (see [shortfloat.AppendPython]).
func appendPyFloat(dst []byte, f float64) []byte { return shortfloat.AppendPython(dst, f) }

// appendPyQuoted appends repr() of the text s: single quotes unless s holds
// one and no double quote; backslash, the quote, \t \n \r escaped; other
// characters Python does not count as printable as \xhh, \uhhhh or
// \Uhhhhhhhh.
func appendPyQuoted(dst, s []byte) []byte {
	q := byte('\'')
	hasSingle, hasDouble := false, false
	for _, c := range s {
		hasSingle = hasSingle || c == '\''
		hasDouble = hasDouble || c == '"'
	}
	if hasSingle && !hasDouble {
		q = '"'
	}
	dst = append(dst, q)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == q || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'x', hexLower[c>>4], hexLower[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		ru, n := utf8.DecodeRune(s[i:])
		switch {
		case unicode.IsPrint(ru) && !(ru == utf8.RuneError && n == 1):
			dst = append(dst, s[i:i+n]...)
		case ru <= 0xff:
			dst = append(dst, '\\', 'x', hexLower[ru>>4], hexLower[ru&15])
		case ru <= 0xffff:
			dst = append(dst, '\\', 'u')
			dst = appendHex(dst, uint32(ru), 4)
		default:
			dst = append(dst, '\\', 'U')
			dst = appendHex(dst, uint32(ru), 8)
		}
		i += n
	}
	return append(dst, q)
}

const hexLower = "0123456789abcdef"

func appendHex(dst []byte, v uint32, n int) []byte {
	for s := (n - 1) * 4; s >= 0; s -= 4 {
		dst = append(dst, hexLower[(v>>uint(s))&15])
	}
	return dst
}

// pyIsSpace is Python's str.isspace for one rune: Unicode white space and
// the four ASCII separators (0x1c–0x1f) Go does not count.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipAny returns the index after the value that starts at b[i].
func skipAny(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"', '{', '[':
		if e, ok := jsonscan.SkipValue(b, i); ok {
			return e
		}
		return len(b) // cut short: the rest is the value
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// topMembers calls fn with each member of the JSON object line, in order:
// its decoded key and its raw value.
func topMembers(line []byte, fn func(key string, v []byte)) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(line, i)
		if i >= len(line) || line[i] == '}' {
			return
		}
		if line[i] == ',' {
			i++
			continue
		}
		if line[i] != '"' {
			return
		}
		ke := jsonscan.StringEnd(line, i+1)
		if ke < 0 {
			return
		}
		key := string(logline.AppendString(nil, line[i:ke+1], false))
		i = skipSpace(line, ke+1)
		if i >= len(line) || line[i] != ':' {
			return
		}
		vs := skipSpace(line, i+1)
		ve := skipAny(line, vs)
		fn(key, line[vs:ve])
		i = ve
	}
}
