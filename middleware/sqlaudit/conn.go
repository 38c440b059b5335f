package sqlaudit

import (
	"context"
	"database/sql/driver"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/auditlog-go/auditlog/auditlog"
)

// connIDs numbers connections across the process, so that transaction ids,
// which start with their connection's number, are unique in the process and
// not only on their connection.
var connIDs atomic.Uint64

// conn wraps a driver.Conn.
//
// database/sql changes what it does according to which optional interfaces a
// connection has, so the wrapper must not claim abilities the driver lacks.
// Most of the interfaces have a neutral answer that makes database/sql behave
// exactly as if the interface were missing, and conn always has those:
//
//   - ExecerContext, QueryerContext: driver.ErrSkip sends database/sql to
//     prepare, execute and close a statement instead.
//   - ConnPrepareContext, ConnBeginTx: without them database/sql calls the
//     old methods and checks the context itself; conn does the same checks.
//   - Pinger: no Pinger means the ping succeeds; conn returns nil.
//   - NamedValueChecker: driver.ErrSkip moves on to the default conversion.
//
// SessionResetter and Validator have no neutral answer: database/sql keeps a
// connection after a canceled transaction only when it has both. So those
// two are offered only by the variants connR, connV and connRV, chosen in
// newConn by what the driver's connection has.
//
// A driver.Conn is used by one goroutine at a time (database/sql holds its
// lock around every call), so txID needs no lock of its own.
type conn struct {
	c    driver.Conn
	a    *auditor
	id   uint64
	txN  uint64
	txID string // the open transaction's id, "" outside a transaction
	// spare is the rows wrapper of the connection's queries, so that a
	// query allocates none of its own; spareOut says it is in use, by
	// rows not yet closed. See newRows.
	spare    rows
	spareOut bool
}

type connR struct{ *conn }
type connV struct{ *conn }
type connRV struct{ *conn }

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.SessionResetter    = connR{}
	_ driver.Validator          = connV{}
	_ driver.SessionResetter    = connRV{}
	_ driver.Validator          = connRV{}
)

func newConn(c driver.Conn, a *auditor) driver.Conn {
	w := &conn{c: c, a: a, id: connIDs.Add(1)}
	_, r := c.(driver.SessionResetter)
	_, v := c.(driver.Validator)
	switch {
	case r && v:
		return connRV{w}
	case r:
		return connR{w}
	case v:
		return connV{w}
	}
	return w
}

func (c connR) ResetSession(ctx context.Context) error {
	return c.c.(driver.SessionResetter).ResetSession(ctx)
}
func (c connV) IsValid() bool { return c.c.(driver.Validator).IsValid() }
func (c connRV) ResetSession(ctx context.Context) error {
	return c.c.(driver.SessionResetter).ResetSession(ctx)
}
func (c connRV) IsValid() bool { return c.c.(driver.Validator).IsValid() }

// Unwrap returns the driver's own connection. database/sql hands the
// wrapper to [database/sql.Conn.Raw]; code that needs the driver's type
// there (pgx's *stdlib.Conn, say) gets it with
//
//	c.(interface{ Unwrap() driver.Conn }).Unwrap()
func (c *conn) Unwrap() driver.Conn { return c.c }

func (c *conn) Close() error { return c.c.Close() }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if !c.a.on() {
		s, err := prepare(ctx, c.c, query)
		if err != nil {
			return nil, err
		}
		return c.newStmt(s, query), nil
	}
	var k call
	c.a.begin(&k, opPrepare, query, c.txID, nil)
	s, err := prepare(ctx, c.c, query)
	c.a.finish(ctx, &k, err)
	if err != nil {
		return nil, err
	}
	// The statement is wrapped even while lines are off, so that it is
	// timed once they are turned on: statements live long.
	return c.newStmt(s, query), nil
}

// prepare is database/sql's own fallback for a driver without
// ConnPrepareContext: prepare, then give up if ctx ended meanwhile.
func prepare(ctx context.Context, c driver.Conn, query string) (driver.Stmt, error) {
	if pc, ok := c.(driver.ConnPrepareContext); ok {
		return pc.PrepareContext(ctx, query)
	}
	s, err := c.Prepare(query)
	if err == nil {
		select {
		case <-ctx.Done():
			s.Close()
			return nil, ctx.Err()
		default:
		}
	}
	return s, err
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a transaction and gives it an id, c<conn>-t<n>, that the
// lines of its statements, its commit or its rollback carry: the database's
// own transaction ids are not visible through database/sql.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	on := c.a.on()
	var k call
	if on {
		c.a.begin(&k, opBegin, "", "", nil)
	}
	t, err := beginTx(ctx, c.c, opts)
	if err == nil {
		c.txN++
		c.txID = "c" + strconv.FormatUint(c.id, 10) + "-t" + strconv.FormatUint(c.txN, 10)
		k.txID = c.txID
	}
	if on {
		c.a.finish(ctx, &k, err)
	}
	if err != nil {
		return nil, err
	}
	return &tx{t: t, c: c, ctx: ctx, id: c.txID}, nil
}

// beginTx is database/sql's fallback for a driver without ConnBeginTx.
func beginTx(ctx context.Context, c driver.Conn, opts driver.TxOptions) (driver.Tx, error) {
	if bc, ok := c.(driver.ConnBeginTx); ok {
		return bc.BeginTx(ctx, opts)
	}
	if opts.Isolation != driver.IsolationLevel(0) {
		return nil, errors.New("sql: driver does not support non-default isolation level")
	}
	if opts.ReadOnly {
		return nil, errors.New("sql: driver does not support read-only transactions")
	}
	t, err := c.Begin()
	if err == nil {
		select {
		case <-ctx.Done():
			_ = t.Rollback()
			return nil, ctx.Err()
		default:
		}
	}
	return t, err
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !c.a.on() {
		return exec(ctx, c.c, query, args)
	}
	var k call
	c.a.begin(&k, opExec, query, c.txID, args)
	res, err := exec(ctx, c.c, query, args)
	if err == nil {
		k.rows = rowsAffected(res)
	}
	c.a.finish(ctx, &k, err)
	return res, err
}

// exec calls the driver's ExecerContext, or its old Execer as database/sql
// would, or says driver.ErrSkip when it has neither.
func exec(ctx context.Context, c driver.Conn, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	e, ok := c.(driver.Execer)
	if !ok {
		return nil, driver.ErrSkip
	}
	vals, err := legacyArgs(ctx, args)
	if err != nil {
		return nil, err
	}
	return e.Exec(query, vals)
}

// rowsAffected returns the rows a result says it affected, when it says.
// driver.ResultNoRows (DDL, some drivers' statements without a count)
// answers with an error by definition, so it is not asked.
func rowsAffected(res driver.Result) auditlog.OptInt {
	if res == nil || res == driver.ResultNoRows {
		return auditlog.OptInt{}
	}
	n, err := res.RowsAffected()
	if err != nil || n < 0 {
		return auditlog.OptInt{}
	}
	return auditlog.Int(n)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !c.a.on() {
		return queryConn(ctx, c.c, query, args)
	}
	r := c.newRows(ctx)
	c.a.begin(&r.k, opQuery, query, c.txID, args)
	rs, err := queryConn(ctx, c.c, query, args)
	if err != nil {
		c.a.finish(ctx, &r.k, err)
		r.release()
		return nil, err
	}
	r.r = rs
	return r, nil
}

// newRows returns the wrapper for the rows of a query about to be made:
// the connection's spare when it is free, else a new one. database/sql
// calls the rows' methods under the connection's lock, as it does the
// connection's, and never again once it has closed them, so the spare is
// free again from the moment its rows close; a connection in a
// transaction or a sql.Conn can have several queries' rows open at once,
// and all but one of them get a wrapper of their own. (Code that drives
// the wrapped connection itself, through sql.Conn.Raw, must not use rows
// after closing them either: a second Close after the next query would
// close that query's rows.)
func (c *conn) newRows(ctx context.Context) *rows {
	if c.spareOut {
		return &rows{a: c.a, ctx: ctx}
	}
	c.spareOut = true
	r := &c.spare
	*r = rows{a: c.a, ctx: ctx, owner: c}
	return r
}

// queryConn calls the driver's QueryerContext, or its old Queryer as
// database/sql would, or says driver.ErrSkip when it has neither.
func queryConn(ctx context.Context, c driver.Conn, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := c.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	q, ok := c.(driver.Queryer)
	if !ok {
		return nil, driver.ErrSkip
	}
	vals, err := legacyArgs(ctx, args)
	if err != nil {
		return nil, err
	}
	return q.Query(query, vals)
}

// legacyArgs is what database/sql does before calling a driver method
// without a context (Execer, Queryer, Stmt.Exec, Stmt.Query): convert the
// arguments, then give up if ctx is already done, since the call cannot be
// cancelled once made.
func legacyArgs(ctx context.Context, args []driver.NamedValue) ([]driver.Value, error) {
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return vals, nil
}

// values is database/sql's conversion for drivers that predate named
// arguments: refuse names, keep the values.
func values(args []driver.NamedValue) ([]driver.Value, error) {
	vals := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("sql: driver does not support the use of Named Parameters")
		}
		vals[i] = a.Value
	}
	return vals, nil
}

// named is the reverse, for callers of the old Stmt.Exec and Stmt.Query.
func named(vals []driver.Value) []driver.NamedValue {
	args := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return args
}

// Ping pings through the driver when it can; a driver without Pinger is
// taken to be reachable, as database/sql takes it.
func (c *conn) Ping(ctx context.Context) error {
	p, ok := c.c.(driver.Pinger)
	if !ok {
		return nil
	}
	if !c.a.o.ping || !c.a.on() {
		return p.Ping(ctx)
	}
	var k call
	c.a.begin(&k, opPing, "", c.txID, nil)
	err := p.Ping(ctx)
	c.a.finish(ctx, &k, err)
	return err
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if nc, ok := c.c.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
