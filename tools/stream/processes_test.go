package stream_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/tools/serve"
)

var listening = regexp.MustCompile(`"message":"listening on (http://[0-9.:]+)"`)

// logServe runs the real log-serve binary with args and returns its URL
// once its log says where it listens.
func logServe(t *testing.T, bin string, args ...string) string {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "server.log")
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0", "--log", logFile}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(logFile)
		if m := listening.FindSubmatch(b); m != nil {
			return string(m[1])
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("log-serve exited: %v\n%s", err, stderr.Bytes())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("log-serve did not say where it listens\n%s", stderr.Bytes())
	return ""
}

// TestTwoLogServeProcesses: two real log-serve processes on one PostgreSQL
// schema. Lines POSTed to either reach the live SSE subscribers of both,
// each once and in the same order. (That it is LISTEN/NOTIFY and not the
// hub's 1 s poll that carries them is TestTwoServersOnePostgres's point,
// where the poll is an hour; here the cross-server delay is only logged.)
func TestTwoLogServeProcesses(t *testing.T) {
	_, dsn := dbtest.PostgresSchema(t, "stream_procs")
	bin := filepath.Join(t.TempDir(), "log-serve")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/log-serve").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	token := serve.NewToken()
	tokens := filepath.Join(t.TempDir(), "tokens")
	line := serve.TokenLine(token, serve.Identity{User: "root", Roles: []string{serve.RoleAdmin}})
	if err := os.WriteFile(tokens, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// One after the other: the first creates the tables.
	urls := []string{logServe(t, bin, "--db", dsn, "--tokens", tokens)}
	urls = append(urls, logServe(t, bin, "--db", dsn, "--tokens", tokens))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	type got struct {
		server int
		seen   []string // metadata.seq of each event, in order
		at     []time.Time
		err    error
	}
	const n = 40
	results := make(chan got, 2)
	for i, u := range urls {
		req, _ := http.NewRequestWithContext(ctx, "GET", u+"/v1/events/stream", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("server %d: stream: %v %v", i, resp, err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		// The first comment is written after the subscription is made: from
		// here on this stream is live.
		if !sc.Scan() || !strings.HasPrefix(sc.Text(), ":") {
			t.Fatalf("server %d: stream did not open: %q %v", i, sc.Text(), sc.Err())
		}
		go func() {
			r := got{server: i}
			for len(r.seen) < n && sc.Scan() {
				d, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				var env struct {
					Type     string
					Location string
					Metadata struct{ Message string }
				}
				if err := json.Unmarshal([]byte(d), &env); err != nil {
					r.err = err
					break
				}
				r.seen = append(r.seen, env.Metadata.Message)
				r.at = append(r.at, time.Now())
			}
			if len(r.seen) < n && r.err == nil {
				r.err = fmt.Errorf("stream ended after %d events: %v", len(r.seen), sc.Err())
			}
			results <- r
		}()
	}

	// 20 lines through each server, alternating batches of 5.
	var want []string
	var sent []time.Time
	for b := 0; b < n/5; b++ {
		var body bytes.Buffer
		h := auditlog.NewHandler(&body, &auditlog.Options{Service: "nova-api"})
		for k := 0; k < 5; k++ {
			msg := fmt.Sprintf("line %02d via server %d", b*5+k, b%2)
			h.LogEvent(context.Background(), &auditlog.Event{Kind: auditlog.KindLifecycle, Message: msg, Action: "start",
				Outcome: auditlog.OutcomeSuccess})
			want = append(want, msg)
		}
		req, _ := http.NewRequestWithContext(ctx, "POST", urls[b%2]+"/v1/events", &body)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("post %d to server %d: %v %v", b, b%2, resp, err)
		}
		resp.Body.Close()
		for range 5 {
			sent = append(sent, time.Now())
		}
	}
	for range urls {
		r := <-results
		if r.err != nil {
			t.Fatalf("server %d: %v (got %q)", r.server, r.err, r.seen)
		}
		if !slices.Equal(r.seen, want) {
			t.Fatalf("server %d saw\n%q\nwant\n%q", r.server, r.seen, want)
		}
		// How long the other server's events took to arrive here.
		var worst time.Duration
		for i := range r.seen {
			if (i/5)%2 != r.server {
				worst = max(worst, r.at[i].Sub(sent[i]))
			}
		}
		t.Logf("server %d: all %d events in order, once; the other server's arrived at most %s after its POST was answered", r.server, n, worst.Round(time.Millisecond))
	}
}
