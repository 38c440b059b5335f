//go:build unix

package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
)

// The SQL benchmark measures what sqlaudit adds to a database call: the
// same point query on an in-memory SQLite table through plain database/sql
// (bare) and through the wrapper writing every line to io.Discard
// (auditlog). The query is about the cheapest real call there is, so the
// wrapper's share is as large as it will ever be; the target is at most
// 10% more than bare.
//
// Besides ns/op each variant reports cpu-ns/op, the CPU time the process
// spent per query (user and system, every thread, the garbage collector
// included). On a shared machine wall time swings by tens of percent with
// the neighbours' load, which hides a 10% difference; CPU time counts only
// the time the benchmark ran, so it is the steadier measure of what the
// wrapper costs. (The build tag is for getrusage.)

// sqlVariants are listed in the order the table shows them.
var sqlVariants = []struct {
	name string
	open func() (*sql.DB, error)
}{
	{"bare", func() (*sql.DB, error) { return sql.Open("sqlite", "file::memory:") }},
	{"auditlog", func() (*sql.DB, error) {
		rep := middleware.NewReporter(auditlog.NewHandler(io.Discard, auditlogOptions()))
		return sqlaudit.Open("sqlite", "file::memory:", rep, sqlaudit.WithDatabase("main"))
	}},
}

const kvRows = 64

// openKV opens one variant on a fresh in-memory database holding a small
// table with a primary-key index.
func openKV(b *testing.B, open func() (*sql.DB, error)) *sql.DB {
	db, err := open()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	// One connection: each connection to :memory: is a database of its
	// own, and one is also what a point query uses.
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	for i := range kvRows {
		if _, err := db.ExecContext(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprintf("key-%02d", i), fmt.Sprintf("value-%02d", i)); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

func BenchmarkSQL(b *testing.B) {
	ctx := requestContext()
	keys := make([]string, kvRows)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%02d", i)
	}
	for _, v := range sqlVariants {
		b.Run(v.name, func(b *testing.B) {
			db := openKV(b, v.open)
			var got string
			i := 0
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				if err := db.QueryRowContext(ctx, "SELECT v FROM kv WHERE k = ?", keys[i%kvRows]).Scan(&got); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(i), "cpu-ns/op")
		})
	}
}

// cpuTime returns the CPU time the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
