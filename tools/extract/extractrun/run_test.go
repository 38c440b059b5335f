package extractrun

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/state"
	"github.com/auditlog-go/auditlog/tools/extract/store"
	"github.com/auditlog-go/auditlog/tools/input"
)

// creates is a nova-api log (Kilo's text format) of n create requests, one
// every 100 ms of log time, each its instance's DEBUG line and its access
// line, and a GET two minutes later that closes every create's window, so
// that an incremental run emits them all. (The command's tests generate the
// same log; see cmd/log-extract/gen_test.go.)
func creates(n int) string {
	start := time.Date(2015, 11, 12, 10, 0, 0, 123e6, time.UTC)
	var b strings.Builder
	for i := range n {
		ts := start.Add(time.Duration(i) * 100 * time.Millisecond).Format("2006-01-02 15:04:05.000")
		ctx := fmt.Sprintf("[req-%08x-1a2b-4c3d-8e4f-%012x %032x %032x - - -]", i, i, 0xa0+i%7, 0xb0+i%3)
		fmt.Fprintf(&b, "%s 4567 DEBUG nova.compute.api %s [instance: %s] block_device_mapping [] _update_block_device_mapping /usr/lib/python2.7/site-packages/nova/compute/api.py:1150\n", ts, ctx, instance(i))
		fmt.Fprintf(&b, "%s 4567 INFO nova.osapi_compute.wsgi.server %s 10.0.0.1 \"POST /v2/%032x/servers HTTP/1.1\" status: 202 len: 733 time: 0.1\n", ts, ctx, 0xb0+i%3)
	}
	ts := start.Add(time.Duration(n)*100*time.Millisecond + 2*time.Minute).Format("2006-01-02 15:04:05.000")
	b.WriteString(ts + " 4567 INFO nova.osapi_compute.wsgi.server [-] 10.0.0.1 \"GET /v2/servers/detail HTTP/1.1\" status: 200 len: 15 time: 0.01\n")
	return b.String()
}

func instance(i int) string { return fmt.Sprintf("%08x-5e1f-4c2d-9a3b-%012x", i, i) }

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	name = filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// config is a run of the command's defaults over names.
func config(names ...string) Config {
	return Config{
		Names:   names,
		Extract: extract.Options{Mode: "vm", IncludeDelete: true, Now: time.Now, Input: input.Options{Stdin: strings.NewReader("")}},
	}
}

func run(t *testing.T, ctx context.Context, c Config) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(ctx, c, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	return out.String(), errb.String(), err
}

// TestRunJSONLines: without a database the actions are JSON lines on Out,
// and the summary on Err says so.
func TestRunJSONLines(t *testing.T) {
	api := writeFile(t, "nova-api.log", creates(10))
	stdout, stderr, err := run(t, context.Background(), config(api))
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, stderr)
	}
	if n := strings.Count(stdout, `"action":"create"`); n != 10 {
		t.Errorf("%d creates on stdout, want 10:\n%s", n, stdout)
	}
	for _, want := range []string{"log-extract: vm mode, 1 file(s), 21 lines, 21 records, in ", "  actions: 10 (create 10)\n",
		"  written to standard output (JSON lines): 10\n", "  malformed lines skipped: 0\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	c := config(api)
	c.Quiet = true
	if _, stderr, err := run(t, context.Background(), c); err != nil || stderr != "" {
		t.Errorf("quiet: %v, stderr %q", err, stderr)
	}
}

// TestRunBatchesAndState: into SQLite in batches, with a read state that
// ends where the file does, compressed or not; a second run reads on from
// there, finds nothing new and says why it started where it did.
func TestRunBatchesAndState(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(creates(4)))
	zw.Close()
	plain := writeFile(t, "nova-api.log", creates(10))
	packed := writeFile(t, "nova-api.log.1.gz", gz.String())
	dir := t.TempDir()
	c := config(packed, plain)
	c.DSN = filepath.Join(dir, "actions.db")
	c.StatePath = filepath.Join(dir, "state.json")
	c.BatchSize = 3
	stdout, stderr, err := run(t, context.Background(), c)
	if err != nil || stdout != "" {
		t.Fatalf("Run: %v, stdout %q\n%s", err, stdout, stderr)
	}
	// The creates of both files have the same request ids: 10 distinct.
	for _, want := range []string{"  read state: " + packed + " (new), " + plain + " (new)\n",
		"  stored: 10 new, 4 already stored (14 written in 5 batch(es))\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	st, err := state.Load(c.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{plain: creates(10), packed: creates(4)} {
		f, ok := st.Get(name)
		compressed := name == packed
		if !ok || f.Offset != int64(len(body)) || f.Lines != int64(strings.Count(body, "\n")) || f.Compressed != compressed {
			t.Errorf("state of %s: %+v (found %v), want offset %d, %d lines, compressed %v",
				name, f, ok, len(body), strings.Count(body, "\n"), compressed)
		}
	}

	_, stderr, err = run(t, context.Background(), c)
	if err != nil {
		t.Fatalf("second Run: %v\n%s", err, stderr)
	}
	for _, want := range []string{"  read state: " + packed + " (resume), " + plain + " (resume)\n", "  actions: 0\n",
		"  stored: 0 new, 0 already stored (0 written in 0 batch(es))\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("second summary lacks %q:\n%s", want, stderr)
		}
	}
}

// TestRunStoreFails: a batch the database refuses stops the run with what
// was stored before it counted, the summary naming the batch, and the read
// state no further than the stored batches: the refused batch and the rest
// are read again by the next run.
func TestRunStoreFails(t *testing.T) {
	api := writeFile(t, "nova-api.log", creates(30))
	dir := t.TempDir()
	c := config(api)
	c.DSN = filepath.Join(dir, "actions.db")
	c.StatePath = filepath.Join(dir, "state.json")
	c.BatchSize = 4
	// Create the table from an empty input, then refuse the 15th create
	// (in the fourth batch).
	empty := c
	empty.Names, empty.StatePath = []string{os.DevNull}, ""
	if _, stderr, err := run(t, context.Background(), empty); err != nil {
		t.Fatalf("creating the table: %v\n%s", err, stderr)
	}
	db, err := sql.Open("sqlite", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	table := store.DefaultTable("vm")
	if _, err := db.Exec(`CREATE TRIGGER boom BEFORE INSERT ON ` + table + ` WHEN NEW.resource = '` + instance(14) +
		`' BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}

	_, stderr, err := run(t, context.Background(), c)
	var stopped *StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("Run: %v (%T), want a StoppedError\n%s", err, err, stderr)
	}
	var be *store.BatchError
	if !errors.As(err, &be) || be.Batch != 4 {
		t.Errorf("Run: %v, want batch 4 refused", err)
	}
	if stopped.Written != 12 || stopped.Batches != 3 || !stopped.Incremental {
		t.Errorf("stopped after %d actions in %d batches (incremental %v), want 12 in 3 with a state", stopped.Written, stopped.Batches, stopped.Incremental)
	}
	for _, want := range []string{"  stored: 12 new, 0 already stored (12 written in 3 batch(es))\n", "  stopped at batch 4\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	st, err := state.Load(c.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	// The third batch ends with the 12th create (request 11), whose access
	// line is line 24; the checkpoint saved with it is no further than
	// the 15th request's first line, which the next run must read again.
	f, ok := st.Get(api)
	firstOf14 := int64(strings.Index(creates(30), "[req-0000000e-"))
	firstOf14 = int64(strings.LastIndex(creates(30)[:firstOf14], "\n") + 1)
	if !ok || f.Offset == 0 || f.Offset > firstOf14 {
		t.Errorf("state after the failure: %+v (found %v), want 0 < offset <= %d", f, ok, firstOf14)
	}

	// Once the database takes it, the next run stores the rest, from there.
	if _, err := db.Exec(`DROP TRIGGER boom`); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = run(t, context.Background(), c)
	if err != nil || !strings.Contains(stderr, api+" (resume)") {
		t.Fatalf("re-run: %v\n%s", err, stderr)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 30 {
		t.Errorf("after the re-run the table holds %d rows (%v), want 30", n, err)
	}
}

// TestRunInterrupted: a run whose context is done stops with ctx's error
// in a StoppedError and stores nothing more.
func TestRunInterrupted(t *testing.T) {
	api := writeFile(t, "nova-api.log", creates(10))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stdout, _, err := run(t, ctx, config(api))
	var stopped *StoppedError
	if !errors.As(err, &stopped) || !errors.Is(err, context.Canceled) || stopped.Written != 0 {
		t.Errorf("Run: %v (%T), want a StoppedError of context.Canceled with nothing written", err, err)
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
}

// TestRunUnreadable: an input that cannot be read is reported as it is met
// and the others are read to the end; the run ends in ErrUnreadable.
func TestRunUnreadable(t *testing.T) {
	api := writeFile(t, "nova-api.log", creates(3))
	missing := filepath.Join(t.TempDir(), "gone.log")
	stdout, stderr, err := run(t, context.Background(), config(missing, api))
	if !errors.Is(err, ErrUnreadable) {
		t.Errorf("Run: %v, want ErrUnreadable", err)
	}
	if !strings.HasPrefix(stderr, "log-extract: ") || !strings.Contains(strings.SplitN(stderr, "\n", 2)[0], "gone.log") {
		t.Errorf("stderr does not start with the unreadable file:\n%s", stderr)
	}
	if n := strings.Count(stdout, "\n"); n != 3 {
		t.Errorf("%d actions from the readable file, want 3", n)
	}
}

// TestRunWillNotOpen: a read state or a store that cannot be opened stops
// the run before anything is read, with a plain error.
func TestRunWillNotOpen(t *testing.T) {
	api := writeFile(t, "nova-api.log", creates(3))
	badState := config(api)
	badState.StatePath = writeFile(t, "state.json", "not json")
	badStore := config(api)
	badStore.DSN = filepath.Join(t.TempDir(), "no", "such", "dir", "a.db")
	for name, c := range map[string]Config{"state": badState, "store": badStore} {
		stdout, stderr, err := run(t, context.Background(), c)
		var stopped *StoppedError
		if err == nil || errors.As(err, &stopped) || errors.Is(err, ErrUnreadable) || stdout != "" || stderr != "" {
			t.Errorf("%s: Run: %v (%T), stdout %q, stderr %q; want a plain error and nothing written", name, err, err, stdout, stderr)
		}
	}
}

// TestResume: the note says whether a re-run resumes from the read state
// or stores again what was not stored.
func TestResume(t *testing.T) {
	e := &StoppedError{Err: errors.New("x"), Written: 7, Batches: 2}
	if got, want := e.Resume(), "7 actions in 2 batches were stored before the failure; re-running stores the rest, and what is already stored is not stored twice"; got != want {
		t.Errorf("without state: %q, want %q", got, want)
	}
	e.Incremental = true
	if got, want := e.Resume(), "7 actions in 2 batches were stored before the failure; the read state covers only what was stored, so a re-run resumes there"; got != want {
		t.Errorf("with state: %q, want %q", got, want)
	}
	if e.Error() != "x" || !errors.Is(e, e.Err) {
		t.Errorf("Error %q, Unwrap does not reach the cause", e.Error())
	}
}
