package main

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
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/serve"
)

// buildBinary builds log-serve into a temporary folder.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "log-serve")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is a running log-serve process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	exited chan struct{} // closed when the process has exited
	err    error         // its exit, once exited is closed
}

// wait waits for the process to exit and returns how it ended.
func (s *server) wait() error {
	<-s.exited
	return s.err
}

var listening = regexp.MustCompile(`"message":"listening on (http://[0-9.:]+)"`)

// start runs bin with args (and --listen 127.0.0.1:0 --log logFile) and
// waits for its "listening" line.
func start(t testing.TB, bin, logFile string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0", "--log", logFile}, args...)...)
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.stderr
	before := 0
	if b, err := os.ReadFile(logFile); err == nil {
		before = len(b)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); s.wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(logFile)
		if m := listening.FindSubmatch(b[min(before, len(b)):]); m != nil {
			s.url = string(m[1])
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("log-serve exited: %v\n%s", s.err, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("log-serve did not say where it listens\n%s", s.stderr)
	return nil
}

// lines writes n real audit lines, distinct, from line first on.
func lines(t *testing.T, first, n int) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tm := base
	h := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-api", Now: func() time.Time { return tm }})
	for i := first; i < first+n; i++ {
		tm = base.Add(time.Duration(i) * time.Millisecond)
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{
			ID: fmt.Sprintf("req-%06d", i), User: auditlog.User{ID: fmt.Sprintf("u%d", i%7), ProjectID: "p-1"},
		})
		h.LogEvent(ctx, &auditlog.Event{Kind: auditlog.KindRequest, Message: "POST /v2.1/servers", Action: "create",
			Target: auditlog.Target{Type: "server", ID: fmt.Sprintf("srv-%d", i)}, Status: auditlog.Int(202),
			Outcome: auditlog.OutcomeSuccess, Duration: time.Millisecond})
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

type answer struct {
	Accepted, Duplicates, Rejected int
}

func post(url, token string, body []byte) (int, answer, error) {
	req, _ := http.NewRequest("POST", url+"/v1/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, answer{}, err
	}
	defer resp.Body.Close()
	var a answer
	err = json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, a, err
}

func countStored(t *testing.T, db string) int {
	t.Helper()
	st, err := events.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	q := events.Query{Scope: events.Scope{All: true}, Limit: events.MaxLimit}
	for {
		p, err := st.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Events)
		if p.Next.IsZero() {
			return n
		}
		q.After = p.Next
	}
}

// TestKillMidIngest runs the real binary, ingests from three clients,
// kills it with SIGKILL mid-ingest, and checks that every line of every
// acknowledged request is stored; restarted, the same bodies sent again
// store exactly the lines that were missing, and nothing twice. Then
// SIGTERM stops it cleanly (exit 0, a "stopped" line).
func TestKillMidIngest(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "events.db")
	logFile := filepath.Join(dir, "server.log")
	token := serve.NewToken()
	tokens := filepath.Join(dir, "tokens")
	line := serve.TokenLine(token, serve.Identity{User: "shipper", Project: "p-1", Roles: []string{serve.RoleIngest}})
	if err := os.WriteFile(tokens, []byte("# test\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const batches, perBatch = 60, 500
	bodies := make([][]byte, batches)
	all := make([][]byte, 0, batches*perBatch)
	for i := range bodies {
		ls := lines(t, i*perBatch, perBatch)
		all = append(all, ls...)
		bodies[i] = append(bytes.Join(ls, []byte("\n")), '\n')
	}

	s := start(t, bin, logFile, "--db", db, "--tokens", tokens, "--batch-size", "100")
	var (
		mu    sync.Mutex
		acked []int
		next  int
		wg    sync.WaitGroup
	)
	for range 3 {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= batches {
					return
				}
				status, a, err := post(s.url, token, bodies[i])
				if err != nil {
					return // killed
				}
				if status != 200 || a.Accepted != perBatch {
					t.Errorf("batch %d: %d %+v", i, status, a)
					return
				}
				mu.Lock()
				acked = append(acked, i)
				mu.Unlock()
			}
		})
	}
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 5 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.wait()
	wg.Wait()
	if len(acked) >= batches {
		t.Fatalf("all %d batches were acknowledged before the kill: not mid-ingest", batches)
	}

	// Every acknowledged line is stored.
	st, err := events.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, i := range acked {
		for _, l := range bytes.Split(bytes.TrimSuffix(bodies[i], []byte("\n")), []byte("\n")) {
			if _, err := st.Get(context.Background(), events.ContentID(l), events.Scope{All: true}); err != nil {
				missing++
			}
		}
	}
	st.Close()
	if missing > 0 {
		t.Fatalf("%d lines of %d acknowledged batches are not stored after SIGKILL", missing, len(acked))
	}
	stored := countStored(t, db)
	t.Logf("%d batches acknowledged, %d lines stored when killed", len(acked), stored)
	if stored < len(acked)*perBatch || stored > len(all) {
		t.Fatalf("%d stored, want from %d to %d", stored, len(acked)*perBatch, len(all))
	}

	// Restarted: everything sent again; the stored lines are duplicates.
	s = start(t, bin, logFile, "--db", db, "--tokens", tokens)
	var accepted, dups int
	for i, body := range bodies {
		status, a, err := post(s.url, token, body)
		if err != nil || status != 200 {
			t.Fatalf("resending batch %d: %d %v", i, status, err)
		}
		accepted += a.Accepted
		dups += a.Duplicates
	}
	if accepted != len(all)-stored || dups != stored {
		t.Errorf("resent: %d accepted, %d duplicates; want %d and %d", accepted, dups, len(all)-stored, stored)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.wait(); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, s.stderr)
	}
	if n := countStored(t, db); n != len(all) {
		t.Errorf("%d events stored, want %d: each line once", n, len(all))
	}
	f, err := os.Open(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stopped bool
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), token) {
			t.Errorf("the server's log holds the token: %s", sc.Text())
		}
		stopped = stopped || strings.Contains(sc.Text(), `"message":"stopped"`)
	}
	if !stopped {
		t.Error("no stopped line after SIGTERM")
	}
}
