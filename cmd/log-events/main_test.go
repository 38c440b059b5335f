package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/serve"
)

// server is a real log-serve (its handler over a real SQLite file) on
// loopback, its stream running, holding lines of two projects.
type server struct {
	url   string
	lines [][]byte
}

const (
	tokAdmin = "t-admin"
	tokBob   = "t-bob" // project p-2
)

func newServer(t *testing.T, n int) *server {
	t.Helper()
	st, err := events.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tokens := &serve.Tokens{}
	tokens.Add(tokAdmin, serve.Identity{User: "root", Roles: []string{serve.RoleAdmin}})
	tokens.Add(tokBob, serve.Identity{User: "bob", Project: "p-2", Roles: []string{"member"}})
	srv, err := serve.New(serve.Options{Store: st, Auth: serve.Auth{Tokens: tokens}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.RunStream(ctx) }()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); cancel(); <-done })
	s := &server{url: ts.URL, lines: genLines(n, 0)}
	s.post(t, s.lines)
	return s
}

// genLines writes n request lines from line first on: project p-(i%2+1),
// request req-<i/2>, a delete failing every fifth.
func genLines(n, first int) [][]byte {
	var buf bytes.Buffer
	base := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tm := base
	h := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-api", Now: func() time.Time { return tm }})
	for i := first; i < first+n; i++ {
		tm = base.Add(time.Duration(i) * time.Second)
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: fmt.Sprintf("req-%04d", i/2),
			User: auditlog.User{ID: fmt.Sprintf("u%d", i%3), ProjectID: fmt.Sprintf("p-%d", i%2+1)}})
		ev := &auditlog.Event{Kind: auditlog.KindRequest, Message: fmt.Sprintf("POST /v2.1/servers/%d", i), Action: "create",
			Status: auditlog.Int(202), Outcome: auditlog.OutcomeSuccess, Target: auditlog.Target{Type: "server", ID: fmt.Sprintf("s%d", i)}}
		if i%5 == 4 {
			ev.Action, ev.Status, ev.Outcome = "delete", auditlog.Int(500), auditlog.OutcomeFailure
		}
		h.LogEvent(ctx, ev)
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

func (s *server) post(t *testing.T, lines [][]byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.url+"/v1/events", bytes.NewReader(append(bytes.Join(lines, []byte("\n")), '\n')))
	req.Header.Set("Authorization", "Bearer "+tokAdmin)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", resp, err)
	}
	resp.Body.Close()
}

func runEvents(t *testing.T, token string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"AUDITLOG_TOKEN": token}
	code := run(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

func TestListRaw(t *testing.T) {
	s := newServer(t, 30)
	code, out, errs := runEvents(t, tokAdmin, "--url", s.url, "list", "--output", "raw", "--limit", "7", "--all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := string(bytes.Join(s.lines, []byte("\n"))) + "\n"; out != want {
		t.Fatalf("list --all --output raw, 7 a page, is not every line byte for byte in order:\n%s", out)
	}
	// One page, and where the next starts.
	code, out, errs = runEvents(t, tokAdmin, "--url", s.url, "list", "--output", "raw", "--limit", "7")
	if code != 0 || strings.Count(out, "\n") != 7 || !strings.Contains(errs, "more: --after ") {
		t.Fatalf("one page: exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errs)
	}
}

func TestListScopeAndFilters(t *testing.T) {
	s := newServer(t, 30)
	// Bob sees p-2 (odd lines) only; with the filter, the failed deletes among them.
	code, out, errs := runEvents(t, tokBob, "--url", s.url, "list", "--output", "json", "--filter", "outcome=!success")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct{ Project, Action, Outcome string }
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		got = append(got, e.Project+"/"+e.Action+"/"+e.Outcome)
	}
	// Lines i%5 == 4 and odd: 9, 19, 29.
	if strings.Join(got, " ") != "p-2/delete/failure p-2/delete/failure p-2/delete/failure" {
		t.Fatalf("bob's failures: %v", got)
	}
	// The table is log-format's summary of each line.
	code, out, _ = runEvents(t, tokBob, "--url", s.url, "--color", "never", "list", "--filter", "request_id=req-0004")
	if code != 0 || !strings.Contains(out, "[req-0004 u0 p-2] delete server/s9 → 500 failure") {
		t.Fatalf("table: exit %d:\n%s", code, out)
	}
}

func TestShowAndRequest(t *testing.T) {
	s := newServer(t, 10)
	id := events.ContentID(s.lines[3])
	code, out, errs := runEvents(t, tokAdmin, "--url", s.url, "--output", "raw", "show", id)
	if code != 0 || out != string(s.lines[3])+"\n" {
		t.Fatalf("show: exit %d, %q %s", code, out, errs)
	}
	// Another project's event is not found, as a missing one.
	code, _, errs = runEvents(t, tokBob, "--url", s.url, "show", events.ContentID(s.lines[2]))
	if code != 1 || !strings.Contains(errs, "404") {
		t.Fatalf("show another project's: exit %d, %s", code, errs)
	}
	code, out, _ = runEvents(t, tokAdmin, "--url", s.url, "--output", "raw", "request", "req-0001")
	if code != 0 || out != string(s.lines[2])+"\n"+string(s.lines[3])+"\n" {
		t.Fatalf("request: exit %d\n%s", code, out)
	}
}

func TestErrors(t *testing.T) {
	s := newServer(t, 1)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--url", s.url, "list", "--filter", "colour=red"}, 1, "400"},
		{[]string{"--url", s.url, "list", "--filter", "nonsense"}, 2, "NAME=VALUE"},
		{[]string{"--url", s.url, "show"}, 2, "takes 1 argument"},
		{[]string{"--url", "ftp://x", "list"}, 1, "http or https"},
		{[]string{"--url", "http://127.0.0.1:1", "list"}, 1, "cannot reach log-serve"},
		{[]string{"--url", s.url, "monitor", "--type", "bogus", "--count", "1"}, 1, "400"},
		{[]string{"--url", s.url, "list", "--format", "yaml"}, 2, "goes with monitor"},
	} {
		code, _, errs := runEvents(t, tokAdmin, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	// No token: the server's 401, said.
	if code, _, errs := runEvents(t, "", "--url", s.url, "list"); code != 1 || !strings.Contains(errs, "401") {
		t.Errorf("no token: exit %d, %s", code, errs)
	}
}

func TestMonitor(t *testing.T) {
	s := newServer(t, 4)
	more := genLines(6, 100) // lines 100..105: one failure, line 104
	go func() {
		time.Sleep(300 * time.Millisecond) // the monitor is subscribed
		s.post(t, more)
	}()
	code, out, errs := runEvents(t, tokAdmin, "--url", s.url, "monitor", "--format", "json", "--count", "1", "--filter", "outcome=failure")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var env struct {
		Type     string
		Metadata json.RawMessage
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &env); err != nil || env.Type != "operation" || string(env.Metadata) != string(more[4]) {
		t.Fatalf("monitor printed %s (%v), want line 104's envelope", out, err)
	}
	// From the start (--since 0): the stored lines first, in order.
	code, out, errs = runEvents(t, tokAdmin, "--url", s.url, "monitor", "--format", "json", "--since", "0", "--count", "4")
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, string(s.lines[3])) {
		t.Fatalf("monitor --since 0: exit %d %s\n%s", code, errs, out)
	}
	// yaml, as lxc monitor prints.
	code, out, _ = runEvents(t, tokAdmin, "--url", s.url, "monitor", "--format", "yaml", "--since", "0", "--count", "1")
	if code != 0 || !strings.HasPrefix(out, "---\ntype: operation\ntimestamp: ") || !strings.Contains(out, "\nmetadata:\n  action: create\n") {
		t.Fatalf("yaml: exit %d\n%s", code, out)
	}
}
