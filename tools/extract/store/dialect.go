package store

import (
	"strconv"
	"strings"
	"time"
)

// column is one column of the table, in insert order, with the most
// characters a value may hold (0: no limit). The limits are checked before a
// batch is sent, so all three databases refuse the same actions with the
// same message (SQLite would store anything; MySQL outside strict mode would
// cut values short). The DDL is made from the same list, so a limit checked
// is the length declared.
type column struct {
	name string
	kind colKind
	max  int
}

// colKind is a column's type, which each dialect spells its own way
// (dialect.types).
type colKind int

const (
	colTime    colKind = iota // NOT NULL
	colVarchar                // NOT NULL, at most max characters
	colText                   // NOT NULL
	colLong                   // NOT NULL, may be long (evidence)
	colInt                    // NULL when unknown
	colReal                   // NULL when unknown
)

// columns are the inserted columns. id and created_at are the database's.
var columns = []column{
	{"ts", colTime, 0},
	{"action", colVarchar, 64},
	{"resource_type", colVarchar, 32},
	{"resource", colVarchar, 128},
	{"user_id", colVarchar, 255},
	{"project_id", colVarchar, 255},
	{"request_id", colVarchar, 128},
	{"service", colVarchar, 64},
	{"method", colVarchar, 16},
	{"path", colText, 0},
	{"status", colInt, 0},
	{"outcome", colVarchar, 16},
	{"duration_ms", colReal, 0},
	{"matched_by", colVarchar, 16},
	{"evidence", colLong, 0},
}

// dialect is what differs between the databases.
type dialect struct {
	name       string
	driver     string // database/sql driver name ("" when opened through a connector)
	quote      func(string) string
	ddl        func(table string) []string
	ph         func(i int) string // placeholder of the i-th argument, from 1
	insert     string             // the statement's head, up to the table name
	onConflict string             // after the VALUES
	maxParams  int                // placeholders a statement may hold
	ts         func(time.Time) any
	truncate   string // with %s for the quoted table
}

func quoteDouble(s string) string   { return `"` + s + `"` }
func quoteBacktick(s string) string { return "`" + s + "`" }
func question(int) string           { return "?" }
func dollar(i int) string           { return "$" + strconv.Itoa(i) }

// sqliteTime is the text SQLite holds a time as: RFC 3339 in UTC with
// exactly six fractional digits, so that the text sorts as the time does and
// the unique key compares equal instants as equal strings.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

var dialects = map[string]*dialect{
	DialectPostgres: {
		name:   DialectPostgres,
		driver: "pgx",
		quote:  quoteDouble,
		ddl:    postgresDDL,
		ph:     dollar,
		insert: "INSERT INTO ",
		// ON CONFLICT names the key, so any other failure (a NOT NULL,
		// a CHECK, a value too long) is still an error.
		onConflict: " ON CONFLICT (resource, action, ts) DO NOTHING",
		maxParams:  65535,
		ts:         func(t time.Time) any { return t },
		truncate:   "TRUNCATE TABLE %s",
	},
	DialectMySQL: {
		name:   DialectMySQL,
		quote:  quoteBacktick,
		ddl:    mysqlDDL,
		ph:     question,
		insert: "INSERT INTO ",
		// Not INSERT IGNORE: IGNORE also turns a value too long, a bad
		// date or a NULL in a NOT NULL column into a warning and stores
		// something else, so a broken batch would "succeed". ON
		// DUPLICATE KEY UPDATE with a no-op assignment ignores duplicate
		// keys only; with clientFoundRows off, a row left as it was
		// counts 0 in RowsAffected, so the count is of inserted rows.
		onConflict: " ON DUPLICATE KEY UPDATE id = id",
		maxParams:  65535,
		ts:         func(t time.Time) any { return t },
		truncate:   "TRUNCATE TABLE %s",
	},
	DialectSQLite: {
		name:       DialectSQLite,
		driver:     "sqlite",
		quote:      quoteDouble,
		ddl:        sqliteDDL,
		ph:         question,
		insert:     "INSERT OR IGNORE INTO ",
		onConflict: "",
		// SQLITE_MAX_VARIABLE_NUMBER has been 32766 since 3.32.
		maxParams: 32766,
		ts:        func(t time.Time) any { return t.UTC().Format(sqliteTime) },
		truncate:  "DELETE FROM %s",
	},
}

// The DDL keeps the three databases alike: the same columns, the same
// lengths, a unique key on (resource, action, ts) and two indexes, on ts
// (time-range queries) and on request_id (joining back to the logs). The
// unique key's leading column serves queries by resource, so resource needs
// no index of its own.
//
// The columns of the unique key are short enough for any InnoDB row format:
// 128 + 64 characters of utf8mb4 is 768 bytes, under 3072 for the key and
// 767 per column for the old COMPACT format's prefix limit (512 bytes for
// resource). request_id (128 characters, 512 bytes) fits too.

// The column types of each dialect, by colKind; a %d is the column's max.
var (
	postgresTypes = [...]string{colTime: "TIMESTAMP(6) WITH TIME ZONE NOT NULL", colVarchar: "VARCHAR(%d) NOT NULL",
		colText: "TEXT NOT NULL", colLong: "TEXT NOT NULL", colInt: "INTEGER", colReal: "DOUBLE PRECISION"}
	mysqlTypes = [...]string{colTime: "DATETIME(6) NOT NULL", colVarchar: "VARCHAR(%d) NOT NULL",
		colText: "TEXT NOT NULL", colLong: "MEDIUMTEXT NOT NULL", colInt: "INT NULL", colReal: "DOUBLE NULL"}
	sqliteTypes = [...]string{colTime: "TEXT NOT NULL", colVarchar: "TEXT NOT NULL",
		colText: "TEXT NOT NULL", colLong: "TEXT NOT NULL", colInt: "INTEGER", colReal: "REAL"}
)

func postgresDDL(table string) []string {
	return withIndexes(table, &postgresTypes, "id BIGSERIAL PRIMARY KEY",
		"created_at TIMESTAMP(6) WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP")
}

// mysqlDDL keeps the indexes inside CREATE TABLE, because MySQL (unlike
// MariaDB) has no CREATE INDEX IF NOT EXISTS. utf8mb4_bin compares ids byte
// for byte, as PostgreSQL and SQLite do: a case-insensitive collation would
// take two ids differing in case for one key. ts is DATETIME(6), in UTC (the
// store writes UTC): TIMESTAMP would end in 2038 and shift with the session's
// time zone.
func mysqlDDL(table string) []string {
	return []string{
		createTable(quoteBacktick(table), &mysqlTypes,
			"id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT",
			"created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)",
			"PRIMARY KEY (id)",
			"UNIQUE KEY "+quoteBacktick(table+"_key")+" (resource, action, ts)",
			"KEY "+quoteBacktick(table+"_ts")+" (ts)",
			"KEY "+quoteBacktick(table+"_request_id")+" (request_id)") +
			"\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
	}
}

// sqliteDDL: SQLite ignores VARCHAR lengths (the store checks them); ts and
// created_at are text in the sqliteTime layout (created_at to the
// millisecond, which is what strftime gives).
func sqliteDDL(table string) []string {
	return withIndexes(table, &sqliteTypes, "id INTEGER PRIMARY KEY",
		"created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
}

// withIndexes is the DDL of PostgreSQL and SQLite, which both have
// CREATE INDEX IF NOT EXISTS: the table with its unique key, then the
// indexes.
func withIndexes(table string, types *[colReal + 1]string, id, createdAt string) []string {
	q := quoteDouble(table)
	return []string{
		createTable(q, types, id, createdAt, "CONSTRAINT "+quoteDouble(table+"_key")+" UNIQUE (resource, action, ts)") + "\n)",
		`CREATE INDEX IF NOT EXISTS ` + quoteDouble(table+"_ts") + ` ON ` + q + ` (ts)`,
		`CREATE INDEX IF NOT EXISTS ` + quoteDouble(table+"_request_id") + ` ON ` + q + ` (request_id)`,
	}
}

// createTable is CREATE TABLE IF NOT EXISTS quoted, up to its closing
// parenthesis: the id column, the inserted columns in the dialect's types,
// created_at, then the keys.
func createTable(quoted string, types *[colReal + 1]string, id, createdAt string, keys ...string) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS ")
	b.WriteString(quoted)
	b.WriteString(" (\n\t")
	b.WriteString(id)
	for _, c := range columns {
		b.WriteString(",\n\t")
		b.WriteString(c.name)
		b.WriteByte(' ')
		b.WriteString(strings.Replace(types[c.kind], "%d", strconv.Itoa(c.max), 1))
	}
	for _, s := range append([]string{createdAt}, keys...) {
		b.WriteString(",\n\t")
		b.WriteString(s)
	}
	return b.String()
}

// insertSQL returns the statement inserting rows rows.
func (d *dialect) insertSQL(table string, rows int) string {
	var b strings.Builder
	b.WriteString(d.insert)
	b.WriteString(d.quote(table))
	b.WriteString(" (")
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.name)
	}
	b.WriteString(") VALUES ")
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.ph(n))
			n++
		}
		b.WriteByte(')')
	}
	b.WriteString(d.onConflict)
	return b.String()
}

// selectColumns is a query that fails unless the table has every column
// the store writes, and returns no row.
func selectColumns(quoted string) string {
	var b strings.Builder
	b.WriteString("SELECT id")
	for _, c := range columns {
		b.WriteString(", ")
		b.WriteString(c.name)
	}
	b.WriteString(", created_at FROM ")
	b.WriteString(quoted)
	b.WriteString(" WHERE 1 = 0")
	return b.String()
}
