package stream

import (
	"bufio"
	"context"
	"encoding/json"
	"math/rand/v2"
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

// TestSSEReconnectAtRandom is TestReconnectAtRandom over HTTP: an SSE
// client that hangs up at random points while events are being stored, and
// comes back with Last-Event-ID (or since=) set to the last id it read,
// sees every event exactly once and in store order.
func TestSSEReconnectAtRandom(t *testing.T) {
	s := openSQLite(t)
	const n = 3000
	evs := eventstest.Generate(n, 10)
	h := start(t, s, &Options{Batch: 50, Ring: 100, Buffer: 4096})
	srv := httptest.NewServer(&Handler{Hub: h, Parse: testParse})
	defer srv.Close()
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		r := rand.New(rand.NewPCG(3, 5))
		for i := 0; i < n; {
			k := min(1+r.IntN(40), n-i)
			insert(t, s, h, evs[i:i+k])
			i += k
			if r.IntN(4) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	r := rand.New(rand.NewPCG(13, 17))
	seen := make(map[string]int, n)
	var last int64
	total, connections := 0, 0
	for total < n {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		if r.IntN(2) == 0 { // last is 0 at first: from the start
			req.Header.Set("Last-Event-ID", Cursor(last))
		} else {
			req.URL.RawQuery = "since=" + Cursor(last)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("connection %d: %v %v", connections, resp, err)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		k := min(1+r.IntN(250), n-total)
		for _, e := range readSSE(t, sc, k) {
			if e.event == "dropped" {
				t.Fatalf("dropped: %s", e.data)
			}
			seq, err := ParseCursor(e.id)
			if err != nil || seq <= last {
				t.Fatalf("connection %d: id %q after %d (a duplicate or out of order)", connections, e.id, last)
			}
			last = seq
			var env struct{ ID string }
			if err := json.Unmarshal([]byte(e.data), &env); err != nil {
				t.Fatal(err)
			}
			seen[env.ID]++
			total++
		}
		// Hang up mid-stream: whatever the server had written after the
		// k-th event is lost with the connection.
		cancel()
		resp.Body.Close()
		connections++
	}
	<-loaded
	for i, e := range evs {
		if c := seen[events.ContentID(e.Raw)]; c != 1 {
			t.Fatalf("event %d seen %d times", i, c)
		}
	}
	t.Logf("%d events over %d connections", n, connections)
}

// TestLocation: an envelope's location is the host an oslo.log JSON line
// names, else the server's.
func TestLocation(t *testing.T) {
	h := &Handler{Location: "log-serve-1"}
	for _, c := range []struct {
		e    events.Event
		want string
	}{
		{events.Event{Kind: "log", Format: events.FormatOsloJSON, Raw: []byte(`{"message":"m","hostname":"compute-3","levelname":"INFO"}`)}, "compute-3"},
		{events.Event{Kind: "log", Format: events.FormatOsloJSON, Raw: []byte(`{"message":"m","levelname":"INFO"}`)}, "log-serve-1"},
		{events.Event{Kind: "log", Format: events.FormatOsloText, Raw: []byte(`2026-01-01 00:00:00.000 1 INFO nova.x [-] hostname compute-3`)}, "log-serve-1"},
		{events.Event{Kind: "request", Format: events.FormatAudit, Raw: []byte(`{"kind":"request","attrs":{"hostname":"x"}}`)}, "log-serve-1"},
	} {
		var env struct{ Location string }
		b := h.appendEnvelope(nil, Message{Event: &c.e})
		if err := json.Unmarshal(b, &env); err != nil || env.Location != c.want {
			t.Errorf("%s: location %q (%v), want %q", c.e.Raw, env.Location, err, c.want)
		}
	}
}
