package sqlaudit_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
)

// sqliteDriver is the SQLite driver with a sleep_ms(n) function, so that a
// slow call takes the same time on any machine and under the race detector
// (which makes SQLite's own work some 60 times slower). It is registered
// under a name of its own so the function reaches no other test's
// connections.
const sqliteDriver = "sqlite-sqlaudit-test"

func init() {
	d := &sqlite.Driver{}
	d.MustRegisterScalarFunction("sleep_ms", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		n, _ := args[0].(int64)
		time.Sleep(time.Duration(n) * time.Millisecond)
		return n, nil
	})
	sql.Register(sqliteDriver, d)
}

// backend is one database the suite runs against, with what differs
// between them: placeholders, how to be slow, how arguments travel.
type backend struct {
	name   string
	driver string // registered database/sql driver name
	dsn    string
	system string // the rpc.system the wrapper should guess from driver
	table  string // unique per run: other packages' tests share the servers

	// ph returns the placeholder of the i-th argument (from 1).
	ph func(i int) string
	// named returns the placeholder of a named argument, or "" when the
	// driver has no named arguments.
	named func(name string, i int) string
	// argsPrepare: the driver answers a direct call with arguments with
	// driver.ErrSkip, so database/sql prepares a statement and runs that
	// instead (go-sql-driver/mysql without interpolateParams).
	argsPrepare bool
	// slowSQL takes 200 ms or more; cancelSQL runs for seconds unless
	// canceled ("" when the backend has none).
	slowSQL   string
	cancelSQL string
}

func question(int) string { return "?" }
func dollar(i int) string { return "$" + strconv.Itoa(i) }

// uniqueTable returns a table name no other run can be using.
func uniqueTable() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "sqlaudit_" + hex.EncodeToString(b[:])
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// reachable fails t, saying how to start the server, unless b's server
// answers a ping. A missing server is a broken test environment, not a
// reason to skip: a skipped suite looks like a passing one.
func reachable(t *testing.T, b *backend, start string) {
	t.Helper()
	db, err := sql.Open(b.driver, b.dsn)
	if err != nil {
		t.Fatalf("%s: open %q: %v", b.name, b.dsn, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("%s is not reachable at %q: %v\n\tstart it with: %s", b.name, b.dsn, err, start)
	}
}

func TestSQLite(t *testing.T) {
	dir := t.TempDir()
	b := &backend{
		name:   "SQLite",
		driver: sqliteDriver,
		// A file, not :memory:, so that every connection of the pool
		// sees the same database; WAL and a busy timeout so that
		// concurrent readers and a writer wait rather than fail.
		dsn:     "file:" + filepath.Join(dir, "test.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)",
		system:  "sqlite",
		table:   uniqueTable(),
		ph:      question,
		named:   func(name string, _ int) string { return ":" + name },
		slowSQL: "SELECT sleep_ms(200)",
		// CPU work SQLite interrupts when the ctx ends: minutes of it
		// on any machine.
		cancelSQL: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c",
	}
	runSuite(t, b)
}

func TestPostgreSQL(t *testing.T) {
	b := &backend{
		name:      "PostgreSQL",
		driver:    "pgx",
		dsn:       env("AUDITLOG_TEST_POSTGRES_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		system:    "postgresql",
		table:     uniqueTable(),
		ph:        dollar,
		named:     func(_ string, i int) string { return dollar(i) }, // pgx binds sql.Named by position
		slowSQL:   "SELECT pg_sleep(0.2)",
		cancelSQL: "SELECT pg_sleep(10)",
	}
	reachable(t, b, "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
	runSuite(t, b)
}

func TestMySQL(t *testing.T) {
	b := &backend{
		name:        "MariaDB",
		driver:      "mysql",
		dsn:         env("AUDITLOG_TEST_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/test"),
		system:      "mysql",
		table:       uniqueTable(),
		ph:          question,
		argsPrepare: true,
		slowSQL:     "SELECT SLEEP(0.2)",
		cancelSQL:   "SELECT SLEEP(10)",
	}
	reachable(t, b, "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd")
	runSuite(t, b)
}
