package logexpand

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
)

var fuzzSeeds = []string{
	// The same slow strings in many places (the string memo).
	`{"levelname":"a: b","msg":"a: b","traceback":["a: b","a: b","k=\"v\""],"x":{"y":"a: b","z":["a: b","k=\"v\""]},"m":"a: b {\"k\": \"a: b\"}","p":"password=a: b"}`,
	`{"a":1,"b":{"c":[1,2,{"d":"e"}]},"s":"x\ny","j":"{\"k\":1}","p":"{'k': u'v'}"}`,
	`{"context":{"auth_token":"abc","roles":["admin"]},"message":"body: {\"x\": 1}"}`,
	`2015-10-29 10:51:11.600 4470 DEBUG x [-] RESP: [200] {'x-subject-token': 'abc', 'vary': 'X'}`,
	`{"e":"\u001b[2J\ud800","k\u00e9y":"\u2028"}`,
	`[1,[2,[3]],{"a":[]}]`,
	`{'a': (1, 2), 'b': {'c', 'd'}, 'e': set(), 'f': b'\xff', 'g': 10L, 'h': -inf}`,
	`curl -H "X-Auth-Token: abc" /x?token=y&password=z Authorization: Bearer q`,
	"{\"bad\":\"\xff\xfe\"}",
	// A raw DEL, alone and in a word; strings that hold an array.
	"{\"d\":\"x\x7fy\",\"e\":\"0123456789\x7f:0\",\"f\":[\"\x7f\"]}",
	`{"a":"[1,2]","b":"  [{\"c\":1}]","p":"['x', None]","q":"[no]"}`,
	`{"a":1} trailing`,
	``,
}

// FuzzExpand feeds arbitrary lines to every mode: nothing may panic, and
// each line's output ends with a newline. Escaped output holds no control
// byte other than newline and tab, so no value reaches a terminal raw.
func FuzzExpand(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, line []byte, mode uint8) {
		if bytes.IndexByte(line, '\n') >= 0 {
			return
		}
		opts := Options{
			Flatten:     mode&1 != 0,
			ShowSecrets: mode&2 != 0,
			NoEmbedded:  mode&4 != 0,
			Color:       mode&8 != 0,
			Depth:       int(mode>>4) & 3,
		}
		if mode&64 != 0 {
			opts.Keys = []string{"a", "b.c", "context.auth_token"}
		}
		x, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		out := x.Append(nil, []byte("f:1:"), line)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			t.Fatalf("output does not end with a newline: %q", out)
		}
		// Twice, to catch state left behind by the first line.
		out2 := x.Append(nil, []byte("f:1:"), line)
		if !bytes.Equal(out, out2) {
			t.Fatalf("second run differs:\n%q\n%q", out, out2)
		}
		if isRecord(line) && !opts.Color {
			for _, c := range out {
				if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
					t.Fatalf("control byte %#x in the output of a record: %q", c, out)
				}
			}
		}
	})
}

// FuzzRoundTrip checks that --flatten | --unflatten gives back the data of
// every JSON line encoding/json accepts.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, '\r') >= 0 {
			return
		}
		var want any
		if decodeJSON2(line, &want) != nil || !isRecord(line) {
			return
		}
		x, _ := New(Options{Flatten: true, ShowSecrets: true})
		flat := x.Append(nil, nil, line)
		back := bytes.TrimSuffix(Unflatten(flat), []byte("\n"))
		var got any
		if err := decodeJSON2(back, &got); err != nil {
			t.Fatalf("unflattened line is not JSON: %v\nin:   %s\nflat: %s\nout:  %s", err, line, flat, back)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("data changed\nin:   %s\nflat: %s\nout:  %s", line, flat, back)
		}
	})
}

// FuzzPython checks the Python repr parser: no panic, spans inside the
// text, and a dict of plain string keys and JSON-like values parses to
// what Python's json-compatible reading would give.
func FuzzPython(f *testing.F) {
	for _, s := range []string{
		`{'a': 1}`, `{'server': {'name': u'vm1', 'flag': True, 'x': None}}`,
		`{b'k': b'\xff', 'e': 'it\'s', "d": "a'b", r'r': r'\d'}`,
		`{1: (1,), None: [], (1, 2): {'x', 'y'}, 'f': 1.5e-05, 'g': 10L, 'h': -inf}`,
		`{'a': <object at 0x1>}`, `{'a': 1`, `{`, `{'u': u'\u4e2d\U0001F600\x41\101'}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var tr jsontree.Tree
		tr.Buf = append(tr.Buf, src...)
		root, end, ok := tr.ParsePython(0, len(src))
		if !ok {
			return
		}
		if end > len(src) || end <= 0 {
			t.Fatalf("end %d outside [1,%d]", end, len(src))
		}
		for i, n := range tr.Nodes {
			if n.S < 0 || n.E < n.S || int(n.E) > len(tr.Buf) || n.KS < 0 || n.KE < n.KS || int(n.KE) > len(tr.Buf) {
				t.Fatalf("node %d spans out of range: %+v (buf %d)", i, n, len(tr.Buf))
			}
		}
		// Render it: strings decode, keys decode, nothing panics.
		x, _ := New(Options{})
		x.t = tr
		out := x.compact(nil, root)
		if tr.Nodes[root].Kind == jsontree.Object || tr.Nodes[root].Kind == jsontree.Array {
			if len(out) < 2 {
				t.Fatalf("compact form %q too short", out)
			}
		}
		if !utf8.Valid(out) && bytes.IndexByte(src, '\\') < 0 && utf8.Valid(src) {
			t.Fatalf("invalid UTF-8 out of valid input: %q", out)
		}
		// When every value is JSON-like (and the text is UTF-8: other bytes
		// show as \xNN) the compact form is JSON.
		if bytes.ContainsAny(src, "()LjinfsetbBuUrR<") || bytes.Contains(src, []byte(`\`)) || !utf8.Valid(src) {
			return
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil && tr.Nodes[root].Kind == jsontree.Object {
			t.Fatalf("compact form of %q is not JSON: %v: %s", src, err, out)
		}
	})
}

// scanStringRef is jsontree.ScanString one byte at a time, the obvious way.
func scanStringRef(b []byte, i int) (s, e int, flags uint16, ok bool) {
	s = i
	done := func(e int, ok bool) (int, int, uint16, bool) {
		if jsontree.ListStart(b[s:e]) {
			flags |= jsontree.FBrace
		}
		return s, e, flags, ok
	}
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return done(i, true)
		case c == '\\':
			flags |= jsontree.FEsc
			if i+1 >= len(b) {
				return done(i, false)
			}
			if b[i+1] != '"' && b[i+1] != '\\' {
				flags |= jsontree.FEscOther
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+6 > len(b) || !jsontree.IsHex4(b[i+2:i+6]) {
					return done(i, false)
				}
				i += 5
			default:
				return done(i, false)
			}
		case c < 0x20 || c == 0x7f:
			flags |= jsontree.FCtl
		case c >= 0x80:
			flags |= jsontree.FHigh
		case c == '{':
			flags |= jsontree.FBrace
		case c == '=' || c == '@':
			flags |= jsontree.FPair
		case c == ':':
			if i+1 < len(b) && b[i+1] == ' ' {
				flags |= jsontree.FPair
			}
		}
	}
	return done(i, false)
}

// FuzzScanString checks the word-at-a-time string scanner against the
// byte-at-a-time one, with garbage in the spare capacity after the text.
func FuzzScanString(f *testing.F) {
	for _, s := range []string{"x\x7fy\"", "12345678\x7f\"", "[1,2]\"", "  [1]\"", " x [\"", `12345678:9"`, `x:; "`, ` ['a:b']"`, `abc"`, `a\"b\\"x`, `{"k":1}"`, "caf\xc3\xa9\x01\"", `\u00e9\ud83d"`, `12345678901234567"`, `unterminated`, `\x"`} {
		f.Add([]byte(s), []byte(`"{:=\`))
	}
	f.Fuzz(func(t *testing.T, text, spare []byte) {
		buf := append(append([]byte(nil), text...), spare...)
		b := buf[:len(text)]
		s, e, flags, ok := jsontree.ScanString(b, 0)
		rs, re, rflags, rok := scanStringRef(b, 0)
		if ok != rok || (ok && (s != rs || e != re || flags != rflags)) {
			t.Fatalf("%q: got %d %d %b %v, want %d %d %b %v", text, s, e, flags, ok, rs, re, rflags, rok)
		}
		// plainQuoted: the raw text is the quoted decoded text, which
		// holds no line end and a '{' only where the raw text does.
		if ok && plainQuoted(flags) {
			dec := decodeJSON(nil, b[s:e])
			if q := decodeQuotes(nil, b[s:e]); !bytes.Equal(q, dec) {
				t.Fatalf("%q: decodeQuotes %q, want %q", text, q, dec)
			}
			if q := appendQuoted(nil, dec); string(q) != `"`+string(b[s:e])+`"` {
				t.Fatalf("%q: plainQuoted, but quoted %q", text, q)
			}
			if bytes.IndexByte(dec, '\n') >= 0 || bytes.IndexByte(dec, '\r') >= 0 ||
				(bytes.IndexByte(dec, '{') >= 0) != (bytes.IndexByte(b[s:e], '{') >= 0) ||
				jsontree.ListStart(dec) != jsontree.ListStart(b[s:e]) {
				t.Fatalf("%q: plainQuoted, but decoded %q", text, dec)
			}
		}
		// scanKey: the same end, none for a key with escapes, and the
		// answers of the cache those of a fresh look (twice: the second
		// comes from the cache).
		x, _ := New(Options{})
		for range 2 {
			ke, info, prefix, kok := x.scanKey(b, 0)
			if kok != (rok && rflags&jsontree.FEsc == 0) || (kok && ke != re) {
				t.Fatalf("scanKey %q: got %d %v, want %d %b %v", text, ke, kok, re, rflags, rok)
			}
			if !kok {
				continue
			}
			if want := x.computeKeyInfo(b[:re]); info != want {
				t.Fatalf("scanKey %q: info %b, want %b", text, info, want)
			}
			var want [8]byte
			copy(want[:], b[:re])
			if prefix != binary.BigEndian.Uint64(want[:]) {
				t.Fatalf("scanKey %q: prefix %x, want %x", text, prefix, want)
			}
		}
	})
}

// FuzzStreamMatchesTree checks that the one-pass fast path renders every
// line exactly as the tree path does.
func FuzzStreamMatchesTree(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	for _, s := range []string{
		`{"a":[1,2,"x"],"b":[{"c":1},{}],"d":{},"e":[],"level":"ERROR","password":"p","token":null,"secret":""}`,
		`{"a":[[1,[2]],{"b":[{"c":[]}]}],"s":"a\nb","t":"{\"x\":1}","u":"k: v"}`,
		`{"b":1,"a":2}`, `{"a":1,"a":0}`, `{"x":"` + strings.Repeat("y", 80) + `"}`,
		`{"l":["aaaaaaaaaaaaaaaaaaaa","bbbbbbbbbbbbbbbbbbbbbbbb","cccccccccccccccccccccccccc"]}`,
		`{"k\u00e9":1}`, ` {"a" : [ 1 , true ] } `,
		// fPair: ": " within and across words, colons that are no pair,
		// and a Python list that only a ':' sends to stringValue.
		`{"a":"1234567: x","b":"12345678:9","c":"x:; y","d":"2026-11-23T09:00:00.018507Z"}`,
		`{"a":"['a:b']","b":"  ['a:b']","c":"token: abc","d":"password=abc"}`,
		// A raw DEL, the only odd byte; a JSON array or a Python list in a
		// string, with no other byte that makes it slow.
		"{\"a\":\"x\x7fy\",\"b\":\"\x7f\",\"c\":[\"\x7f\"],\"d\":\"12345678\x7f\"}",
		`{"a":"[1,2]","b":"['x']","c":" [1]","d":["[true]"]}`,
		// Keys of every length the key cache holds, and past it.
		`{"abcdefghijklmnopqrstuvw":1,"abcdefghijklmnopqrstuvwx":2,"abcdefghijklmnopqrstuvwxy":3,"auth_token_abcdefghijklmnopq":4}`,
	} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, line []byte, mode uint8) {
		if bytes.IndexByte(line, '\n') >= 0 {
			return
		}
		opts := Options{ShowSecrets: mode&1 != 0, NoEmbedded: mode&2 != 0, Color: mode&4 != 0, EscapeControl: mode&8 != 0}
		fast, _ := New(opts)
		slow, _ := New(opts)
		slow.noStream = true
		a := fast.Append(nil, []byte("h:"), line)
		b := slow.Append(nil, []byte("h:"), line)
		if !bytes.Equal(a, b) {
			t.Fatalf("%q\nfast:\n%s\ntree:\n%s", line, a, b)
		}
	})
}
