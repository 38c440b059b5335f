package serve

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/internal/tcpproxy"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/jackc/pgx/v5"
)

// TestPostgresAway takes the real PostgreSQL server away behind a TCP
// proxy: ingest answers 503 with Retry-After and stores nothing of the
// batch, reads answer 503, and once the server is back the same body is
// stored whole.
func TestPostgresAway(t *testing.T) {
	cfg, err := pgx.ParseConfig(dbtest.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	p := tcpproxy.New(t, addr)
	_, dsn := dbtest.PostgresSchema(t, "serve")
	dsn = strings.Replace(dsn, addr, p.Addr(), 1)
	if !strings.Contains(dsn, p.Addr()) {
		t.Fatalf("the DSN %q does not go through the proxy", dsn)
	}
	st, err := events.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts := newTestServer(t, st, func(o *Options) { o.RetryAfter = 2 * time.Second })
	lines := genLines(t, 20)

	if r := ts.post(t, tokIngest, lines[:10]); r.status != 200 {
		t.Fatalf("before the cut: %d %s", r.status, r.body)
	}
	p.Cut()
	r := ts.post(t, tokIngest, lines[10:])
	if r.status != 503 || r.header.Get("Retry-After") != "2" {
		t.Fatalf("ingest with the database away: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if m := r.json(t); m["accepted"] != 0.0 || m["error"] == nil {
		t.Errorf("503 answer: %s", r.body)
	}
	if bytes.Contains(r.body, []byte(p.Addr())) {
		t.Errorf("the 503 answer names the database: %s", r.body)
	}
	if r := ts.get(t, "/v1/events", tokAdmin); r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Errorf("list with the database away: %d %s", r.status, r.body)
	}
	if r := ts.get(t, "/v1/events/"+events.ContentID(lines[0]), tokAdmin); r.status != 503 {
		t.Errorf("get with the database away: %d %s", r.status, r.body)
	}
	p.Restore()
	for range 50 { // the pool may hand out a dead connection or two first
		if r = ts.post(t, tokIngest, lines[10:]); r.status == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.status != 200 || r.json(t)["accepted"] != 10.0 {
		t.Fatalf("after the database came back: %d %s", r.status, r.body)
	}
	if got, _ := ts.listAll(t, "/v1/events", tokAdmin); len(got) != 20 {
		t.Errorf("%d events after the outage, want 20", len(got))
	}
}
