package sqlaudit

import (
	"context"
	"database/sql/driver"
	"io"
	"reflect"
	"time"
)

// rows wraps the rows of a query, whose line is written when they are
// done: many drivers return from the query call as soon as the first bytes
// of the answer arrive, and the real work — and the errors, cancellation
// included — comes while the rows are read. The duration runs from the
// query call until the rows are used up, fail or are closed, whichever
// comes first; like any client-side timing it includes the time the caller
// spends between rows.
//
// The optional Rows interfaces all have a neutral answer (no next result
// set; the column type defaults database/sql itself uses), so rows always
// has them and passes through what the driver's rows have.
type rows struct {
	r   driver.Rows
	a   *auditor
	ctx context.Context
	k   call
	err error // the first error reading the rows
	eof bool  // the last Next said io.EOF
	// done is set once the line is written; database/sql closes rows
	// once, but a driver's own users may not.
	done bool
	// owner is the connection whose spare this is, nil for a wrapper of
	// its own (see conn.newRows).
	owner *conn
}

var (
	_ driver.Rows                           = (*rows)(nil)
	_ driver.RowsNextResultSet              = (*rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ driver.RowsColumnTypeLength           = (*rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*rows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*rows)(nil)
)

func (r *rows) Columns() []string { return r.r.Columns() }

func (r *rows) Next(dest []driver.Value) error {
	err := r.r.Next(dest)
	if err != nil {
		r.stop(err)
	}
	return err
}

// stop notes the end of reading: io.EOF when a result set is used up, or
// an error.
func (r *rows) stop(err error) {
	if r.k.took == 0 {
		r.k.took = time.Since(r.k.start)
	}
	if err == io.EOF {
		r.eof = true
	} else if r.err == nil {
		r.err = err
	}
}

// Close closes the driver's rows and writes the query's line. Rows closed
// before they were used up, with the query's ctx ended, were cut short by
// it (database/sql closes them itself when the ctx ends), so the line says
// so even when the driver reported nothing.
func (r *rows) Close() error {
	err := r.r.Close()
	if r.done {
		return err
	}
	r.done = true
	e := r.err
	if e == nil {
		e = err
	}
	if e == nil && !r.eof {
		e = r.ctx.Err()
	}
	r.a.finish(r.ctx, &r.k, e)
	r.release()
	return err
}

// release hands a connection's spare back once its line is written. It
// keeps the driver's rows, so that a second Close still reaches them as it
// would without the wrapper, but drops the request's ctx and arguments,
// which the idle connection would otherwise keep alive until its next
// query.
func (r *rows) release() {
	if r.owner == nil {
		return
	}
	r.ctx, r.k.attrs, r.err = nil, nil, nil
	r.owner.spareOut = false
}

func (r *rows) HasNextResultSet() bool {
	if n, ok := r.r.(driver.RowsNextResultSet); ok {
		return n.HasNextResultSet()
	}
	return false
}

func (r *rows) NextResultSet() error {
	n, ok := r.r.(driver.RowsNextResultSet)
	if !ok {
		return io.EOF
	}
	err := n.NextResultSet()
	if err == nil {
		// Reading goes on: the time and EOF of the last set were not
		// the end.
		r.k.took, r.eof = 0, false
	} else {
		r.stop(err)
	}
	return err
}

// anyType is the scan type database/sql assumes when a driver names none.
var anyType = reflect.TypeFor[any]()

func (r *rows) ColumnTypeScanType(index int) reflect.Type {
	if c, ok := r.r.(driver.RowsColumnTypeScanType); ok {
		return c.ColumnTypeScanType(index)
	}
	return anyType
}

func (r *rows) ColumnTypeDatabaseTypeName(index int) string {
	if c, ok := r.r.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return c.ColumnTypeDatabaseTypeName(index)
	}
	return ""
}

func (r *rows) ColumnTypeLength(index int) (int64, bool) {
	if c, ok := r.r.(driver.RowsColumnTypeLength); ok {
		return c.ColumnTypeLength(index)
	}
	return 0, false
}

func (r *rows) ColumnTypeNullable(index int) (nullable, ok bool) {
	if c, ok := r.r.(driver.RowsColumnTypeNullable); ok {
		return c.ColumnTypeNullable(index)
	}
	return false, false
}

func (r *rows) ColumnTypePrecisionScale(index int) (precision, scale int64, ok bool) {
	if c, ok := r.r.(driver.RowsColumnTypePrecisionScale); ok {
		return c.ColumnTypePrecisionScale(index)
	}
	return 0, 0, false
}
