package serve

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// webBase is the time of the viewer tests' first request.
var webBase = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// xssMessage is a value that must render as text.
const xssMessage = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`

// webLines writes n requests as three services log them, two seconds
// apart from webBase: nova-conductor's DB call, nova-compute's RPC and
// nova-api's request line (which spans the other two), projects p-1 and
// p-2 in turn; every 10th request is a WARNING (409), every 25th an
// ERROR (500); request 7's message is xssMessage.
func webLines(t testing.TB, n int) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	var tm time.Time
	now := func() time.Time { return tm }
	seq := &auditlog.Sequence{}
	api := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-api", Now: now, Sequence: seq})
	compute := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-compute", Now: now, Sequence: seq})
	db := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-conductor", Now: now, Sequence: seq})
	actions := []string{"create", "read", "delete", "pause", "reboot"}
	for i := range n {
		start := webBase.Add(time.Duration(i) * 2 * time.Second)
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{
			ID:   fmt.Sprintf("req-%05d", i),
			User: auditlog.User{ID: fmt.Sprintf("u%d", i%4), Name: fmt.Sprintf("user%d", i%4), ProjectID: fmt.Sprintf("p-%d", i%2+1)},
		})
		log := func(h *auditlog.Handler, at time.Duration, e *auditlog.Event) {
			tm = start.Add(at)
			if err := h.LogEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		log(db, 4*time.Millisecond, &auditlog.Event{Level: slog.LevelInfo, Kind: auditlog.KindDB, Message: "query",
			Duration: 3 * time.Millisecond, RPC: auditlog.RPC{System: "sqlite", Method: "query", Statement: "SELECT * FROM instances WHERE uuid = ?"}})
		log(compute, 30*time.Millisecond, &auditlog.Event{Level: slog.LevelInfo, Kind: auditlog.KindRPC, Message: "schedule",
			Duration: 12 * time.Millisecond, RPC: auditlog.RPC{System: "grpc", Service: "demo.Scheduler", Method: "Schedule"}})
		level, status, out := slog.LevelInfo, int64(202), auditlog.OutcomeSuccess
		msg := fmt.Sprintf("POST /v2.1/servers/srv-%d/action", i)
		switch {
		case i%25 == 24:
			level, status, out = slog.LevelError, 500, auditlog.OutcomeFailure
		case i%10 == 9:
			level, status, out = slog.LevelWarn, 409, auditlog.OutcomeFailure
		}
		if i == 7 {
			msg = xssMessage
		}
		log(api, 40*time.Millisecond, &auditlog.Event{Level: level, Kind: auditlog.KindRequest, Message: msg,
			Action: actions[i%len(actions)], Target: auditlog.Target{Type: "server", ID: fmt.Sprintf("srv-%d", i)},
			Status: auditlog.Int(status), Outcome: out, Duration: 40 * time.Millisecond,
			RPC: auditlog.RPC{System: "http", Method: "POST", Route: "/v2.1/servers/{id}/action"}})
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

func seedWeb(t testing.TB, ts *testServer, n int) {
	t.Helper()
	lines := webLines(t, n)
	for i := 0; i < len(lines); i += 1000 {
		if r := ts.post(t, tokAdmin, lines[i:min(i+1000, len(lines))]); r.status != 200 {
			t.Fatalf("seed: %d %s", r.status, r.body)
		}
	}
}

// loginSession logs in through the form as a browser would and returns
// the session cookie and the page's CSRF value.
func loginSession(t *testing.T, ts *testServer, token string) (*http.Cookie, string) {
	t.Helper()
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(ts.URL + "/ui/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var login *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == loginCookie {
			login = ck
		}
	}
	if login == nil {
		t.Fatal("no login cookie")
	}
	req, _ := http.NewRequest("POST", ts.URL+"/ui/login", strings.NewReader(url.Values{"csrf": {login.Value}, "token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(login)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			sess = ck
		}
	}
	if sess == nil {
		t.Fatal("no session cookie")
	}
	if !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || strings.Contains(sess.Value, token) || len(sess.Value) < 40 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, a random id that is not the token", sess)
	}
	r := ts.do(t, "GET", "/ui/incidents", "", nil, "Cookie", sess.Name+"="+sess.Value)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("incidents page: %d, csrf %q", r.status, m)
	}
	return sess, string(m[1])
}

func TestWebLoginAndCSRF(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	seedWeb(t, ts, 40)
	// No identity: a page sends the browser to the login form.
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(ts.URL + "/ui/events?level=WARNING")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/ui/login?next="+url.QueryEscape("/ui/events?level=WARNING") {
		t.Errorf("no identity: %d to %q", resp.StatusCode, loc)
	}
	// A login post without the form's cookie is refused.
	r := ts.do(t, "POST", "/ui/login", "", strings.NewReader("csrf=x&token="+tokAdmin), "Content-Type", "application/x-www-form-urlencoded")
	if r.status != http.StatusForbidden {
		t.Errorf("login without its cookie: %d", r.status)
	}
	sess, csrf := loginSession(t, ts, tokAlice)
	cookie := sess.Name + "=" + sess.Value
	post := func(form url.Values) response {
		return ts.do(t, "POST", "/ui/incidents", "", strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie)
	}
	at := timeString(webBase.Add(40 * time.Second))
	if r := post(url.Values{"at": {at}}); r.status != http.StatusForbidden {
		t.Errorf("POST without csrf: %d", r.status)
	}
	if r := post(url.Values{"at": {at}, "csrf": {csrf + "x"}}); r.status != http.StatusForbidden {
		t.Errorf("POST with a wrong csrf: %d", r.status)
	}
	r = post(url.Values{"at": {at}, "csrf": {csrf}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/ui/incidents/inc-") {
		t.Fatalf("POST with csrf: %d %s", r.status, r.header.Get("Location"))
	}
	// The cookie is no credential for the API's writes.
	r = ts.do(t, "POST", "/v1/events", "", bytes.NewReader(webLines(t, 1)[0]), "Cookie", cookie)
	if r.status != http.StatusUnauthorized {
		t.Errorf("POST /v1/events with the session cookie only: %d", r.status)
	}
	// Alice (p-1) sees only p-1's events in her incident; Bob none of it.
	loc := r.header.Get("Location")
	_ = loc
	incs := ts.get(t, "/v1/incidents", tokAlice).json(t)["incidents"].([]any)
	if len(incs) != 1 {
		t.Fatalf("alice's incidents: %v", incs)
	}
	id := incs[0].(map[string]any)["id"].(string)
	one := ts.get(t, "/v1/incidents/"+id, tokAlice).json(t)
	for _, e := range one["events"].([]any) {
		if p := e.(map[string]any)["project"]; p != "p-1" {
			t.Errorf("alice's incident holds an event of %v", p)
		}
	}
	if n := len(one["events"].([]any)); n < 3 {
		t.Errorf("the incident at %s holds %d events; want the requests in flight and the warnings around", at, n)
	}
	if r := ts.get(t, "/v1/incidents/"+id, tokBob); r.status != http.StatusNotFound {
		t.Errorf("bob reads alice's incident: %d", r.status)
	}
	if r := ts.get(t, "/ui/incidents/"+id+"/export.ndjson", tokBob); r.status != http.StatusNotFound {
		t.Errorf("bob exports alice's incident: %d", r.status)
	}
	// Logging out ends the session.
	r = ts.do(t, "POST", "/ui/logout", "", strings.NewReader("csrf="+url.QueryEscape(csrf)), "Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie)
	if r.status != http.StatusSeeOther {
		t.Errorf("logout: %d", r.status)
	}
	if r := ts.do(t, "GET", "/v1/incidents", "", nil, "Cookie", cookie); r.status != http.StatusUnauthorized {
		t.Errorf("after logout the cookie still reads: %d", r.status)
	}
}

func TestWebPagesEscapeAndHeaders(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	seedWeb(t, ts, 60)
	for _, p := range []string{"/ui/events", "/ui/events?level=WARNING&limit=20", "/ui/events?around=" + timeString(webBase.Add(time.Minute)) + "&range=30s",
		"/ui/requests", "/ui/requests/req-00007", "/ui/incidents", "/ui/events?q=script"} {
		r := ts.get(t, p, tokAdmin)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", p, r.status, r.body)
		}
		if got := r.header.Get("Content-Security-Policy"); got != csp {
			t.Errorf("%s: CSP %q", p, got)
		}
		if bytes.Contains(r.body, []byte("<script>window")) || bytes.Contains(r.body, []byte("<img src=x")) {
			t.Errorf("%s: the value with <script> is not escaped", p)
		}
		if n := bytes.Count(r.body, []byte("<script")); n > 1 {
			t.Errorf("%s: %d script elements", p, n)
		}
		if bytes.Contains(r.body, []byte(" style=")) {
			t.Errorf("%s: an inline style, which the CSP refuses", p)
		}
	}
	r := ts.get(t, "/ui/events?q=script", tokAdmin)
	if !bytes.Contains(r.body, []byte("&lt;script&gt;window.__xss=1&lt;/script&gt;")) {
		t.Errorf("the message is not shown as text:\n%s", r.body)
	}
	// The live tail's stream takes the page's filters (the text search
	// stays on the page).
	r = ts.get(t, "/ui/events?level=WARNING&service=nova-api&q=POST", tokAdmin)
	m := regexp.MustCompile(`data-stream="([^"]+)"`).FindSubmatch(r.body)
	if m == nil || string(m[1]) != "/v1/events/stream?level=WARNING&amp;service=nova-api" {
		t.Errorf("the live tail's stream: %q", m)
	}
	r = ts.get(t, "/ui/events?level=LOUD", tokAdmin)
	if r.status != 400 || !bytes.Contains(r.body, []byte("unknown level")) {
		t.Errorf("a bad level: %d", r.status)
	}
	r = ts.get(t, "/ui/events?around=2026-11-24T08:01:00Z&range=30s&limit=1000", tokAdmin)
	if n := bytes.Count(r.body, []byte(`<td class="t"><a href="/ui/events/`)); n != 90 {
		t.Errorf("±30 s around 08:01: %d rows, want 90 (30 requests × 3 lines)", n)
	}
}

// FuzzWebQuery: any query string on the list pages is a page (200) or a
// page naming what is wrong (400), never a failure, and nothing it holds
// comes back as markup.
func FuzzWebQuery(f *testing.F) {
	ts := newTestServer(f, nil, nil)
	seedWeb(f, ts, 30)
	for _, s := range []string{"level=WARNING", "around=2026-11-24T08:00:30Z&range=30s", "q=%3Cscript%3E", "after=zz",
		"since=1h&until=2026-11-24", "limit=0", "around=x&since=y", "service=a,b&user=!u1", "range=-1s&around=1d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, p := range []string{"/ui/events?", "/ui/requests?", "/ui/incidents?"} {
			req, err := http.NewRequest("GET", ts.URL+p+raw, nil)
			if err != nil {
				return
			}
			req.Header.Set("Authorization", "Bearer "+tokAdmin)
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 && resp.StatusCode != 400 {
				t.Fatalf("GET %s%s: %d\n%s", p, raw, resp.StatusCode, body.Bytes())
			}
			if bytes.Contains(body.Bytes(), []byte("<script>")) {
				t.Fatalf("GET %s%s: a <script> came back as markup", p, raw)
			}
		}
	})
}
