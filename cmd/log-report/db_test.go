package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/ingest"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

const fixture = "../../tools/report/testdata/fixture.jsonl.gz"

// fillStore puts the fixture's lines, and two oslo.log text records (one
// with a traceback), into a log-serve store, as log-serve's ingest does.
func fillStore(t *testing.T, dsn string) {
	t.Helper()
	st, err := events.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var batch []events.Event
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		ev, err := ingest.Line(sc.Bytes())
		if err != nil {
			t.Fatalf("fixture line not ingested: %v", err)
		}
		batch = append(batch, ev)
	}
	g := oslolog.NewGrouper(nil)
	for i, l := range textLines {
		if rec, ok := g.Add("nova-api.log", int64(i+1), []byte(l)); ok {
			batch = append(batch, ingest.Text(rec))
		}
	}
	if rec, ok := g.Flush(); ok {
		batch = append(batch, ingest.Text(rec))
	}
	if _, err := st.Insert(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

var textLines = []string{
	`2026-11-23 14:05:00.000 4470 INFO nova.osapi_compute.wsgi.server [req-t1 u-text p-text - - -] 10.0.0.9 "GET /v2.1/servers/detail HTTP/1.1" status: 200 len: 10 time: 0.25`,
	`2026-11-23 14:06:00.000 4470 ERROR nova.api.openstack [req-t2 u-text p-text - - -] Caught error: boom`,
	`2026-11-23 14:06:00.000 4470 ERROR nova.api.openstack Traceback (most recent call last):`,
	`2026-11-23 14:06:00.000 4470 ERROR nova.api.openstack   File "x.py", line 1, in f`,
	`2026-11-23 14:06:00.000 4470 ERROR nova.api.openstack ConnectionRefused: Unable to establish connection`,
}

// TestDBAgreesWithFiles: a report of log-serve's store is the report of
// the same lines read from files.
func TestDBAgreesWithFiles(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "nova-api.log")
	var b bytes.Buffer
	for _, l := range textLines {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(text, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sqlite := filepath.Join(dir, "events.db")
	fillStore(t, sqlite)
	_, pg := dbtest.PostgresSchema(t, "logreport")
	fillStore(t, pg)
	for _, report := range [][]string{
		{"users", "-o", "json", "--section", "daily", "--section", "top-actions"},
		{"perf", "-o", "json", "--section", "route"},
		{"exceptions", "-o", "json", "--section", "by-type", "--section", "before-after"},
		{"forensics", "-o", "json", "--around", "2026-11-23T14:00:00Z", "--window", "30m", "--section", "failed", "--section", "denied"},
	} {
		want := runOK(t, append(report, fixture, text))
		for name, dsn := range map[string]string{"sqlite": sqlite, "postgres": pg} {
			got := runOK(t, append(report, "--db", dsn))
			if !bytes.Equal(sections(t, got), sections(t, want)) {
				t.Errorf("%s %s: the store's report differs from the files'\nfiles: %s\nstore: %s", name, report[0], sections(t, want), sections(t, got))
			}
		}
	}
}

func runOK(t *testing.T, args []string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(args, cli.IO{In: bytes.NewReader(nil), Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}); code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
	}
	return out.Bytes()
}

// sections is the "sections" part of a JSON report (the input counts of a
// store and of files differ: a store holds events, files lines).
func sections(t *testing.T, js []byte) []byte {
	t.Helper()
	i := bytes.Index(js, []byte(`"sections"`))
	if i < 0 {
		t.Fatalf("no sections in %s", js)
	}
	return js[i:]
}
