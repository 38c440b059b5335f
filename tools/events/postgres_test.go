package events_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // dbtest.Reachable pings through database/sql

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/internal/tcpproxy"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

// pgSchema creates a schema no other test uses, dropped when t ends, and
// returns its name and a DSN whose search_path is it.
func pgSchema(t testing.TB, dsn string) (string, string) {
	t.Helper()
	dbtest.Reachable(t, "PostgreSQL", "pgx", dbtest.PostgresDSN(), dbtest.StartPostgres)
	name := dbtest.UniqueTable("events_test")
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbtest.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, dbtest.PostgresDSN())
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return name, dsn + sep + "search_path=" + name
}

func openPostgres(t *testing.T) events.Store {
	t.Helper()
	_, dsn := pgSchema(t, dbtest.PostgresDSN())
	s, err := events.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	eventstest.Run(t, openPostgres)
}

// TestPostgresUnavailable takes the server away behind a TCP proxy: the
// store answers ErrUnavailable, then works again when it is back.
func TestPostgresUnavailable(t *testing.T) {
	t.Parallel()
	cfg, err := pgx.ParseConfig(dbtest.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	p := tcpproxy.New(t, addr)
	_, dsn := pgSchema(t, strings.Replace(dbtest.PostgresDSN(), addr, p.Addr(), 1))
	if !strings.Contains(dsn, p.Addr()) {
		t.Fatalf("the DSN %q does not go through the proxy", dsn)
	}
	s, err := events.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eventstest.Unavailable(t, s, p.Cut, p.Restore)
}

// partitionsOf lists the partitions of schema's events table, from
// pg_inherits.
func partitionsOf(t *testing.T, schema string) []string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbtest.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = ($1 || '.events')::regclass ORDER BY 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestPostgresPartitions: days get their partition on demand, from two
// servers at once; a purge drops the days in which nothing is kept,
// deletes from the one in which something is, and the store inserts into
// a dropped day again.
func TestPostgresPartitions(t *testing.T) {
	t.Parallel()
	schema, dsn := pgSchema(t, dbtest.PostgresDSN())
	ctx := context.Background()
	var stores [2]events.Store
	for i := range stores {
		s, err := events.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	// Five days, each server inserting every day at once.
	base := eventstest.Base.AddDate(0, 0, -10)
	evs := eventstest.Generate(5000, 42)
	for i := range evs {
		d := i % 5
		evs[i].Time = base.AddDate(0, 0, d).Add(time.Duration(i) * time.Second)
		evs[i].Raw = fmt.Appendf(nil, "%s day %d", evs[i].Raw, d)
		evs[i].ID = events.ContentID(evs[i].Raw)
	}
	errc := make(chan error, 2)
	for w := range 2 {
		go func() {
			var err error
			for i := w * 250; i < len(evs) && err == nil; i += 500 {
				_, err = stores[w].Insert(ctx, evs[i:i+250])
			}
			errc <- err
		}()
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatalf("concurrent inserts into new days: %v", err)
		}
	}
	day := func(d int) string { return "events_p" + base.AddDate(0, 0, d).Format("20060102") }
	got := partitionsOf(t, schema)
	for d := range 5 {
		if !slices.Contains(got, day(d)) {
			t.Errorf("no partition %s among %v", day(d), got)
		}
	}
	// Day 2 holds the one failure kept; days 0, 1, 3 go whole; day 4 is
	// cut at noon.
	keep := [][]events.Filter{{{Field: "target_id", Values: []string{"keep-me"}}}}
	kept := events.Event{Time: base.AddDate(0, 0, 2).Add(time.Hour), Level: "ERROR", TargetID: "keep-me", Raw: []byte("kept line")}
	if _, err := stores[0].Insert(ctx, []events.Event{kept}); err != nil {
		t.Fatal(err)
	}
	before := base.AddDate(0, 0, 4).Add(12 * time.Hour)
	var want int64
	for _, e := range evs {
		if e.Time.Before(before) {
			want++
		}
	}
	dry, err := stores[1].Purge(ctx, events.Purge{Before: before, Keep: keep, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(partitionsOf(t, schema), got) {
		t.Error("a dry run dropped partitions")
	}
	res, err := stores[1].Purge(ctx, events.Purge{Before: before, Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	wantDropped := []string{day(0), day(1), day(3)}
	if !slices.Equal(res.Partitions, wantDropped) || !slices.Equal(dry.Partitions, wantDropped) {
		t.Errorf("dropped %v (dry run said %v), want %v", res.Partitions, dry.Partitions, wantDropped)
	}
	if res.Removed != want || dry.Removed != want || res.Kept != 1 {
		t.Errorf("removed %d (dry run %d), kept %d; want %d, 1", res.Removed, dry.Removed, res.Kept, want)
	}
	after := partitionsOf(t, schema)
	for _, p := range wantDropped {
		if slices.Contains(after, p) {
			t.Errorf("pg_inherits still lists %s", p)
		}
	}
	if !slices.Contains(after, day(2)) || !slices.Contains(after, day(4)) {
		t.Errorf("partitions left: %v; want %s and %s among them", after, day(2), day(4))
	}
	if _, err := stores[0].Get(ctx, events.ContentID(kept.Raw), events.Scope{All: true}); err != nil {
		t.Errorf("the kept event: %v", err)
	}
	// Both servers had day 0 cached; inserting into it again recreates it.
	again := evs[0]
	again.Raw = append(again.Raw, " again"...)
	again.ID = ""
	for _, s := range stores {
		again.ID = ""
		again.Raw = append(again.Raw, '!')
		if _, err := s.Insert(ctx, []events.Event{again}); err != nil {
			t.Errorf("insert into a dropped day: %v", err)
		}
	}
}
