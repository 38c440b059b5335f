package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// The two stores differ in their drivers (database/sql and pgx), their
// placeholders and how they keep a time, which builder{pg}, scanEvent and
// timeDest already hide; they do not differ in what Get, List, Since,
// LastSeq, Values, Offset and SaveOffset ask of the database.
// Those are written once, on shared, which each store embeds with itself
// as its sqlDB.

// eventIndexes are the indexes of events that the filters builder writes
// are made for, the same in both dialects; each schema adds those of its
// own (time, seq).
const eventIndexes = `
CREATE INDEX IF NOT EXISTS events_project ON events (project, time, id);
CREATE INDEX IF NOT EXISTS events_user_id ON events (user_id, time, id);
CREATE INDEX IF NOT EXISTS events_user_name ON events (user_name, time, id);
CREATE INDEX IF NOT EXISTS events_request ON events (request_id);
CREATE INDEX IF NOT EXISTS events_global_request ON events (global_request_id);
CREATE INDEX IF NOT EXISTS events_target ON events (target_id);
CREATE INDEX IF NOT EXISTS events_action ON events (action, time);`

// sqlDB is what the shared methods need of a store's database.
type sqlDB interface {
	// row runs a statement that returns at most one row, on a reader.
	row(ctx context.Context, b *builder) scanner
	// exec runs a statement that returns no rows, on the writer.
	exec(ctx context.Context, b *builder) error
	// each runs a statement and calls fn with the Scan of each row.
	each(ctx context.Context, doing string, b *builder, fn func(scan func(...any) error) error) error
	// query reads the events a statement selects; hint is how many are
	// expected.
	query(ctx context.Context, doing string, b *builder, hint int) ([]Event, error)
	// fail says what the store was doing when err happened, and whether
	// the caller may retry (see unavailable).
	fail(doing string, err error) error
}

// shared is the part of a store that is the same for both.
type shared struct {
	db     sqlDB
	pg     bool
	closed atomic.Bool
}

// isNoRows: a one-row statement found no row, in either driver's words.
func isNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows)
}

func (s *shared) Get(ctx context.Context, id string, scope Scope) (Event, error) {
	if s.closed.Load() {
		return Event{}, errClosed
	}
	if !ValidID(id) {
		return Event{}, ErrNotFound
	}
	b := builder{pg: s.pg}
	b.s("SELECT ", columns, " FROM events WHERE id = ").arg(id).s(" AND ")
	b.scope(scope)
	e, err := scanEvent(s.db.row(ctx, &b), s.pg)
	if isNoRows(err) {
		return Event{}, ErrNotFound
	}
	if err != nil {
		return Event{}, s.db.fail("get "+id, err)
	}
	return e, nil
}

// resolve gives a cursor that holds only an ID (Tacker's index) the time
// of its event, as the scope sees it. The query is checked first, so that
// bad input is ErrInvalid before any statement runs, as [Store] says.
func (s *shared) resolve(ctx context.Context, q *Query) error {
	if q.After.ID == "" || !q.After.Time.IsZero() {
		return nil
	}
	if err := CheckQuery(*q); err != nil {
		return err
	}
	b := builder{pg: s.pg}
	b.s("SELECT time FROM events WHERE id = ").arg(q.After.ID).s(" AND ")
	b.scope(q.Scope)
	dest, t := timeDest(s.pg)
	err := s.db.row(ctx, &b).Scan(dest)
	if isNoRows(err) {
		return fmt.Errorf("cursor %s: %w", q.After.ID, ErrNotFound)
	}
	if err != nil {
		return s.db.fail("look up the cursor's event", err)
	}
	q.After.Time = t()
	return nil
}

func (s *shared) List(ctx context.Context, q Query) (Page, error) {
	if s.closed.Load() {
		return Page{}, errClosed
	}
	if err := s.resolve(ctx, &q); err != nil {
		return Page{}, err
	}
	limit := clampLimit(q.Limit)
	b := builder{pg: s.pg}
	if err := b.list("events", q, limit); err != nil {
		return Page{}, err
	}
	evs, err := s.db.query(ctx, "list", &b, limit)
	if err != nil {
		return Page{}, err
	}
	return pageOf(evs, limit), nil
}

// pageOf cuts the one row past the limit and sets Next when it was there.
func pageOf(evs []Event, limit int) Page {
	p := Page{Events: evs}
	if len(evs) > limit {
		p.Events = evs[:limit]
		last := p.Events[limit-1]
		p.Next = Cursor{Time: last.Time, ID: last.ID}
	}
	return p
}

func (s *shared) Since(ctx context.Context, seq int64, q Query, limit int) ([]Event, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	limit = clampLimit(limit)
	b := builder{pg: s.pg}
	b.s("SELECT ", columns, " FROM events WHERE seq > ").arg(seq)
	first := false
	q.After = Cursor{}
	if err := b.where(q, &first); err != nil {
		return nil, err
	}
	b.s(" ORDER BY seq LIMIT ").arg(limit)
	return s.db.query(ctx, "since", &b, limit)
}

// LastSeq is the Seq of the last event stored (0 for an empty store): where
// a live stream starts. Both stores answer it from an index on seq, in one
// query, whatever their size.
func (s *shared) LastSeq(ctx context.Context) (int64, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	b := builder{pg: s.pg}
	b.s("SELECT COALESCE(MAX(seq), 0) FROM events")
	var n int64
	if err := s.db.row(ctx, &b).Scan(&n); err != nil {
		return 0, s.db.fail("last seq", err)
	}
	return n, nil
}

func (s *shared) Offset(ctx context.Context, path string) (Offset, bool, error) {
	if s.closed.Load() {
		return Offset{}, false, errClosed
	}
	b := builder{pg: s.pg}
	b.s("SELECT inode, off, line, checksum FROM follow_offsets WHERE path = ").arg(path)
	o := Offset{Path: path}
	var inode int64
	err := s.db.row(ctx, &b).Scan(&inode, &o.Offset, &o.Line, &o.Checksum)
	if isNoRows(err) {
		return Offset{}, false, nil
	}
	if err != nil {
		return Offset{}, false, s.db.fail("offset of "+path, err)
	}
	o.Inode = uint64(inode)
	return o, true, nil
}

func (s *shared) SaveOffset(ctx context.Context, o Offset) error {
	if s.closed.Load() {
		return errClosed
	}
	b := builder{pg: s.pg}
	b.s("INSERT INTO follow_offsets (path, inode, off, line, checksum) VALUES (").
		arg(o.Path).s(", ").arg(int64(o.Inode)).s(", ").arg(o.Offset).s(", ").arg(o.Line).s(", ").arg(o.Checksum).
		s(`) ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, off = excluded.off, line = excluded.line, checksum = excluded.checksum`)
	return s.db.fail("save the offset of "+o.Path, s.db.exec(ctx, &b))
}

// rows is the rowsFunc of the shared queries (requests, incidents,
// histograms).
func (s *shared) rows(ctx context.Context, b *builder, fn func(scan func(...any) error) error) error {
	if s.closed.Load() {
		return errClosed
	}
	return s.db.each(ctx, "requests", b, fn)
}

func (s *shared) Values(ctx context.Context, field string, q Query, limit int) ([]ValueCount, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	b := builder{pg: s.pg}
	if err := b.values(field, "events", q, limit); err != nil {
		return nil, err
	}
	var out []ValueCount
	err := s.db.each(ctx, "values of "+field, &b, func(scan func(...any) error) error {
		var v sql.NullString
		var n int64
		if err := scan(&v, &n); err != nil {
			return err
		}
		out = append(out, valueCount(field, v.String, n))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
