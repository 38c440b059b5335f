// Package dbtest is what the database tests of several packages share
// (middleware/sqlaudit, tools/extract/store, cmd/log-extract): where the
// real servers are, a check that one answers — failing, never skipping, when
// it does not — and table names no other test uses.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for Reachable and PostgresSchema
)

// The servers the tests use, on loopback, and the variables that move them.
const (
	PostgresEnv     = "AUDITLOG_TEST_POSTGRES_DSN"
	MySQLEnv        = "AUDITLOG_TEST_MYSQL_DSN"
	DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultMySQL    = "root@tcp(127.0.0.1:3306)/test"

	// How to start each, for the message of a test that finds one down.
	StartPostgres = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	StartMariaDB  = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
)

// PostgresDSN is the PostgreSQL server's DSN ($AUDITLOG_TEST_POSTGRES_DSN or
// the default), in pgx's URL form.
func PostgresDSN() string { return env(PostgresEnv, DefaultPostgres) }

// MySQLDSN is the MariaDB server's DSN ($AUDITLOG_TEST_MYSQL_DSN or the
// default), in go-sql-driver's user@tcp(host:port)/db form.
func MySQLDSN() string { return env(MySQLEnv, DefaultMySQL) }

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// Reachable fails t unless the server behind dsn answers a ping within 5
// seconds, saying how to start it. A missing server is a broken test
// environment, not a reason to skip: a skipped suite looks like a passing
// one.
func Reachable(t testing.TB, name, driver, dsn, start string) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("%s: open %q: %v", name, dsn, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("%s is not reachable at %q: %v\n\tstart it with: %s", name, dsn, err, start)
	}
}

// UniqueTable returns a table name, prefix_ and 12 random hex digits, that
// no other test uses: the tests of several packages share the servers.
func UniqueTable(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// PostgresSchema creates a schema no other test uses on the PostgreSQL
// server (failing t when it is down), drops it with everything in it when
// t ends, and returns its name and a DSN whose search_path is it: a store
// opened on that DSN keeps its tables there.
func PostgresSchema(t testing.TB, prefix string) (name, dsn string) {
	t.Helper()
	base := PostgresDSN()
	Reachable(t, "PostgreSQL", "pgx", base, StartPostgres)
	name = UniqueTable(prefix)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return name, base + sep + "search_path=" + name
}
