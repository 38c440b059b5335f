package sqlaudit_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"path/filepath"
	"reflect"
	"testing"

	"modernc.org/sqlite"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
)

// oldDriver is a driver from before contexts: a Conn with only Prepare,
// Close and Begin, a Stmt with only Exec and Query. The wrapper must make
// database/sql treat it exactly as it would unwrapped.
type oldDriver struct{ columnConverter bool }

type oldConn struct{ cc bool }
type oldStmt struct{}
type oldStmtCC struct{ oldStmt }
type oldTx struct{}
type oldRows struct{ n int }

func (d oldDriver) Open(string) (driver.Conn, error) { return &oldConn{cc: d.columnConverter}, nil }

func (c *oldConn) Prepare(string) (driver.Stmt, error) {
	if c.cc {
		return oldStmtCC{}, nil
	}
	return oldStmt{}, nil
}
func (c *oldConn) Close() error              { return nil }
func (c *oldConn) Begin() (driver.Tx, error) { return oldTx{}, nil }

func (oldStmt) Close() error                               { return nil }
func (oldStmt) NumInput() int                              { return -1 }
func (oldStmt) Exec([]driver.Value) (driver.Result, error) { return driver.RowsAffected(3), nil }
func (oldStmt) Query([]driver.Value) (driver.Rows, error)  { return &oldRows{n: 2}, nil }

func (oldStmtCC) ColumnConverter(int) driver.ValueConverter { return driver.DefaultParameterConverter }

func (oldTx) Commit() error   { return nil }
func (oldTx) Rollback() error { return nil }

func (r *oldRows) Columns() []string { return []string{"n"} }
func (r *oldRows) Close() error      { return nil }
func (r *oldRows) Next(dest []driver.Value) error {
	if r.n == 0 {
		return io.EOF
	}
	dest[0] = int64(r.n)
	r.n--
	return nil
}

func reporter(t *testing.T) (*middleware.Reporter, *auditlogtest.Recorder) {
	rec := auditlogtest.NewRecorder(t)
	return middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "sqlaudit-test"})), rec
}

func openWrapped(t *testing.T, d driver.Driver, r *middleware.Reporter, opts ...sqlaudit.Option) *sql.DB {
	t.Helper()
	c, err := sqlaudit.Wrap(d, r, opts...).(driver.DriverContext).OpenConnector("dsn")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// An old driver goes through database/sql's fallbacks (prepare, then exec
// or query the statement), and only the calls really made have lines.
func TestOldDriverFallbacks(t *testing.T) {
	r, rec := reporter(t)
	db := openWrapped(t, oldDriver{}, r)
	ctx := context.Background()

	res, err := db.ExecContext(ctx, "UPDATE x", 1)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 3 {
		t.Errorf("RowsAffected = %d", n)
	}
	var sum, n int64
	rows, err := db.QueryContext(ctx, "SELECT n")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		sum += n
	}
	rows.Close()
	if sum != 3 {
		t.Errorf("sum = %d", sum)
	}
	// Named arguments and transaction options the driver cannot honour
	// are refused as database/sql refuses them.
	if _, err := db.ExecContext(ctx, "UPDATE x", sql.Named("a", 1)); err == nil {
		t.Error("named argument accepted by a driver without them")
	}
	if _, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err == nil {
		t.Error("read-only transaction accepted by a driver without BeginTx")
	}

	var got []string
	for _, m := range rec.Maps() {
		got = append(got, str(rpcOf(m), "method")+" "+str(m, "level"))
	}
	want := []string{
		"prepare INFO", "exec INFO", // the direct exec said ErrSkip: no line
		"prepare INFO", "query INFO",
		"prepare INFO", "exec ERROR", // the named argument, refused
		"begin ERROR",
	}
	if len(got) != len(want) {
		t.Fatalf("lines %q, want %q\n%s", got, want, rec)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i+1, got[i], want[i])
		}
	}
	if m := rec.Maps()[1]; str(rpcOf(m), "system") != "other_sql" || rpcOf(m)["rows_affected"] == nil {
		t.Errorf("exec line %v: want system other_sql and rows_affected", m)
	}
}

// The wrapper offers SessionResetter, Validator and ColumnConverter only
// when the driver's value has them, because database/sql acts on their mere
// presence; and Unwrap reaches the driver's own connection.
func TestOptionalInterfaces(t *testing.T) {
	r, _ := reporter(t)
	ctx := context.Background()
	type probe struct{ resetter, validator, columnConverter bool }
	look := func(t *testing.T, db *sql.DB) (p probe, inner driver.Conn) {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = c.Raw(func(dc any) error {
			_, p.resetter = dc.(driver.SessionResetter)
			_, p.validator = dc.(driver.Validator)
			inner = dc.(interface{ Unwrap() driver.Conn }).Unwrap()
			s, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, "SELECT 1")
			if err != nil {
				return err
			}
			defer s.Close()
			_, p.columnConverter = s.(driver.ColumnConverter)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return p, inner
	}

	p, inner := look(t, openWrapped(t, oldDriver{}, r))
	if p != (probe{}) {
		t.Errorf("old driver wrapped: %+v, want no optional interface", p)
	}
	if _, ok := inner.(*oldConn); !ok {
		t.Errorf("Unwrap = %T, want *oldConn", inner)
	}
	if p, _ := look(t, openWrapped(t, oldDriver{columnConverter: true}, r)); !p.columnConverter {
		t.Errorf("statement's ColumnConverter hidden by the wrapper")
	}
	// modernc's SQLite connection resets and validates itself.
	c, err := sqlite.NewConnector("file:" + filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(sqlaudit.NewConnector(c, r))
	defer db.Close()
	if p, _ := look(t, db); !p.resetter || !p.validator {
		t.Errorf("SQLite wrapped: %+v, want SessionResetter and Validator", p)
	}
}

// reporterMessage is the message the shared Reporter makes for a call
// that names none: the wrapper makes its own once per connector, and must
// agree.
func reporterMessage(t *testing.T, rpc auditlog.RPC) string {
	r, rec := reporter(t)
	_ = r.Finished(context.Background(), &middleware.Call{Event: auditlog.Event{Kind: auditlog.KindDB, RPC: rpc}})
	return str(rec.Last(), "message")
}

// NewConnector guesses the system from the driver's package, and
// WithSystem and WithDatabase set rpc.system and rpc.service.
func TestNewConnectorSystem(t *testing.T) {
	ctx := context.Background()
	c, err := sqlite.NewConnector("file:" + filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts            []sqlaudit.Option
		system, service string
	}{
		{nil, "sqlite", ""},
		{[]sqlaudit.Option{sqlaudit.WithSystem("libsql"), sqlaudit.WithDatabase("nova")}, "libsql", "nova"},
	} {
		message := reporterMessage(t, auditlog.RPC{System: tc.system, Service: tc.service, Method: "query"})
		r, rec := reporter(t)
		db := sql.OpenDB(sqlaudit.NewConnector(c, r, tc.opts...))
		var x int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&x); err != nil {
			t.Fatal(err)
		}
		db.Close()
		m := rec.Last()
		if rpc := rpcOf(m); str(rpc, "system") != tc.system || str(rpc, "service") != tc.service || str(m, "message") != message {
			t.Errorf("line %v: want system %q service %q message %q", m, tc.system, tc.service, message)
		}
	}
}

// A nil Reporter is a programming error, reported at once.
func TestNilReporterPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	sqlaudit.Wrap(oldDriver{}, nil)
}

// An unknown driver name is sql.Open's error.
func TestOpenUnknownDriver(t *testing.T) {
	r, _ := reporter(t)
	if _, err := sqlaudit.Open("no-such-driver", "", r); err == nil {
		t.Errorf("err = %v", err)
	}
}

// A connection reuses one rows wrapper for query after query, and gives
// rows opened while others are still open (several queries in one
// transaction) wrappers of their own: every line keeps its own statement
// and request context, whatever order the rows close in.
func TestRowsOpenTogether(t *testing.T) {
	r, rec := reporter(t)
	db, err := sqlaudit.Open("sqlite", "file::memory:", r)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	reqCtx := func(id string) context.Context {
		return auditlog.NewContext(context.Background(), auditlog.Request{ID: id})
	}
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := tx.QueryContext(reqCtx("req-a"), "SELECT 1 UNION ALL SELECT 2")
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.QueryContext(reqCtx("req-b"), "SELECT 'b'")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var s string
	if !a.Next() || a.Scan(&n) != nil || n != 1 {
		t.Fatalf("a: first row %d, %v", n, a.Err())
	}
	if !b.Next() || b.Scan(&s) != nil || s != "b" {
		t.Fatalf("b: row %q, %v", s, b.Err())
	}
	b.Close()
	for a.Next() {
	}
	a.Close()
	for _, id := range []string{"req-c", "req-d"} {
		if err := tx.QueryRowContext(reqCtx(id), "SELECT 'c'").Scan(&s); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range rec.Maps() {
		if str(rpcOf(m), "method") != "query" {
			continue
		}
		c, _ := m["context"].(map[string]any)
		got = append(got, str(c, "request_id")+" "+str(rpcOf(m), "statement"))
	}
	want := []string{"req-b SELECT 'b'", "req-a SELECT 1 UNION ALL SELECT 2", "req-c SELECT 'c'", "req-d SELECT 'c'"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("query lines:\n%q\nwant\n%q", got, want)
	}
}
