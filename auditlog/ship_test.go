package auditlog_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// eventsServer is a stand-in for log-serve's POST /v1/events on loopback:
// a real HTTP server that decodes what arrives (gzip NDJSON, bearer
// token) and answers as log-serve does. While failing is set it answers
// 503 and keeps nothing.
type eventsServer struct {
	*httptest.Server
	token string

	failing  atomic.Bool
	failures atomic.Int64

	mu       sync.Mutex
	lines    []string
	requests int
	problems []string
}

func newEventsServer(t *testing.T, token string) *eventsServer {
	s := &eventsServer{token: token}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *eventsServer) problem(format string, args ...any) {
	s.mu.Lock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *eventsServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/events" {
		s.problem("%s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	want := "Bearer " + s.token
	if s.token == "" {
		want = ""
	}
	if got := r.Header.Get("Authorization"); got != want {
		s.problem("Authorization %q", got)
		http.Error(w, `{"error":"no credentials"}`, http.StatusUnauthorized)
		return
	}
	if s.failing.Load() {
		s.failures.Add(1)
		http.Error(w, `{"error":"store unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Type") != "application/x-ndjson" {
		s.problem("headers %v", r.Header)
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		s.problem("gzip: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	type rejected struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	}
	var answer struct {
		Accepted   int        `json:"accepted"`
		Duplicates int        `json:"duplicates"`
		Rejected   []rejected `json:"rejected"`
	}
	answer.Rejected = []rejected{}
	sc := bufio.NewScanner(zr)
	n := 0
	var got []string
	for sc.Scan() {
		n++
		line := sc.Text()
		if !json.Valid([]byte(line)) || strings.Contains(line, "reject-me") {
			answer.Rejected = append(answer.Rejected, rejected{n, "not a valid line"})
			continue
		}
		got = append(got, line)
		answer.Accepted++
	}
	if err := sc.Err(); err != nil {
		s.problem("reading: %v", err)
	}
	s.mu.Lock()
	s.lines = append(s.lines, got...)
	s.requests++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

func (s *eventsServer) received() (lines []string, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...), s.requests
}

func (s *eventsServer) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problems {
		t.Error("server:", p)
	}
}

func TestShipperBatches(t *testing.T) {
	srv := newEventsServer(t, "s3cret")
	sh := auditlog.NewShipper(srv.URL, &auditlog.ShipperOptions{Token: "s3cret", BatchLines: 3, Interval: time.Hour})
	logger := auditlog.New(sh, &auditlog.Options{Service: "billing"})
	for i := range 7 {
		logger.Info("charge", "n", i)
	}
	if _, n := srv.received(); n != 2 {
		t.Errorf("%d requests before Close, want 2 (batches of 3; the 7th line waits)", n)
	}
	if err := sh.Close(); err != nil {
		t.Fatal(err)
	}
	lines, n := srv.received()
	if len(lines) != 7 || n != 3 {
		t.Fatalf("%d lines in %d requests, want 7 in 3", len(lines), n)
	}
	for i, l := range lines {
		if !strings.Contains(l, fmt.Sprintf(`"attrs":{"n":%d}`, i)) || !strings.HasSuffix(l, "}") {
			t.Errorf("line %d: %s", i, l)
		}
	}
	st := sh.Stats()
	if st.Taken != 7 || st.Sent != 7 || st.Accepted != 7 || st.Pending != 0 || st.Failures != 0 {
		t.Errorf("stats %+v", st)
	}
	if _, err := sh.Write([]byte("{}\n")); !errors.Is(err, auditlog.ErrShipperClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	srv.check(t)
}

// TestShipperInterval: a batch that is not full goes once it has waited
// the interval.
func TestShipperInterval(t *testing.T) {
	srv := newEventsServer(t, "")
	sh := auditlog.NewShipper(srv.URL, &auditlog.ShipperOptions{Interval: 20 * time.Millisecond})
	defer sh.Close()
	sh.Write([]byte(`{"a":` + "\n")[:5]) // a line in two Writes
	sh.Write([]byte("1}\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if lines, _ := srv.received(); len(lines) == 1 {
			if lines[0] != `{"a":1}` {
				t.Errorf("got %q", lines[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the interval did not send the batch")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestShipperRejected: lines the server refuses are counted and reported,
// and not sent again; the others are delivered.
func TestShipperRejected(t *testing.T) {
	srv := newEventsServer(t, "")
	var mu sync.Mutex
	var got []string
	sh := auditlog.NewShipper(srv.URL, &auditlog.ShipperOptions{OnRejected: func(line []byte, reason string) {
		mu.Lock()
		got = append(got, string(line)+" | "+reason)
		mu.Unlock()
	}})
	for _, l := range []string{`{"a":1}`, `{"reject-me":2}`, `not json`, `{"a":3}`} {
		sh.Write([]byte(l + "\n"))
	}
	if err := sh.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := sh.Flush(); err != nil { // nothing left: nothing sent again
		t.Fatal(err)
	}
	sh.Close()
	lines, n := srv.received()
	if fmt.Sprint(lines) != `[{"a":1} {"a":3}]` || n != 1 {
		t.Errorf("server got %v in %d requests", lines, n)
	}
	if fmt.Sprint(got) != `[{"reject-me":2} | not a valid line not json | not a valid line]` {
		t.Errorf("OnRejected got %q", got)
	}
	if st := sh.Stats(); st.Rejected != 2 || st.Accepted != 2 || st.Sent != 4 {
		t.Errorf("stats %+v", st)
	}
}

// TestShipperFailure: a non-2xx answer is an error naming the status; the
// batch is kept and sent once the server is back; the token never shows.
func TestShipperFailure(t *testing.T) {
	srv := newEventsServer(t, "tok-Zx81")
	srv.failing.Store(true)
	sh := auditlog.NewShipper(srv.URL, &auditlog.ShipperOptions{Token: "tok-Zx81", CloseTimeout: 100 * time.Millisecond})
	sh.Write([]byte(`{"a":1}` + "\n"))
	err := sh.Flush()
	var se *auditlog.ShipError
	if !errors.As(err, &se) || se.Status != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Flush: %v, want a ShipError with 503", err)
	}
	if strings.Contains(err.Error(), "tok-Zx81") || strings.Contains(fmt.Sprintf("%+v", sh.Stats()), "tok-Zx81") {
		t.Errorf("the token shows: %v", err)
	}
	srv.failing.Store(false)
	if err := sh.Flush(); err != nil {
		t.Fatal(err)
	}
	if lines, _ := srv.received(); len(lines) != 1 {
		t.Errorf("server got %v", lines)
	}
	// Down at Close: given up after CloseTimeout, counted as lost.
	srv.failing.Store(true)
	sh.Write([]byte(`{"a":2}` + "\n"))
	err = sh.Close()
	if err == nil || !strings.Contains(err.Error(), "1 lines not sent") || sh.Stats().Lost != 1 {
		t.Errorf("Close: %v, stats %+v", err, sh.Stats())
	}

	// A server that is not there at all.
	sh2 := auditlog.NewShipper("http://127.0.0.1:1", &auditlog.ShipperOptions{Token: "tok-Zx81", CloseTimeout: time.Millisecond})
	sh2.Write([]byte(`{"a":1}` + "\n"))
	err = sh2.Flush()
	if !errors.As(err, &se) || se.Status != 0 || strings.Contains(err.Error(), "tok-Zx81") {
		t.Errorf("Flush to nowhere: %v", err)
	}
	sh2.Close()
}

// TestShipperPolicies runs the shipper behind an AsyncWriter under each
// policy while the server fails, then comes back: Block loses nothing,
// Drop loses exactly what it counts (and says so in a line that arrives),
// Fail refuses exactly what it does not deliver.
func TestShipperPolicies(t *testing.T) {
	const total = 200
	for _, policy := range []auditlog.Policy{auditlog.Block, auditlog.Drop, auditlog.Fail} {
		t.Run(policy.String(), func(t *testing.T) {
			srv := newEventsServer(t, "tok")
			srv.failing.Store(true)
			sh := auditlog.NewShipper(srv.URL, &auditlog.ShipperOptions{Token: "tok", BatchLines: 10, Interval: 10 * time.Millisecond})
			w := auditlog.NewAsyncWriter(sh, &auditlog.AsyncOptions{
				Policy: policy, BufferBytes: 4096, RetryMin: time.Millisecond, RetryMax: 10 * time.Millisecond,
				FlushTimeout: 10 * time.Second, Service: "billing",
			})
			h := auditlog.NewHandler(w, &auditlog.Options{Service: "billing"})
			var refused atomic.Int64
			wrote := make(chan struct{})
			go func() {
				defer close(wrote)
				for i := range total {
					if err := h.LogEvent(context.Background(), &auditlog.Event{Level: slog.LevelInfo, Message: fmt.Sprintf("charge %d", i)}); err != nil {
						refused.Add(1)
					}
				}
			}()
			deadline := time.Now().Add(10 * time.Second)
			for srv.failures.Load() < 3 {
				if time.Now().After(deadline) {
					t.Fatal("the shipper never reached the failing server")
				}
				time.Sleep(time.Millisecond)
			}
			if policy != auditlog.Block {
				<-wrote // neither Drop nor Fail waits for a failing destination
			}
			srv.failing.Store(false)
			<-wrote
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := sh.Close(); err != nil {
				t.Fatal(err)
			}
			lines, _ := srv.received()
			ours, reports := 0, 0
			last := -1
			for _, l := range lines {
				var n int
				if _, err := fmt.Sscanf(l[strings.Index(l, `"message":"`)+len(`"message":"`):], "charge %d", &n); err == nil {
					if n <= last {
						t.Errorf("line %d after %d: out of order", n, last)
					}
					last = n
					ours++
				} else if strings.Contains(l, "auditlog: dropped") {
					reports++
				}
			}
			st := w.Stats()
			t.Logf("%s: delivered %d, dropped %d, refused %d, reports %d, server failures %d", policy, ours, st.Dropped, refused.Load(), reports, srv.failures.Load())
			switch policy {
			case auditlog.Block:
				if ours != total || st.Dropped != 0 || refused.Load() != 0 {
					t.Errorf("Block: %d delivered, %d dropped, %d refused; want all %d delivered", ours, st.Dropped, refused.Load(), total)
				}
			case auditlog.Drop:
				if st.Dropped == 0 || ours+int(st.Dropped) != total || reports == 0 {
					t.Errorf("Drop: %d delivered + %d dropped != %d, or no report (%d)", ours, st.Dropped, total, reports)
				}
			case auditlog.Fail:
				if refused.Load() == 0 || ours+int(refused.Load()) != total || st.Dropped != 0 {
					t.Errorf("Fail: %d delivered + %d refused != %d (dropped %d)", ours, refused.Load(), total, st.Dropped)
				}
			}
			if ss := sh.Stats(); ss.Pending != 0 || ss.Lost != 0 || ss.Failures == 0 {
				t.Errorf("shipper stats %+v", ss)
			}
			srv.check(t)
		})
	}
}
