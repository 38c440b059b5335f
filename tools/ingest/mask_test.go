package ingest

import (
	"encoding/json"
	"testing"

	"github.com/auditlog-go/auditlog/tools/logline"
)

func TestMaskJSON(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":1,"b":"x"}`, ``},
		{`{"context": {"auth_token": "gAAAAABk", "user": "u1"}, "message": "ok"}`, `{"context": {"auth_token": "[REDACTED]", "user": "u1"}, "message": "ok"}`},
		{`{"token":{"id":"MIIT","expires":"x"},"n":2}`, `{"token":"[REDACTED]","n":2}`},
		{`{"password":"","secret":null,"token_count":3,"auth_token":"[REDACTED]"}`, ``},
		{`{"message":"REQ: curl -H \"X-Auth-Token: abc123\" http://h"}`, `{"message":"REQ: curl -H \"X-Auth-Token: [REDACTED]\" http://h"}`},
		{`{"l":[{"password":["a","b"]},"mysql://nova:pw@db/nova"]}`, `{"l":[{"password":"[REDACTED]"},"mysql://nova:[REDACTED]@db/nova"]}`},
		{`{"pass\u0077ord":"x1"}`, `{"pass\u0077ord":"[REDACTED]"}`},
		{`{"broken":`, ``},
	} {
		got, changed := maskJSON([]byte(c.in))
		want := c.want
		if want == "" {
			want = c.in
		}
		if string(got) != want || changed != (c.want != "") {
			t.Errorf("maskJSON(%s)\n got %s (changed %v)\nwant %s", c.in, got, changed, want)
		}
		if changed && !json.Valid(got) {
			t.Errorf("maskJSON(%s) is not JSON: %s", c.in, got)
		}
	}
}

func FuzzMaskJSON(f *testing.F) {
	for _, s := range []string{`{"auth_token":"x"}`, `{"m":"password=abc"}`, `[{"token":[1,{"a":"b"}]}]`, `{"a":"\"X-Auth-Token: q\""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, changed := maskJSON(b)
		if !changed && string(got) != string(b) {
			t.Fatalf("unchanged but different: %q", got)
		}
		if changed && json.Valid(b) && !json.Valid(got) {
			t.Fatalf("masking broke valid JSON %q: %q", b, got)
		}
	})
}

// FuzzMayQuote: the cheap test that spares a string the scanner never
// spares one the scanner would mask.
func FuzzMayQuote(f *testing.F) {
	for _, s := range []string{"X-Auth-Token: abc", "password=x", "u://a:b@c", "10:30:00", "a:\tb", "h:1 token: q"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !mayQuote(b) && len(logline.CredentialSpans(b, logline.SensitiveName, nil)) > 0 {
			t.Fatalf("mayQuote(%q) = false, yet the scanner masks %v", b, logline.CredentialSpans(b, logline.SensitiveName, nil))
		}
	})
}
