package events

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// The writer's insert runs below database/sql, on the driver's own
// connection (sql.Conn.Raw) and prepared statement. Through database/sql
// each Exec checks and converts its 19 arguments, locks the connection
// and wraps the driver's result; with 1,000 rows a transaction that was
// a fixed cost per row beside SQLite's own work, and BenchmarkInsertSQLite's
// store went from even with the raw driver's database/sql loop to ~6%
// ahead of it. The arguments here are already the driver's value types,
// in one slice reused row after row.

// rawWriter is the driver-level state of the writer connection, used
// under wmu.
type rawWriter struct {
	dc   driver.Conn // the connection ins was prepared on
	ins  driver.StmtExecContext
	args [19]driver.NamedValue
}

// rawConn is what the insert needs of the driver's connection;
// modernc.org/sqlite's has it all.
type rawConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
}

func (s *sqliteStore) insertTx(ctx context.Context, group []*insertCall) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return s.fail("begin", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(rawConn)
		if !ok {
			return s.fail("begin", fmt.Errorf("the driver's connection (%T) cannot prepare or begin with a context", dc))
		}
		return s.insertRaw(ctx, c, group)
	})
}

// prepare gives the insert prepared on c, preparing it again when the
// writer's connection is not the one it was prepared on (database/sql
// replaced a broken one; the old statement went with it).
func (w *rawWriter) prepare(ctx context.Context, c rawConn) (driver.StmtExecContext, error) {
	if w.dc == c && w.ins != nil {
		return w.ins, nil
	}
	w.dc, w.ins = nil, nil
	st, err := c.PrepareContext(ctx, sqliteInsert)
	if err != nil {
		return nil, err
	}
	ins, ok := st.(driver.StmtExecContext)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("the driver's statement (%T) cannot execute with a context", st)
	}
	w.dc, w.ins = c, ins
	for i := range w.args {
		w.args[i].Ordinal = i + 1
	}
	return ins, nil
}

// close finalizes the insert if c is the connection it was prepared on.
func (w *rawWriter) close(c any) error {
	if w.ins == nil || w.dc != c {
		return nil
	}
	err := w.ins.(driver.Stmt).Close()
	w.dc, w.ins = nil, nil
	return err
}

func (s *sqliteStore) insertRaw(ctx context.Context, dc rawConn, group []*insertCall) error {
	ins, err := s.raw.prepare(ctx, dc)
	if err != nil {
		return s.fail("prepare the insert", err)
	}
	tx, err := dc.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return s.fail("begin", err)
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	a := &s.raw.args
	defer func() { // hold on to no event past the call
		for i := range a {
			a[i].Value = nil
		}
	}()
	for _, c := range group {
		c.seqs = make([]int64, len(c.evs))
		for i := range c.evs {
			e := &c.evs[i]
			a[0].Value = e.ID
			a[1].Value = e.Time.UnixMicro()
			a[2].Value = levelArg(e)
			a[3].Value = e.Kind
			a[4].Value = e.Service
			a[5].Value = e.UserID
			a[6].Value = e.UserName
			a[7].Value = e.Project
			a[8].Value = e.Action
			a[9].Value = e.TargetType
			a[10].Value = e.TargetID
			a[11].Value = e.RequestID
			a[12].Value = e.GlobalRequestID
			a[13].Value = e.Outcome
			a[14].Value = statusArg(e)
			a[15].Value = durationArg(e)
			a[16].Value = e.Message
			a[17].Value = e.Format
			a[18].Value = e.Raw
			r, err := ins.ExecContext(ctx, a[:])
			if err != nil {
				return s.fail(fmt.Sprintf("insert event %d (%s)", i, e.ID), err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				c.res.Duplicates++
				continue
			}
			if c.seqs[i], err = r.LastInsertId(); err != nil {
				return s.fail("insert", err)
			}
			c.res.Inserted++
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail("commit", err)
	}
	committed = true
	return nil
}
