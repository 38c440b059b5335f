package stream

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

// testParse is a Parse for tests: an admin's view, type= and since= or
// Last-Event-ID.
func testParse(w http.ResponseWriter, r *http.Request) (Request, bool) {
	req := Request{Query: admin, Since: -1}
	if t := r.URL.Query().Get("type"); t != "" {
		f, err := TypeFilter(strings.Split(t, ","))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return req, false
		}
		req.Query.Filters = append(req.Query.Filters, f)
	}
	since := r.URL.Query().Get("since")
	if since == "" {
		since = r.Header.Get("Last-Event-ID")
	}
	if since != "" {
		n, err := ParseCursor(since)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return req, false
		}
		req.Since = n
	}
	return req, true
}

type sseEvent struct{ id, event, data string }

// readSSE reads n events (skipping comments) from an SSE body.
func readSSE(t *testing.T, sc *bufio.Scanner, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.data != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[6:]
		}
	}
	if len(out) < n {
		t.Fatalf("stream ended after %d events, want %d: %v", len(out), n, sc.Err())
	}
	return out
}

func TestSSE(t *testing.T) {
	s := openSQLite(t)
	h := start(t, s, nil)
	srv := httptest.NewServer(&Handler{Hub: h, Location: "test-server", Parse: testParse})
	defer srv.Close()

	evs := eventstest.Generate(60, 8)
	insert(t, s, h, evs[:20])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"?since=0", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	got := readSSE(t, sc, 20)
	insert(t, s, h, evs[20:])
	got = append(got, readSSE(t, sc, 40)...)
	for i, e := range got {
		var env struct {
			Type, Timestamp, Location, Cursor, ID string
			Metadata                              json.RawMessage
		}
		if err := json.Unmarshal([]byte(e.data), &env); err != nil {
			t.Fatalf("event %d: %v: %s", i, err, e.data)
		}
		if env.ID != events.ContentID(evs[i].Raw) || env.Cursor != e.id || env.Type != e.event || env.Type != TypeOf(evs[i].Kind) || env.Location != "test-server" {
			t.Fatalf("event %d: %+v (sse id %s, event %s), want %s", i, env, e.id, e.event, events.ContentID(evs[i].Raw))
		}
		md := string(env.Metadata)
		if evs[i].Format == events.FormatOsloText {
			var text string
			if err := json.Unmarshal(env.Metadata, &text); err != nil {
				t.Fatalf("event %d: a text record's metadata is not a string: %s", i, md)
			}
			md = text
		}
		if md != string(evs[i].Raw) {
			t.Fatalf("event %d: metadata %s, want the line byte for byte: %s", i, env.Metadata, evs[i].Raw)
		}
	}
	// Resume with Last-Event-ID: what follows the 30th, exactly.
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	req.Header.Set("Last-Event-ID", got[29].id)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	sc2 := bufio.NewScanner(resp2.Body)
	sc2.Buffer(make([]byte, 1<<20), 1<<20)
	again := readSSE(t, sc2, 30)
	for i, e := range again {
		if e.id != got[30+i].id || e.data != got[30+i].data {
			t.Fatalf("resumed event %d: %s, want %s", i, e.id, got[30+i].id)
		}
	}
}

func TestBadRequestsBeforeUpgrade(t *testing.T) {
	s := openSQLite(t)
	h := start(t, s, nil)
	srv := httptest.NewServer(&Handler{Hub: h, Parse: testParse})
	defer srv.Close()
	for _, q := range []string{"?type=bogus", "?since=-3", "?since=abc"} {
		resp, err := http.Get(srv.URL + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, resp.StatusCode)
		}
		_, resp, err = websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+q, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("websocket %s: %v, want 400 before the upgrade", q, err)
		}
	}
}

func TestWebSocket(t *testing.T) {
	s := openSQLite(t)
	h := start(t, s, nil)
	srv := httptest.NewServer(&Handler{Hub: h, Location: "ws-server", Parse: testParse})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"?type=operation,lifecycle", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	evs := eventstest.Generate(200, 9)
	// The subscription starts live when the upgrade is done; wait for the
	// hub to have it before inserting.
	waitSubs(t, h, 1)
	insert(t, s, h, evs)
	var want []events.Event
	for _, e := range evs {
		if TypeOf(e.Kind) != "logging" {
			want = append(want, e)
		}
	}
	for i, e := range want {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		var env struct{ Type, ID string }
		if err := json.Unmarshal(b, &env); err != nil || env.ID != events.ContentID(e.Raw) || env.Type == "logging" {
			t.Fatalf("message %d: %s (%v), want %s", i, b, err, events.ContentID(e.Raw))
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
}

func waitSubs(t *testing.T, h *Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.Subscribers() < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d subscribers", n)
		}
		time.Sleep(time.Millisecond)
	}
}
