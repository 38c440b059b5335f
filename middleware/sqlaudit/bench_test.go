package sqlaudit_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
)

// instantDriver answers every query at once with one row, so that a
// benchmark through it measures database/sql and the wrapper, not a
// database: the difference between bare and wrapped is the wrapper's cost
// per call in nanoseconds, which bench/ sets against a real query.
type instantDriver struct{}
type instantConn struct{}
type instantRows struct{ done bool }

func (instantDriver) Open(string) (driver.Conn, error) { return instantConn{}, nil }

func (instantConn) Prepare(string) (driver.Stmt, error) { return nil, driver.ErrSkip }
func (instantConn) Close() error                        { return nil }
func (instantConn) Begin() (driver.Tx, error)           { return nil, driver.ErrSkip }
func (instantConn) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	return &instantRows{}, nil
}

func (r *instantRows) Columns() []string { return []string{"v"} }
func (r *instantRows) Close() error      { return nil }
func (r *instantRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = "value"
	return nil
}

// BenchmarkOverhead is one point query through database/sql and a driver
// that does no work: bare, wrapped with the line going to io.Discard, and
// wrapped with the DB switch off.
func BenchmarkOverhead(b *testing.B) {
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{
		ID: "req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88", GlobalID: "req-0d3c2b1a-9e88-4a63-9f57-6c2f1c8e0b7a",
		User: auditlog.User{ID: "9a1f", Name: "alice", ProjectID: "p-42"},
	})
	off := auditlog.AllSwitches()
	off.DB = false
	for _, v := range []struct {
		name  string
		sw    *auditlog.Switches
		level slog.Level
		wrap  bool
	}{{"bare", nil, 0, false}, {"auditlog", nil, 0, true}, {"below-level", nil, slog.LevelError, true}, {"switched-off", &off, 0, true}} {
		b.Run(v.name, func(b *testing.B) {
			var c driver.Connector = instantConnector{}
			if v.wrap {
				h := auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "nova-api", Switches: v.sw, Level: v.level})
				c = sqlaudit.NewConnector(c, middleware.NewReporter(h), sqlaudit.WithDatabase("main"))
			}
			db := sql.OpenDB(c)
			defer db.Close()
			db.SetMaxOpenConns(1)
			var got string
			b.ReportAllocs()
			for b.Loop() {
				if err := db.QueryRowContext(ctx, "SELECT v FROM kv WHERE k = ?", "key-01").Scan(&got); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type instantConnector struct{}

func (instantConnector) Connect(context.Context) (driver.Conn, error) { return instantConn{}, nil }
func (instantConnector) Driver() driver.Driver                        { return instantDriver{} }

// BenchmarkLine is the line alone: what the Reporter costs for the line a
// point query writes, the largest part of the wrapper's overhead.
func BenchmarkLine(b *testing.B) {
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{
		ID: "req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88", GlobalID: "req-0d3c2b1a-9e88-4a63-9f57-6c2f1c8e0b7a",
		User: auditlog.User{ID: "9a1f", Name: "alice", ProjectID: "p-42"},
	})
	r := middleware.NewReporter(auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "nova-api"}))
	start := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Finished(ctx, &middleware.Call{Start: start, Event: auditlog.Event{
			Kind:    auditlog.KindDB,
			Message: "main/query",
			RPC: auditlog.RPC{System: "sqlite", Service: "main", Method: "query",
				Statement: "SELECT v FROM kv WHERE k = ?"},
			Duration: 7 * time.Microsecond,
			Outcome:  auditlog.OutcomeSuccess,
		}})
	}
}
