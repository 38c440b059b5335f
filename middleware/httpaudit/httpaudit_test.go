package httpaudit_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

// computeMux is a small Nova-like API.
func computeMux(logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2.1/servers", func(w http.ResponseWriter, r *http.Request) {
		if logger != nil {
			logger.InfoContext(r.Context(), "scheduling instance", "flavor", "m1.small")
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"server":{"id":"5f1e0b9c"}}`)
	})
	mux.HandleFunc("POST /v2.1/servers/{id}/action", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /v2.1/servers/{id}", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found", http.StatusNotFound)
	})
	mux.HandleFunc("DELETE /v2.1/servers/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	return mux
}

var keystone = map[string]string{
	"X-User-Id":        "9a1f",
	"X-User-Name":      "alice",
	"X-Project-Id":     "p-42",
	"X-User-Domain-Id": "default",
	"X-Roles":          "member, reader,,",
	"X-Auth-Token":     "gAAAAAB-never-logged",
	"User-Agent":       "python-novaclient",
}

func TestRequestLine(t *testing.T) {
	e := newEnv(t, computeMux(nil), nil)
	cases := []struct {
		method, path, body string
		want               map[string]string
	}{
		{"POST", "/v2.1/servers", `{"server":{"name":"web-1"}}`, map[string]string{
			"message": "POST /v2.1/servers", "rpc.route": "/v2.1/servers", "rpc.method": "POST",
			"rpc.system": "http", "status": "202", "rpc.response_bytes": "28", "level": "INFO",
			"outcome": "success", "action": "create", "target.type": "server", "target.id": "",
		}},
		{"POST", "/v2.1/servers/5f1e0b9c/action", `{"pause": null}`, map[string]string{
			"message": "POST /v2.1/servers/5f1e0b9c/action", "rpc.route": "/v2.1/servers/{id}/action",
			"status": "202", "rpc.response_bytes": "0", "action": "pause", "target.type": "server",
			"target.id": "5f1e0b9c", "outcome": "success",
		}},
		{"GET", "/v2.1/servers/00000000", "", map[string]string{
			"rpc.route": "/v2.1/servers/{id}", "status": "404", "level": "WARNING", "outcome": "failure",
			"action": "read", "target.id": "00000000", "rpc.response_bytes": "10",
		}},
		{"DELETE", "/v2.1/servers/5f1e0b9c", "", map[string]string{
			"status": "204", "action": "delete", "level": "INFO", "target.id": "5f1e0b9c",
		}},
		{"GET", "/boom", "", map[string]string{"status": "503", "level": "ERROR", "outcome": "failure", "rpc.route": "/boom"}},
		{"GET", "/no/such/route", "", map[string]string{
			// No pattern matched: the route is the path.
			"status": "404", "rpc.route": "/no/such/route", "message": "GET /no/such/route",
		}},
	}
	for _, c := range cases {
		e.rec.Reset()
		resp, _ := e.do(t, c.method, c.path, keystone, c.body)
		lines := requestLines(e.rec)
		if len(lines) != 1 {
			t.Fatalf("%s %s: %d request lines, want 1:\n%s", c.method, c.path, len(lines), e.rec)
		}
		m := lines[0]
		expect(t, m, c.want)
		expect(t, m, map[string]string{
			"kind":                      "request",
			"context.user_agent":        "python-novaclient",
			"context.request_id":        resp.Header.Get("X-Openstack-Request-Id"),
			"user.id":                   "9a1f",
			"user.name":                 "alice",
			"user.project_id":           "p-42",
			"user.domain_id":            "default",
			"user.roles":                `["member","reader"]`,
			"context.global_request_id": "",
		})
		if ra := str(m, "context.remote_addr"); !strings.HasPrefix(ra, "127.0.0.1:") {
			t.Errorf("remote_addr = %q", ra)
		}
		if get(m, "duration_ms") == nil {
			t.Errorf("no duration_ms")
		}
		if strings.Contains(e.rec.String(), "gAAAAAB") {
			t.Errorf("the token reached a line:\n%s", e.rec)
		}
	}
}

var generated = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestIDs(t *testing.T) {
	e := newEnv(t, computeMux(nil), nil)
	for _, c := range []struct {
		name       string
		hdr        map[string]string
		wantID     string // "" means a generated one
		wantGlobal string
	}{
		{"openstack header", map[string]string{"X-OpenStack-Request-ID": "req-given-1"}, "req-given-1", ""},
		{"x-request-id", map[string]string{"X-Request-ID": "abc.DEF_1:2"}, "abc.DEF_1:2", ""},
		{"openstack wins", map[string]string{"X-OpenStack-Request-ID": "req-a", "X-Request-ID": "req-b"}, "req-a", ""},
		{"invalid openstack falls back", map[string]string{"X-OpenStack-Request-ID": "req a", "X-Request-ID": "req-b"}, "req-b", ""},
		{"absent", nil, "", ""},
		{"both invalid", map[string]string{"X-OpenStack-Request-ID": "a/b", "X-Request-ID": `"}`}, "", ""},
		{"global", map[string]string{"X-OpenStack-Global-Request-ID": "req-global"}, "", "req-global"},
		{"global invalid", map[string]string{"X-OpenStack-Global-Request-ID": "req global"}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.rec.Reset()
			resp, _ := e.do(t, "GET", "/v2.1/servers/1", c.hdr, "")
			id := resp.Header.Get("X-Openstack-Request-Id")
			if got := resp.Header.Get("X-Request-Id"); got != id {
				t.Errorf("X-Request-Id %q, X-OpenStack-Request-ID %q: want the same", got, id)
			}
			if c.wantID != "" && id != c.wantID || c.wantID == "" && !generated.MatchString(id) {
				t.Errorf("echoed id %q, want %q (empty: generated)", id, c.wantID)
			}
			m := e.rec.Last()
			expect(t, m, map[string]string{"context.request_id": id, "context.global_request_id": c.wantGlobal})
		})
	}
}

// TestGeneratedIDsOutliveTheirRequests keeps the ids of many requests, the
// response headers and the ids the handler saw, and checks them only after
// all were served, with collections in between: a generated id lives in the
// middleware's response writer, and must stay as it was, and its own, for
// as long as anything holds it.
func TestGeneratedIDsOutliveTheirRequests(t *testing.T) {
	var seen []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := auditlog.FromContext(r.Context())
		seen = append(seen, req.ID)
	})
	_, rep := newRecorderReporter(t, nil)
	audited := httpaudit.New(rep)(h)
	var echoed []string
	for i := range 200 {
		w := newRecorder()
		audited.ServeHTTP(w, newRequest("GET", "/v2.1/servers/1", ""))
		echoed = append(echoed, w.Header().Get(httpaudit.HeaderRequestID))
		if i%50 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	unique := map[string]bool{}
	for i, id := range echoed {
		if !generated.MatchString(id) || seen[i] != id || unique[id] {
			t.Fatalf("request %d: echoed %q, handler saw %q (want the same, generated, never repeated)", i, id, seen[i])
		}
		unique[id] = true
	}
}

// junk is what a hostile client might send as a request id.
var junk = strings.Repeat("A{\"x\":1} ", 1200) // ~10 KB

func TestMalformedRequestIDsOverTheWire(t *testing.T) {
	e := newEnv(t, computeMux(nil), nil)
	// Go's client will not send these; a raw connection will.
	for _, c := range []struct {
		name, header string
		rejected     bool // net/http answers 400 before any handler runs
	}{
		{"10 KB junk", "X-OpenStack-Request-ID: " + junk, false},
		{"quote and brace", `X-Request-ID: req-1","forged":"x`, false},
		{"escape sequence", "X-Request-ID: req-1\x1b[31mred", true},
		{"bare CR", "X-Request-ID: req-1\rforged", true},
		// A bare LF ends the header line: "forged…" becomes a header
		// line of its own, without a colon, which net/http refuses.
		{"bare LF", "X-Request-ID: req-1\nforged-line", true},
		{"LF then header", "X-Request-ID: req-XYZZY y\nX-OpenStack-Request-ID: req-QUUX \"z", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.rec.Reset()
			resp := e.raw(t, "GET /v2.1/servers/1 HTTP/1.1\r\nHost: x\r\n"+c.header+"\r\nConnection: close\r\n\r\n")
			if c.rejected {
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, want net/http's 400", resp.StatusCode)
				}
				if e.rec.Len() != 0 {
					t.Errorf("a rejected request has a line:\n%s", e.rec)
				}
				return
			}
			e.wait(t, 1)
			id := resp.Header.Get("X-Openstack-Request-Id")
			if !generated.MatchString(id) {
				t.Errorf("echoed id %q, want a generated one", id)
			}
			if got := str(e.rec.Last(), "context.request_id"); got != id {
				t.Errorf("line id %q, echoed %q", got, id)
			}
			for _, bad := range []string{"forged", "A{", "31mred", "XYZZY", "QUUX"} {
				if strings.Contains(e.rec.String(), bad) {
					t.Errorf("%q reached the line:\n%s", bad, e.rec)
				}
			}
		})
	}
}

// TestMalformedRequestIDsDirect builds the requests net/http would refuse,
// as another server or a test might hand them to the handler.
func TestMalformedRequestIDsDirect(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep)(computeMux(nil))
	for _, bad := range []string{"req-1\n{\"forged\":true}", "req-1\r\nX-Forged: 1", junk, "req-\x00", "req-ü"} {
		rec.Reset()
		r := newRequest("GET", "/v2.1/servers/1", "")
		r.Header["X-Openstack-Request-Id"] = []string{bad}
		r.Header["X-Request-Id"] = []string{bad}
		r.Header["X-Openstack-Global-Request-Id"] = []string{bad}
		w := newRecorder()
		h.ServeHTTP(w, r)
		id := w.Header().Get("X-Openstack-Request-Id")
		if !generated.MatchString(id) {
			t.Errorf("%.20q: echoed %q, want a generated id", bad, id)
		}
		m := rec.Last()
		expect(t, m, map[string]string{"context.request_id": id, "context.global_request_id": ""})
		for _, s := range []string{"forged", "Forged", "A{", "\x00", "\\u0000", "ü"} {
			if strings.Contains(string(rec.Lines()[0]), s) {
				t.Errorf("%q reached the line: %s", s, rec.Lines()[0])
			}
		}
	}
}

func TestUser(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes, cut at a character boundary
	for _, c := range []struct {
		name string
		hdr  map[string]string
		opts []httpaudit.Option
		want map[string]string
	}{
		{"tenant fallback", map[string]string{"X-Tenant-Id": "t-1", "X-User-Id": "u"}, nil,
			map[string]string{"user.project_id": "t-1", "user.id": "u", "user.roles": ""}},
		{"project wins over tenant", map[string]string{"X-Tenant-Id": "t-1", "X-Project-Id": "p-1"}, nil,
			map[string]string{"user.project_id": "p-1"}},
		{"nothing", nil, nil, map[string]string{"user": ""}},
		{"long name is cut", map[string]string{"X-User-Name": long, "User-Agent": long}, nil,
			map[string]string{"user.name": strings.Repeat("é", 128) + "…", "context.user_agent": strings.Repeat("é", 128) + "…"}},
		{"newline is escaped", map[string]string{"X-User-Name": "a\n{\"kind\":\"forged\"}"}, nil,
			map[string]string{"user.name": "a\n{\"kind\":\"forged\"}"}},
		{"custom extractor", map[string]string{"X-User-Id": "ignored"},
			[]httpaudit.Option{httpaudit.WithUser(func(r *http.Request) auditlog.User { return auditlog.User{ID: "from-session"} })},
			map[string]string{"user.id": "from-session"}},
		{"no extractor", map[string]string{"X-User-Id": "ignored"},
			[]httpaudit.Option{httpaudit.WithUser(nil)}, map[string]string{"user": ""}},
		{"trust taken back", map[string]string{"X-User-Id": "claimed"},
			[]httpaudit.Option{httpaudit.WithTrustedIdentity(false)}, map[string]string{"user": ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, rep := newRecorderReporter(t, nil)
			opts := append([]httpaudit.Option{httpaudit.WithTrustedIdentity(true)}, c.opts...)
			h := httpaudit.New(rep, opts...)(computeMux(nil))
			r := newRequest("GET", "/v2.1/servers/1", "")
			for k, v := range c.hdr {
				r.Header[k] = []string{v} // unchecked, as another server might pass them
			}
			h.ServeHTTP(newRecorder(), r)
			line := rec.Lines()[0]
			if strings.Count(string(line), "\n") != 1 {
				t.Errorf("line broken in two: %s", line)
			}
			expect(t, rec.Last(), c.want)
		})
	}
}

// TestIdentityNotTrustedByDefault: a service any client reaches must not
// write the identity a client claims in its headers.
func TestIdentityNotTrustedByDefault(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep)(computeMux(nil))
	r := newRequest("GET", "/v2.1/servers/1", "")
	for k, v := range keystone {
		r.Header.Set(k, v)
	}
	h.ServeHTTP(newRecorder(), r)
	expect(t, rec.Last(), map[string]string{"user": ""})
}

func TestRolesAreCapped(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep, httpaudit.WithTrustedIdentity(true))(computeMux(nil))
	r := newRequest("GET", "/", "")
	var roles []string
	for i := range 100 {
		roles = append(roles, fmt.Sprintf("r%d", i))
	}
	r.Header.Set("X-Roles", strings.Join(roles, ","))
	h.ServeHTTP(newRecorder(), r)
	got, _ := get(rec.Last(), "user.roles").([]any)
	if len(got) != 64 || got[0] != "r0" || got[63] != "r63" {
		t.Errorf("roles = %v, want r0…r63", got)
	}
}

func TestHandlerLinesCarryRequestContext(t *testing.T) {
	var logger *slog.Logger
	mux := http.NewServeMux()
	e := newEnv(t, mux, nil)
	logger = slog.New(e.h)
	mux.Handle("/", computeMux(logger))
	resp, _ := e.do(t, "POST", "/v2.1/servers", keystone, `{}`)
	logs := linesOfKind(e.rec, "log")
	if len(logs) != 1 {
		t.Fatalf("%d handler lines, want 1:\n%s", len(logs), e.rec)
	}
	expect(t, logs[0], map[string]string{
		"message":            "scheduling instance",
		"context.request_id": resp.Header.Get("X-Request-Id"),
		"context.user_agent": "python-novaclient",
		"user.id":            "9a1f",
		"attrs.flavor":       "m1.small",
	})
}

func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t, computeMux(nil), nil)
	const n = 200
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v2.1/servers/%d", e.srv.URL, i), nil)
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			ids[i] = resp.Header.Get("X-Request-Id")
		})
	}
	wg.Wait()
	e.wait(t, n)
	lines := requestLines(e.rec)
	if len(lines) != n || e.rec.Len() != n {
		t.Fatalf("%d request lines (%d in all), want exactly %d", len(lines), e.rec.Len(), n)
	}
	byID := map[string]map[string]any{}
	for _, m := range lines {
		byID[str(m, "context.request_id")] = m
	}
	for i, id := range ids {
		m := byID[id]
		if m == nil {
			t.Errorf("request %d: no line with its id %q", i, id)
			continue
		}
		if got, want := str(m, "target.id"), fmt.Sprint(i); got != want {
			t.Errorf("request %d: target.id %q in the line of its id", i, got)
		}
	}
}

func TestSwitches(t *testing.T) {
	t.Run("request logging off", func(t *testing.T) {
		sw := auditlog.AllSwitches()
		sw.Request = false
		mux := http.NewServeMux()
		e := newEnv(t, mux, &sw)
		logger := slog.New(e.h)
		mux.Handle("/", computeMux(logger))
		resp, _ := e.do(t, "POST", "/v2.1/servers", nil, `{}`)
		if len(requestLines(e.rec)) != 0 {
			t.Errorf("request line with request logging off:\n%s", e.rec)
		}
		// The handler's own lines still carry the request context.
		if logs := linesOfKind(e.rec, "log"); len(logs) != 1 || str(logs[0], "context.request_id") != resp.Header.Get("X-Request-Id") {
			t.Errorf("handler line without the echoed request id:\n%s", e.rec)
		}
	})
	t.Run("exception logging off", func(t *testing.T) {
		sw := auditlog.AllSwitches()
		sw.Exception = false
		e := newEnv(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), &sw)
		resp, _ := e.do(t, "GET", "/", nil, "")
		if resp.StatusCode != 500 {
			t.Errorf("status %d, want 500", resp.StatusCode)
		}
		if len(linesOfKind(e.rec, "exception")) != 0 || len(requestLines(e.rec)) != 1 {
			t.Errorf("want the request line alone:\n%s", e.rec)
		}
	})
	t.Run("both off", func(t *testing.T) {
		sw := auditlog.Switches{}
		e := newEnv(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), &sw)
		if resp, _ := e.do(t, "GET", "/", nil, ""); resp.StatusCode != 500 {
			t.Errorf("status %d, want 500: panics are handled whatever is logged", resp.StatusCode)
		}
		if e.rec.Len() != 0 {
			t.Errorf("lines with everything off:\n%s", e.rec)
		}
	})
}

func TestSkip(t *testing.T) {
	e := newEnv(t, computeMux(nil), nil)
	for _, p := range []string{"/healthz", "/livez", "/readyz", "/healthcheck"} {
		resp, _ := e.do(t, "GET", p, nil, "")
		if resp.Header.Get("X-Request-Id") != "" {
			t.Errorf("%s: a skipped path got a request id", p)
		}
	}
	if e.rec.Len() != 0 {
		t.Errorf("skipped paths have lines:\n%s", e.rec)
	}
	e.do(t, "GET", "/healthz/deep", nil, "") // exact match only
	if e.rec.Len() != 1 {
		t.Errorf("/healthz/deep: %d lines, want 1", e.rec.Len())
	}

	e2 := newEnv(t, computeMux(nil), nil, httpaudit.WithSkip("/static/"), httpaudit.WithDefaultSkips(false))
	e2.do(t, "GET", "/healthz", nil, "")
	if e2.rec.Len() != 1 {
		t.Errorf("WithDefaultSkips(false): %d lines for /healthz, want 1", e2.rec.Len())
	}
	e2.do(t, "GET", "/static/app.js", nil, "")
	e2.do(t, "GET", "/static", nil, "")
	if e2.rec.Len() != 2 || str(e2.rec.Last(), "rpc.route") != "/static" {
		t.Errorf("/static/ is a prefix of /static/app.js, not of /static:\n%s", e2.rec)
	}
	e3 := newEnv(t, computeMux(nil), nil, httpaudit.WithSkip("/v2.1/servers"))
	e3.do(t, "POST", "/v2.1/servers", nil, "{}")
	e3.do(t, "GET", "/healthz", nil, "")
	e3.do(t, "GET", "/v2.1/servers/1", nil, "")
	if e3.rec.Len() != 1 || str(e3.rec.Last(), "rpc.route") != "/v2.1/servers/{id}" {
		t.Errorf("WithSkip(/v2.1/servers) adds to the defaults, exactly:\n%s", e3.rec)
	}
}

func TestHeaderCapture(t *testing.T) {
	e := newEnv(t, computeMux(nil), nil,
		httpaudit.WithHeaders("x-auth-token", "Authorization", "Accept", "X-Forwarded-For", "X-Absent", "Cookie"))
	hdr := map[string]string{
		"X-Auth-Token":    "gAAAAAB-secret",
		"Authorization":   "Bearer secret",
		"Accept":          "application/json",
		"X-Forwarded-For": "203.0.113.9",
		"Cookie":          "session=secret",
	}
	e.do(t, "GET", "/v2.1/servers/1", hdr, "")
	m := e.rec.Last()
	expect(t, m, map[string]string{
		"attrs.headers.X-Auth-Token":    auditlog.Masked,
		"attrs.headers.Authorization":   auditlog.Masked,
		"attrs.headers.Cookie":          auditlog.Masked,
		"attrs.headers.Accept":          "application/json",
		"attrs.headers.X-Forwarded-For": "203.0.113.9",
		"attrs.headers.X-Absent":        "",
	})
	if strings.Contains(e.rec.String(), "secret") {
		t.Errorf("a secret reached the line:\n%s", e.rec)
	}
	// Default: nothing captured.
	e2 := newEnv(t, computeMux(nil), nil)
	e2.do(t, "GET", "/v2.1/servers/1", hdr, "")
	if get(e2.rec.Last(), "attrs") != nil {
		t.Errorf("headers captured by default:\n%s", e2.rec)
	}
}

func TestWithRoute(t *testing.T) {
	// A router that is not a ServeMux: the route comes from the option.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	e := newEnv(t, h, nil, httpaudit.WithRoute(func(r *http.Request) string {
		if strings.HasPrefix(r.URL.Path, "/widgets/") {
			return "/widgets/:id"
		}
		return ""
	}), httpaudit.WithActionMap(nil))
	e.do(t, "PUT", "/widgets/42", nil, "x")
	expect(t, e.rec.Last(), map[string]string{"rpc.route": "/widgets/:id", "action": "", "target": ""})
	e.do(t, "GET", "/other", nil, "")
	expect(t, e.rec.Last(), map[string]string{"rpc.route": "/other"})
}
