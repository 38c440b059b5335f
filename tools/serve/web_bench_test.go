package serve

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

// BenchmarkWebPages renders each page of the viewer, through the whole
// handler (auth, the store, the templates; no network), over
// AUDITLOG_WEB_BENCH_EVENTS stored events (20,000 by default, for CI's
// -benchtime 1x; the goal is 100 ms a page at 2,000,000). Set
// AUDITLOG_WEB_BENCH_DB to an SQLite file to keep the seeded store
// between runs (seeded when it holds fewer events), or to a postgres://
// DSN.
func BenchmarkWebPages(b *testing.B) {
	n := 20000
	if v := os.Getenv("AUDITLOG_WEB_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("AUDITLOG_WEB_BENCH_EVENTS=%q: want a count of at least 100", v)
		}
	}
	dsn := os.Getenv("AUDITLOG_WEB_BENCH_DB")
	if dsn == "" {
		dsn = filepath.Join(b.TempDir(), "events.db")
	}
	ctx := context.Background()
	st, err := events.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if old, _ := st.Since(ctx, int64(n)-1, events.Query{Scope: events.Scope{All: true}}, 1); len(old) == 0 {
		eventstest.Stream(n, 1, 5000, func(evs []events.Event) {
			if _, err := st.Insert(ctx, evs); err != nil {
				b.Fatal(err)
			}
		})
	}
	tokens := testTokens()
	tokens.Add("tok-project-3", Identity{User: "member", Project: "project-3"})
	s, err := New(Options{Store: st, Auth: Auth{Tokens: tokens},
		Log: auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "log-serve"})})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	// A moment in the middle of the day, an event there, its request, an
	// incident at it and a second page.
	mid := eventstest.Base.Add(12 * time.Hour)
	p, err := st.List(ctx, events.Query{Scope: events.Scope{All: true}, Since: mid, Limit: 1})
	if err != nil || len(p.Events) == 0 {
		b.Fatalf("no event after %v: %v", mid, err)
	}
	e := p.Events[0]
	inc, err := s.MakeIncident(ctx, e.Time, DefaultRange, events.Scope{All: true}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	first, err := st.List(ctx, events.Query{Scope: events.Scope{All: true}, Desc: true})
	if err != nil {
		b.Fatal(err)
	}
	pages := []struct{ name, path, token string }{
		{"events", "/ui/events", tokAdmin},
		{"events-page2", "/ui/events?after=" + url.QueryEscape(first.Next.String()), tokAdmin},
		{"events-warning", "/ui/events?level=WARNING", tokAdmin},
		{"events-around", "/ui/events?around=" + url.QueryEscape(timeString(e.Time)) + "&range=60s", tokAdmin},
		{"events-filtered", "/ui/events?service=nova-api&user=user3&q=took", tokAdmin},
		{"events-project", "/ui/events", "tok-project-3"},
		{"event", "/ui/events/" + e.ID, tokAdmin},
		{"requests", "/ui/requests", tokAdmin},
		{"requests-error", "/ui/requests?level=ERROR", tokAdmin},
		{"request", "/ui/requests/" + url.PathEscape(e.RequestID), tokAdmin},
		{"incidents", "/ui/incidents", tokAdmin},
		{"incident", "/ui/incidents/" + inc.ID, tokAdmin},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			b.ReportAllocs()
			var worst time.Duration
			for b.Loop() {
				req := httptest.NewRequest("GET", pg.path, nil)
				req.Header.Set("Authorization", "Bearer "+pg.token)
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				worst = max(worst, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", pg.path, w.Code, w.Body.String())
				}
			}
			b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
		})
	}
}
