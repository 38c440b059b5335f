package logexpand

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/schema"
)

// TestOursValid checks that the audit lines of the "ours" case are what
// the schema allows, so the case shows our real format.
func TestOursValid(t *testing.T) {
	b, err := os.ReadFile("testdata/ours/input")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if err := schema.Validate(line); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
	}
}

func expand(t testing.TB, opts Options, in string) string {
	t.Helper()
	x, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, line := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
		out = x.Append(out, nil, []byte(line))
	}
	return string(out)
}

func TestExpandSmall(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		in   string
		want string
	}{
		{"sorted", Options{}, `{"b":1,"a":{"d":true,"c":null}}`,
			"{\n  a:\n    c: null\n    d: true\n  b: 1\n}\n"},
		{"text", Options{}, `not json`, "not json\n"},
		{"broken", Options{}, `{"a":`, "{\"a\":\n"},
		{"block", Options{}, `{"s":"x\ny"}`, "{\n  s: |\n    x\n    y\n}\n"},
		{"json string", Options{}, `{"s":"{\"k\":[1,2]}"}`, "{\n  s: (json)\n    k: [1, 2]\n}\n"},
		{"python string", Options{}, `{"s":"{'k': u'v', 'n': None}"}`, "{\n  s: (python)\n    k: \"v\"\n    n: null\n}\n"},
		{"secret", Options{}, `{"context":{"auth_token":"abc","x":1}}`,
			"{\n  context:\n    auth_token: \"[REDACTED]\"\n    x: 1\n}\n"},
		{"secret shown", Options{ShowSecrets: true}, `{"auth_token":"abc"}`, "{\n  auth_token: \"abc\"\n}\n"},
		{"secret null", Options{}, `{"auth_token":null,"password":""}`, "{\n  auth_token: null\n  password: \"\"\n}\n"},
		{"depth", Options{Depth: 1}, `{"a":{"b":{"c":1}},"d":2}`, "{\n  a: {\"b\":{\"c\":1}}\n  d: 2\n}\n"},
		{"depth2", Options{Depth: 2}, `{"a":{"b":{"c":1}},"d":[[1]]}`, "{\n  a:\n    b: {\"c\":1}\n  d:\n    - [1]\n}\n"},
		{"keys", Options{Keys: []string{"a.b"}}, `{"a":{"b":1,"c":2},"d":3}`, "{\n  a:\n    b: 1\n}\n"},
		{"keys none", Options{Keys: []string{"zz"}}, `{"a":1}`, ""},
		{"keys array", Options{Keys: []string{"l.m"}}, `{"l":[{"m":1,"n":2},{"n":3}]}`, "{\n  l:\n    - m: 1\n}\n"},
		{"keys into string", Options{Keys: []string{"s.k"}}, `{"s":"{\"k\":1,\"j\":2}"}`, "{\n  s: (json)\n    k: 1\n}\n"},
		{"keys dotted", Options{Keys: []string{"log.level", "a.b.c"}}, `{"log.level":"info","a":{"b.c":1,"b.d":2},"x":1}`,
			"{\n  a:\n    b.c: 1\n  log.level: \"info\"\n}\n"},
		{"flatten", Options{Flatten: true}, `{"a":{"b c":[1,{}]}}`,
			"json = {}\njson.a = {}\njson.a[\"b c\"] = []\njson.a[\"b c\"][0] = 1\njson.a[\"b c\"][1] = {}\n"},
		{"flatten text", Options{Flatten: true}, `text`, "text\n"},
		{"escape", Options{}, `{"e":"\u001b[2J"}`, "{\n  e: \"\\u001b[2J\"\n}\n"},
		{"pair", Options{}, `{"m":"curl -H \"X-Auth-Token: abc\" -H \"Accept: */*\""}`,
			"{\n  m: \"curl -H \\\"X-Auth-Token: [REDACTED]\\\" -H \\\"Accept: */*\\\"\"\n}\n"},
		{"bearer", Options{}, `Authorization: Bearer abc.def next`, "Authorization: [REDACTED] next\n"},
		{"query", Options{}, `GET /x?a=1&token=abc&b=2`, "GET /x?a=1&token=[REDACTED]&b=2\n"},
		{"file line", Options{}, `at nova/session.py:155 and session.py:12`, "at nova/session.py:155 and session.py:12\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := expand(t, c.opts, c.in); got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// TestDELAndListStrings checks two rules both paths must keep alike: a raw
// DEL is escaped as the other control bytes are, whatever else the string
// holds, and a string that starts (after spaces) with '[' and holds JSON or
// a Python list as a whole is expanded like one that holds an object. Each
// line is rendered by the fast path (keys sorted) and by the tree (noStream).
func TestDELAndListStrings(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		in   string
		want string
	}{
		{"del alone", Options{}, "{\"a\":\"x\x7fy\"}", "{\n  a: \"x\\u007fy\"\n}\n"},
		{"del only", Options{}, "{\"a\":\"\x7f\"}", "{\n  a: \"\\u007f\"\n}\n"},
		{"del in a word", Options{}, "{\"a\":\"0123456789\x7fabcdef\"}", "{\n  a: \"0123456789\\u007fabcdef\"\n}\n"},
		{"del and colon", Options{}, "{\"a\":\"10:00\x7f\"}", "{\n  a: \"10:00\\u007f\"\n}\n"},
		{"del and pair", Options{}, "{\"a\":\"k: \x7f\"}", "{\n  a: \"k: \\u007f\"\n}\n"},
		{"del in array", Options{}, "{\"a\":[\"\x7f\"]}", "{\n  a:\n    - \"\\u007f\"\n}\n"},
		{"del in key", Options{}, "{\"k\x7f\":1}", "{\n  \"k\\u007f\": 1\n}\n"},
		{"del color", Options{Color: true, EscapeControl: true}, "{\"level\":\"x\x7f\"}",
			"{\n  \x1b[36mlevel\x1b[0m: \"x\\u007f\"\n}\n"},
		{"del flatten", Options{Flatten: true}, "{\"a\":\"\x7f\"}", "json = {}\njson.a = \"\\u007f\"\n"},
		{"del text line", Options{}, "text \x7f", "text \x7f\n"},
		{"del text line terminal", Options{EscapeControl: true}, "text \x7f", "text \\u007f\n"},
		{"json array", Options{}, `{"a":"[1,2]"}`, "{\n  a: (json) [1, 2]\n}\n"},
		{"json array of objects", Options{}, `{"a":"[{\"id\":1}]"}`, "{\n  a: (json)\n    - id: 1\n}\n"},
		{"json array after spaces", Options{}, `{"a":"  [1, 2]"}`, "{\n  a: (json) [1, 2]\n}\n"},
		{"python list", Options{}, `{"a":"['x', None]"}`, "{\n  a: (python)\n    - \"x\"\n    - null\n}\n"},
		{"not an array", Options{}, `{"a":"[not json]","b":"[1] x","c":"x [1]"}`,
			"{\n  a: \"[not json]\"\n  b: \"[1] x\"\n  c: \"x [1]\"\n}\n"},
		{"array in an array", Options{}, `{"a":["[1]"]}`, "{\n  a:\n    - (json) [1]\n}\n"},
		{"array keys", Options{Keys: []string{"a.id"}}, `{"a":"[{\"id\":1,\"n\":2}]","b":1}`, "{\n  a: (json)\n    - id: 1\n}\n"},
		{"array depth", Options{Depth: 1}, `{"a":"[[1]]"}`, "{\n  a: (json) [[1]]\n}\n"},
		{"array flatten", Options{Flatten: true}, `{"a":"[1]"}`, "json = {}\njson.a = \"[1]\"\njson.a<json> = []\njson.a<json>[0] = 1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fast, _ := New(c.opts)
			slow, _ := New(c.opts)
			slow.noStream = true
			for _, x := range []*Expander{fast, slow} {
				if got := string(x.Append(nil, nil, []byte(c.in))); got != c.want {
					t.Errorf("noStream %v: got:\n%q\nwant:\n%q", x.noStream, got, c.want)
				}
			}
			if isRecord([]byte(c.in)) {
				roundTrip(t, []byte(c.in+"\n"))
			}
		})
	}
}

// TestHeader checks that the grep prefix heads the block, and each
// flattened statement.
func TestHeader(t *testing.T) {
	x, _ := New(Options{})
	got := string(x.Append(nil, []byte("api.log:12:"), []byte(`{"a":1}`)))
	if want := "api.log:12: {\n  a: 1\n}\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	x, _ = New(Options{Flatten: true})
	got = string(x.Append(nil, []byte("api.log:12:"), []byte(`{"a":1}`)))
	if want := "api.log:12:json = {}\napi.log:12:json.a = 1\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRoundTrip checks that --flatten | --unflatten gives back each JSON
// line's data (compared after decoding both) and every other line as it
// was, on every golden input.
func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"ours", "oslo-json", "go-loggers", "odd", "grep-prefix", "oslo-text", "python-repr", "junk", "control-and-lists"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile("testdata/" + name + "/input")
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, in)
		})
	}
}

func roundTrip(t *testing.T, in []byte) {
	t.Helper()
	x, _ := New(Options{Flatten: true, ShowSecrets: true})
	var flat []byte
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		lines = append(lines, bytes.Clone(line))
		flat = x.Append(flat, nil, line)
	}
	back := bytes.Split(bytes.TrimSuffix(Unflatten(flat), []byte("\n")), []byte("\n"))
	if len(back) != len(lines) {
		t.Fatalf("%d lines in, %d out:\n%s", len(lines), len(back), back)
	}
	for i, line := range lines {
		got := back[i]
		if !isRecord(line) {
			if !bytes.Equal(got, line) {
				t.Errorf("line %d: text changed:\n got %q\nwant %q", i+1, got, line)
			}
			continue
		}
		var a, b any
		if err := decodeJSON2(line, &a); err != nil {
			// Raw control bytes in strings: not JSON to encoding/json,
			// though we read them; the way back must still be a record.
			if !isRecord(got) {
				t.Errorf("line %d: not a record after the round trip: %s", i+1, got)
			}
			continue
		}
		if err := decodeJSON2(got, &b); err != nil {
			t.Errorf("line %d: unflattened line is not JSON: %v\n%s", i+1, err, got)
			continue
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("line %d: data changed:\n got %s\nwant %s", i+1, got, line)
		}
	}
}

// isRecord reports whether the expander treats line as JSON.
func isRecord(line []byte) bool {
	x, _ := New(Options{})
	x.t.Buf = append(x.t.Buf[:0], line...)
	_, ok := x.parseLine()
	return ok
}

func decodeJSON2(b []byte, v any) error {
	b = bytes.TrimPrefix(b, bom)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// TestStreamMatchesTree renders every line of every golden input and of
// the bench lines through the fast path and through the tree, in every
// mode that has a fast path, and wants the same bytes.
func TestStreamMatchesTree(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/input")
	files = append(files, "testdata/bench/lines.jsonl")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, opts := range []Options{{}, {ShowSecrets: true}, {NoEmbedded: true}, {Color: true, EscapeControl: true}} {
			fast, _ := New(opts)
			slow, _ := New(opts)
			slow.noStream = true
			for i, line := range bytes.Split(data, []byte("\n")) {
				line = bytes.TrimSuffix(line, []byte("\r"))
				a, b := fast.Append(nil, nil, line), slow.Append(nil, nil, line)
				if !bytes.Equal(a, b) {
					t.Errorf("%s:%d %+v:\nfast:\n%s\ntree:\n%s", name, i+1, opts, a, b)
				}
			}
		}
	}
}
