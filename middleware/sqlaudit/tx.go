package sqlaudit

import (
	"context"
	"database/sql/driver"
)

// tx wraps a driver.Tx so that its end is timed and the connection forgets
// the transaction id. It keeps the ctx of BeginTx because Commit and
// Rollback have none, and their lines should carry the request context of
// the transaction.
type tx struct {
	t   driver.Tx
	c   *conn
	ctx context.Context
	id  string
}

func (t *tx) Commit() error   { return t.end(opCommit, t.t.Commit) }
func (t *tx) Rollback() error { return t.end(opRollback, t.t.Rollback) }

func (t *tx) end(o op, f func() error) error {
	on := t.c.a.on()
	var k call
	if on {
		t.c.a.begin(&k, o, "", t.id, nil)
	}
	err := f()
	// The transaction is over whether or not its end succeeded:
	// database/sql does not use it again.
	if t.c.txID == t.id {
		t.c.txID = ""
	}
	if on {
		t.c.a.finish(t.ctx, &k, err)
	}
	return err
}
