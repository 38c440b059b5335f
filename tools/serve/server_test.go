package serve

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/events"
)

func TestIngestAndList(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	lines := genLines(t, 40)

	r := ts.post(t, tokIngest, lines)
	if r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	if got := r.json(t); got["accepted"] != 40.0 || got["duplicates"] != 0.0 || got["rejected"] != 0.0 {
		t.Errorf("first POST: %s", r.body)
	}
	// The same lines again are duplicates: stored once.
	r = ts.post(t, tokIngest, lines)
	if got := r.json(t); r.status != 200 || got["accepted"] != 0.0 || got["duplicates"] != 40.0 {
		t.Errorf("second POST: %d %s", r.status, r.body)
	}

	all, pages := ts.listAll(t, "/v1/events?limit=7", tokAdmin)
	if len(all) != 40 || pages != 6 {
		t.Fatalf("admin listed %d events in %d pages, want 40 in 6", len(all), pages)
	}
	for i, l := range all {
		if l != string(lines[i]) {
			t.Fatalf("event %d: line\n%s\nwant byte for byte\n%s", i, l, lines[i])
		}
	}
	// The raw bytes are in the answer as they were sent: not re-encoded
	// (encoding/json would have escaped the message's <&>).
	r = ts.get(t, "/v1/events?limit=1", tokAdmin)
	if !bytes.Contains(r.body, lines[0]) || !bytes.Contains(lines[0], []byte("<&>")) {
		t.Errorf("the answer does not hold the first line byte for byte:\n%s", r.body)
	}
}

func TestScope(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	lines := genLines(t, 20) // p-1 and p-2 alternate
	if r := ts.post(t, tokAdmin, lines); r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	alice, _ := ts.listAll(t, "/v1/events", tokAlice)
	bob, _ := ts.listAll(t, "/v1/events", tokBob)
	if len(alice) != 10 || len(bob) != 10 {
		t.Fatalf("alice sees %d, bob %d; want 10 each", len(alice), len(bob))
	}
	for _, l := range alice {
		if !strings.Contains(l, `"project_id":"p-1"`) {
			t.Errorf("alice sees another project's event: %s", l)
		}
	}
	// Asking for the other project by name does not widen the scope.
	if got, _ := ts.listAll(t, "/v1/events?project=p-2", tokAlice); len(got) != 0 {
		t.Errorf("alice got %d events of p-2", len(got))
	}
	// By id: bob's event is 404 for alice, as a missing one is.
	bobID := events.ContentID(lines[1])
	r := ts.get(t, "/v1/events/"+bobID, tokAlice)
	missing := ts.get(t, "/v1/events/"+events.ContentID([]byte("nothing")), tokAlice)
	if r.status != 404 || missing.status != 404 || r.json(t)["error"] == nil {
		t.Errorf("another project's event: %d %s; a missing one: %d", r.status, r.body, missing.status)
	}
	if r = ts.get(t, "/v1/events/"+bobID, tokBob); r.status != 200 || !bytes.Contains(r.body, lines[1]) {
		t.Errorf("bob's own event: %d %s", r.status, r.body)
	}
	if r = ts.get(t, "/v1/events/"+bobID, tokAdmin); r.status != 200 {
		t.Errorf("admin: %d %s", r.status, r.body)
	}
	if r = ts.get(t, "/v1/events/not-an-id", tokAdmin); r.status != 404 {
		t.Errorf("malformed id: %d %s", r.status, r.body)
	}
	// Attributes and requests are scoped too.
	r = ts.get(t, "/v1/attributes/project", tokAlice)
	if r.status != 200 || bytes.Contains(r.body, []byte("p-2")) || !bytes.Contains(r.body, []byte(`{"value":"p-1","count":10}`)) {
		t.Errorf("alice's attributes: %d %s", r.status, r.body)
	}
}

func TestAuth(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	lines := genLines(t, 2)
	for _, tc := range []struct {
		name, method, path, token string
		hdr                       []string
		want                      int
	}{
		{"no credentials", "GET", "/v1/events", "", nil, 401},
		{"unknown token", "GET", "/v1/events", "nope", nil, 401},
		{"basic auth is not ours", "GET", "/v1/events", "", []string{"Authorization", "Basic YTpi"}, 401},
		{"X-Auth-Token", "GET", "/v1/events", "", []string{"X-Auth-Token", tokAlice}, 200},
		{"headers not trusted", "GET", "/v1/events", "", []string{"X-User-Id", "root", "X-Roles", "admin"}, 401},
		{"member may not ingest", "POST", "/v1/events", tokAlice, nil, 403},
		{"ingest role", "POST", "/v1/events", tokIngest, nil, 200},
		{"no credentials to ingest", "POST", "/v1/events", "", nil, 401},
	} {
		var body *bytes.Reader
		if tc.method == "POST" {
			body = bytes.NewReader(joinLines(lines))
		}
		var r response
		if body != nil {
			r = ts.do(t, tc.method, tc.path, tc.token, body, tc.hdr...)
		} else {
			r = ts.do(t, tc.method, tc.path, tc.token, nil, tc.hdr...)
		}
		if r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.want)
		}
		if r.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
		}
	}
	// No line of the server's own log holds a token.
	for _, tok := range []string{tokAdmin, tokIngest, tokAlice, tokBob} {
		if strings.Contains(ts.log.String(), tok) {
			t.Errorf("the server's log holds the token %q", tok)
		}
	}
}

func TestTrustedHeaders(t *testing.T) {
	ts := newTestServer(t, nil, func(o *Options) { o.Auth.TrustIdentityHeaders = true })
	if r := ts.post(t, tokAdmin, genLines(t, 4)); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	r := ts.do(t, "GET", "/v1/events", "", nil, "X-User-Id", "carol", "X-Project-Id", "p-2", "X-Roles", "member")
	var page struct{ Events []map[string]any }
	json.Unmarshal(r.body, &page)
	if r.status != 200 || len(page.Events) != 2 {
		t.Errorf("p-2 by headers: %d, %d events", r.status, len(page.Events))
	}
	r = ts.do(t, "GET", "/v1/events", "", nil, "X-User-Id", "carol", "X-Roles", "reader, admin")
	json.Unmarshal(r.body, &page)
	if r.status != 200 || len(page.Events) != 4 {
		t.Errorf("admin by headers: %d, %d events", r.status, len(page.Events))
	}
	if r = ts.do(t, "GET", "/v1/events", "", nil, "X-Project-Id", "p-2"); r.status != 401 {
		t.Errorf("no X-User-Id: %d", r.status)
	}
	// A token sent and not known is refused, not read past to the headers.
	if r = ts.do(t, "GET", "/v1/events", "bad", nil, "X-User-Id", "carol", "X-Roles", "admin"); r.status != 401 {
		t.Errorf("bad token with headers: %d", r.status)
	}
}

func TestIngestRejects(t *testing.T) {
	ts := newTestServer(t, nil, func(o *Options) { o.MaxErrors = 2; o.BatchSize = 3 })
	lines := genLines(t, 6)
	body := [][]byte{
		lines[0],
		[]byte(`not json`),
		lines[1],
		{},
		[]byte(`{"kind":"request"}`),
		[]byte(`{"level":"INFO","kind":"log","message":"x","schema_version":1,"service":"s","timestamp":"yesterday"}`),
		lines[2], lines[3], lines[4], lines[5],
	}
	r := ts.post(t, tokIngest, body)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", r.status, r.body)
	}
	var ans struct {
		Accepted, Duplicates, Rejected int
		Errors                         []struct {
			Line   int
			Reason string
		}
		ErrorsListed int `json:"errors_listed"`
	}
	if err := json.Unmarshal(r.body, &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Accepted != 6 || ans.Rejected != 3 || len(ans.Errors) != 2 || ans.ErrorsListed != 2 {
		t.Fatalf("answer %s", r.body)
	}
	if ans.Errors[0].Line != 2 || ans.Errors[1].Line != 5 || ans.Errors[0].Reason == "" {
		t.Errorf("errors %+v: want lines 2 and 5 (blank line 4 skipped), with reasons", ans.Errors)
	}
	got, _ := ts.listAll(t, "/v1/events", tokAdmin)
	if len(got) != 6 {
		t.Errorf("%d stored, want the 6 good lines", len(got))
	}
}

func TestIngestBodies(t *testing.T) {
	ts := newTestServer(t, nil, func(o *Options) { o.MaxBodyBytes = 4096 })
	lines := genLines(t, 30)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(joinLines(lines[:3]))
	zw.Close()

	// gzip by Content-Encoding, and by its magic alone.
	r := ts.do(t, "POST", "/v1/events", tokIngest, bytes.NewReader(gz.Bytes()), "Content-Encoding", "gzip")
	if r.status != 200 || r.json(t)["accepted"] != 3.0 {
		t.Errorf("gzip: %d %s", r.status, r.body)
	}
	r = ts.do(t, "POST", "/v1/events", tokIngest, bytes.NewReader(gz.Bytes()))
	if r.status != 200 || r.json(t)["duplicates"] != 3.0 {
		t.Errorf("gzip by magic: %d %s", r.status, r.body)
	}
	r = ts.do(t, "POST", "/v1/events", tokIngest, strings.NewReader("plain"), "Content-Encoding", "gzip")
	if r.status != 400 {
		t.Errorf("not gzip: %d %s", r.status, r.body)
	}
	r = ts.do(t, "POST", "/v1/events", tokIngest, bytes.NewReader(joinLines(lines[:1])), "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 415 {
		t.Errorf("form body: %d %s", r.status, r.body)
	}
	r = ts.do(t, "POST", "/v1/events", tokIngest, bytes.NewReader(joinLines(lines[:1])), "Content-Encoding", "br")
	if r.status != 415 {
		t.Errorf("brotli: %d %s", r.status, r.body)
	}
	// Too large: a declared length is refused before reading; a gzip body
	// that unpacks past the cap is stopped, what came before it stored.
	big := joinLines(lines)
	r = ts.do(t, "POST", "/v1/events", tokIngest, bytes.NewReader(big))
	if r.status != 413 {
		t.Errorf("%d bytes over a 4096 cap: %d %s", len(big), r.status, r.body)
	}
	gz.Reset()
	zw = gzip.NewWriter(&gz)
	zw.Write(big)
	zw.Close()
	r = ts.do(t, "POST", "/v1/events", tokIngest, bytes.NewReader(gz.Bytes()), "Content-Encoding", "gzip")
	if r.status != 413 || r.json(t)["error"] == nil {
		t.Errorf("gzip bomb: %d %s", r.status, r.body)
	}
}

func TestQueryAPI(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	lines := genLines(t, 24)
	if r := ts.post(t, tokAdmin, lines); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	count := func(path string) int {
		t.Helper()
		got, _ := ts.listAll(t, path, tokAdmin)
		return len(got)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", 24},
		{"resource_id=srv-0", 4}, // i%7 == 0: 0, 7, 14, 21
		{"target_id=srv-0,srv-1", 8},
		{"target_id=!srv-0", 20},
		{"resource_type=server&event_type=create", 6},
		{"action=!create,read", 12},
		{"outcome=failure", 6},
		{"outcome=!success", 6},
		{"resource_state=ERROR", 6},
		{"status=409", 6},
		{"status=202,409", 24},
		{"status=failure", 6},
		{"level=WARNING", 6},
		{"level=info", 24},
		{"level=!INFO", 6},
		{"user=u1", 5},
		{"project=p-2", 12},
		{"request_id=req-0001", 3},
		{"service=nova-api", 24},
		{"kind=request", 24},
		{"kind=lifecycle", 0},
		{"start-time=2026-11-23T09:00:10Z", 14},
		{"since=2026-11-23T09:00:10Z&until=2026-11-23T09:00:12Z", 2},
		{"end-time=2026-11-23T09:00:03Z", 3},
		{"q=servers/1", 11}, // 1, 10…19
		{"q=SERVERS/2", 5},  // 2, 20…23
		{"user=u1&outcome=failure", 1},
		{"count=5&sort=time:desc", 24},
	} {
		if got := count("/v1/events?" + tc.query); got != tc.want {
			t.Errorf("%s: %d events, want %d", tc.query, got, tc.want)
		}
	}
	// Newest first.
	r := ts.get(t, "/v1/events?sort=time:desc&limit=1", tokAdmin)
	if !bytes.Contains(r.body, lines[23]) {
		t.Errorf("sort=time:desc: %s", r.body)
	}
	// index is Tacker's "after this event id".
	r = ts.get(t, "/v1/events?index="+events.ContentID(lines[4])+"&count=1", tokAdmin)
	if r.status != 200 || !bytes.Contains(r.body, lines[5]) {
		t.Errorf("index=<id of line 5>: %d %s", r.status, r.body)
	}
	// A request across services, in time order.
	got, _ := ts.listAll(t, "/v1/requests/req-0002", tokAdmin)
	if len(got) != 3 || got[0] != string(lines[6]) || got[2] != string(lines[8]) {
		t.Errorf("request req-0002: %q", got)
	}
	r = ts.get(t, "/v1/attributes/event_type", tokAdmin)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`{"value":"create","count":6}`)) {
		t.Errorf("attributes: %d %s", r.status, r.body)
	}
	r = ts.get(t, "/v1/attributes/action?outcome=failure", tokAdmin)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`{"value":"pause","count":6}`)) || bytes.Contains(r.body, []byte("create")) {
		t.Errorf("attributes with a filter: %d %s", r.status, r.body)
	}
	// Every read is an audit line of the server's own, with the query.
	if !strings.Contains(ts.log.String(), `"query":"outcome=failure"`) {
		t.Errorf("no read line with the query in the server's log:\n%s", ts.log.String())
	}
}

func TestBadParameters(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	for _, tc := range []struct{ path, param string }{
		{"/v1/events?outcom=failure", "outcom"},
		{"/v1/events?limit=0", "limit"},
		{"/v1/events?count=1001", "count"},
		{"/v1/events?limit=abc", "limit"},
		{"/v1/events?since=yesterday", "since"},
		{"/v1/events?start-time=2026-13-01", "start-time"},
		{"/v1/events?level=LOUD", "level"},
		{"/v1/events?status=PENDING_CREATE", "status"},
		{"/v1/events?status=200,failure", "status"},
		{"/v1/events?status=1000", "status"},
		{"/v1/events?kind=lifecyle", "kind"},
		{"/v1/events?sort=name", "sort"},
		{"/v1/events?index=xyz", "index"},
		{"/v1/events?limit=5&count=6", "limit"},
		{"/v1/events?action=", "action"},
		{"/v1/events?action=a,,b", "action"},
		{"/v1/events?since=1h&until=2h", "until"},
		{"/v1/requests/req-1?outcome=failure", "outcome"},
		{"/v1/attributes/colour", "name"},
		{"/v1/attributes/action?after=" + events.ContentID(nil), "after"},
		{"/v1/events/" + events.ContentID(nil) + "?x=1", "x"},
	} {
		r := ts.get(t, tc.path, tokAdmin)
		if r.status != 400 {
			t.Errorf("%s: %d %s, want 400", tc.path, r.status, r.body)
			continue
		}
		m := r.json(t)
		if m["parameter"] != tc.param || !strings.Contains(m["error"].(string), tc.param) {
			t.Errorf("%s: %s, want it to name %q", tc.path, r.body, tc.param)
		}
	}
}

// FuzzQueryHandler sends any query string to GET /v1/events over a real
// store: never a 500, and every 400 names a parameter.
func FuzzQueryHandler(f *testing.F) {
	for _, s := range []string{"", "outcome=!success", "status=200,404", "since=1h&until=2026-01-01", "level=warn,error",
		"q=%25_%5C", "index=abc", "limit=1000&sort=time:desc", "user=%ff", "start-time=0000-01-01T00:00:00Z", "since=9999999d"} {
		f.Add(s)
	}
	ts := newTestServer(f, nil, nil)
	if r := ts.post(f, tokAdmin, genLines(f, 5)); r.status != 200 {
		f.Fatal(r.status)
	}
	f.Fuzz(func(t *testing.T, query string) {
		u := ts.URL + "/v1/events?" + query
		if _, err := url.Parse(u); err != nil {
			return
		}
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+tokAlice)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			// net/http refused the request line itself (a space, a
			// control byte): our handler never saw it.
			resp.Body.Close()
			return
		}
		var m map[string]any
		err = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if resp.StatusCode >= 500 || err != nil {
			t.Fatalf("%q: %d %v %v", query, resp.StatusCode, m, err)
		}
		if resp.StatusCode == 400 && m["parameter"] == nil {
			t.Fatalf("%q: 400 without the parameter: %v", query, m)
		}
	})
}

func TestUnknownEndpoint(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	r := ts.get(t, "/v2/nothing", tokAdmin)
	if r.status != 404 || r.json(t)["error"] == nil {
		t.Errorf("%d %s", r.status, r.body)
	}
	r = ts.do(t, "DELETE", "/v1/events", tokAdmin, nil)
	if r.status != 405 {
		t.Errorf("DELETE: %d %s", r.status, fmt.Sprint(string(r.body)))
	}
}
