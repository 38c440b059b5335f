package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/ingest"
	"github.com/auditlog-go/auditlog/tools/serve"
)

func runIO(args []string, stdin string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, cli.IO{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--help"}, 0, "log-serve purge --age N"},
		{[]string{"purge", "--help"}, 0, "tacker-db-manage purge"},
		{[]string{"hash-token", "--help"}, 0, "SHA-256"},
		{[]string{"--nope"}, 2, "unknown flag: --nope"},
		{[]string{"stray"}, 2, `unexpected argument "stray"`},
		{[]string{"--keep", "outcome=failure"}, 2, "--keep goes with --retention"},
		{[]string{"--retention", "soon"}, 2, "--retention"},
		{[]string{"--retention", "90d", "--keep", "colour=red"}, 2, `parameter "colour": unknown parameter`},
		{[]string{"--db", "mysql://x"}, 1, "unknown scheme"},
		{[]string{"--tokens", "/nonexistent/tokens"}, 1, "--tokens"},
		{[]string{"purge"}, 2, "--age is required"},
		{[]string{"purge", "--age", "9", "--timeline", "weeks"}, 2, "want days, hours or minutes"},
		{[]string{"hash-token"}, 2, "give USER"},
		{[]string{"hash-token", "al ice"}, 2, "no spaces"},
	} {
		code, out, errs := runIO(tc.args, "")
		if code != tc.code || !strings.Contains(out+errs, tc.says) {
			t.Errorf("%v: exit %d, want %d, saying %q:\n%s%s", tc.args, code, tc.code, tc.says, out, errs)
		}
	}
}

func TestHashToken(t *testing.T) {
	code, out, errs := runIO([]string{"hash-token", "alice", "p-42", "member,reader"}, "a-long-enough-token\n")
	if code != 0 || strings.Contains(out+errs, "a-long-enough-token") {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	tok, err := serve.ParseTokens(strings.NewReader(out), "out")
	if err != nil {
		t.Fatal(err)
	}
	id, ok := tok.Lookup("a-long-enough-token")
	if !ok || id.User != "alice" || id.Project != "p-42" || strings.Join(id.Roles, ",") != "member,reader" {
		t.Errorf("%q: %+v %v", out, id, ok)
	}
	if code, _, errs := runIO([]string{"hash-token", "bob"}, "short\n"); code != 1 || !strings.Contains(errs, "shorter than 16") {
		t.Errorf("short token: %d %s", code, errs)
	}
	if code, _, errs := runIO([]string{"hash-token", "bob"}, ""); code != 1 || !strings.Contains(errs, "no token") {
		t.Errorf("no token: %d %s", code, errs)
	}
	// --new prints the token once, on stderr, and the line on stdout.
	code, out, errs = runIO([]string{"hash-token", "--new", "shipper", "-", "ingest"}, "")
	fresh := strings.TrimSpace(errs[strings.LastIndex(errs, ": ")+2:])
	tok, err = serve.ParseTokens(strings.NewReader(out), "out")
	if code != 0 || err != nil || strings.Contains(out, fresh) {
		t.Fatalf("--new: %d %v %q %q", code, err, out, errs)
	}
	if id, ok := tok.Lookup(fresh); !ok || id.Project != "" || !id.MayIngest() || id.Admin() {
		t.Errorf("--new: %+v %v", id, ok)
	}
}

// TestPurgeCommand stores real lines in an SQLite file and purges them
// the way Tacker's tacker-db-manage does.
func TestPurgeCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "events.db")
	st, err := events.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var evs []events.Event
	for _, l := range lines(t, 0, 30) { // of 2026-11-23: older than a minute
		e, err := ingest.Line(l)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	if _, err := st.Insert(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	st.Close()
	logFile := filepath.Join(t.TempDir(), "purge.log")
	code, out, errs := runIO([]string{"purge", "--db", db, "--age", "1", "--timeline", "minutes", "--dry-run", "--log", logFile, "--keep", "user_id=u1"}, "")
	if code != 0 || !strings.HasPrefix(out, "would remove 25 events older than 1 minutes") || !strings.Contains(out, "kept 5") {
		t.Fatalf("dry run: %d %q %s", code, out, errs)
	}
	code, out, errs = runIO([]string{"purge", "--db", db, "--age", "1", "--timeline", "minutes", "--log", logFile, "--keep", "user_id=u1"}, "")
	if code != 0 || !strings.HasPrefix(out, "removed 25 events") {
		t.Fatalf("purge: %d %q %s", code, out, errs)
	}
	b, _ := os.ReadFile(logFile)
	if n := bytes.Count(b, []byte(`"action":"purge"`)); n != 2 || !bytes.Contains(b, []byte(`"removed":25`)) {
		t.Errorf("purge log:\n%s", b)
	}
	code, out, _ = runIO([]string{"purge", "--db", db, "--age", "1", "--timeline", "minutes", "--log", logFile}, "")
	if code != 0 || !strings.HasPrefix(out, "removed 5 events") {
		t.Errorf("purge without keep: %d %q", code, out)
	}
}
