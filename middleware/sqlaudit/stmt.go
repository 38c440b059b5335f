package sqlaudit

import (
	"context"
	"database/sql/driver"
)

// stmt wraps a driver.Stmt. As with conn, it always has the optional
// interfaces that have a neutral answer (StmtExecContext and
// StmtQueryContext fall back as database/sql would; NamedValueChecker says
// driver.ErrSkip), and the variant stmtCC adds ColumnConverter only when the
// driver's statement has it: database/sql converts arguments differently when
// a statement has one.
type stmt struct {
	s     driver.Stmt
	c     *conn
	query string
}

type stmtCC struct{ *stmt }

var (
	_ driver.Stmt              = (*stmt)(nil)
	_ driver.StmtExecContext   = (*stmt)(nil)
	_ driver.StmtQueryContext  = (*stmt)(nil)
	_ driver.NamedValueChecker = (*stmt)(nil)
	_ driver.ColumnConverter   = stmtCC{}
)

func (c *conn) newStmt(s driver.Stmt, query string) driver.Stmt {
	w := &stmt{s: s, c: c, query: query}
	if _, ok := s.(driver.ColumnConverter); ok {
		return stmtCC{w}
	}
	return w
}

func (s stmtCC) ColumnConverter(idx int) driver.ValueConverter {
	return s.s.(driver.ColumnConverter).ColumnConverter(idx)
}

func (s *stmt) Close() error  { return s.s.Close() }
func (s *stmt) NumInput() int { return s.s.NumInput() }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

// ExecContext runs the statement. Its line carries the transaction the
// connection is in now, which is the one the statement runs in:
// database/sql keeps a connection to one transaction until it ends.
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	a := s.c.a
	if !a.on() {
		return s.exec(ctx, args)
	}
	var k call
	a.begin(&k, opExec, s.query, s.c.txID, args)
	res, err := s.exec(ctx, args)
	if err == nil {
		k.rows = rowsAffected(res)
	}
	a.finish(ctx, &k, err)
	return res, err
}

func (s *stmt) exec(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := s.s.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	vals, err := legacyArgs(ctx, args)
	if err != nil {
		return nil, err
	}
	return s.s.Exec(vals)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	a := s.c.a
	if !a.on() {
		return s.queryStmt(ctx, args)
	}
	r := s.c.newRows(ctx)
	a.begin(&r.k, opQuery, s.query, s.c.txID, args)
	rs, err := s.queryStmt(ctx, args)
	if err != nil {
		a.finish(ctx, &r.k, err)
		r.release()
		return nil, err
	}
	r.r = rs
	return r, nil
}

func (s *stmt) queryStmt(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := s.s.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vals, err := legacyArgs(ctx, args)
	if err != nil {
		return nil, err
	}
	return s.s.Query(vals)
}

// CheckNamedValue asks the statement's checker, else the connection's, in
// the order database/sql would; driver.ErrSkip when neither exists sends
// database/sql on to the ColumnConverter or the default conversion.
func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	if nc, ok := s.s.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(nv)
	}
	return s.c.CheckNamedValue(nv)
}
