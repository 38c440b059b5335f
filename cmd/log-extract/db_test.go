package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// backend is one database the command writes to in these tests.
type backend struct {
	name string
	dsn  string // what log-extract is given
	// via is dsn rewritten to reach the server through a proxy at addr
	// (nil for SQLite, which has no server).
	via  func(addr string) string
	addr string // the server's host:port
	// driver and direct open the test's own connection, to look at the
	// table without the command.
	driver, direct string
}

func sqliteBackend(t *testing.T) *backend {
	path := filepath.Join(t.TempDir(), "actions.db")
	return &backend{name: "SQLite", dsn: path, driver: "sqlite", direct: path + "?_pragma=busy_timeout(10000)"}
}

func postgresBackend(t *testing.T) *backend {
	dsn := dbtest.PostgresDSN()
	i := strings.Index(dsn, "://")
	if i < 0 {
		t.Fatalf("AUDITLOG_TEST_POSTGRES_DSN %q: want the postgres://user@host:port/db form", dsn)
	}
	rest := dsn[i+3:]
	at := strings.LastIndex(rest, "@") + 1
	end := at + strings.IndexAny(rest[at:], "/?")
	if end < at {
		t.Fatalf("cannot find the host in %q", dsn)
	}
	b := &backend{
		name:   "PostgreSQL",
		dsn:    dsn,
		via:    func(addr string) string { return dsn[:i+3] + rest[:at] + addr + rest[end:] },
		addr:   rest[at:end],
		driver: "pgx",
		direct: dsn,
	}
	dbtest.Reachable(t, b.name, b.driver, b.direct, dbtest.StartPostgres)
	return b
}

func mariadbBackend(t *testing.T) *backend {
	native := dbtest.MySQLDSN()
	cfg, err := mysql.ParseDSN(native)
	if err != nil || cfg.Net != "tcp" {
		t.Fatalf("AUDITLOG_TEST_MYSQL_DSN %q: want the user@tcp(host:port)/db form (%v)", native, err)
	}
	b := &backend{
		name: "MariaDB",
		dsn:  native,
		via: func(addr string) string {
			c := cfg.Clone()
			c.Addr = addr
			return c.FormatDSN()
		},
		addr:   cfg.Addr,
		driver: "mysql",
		direct: native,
	}
	dbtest.Reachable(t, b.name, b.driver, b.direct, dbtest.StartMariaDB)
	return b
}

// asyncmyBackend is the MariaDB server reached by the seed's
// SQLAlchemy-style DSN, mysql+asyncmy://user:pass@host:3306/db?charset=utf8mb4.
func asyncmyBackend(t *testing.T) *backend {
	b := mariadbBackend(t)
	cfg, _ := mysql.ParseDSN(b.dsn)
	b.name = "MariaDB (mysql+asyncmy DSN)"
	b.dsn = fmt.Sprintf("mysql+asyncmy://%s:%s@%s/%s?charset=utf8mb4", cfg.User, cfg.Passwd, cfg.Addr, cfg.DBName)
	b.via = nil
	return b
}

// table is one test's table, with a connection of the test's own to it.
type table struct {
	b    *backend
	name string
	db   *sql.DB
}

// newTable names a table no other test (of this package or another, on the
// shared servers) uses, and drops it when the test ends.
func newTable(t *testing.T, b *backend) *table {
	t.Helper()
	db, err := sql.Open(b.driver, b.direct)
	if err != nil {
		t.Fatal(err)
	}
	tb := &table{b: b, name: dbtest.UniqueTable("lextest"), db: db}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + tb.name); err != nil {
			t.Errorf("dropping %s: %v", tb.name, err)
		}
		db.Close()
	})
	return tb
}

// count returns the rows of the table; err is set when it is not there yet.
func (tb *table) countErr() (int, error) {
	var n int
	err := tb.db.QueryRow("SELECT count(*) FROM " + tb.name).Scan(&n)
	return n, err
}

func (tb *table) count(t *testing.T) int {
	t.Helper()
	n, err := tb.countErr()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// keys counts the distinct (resource, action, ts) of the table: equal to
// count when nothing is there twice.
func (tb *table) keys(t *testing.T) int {
	t.Helper()
	var n int
	if err := tb.db.QueryRow("SELECT count(*) FROM (SELECT DISTINCT resource, action, ts FROM " + tb.name + ") k").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// byAction counts the rows of each action.
func (tb *table) byAction(t *testing.T) map[string]int {
	t.Helper()
	rows, err := tb.db.Query("SELECT action, count(*) FROM " + tb.name + " GROUP BY action")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var a string
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			t.Fatal(err)
		}
		m[a] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// dump returns every row but its id and created_at, in key order, one
// string per row.
func (tb *table) dump(t *testing.T) []string {
	t.Helper()
	rows, err := tb.db.Query("SELECT ts, action, resource_type, resource, user_id, project_id, request_id, service, " +
		"method, path, status, outcome, duration_ms, matched_by, evidence FROM " + tb.name + " ORDER BY resource, action, ts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]any, 15)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// samplePath is osdata.Path, failing rather than skipping when the
// samples are not found: osdata skips outside CI, and a skipped database
// test looks like a passing one.
func samplePath(t *testing.T, rel string) string {
	t.Helper()
	t.Setenv("CI", "1")
	return osdata.Path(t, rel)
}

// sampleActions are the actions of os-loganalyze/screen-n-api.txt.gz, a
// tempest run's nova-api log (tools/extract's samples test explains each).
var sampleActions = map[string]int{
	"create": 16, "delete": 17, "create-image": 2, "reboot": 2, "rebuild": 2,
	"resize": 2, "confirm-resize": 2, "rescue": 4, "unrescue": 2,
}

// runOK runs the command in-process with no environment (the tests'
// own DSN or MODE must not leak in) and fails t unless it exits with want.
func runOK(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	start := time.Now()
	code, stdout, stderr := runCmd(args, nil)
	if code != want {
		t.Fatalf("log-extract %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), code, want, stderr)
	}
	t.Logf("log-extract %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return stdout, stderr
}

var storedRE = regexp.MustCompile(`(?m)^  stored: (\d+) new, (\d+) already stored \((\d+) written in (\d+) batch\(es\)\)$`)

// stored reads "stored: N new, K already stored (M written in B batch(es))"
// from a summary, checking that N + K = M.
func stored(t *testing.T, summary string) (fresh, written, batches int) {
	t.Helper()
	m := storedRE.FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no stored line in the summary:\n%s", summary)
	}
	fresh, _ = strconv.Atoi(m[1])
	already, _ := strconv.Atoi(m[2])
	written, _ = strconv.Atoi(m[3])
	batches, _ = strconv.Atoi(m[4])
	if fresh+already != written {
		t.Errorf("stored line does not add up: %s", m[0])
	}
	return fresh, written, batches
}

var linesRE = regexp.MustCompile(`(?m)^log-extract: \w+ mode, \d+ file\(s\), (\d+) lines, `)

// linesRead reads the number of lines read from a summary.
func linesRead(t *testing.T, summary string) int {
	t.Helper()
	m := linesRE.FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no first line in the summary:\n%s", summary)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestDatabase(t *testing.T) {
	for _, mk := range []func(*testing.T) *backend{sqliteBackend, postgresBackend, mariadbBackend, asyncmyBackend} {
		b := mk(t)
		t.Run(b.name, func(t *testing.T) {
			t.Run("Sample", func(t *testing.T) { testSample(t, b) })
			if b.via != nil || b.name == "SQLite" { // the asyncmy form is one more way to the same server
				t.Run("Incremental", func(t *testing.T) { testIncremental(t, b) })
			}
		})
	}
}

// testSample stores the actions of a real log, runs again (nothing new),
// adds another log's rows (kept by every later run but --truncate), and
// truncates.
func testSample(t *testing.T, b *backend) {
	sample := samplePath(t, "os-loganalyze/screen-n-api.txt.gz")
	tb := newTable(t, b)
	args := []string{"--dsn", b.dsn, "--table", tb.name, sample}

	_, summary := runOK(t, 0, args...)
	if got := tb.byAction(t); !maps.Equal(got, sampleActions) {
		t.Fatalf("rows by action %v, want %v", got, sampleActions)
	}
	if fresh, written, batches := stored(t, summary); fresh != 49 || written != 49 || batches != 1 {
		t.Errorf("first run: %d new of %d written in %d batches, want 49 of 49 in 1", fresh, written, batches)
	}
	if !strings.Contains(summary, "  actions: 49 (confirm-resize 2, create 16, create-image 2, delete 17, reboot 2, rebuild 2, rescue 4, resize 2, unrescue 2)\n") {
		t.Errorf("summary:\n%s", summary)
	}
	want := tb.dump(t)

	// Again, in smaller batches: nothing new, nothing changed.
	_, summary = runOK(t, 0, append([]string{"--batch-size", "10"}, args...)...)
	if fresh, written, batches := stored(t, summary); fresh != 0 || written != 49 || batches != 5 {
		t.Errorf("second run: %d new of %d written in %d batches, want 0 of 49 in 5", fresh, written, batches)
	}
	if got := tb.dump(t); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the second run changed the table: %d rows, was %d", len(got), len(want))
	}

	// Another log into the same table: its rows are added, and no later
	// run without --truncate removes them.
	other := filepath.Join(t.TempDir(), "other-api.log")
	if err := os.WriteFile(other, []byte(genLog(3)), 0o644); err != nil {
		t.Fatal(err)
	}
	runOK(t, 0, "--dsn", b.dsn, "--table", tb.name, other)
	if n := tb.count(t); n != 52 {
		t.Fatalf("%d rows after adding 3 creates to the 49, want 52", n)
	}
	_, summary = runOK(t, 0, args...)
	if n := tb.count(t); n != 52 {
		t.Errorf("%d rows after re-running the sample without --truncate, want 52", n)
	}
	if fresh, _, _ := stored(t, summary); fresh != 0 {
		t.Errorf("re-run: %d new, want 0", fresh)
	}
	// --dry-run --truncate touches nothing.
	stdout, _ := runOK(t, 0, append([]string{"--dry-run", "--truncate"}, args...)...)
	if n := tb.count(t); n != 52 || strings.Count(stdout, "\n") != 49 {
		t.Errorf("--dry-run --truncate: %d rows (want 52 untouched), %d lines out (want 49)", n, strings.Count(stdout, "\n"))
	}

	// --truncate: the sample's 49, all new again.
	_, summary = runOK(t, 0, append([]string{"--truncate"}, args...)...)
	if got := tb.byAction(t); !maps.Equal(got, sampleActions) {
		t.Errorf("after --truncate, rows by action %v, want %v", got, sampleActions)
	}
	if fresh, written, _ := stored(t, summary); fresh != 49 || written != 49 {
		t.Errorf("--truncate run: %d new of %d written, want 49 of 49", fresh, written)
	}
	if n, k := tb.count(t), tb.keys(t); n != k {
		t.Errorf("%d rows but %d distinct keys", n, k)
	}
}

// readState returns the offset and lines a state file holds for path.
func readState(t *testing.T, stateFile, path string) (offset, lines int64) {
	t.Helper()
	data, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Files []struct {
			Path          string
			Offset, Lines int64
		}
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("state file %s: %v", stateFile, err)
	}
	abs, _ := filepath.Abs(path)
	for _, f := range st.Files {
		if f.Path == abs || f.Path == path {
			return f.Offset, f.Lines
		}
	}
	t.Fatalf("state file has no %s:\n%s", path, data)
	return 0, 0
}

// testIncremental: a log that grows between two runs with --state gives
// the rows one run over the whole log gives, field for field (evidence
// line numbers included), and the second run reads only what the first
// did not settle.
func testIncremental(t *testing.T, b *backend) {
	const n = 1600 // creates, 100 ms apart: 160 s of log time
	dir := t.TempDir()
	log, stateFile := filepath.Join(dir, "nova-api.log"), filepath.Join(dir, "state.json")
	lines := genCreates(0, n)
	half := strings.Join(lines[:n], "") // the first n/2 requests
	rest := strings.Join(lines[n:], "") + genTrailer(n)
	if err := os.WriteFile(log, []byte(half), 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTable(t, b)
	// --now at the log's start: the log is live, so each run holds its
	// last window (without it, the clock says this 2015 log went quiet
	// long ago and every action is written at once).
	args := []string{"--dsn", b.dsn, "--table", tb.name, "--state", stateFile, "--batch-size", "50",
		"--now", genStart.Format(time.RFC3339Nano), log}

	_, summary := runOK(t, 0, args...)
	first := tb.count(t)
	if !strings.Contains(summary, "  read state: "+log+" (new)\n") {
		t.Errorf("first run's summary does not say the log is new:\n%s", summary)
	}
	// The first half is 80 s of log time (its last line at 79.9 s); an
	// incremental run holds the creates whose 60 s window has not passed
	// for the evidence still to come: it emits those before 19.9 s.
	if want := n/2 - 601; first != want {
		t.Errorf("first run stored %d creates; want the %d whose window had passed", first, want)
	}
	_, settled := readState(t, stateFile, log)

	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(rest); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, summary = runOK(t, 0, args...)
	if !strings.Contains(summary, "  read state: "+log+" (resume)\n") {
		t.Errorf("second run's summary does not say it resumed:\n%s", summary)
	}
	total := 2*n + 1
	if got := linesRead(t, summary); got != total-int(settled) {
		t.Errorf("second run read %d lines; want the %d after the %d the first settled", got, total-int(settled), settled)
	}
	if fresh, written, _ := stored(t, summary); fresh != n-first || written != n-first {
		t.Errorf("second run: %d new of %d written, want %d of %d", fresh, written, n-first, n-first)
	}
	// A third run finds nothing to do.
	_, summary = runOK(t, 0, args...)
	if got := linesRead(t, summary); got != 0 {
		t.Errorf("third run read %d lines, want 0", got)
	}

	// One run over the whole log, into another table.
	whole := newTable(t, b)
	runOK(t, 0, "--dsn", b.dsn, "--table", whole.name, log)
	want := whole.dump(t)
	if len(want) != n {
		t.Fatalf("one run stored %d creates, want %d", len(want), n)
	}
	got := tb.dump(t)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("two incremental runs stored %d rows, one run %d; they differ:\n first: %v\n  want: %v", len(got), len(want), got[0], want[0])
	}
}
