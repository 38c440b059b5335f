package logformat

import (
	"math"
	"testing"
)

// The expected forms are Python 3's own repr() of the same values.
func TestAppendPyFloat(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{1.0, "1.0"}, {0.0001, "0.0001"}, {1e-05, "1e-05"}, {1e16, "1e+16"}, {1.5e16, "1.5e+16"},
		{9999999999999998.0, "9999999999999998.0"}, {123456789012345678.0, "1.2345678901234568e+17"},
		{math.Copysign(0, -1), "-0.0"}, {0.1, "0.1"}, {1796290901.8860183, "1796290901.8860183"},
		{5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"}, {100.0, "100.0"},
		{12345.678, "12345.678"}, {math.Inf(1), "inf"}, {math.NaN(), "nan"},
	} {
		if got := string(appendPyFloat(nil, c.f)); got != c.want {
			t.Errorf("appendPyFloat(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestAppendPyQuoted(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", `'plain'`}, {"it's", `"it's"`}, {`say "hi"`, `'say "hi"'`}, {`both ' "`, `'both \' "'`},
		{"tab\there\nnl\r", `'tab\there\nnl\r'`}, {"\x1b[31m", `'\x1b[31m'`}, {"café ☃ 😀", `'café ☃ 😀'`},
		{"\u00a0nbsp", `'\xa0nbsp'`}, {"\u200b", `'\u200b'`}, {"\x7f", `'\x7f'`}, {`back\slash`, `'back\\slash'`},
		{"", `''`},
	} {
		if got := string(appendPyQuoted(nil, []byte(c.in))); got != c.want {
			t.Errorf("appendPyQuoted(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	r := &render{sensitive: sensitiveKey}
	for _, c := range []struct{ in, want string }{
		{`{"a": [1, 2.5, true, false, null, "x"], "b": {}, "c": []}`, `{'a': [1, 2.5, True, False, None, 'x'], 'b': {}, 'c': []}`},
		{`{"auth_token": "gAAAA-secret", "user": "u1", "nested": {"password": "p"}}`, `{'auth_token': '[REDACTED]', 'user': 'u1', 'nested': {'password': '[REDACTED]'}}`},
		{`{"auth_token": null}`, `{'auth_token': None}`},
		{`1e5`, `100000.0`}, {`-0`, `0`}, {`12345678901234567890`, `12345678901234567890`},
		{`"caf\u00e9\n"`, `'café\n'`},
	} {
		if got := string(r.appendPyRepr(nil, []byte(c.in))); got != c.want {
			t.Errorf("repr(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestTruthy(t *testing.T) {
	for v, want := range map[string]bool{`null`: false, `""`: false, `"x"`: true, `[]`: false, `[ ]`: false,
		`["a"]`: true, `{}`: false, `0`: false, `0.0`: false, `1`: true, `true`: true, `false`: false} {
		if got := truthy([]byte(v)); got != want {
			t.Errorf("truthy(%s) = %v, want %v", v, got, want)
		}
	}
}

// FuzzConvertJSON runs any line through convert-json's Python rendering,
// the prefix reading every kind of value, the traceback read as a list, a
// string and anything else, the missing-placeholder record: none of it may
// panic, whatever the line holds.
func FuzzConvertJSON(f *testing.F) {
	f.Add([]byte(`{"asctime":"2026-11-27 07:38:56,001","msecs":1.9,"process":4567,"levelname":"ERROR","name":"nova","message":"boom","traceback":["Traceback (most recent call last):","  x"],"context":{"auth_token":"s","roles":["a"]}}`))
	f.Add([]byte(`{"traceback":[1}}`))
	f.Add([]byte(`{"traceback":"a\nb  ","levelno":5,"x":[{"a":[1,{"b":null}]}],"y":1e400}`))
	f.Add([]byte(`{"a":[1}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, prefix := range []string{DefaultPrefix, "%(x)s %(y)r %(a)s %(context)r %(levelno)d", "%(nothere)d"} {
			fm, err := New(Options{ConvertJSON: &ConvertJSON{Prefix: prefix}, Format: "convert-json", Locator: "[%(x)s]", Color: true})
			if err != nil {
				t.Fatal(err)
			}
			run := func(tbKey string) {
				fm.cj.tb = newPyField(fm.fields, tbKey, true)
				fm.vals = make([][]byte, fm.fields.Len())
				if fm.fields.Extract(line, fm.vals) {
					fm.cj.Append(nil, line, fm.vals, &fm.r)
				}
			}
			run("traceback")
			run("x")
		}
	})
}
