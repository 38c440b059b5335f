package logline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

const ours = `{"action":"create","context":{"request_id":"req-1","trace_id":"abc"},"duration_ms":12.5,"kind":"request","level":"INFO","message":"POST /v2.1/servers","rpc":{"method":"POST","route":"/v2.1/servers"},"schema_version":1,"seq":7,"service":"nova-api","status":202,"target":{"id":"3f2a","type":"server"},"timestamp":"2026-11-27T07:38:55.123456Z","user":{"id":"u1","project_id":"p1"}}`

const oslo = `{"message": "Returning 500 to user", "asctime": "2015-10-29 10:00:00,123", "name": "nova.api.openstack", "msg": "Returning %(code)s to user", "args": {"code": 500}, "levelname": "ERROR", "levelno": 40, "created": 1446112800.123, "traceback": "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad", "error_summary": "ValueError: bad", "context": {"request_id": "req-9", "user": "u9", "tenant": "p9", "auth_token": "secret"}}`

func extract(t *testing.T, line string, paths ...string) []string {
	t.Helper()
	f := NewFields()
	for _, p := range paths {
		f.Add(p)
	}
	out := make([][]byte, f.Len())
	if !f.Extract([]byte(line), out) {
		t.Fatalf("Extract(%.60q…) = false, want true", line)
	}
	got := make([]string, len(paths))
	for i, p := range paths {
		if v := out[f.Add(p)]; v != nil {
			got[i] = string(v)
		} else {
			got[i] = "<nil>"
		}
	}
	return got
}

func TestExtract(t *testing.T) {
	got := extract(t, ours, "timestamp", "context.request_id", "context", "user.id", "status", "duration_ms", "nope", "rpc.nope", "target")
	want := []string{`"2026-11-27T07:38:55.123456Z"`, `"req-1"`, `{"request_id":"req-1","trace_id":"abc"}`, `"u1"`, `202`, `12.5`, "<nil>", "<nil>", `{"id":"3f2a","type":"server"}`}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("path %d: got %s, want %s", i, got[i], want[i])
		}
	}
	got = extract(t, `{"a":[{"b":1},{"b":[true,"x"]}], "\u0063": "escaped key", "d":"q\"uote\\"}`, "a.1.b.1", "a.0.b", "c", "d", "a.5")
	want = []string{`"x"`, `1`, `"escaped key"`, `"q\"uote\\"`, "<nil>"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("case 2 path %d: got %s, want %s", i, got[i], want[i])
		}
	}
}

func TestExtractRejects(t *testing.T) {
	f := NewFields()
	f.Add("a")
	out := make([][]byte, 1)
	for _, bad := range []string{``, `x`, `[1]`, `{`, `{"a":1`, `{"a" 1}`, `{"a":1,}x`, `{"a":"unterminated}`, `{"a":1} trailing`, `{"a":[1,2}`, `{a:1}`, `{"a":tru}`} {
		if f.Extract([]byte(bad), out) {
			t.Errorf("Extract(%q) = true, want false", bad)
		}
	}
	if !f.Extract([]byte("  {\"a\" : 1 }  "), out) || string(out[0]) != "1" {
		t.Errorf("white space around members: got %q", out[0])
	}
}

// TestExtractMatchesGJSON checks the walk against gjson on the same paths.
func TestExtractMatchesGJSON(t *testing.T) {
	paths := []string{"level", "levelname", "context.request_id", "context.auth_token", "args.code", "traceback", "created", "message", "missing.deep"}
	for _, line := range []string{ours, oslo} {
		got := extract(t, line, paths...)
		for i, p := range paths {
			r := gjson.Get(line, p)
			want := "<nil>"
			if r.Exists() {
				want = r.Raw
			}
			if got[i] != want {
				t.Errorf("%s: got %s, gjson %s", p, got[i], want)
			}
		}
	}
}

func TestLookupAliases(t *testing.T) {
	f := NewFields()
	ts := f.AddLookup("timestamp", true)
	lvl := f.AddLookup("level", true)
	rid := f.AddLookup("context.request_id", true)
	uid := f.AddLookup("user.id", true)
	tb := f.AddLookup("exception.stacktrace", true)
	levelname := f.AddLookup("levelname", true)
	plain := f.AddLookup("level", false)
	out := make([][]byte, f.Len())
	if !f.Extract([]byte(oslo), out) {
		t.Fatal("oslo line not extracted")
	}
	for _, c := range []struct {
		l    Lookup
		want string
	}{
		{ts, `"2015-10-29 10:00:00,123"`}, {lvl, `"ERROR"`}, {rid, `"req-9"`}, {uid, `"u9"`},
		{tb, `"Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad"`},
		{levelname, `"ERROR"`}, {plain, ""},
	} {
		if got := string(c.l.Get(out)); got != c.want {
			t.Errorf("%s on oslo: got %s, want %s", c.l.Path, got, c.want)
		}
	}
	if !f.Extract([]byte(ours), out) {
		t.Fatal("our line not extracted")
	}
	if got := string(levelname.Get(out)); got != `"INFO"` {
		t.Errorf("levelname on ours: got %s", got)
	}
	if got := Candidates("nope"); len(got) != 1 || got[0] != "nope" {
		t.Errorf("Candidates(nope) = %v", got)
	}
}

// jq 1.6's output for these values, recorded from `jq -r '"\(.)"'`.
func TestAppendTextLikeJQ(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`"\u00e9\/x\t<>&\n"`, "é/x\t<>&\n"},
		{`"\ud83d\ude00"`, "😀"},
		{"\"\xff\xfe ok\"", "\uFFFD\uFFFD ok"},
		{`1e15`, "1e15"}, // integer-looking? no: it has an exponent
		{`12.5`, "12.5"}, {`1.50`, "1.5"}, {`0.0001`, "0.0001"}, {`0.00001`, "1e-05"},
		{`0.000051`, "5.1e-05"}, {`1e16`, "1e+16"}, {`12e15`, "12000000000000000"},
		{`123.456e5`, "12345600"}, {`1e300`, "1e+300"}, {`-1e-300`, "-1e-300"}, {`5e-324`, "5e-324"},
		{`1e1000`, "1.7976931348623157e+308"}, {`-0.0`, "-0"}, {`3.0e0`, "3"}, {`100`, "100"},
		{`12345678901234567890123`, "12345678901234567890123"}, // kept exact (jq 1.6 rounds)
		{`true`, "true"}, {`null`, "null"},
		{`["\u007f\u001b\u0000\b\f\r\n\t\"\\\/é", 1.50, true, null, {}, [], {"k" : "v"}]`,
			`["\u007f\u001b\u0000\b\f\r\n\t\"\\/é",1.5,true,null,{},[],{"k":"v"}]`},
	} {
		want := c.want
		if c.in == `1e15` {
			want = "1000000000000000"
		}
		if got := string(AppendText(nil, []byte(c.in), false)); got != want {
			t.Errorf("AppendText(%s) = %q, want %q", c.in, got, want)
		}
	}
}

func TestAppendTextEscapesControl(t *testing.T) {
	got := string(AppendText(nil, []byte(`"a\u001b[31mred\u0007\r\tb\n\u009b"`), true))
	if want := "a\\u001b[31mred\\u0007\\u000d\tb\n\\u009b"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = string(AppendText(nil, []byte("\"raw \x1b esc \xc2\x9b\""), true))
	if want := `raw \u001b esc \u009b`; got != want {
		t.Errorf("raw controls: got %q, want %q", got, want)
	}
}

func TestAppendNumberRoundTrips(t *testing.T) {
	for _, s := range []string{"0.1", "2.5e-8", "123456.789", "9007199254740993.5", "1e21", "-4.4e-10"} {
		out := AppendNumber(nil, []byte(s))
		var a, b float64
		if json.Unmarshal([]byte(s), &a) != nil || json.Unmarshal(out, &b) != nil || a != b {
			t.Errorf("AppendNumber(%s) = %s: not the same number", s, out)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for _, c := range []struct {
		in   string
		name string
		rank int
	}{
		{"INFO", "INFO", RankInfo}, {"warn", "WARNING", RankWarning}, {"Warning", "WARNING", RankWarning},
		{"fatal", "CRITICAL", RankCritical}, {"AUDIT", "INFO", RankAudit}, {"trace", "DEBUG", RankTrace},
		{"40", "ERROR", RankError}, {"ERROR+2", "ERROR", RankError}, {"INFO-4", "INFO", RankInfo}, {"8", "ERROR", RankError}, {"-4", "DEBUG", RankDebug}, {"0", "INFO", RankInfo},
	} {
		name, rank, ok := ParseLevel(c.in)
		if !ok || name != c.name || rank != c.rank {
			t.Errorf("ParseLevel(%q) = %q %d %v, want %q %d", c.in, name, rank, ok, c.name, c.rank)
		}
	}
	if _, _, ok := ParseLevel("loud"); ok {
		t.Error("ParseLevel(loud) ok")
	}
	if name, _, ok := LevelOf([]byte(`"error"`)); !ok || name != "ERROR" {
		t.Errorf("LevelOf(\"error\") = %q %v", name, ok)
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2015, 10, 29, 10, 0, 0, 123000000, time.UTC)
	for _, in := range []string{`"2015-10-29T10:00:00.123Z"`, `"2015-10-29 10:00:00,123"`, `"2015-10-29 10:00:00.123"`,
		`"2015-10-29T12:00:00.123+02:00"`, `1446112800.123`, `1446112800123`} {
		got, ok := ParseTime([]byte(in), nil)
		if !ok || got.Sub(want).Abs() > time.Millisecond {
			t.Errorf("ParseTime(%s) = %v %v, want %v", in, got, ok, want)
		}
	}
	berlin := time.FixedZone("CET", 3600)
	got, _ := ParseTime([]byte(`"2015-10-29 11:00:00,123"`), berlin)
	if !got.Equal(want) {
		t.Errorf("zone-less time in CET: got %v", got.UTC())
	}
	if _, ok := ParseTime([]byte(`"yesterday"`), nil); ok {
		t.Error("ParseTime(yesterday) ok")
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{ours, oslo, `{"a":[{"b":1}]}`, `{"a":"\\"}`, `{}`, `{"a":{"b":{"c":"d"}}}`} {
		f.Add([]byte(s))
	}
	fs := NewFields()
	paths := []string{"a", "a.b", "a.0.b", "context.request_id", "level", "message", "b.c"}
	for _, p := range paths {
		fs.Add(p)
	}
	few := NewFields() // few enough top-level keys for ExtractEarly to search
	for _, p := range []string{"message", "msg", "a.b"} {
		few.Add(p)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		out := make([][]byte, fs.Len())
		ok := fs.Extract(line, out)
		// ExtractEarly takes every line Extract takes, and finds the
		// same values in it.
		want, got := make([][]byte, few.Len()), make([][]byte, few.Len())
		wok := few.Extract(line, want)
		if eok := few.ExtractEarly(line, got); wok && (!eok || !equalVals(want, got)) {
			t.Fatalf("ExtractEarly(%q) = %v %q, Extract = %v %q", line, eok, got, wok, want)
		}
		if !ok || !json.Valid(line) {
			return
		}
		for i, p := range paths {
			r := gjson.GetBytes(line, p)
			if (out[i] != nil) != r.Exists() {
				// gjson and we may differ on duplicate keys (last wins here, as in jq).
				if dup := gjson.GetBytes(line, p+"|@this"); dup.Exists() == r.Exists() && out[i] == nil {
					t.Fatalf("%s: we found nothing, gjson found %s in %q", p, r.Raw, line)
				}
			}
			if out[i] != nil {
				_ = AppendText(nil, out[i], true)
				var v any
				if json.Unmarshal(out[i], &v) != nil {
					t.Fatalf("%s: value %q is not JSON (line %q)", p, out[i], line)
				}
			}
		}
	})
}

func TestAppendCompactRedacted(t *testing.T) {
	sensitive := func(k string) bool { return k == "auth_token" || k == "password" }
	in := `{"request_id": "req-1", "auth_token": "gAAAA-secret", "nested": [{"password": {"x": 1}}, "auth_token"], "n": 1.50}`
	got := string(AppendCompactRedacted(nil, []byte(in), sensitive))
	want := `{"request_id":"req-1","auth_token":"[REDACTED]","nested":[{"password":"[REDACTED]"},"auth_token"],"n":1.5}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAppendMaskedText(t *testing.T) {
	sensitive := func(name []byte) bool {
		n := strings.ToLower(string(name))
		return strings.Contains(n, "token") || strings.Contains(n, "password") || strings.Contains(n, "authorization")
	}
	for _, c := range []struct{ in, want string }{
		{`curl -H "X-Auth-Token: gAAAA-1" -H "Accept: json"`, `curl -H "X-Auth-Token: [REDACTED]" -H "Accept: json"`},
		{`login password=hunter2&user=bob`, `login password=[REDACTED]&user=bob`},
		{`Authorization: Bearer eyJ.x rejected`, `Authorization: [REDACTED] rejected`},
		{`{'auth_token': u'abc', 'x': 1}`, `{'auth_token': u'[REDACTED]', 'x': 1}`},
		{`connection=mysql+pymysql://nova:s3cr3t@db:3306/nova?charset=utf8`, `connection=mysql+pymysql://nova:[REDACTED]@db:3306/nova?charset=utf8`},
		{`token: None at 09:30, see session.py:155 and http://host:8774/v2.1`, `token: None at 09:30, see session.py:155 and http://host:8774/v2.1`},
		{`password=x url=http://u:p@h/ done`, `password=[REDACTED] url=http://u:[REDACTED]@h/ done`},
		{`nothing to hide here`, `nothing to hide here`},
		// Keystone's v2 response: the token is an object whose id is the credential.
		{`RESP: {"access": {"token": {"id": "MIIT", "x": "}"}, "user": {"name": "bob"}}} end`, `RESP: {"access": {"token": [REDACTED], "user": {"name": "bob"}}} end`},
		{`{'token': ['a', 'b]'], 'k': 1}`, `{'token': [REDACTED], 'k': 1}`},
		{`cut {"token": {"id": "MIIT`, `cut {"token": [REDACTED]`},
	} {
		if got := string(AppendMaskedText(nil, []byte(c.in), sensitive)); got != c.want {
			t.Errorf("AppendMaskedText(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestAppendTextHint: every string CredentialSpans would find something in
// is hinted; a timestamp is not.
func TestAppendTextHint(t *testing.T) {
	for in, want := range map[string]bool{
		`"2026-11-27T07:38:55.123456Z"`: false, `"plain words"`: false, `"a:b"`: false,
		`"X-Auth-Token: x"`: true, `"password=x"`: true, `"Token:\tx"`: true, `"mysql://u:p@h"`: true,
		`"Token\u003a x"`: true, `"ends with:"`: true, `12`: false,
	} {
		if _, got := AppendTextHint(nil, []byte(in), false); got != want {
			t.Errorf("AppendTextHint(%s) hint = %v, want %v", in, got, want)
		}
	}
}

// FuzzMaskHint: whenever AppendMaskedText would hide something in a
// string, AppendTextHint hints at it.
func FuzzMaskHint(f *testing.F) {
	for _, s := range []string{"X-Auth-Token: x", "password=x", "u://a:b@c", "Token\u003a x", "a:b c", "t:\tx"} {
		f.Add(s)
	}
	sensitive := func(name []byte) bool { return true }
	f.Fuzz(func(t *testing.T, s string) {
		v := AppendQuoted(nil, []byte(s))
		text, hint := AppendTextHint(nil, v, false)
		if !hint && len(CredentialSpans(text, sensitive, nil)) > 0 {
			t.Fatalf("no hint for %q, yet %v would be masked", s, CredentialSpans(text, sensitive, nil))
		}
	})
}

// FuzzPlainEnd holds the word-at-a-time run finders of appendUnquoted
// (plainEnd, escapeEnd) to the byte table they stand for.
func FuzzPlainEnd(f *testing.F) {
	f.Add([]byte("status: 409 len=3\\u00e9 \x7f\x1b\xc3\xa9 plain text here"), 0)
	f.Fuzz(func(t *testing.T, s []byte, i int) {
		if i < 0 || i > len(s) {
			return
		}
		want := i
		for want < len(s) && byteClass[s[want]] == 0 {
			want++
		}
		if got := plainEnd(s, i); got != want {
			t.Fatalf("plainEnd(%q, %d) = %d, want %d", s, i, got, want)
		}
		want = i
		for want < len(s) && byteClass[s[want]] != 1 {
			want++
		}
		if got := escapeEnd(s, i); got != want {
			t.Fatalf("escapeEnd(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}

func equalVals(a, b [][]byte) bool {
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || string(a[i]) != string(b[i]) {
			return false
		}
	}
	return true
}

// TestExtractEarly: the values are Extract's whatever the rest of a long
// line holds (a later duplicate, the key escaped, the key deeper down);
// the rest is checked only to close the object.
func TestExtractEarly(t *testing.T) {
	f := NewFields()
	msg := f.AddLookup("message", true)
	f.Add("args.code") // a third top-level key, leading deeper
	pad := `"pad": "` + strings.Repeat("x", 200) + `"`
	for _, tc := range []struct{ line, want string }{
		{`{"message": "a", ` + pad + `}`, `"a"`},
		{`{"message": "a", ` + pad + `, "message": "b"}`, `"b"`},
		{`{"message": "a", ` + pad + `, "m\u0065ssage": "c"}`, `"c"`},
		{`{"message": null, ` + pad + `, "msg": "d"}`, `"d"`},
		{`{"message": "a", ` + pad + `, "ctx": {"message": "deep"}, "args": {"code": 5}}`, `"a"`},
		{`{"msg": "m", ` + pad + `, "x": "\u00e9", "message": "e"}`, `"e"`},
	} {
		out := make([][]byte, f.Len())
		if !f.ExtractEarly([]byte(tc.line), out) {
			t.Errorf("ExtractEarly(%.50q…) = false", tc.line)
			continue
		}
		if got := string(msg.Get(out)); got != tc.want {
			t.Errorf("ExtractEarly(%.50q…): message %s, want %s", tc.line, got, tc.want)
		}
		want := make([][]byte, f.Len())
		f.Extract([]byte(tc.line), want)
		if !equalVals(want, out) {
			t.Errorf("ExtractEarly(%.50q…) = %q, Extract %q", tc.line, out, want)
		}
	}
	out := make([][]byte, f.Len())
	for _, bad := range []string{`{"message": "a", ` + pad, `{"message": "a", ` + pad + `} x`, `{"message": "a", ` + pad + `}{`} {
		if f.ExtractEarly([]byte(bad), out) {
			t.Errorf("ExtractEarly(%.50q…) = true on a line that does not close", bad)
		}
	}
}
