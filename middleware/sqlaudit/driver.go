package sqlaudit

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"reflect"
	"strings"

	"github.com/auditlog-go/auditlog/middleware"
)

// NewConnector returns a connector whose connections report every call
// through r. Open the pool with [database/sql.OpenDB]:
//
//	db := sql.OpenDB(sqlaudit.NewConnector(c, r, sqlaudit.WithDatabase("nova")))
//
// It panics if r is nil: a wrapper with nowhere to write is a mistake
// better found at start-up than at the first query.
func NewConnector(c driver.Connector, r *middleware.Reporter, opts ...Option) driver.Connector {
	d := c.Driver()
	a := newAuditor(r, buildOptions(opts), d, "")
	return &connector{c: c, d: &wrappedDriver{d: d, a: a}}
}

// Wrap returns a driver whose connections report every call through r, for
// code that registers drivers by name:
//
//	sql.Register("pgx-audited", sqlaudit.Wrap(stdlib.GetDefaultDriver(), r))
//
// The returned driver always has OpenConnector, so database/sql parses the
// DSN once per pool rather than once per connection when the wrapped driver
// can do that.
func Wrap(d driver.Driver, r *middleware.Reporter, opts ...Option) driver.Driver {
	return &wrappedDriver{d: d, a: newAuditor(r, buildOptions(opts), d, "")}
}

// Open is [database/sql.Open] with every call reported through r. The
// driver is looked up by name as sql.Open does, and the name also gives
// the default rpc.system ("pgx" is postgresql, "sqlite" sqlite…). Like
// sql.Open it does not connect; use [database/sql.DB.PingContext] for that.
func Open(driverName, dsn string, r *middleware.Reporter, opts ...Option) (*sql.DB, error) {
	if r == nil {
		panic("sqlaudit: nil *middleware.Reporter")
	}
	// database/sql offers no lookup of a registered driver, but an
	// unconnected DB knows its driver, and making one connects nothing.
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	d := probe.Driver()
	_ = probe.Close()
	w := &wrappedDriver{d: d, a: newAuditor(r, buildOptions(opts), d, driverName)}
	c, err := w.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// wrappedDriver is the driver made by Wrap, and the Driver of every
// wrapped connector.
type wrappedDriver struct {
	d driver.Driver
	a *auditor
}

var (
	_ driver.Driver        = (*wrappedDriver)(nil)
	_ driver.DriverContext = (*wrappedDriver)(nil)
)

// Unwrap returns the driver's own Driver, for code that asks
// [database/sql.DB.Driver] which driver a pool uses.
func (w *wrappedDriver) Unwrap() driver.Driver { return w.d }

func (w *wrappedDriver) Open(name string) (driver.Conn, error) {
	c, err := w.d.Open(name)
	if err != nil {
		return nil, err
	}
	return newConn(c, w.a), nil
}

// OpenConnector uses the driver's own connector when it has one, and
// otherwise one that calls its Open, as database/sql would.
func (w *wrappedDriver) OpenConnector(name string) (driver.Connector, error) {
	if dc, ok := w.d.(driver.DriverContext); ok {
		c, err := dc.OpenConnector(name)
		if err != nil {
			return nil, err
		}
		return &connector{c: c, d: w}, nil
	}
	return &connector{c: dsnConnector{name: name, d: w.d}, d: w}, nil
}

// connector wraps a driver.Connector. It always has Close, which
// database/sql calls when the pool closes; it closes the wrapped connector
// if that can be closed, so a missing Close and a no-op one act alike.
type connector struct {
	c driver.Connector
	d *wrappedDriver
}

var (
	_ driver.Connector = (*connector)(nil)
	_ io.Closer        = (*connector)(nil)
)

// Connect opens a connection. Connecting is not reported: it happens
// inside the first call that needs a connection, whose error is the
// caller's, and database/sql returns it to the caller unchanged.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newConn(cn, c.d.a), nil
}

func (c *connector) Driver() driver.Driver { return c.d }

func (c *connector) Close() error {
	if cl, ok := c.c.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// dsnConnector is database/sql's connector for drivers without
// DriverContext: each connection is an Open of the DSN.
type dsnConnector struct {
	name string
	d    driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.name) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// systems maps fragments of a driver's registered name or Go package to the
// OpenTelemetry db.system name, first match wins. The order matters:
// "pgx" and "pq" before anything that might contain them by accident.
var systems = []struct{ fragment, system string }{
	{"sqlite", "sqlite"},
	{"pgx", "postgresql"},
	{"postgres", "postgresql"},
	{"lib/pq", "postgresql"},
	{"mysql", "mysql"},
	{"mariadb", "mysql"},
	{"sqlserver", "mssql"},
	{"mssql", "mssql"},
	{"godror", "oracle"},
	{"oracle", "oracle"},
	{"clickhouse", "clickhouse"},
}

// guessSystem names the database system from the driver's registered name
// (when known) and its Go type: "other_sql", OpenTelemetry's word for an
// unknown SQL database, when neither says.
func guessSystem(driverName string, d driver.Driver) string {
	hay := strings.ToLower(driverName)
	if d != nil {
		t := reflect.TypeOf(d)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		hay += " " + strings.ToLower(t.PkgPath()+"."+t.Name())
	}
	for _, s := range systems {
		if strings.Contains(hay, s.fragment) {
			return s.system
		}
	}
	return "other_sql"
}
