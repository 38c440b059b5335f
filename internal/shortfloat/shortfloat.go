// Package shortfloat writes a float64 as the shortest digits that read back
// as the same value, in the notation of a reader the tools must match byte
// for byte: jq 1.6 (log-format's templates, which are compared with jq -r)
// and Python's repr (log-format -f convert-json, compared with oslo.log's
// convert-json). The two agree on the digits and differ only in when they
// switch to an exponent and in how an integral value ends, so one function
// writes both.
package shortfloat

import (
	"math"
	"strconv"
)

// AppendJQ appends f as jq 1.6 prints a number: fixed notation unless the
// exponent is below -4 or more than 15 places past the digits (1e-05,
// 1e+17; 1.5, 100), and no ".0" on an integral value. Infinities print as
// jq clamps them, to ±1.7976931348623157e+308.
func AppendJQ(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) {
		f = math.Copysign(math.MaxFloat64, f)
	}
	return appendShortest(dst, f, func(decpt, nd int) bool { return decpt > nd+15 }, false)
}

// AppendPython appends repr() of f: fixed notation when the decimal point
// falls within 16 digits (1e+16 but 1000000000000000.0), a ".0" on an
// integral value, and nan, inf, -inf as Python spells them.
func AppendPython(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return appendShortest(dst, f, func(decpt, _ int) bool { return decpt > 16 }, true)
}

// appendShortest writes finite f from strconv's shortest 'e' form: in an
// exponent when the decimal point (decpt places after the first of nd
// digits) is at or before -4, or large by the reader's rule, else in fixed
// notation, with ".0" on an integral value when whole is set.
func appendShortest(dst []byte, f float64, large func(decpt, nd int) bool, whole bool) []byte {
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	// e is d[.ddd]e±XX
	var digits [24]byte
	nd, k := 0, 0
	for ; e[k] != 'e'; k++ {
		if e[k] != '.' {
			digits[nd] = e[k]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[k+1:]))
	d := digits[:nd]
	decpt := exp + 1
	switch {
	case decpt <= -4 || large(decpt, nd):
		dst = append(dst, d[0])
		if nd > 1 {
			dst = append(dst, '.')
			dst = append(dst, d[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	case decpt <= 0:
		dst = append(dst, '0', '.')
		for ; decpt < 0; decpt++ {
			dst = append(dst, '0')
		}
		return append(dst, d...)
	case decpt >= nd:
		dst = append(dst, d...)
		for ; decpt > nd; decpt-- {
			dst = append(dst, '0')
		}
		if whole {
			dst = append(dst, '.', '0')
		}
		return dst
	default:
		dst = append(dst, d[:decpt]...)
		dst = append(dst, '.')
		return append(dst, d[decpt:]...)
	}
}
