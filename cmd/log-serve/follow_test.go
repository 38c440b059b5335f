package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/serve"
)

func tokensFile(t *testing.T, dir string) (path, token string) {
	t.Helper()
	token = serve.NewToken()
	path = filepath.Join(dir, "tokens")
	line := serve.TokenLine(token, serve.Identity{User: "root", Roles: []string{serve.RoleAdmin}})
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, token
}

func count(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/v1/events?limit=1000", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct{ Events []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
		t.Fatalf("list: %d %v", resp.StatusCode, err)
	}
	return len(page.Events)
}

// TestFollowAndDrain runs the real binary with --follow: lines appended
// to the file become events the API returns. Then a request is in flight
// (its body still coming) when SIGTERM arrives: it is answered in full,
// and the server exits 0 after it.
func TestFollowAndDrain(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	tokens, token := tokensFile(t, dir)
	followed := filepath.Join(dir, "api.log")
	if err := os.WriteFile(followed, append(bytes.Join(lines(t, 0, 5), []byte("\n")), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	s := start(t, bin, filepath.Join(dir, "server.log"), "--db", filepath.Join(dir, "events.db"), "--tokens", tokens,
		"--follow", followed)
	waitFor := func(n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for count(t, s.url, token) != n {
			if time.Now().After(deadline) {
				t.Fatalf("%d events, want %d", count(t, s.url, token), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor(5)
	f, err := os.OpenFile(followed, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(append(bytes.Join(lines(t, 5, 3), []byte("\n")), '\n'))
	f.Close()
	waitFor(8)

	// A POST whose body is still coming when SIGTERM arrives.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.url+"/v1/events", pr)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, b, nil}
	}()
	more := lines(t, 100, 20)
	pw.Write(append(bytes.Join(more[:10], []byte("\n")), '\n'))
	time.Sleep(200 * time.Millisecond) // the request is in the handler
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case <-s.exited:
		t.Fatalf("the server exited with a request in flight: %v", s.err)
	default:
	}
	pw.Write(append(bytes.Join(more[10:], []byte("\n")), '\n'))
	pw.Close()
	r := <-done
	if r.err != nil || r.status != 200 || !bytes.Contains(r.body, []byte(`"accepted":20`)) {
		t.Fatalf("the request in flight: %d %v %s", r.status, r.err, r.body)
	}
	select {
	case <-s.exited:
		if s.err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", s.err, s.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not exit after draining")
	}
}
