package events

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the LISTEN/NOTIFY channel of this store's tables: one
// per schema, so that two deployments sharing a database do not wake each
// other.
func (s *pgStore) notifyChannel() string { return "auditlog_events_" + s.schema }

// notify, inside an insert's transaction, tells every server watching
// this store that events up to seq were stored. PostgreSQL delivers it
// only when the transaction commits, and only once per distinct payload.
// It carries the Seq, never the events: watchers read those from the
// tables, through the same scope rules as every other read.
func (s *pgStore) notify(ctx context.Context, tx pgx.Tx, seq int64) error {
	_, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", s.notifyChannel(), strconv.FormatInt(seq, 10))
	return err
}

// Watch calls poke each time any server commits events to this store,
// until ctx ends (it is the stream hub's [stream.Watcher]). It holds one
// connection of its own, LISTENing; when that connection is lost it
// reconnects with back-off and pokes once it is back, since what was
// stored meanwhile was not announced to it.
func (s *pgStore) Watch(ctx context.Context, poke func()) error {
	backoff := 100 * time.Millisecond
	for {
		err := s.listen(ctx, poke)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.closed.Load() {
			return errClosed
		}
		_ = err // the hub polls meanwhile; the next attempt says more
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *pgStore) listen(ctx context.Context, poke func()) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := c.Hijack() // LISTEN belongs to the connection: keep it out of the pool
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.notifyChannel()}.Sanitize()); err != nil {
		return err
	}
	poke() // what was stored while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		poke()
	}
}
