package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/internal/tcpproxy"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
)

// backend is one database the suite runs against.
type backend struct {
	name string
	// dsn is what the store is opened with; via rewrites it to reach the
	// server through a proxy at addr ("" when the backend has no server).
	dsn string
	via func(addr string) string
	// driver and direct open a connection of the test's own, to check
	// what the table holds without going through the store.
	driver, direct string
	// failOn makes the database itself refuse a row whose action is
	// "boom", so a batch can fail part-way through its statements.
	failOn func(table string) []string
}

// uniqueTable returns a table name no other test uses.
func uniqueTable() string { return dbtest.UniqueTable("extract") }

func TestSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "actions.db")
	runSuite(t, &backend{
		name:   "SQLite",
		dsn:    "sqlite:///" + path, // SQLAlchemy's form: a fourth slash makes it absolute
		driver: "sqlite",
		direct: path,
		failOn: func(table string) []string {
			return []string{`CREATE TRIGGER "` + table + `_boom" BEFORE INSERT ON "` + table +
				`" WHEN NEW.action = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`}
		},
	})
}

func TestPostgreSQL(t *testing.T) {
	dsn := dbtest.PostgresDSN()
	b := &backend{
		name:   "PostgreSQL",
		dsn:    dsn,
		via:    func(addr string) string { return replaceHost(t, dsn, addr) },
		driver: "pgx",
		direct: dsn,
		failOn: checkBoom,
	}
	dbtest.Reachable(t, b.name, b.driver, b.direct, dbtest.StartPostgres)
	runSuite(t, b)
}

func TestMariaDB(t *testing.T) {
	native := dbtest.MySQLDSN()
	b := &backend{
		name: "MariaDB",
		dsn:  native,
		via: func(addr string) string {
			i, j := strings.Index(native, "tcp("), strings.Index(native, ")/")
			if i < 0 || j < i {
				t.Fatalf("AUDITLOG_TEST_MYSQL_DSN %q: want the user@tcp(host:port)/db form", native)
			}
			return native[:i] + "tcp(" + addr + native[j:]
		},
		driver: "mysql",
		direct: native + map[bool]string{true: "&", false: "?"}[strings.Contains(native, "?")] + "parseTime=true",
		failOn: checkBoom,
	}
	dbtest.Reachable(t, b.name, b.driver, b.direct, dbtest.StartMariaDB)
	runSuite(t, b)
}

// checkBoom is failOn for the servers: both enforce CHECK constraints
// (MariaDB since 10.2).
func checkBoom(table string) []string {
	return []string{"ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_boom CHECK (action <> 'boom')"}
}

// replaceHost puts addr in place of the host:port of a URL DSN.
func replaceHost(t *testing.T, dsn, addr string) string {
	t.Helper()
	i := strings.Index(dsn, "://")
	rest := dsn[i+3:]
	at := strings.LastIndex(rest, "@")
	end := strings.IndexAny(rest[at+1:], "/?")
	if i < 0 || end < 0 {
		t.Fatalf("cannot find the host in %q", dsn)
	}
	return dsn[:i+3] + rest[:at+1] + addr + rest[at+1+end:]
}

// rig is one test's table, a store writing to it and a direct connection.
type rig struct {
	b     *backend
	table string
	db    *sql.DB
}

func newRig(t *testing.T, b *backend) *rig {
	t.Helper()
	db, err := sql.Open(b.driver, b.direct)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{b: b, table: uniqueTable(), db: db}
	t.Cleanup(func() {
		if b.name != "SQLite" {
			_, _ = db.Exec("DROP TABLE IF EXISTS " + r.table)
		}
		db.Close()
	})
	return r
}

// openDirect connects to a server without the store.
func openDirect(name, dsn string) (*sql.DB, error) {
	if name == "MariaDB" {
		return sql.Open("mysql", dsn)
	}
	return sql.Open("pgx", dsn)
}

func (r *rig) open(t *testing.T, dsn string, opts store.Options) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, r.table, action.ModeVM, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (r *rig) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := r.db.QueryRow("SELECT count(*) FROM " + r.table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// resources returns the resource column, sorted.
func (r *rig) resources(t *testing.T) []string {
	t.Helper()
	rows, err := r.db.Query("SELECT resource FROM " + r.table + " ORDER BY resource")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func resourcesOf(batches ...[]action.Action) []string {
	var out []string
	for _, b := range batches {
		for _, a := range b {
			out = append(out, a.Resource)
		}
	}
	return out
}

func mustWrite(t *testing.T, s store.Store, batch []action.Action, want int) {
	t.Helper()
	n, err := s.Write(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("Write inserted %d; want %d", n, want)
	}
}

func runSuite(t *testing.T, b *backend) {
	t.Run("CreateAndReRun", func(t *testing.T) { testCreateAndReRun(t, b) })
	t.Run("Values", func(t *testing.T) { testValues(t, b) })
	t.Run("Truncate", func(t *testing.T) { testTruncate(t, b) })
	t.Run("FailMidBatch", func(t *testing.T) { testFailMidBatch(t, b) })
	t.Run("Refused", func(t *testing.T) { testRefused(t, b) })
	t.Run("Cancelled", func(t *testing.T) { testCancelled(t, b) })
	t.Run("ForeignTable", func(t *testing.T) { testForeignTable(t, b) })
	if b.via != nil {
		t.Run("ServerGone", func(t *testing.T) { testServerGone(t, b) })
		t.Run("ServerGoneMidBatch", func(t *testing.T) { testServerGoneMidBatch(t, b) })
		t.Run("CancelledMidBatch", func(t *testing.T) { testCancelledMidBatch(t, b) })
	} else {
		t.Run("CancelledMidBatch", func(t *testing.T) { testCancelledInSQLite(t, b) })
	}
}

func testCreateAndReRun(t *testing.T, b *backend) {
	r := newRig(t, b)
	s := r.open(t, b.dsn, store.Options{RowsPerStatement: 7})
	batch := fixture(0, 20) // three statements of 7, 7 and 6 rows
	mustWrite(t, s, batch, 20)
	mustWrite(t, s, batch, 0)
	// Overlapping: 10 old, 5 new, and one new one twice in the batch.
	over := append(fixture(10, 15), fixture(24, 1)...)
	mustWrite(t, s, over, 5)
	mustWrite(t, s, nil, 0)
	if n := r.count(t); n != 25 {
		t.Fatalf("%d rows; want 25", n)
	}
	// A re-run is a new store on the same table.
	s.Close()
	s = r.open(t, b.dsn, store.Options{})
	mustWrite(t, s, fixture(0, 25), 0)
	if n := r.count(t); n != 25 {
		t.Fatalf("after the re-run: %d rows; want 25", n)
	}
	// Nanoseconds below the microsecond do not make a new key.
	a := fixture(3, 1)
	a[0].Time = a[0].Time.Add(210 * time.Nanosecond) // .123456999
	mustWrite(t, s, a, 0)
	// Another zone for the same instant is the same key.
	a[0].Time = a[0].Time.In(time.FixedZone("CST", 8*3600))
	mustWrite(t, s, a, 0)
}

func testValues(t *testing.T, b *backend) {
	r := newRig(t, b)
	s := r.open(t, b.dsn, store.Options{})
	a := fixture(1, 1)[0]
	noTiming := fixture(2, 1)[0]
	noTiming.Status, noTiming.DurationMS, noTiming.Resource, noTiming.Evidence = 0, 0, "", nil
	noTiming.UserID = "bad\xffutf8\x00nul"
	mustWrite(t, s, []action.Action{a, noTiming}, 2)

	var (
		tsText                                   string
		ts                                       time.Time
		act, rtype, res, user, proj, req, svc    string
		method, path, outcome, matched, evidence string
		status                                   sql.NullInt64
		dur                                      sql.NullFloat64
	)
	q := "SELECT ts, action, resource_type, resource, user_id, project_id, request_id, service, method, path, status, outcome, duration_ms, matched_by, evidence FROM " + r.table + " ORDER BY ts"
	rows, err := r.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tsDest any = &ts
	if b.name == "SQLite" {
		tsDest = &tsText
	}
	rows.Next()
	if err := rows.Scan(tsDest, &act, &rtype, &res, &user, &proj, &req, &svc, &method, &path, &status, &outcome, &dur, &matched, &evidence); err != nil {
		t.Fatal(err)
	}
	if b.name == "SQLite" {
		if tsText != "2017-05-16T00:00:06.123456Z" {
			t.Errorf("ts = %q", tsText)
		}
	} else if want := a.Time.Truncate(time.Microsecond); !ts.Equal(want) {
		t.Errorf("ts = %v; want %v", ts, want)
	}
	got := []any{act, rtype, res, user, proj, req, svc, method, path, status.Int64, outcome, dur.Float64, matched}
	want := []any{a.Action, a.ResourceType, a.Resource, a.UserID, a.ProjectID, a.RequestID, a.Service, a.Method, a.Path, int64(202), a.Outcome, 187.25, a.Match}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("column %d = %v; want %v", i, got[i], want[i])
		}
	}
	var ev []map[string]any
	if err := json.Unmarshal([]byte(evidence), &ev); err != nil || len(ev) != 2 || ev[0]["source"] != "nova-api.log" || ev[0]["line"] != 101.0 || ev[1]["role"] != "compute" {
		t.Errorf("evidence = %s (%v)", evidence, err)
	}
	rows.Next()
	if err := rows.Scan(tsDest, &act, &rtype, &res, &user, &proj, &req, &svc, &method, &path, &status, &outcome, &dur, &matched, &evidence); err != nil {
		t.Fatal(err)
	}
	if status.Valid || dur.Valid || res != "" || evidence != "[]" || user != "bad\uFFFDutf8\uFFFDnul" {
		t.Errorf("second row: status %v, duration %v, resource %q, evidence %s, user %q", status, dur, res, evidence, user)
	}
}

func testTruncate(t *testing.T, b *backend) {
	r := newRig(t, b)
	s := r.open(t, b.dsn, store.Options{})
	mustWrite(t, s, fixture(0, 5), 5)
	s.Close()
	r.open(t, b.dsn, store.Options{}).Close()
	if n := r.count(t); n != 5 {
		t.Fatalf("opening without Truncate left %d rows; want 5", n)
	}
	s = r.open(t, b.dsn, store.Options{Truncate: true})
	if n := r.count(t); n != 0 {
		t.Fatalf("Truncate left %d rows", n)
	}
	mustWrite(t, s, fixture(0, 5), 5)
}

func testFailMidBatch(t *testing.T, b *backend) {
	r := newRig(t, b)
	s := r.open(t, b.dsn, store.Options{RowsPerStatement: 3})
	first := fixture(0, 4)
	mustWrite(t, s, first, 4)
	for _, stmt := range b.failOn(r.table) {
		if _, err := r.db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	// Three statements; the database refuses a row of the last, after
	// the first two went through.
	bad := fixture(10, 8)
	bad[7].Action = "boom"
	_, err := s.Write(context.Background(), bad)
	var be *store.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v; want a *BatchError", err)
	}
	if be.Batch != 2 || be.Actions != 8 || be.First.String() != "nova-api.log:110" || be.Last.String() != "nova-api.log:117" || be.Unknown {
		t.Errorf("BatchError = %+v", be)
	}
	for _, part := range []string{"batch 2 ", "nova-api.log:110", "nova-api.log:117", "none of it", "actions 7 to 8"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
	if got, want := r.resources(t), resourcesOf(first); !equal(got, want) {
		t.Fatalf("after the failed batch the table holds %v; want %v", got, want)
	}
	// The store goes on.
	mustWrite(t, s, fixture(10, 7), 7)
}

// testRefused: actions the store refuses before sending anything.
func testRefused(t *testing.T, b *backend) {
	r := newRig(t, b)
	s := r.open(t, b.dsn, store.Options{})
	long := fixture(0, 3)
	long[2].Resource = strings.Repeat("é", 129)
	noTime := fixture(0, 3)
	noTime[1].Time = time.Time{}
	for name, c := range map[string]struct {
		batch []action.Action
		say   string
	}{
		"too long": {long, "resource is 129 characters long; the column holds 128"},
		"no time":  {noTime, "action 2 of the batch (nova-api.log:101): it has no time"},
	} {
		_, err := s.Write(context.Background(), c.batch)
		if err == nil || !strings.Contains(err.Error(), c.say) {
			t.Errorf("%s: err = %v; want it to say %q", name, err, c.say)
		}
	}
	if n := r.count(t); n != 0 {
		t.Errorf("%d rows of refused batches stored", n)
	}
	// 128 characters of two bytes each fit.
	long[2].Resource = strings.Repeat("é", 128)
	mustWrite(t, s, long, 3)
}

func testCancelled(t *testing.T, b *backend) {
	r := newRig(t, b)
	s := r.open(t, b.dsn, store.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Write(ctx, fixture(0, 5)); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	if n := r.count(t); n != 0 {
		t.Errorf("%d rows stored by a cancelled Write", n)
	}
	mustWrite(t, s, fixture(0, 5), 5)
}

// testForeignTable: a table of the same name made by something else (the
// seed script's) is not written into blindly.
func testForeignTable(t *testing.T, b *backend) {
	r := newRig(t, b)
	if _, err := r.db.Exec("CREATE TABLE " + r.table + " (id INTEGER PRIMARY KEY, instance VARCHAR(64), action VARCHAR(32), ts TIMESTAMP)"); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), b.dsn, r.table, action.ModeVM, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "lacks log-extract's columns") {
		t.Errorf("err = %v", err)
	}

	// The right columns but no unique key: re-runs would duplicate.
	r2 := newRig(t, b)
	s := r2.open(t, b.dsn, store.Options{})
	s.Close()
	// CREATE TABLE … AS copies the columns, not the keys.
	if _, err := r2.db.Exec("CREATE TABLE " + r2.table + "_nokey AS SELECT * FROM " + r2.table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r2.db.Exec("DROP TABLE " + r2.table + "_nokey") })
	_, err = store.Open(context.Background(), b.dsn, r2.table+"_nokey", action.ModeVM, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "no unique key on (resource, action, ts)") {
		t.Errorf("err = %v", err)
	}
	if n := countOf(t, r2.db, r2.table+"_nokey"); n != 0 {
		t.Errorf("the probe left %d rows", n)
	}
}

func countOf(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// testServerGone: the connection dies between batches.
func testServerGone(t *testing.T, b *backend) {
	r := newRig(t, b)
	p := tcpproxy.New(t, serverAddr(t, b))
	s := r.open(t, b.via(p.Addr()), store.Options{})
	first := fixture(0, 10)
	mustWrite(t, s, first, 10)
	p.Cut()
	_, err := s.Write(context.Background(), fixture(10, 10))
	var be *store.BatchError
	if !errors.As(err, &be) || be.Batch != 2 || be.First.String() != "nova-api.log:110" {
		t.Fatalf("err = %v; want the *BatchError of batch 2", err)
	}
	t.Logf("the error: %v", err)
	if got, want := r.resources(t), resourcesOf(first); !equal(got, want) {
		t.Fatalf("the table holds %d rows; want the first batch's %d", len(got), len(want))
	}
	// The server is back: the same store resumes.
	p.Restore()
	mustWrite(t, s, fixture(10, 10), 10)
	if n := r.count(t); n != 20 {
		t.Fatalf("%d rows; want 20", n)
	}
}

// testServerGoneMidBatch: the connection dies half-way through a batch's
// statements; the server rolls the transaction back.
func testServerGoneMidBatch(t *testing.T, b *backend) {
	r := newRig(t, b)
	p := tcpproxy.New(t, serverAddr(t, b))
	s := r.open(t, b.via(p.Addr()), store.Options{RowsPerStatement: 50})
	first := fixture(0, 10)
	mustWrite(t, s, first, 10)
	// 1000 rows of some 450 bytes are ten statements of ~22 KB: cut the
	// line after 60 KB, in the third.
	p.CutAfter(60 << 10)
	_, err := s.Write(context.Background(), fixture(100, 1000))
	var be *store.BatchError
	if !errors.As(err, &be) || be.Batch != 2 || be.Unknown {
		t.Fatalf("err = %v; want the *BatchError of batch 2, not of its commit", err)
	}
	if !strings.Contains(err.Error(), "actions 101 to 150") {
		t.Errorf("err = %v; want it to say the third statement failed", err)
	}
	if p.Sent() < 40<<10 {
		t.Errorf("only %d bytes reached the server: the cut was not mid-batch", p.Sent())
	}
	if got, want := r.resources(t), resourcesOf(first); !equal(got, want) {
		t.Fatalf("the table holds %d rows; want the first batch's %d", len(got), len(want))
	}
}

// testCancelledMidBatch: ctx ends while the batch's statements are on
// their way (the proxy cancels it after 60 KB of them).
func testCancelledMidBatch(t *testing.T, b *backend) {
	r := newRig(t, b)
	p := tcpproxy.New(t, serverAddr(t, b))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := r.open(t, b.via(p.Addr()), store.Options{RowsPerStatement: 50})
	first := fixture(0, 10)
	mustWrite(t, s, first, 10)
	p.CallAfter(60<<10, cancel)
	_, err := s.Write(ctx, fixture(100, 1000))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if got, want := r.resources(t), resourcesOf(first); !equal(got, want) {
		t.Fatalf("the table holds %d rows; want the first batch's %d", len(got), len(want))
	}
	// A new ctx: the store carries on (over a new connection if the
	// cancellation closed the old).
	mustWrite(t, s, fixture(100, 1000), 1000)
}

// sqliteCancel is called by the SQL function cancel_ctx(), which a trigger
// of testCancelledInSQLite runs half-way through a batch.
var sqliteCancel atomic.Pointer[context.CancelFunc]

func init() {
	sqlite.MustRegisterScalarFunction("cancel_ctx", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		if f := sqliteCancel.Load(); f != nil {
			(*f)()
		}
		return nil, nil
	})
}

// testCancelledInSQLite: SQLite has no wire to cut, so a trigger cancels
// ctx when the batch's 150th row is inserted, the last of its third
// statement; the fourth finds ctx done.
func testCancelledInSQLite(t *testing.T, b *backend) {
	r := newRig(t, b)
	s := r.open(t, b.dsn, store.Options{RowsPerStatement: 50})
	first := fixture(0, 10)
	mustWrite(t, s, first, 10)
	if _, err := r.db.Exec(`CREATE TRIGGER "` + r.table + `_cancel" BEFORE INSERT ON "` + r.table +
		`" WHEN NEW.resource = '` + fixture(249, 1)[0].Resource + `' BEGIN SELECT cancel_ctx(); END`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sqliteCancel.Store(&cancel)
	defer sqliteCancel.Store(nil)
	_, err := s.Write(ctx, fixture(100, 1000))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	t.Logf("the error: %v", err)
	if got, want := r.resources(t), resourcesOf(first); !equal(got, want) {
		t.Fatalf("the table holds %d rows; want the first batch's %d", len(got), len(want))
	}
	mustWrite(t, s, fixture(100, 1000), 1000)
}

func serverAddr(t *testing.T, b *backend) string {
	t.Helper()
	switch b.name {
	case "PostgreSQL":
		i := strings.Index(b.dsn, "://")
		rest := b.dsn[i+3:]
		rest = rest[strings.LastIndex(rest, "@")+1:]
		return rest[:strings.IndexAny(rest, "/?")]
	case "MariaDB":
		i, j := strings.Index(b.dsn, "tcp("), strings.Index(b.dsn, ")/")
		return b.dsn[i+4 : j]
	}
	t.Fatalf("no server for %s", b.name)
	return ""
}

func equal(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}
