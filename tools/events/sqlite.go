package events

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// The SQLite store: one file in WAL mode, one writer connection (SQLite
// takes one writer at a time anyway; a single connection makes that a
// queue in Go instead of busy retries) and a pool of readers, which WAL
// lets read while the writer commits.
//
// Durability: synchronous=FULL. In WAL mode NORMAL would already keep a
// committed transaction through kill -9 — the WAL is written to the
// kernel before COMMIT returns, and a killed process does not take the
// kernel's page cache with it — but it may lose the last commits to a
// power cut or a kernel crash. FULL syncs the WAL at every commit, so an
// acknowledged batch survives those too; its cost is one fsync per batch,
// not per event (see BenchmarkInsertSQLite).
const sqliteSchema = `
CREATE TABLE IF NOT EXISTS events (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,` + sqliteEventColumns + `
);
CREATE INDEX IF NOT EXISTS events_time ON events (time, id);
` + eventIndexes + `
CREATE TABLE IF NOT EXISTS follow_offsets (
	path TEXT PRIMARY KEY,
	inode INTEGER NOT NULL,
	off INTEGER NOT NULL,
	line INTEGER NOT NULL,
	checksum TEXT NOT NULL
);
`

// sqliteEventColumns are an event's columns after its ID, in events and
// in incident_events, which keeps copies of events and is read by the same
// scanEvent.
const sqliteEventColumns = `
	time INTEGER NOT NULL,
	level INTEGER NOT NULL,
	kind TEXT NOT NULL,
	service TEXT NOT NULL,
	user_id TEXT NOT NULL,
	user_name TEXT NOT NULL,
	project TEXT NOT NULL,
	action TEXT NOT NULL,
	target_type TEXT NOT NULL,
	target_id TEXT NOT NULL,
	request_id TEXT NOT NULL,
	global_request_id TEXT NOT NULL,
	outcome TEXT NOT NULL,
	status INTEGER,
	duration_ms REAL,
	message TEXT NOT NULL,
	format TEXT NOT NULL,
	raw BLOB NOT NULL`

// seq is INTEGER PRIMARY KEY AUTOINCREMENT, not a plain rowid, so that a
// purge that removes the newest rows never lets a later insert reuse
// their numbers: a stream reader that has seen seq n must never be handed
// another event numbered n.

const sqliteInsert = `INSERT INTO events (id, time, level, kind, service, user_id, user_name, project, action,
	target_type, target_id, request_id, global_request_id, outcome, status, duration_ms, message, format, raw)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`

// sqliteInsertRows is the insert of insertRows rows at once, and
// sqliteNewest reads back the ids and seqs of the newest rows (see
// insertRows).
var sqliteInsertRows = "INSERT OR IGNORE" + sqliteInsert[len("INSERT"):strings.Index(sqliteInsert, "VALUES")] + "VALUES " +
	strings.TrimSuffix(strings.Repeat("(?"+strings.Repeat(", ?", 18)+"), ", insertRows), ", ")

const sqliteNewest = "SELECT id, seq FROM events ORDER BY seq DESC LIMIT ?"

// purgeChunk is how many rows one DELETE of a purge removes, so that the
// writer is never held for long and readers see progress.
const purgeChunk = 5000

func init() {
	// events_fold is the case folding of the text search for needles that
	// are not ASCII (see builder.text).
	err := sqlite.RegisterDeterministicScalarFunction("events_fold", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return fold(v), nil
			case []byte:
				return fold(string(v)), nil
			}
			return args[0], nil
		})
	if err != nil {
		panic(err)
	}
}

type sqliteStore struct {
	path string
	w    *sql.DB // one connection: the writer
	r    *sql.DB // readers
	raw  rawWriter
	shared

	// stmts are the readers' prepared statements by text: a query's text
	// depends only on the shape of its Query (values are arguments), so a
	// few hundred shapes cover what the API asks, and parsing was a
	// seventh of a page's time. Cleared when full.
	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	watchers watchers // in-process Watch (one process writes an SQLite file)

	// Group commit: concurrent Inserts share one transaction. Each call
	// queues its batch in pending and takes wmu; the holder commits every
	// batch queued by then, so the calls that arrived while the previous
	// transaction ran find theirs done when they get wmu. Measured with
	// four clients (BenchmarkIngestHTTP, batches of 1,000): one commit —
	// one fsync and one write of each dirty index page — for four batches
	// instead of four, +25–45% events/s; a lone caller commits at once,
	// as before.
	wmu     sync.Mutex
	gmu     sync.Mutex
	pending []*insertCall
}

// insertCall is one Insert waiting for its group's commit.
type insertCall struct {
	evs  []Event
	seqs []int64
	res  Result
	err  error
	done bool // under wmu
}

const maxStmts = 256

// stmt returns the readers' prepared statement for text.
func (s *sqliteStore) stmt(ctx context.Context, text string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts[text]; ok {
		return st, nil
	}
	st, err := s.r.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if len(s.stmts) >= maxStmts {
		for _, old := range s.stmts {
			old.Close()
		}
		clear(s.stmts)
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[text] = st
	return st, nil
}

// sqlitePageSize is the page size of the files the store creates: 16 KiB,
// not SQLite's 4 KiB. Measured with BenchmarkIngestHTTP (1,000-line
// requests from 4 clients): a table row is ~700 bytes, so a 4 KiB leaf
// split every ~5 inserts, and every commit writes each dirty page as a
// WAL frame of its own (two write(2)s); with 16 KiB the inserts spent
// ~12% less time and the commits ~25% less, for ~15% more lines/s. It
// takes effect only when the file is created (a WAL database keeps the
// page size it has), which sqliteCreate does before the store's pragmas
// are applied.
const sqlitePageSize = 16384

// sqliteWALCheckpoint is how much WAL the writer lets grow between
// automatic checkpoints, in bytes (wal_autocheckpoint counts pages).
const sqliteWALCheckpoint = 64 << 20

// sqliteFile is the URI of the file at path, without parameters.
func sqliteFile(path string) string {
	u := url.URL{Scheme: "file", Path: path}
	if !filepath.IsAbs(path) {
		u = url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath()}
	}
	return u.String()
}

// sqliteURI is the DSN of a connection to the file at path, whose pages
// are pageSize bytes: the writer's when write, else a reader's.
func sqliteURI(path string, write bool, pageSize int) string {
	// busy_timeout: another process's writer (log-serve purge beside a
	// running server) delays us instead of failing us. _txlock=immediate:
	// the writer takes the lock at BEGIN, so a batch never fails half-way
	// for want of it.
	// cache_size: the writer keeps 128 MiB of pages (the indexes' hot
	// pages: an insert touches ten B-trees), each reader 32 MiB.
	// wal_autocheckpoint: 64 MiB of WAL between checkpoints rather than
	// 4 MiB; the random-key indexes (id, request, target) dirty pages all
	// over, and a page changed by several batches between two
	// checkpoints is copied into the file once — BenchmarkInsertSQLite
	// went from 9,300 to 16,000 events/s with it.
	q := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	if write {
		q += fmt.Sprintf("&_pragma=cache_size(-131072)&_pragma=wal_autocheckpoint(%d)&_txlock=immediate",
			sqliteWALCheckpoint/max(pageSize, 512))
	} else {
		q += "&_pragma=cache_size(-32768)&_pragma=query_only(1)"
	}
	return sqliteFile(path) + q
}

// sqliteCreate gives the file at path, when it is missing or empty,
// sqlitePageSize and WAL mode, and returns its page size. This is a
// connection of its own, before any with the store's DSN: with the DSN's
// pragmas the driver has fixed the page size of a new file at 4 KiB by
// the time page_size could change it. On a file that has content, both
// PRAGMAs change nothing.
func sqliteCreate(ctx context.Context, path string) (int, error) {
	db, err := sql.Open("sqlite", sqliteFile(path))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 || errors.Is(err, os.ErrNotExist) {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size=%d; PRAGMA journal_mode=WAL", sqlitePageSize)); err != nil {
			return 0, err
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}

func openSQLite(ctx context.Context, path string) (Store, error) {
	if dir := filepath.Dir(path); dir != "." {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("events: sqlite %s: the folder %s does not exist", path, dir)
		}
	}
	pageSize, err := sqliteCreate(ctx, path)
	if err != nil {
		return nil, unavailable("sqlite "+path+": open", err)
	}
	w, err := sql.Open("sqlite", sqliteURI(path, true, pageSize))
	if err != nil {
		return nil, fmt.Errorf("events: sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &sqliteStore{path: path, w: w}
	s.db = s
	if _, err := w.ExecContext(ctx, sqliteSchema); err != nil {
		w.Close()
		return nil, unavailable("sqlite "+path+": create the tables", err)
	}
	r, err := sql.Open("sqlite", sqliteURI(path, false, pageSize))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("events: sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s.r = r
	return s, nil
}

func (s *sqliteStore) fail(doing string, err error) error {
	return unavailable("sqlite "+s.path+": "+doing, err)
}

func (s *sqliteStore) row(ctx context.Context, b *builder) scanner {
	return s.r.QueryRowContext(ctx, b.String(), b.args...)
}

func (s *sqliteStore) exec(ctx context.Context, b *builder) error {
	_, err := s.w.ExecContext(ctx, b.String(), b.args...)
	return err
}

func (s *sqliteStore) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	// The insert's statement is finalized before its connection closes:
	// an unfinalized statement keeps SQLite from closing the file.
	s.wmu.Lock()
	var ierr error
	if c, err := s.w.Conn(context.Background()); err == nil {
		ierr = c.Raw(s.raw.close)
		c.Close()
	}
	s.wmu.Unlock()
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.mu.Unlock()
	var err error
	if s.r != nil {
		err = s.r.Close()
	}
	return errors.Join(ierr, err, s.w.Close())
}

func (s *sqliteStore) Insert(ctx context.Context, evs []Event) (Result, error) {
	if s.closed.Load() {
		return Result{}, errClosed
	}
	if err := checkEvents(evs); err != nil {
		return Result{}, err
	}
	if len(evs) == 0 {
		return Result{}, nil
	}
	if err := ctx.Err(); err != nil {
		return Result{}, s.fail("begin", err)
	}
	c := &insertCall{evs: evs}
	s.gmu.Lock()
	s.pending = append(s.pending, c)
	s.gmu.Unlock()
	s.wmu.Lock()
	if !c.done {
		s.gmu.Lock()
		group := s.pending
		s.pending = nil
		s.gmu.Unlock()
		// The group's transaction is not the holder's alone: one
		// caller going away must not undo the others' batches.
		s.insertGroup(context.WithoutCancel(ctx), group)
	}
	s.wmu.Unlock()
	if c.err != nil {
		return Result{}, c.err
	}
	for i := range evs {
		evs[i].Seq = c.seqs[i]
	}
	return c.res, nil
}

// insertGroup stores the batches of group in one transaction and marks
// each call done with its own counts, or with the error that undid them
// all. It runs under wmu.
func (s *sqliteStore) insertGroup(ctx context.Context, group []*insertCall) {
	err := s.insertTx(ctx, group)
	inserted := 0
	for _, c := range group {
		c.done = true
		if err != nil {
			c.err, c.res, c.seqs = err, Result{}, nil
		}
		inserted += c.res.Inserted
	}
	if inserted > 0 {
		s.watchers.poke()
	}
}

func (s *sqliteStore) query(ctx context.Context, doing string, b *builder, hint int) ([]Event, error) {
	st, err := s.stmt(ctx, b.String())
	if err != nil {
		return nil, s.fail(doing, err)
	}
	rows, err := st.QueryContext(ctx, b.args...)
	if err != nil {
		return nil, s.fail(doing, err)
	}
	defer rows.Close()
	evs, err := collect(rows, false, hint)
	if err != nil {
		return nil, s.fail(doing, err)
	}
	return evs, nil
}

func (s *sqliteStore) Purge(ctx context.Context, p Purge) (PurgeResult, error) {
	if s.closed.Load() {
		return PurgeResult{}, errClosed
	}
	var res PurgeResult
	w := builder{}
	if err := w.purgeWhere(p); err != nil {
		return res, err
	}
	var lo, hi sql.NullInt64
	err := s.r.QueryRowContext(ctx, "SELECT count(*), min(time), max(time) FROM events"+w.String(), w.args...).
		Scan(&res.Removed, &lo, &hi)
	if err != nil {
		return res, s.fail("purge: count", err)
	}
	if len(p.Keep) > 0 {
		k := builder{}
		k.s("SELECT count(*) FROM events WHERE time < ").timeArg(p.Before).s(" AND ")
		if err := k.keep(p.Keep); err != nil {
			return res, err
		}
		if err := s.r.QueryRowContext(ctx, k.String(), k.args...).Scan(&res.Kept); err != nil {
			return res, s.fail("purge: count what is kept", err)
		}
	}
	if lo.Valid {
		res.Oldest, res.Newest = time.UnixMicro(lo.Int64).UTC(), time.UnixMicro(hi.Int64).UTC()
	}
	if p.DryRun || res.Removed == 0 {
		return res, nil
	}
	del := "DELETE FROM events WHERE seq IN (SELECT seq FROM events" + w.String() + " LIMIT " + fmt.Sprint(purgeChunk) + ")"
	var removed int64
	for {
		r, err := s.w.ExecContext(ctx, del, w.args...)
		if err != nil {
			res.Removed = removed
			return res, s.fail(fmt.Sprintf("purge (%d removed so far)", removed), err)
		}
		n, _ := r.RowsAffected()
		removed += n
		if n < purgeChunk {
			break
		}
	}
	res.Removed = removed
	return res, nil
}
