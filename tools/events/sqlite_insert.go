package events

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

// The writer's insert runs below database/sql, on the driver's own
// connection (sql.Conn.Raw) and prepared statement. Through database/sql
// each Exec checks and converts its 19 arguments, locks the connection
// and wraps the driver's result; with 1,000 rows a transaction that was
// a fixed cost per row beside SQLite's own work, and BenchmarkInsertSQLite's
// store went from even with the raw driver's database/sql loop to ~6%
// ahead of it. The arguments here are already the driver's value types,
// in one slice reused row after row.
//
// Rows go in insertRows at a time, by one INSERT of that many rows, and
// only the rest of a batch (and a chunk with an event without Raw) row by
// row: an execution has a fixed cost (opening a cursor on each of the
// eleven B-trees, sqlite_sequence read and written, the reset), which
// one row paid alone. That multi-row INSERT is OR IGNORE, not ON CONFLICT
// DO NOTHING: with a constraint that may abort (NOT NULL), SQLite keeps a
// statement journal for a statement that writes several rows, which made
// it slower than row by row; OR IGNORE aborts nothing. The only other
// constraint OR IGNORE could skip a row for is raw's NOT NULL (the other
// NOT NULL columns are bound from Go strings and numbers, never NULL),
// and an event without Raw never goes that way, so a skipped row is a
// duplicate id, as with DO NOTHING. The statement reports only how many
// rows it stored: all of them (the common case) got consecutive seqs in
// VALUES order, ending with the last insert id; when some were
// duplicates, the stored ones are the newest rows (a new seq is above
// every seq in the table) and the newest query reads their ids back.

// rawWriter is the driver-level state of the writer connection, used
// under wmu.
type rawWriter struct {
	dc     driver.Conn            // the connection the statements were prepared on
	ins    driver.StmtExecContext // one row
	multi  driver.StmtExecContext // insertRows rows
	newest driver.StmtQueryContext
	args   [19 * insertRows]driver.NamedValue
	nargs  [1]driver.NamedValue
	dest   [2]driver.Value
	stored []storedRow
}

// insertRows is how many rows one execution of the multi-row insert
// stores: 32 took ~12% less time a row than one (BenchmarkInsertSQLite,
// store/driver 1.02 -> 1.15 in the same runs).
const insertRows = 32

// storedRow is a row the multi-row insert stored, read back by newest.
type storedRow struct {
	id      string
	seq     int64
	claimed bool
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
	w.dc, w.ins, w.multi, w.newest = nil, nil, nil, nil
	var sts []driver.Stmt
	prep := func(text string) (driver.Stmt, error) {
		st, err := c.PrepareContext(ctx, text)
		if err != nil {
			for _, st := range sts {
				st.Close()
			}
			return nil, err
		}
		sts = append(sts, st)
		return st, nil
	}
	st, err := prep(sqliteInsert)
	if err != nil {
		return nil, err
	}
	mst, err := prep(sqliteInsertRows)
	if err != nil {
		return nil, err
	}
	nst, err := prep(sqliteNewest)
	if err != nil {
		return nil, err
	}
	ins, ok1 := st.(driver.StmtExecContext)
	multi, ok2 := mst.(driver.StmtExecContext)
	newest, ok3 := nst.(driver.StmtQueryContext)
	if !ok1 || !ok2 || !ok3 {
		for _, st := range sts {
			st.Close()
		}
		return nil, fmt.Errorf("the driver's statement (%T) cannot execute or query with a context", st)
	}
	w.dc, w.ins, w.multi, w.newest = c, ins, multi, newest
	for i := range w.args {
		w.args[i].Ordinal = i + 1
	}
	w.nargs[0].Ordinal = 1
	return ins, nil
}

// close finalizes the insert if c is the connection it was prepared on.
func (w *rawWriter) close(c any) error {
	if w.ins == nil || w.dc != c {
		return nil
	}
	err := errors.Join(w.ins.(driver.Stmt).Close(), w.multi.(driver.Stmt).Close(), w.newest.(driver.Stmt).Close())
	w.dc, w.ins, w.multi, w.newest = nil, nil, nil, nil
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
		for i := 0; i < len(c.evs); {
			if len(c.evs)-i >= insertRows {
				done, err := s.insertRows(ctx, c, i)
				if err != nil {
					return err
				}
				if done {
					i += insertRows
					continue
				}
			}
			e := &c.evs[i]
			bindRow(a[:19], e)
			r, err := ins.ExecContext(ctx, a[:19])
			if err != nil {
				return s.fail(fmt.Sprintf("insert event %d (%s)", i, e.ID), err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				c.res.Duplicates++
			} else if c.seqs[i], err = r.LastInsertId(); err != nil {
				return s.fail("insert", err)
			} else {
				c.res.Inserted++
			}
			i++
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail("commit", err)
	}
	committed = true
	return nil
}

// bindRow sets a, the 19 arguments of one row, to e's columns.
func bindRow(a []driver.NamedValue, e *Event) {
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
}

// insertRows stores c.evs[from:from+insertRows] with one execution of the
// multi-row insert and counts each event as inserted, with its seq, or
// duplicate. It stores nothing and reports false when one of the events
// has no Raw (NULL, which OR IGNORE would skip silently): those go row
// by row, where raw's NOT NULL fails the batch as before.
func (s *sqliteStore) insertRows(ctx context.Context, c *insertCall, from int) (bool, error) {
	w := &s.raw
	evs := c.evs[from : from+insertRows]
	for k := range evs {
		if evs[k].Raw == nil {
			return false, nil
		}
	}
	for k := range evs {
		bindRow(w.args[k*19:k*19+19], &evs[k])
	}
	// What failed, for an error: made only then, not for every chunk.
	doing := func() string { return fmt.Sprintf("insert events %d to %d", from, from+insertRows-1) }
	r, err := w.multi.ExecContext(ctx, w.args[:])
	if err != nil {
		return false, s.fail(doing(), err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, s.fail(doing(), err)
	}
	switch {
	case n == insertRows:
		last, err := r.LastInsertId()
		if err != nil {
			return false, s.fail(doing(), err)
		}
		for k := range evs {
			c.seqs[from+k] = last - insertRows + 1 + int64(k)
		}
		c.res.Inserted += insertRows
		return true, nil
	case n == 0:
		c.res.Duplicates += insertRows
		return true, nil
	}
	// Some were duplicates: the n stored are the n newest rows.
	w.nargs[0].Value = n
	rows, err := w.newest.QueryContext(ctx, w.nargs[:])
	if err != nil {
		return false, s.fail(doing(), err)
	}
	w.stored = w.stored[:0]
	for {
		err := rows.Next(w.dest[:])
		if err == io.EOF {
			break
		}
		if err != nil {
			rows.Close()
			return false, s.fail(doing(), err)
		}
		var id string
		switch v := w.dest[0].(type) {
		case string:
			id = v
		case []byte:
			id = string(v)
		}
		seq, _ := w.dest[1].(int64)
		w.stored = append(w.stored, storedRow{id: id, seq: seq})
	}
	if err := rows.Close(); err != nil {
		return false, s.fail(doing(), err)
	}
	matched := 0
	for k := range evs {
		j := -1
		for m := range w.stored {
			if !w.stored[m].claimed && w.stored[m].id == evs[k].ID {
				j = m
				break
			}
		}
		if j < 0 {
			c.res.Duplicates++
			continue
		}
		w.stored[j].claimed = true
		c.seqs[from+k] = w.stored[j].seq
		c.res.Inserted++
		matched++
	}
	if int64(matched) != n || len(w.stored) != int(n) {
		return false, s.fail(doing(), fmt.Errorf("the insert stored %d rows, but %d of the newest %d are the batch's", n, matched, len(w.stored)))
	}
	return true, nil
}
