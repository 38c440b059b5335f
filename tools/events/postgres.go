package events

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The PostgreSQL store: a parent table partitioned by day on time, its
// partitions created on demand before an insert that needs them, a BRIN
// index on time (tiny, and what the planner uses for wide windows on
// time-ordered data), and a purge that drops whole days.
//
// It talks to pgx's own pool rather than database/sql: COPY (CopyFrom)
// is pgx's, arrays and nullable values go over the binary protocol
// without database/sql's conversions, and the pool's errors (a closed
// pool, a refused dial) are pgx's own types, which ErrUnavailable is
// decided from.
//
// The unique key is (time, id) — a unique index on a partitioned table
// must hold the partition key — which is as good as one on id: the id is
// a hash of the line, which holds the time, so one id has one time.
const pgSchema = `
CREATE SEQUENCE IF NOT EXISTS events_seq;
CREATE TABLE IF NOT EXISTS events (
	seq bigint NOT NULL DEFAULT nextval('events_seq'),
	id text NOT NULL,` + pgEventColumns + `,
	PRIMARY KEY (time, id)
) PARTITION BY RANGE (time);
CREATE INDEX IF NOT EXISTS events_time_brin ON events USING brin (time);
CREATE INDEX IF NOT EXISTS events_id ON events (id);
CREATE INDEX IF NOT EXISTS events_seq_i ON events (seq);
` + eventIndexes + `
CREATE TABLE IF NOT EXISTS follow_offsets (
	path text PRIMARY KEY,
	inode bigint NOT NULL,
	off bigint NOT NULL,
	line bigint NOT NULL,
	checksum text NOT NULL
);
`

// pgEventColumns are an event's columns after its ID, in events and in
// incident_events, which keeps copies of events and is read by the same
// scanEvent.
const pgEventColumns = `
	time timestamptz NOT NULL,
	level smallint NOT NULL,
	kind text NOT NULL,
	service text NOT NULL,
	user_id text NOT NULL,
	user_name text NOT NULL,
	project text NOT NULL,
	action text NOT NULL,
	target_type text NOT NULL,
	target_id text NOT NULL,
	request_id text NOT NULL,
	global_request_id text NOT NULL,
	outcome text NOT NULL,
	status integer,
	duration_ms double precision,
	message text NOT NULL,
	format text NOT NULL,
	raw bytea NOT NULL`

// insertCols are the columns an insert writes; seq comes from the
// sequence.
var insertCols = []string{"id", "time", "level", "kind", "service", "user_id", "user_name", "project", "action",
	"target_type", "target_id", "request_id", "global_request_id", "outcome", "status", "duration_ms", "message", "format", "raw"}

// pgUnnestInsert inserts a batch sent as one array per column: one
// statement, one round trip.
const pgUnnestInsert = `INSERT INTO events (id, time, level, kind, service, user_id, user_name, project, action,
	target_type, target_id, request_id, global_request_id, outcome, status, duration_ms, message, format, raw)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::smallint[], $4::text[], $5::text[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int4[],
	$16::float8[], $17::text[], $18::text[], $19::bytea[])
ON CONFLICT DO NOTHING RETURNING id, seq`

// pgCopyInsert moves a batch COPYed into the connection's staging table
// into events.
const pgCopyInsert = `INSERT INTO events (id, time, level, kind, service, user_id, user_name, project, action,
	target_type, target_id, request_id, global_request_id, outcome, status, duration_ms, message, format, raw)
SELECT id, time, level, kind, service, user_id, user_name, project, action,
	target_type, target_id, request_id, global_request_id, outcome, status, duration_ms, message, format, raw
FROM events_in ORDER BY ord
ON CONFLICT DO NOTHING RETURNING id, seq`

const pgStaging = `CREATE TEMP TABLE IF NOT EXISTS events_in (
	ord int NOT NULL, id text, time timestamptz, level smallint, kind text, service text, user_id text,
	user_name text, project text, action text, target_type text, target_id text, request_id text,
	global_request_id text, outcome text, status integer, duration_ms double precision, message text,
	format text, raw bytea
) ON COMMIT DELETE ROWS`

// pgCopyMin is the batch size from which Insert COPYs into a staging
// table rather than sending arrays. BenchmarkInsertPostgres finds the two
// equally fast at 1,000 events (the indexes dominate: both run at the
// speed of a plain CopyFrom into the same table), but the arrays cost pgx
// ten times the memory (6.9 MB against 0.7 MB a batch), which a server
// under load pays in GC; small batches keep the one round trip of the
// arrays.
var pgCopyMin = 64

type pgStore struct {
	pool   *pgxpool.Pool
	schema string
	// lock is the advisory lock key of this store's tables: inserts take
	// it, so that Seq order is commit order (a follower reading "after
	// seq n" never passes an event that commits later with a smaller
	// number), and so does partition creation.
	lock int64
	days sync.Map // "20261203" → struct{}: partitions known to exist
	shared
}

func openPostgres(ctx context.Context, dsn string) (Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:] // pgx quotes the DSN; say what is wrong without it
		}
		return nil, invalid("postgres %s: %s", RedactDSN(dsn), msg)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	// Each connection has its staging table for COPY (temporary: its
	// own, gone with it).
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, pgStaging)
		return err
	}
	where := fmt.Sprintf("postgres %s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, unavailable(where, err)
	}
	s := &pgStore{pool: pool}
	s.db, s.pg = s, true
	if err := s.prepare(ctx); err != nil {
		pool.Close()
		return nil, unavailable(where, err)
	}
	return s, nil
}

// prepare creates the tables under the store's advisory lock, so that two
// servers starting at once do not race on CREATE … IF NOT EXISTS (which
// is not safe against itself), and today's and tomorrow's partitions, so
// that the usual insert never waits for DDL.
func (s *pgStore) prepare(ctx context.Context) error {
	var schema *string
	if err := s.pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	if schema == nil {
		return errors.New("no schema on the search_path exists (create it, or fix ?search_path=)")
	}
	s.schema = *schema
	h := fnv.New64a()
	h.Write([]byte("auditlog-events:" + s.schema))
	s.lock = int64(h.Sum64())
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", s.lock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, pgSchema)
		return err
	})
	if err != nil {
		return fmt.Errorf("create the tables in schema %s: %w", s.schema, err)
	}
	now := time.Now().UTC()
	return s.ensureDays(ctx, []time.Time{now, now.Add(24 * time.Hour)})
}

func dayName(t time.Time) string { return "events_p" + t.UTC().Format("20060102") }

// ensureDays creates the daily partitions that hold times, unless this
// store has already seen them. Another server may be creating the same
// one: the advisory lock orders them, and "already exists" is success.
func (s *pgStore) ensureDays(ctx context.Context, times []time.Time) error {
	var missing []time.Time
	for _, t := range times {
		name := dayName(t)
		if _, ok := s.days.Load(name); ok {
			continue
		}
		if !containsDay(missing, t) {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", s.lock+1); err != nil {
			return err
		}
		for _, t := range missing {
			day := t.UTC().Truncate(24 * time.Hour)
			name := dayName(day)
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				sql := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF events FOR VALUES FROM ('%s') TO ('%s')",
					name, day.Format("2006-01-02 15:04:05+00"), day.Add(24*time.Hour).Format("2006-01-02 15:04:05+00"))
				if _, err := tx.Exec(ctx, sql); err != nil && !isDuplicate(err) {
					return fmt.Errorf("create partition %s: %w", name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range missing {
		s.days.Store(dayName(t), struct{}{})
	}
	return nil
}

func containsDay(ts []time.Time, t time.Time) bool {
	for _, x := range ts {
		if dayName(x) == dayName(t) {
			return true
		}
	}
	return false
}

// isDuplicate: the object another session created first.
func isDuplicate(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42P07" || pe.Code == "23505")
}

// isNoPartition: a row whose day has no partition (a purge dropped it
// after we cached it).
func isNoPartition(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && strings.Contains(pe.Message, "no partition")
}

func (s *pgStore) fail(doing string, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("events: postgres: %s: %w", doing, err)
	}
	return unavailable("postgres: "+doing, err)
}

func (s *pgStore) row(ctx context.Context, b *builder) scanner {
	return s.pool.QueryRow(ctx, b.String(), b.args...)
}

func (s *pgStore) exec(ctx context.Context, b *builder) error {
	_, err := s.pool.Exec(ctx, b.String(), b.args...)
	return err
}

func (s *pgStore) Close() error {
	if !s.closed.Swap(true) {
		s.pool.Close()
	}
	return nil
}

func (s *pgStore) Insert(ctx context.Context, evs []Event) (Result, error) {
	if s.closed.Load() {
		return Result{}, errClosed
	}
	if err := checkEvents(evs); err != nil {
		return Result{}, err
	}
	if len(evs) == 0 {
		return Result{}, nil
	}
	times := make([]time.Time, len(evs))
	for i := range evs {
		times[i] = evs[i].Time
	}
	var res Result
	var seqs map[string]int64
	for attempt := 0; ; attempt++ {
		if err := s.ensureDays(ctx, times); err != nil {
			return Result{}, s.fail("create partitions", err)
		}
		var err error
		seqs, err = s.insert(ctx, evs)
		if err == nil {
			break
		}
		if attempt == 0 && isNoPartition(err) {
			s.days.Clear()
			continue
		}
		return Result{}, s.fail(fmt.Sprintf("insert %d events", len(evs)), err)
	}
	for i := range evs {
		if seq, ok := seqs[evs[i].ID]; ok {
			evs[i].Seq = seq
			delete(seqs, evs[i].ID) // a second copy in the batch is a duplicate
			res.Inserted++
		} else {
			evs[i].Seq = 0
			res.Duplicates++
		}
	}
	return res, nil
}

// insert writes the batch in one transaction and returns the seq of each
// ID it stored.
func (s *pgStore) insert(ctx context.Context, evs []Event) (map[string]int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", s.lock); err != nil {
		return nil, err
	}
	var rows pgx.Rows
	if len(evs) >= pgCopyMin {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events_in"}, append([]string{"ord"}, insertCols...), &copySource{evs: evs, i: -1}); err != nil {
			return nil, err
		}
		rows, err = tx.Query(ctx, pgCopyInsert)
	} else {
		rows, err = tx.Query(ctx, pgUnnestInsert, arrays(evs)...)
	}
	if err != nil {
		return nil, err
	}
	seqs := make(map[string]int64, len(evs))
	var id string
	var seq int64
	var top int64
	_, err = pgx.ForEachRow(rows, []any{&id, &seq}, func() error {
		seqs[id] = seq
		top = max(top, seq)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if top > 0 {
		if err := s.notify(ctx, tx, top); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return seqs, nil
}

// arrays are the batch's columns, one array each, for pgUnnestInsert.
func arrays(evs []Event) []any {
	n := len(evs)
	var (
		id, kind, service, userID, userName, project, action = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		targetType, targetID, requestID, globalID, outcome   = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		message, format                                      = make([]string, n), make([]string, n)
		times                                                = make([]time.Time, n)
		level                                                = make([]int16, n)
		status                                               = make([]*int32, n)
		dur                                                  = make([]*float64, n)
		raw                                                  = make([][]byte, n)
		statusV                                              = make([]int32, n)
		durV                                                 = make([]float64, n)
	)
	for i := range evs {
		e := &evs[i]
		id[i], times[i], level[i] = e.ID, e.Time, int16(levelArg(e))
		kind[i], service[i], userID[i], userName[i], project[i], action[i] = e.Kind, e.Service, e.UserID, e.UserName, e.Project, e.Action
		targetType[i], targetID[i], requestID[i], globalID[i], outcome[i] = e.TargetType, e.TargetID, e.RequestID, e.GlobalRequestID, e.Outcome
		message[i], format[i], raw[i] = e.Message, e.Format, e.Raw
		if e.HasStatus {
			statusV[i] = int32(e.Status)
			status[i] = &statusV[i]
		}
		if e.HasDuration {
			durV[i] = e.DurationMS
			dur[i] = &durV[i]
		}
	}
	return []any{id, times, level, kind, service, userID, userName, project, action,
		targetType, targetID, requestID, globalID, outcome, status, dur, message, format, raw}
}

// copySource feeds CopyFrom one event per row, ord first.
type copySource struct {
	evs []Event
	i   int
	row [20]any
}

func (c *copySource) Next() bool { c.i++; return c.i < len(c.evs) }
func (c *copySource) Err() error { return nil }
func (c *copySource) Values() ([]any, error) {
	e := &c.evs[c.i]
	var status, dur any
	if e.HasStatus {
		status = int32(e.Status)
	}
	if e.HasDuration {
		dur = e.DurationMS
	}
	c.row = [20]any{int32(c.i), e.ID, e.Time, int16(levelArg(e)), e.Kind, e.Service, e.UserID, e.UserName, e.Project,
		e.Action, e.TargetType, e.TargetID, e.RequestID, e.GlobalRequestID, e.Outcome, status, dur, e.Message, e.Format, e.Raw}
	return c.row[:], nil
}

func (s *pgStore) query(ctx context.Context, doing string, b *builder, hint int) ([]Event, error) {
	rows, err := s.pool.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, s.fail(doing, err)
	}
	defer rows.Close()
	evs, err := collect(rows, true, hint)
	if err != nil {
		return nil, s.fail(doing, err)
	}
	return evs, nil
}

// partition is one daily partition and the day it holds.
type partition struct {
	name string
	day  time.Time
}

// partitions lists the daily partitions of events, oldest first.
func (s *pgStore) partitions(ctx context.Context) ([]partition, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	var out []partition
	var name string
	_, err = pgx.ForEachRow(rows, []any{&name}, func() error {
		if d, err := time.Parse("20060102", strings.TrimPrefix(name, "events_p")); err == nil && strings.HasPrefix(name, "events_p") {
			out = append(out, partition{name, d})
		}
		return nil
	})
	return out, err
}

// Purge drops each day older than Before in which nothing is kept (a
// count under the table's lock says so), deletes from the others what is
// not kept, and deletes what is left older than Before in the day it
// falls in.
func (s *pgStore) Purge(ctx context.Context, p Purge) (PurgeResult, error) {
	if s.closed.Load() {
		return PurgeResult{}, errClosed
	}
	var res PurgeResult
	w := builder{pg: true}
	if err := w.purgeWhere(p); err != nil {
		return res, err
	}
	var lo, hi *time.Time
	if err := s.pool.QueryRow(ctx, "SELECT count(*), min(time), max(time) FROM events"+w.String(), w.args...).
		Scan(&res.Removed, &lo, &hi); err != nil {
		return res, s.fail("purge: count", err)
	}
	if lo != nil {
		res.Oldest, res.Newest = lo.UTC(), hi.UTC()
	}
	k := builder{pg: true}
	if err := k.keep(p.Keep); err != nil {
		return res, err
	}
	if len(p.Keep) > 0 {
		kb := builder{pg: true}
		kb.s("SELECT count(*) FROM events WHERE time < ").timeArg(p.Before).s(" AND ")
		_ = kb.keep(p.Keep)
		if err := s.pool.QueryRow(ctx, kb.String(), kb.args...).Scan(&res.Kept); err != nil {
			return res, s.fail("purge: count what is kept", err)
		}
	}
	parts, err := s.partitions(ctx)
	if err != nil {
		return res, s.fail("purge: list partitions", err)
	}
	if p.DryRun {
		for _, pt := range parts {
			if !pt.day.Add(24 * time.Hour).After(p.Before) {
				var keeps bool
				if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+pt.name+" WHERE "+k.String()+")", k.args...).Scan(&keeps); err != nil {
					return res, s.fail("purge: look into "+pt.name, err)
				}
				if !keeps {
					res.Partitions = append(res.Partitions, pt.name)
				}
			}
		}
		return res, nil
	}
	var removed int64
	for _, pt := range parts {
		if pt.day.Add(24 * time.Hour).After(p.Before) {
			break
		}
		n, dropped, err := s.purgeDay(ctx, pt.name, &k)
		if err != nil {
			res.Removed = removed
			return res, s.fail(fmt.Sprintf("purge %s (%d removed so far)", pt.name, removed), err)
		}
		removed += n
		if dropped {
			s.days.Delete(pt.name)
			res.Partitions = append(res.Partitions, pt.name)
		}
	}
	tag, err := s.pool.Exec(ctx, "DELETE FROM events"+w.String(), w.args...)
	if err != nil {
		res.Removed = removed
		return res, s.fail(fmt.Sprintf("purge (%d removed so far)", removed), err)
	}
	res.Removed = removed + tag.RowsAffected()
	return res, nil
}

// purgeDay empties one day wholly before the purge's Before: dropped when
// nothing in it is kept, else what is not kept deleted.
func (s *pgStore) purgeDay(ctx context.Context, name string, keep *builder) (removed int64, dropped bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE "+name+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		var total, kept int64
		if err := tx.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE "+keep.String()+") FROM "+name, keep.args...).
			Scan(&total, &kept); err != nil {
			return err
		}
		if kept == 0 {
			if _, err := tx.Exec(ctx, "DROP TABLE "+name); err != nil {
				return err
			}
			removed, dropped = total, true
			return nil
		}
		tag, err := tx.Exec(ctx, "DELETE FROM "+name+" WHERE NOT "+keep.String(), keep.args...)
		removed = tag.RowsAffected()
		return err
	})
	return removed, dropped, err
}
