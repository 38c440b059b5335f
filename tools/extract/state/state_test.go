package state_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/state"
)

func write(t *testing.T, path, data string, flag int) os.FileInfo {
	t.Helper()
	f, err := os.OpenFile(path, flag|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return stat(t, path)
}

func stat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func load(t *testing.T, path string) *state.State {
	t.Helper()
	s, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run is one log-extract run over path: Start, "read" to the end, Commit
// and Save; it returns what Start said.
func run(t *testing.T, statePath, path string) (offset, lines int64, reason string) {
	t.Helper()
	s := load(t, statePath)
	fi := stat(t, path)
	offset, lines, reason = s.Start(path, fi)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := state.FileOf(path, fi)
	f.Offset = int64(len(data))
	f.Lines = int64(strings.Count(string(data), "\n"))
	f.Size = int64(len(data))
	s.Commit(f)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	return offset, lines, reason
}

const (
	line1 = "2017-05-16 00:00:05.123 25746 INFO nova.osapi_compute.wsgi.server [req-1 u p - - -] 10.0.0.1 \"POST /v2.1/p/servers HTTP/1.1\" status: 202\n"
	line2 = "2017-05-16 00:00:06.456 25746 INFO nova.osapi_compute.wsgi.server [req-2 u p - - -] 10.0.0.1 \"DELETE /v2.1/p/servers/x HTTP/1.1\" status: 204\n"
	line3 = "2017-05-16 00:00:07.789 25746 INFO nova.osapi_compute.wsgi.server [req-3 u p - - -] 10.0.0.1 \"GET /v2.1/p/servers HTTP/1.1\" status: 200\n"
)

type start struct {
	offset, lines int64
	reason        string
}

func check(t *testing.T, what string, got, want start) {
	t.Helper()
	if got != want {
		t.Errorf("%s: Start = %+v; want %+v", what, got, want)
	}
}

func TestNewResume(t *testing.T) {
	dir := t.TempDir()
	st, log := filepath.Join(dir, "state.json"), filepath.Join(dir, "nova-api.log")
	write(t, log, line1+line2, os.O_TRUNC)
	o, l, r := run(t, st, log)
	check(t, "first run", start{o, l, r}, start{0, 0, state.New})

	o, l, r = run(t, st, log)
	check(t, "nothing new", start{o, l, r}, start{int64(len(line1 + line2)), 2, state.Resume})

	write(t, log, line3, os.O_APPEND)
	o, l, r = run(t, st, log)
	check(t, "grown", start{o, l, r}, start{int64(len(line1 + line2)), 2, state.Resume})

	// A relative path from elsewhere is the same file.
	t.Chdir(dir)
	o, l, r = run(t, st, "nova-api.log")
	check(t, "relative path", start{o, l, r}, start{int64(len(line1 + line2 + line3)), 3, state.Resume})
}

func TestRotatedByRename(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "nova-api.log")
	// Each round: a run reads line1; line2 is written after it; then
	// rotation renames log to log.1 and starts a new log with line3.
	write(t, log+".1", line1, os.O_TRUNC)

	for _, newFirst := range []bool{true, false} {
		st := filepath.Join(dir, fmt.Sprintf("state-%v.json", newFirst))
		if err := os.Rename(log+".1", log); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(log, int64(len(line1))); err != nil {
			t.Fatal(err)
		}
		run(t, st, log)
		write(t, log, line2, os.O_APPEND)
		if err := os.Rename(log, log+".1"); err != nil {
			t.Fatal(err)
		}
		write(t, log, line3, os.O_TRUNC)
		// Either order: the glob may list the new file first.
		if newFirst {
			o, l, r := run(t, st, log)
			check(t, "the new file", start{o, l, r}, start{0, 0, state.Rotated})
		}
		o, l, r := run(t, st, log+".1")
		check(t, "the old file, renamed", start{o, l, r}, start{int64(len(line1)), 1, state.Renamed})
		if !newFirst {
			o, l, r := run(t, st, log)
			check(t, "the new file", start{o, l, r}, start{0, 0, state.Rotated})
		}
		o, l, r = run(t, st, log+".1")
		check(t, "the old file, again", start{o, l, r}, start{int64(len(line1 + line2)), 2, state.Resume})
		o, l, r = run(t, st, log)
		check(t, "the new file, again", start{o, l, r}, start{int64(len(line3)), 1, state.Resume})
	}
}

// TestInodeReused: a new file that happens to get the inode of a recorded
// one is new unless its first bytes are the recorded file's too.
func TestInodeReused(t *testing.T) {
	dir := t.TempDir()
	st, log := filepath.Join(dir, "state.json"), filepath.Join(dir, "nova-api.log")
	fi := write(t, log, line1+line2, os.O_TRUNC)
	s := load(t, st)
	f := state.FileOf(filepath.Join(dir, "deleted.log"), fi) // same inode, another path
	f.Offset, f.Lines, f.HeadBytes, f.HeadSHA256 = 50, 1, 10, strings.Repeat("0", 64)
	s.Commit(f)
	if o, l, r := s.Start(log, fi); r != state.New || o != 0 || l != 0 {
		t.Errorf("Start = %d, %d, %q; want new", o, l, r)
	}
}

func TestTruncated(t *testing.T) {
	dir := t.TempDir()
	st, log := filepath.Join(dir, "state.json"), filepath.Join(dir, "nova-api.log")
	write(t, log, line1+line2, os.O_TRUNC)
	run(t, st, log)

	// Emptied in place (copytruncate) and a line written: shorter.
	write(t, log, line3, os.O_TRUNC)
	o, l, r := run(t, st, log)
	check(t, "shorter", start{o, l, r}, start{0, 0, state.Truncated})

	// Emptied in place and written past the old offset before the run:
	// the size says nothing, the first bytes do.
	write(t, log, line1+line2+line3, os.O_TRUNC)
	run(t, st, log)
	write(t, log, line3+line2+line1+line1, os.O_TRUNC)
	o, l, r = run(t, st, log)
	check(t, "rewritten and longer", start{o, l, r}, start{0, 0, state.Truncated})
}

// TestSmallFileGrows: a file shorter than the fingerprint at first is
// still recognised when it has grown, and its fingerprint grows with it.
func TestSmallFileGrows(t *testing.T) {
	dir := t.TempDir()
	st, log := filepath.Join(dir, "state.json"), filepath.Join(dir, "nova-api.log")
	write(t, log, line1, os.O_TRUNC)
	run(t, st, log)
	for i := range 20 {
		write(t, log, line2, os.O_APPEND)
		o, l, r := run(t, st, log)
		check(t, "grown", start{o, l, r}, start{int64(len(line1) + i*len(line2)), int64(1 + i), state.Resume})
	}
	f, _ := load(t, st).Get(log)
	if f.HeadBytes != 1024 {
		t.Errorf("HeadBytes = %d; want 1024 once the file is longer", f.HeadBytes)
	}
}

// TestCompressed: a gzip file's offset is in the decompressed stream, so
// it may exceed the file's size without meaning truncation.
func TestCompressed(t *testing.T) {
	dir := t.TempDir()
	st, gz := filepath.Join(dir, "state.json"), filepath.Join(dir, "nova-api.log.1.gz")
	f, err := os.Create(gz)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	text := strings.Repeat(line1+line2+line3, 50)
	zw.Write([]byte(text))
	zw.Close()
	f.Close()
	fi := stat(t, gz)

	s := load(t, st)
	if _, _, r := s.Start(gz, fi); r != state.New {
		t.Fatalf("Start = %q", r)
	}
	rec := state.FileOf(gz, fi)
	rec.Offset, rec.Lines, rec.Compressed = int64(len(text)), 150, true
	if rec.Offset <= rec.Size {
		t.Fatalf("test broken: %d decompressed bytes, %d compressed", rec.Offset, rec.Size)
	}
	s.Commit(rec)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	o, l, r := load(t, st).Start(gz, fi)
	check(t, "compressed", start{o, l, r}, start{int64(len(text)), 150, state.Resume})
}

func TestSaveIsAtomicAndVersioned(t *testing.T) {
	dir := t.TempDir()
	st, log := filepath.Join(dir, "state.json"), filepath.Join(dir, "nova-api.log")
	write(t, log, line1, os.O_TRUNC)
	run(t, st, log)
	data, err := os.ReadFile(st)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version int              `json:"version"`
		Files   []map[string]any `json:"files"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Version != 1 || len(doc.Files) != 1 || doc.Files[0]["path"] != log || doc.Files[0]["offset"] != float64(len(line1)) {
		t.Fatalf("state file %s (%v)", data, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left: %v", entries)
	}

	// A Save that cannot rename (a directory has taken the name) fails,
	// leaves no temporary file, and leaves the other state alone.
	later := filepath.Join(dir, "later.json")
	s := load(t, later)
	if err := os.MkdirAll(filepath.Join(later, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.Commit(state.File{Path: log, Offset: 1})
	if err := s.Save(); err == nil {
		t.Error("Save over a directory succeeded")
	}
	if after, _ := os.ReadFile(st); string(after) != string(data) {
		t.Errorf("the state changed under a failed Save")
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("temporary files left: %v", entries)
	}
	if _, err := state.Load(later); err == nil {
		t.Error("Load of a directory succeeded")
	}
}

func TestCorrupt(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ data, say string }{
		"garbage":   {"not json", "not a log-extract state file"},
		"empty":     {"", "not a log-extract state file"},
		"torn":      {`{"version":1,"files":[{"path":"/x","off`, "not a log-extract state file"},
		"unknown":   {`{"version":1,"files":[],"extra":1}`, "not a log-extract state file"},
		"negative":  {`{"version":1,"files":[{"path":"/x","offset":-1}]}`, "negative"},
		"version 2": {`{"version":2,"files":[]}`, "has version 2; this log-extract reads version 1"},
		"trailing":  {`{"version":1,"files":[]} {}`, "data after"},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(p, []byte(c.data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := state.Load(p)
		if err == nil || !strings.Contains(err.Error(), c.say) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v; want it to name the file and say %q", name, err, c.say)
		}
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	s := load(t, filepath.Join(dir, "state.json"))
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Commit(state.File{Path: "/var/log/nova/nova-api.log.9", Updated: old})
	s.Commit(state.File{Path: "/var/log/nova/nova-api.log"})
	if n := s.Prune(old.Add(time.Hour)); n != 1 {
		t.Errorf("Prune = %d; want 1", n)
	}
	if fs := s.Files(); len(fs) != 1 || fs[0].Path != "/var/log/nova/nova-api.log" {
		t.Errorf("Files = %+v", fs)
	}
}
