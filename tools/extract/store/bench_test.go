package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
)

// BenchmarkWrite writes batches of 1000 new actions: the rate log-extract
// can store at. Each backend is a sub-benchmark; a server that is down
// fails it.
func BenchmarkWrite(b *testing.B) {
	for _, bk := range []struct{ name, dsn string }{
		{"SQLite", "sqlite:///" + filepath.Join(b.TempDir(), "bench.db")},
		{"PostgreSQL", dbtest.PostgresDSN()},
		{"MariaDB", dbtest.MySQLDSN()},
	} {
		b.Run(bk.name, func(b *testing.B) {
			table := uniqueTable()
			s, err := store.Open(context.Background(), bk.dsn, table, action.ModeVM, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			defer dropTable(b, bk.name, bk.dsn, table)
			const batch = 1000
			next := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Write(context.Background(), fixture(next, batch)); err != nil {
					b.Fatal(err)
				}
				next += batch
			}
			b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "actions/s")
		})
	}
}

func dropTable(b *testing.B, name, dsn, table string) {
	if name == "SQLite" {
		return
	}
	// The store has no DROP; drop through a connection of our own.
	db, err := openDirect(name, dsn)
	if err != nil {
		b.Log(err)
		return
	}
	defer db.Close()
	_, _ = db.Exec("DROP TABLE IF EXISTS " + table)
}
