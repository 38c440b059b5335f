package stream

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

// TestTwoServersOnePostgres: two stores on one PostgreSQL schema stand for
// two log-serve processes. An event stored through either reaches the
// subscribers of both, woken by LISTEN/NOTIFY (the poll is set to an hour,
// so only a notification can deliver it in time).
func TestTwoServersOnePostgres(t *testing.T) {
	_, dsn := dbtest.PostgresSchema(t, "stream_test")
	ctx := context.Background()
	open := func() events.Store {
		s, err := events.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	if _, ok := a.(Watcher); !ok {
		t.Fatal("the PostgreSQL store does not watch for other servers' events")
	}
	ha := start(t, a, &Options{Poll: time.Hour})
	hb := start(t, b, &Options{Poll: time.Hour})
	subA, _ := ha.Subscribe(admin, -1)
	subB, _ := hb.Subscribe(admin, -1)
	defer subA.Close()
	defer subB.Close()
	time.Sleep(200 * time.Millisecond) // both LISTENing
	evs := eventstest.Generate(40, 12)
	// 20 through a (its own hub not told: a notification must do it), 20 through b.
	if _, err := a.Insert(ctx, evs[:20]); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Insert(ctx, evs[20:]); err != nil {
		t.Fatal(err)
	}
	for name, sub := range map[string]*Subscriber{"a": subA, "b": subB} {
		for i := range evs {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			m, err := sub.Next(ctx)
			cancel()
			if err != nil {
				t.Fatalf("server %s, event %d: %v", name, i, err)
			}
			if m.Event == nil || m.Event.ID != events.ContentID(evs[i].Raw) {
				t.Fatalf("server %s, event %d: %+v, want %s", name, i, m, events.ContentID(evs[i].Raw))
			}
		}
	}
}
