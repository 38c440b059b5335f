package events_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		dsn, says string
	}{
		{"", "empty database"},
		{"   ", "empty database"},
		{"sqlite:", "file is missing"},
		{":memory:", "in-memory"},
		{"sqlite::memory:", "in-memory"},
		{"mysql://root:hunter2@127.0.0.1/test", "unknown scheme"},
		{filepath.Join(dir, "no", "such", "folder", "events.db"), "does not exist"},
		{"events.db?mode=ro", "may not hold"},
		{"postgres://postgres:hunter2@127.0.0.1:notaport/test", "postgres"},
	} {
		s, err := events.Open(context.Background(), c.dsn)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", c.dsn)
			continue
		}
		if !strings.Contains(err.Error(), c.says) {
			t.Errorf("Open(%q) = %v; want it to say %q", c.dsn, err, c.says)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) shows the password: %v", c.dsn, err)
		}
	}
}

func TestOpenForms(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "a.db"), "sqlite:" + filepath.Join(dir, "b.db"), "sqlite://" + filepath.Join(dir, "c.db")} {
		s, err := events.Open(context.Background(), dsn)
		if err != nil {
			t.Errorf("Open(%q): %v", dsn, err)
			continue
		}
		s.Close()
	}
	// Reopening keeps what was stored.
	p := filepath.Join(dir, "a.db")
	s, err := events.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ev := events.Event{Time: eventsBase, Level: "INFO", Project: "p", Raw: []byte(`{"x":1}`)}
	if _, err := s.Insert(context.Background(), []events.Event{ev}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = events.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Get(context.Background(), events.ContentID(ev.Raw), events.Scope{All: true}); err != nil {
		t.Errorf("after reopening: %v", err)
	}
}

func TestPostgresDown(t *testing.T) {
	// Nothing listens on port 1: the store is unavailable, not broken.
	_, err := events.Open(context.Background(), "postgres://postgres@127.0.0.1:1/test?connect_timeout=2")
	if !errors.Is(err, events.ErrUnavailable) {
		t.Errorf("Open of a server that is down: %v; want ErrUnavailable", err)
	}
}

// TestOpenRefusedSaysItOnce: pgx tries twice with sslmode=prefer and lists
// both identical attempts; the store's error says the refusal once, and is
// still ErrUnavailable.
func TestOpenRefusedSaysItOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := events.Open(ctx, "postgres://postgres@127.0.0.1:1/test")
	if err == nil || strings.Count(err.Error(), "connection refused") != 1 || !errors.Is(err, events.ErrUnavailable) {
		t.Errorf("err = %v, want one refusal, ErrUnavailable", err)
	}
}

// TestRedactDSN: what log-serve logs of its --db and what Open's errors
// quote keep the user and the host but never the password.
func TestRedactDSN(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://audit:hunter2@db:5432/audit", "postgres://audit:xxxxx@db:5432/audit"},
		{"postgresql://audit:p@ss@db/audit", "postgresql://audit:xxxxx@db/audit"}, // the last @ ends the password
		{"postgres://audit@db/audit", "postgres://audit@db/audit"},                // no password
		{"postgres://db/audit", "postgres://db/audit"},
		{"events.db", "events.db"},
		{"sqlite:events.db", "sqlite:events.db"},
	} {
		if got := events.RedactDSN(c.in); got != c.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestSQLitePageSize: a new file gets 16 KiB pages in WAL mode; a file
// made before, with SQLite's 4 KiB pages, keeps them and its events, and
// takes more.
func TestSQLitePageSize(t *testing.T) {
	ctx := context.Background()
	pragmas := func(p string) (int, string) {
		t.Helper()
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		var mode string
		if err := db.QueryRow("PRAGMA page_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		return n, mode
	}
	ev := func(i int) events.Event {
		return events.Event{Time: eventsBase.Add(time.Duration(i) * time.Second), Level: "INFO", Project: "p",
			Raw: fmt.Appendf(nil, `{"i":%d}`, i)}
	}
	dir := t.TempDir()

	fresh := filepath.Join(dir, "new.db")
	s, err := events.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, []events.Event{ev(1)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if n, mode := pragmas(fresh); n != 16384 || mode != "wal" {
		t.Errorf("new file: page_size %d, journal_mode %s; want 16384, wal", n, mode)
	}

	old := filepath.Join(dir, "old.db")
	db, err := sql.Open("sqlite", events.SQLiteURI(old, true, 4096))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(events.SQLiteSchema); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for i := range 2 {
		s, err := events.Open(ctx, old)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Insert(ctx, []events.Event{ev(i)})
		if err != nil || res.Inserted != 1 {
			t.Fatalf("insert into the old file: %+v, %v", res, err)
		}
		s.Close()
	}
	if n, mode := pragmas(old); n != 4096 || mode != "wal" {
		t.Errorf("old file: page_size %d, journal_mode %s; want 4096, wal", n, mode)
	}
	s, err = events.Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	page, err := s.List(ctx, events.Query{Scope: events.Scope{All: true}, Limit: 10})
	if err != nil || len(page.Events) != 2 {
		t.Fatalf("old file holds %d events (%v); want 2", len(page.Events), err)
	}
}
