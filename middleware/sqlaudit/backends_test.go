package sqlaudit_test

import (
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/dbtest"
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

// uniqueTable returns a table name no other test uses.
func uniqueTable() string { return dbtest.UniqueTable("sqlaudit") }

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
		dsn:       dbtest.PostgresDSN(),
		system:    "postgresql",
		table:     uniqueTable(),
		ph:        dollar,
		named:     func(_ string, i int) string { return dollar(i) }, // pgx binds sql.Named by position
		slowSQL:   "SELECT pg_sleep(0.2)",
		cancelSQL: "SELECT pg_sleep(10)",
	}
	dbtest.Reachable(t, b.name, b.driver, b.dsn, dbtest.StartPostgres)
	runSuite(t, b)
}

func TestMySQL(t *testing.T) {
	b := &backend{
		name:        "MariaDB",
		driver:      "mysql",
		dsn:         dbtest.MySQLDSN(),
		system:      "mysql",
		table:       uniqueTable(),
		ph:          question,
		argsPrepare: true,
		slowSQL:     "SELECT SLEEP(0.2)",
		cancelSQL:   "SELECT SLEEP(10)",
	}
	dbtest.Reachable(t, b.name, b.driver, b.dsn, dbtest.StartMariaDB)
	runSuite(t, b)
}
