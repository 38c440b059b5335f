package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// ourLine is one of our lines, unique by i.
func ourLine(i int) string {
	return fmt.Sprintf(`{"kind":"log","level":"INFO","message":"line %d","schema_version":1,"seq":%d,"service":"follow-test","timestamp":"2026-03-14T09:26:53.%06dZ"}`, i, i+1, i%1000000)
}

func openSQLite(t *testing.T) (events.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := events.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// stored returns every event in s, in time order, failing on a
// duplicate ID.
func stored(t *testing.T, s events.Store) []events.Event {
	t.Helper()
	var all []events.Event
	seen := map[string]bool{}
	q := events.Query{Scope: events.Scope{All: true}, Limit: events.MaxLimit}
	for {
		p, err := s.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range p.Events {
			if seen[ev.ID] {
				t.Fatalf("event %s listed twice", ev.ID)
			}
			seen[ev.ID] = true
		}
		all = append(all, p.Events...)
		if p.Next.IsZero() {
			return all
		}
		q.After = p.Next
	}
}

// syncBuffer is a log sink the follower's goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a follower started by start.
type running struct {
	f    *Follower
	stop func() error
	log  *syncBuffer
}

func start(t *testing.T, s events.Store, paths []string, opts FollowOptions) *running {
	t.Helper()
	logs := &syncBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 10 * time.Millisecond
	}
	if opts.BatchWait == 0 {
		opts.BatchWait = 10 * time.Millisecond
	}
	if opts.TextHold == 0 {
		opts.TextHold = 100 * time.Millisecond
	}
	if opts.RetryMin == 0 {
		opts.RetryMin, opts.RetryMax = 10*time.Millisecond, 100*time.Millisecond
	}
	f := NewFollower(s, paths, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = fmt.Errorf("the follower did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return &running{f: f, stop: stop, log: logs}
}

// waitFor waits until cond holds, failing after a while with what.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func appendTo(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
}

func ourLines(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, ourLine(i))
	}
	return out
}

// TestFollowFormats: one file holding our lines, oslo.log JSON lines from
// the real library, an oslo.log text record with its traceback, and bad
// lines; each record is one event of its format, the bad lines are
// counted and logged with file:line, and the follow goes on.
func TestFollowFormats(t *testing.T) {
	s, _ := openSQLite(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "mixed.log")
	oslo := osloLines(t)
	text := []string{
		"2015-10-29 10:51:13.294 4470 ERROR nova.api.openstack [req-e4f9 u-1 p-1 - - -] Caught error: boom",
		"2015-10-29 10:51:13.294 4470 TRACE nova.api.openstack Traceback (most recent call last):",
		"2015-10-29 10:51:13.294 4470 TRACE nova.api.openstack   File \"x.py\", line 1, in f",
		"2015-10-29 10:51:13.294 4470 TRACE nova.api.openstack ValueError: boom",
		"2015-10-29 10:51:14.001 4470 INFO nova.osapi_compute.wsgi.server [req-e4f9 u-1 p-1 - - -] 10.0.0.1 \"GET /v2/servers HTTP/1.1\" status: 500",
	}
	appendTo(t, path, ourLine(1), "not a log line at all", string(oslo[0]))
	r := start(t, s, []string{path}, FollowOptions{})
	appendTo(t, path, text...)
	appendTo(t, path, `{"kind":"log","level":"LOUD","message":"x","schema_version":1,"service":"s"}`, string(oslo[2]), ourLine(2))
	waitFor(t, "6 events", func() bool { return r.f.Stats().Inserted == 6 })
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	st := r.f.Stats()
	if st.Bad != 2 || st.Lines != 11 || st.Events != 6 {
		t.Errorf("stats %+v, want 11 lines, 6 events, 2 bad", st)
	}
	for _, want := range []string{
		`at=` + path + `:2 reason="` + errNotRecord.Error(),
		`at=` + path + `:9 reason="schema: invalid audit line: does not match the schema: at /level`,
	} {
		if !strings.Contains(r.log.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, r.log.String())
		}
	}
	evs := stored(t, s)
	formats := map[string]int{}
	var exc events.Event
	for _, ev := range evs {
		formats[ev.Format+"/"+ev.Kind]++
		if ev.Format == events.FormatOsloText && ev.Kind == "exception" {
			exc = ev
		}
	}
	want := map[string]int{"audit/log": 2, "oslo-json/log": 1, "oslo-json/exception": 1, "oslo-text/exception": 1, "oslo-text/log": 1}
	if fmt.Sprint(formats) != fmt.Sprint(want) {
		t.Errorf("stored %v, want %v", formats, want)
	}
	if string(exc.Raw) != strings.Join(text[:4], "\n") || exc.RequestID != "req-e4f9" || exc.UserID != "u-1" || exc.Level != "ERROR" {
		t.Errorf("the text exception: %+v\n%s", exc, exc.Raw)
	}
}

// TestFollowRotation: a file renamed away and replaced (logrotate's
// create), with lines written to the old one after the rename, then the
// new one truncated in place (copytruncate) and written again: every line
// is stored, once.
func TestFollowRotation(t *testing.T) {
	s, _ := openSQLite(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	appendTo(t, path, ourLines(0, 100)...)
	r := start(t, s, []string{path}, FollowOptions{BatchLines: 30})
	waitFor(t, "the first 100", func() bool { return r.f.Stats().Inserted == 100 })

	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path+".1", ourLines(100, 110)...) // the writer has not reopened yet
	appendTo(t, path, ourLines(110, 150)...)
	waitFor(t, "150 after the rotation", func() bool { return r.f.Stats().Inserted == 150 })

	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, ourLines(150, 160)...)
	waitFor(t, "160 after the truncation", func() bool { return r.f.Stats().Inserted == 160 })
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(stored(t, s)); n != 160 {
		t.Errorf("%d events stored, want 160", n)
	}
	if st := r.f.Stats(); st.Bad != 0 || st.Duplicates != 0 {
		t.Errorf("stats %+v: want no bad line and no duplicate", st)
	}
}

// TestFollowRestart: a follower stopped and started again reads on from
// the saved offset (nothing lost, nothing stored twice), a text record
// still open at the stop is read again whole, and a file replaced while
// no follower ran is read from its start.
func TestFollowRestart(t *testing.T) {
	s, _ := openSQLite(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	other := filepath.Join(dir, "other.log")
	appendTo(t, path, ourLines(0, 50)...)
	appendTo(t, other, ourLines(1000, 1010)...)
	// The last record is text, held open for its traceback.
	appendTo(t, path, "2015-10-29 10:51:14.001 4470 INFO nova.api [req-1 - - - - -] held open")
	r := start(t, s, []string{path, other}, FollowOptions{TextHold: time.Hour})
	waitFor(t, "60", func() bool { return r.f.Stats().Inserted == 60 })
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	o, ok, err := s.Offset(context.Background(), path)
	if err != nil || !ok {
		t.Fatalf("no offset saved for %s: %v", path, err)
	}
	fi, _ := os.Stat(path)
	if o.Line != 50 || o.Offset >= fi.Size() || !strings.HasPrefix(o.Checksum, "sha256:1024:") || o.Inode == 0 {
		t.Errorf("saved %+v: want line 50, before the open record, a KiB checksum and an inode", o)
	}

	appendTo(t, path, ourLines(50, 80)...)
	// other.log grows, then is replaced by a new file, while no follower
	// runs: the 5 lines it got are read from other.log.1 first.
	appendTo(t, other, ourLines(1010, 1015)...)
	if err := os.Rename(other, other+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, other, ourLines(2000, 2005)...)
	r2 := start(t, s, []string{path, other}, FollowOptions{})
	// 30 new of ours, the held record, the 5 left in other.log.1 and the
	// 5 of the new other.log.
	waitFor(t, "41 more", func() bool { return r2.f.Stats().Inserted == 41 })
	if err := r2.stop(); err != nil {
		t.Fatal(err)
	}
	if st := r2.f.Stats(); st.Duplicates != 0 || st.Bad != 0 || st.Lines != 41 {
		t.Errorf("second run %+v: want 41 lines read, no duplicate, no bad line", st)
	}
	if n := len(stored(t, s)); n != 101 {
		t.Errorf("%d events stored, want 101", n)
	}
	for _, want := range []string{`msg="ingest: resuming" file=` + path + " offset=", `msg="ingest: file rotated since the last run; reading the new one from the start" file=` + other,
		`msg="ingest: reading the rest of the rotated file first" file=` + other + ".1 offset="} {
		if !strings.Contains(r2.log.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, r2.log.String())
		}
	}

	// Truncated and rewritten while down: from the start.
	if err := os.WriteFile(path, []byte(ourLine(3000)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r3 := start(t, s, []string{path}, FollowOptions{})
	waitFor(t, "the rewritten line", func() bool { return r3.f.Stats().Inserted == 1 })
	r3.stop()
	if !strings.Contains(r3.log.String(), "truncated or rewritten") {
		t.Errorf("the log does not say the file was truncated:\n%s", r3.log.String())
	}
}

// TestFollowDuplicatesAbsorbed: offsets lost (a crash between Insert and
// SaveOffset) make a follower read lines again; the store keeps one copy.
func TestFollowDuplicatesAbsorbed(t *testing.T) {
	s, _ := openSQLite(t)
	path := filepath.Join(t.TempDir(), "app.log")
	appendTo(t, path, ourLines(0, 40)...)
	r := start(t, s, []string{path}, FollowOptions{})
	waitFor(t, "40", func() bool { return r.f.Stats().Inserted == 40 })
	r.stop()
	// As if the last SaveOffset had not happened: back to line 10.
	o, _, _ := s.Offset(context.Background(), path)
	o.Offset, o.Line = 0, 10
	for _, l := range ourLines(0, 10) {
		o.Offset += int64(len(l) + 1)
	}
	o.Checksum = "" // taken of fewer bytes than a KiB: none
	if err := s.SaveOffset(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	r2 := start(t, s, []string{path}, FollowOptions{})
	waitFor(t, "30 re-read", func() bool { return r2.f.Stats().Duplicates == 30 })
	r2.stop()
	if n := len(stored(t, s)); n != 40 {
		t.Errorf("%d events stored, want 40", n)
	}
}
