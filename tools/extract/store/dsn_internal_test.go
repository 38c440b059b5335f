package store

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseDSN(t *testing.T) {
	for _, c := range []struct {
		dsn     string
		dialect string
		// where: host:port, or the SQLite file; db: the database name.
		where, db, user, pass string
		check                 func(t *testing.T, d *dsn)
	}{
		{dsn: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", dialect: DialectPostgres, where: "127.0.0.1:5432", db: "test", user: "postgres",
			check: func(t *testing.T, d *dsn) {
				if d.pg.ConnectTimeout != 10*time.Second {
					t.Errorf("ConnectTimeout = %v", d.pg.ConnectTimeout)
				}
			}},
		{dsn: "postgresql://u:p%40ss@db.example:6543/audit", dialect: DialectPostgres, where: "db.example:6543", db: "audit", user: "u", pass: "p@ss"},
		{dsn: "postgres://u:pw@h/db?connect_timeout=3", dialect: DialectPostgres, where: "h:5432", db: "db", user: "u", pass: "pw",
			check: func(t *testing.T, d *dsn) {
				if d.pg.ConnectTimeout != 3*time.Second {
					t.Errorf("ConnectTimeout = %v; the DSN's 3s should stay", d.pg.ConnectTimeout)
				}
			}},
		{dsn: "mysql://root:pass@127.0.0.1:3306/ops?charset=utf8mb4", dialect: DialectMySQL, where: "127.0.0.1:3306", db: "ops", user: "root", pass: "pass",
			check: func(t *testing.T, d *dsn) {
				c := d.mysql
				if !c.ParseTime || c.Loc != time.UTC || c.ClientFoundRows || c.Timeout != 10*time.Second || c.ReadTimeout != 2*time.Minute || c.WriteTimeout != 2*time.Minute {
					t.Errorf("config = %+v", c)
				}
				if f := c.FormatDSN(); !strings.Contains(f, "charset=utf8mb4") {
					t.Errorf("charset lost: %s", f)
				}
			}},
		// The seed's form.
		{dsn: "mysql+asyncmy://root:pass@host.docker.internal:3306/ops?charset=utf8mb4", dialect: DialectMySQL, where: "host.docker.internal:3306", db: "ops", user: "root", pass: "pass"},
		{dsn: "mysql+pymysql://u:p@h/db", dialect: DialectMySQL, where: "h:3306", db: "db", user: "u", pass: "p"},
		{dsn: "mysql+aiomysql://u:p@[::1]:3307/db", dialect: DialectMySQL, where: "[::1]:3307", db: "db", user: "u", pass: "p"},
		{dsn: "mariadb+mariadbconnector://u:p%2Fq%3Ar@h:3306/db", dialect: DialectMySQL, where: "h:3306", db: "db", user: "u", pass: "p/q:r"},
		{dsn: "mariadb://u@h/db", dialect: DialectMySQL, where: "h:3306", db: "db", user: "u"},
		{dsn: "MySQL://u@/db", dialect: DialectMySQL, where: "127.0.0.1:3306", db: "db", user: "u"},
		{dsn: "mysql+pymysql://u:p@h/db?connect_timeout=5&read_timeout=30&write_timeout=1.5", dialect: DialectMySQL, where: "h:3306", db: "db", user: "u", pass: "p",
			check: func(t *testing.T, d *dsn) {
				if c := d.mysql; c.Timeout != 5*time.Second || c.ReadTimeout != 30*time.Second || c.WriteTimeout != 1500*time.Millisecond {
					t.Errorf("timeouts %v %v %v", c.Timeout, c.ReadTimeout, c.WriteTimeout)
				}
			}},
		{dsn: "mysql+pymysql://u:p@/db?unix_socket=/run/mysqld/mysqld.sock", dialect: DialectMySQL, where: "/run/mysqld/mysqld.sock", db: "db", user: "u", pass: "p",
			check: func(t *testing.T, d *dsn) {
				if d.mysql.Net != "unix" {
					t.Errorf("Net = %q", d.mysql.Net)
				}
			}},
		// go-sql-driver's own form.
		{dsn: "user:pass@tcp(host:3306)/db", dialect: DialectMySQL, where: "host:3306", db: "db", user: "user", pass: "pass"},
		{dsn: "root@tcp(127.0.0.1:3306)/test?readTimeout=5s&parseTime=false", dialect: DialectMySQL, where: "127.0.0.1:3306", db: "test", user: "root",
			check: func(t *testing.T, d *dsn) {
				if d.mysql.ReadTimeout != 5*time.Second || !d.mysql.ParseTime {
					t.Errorf("readTimeout %v, parseTime %v: want the DSN's 5s and parseTime forced on", d.mysql.ReadTimeout, d.mysql.ParseTime)
				}
			}},
		{dsn: "u:p@ss/w@tcp(h:3306)/db", dialect: DialectMySQL, where: "h:3306", db: "db", user: "u", pass: "p@ss/w"},
		// SQLite: SQLAlchemy's slashes, the short form, bare paths.
		{dsn: "sqlite:///rel/actions.db", dialect: DialectSQLite, where: "rel/actions.db"},
		{dsn: "sqlite:////var/lib/log-extract/actions.db", dialect: DialectSQLite, where: "/var/lib/log-extract/actions.db"},
		{dsn: "sqlite+pysqlite:///a%20b.db", dialect: DialectSQLite, where: "a b.db"},
		{dsn: "sqlite:/tmp/x.db", dialect: DialectSQLite, where: "/tmp/x.db"},
		{dsn: "sqlite:x.anything", dialect: DialectSQLite, where: "x.anything"},
		{dsn: "/var/lib/log-extract/actions.db", dialect: DialectSQLite, where: "/var/lib/log-extract/actions.db"},
		{dsn: "actions.SQLITE3", dialect: DialectSQLite, where: "actions.SQLITE3"},
	} {
		t.Run(c.dsn, func(t *testing.T) {
			d, err := parseDSN(c.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if d.dialect != c.dialect {
				t.Fatalf("dialect = %q; want %q", d.dialect, c.dialect)
			}
			var where, db, user, pass string
			switch d.dialect {
			case DialectPostgres:
				where, db, user, pass = d.pg.Host+":"+strconv.Itoa(int(d.pg.Port)), d.pg.Database, d.pg.User, d.pg.Password
			case DialectMySQL:
				where, db, user, pass = d.mysql.Addr, d.mysql.DBName, d.mysql.User, d.mysql.Passwd
			case DialectSQLite:
				where = d.sqlite
			}
			if where != c.where || db != c.db || user != c.user || pass != c.pass {
				t.Errorf("got %q db %q user %q pass %q; want %q db %q user %q pass %q", where, db, user, pass, c.where, c.db, c.user, c.pass)
			}
			if c.pass != "" && strings.Contains(d.shown, c.pass) {
				t.Errorf("shown DSN %q holds the password", d.shown)
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}

// secret is the password of every bad DSN: no error may hold it.
const secret = "s3cr3t"

func TestParseDSNErrors(t *testing.T) {
	for _, c := range []struct{ dsn, say string }{
		{"", "empty DSN"},
		{"   ", "empty DSN"},
		{"nonsense", "cannot tell which database"},
		{"oracle://u:s3cr3t@h/db", `unknown database "oracle"`},
		{"mysql://u:s3cr3t@h:99999/db", `the port "99999"`},
		{"mysql+asyncmy://u:s3cr3t@h:abc/db", `the port "abc"`},
		{"mysql://u:s3cr3t@h:3306/", "the database name is missing"},
		{"mysql://u:s3cr3t@h:3306", "the database name is missing"},
		{"mysql://u:s3cr3t#x@h/db", "'#'"},
		{"mysql://u:s3cr3t@h/db?a=%zz", "query string"},
		{"mysql://u:s3cr3t%zz@h/db", "the password has a bad %-escape"},
		{"mysql://u:s3cr3t@h/db?timeout=forever", "go-sql-driver/mysql rejects it"},
		{"u:s3cr3t@tcp(h:3306", "go-sql-driver/mysql rejects it"},
		{"u:s3cr3t@tcp(h:3306)/", "the database name is missing"},
		{"u:s3cr3t@tcp(h:3306)/db?strict=true", `"strict" parameter`},
		{"u:s3cr3t@tcp(h:3306)/db?timeout=x", "go-sql-driver/mysql rejects it"},
		{"postgres://u:s3cr3t@h:notaport/db", "invalid port"},
		{"postgres://u:s3cr3t@h/db?sslmode=bogus", "sslmode"},
		{"postgres://u:s3%63r3t@h/db?sslmode=bogus", "sslmode"},
		{"postgres://u:s3cr3t@h/db?a=%zz", "query string"},
		{"sqlite://", "a file is expected"},
		{"sqlite://x.db", "a file is expected"},
		{"sqlite:///:memory:", "in-memory"},
		{"sqlite:", "the SQLite file is missing"},
		{"sqlite:///x.db?mode=ro", "not supported"},
		{"sqlite:///x%zz.db", "bad %-escape"},
	} {
		t.Run(c.dsn, func(t *testing.T) {
			d, err := parseDSN(c.dsn)
			if err == nil {
				t.Fatalf("accepted: %+v", d)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.say) {
				t.Errorf("error %q does not say %q", msg, c.say)
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, "s3%63r3t") {
				t.Errorf("error %q holds the password", msg)
			}
			if !strings.HasPrefix(msg, "store: ") {
				t.Errorf("error %q does not start with store:", msg)
			}
		})
	}
}

// TestOpenErrorsHideThePassword: a server that cannot be reached.
func TestOpenErrorsHideThePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"postgres://u:" + secret + "@127.0.0.1:1/db?sslmode=disable",
		"mysql+asyncmy://u:" + secret + "@127.0.0.1:1/db",
		"u:" + secret + "@tcp(127.0.0.1:1)/db",
	} {
		_, err := Open(ctx, dsn, "", "vm", Options{})
		if err == nil || !strings.Contains(err.Error(), "cannot connect") || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: err = %v", dsn, err)
		}
	}
}

func TestTableNames(t *testing.T) {
	for _, name := range []string{"nova_compute_action_log", "_x", "T1", strings.Repeat("a", 48)} {
		if err := CheckTable(name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, name := range []string{"", "1abc", "a-b", "a;drop table x", "ops.actions", `a"b`, "é", strings.Repeat("a", 49)} {
		if err := CheckTable(name); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
	if _, err := Open(context.Background(), "sqlite:///"+t.TempDir()+"/x.db", "a;b", "vm", Options{}); err == nil {
		t.Error("Open accepted table a;b")
	}
}

func TestDefaultTable(t *testing.T) {
	for mode, want := range map[string]string{
		"vm": "nova_compute_action_log", "": "nova_compute_action_log",
		"glance": "glance_image_action_log", "neutron": "neutron_action_log",
	} {
		if got := DefaultTable(mode); got != want {
			t.Errorf("DefaultTable(%q) = %q; want %q", mode, got, want)
		}
	}
}

// TestOpenErrorsSayItOnce: pgx tries twice with sslmode=prefer (TLS, then
// not) and lists both attempts; the same failure is said once. A SQLite
// file in a folder that does not exist names the folder (SQLite itself
// says only "unable to open database file (14)").
func TestOpenErrorsSayItOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://postgres@127.0.0.1:1/test", "", "vm", Options{})
	if err == nil || strings.Count(err.Error(), "connection refused") != 1 {
		t.Errorf("postgres on a closed port: err = %v, want the refusal said once", err)
	}
	dir := filepath.Join(t.TempDir(), "missing")
	_, err = Open(ctx, filepath.Join(dir, "actions.db"), "", "vm", Options{})
	if err == nil || !strings.Contains(err.Error(), strconv.Quote(dir)+" does not exist") {
		t.Errorf("SQLite in a missing folder: err = %v, want it to name %s", err, dir)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("the missing folder was created")
	}
}
