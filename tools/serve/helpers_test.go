package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/tools/events"
)

// openStore opens a real SQLite store in a fresh file.
func openStore(t testing.TB) events.Store {
	t.Helper()
	st, err := events.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Tokens of the test servers.
const (
	tokAdmin  = "tok-admin"
	tokIngest = "tok-ingest"
	tokAlice  = "tok-alice" // project p-1
	tokBob    = "tok-bob"   // project p-2
)

func testTokens() *Tokens {
	t := &Tokens{}
	t.Add(tokAdmin, Identity{User: "root", Roles: []string{RoleAdmin}})
	t.Add(tokIngest, Identity{User: "shipper", Project: "p-1", Roles: []string{RoleIngest}})
	t.Add(tokAlice, Identity{User: "alice", Project: "p-1", Roles: []string{"member"}})
	t.Add(tokBob, Identity{User: "bob", Project: "p-2", Roles: []string{"member"}})
	return t
}

type testServer struct {
	*httptest.Server
	store events.Store
	log   *auditlogtest.Recorder
	srv   *Server
}

// newTestServer serves the API over a real SQLite store on loopback; its
// own audit lines are held to the schema.
func newTestServer(t testing.TB, st events.Store, edit func(*Options)) *testServer {
	t.Helper()
	if st == nil {
		st = openStore(t)
	}
	// A fuzz target's log is not recorded: the Recorder calls t.Helper,
	// which a *testing.F refuses inside the fuzz function.
	var rec *auditlogtest.Recorder
	w := io.Writer(io.Discard)
	if _, fuzz := t.(*testing.F); !fuzz {
		rec = auditlogtest.NewRecorder(t)
		w = rec
	}
	o := Options{Store: st, Auth: Auth{Tokens: testTokens()}, Log: auditlog.NewHandler(w, &auditlog.Options{Service: "log-serve"})}
	if edit != nil {
		edit(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, store: st, log: rec, srv: s}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", r.status, err, r.body)
	}
	return m
}

func (ts *testServer) do(t testing.TB, method, path, token string, body io.Reader, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-ndjson")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func (ts *testServer) get(t testing.TB, path, token string) response {
	t.Helper()
	return ts.do(t, "GET", path, token, nil)
}

func (ts *testServer) post(t testing.TB, token string, lines [][]byte) response {
	t.Helper()
	return ts.do(t, "POST", "/v1/events", token, bytes.NewReader(joinLines(lines)))
}

func joinLines(lines [][]byte) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.Write(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// base is the time of the first generated line.
var base = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// genLines writes n real audit lines with our handler: one request per
// line, a second apart from base, user u<i%5>, project p-<i%2+1>, actions
// and outcomes varying, request ids req-<i/3> (three lines a request).
func genLines(t testing.TB, n int) [][]byte {
	t.Helper()
	return genLinesFrom(t, 0, n)
}

// genLinesFrom is genLines from line start on (times, users, ids as for
// lines start to start+n-1; seq counts from 1 in each call).
func genLinesFrom(t testing.TB, start, n int) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	tm := base
	h := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-api", Now: func() time.Time { return tm }, Sequence: &auditlog.Sequence{}})
	actions := []string{"create", "read", "delete", "pause"}
	for i := start; i < start+n; i++ {
		tm = base.Add(time.Duration(i) * time.Second)
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{
			ID:   fmt.Sprintf("req-%04d", i/3),
			User: auditlog.User{ID: fmt.Sprintf("u%d", i%5), ProjectID: fmt.Sprintf("p-%d", i%2+1)},
		})
		out := auditlog.OutcomeSuccess
		status := 202
		level := slog.LevelInfo
		if i%4 == 3 {
			out, status, level = auditlog.OutcomeFailure, 409, slog.LevelWarn
		}
		if err := h.LogEvent(ctx, &auditlog.Event{
			Level: level, Kind: auditlog.KindRequest, Message: fmt.Sprintf("POST /v2.1/servers/%d <&>", i),
			Action: actions[i%len(actions)], Target: auditlog.Target{Type: "server", ID: fmt.Sprintf("srv-%d", i%7)},
			Status: auditlog.Int(int64(status)), Outcome: out, Duration: time.Duration(i+1) * time.Millisecond,
			RPC: auditlog.RPC{System: "http", Method: "POST", Route: "/v2.1/servers"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	return lines
}

// listAll pages through GET path with token and returns the events' raw
// lines and the pages it took.
func (ts *testServer) listAll(t testing.TB, path, token string) (lines []string, pages int) {
	t.Helper()
	next := ""
	for {
		p := path
		if next != "" {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			p += sep + "after=" + next
		}
		r := ts.get(t, p, token)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", p, r.status, r.body)
		}
		var page struct {
			Events []struct {
				Line json.RawMessage `json:"line"`
			} `json:"events"`
			Next string `json:"next"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page.Events {
			lines = append(lines, string(e.Line))
		}
		if page.Next == "" {
			return lines, pages
		}
		next = page.Next
		if pages > 10000 {
			t.Fatal("paging does not end")
		}
	}
}
