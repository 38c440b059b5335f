package httpaudit_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

// FuzzMiddleware hands the middleware requests no server would let through
// — any method, path, body and header values — and holds every line to the
// schema (through the Recorder) and to one line per Write. The handler must
// still get the body, byte for byte.
func FuzzMiddleware(f *testing.F) {
	f.Add("POST", "/v2.1/servers/abc/action", `{"pause":null}`, "req-1", "alice", "member,reader")
	f.Add("GET", "/servers/\n{\"kind\":\"x\"}", "", "req-1\n", "a\x00b", ",,,")
	f.Add("POST", "/v2/p/servers/x/action", `{"os-start":null}`, strings.Repeat("x", 200), "\u2028", "é")
	f.Add("BREW", "//servers//action", `{"\u0000":1}`, "", "\xff\xfe", "")
	f.Fuzz(func(t *testing.T, method, path, body, id, name, roles string) {
		rec, rep := newRecorderReporter(t, nil)
		var got []byte
		h := httpaudit.New(rep, httpaudit.WithBodyLimit(32))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, _ = io.ReadAll(r.Body)
			io.WriteString(w, path)
		}))
		r := &http.Request{
			Method:        method,
			URL:           &url.URL{Path: path},
			Header:        http.Header{},
			Body:          io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)),
			RemoteAddr:    name,
		}
		r.Header["X-Openstack-Request-Id"] = []string{id}
		r.Header["X-User-Name"] = []string{name}
		r.Header["X-Roles"] = []string{roles}
		r.Header["User-Agent"] = []string{id + name}
		h.ServeHTTP(newRecorder(), r)
		if rec.Len() != 1 {
			t.Fatalf("%d lines, want 1", rec.Len())
		}
		if !bytes.Equal(got, []byte(body)) {
			t.Errorf("handler got %q, want %q", got, body)
		}
		m := rec.Last()
		if a := str(m, "action"); strings.ContainsAny(a, " \n\"{}") {
			t.Errorf("action %q is not a plausible name", a)
		}
	})
}
