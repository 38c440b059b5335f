package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// runStream feeds the test server's stream until the test ends.
func (ts *testServer) runStream(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ts.srv.RunStream(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-ts.srv.hub.Started()
}

// openSSE opens the stream as token, failing unless it answers 200.
func (ts *testServer) openSSE(t *testing.T, query, token string) *bufio.Scanner {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/events/stream"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("stream%s as %s: %d", query, token, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return sc
}

// envelopes reads n events' envelopes from an SSE stream.
func envelopes(t *testing.T, sc *bufio.Scanner, n int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "data: ") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line[6:]), &m); err != nil {
				t.Fatalf("envelope %s: %v", line, err)
			}
			out = append(out, m)
		}
	}
	if len(out) < n {
		t.Fatalf("stream ended after %d events, want %d", len(out), n)
	}
	return out
}

func TestStreamOwnerAndAdmin(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	ts.runStream(t)
	admin := ts.openSSE(t, "", tokAdmin)
	bob := ts.openSSE(t, "?type=operation&outcome=!success", tokBob) // p-2 only, failures only
	waitFor(t, func() bool { return ts.srv.hub.Subscribers() == 2 })
	lines := genLines(t, 40)
	if r := ts.post(t, tokIngest, lines); r.status != 200 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	got := envelopes(t, admin, 40)
	for i, e := range got {
		md, _ := json.Marshal(e["metadata"])
		var want any
		json.Unmarshal(lines[i], &want)
		wb, _ := json.Marshal(want)
		if string(md) != string(wb) || e["type"] != "operation" || e["location"] == "" {
			t.Fatalf("admin event %d: %v", i, e)
		}
	}
	// Bob's: project p-2 (odd lines) and failures (i%4 == 3): lines 3, 7, 11…
	var want []int
	for i := range lines {
		if i%4 == 3 {
			want = append(want, i)
		}
	}
	for k, e := range envelopes(t, bob, len(want)) {
		md := e["metadata"].(map[string]any)
		if e["project"] != "p-2" || md["outcome"] != "failure" || md["seq"] != float64(want[k]+1) {
			t.Fatalf("bob's event %d: %v, want line %d", k, e, want[k])
		}
	}
	// And nothing else came: the next line he sees is a newly posted match.
	more := genLinesFrom(t, 100, 4) // line 103 is p-2 and a failure
	if r := ts.post(t, tokIngest, more); r.status != 200 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	if e := envelopes(t, bob, 1)[0]; e["metadata"].(map[string]any)["seq"] != float64(4) {
		t.Fatalf("after the first batch bob got %v, want the last line of the second", e)
	}
}

func TestStreamRefusals(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	ts.runStream(t)
	for _, c := range []struct {
		query, token string
		status       int
	}{
		{"", "", 401},
		{"", "nope", 401},
		{"?type=bogus", tokAlice, 400},
		{"?since=xyz", tokAlice, 400},
		{"?limit=5", tokAlice, 400},
		{"?colour=red", tokAlice, 400},
		{"?all-projects=true", tokAlice, 403},
		{"?all-projects=maybe", tokAdmin, 400},
		{"?level=LOUD", tokAlice, 400},
	} {
		r := ts.get(t, "/v1/events/stream"+c.query, c.token)
		if r.status != c.status {
			t.Errorf("stream%s as %q: %d %s, want %d", c.query, c.token, r.status, r.body, c.status)
		}
		// The same refusal comes before a WebSocket upgrade.
		h := http.Header{}
		if c.token != "" {
			h.Set("Authorization", "Bearer "+c.token)
		}
		_, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(ts.URL, "http")+"/v1/events/stream"+c.query, &websocket.DialOptions{HTTPHeader: h})
		if err == nil || resp == nil || resp.StatusCode != c.status {
			t.Errorf("websocket %s as %q: %v, want %d before the upgrade", c.query, c.token, err, c.status)
		}
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
